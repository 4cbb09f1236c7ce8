"""Unit tests of the plugin's logic in plain CPython: `python3 -m unittest`."""

import unittest

from wasm_connect import Config

from app import MyPlugin, MyPluginTask


class MyPluginTest(unittest.TestCase):
    def test_each_task_gets_its_number(self) -> None:
        connector = MyPlugin()
        connector.start(Config({"topic": "greetings"}))
        configs = connector.task_configs(2)
        self.assertEqual([c["task.number"] for c in configs], ["0", "1"])

    def test_emits_up_to_max_records(self) -> None:
        task = MyPluginTask()
        task.start(Config({"topic": "greetings", "max.records": "3"}))
        records = task.poll()
        self.assertEqual([r.value for r in records], ["hello 0", "hello 1", "hello 2"])
        self.assertEqual(records[-1].source_offset, {"next": 3})
        self.assertEqual(records[0].source_partition, {"task": 0})
        self.assertEqual(task.poll(), [])


if __name__ == "__main__":
    unittest.main()
