"""Unit tests of the plugin's logic in plain CPython: `python3 -m unittest`."""

import unittest

from wasm_connect import Config, PluginError, Record

from app import MyPlugin


class MyPluginTest(unittest.TestCase):
    def test_matches_the_needle(self) -> None:
        predicate = MyPlugin()
        predicate.configure(Config({"needle": "cat"}))
        self.assertTrue(predicate.test(Record("t", "concatenate")))
        self.assertFalse(predicate.test(Record("t", "dog")))
        self.assertFalse(predicate.test(Record("t", 7)))

    def test_needle_is_required(self) -> None:
        with self.assertRaises(PluginError):
            MyPlugin().configure(Config())


if __name__ == "__main__":
    unittest.main()
