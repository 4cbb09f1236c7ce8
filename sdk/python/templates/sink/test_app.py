"""Unit tests of the plugin's logic in plain CPython: `python3 -m unittest`."""

import os
import tempfile
import unittest

from wasm_connect import Config, SinkRecord

from app import MyPluginTask


class MyPluginTest(unittest.TestCase):
    def test_appends_one_line_per_record(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "out.txt")
            task = MyPluginTask()
            task.start(Config({"file": path, "prefix": "> "}))
            task.put([SinkRecord("t", "hello", kafka_offset=0), SinkRecord("t", {"n": 1}, kafka_offset=1)])
            task.flush([])
            task.stop()
            with open(path, encoding="utf-8") as f:
                self.assertEqual(f.read(), '> hello\n> {"n": 1}\n')


if __name__ == "__main__":
    unittest.main()
