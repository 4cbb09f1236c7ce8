"""Unit tests of the plugin's logic in plain CPython: `python3 -m unittest`."""

import unittest

from wasm_connect import Config, Record, Schema

from app import MyPlugin


class MyPluginTest(unittest.TestCase):
    def test_upper_cases_strings_and_appends_the_suffix(self) -> None:
        transform = MyPlugin()
        transform.configure(Config({"suffix": "!"}))
        out = transform.apply(Record("events", "hello", value_schema=Schema.OPTIONAL_STRING))
        self.assertEqual(out.value, "HELLO!")
        self.assertEqual(out.value_schema, Schema.OPTIONAL_STRING)

    def test_other_values_pass_unchanged(self) -> None:
        transform = MyPlugin()
        transform.configure(Config())
        self.assertEqual(transform.apply(Record("events", 42)).value, 42)
        self.assertEqual(transform.apply(Record("events", "abc")).value, "ABC")


if __name__ == "__main__":
    unittest.main()
