"""Config values and definitions (plain CPython)."""

import unittest

from wasm_connect import (
    REQUIRED,
    Config,
    ConfigDef,
    ConfigKey,
    ConfigType,
    Importance,
    NonEmptyString,
    OneOf,
    PathAccess,
    PluginError,
    Range,
)


class ConfigTest(unittest.TestCase):
    def setUp(self) -> None:
        self.config = Config(
            {
                "topic": "t",
                "batch.size": "10",
                "bad": "x1",
                "flag": "TRUE",
                "empty": "",
                "list": " a, b,,c ",
                "ratio": "0.5",
            }
        )

    def test_typed_getters(self) -> None:
        c = self.config
        self.assertEqual(c.get_string("topic"), "t")
        self.assertEqual(c["topic"], "t")
        self.assertEqual(c.get_int("batch.size"), 10)
        self.assertEqual(c.get_int("missing", 7), 7)
        self.assertEqual(c.get_int("empty", 7), 7)
        self.assertEqual(c.get_float("ratio"), 0.5)
        self.assertIs(c.get_bool("flag"), True)
        self.assertIs(c.get_bool("missing", False), False)
        self.assertEqual(c.get_list("list"), ["a", "b", "c"])
        self.assertEqual(c.get_list("missing", []), [])
        self.assertIsNone(c.get_optional("empty"))
        self.assertEqual(c.get_optional("topic"), "t")
        self.assertEqual(c.get_string("missing", None), None)

    def test_errors_name_the_key(self) -> None:
        c = self.config
        with self.assertRaises(PluginError) as e:
            c.get_int("bad")
        self.assertEqual(e.exception.message, "Invalid value x1 for configuration bad: Not a number of type INT")
        self.assertFalse(e.exception.retriable)
        with self.assertRaises(PluginError) as e:
            c.get_string("nope")
        self.assertEqual(
            e.exception.message, 'Missing required configuration "nope" which has no default value.'
        )
        with self.assertRaises(PluginError):
            c.get_int("empty")
        with self.assertRaises(PluginError):
            c.get_non_empty_string("empty")
        with self.assertRaises(PluginError):
            c.get_bool("bad")
        with self.assertRaises(PluginError) as e:
            Config({"l": " , "}).get_non_empty_list("l")
        self.assertEqual(e.exception.message, "Invalid value [] for configuration l: Empty list")

    def test_updated_and_defaults(self) -> None:
        keys = ConfigDef().int("batch.size", default=2000).string("file", default=None).boolean("x", default=True)
        c = Config({"topic": "x"}).with_defaults(keys)
        self.assertEqual(dict(c), {"topic": "x", "batch.size": "2000", "file": "", "x": "true"})
        self.assertEqual(Config({"batch.size": "5"}).with_defaults(keys).get_int("batch.size"), 5)
        u = c.updated({"task.number": 3, "flag": False})
        self.assertEqual((u["task.number"], u["flag"]), ("3", "false"))
        self.assertNotIn("task.number", c)


class ConfigDefTest(unittest.TestCase):
    def test_builder(self) -> None:
        d = (
            ConfigDef()
            .string("topic", validators=[NonEmptyString()], importance=Importance.HIGH, doc="Topic.")
            .int("batch.size", default=100, validators=[Range(min=1)])
            .string("mode", default="a", validators=[OneOf("a", "b")])
            .list("fields", default=["x", "y"])
            .string("file", default=None, path_access=PathAccess.READ_FILE)
        )
        keys = list(d)
        self.assertEqual([k.name for k in keys], ["topic", "batch.size", "mode", "fields", "file"])
        self.assertTrue(keys[0].required)
        self.assertEqual(keys[0].importance, Importance.HIGH)
        self.assertEqual(keys[1].default_value, "100")
        self.assertEqual(keys[1].type, ConfigType.INT)
        self.assertEqual(keys[1].validators, [Range(min=1)])
        self.assertEqual(keys[2].validators, [OneOf(["a", "b"])])
        self.assertEqual(keys[3].default_value, "x,y")
        self.assertEqual(keys[4].default_value, "")
        self.assertEqual(keys[4].path_access, PathAccess.READ_FILE)
        self.assertEqual(d.defaults(), {"batch.size": "100", "mode": "a", "fields": "x,y", "file": ""})
        with self.assertRaises(PluginError):
            d.string("topic")
        self.assertEqual(ConfigKey("k", ConfigType.LONG, default=REQUIRED).default_value, None)


if __name__ == "__main__":
    unittest.main()
