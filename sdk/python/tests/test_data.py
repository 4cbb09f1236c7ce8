"""Schemas, structs, headers, records and logical types (plain CPython)."""

import datetime as dt
import decimal
import unittest

from wasm_connect import (
    DECIMAL,
    TIMESTAMP,
    Header,
    Headers,
    PluginError,
    Record,
    RetriableError,
    Schema,
    SchemaBuilder,
    SchemaType,
    SinkRecord,
    SourceRecord,
    Struct,
)
from wasm_connect import data
from wasm_connect.errors import from_exception


class SchemaTest(unittest.TestCase):
    def test_constants_and_builder(self) -> None:
        self.assertEqual(Schema.STRING.type, SchemaType.STRING)
        self.assertEqual(Schema.STRING.type, "string")
        self.assertTrue(Schema.OPTIONAL_INT32.optional)
        user = (
            SchemaBuilder.struct()
            .name("com.example.User")
            .version(2)
            .field("id", Schema.INT64)
            .field("email", Schema.OPTIONAL_STRING)
            .field("tags", Schema.array(Schema.STRING))
            .field("attrs", Schema.map(Schema.STRING, Schema.INT32))
            .field("created", Schema.timestamp())
            .build()
        )
        self.assertEqual(user.field_names, ["id", "email", "tags", "attrs", "created"])
        self.assertEqual(user.field("created").schema.logical, TIMESTAMP)
        self.assertEqual(user.field("created").index, 4)
        self.assertIsNone(user.field("nope"))
        copy = SchemaBuilder.from_schema(user).build()
        self.assertEqual(copy, user)
        self.assertNotEqual(user.with_optional(), user)
        self.assertTrue(user.with_optional().optional)
        with self.assertRaises(AttributeError):
            user.name = "x"  # type: ignore[misc]

    def test_builder_checks(self) -> None:
        with self.assertRaises(PluginError):
            SchemaBuilder.int32().field("a", Schema.INT32)
        with self.assertRaises(PluginError):
            SchemaBuilder.struct().field("a", Schema.INT32).field("a", Schema.INT32)
        with self.assertRaises(PluginError):
            SchemaBuilder.int8().default_value(1000).build()
        s = SchemaBuilder.string().default_value("x").build()
        self.assertTrue(s.has_default)
        self.assertEqual(s.default, "x")

    def test_validate(self) -> None:
        schema = SchemaBuilder.struct().field("n", Schema.INT8).field("s", Schema.OPTIONAL_STRING).build()
        Struct(schema, n=1).validate()
        with self.assertRaises(PluginError) as e:
            Struct(schema, n=300).validate()
        self.assertIn("out of range for int8", e.exception.message)
        with self.assertRaises(PluginError):
            Struct(schema, s="x").validate()  # n is required
        with self.assertRaises(PluginError):
            Schema.INT32.validate(True)
        with self.assertRaises(PluginError):
            Schema.STRING.validate(b"x")
        Schema.decimal(2).validate(decimal.Decimal("1.25"))
        Schema.date().validate(dt.date(2024, 1, 2))


class StructTest(unittest.TestCase):
    def test_fields_follow_the_schema(self) -> None:
        schema = SchemaBuilder.struct().field("a", Schema.INT32).field("b", Schema.OPTIONAL_STRING).build()
        s = Struct(schema, b="x")
        s["a"] = 1
        self.assertEqual(s.items(), [("a", 1), ("b", "x")])
        self.assertEqual(list(s), ["a", "b"])
        self.assertEqual(s.to_dict(), {"a": 1, "b": "x"})
        with self.assertRaises(PluginError):
            s["c"] = 2
        self.assertEqual(Struct(schema, {"a": 1, "b": "x"}), s)
        with self.assertRaises(PluginError):
            Struct(Schema.INT32)

    def test_schemaless_struct_keeps_insertion_order(self) -> None:
        s = Struct(z=1).put("a", Struct(x=2))
        self.assertEqual(s.keys(), ["z", "a"])
        self.assertEqual(s.to_dict(), {"z": 1, "a": {"x": 2}})
        self.assertEqual(s.get("missing", 5), 5)


class LogicalTest(unittest.TestCase):
    def test_round_trips(self) -> None:
        when = dt.datetime(2024, 5, 6, 7, 8, 9, 123000, tzinfo=dt.timezone.utc)
        millis = data.timestamp_to_millis(when)
        self.assertEqual(millis, 1714979289123)
        self.assertEqual(data.millis_to_timestamp(millis), when)
        self.assertEqual(data.timestamp_to_millis(when.replace(tzinfo=None)), millis)
        self.assertEqual(data.date_to_days(dt.date(1970, 1, 11)), 10)
        self.assertEqual(data.days_to_date(-1), dt.date(1969, 12, 31))
        self.assertEqual(data.time_to_millis(dt.time(1, 2, 3, 4000)), 3723004)
        self.assertEqual(data.millis_to_time(3723004), dt.time(1, 2, 3, 4000))

    def test_decimal_bytes_are_kafkas(self) -> None:
        # Java's BigInteger.toByteArray: minimal two's complement (-128 = 0x80, -129 = 0xff7f).
        self.assertEqual(data.decimal_to_bytes(decimal.Decimal("1.25"), 2), b"\x7d")
        self.assertEqual(data.decimal_to_bytes(decimal.Decimal("-1.28"), 2), b"\x80")
        self.assertEqual(data.decimal_to_bytes(decimal.Decimal("-1.29"), 2), b"\xff\x7f")
        self.assertEqual(data.decimal_to_bytes(decimal.Decimal("1.28"), 2), b"\x00\x80")
        self.assertEqual(data.decimal_to_bytes(0, 3), b"\x00")
        self.assertEqual(data.bytes_to_decimal(b"\xff\x7f", 2), decimal.Decimal("-1.29"))
        with self.assertRaises(PluginError):
            data.decimal_to_bytes(decimal.Decimal("1.234"), 2)
        self.assertEqual(Schema.decimal(4).name, DECIMAL)
        self.assertEqual(Schema.decimal(4).parameters, {"scale": "4"})


class HeadersTest(unittest.TestCase):
    def test_add_get_remove(self) -> None:
        h = Headers().add("a", "1").add("b", 2).add("a", "3")
        self.assertEqual(len(h), 3)
        self.assertEqual(h.get("a"), "3")
        self.assertEqual(h.last("b"), Header("b", 2, Schema.INT64))
        self.assertEqual([x.value for x in h.all("a")], ["1", "3"])
        self.assertEqual(h.keys(), ["a", "b"])
        self.assertIn("b", h)
        h.remove("a")
        self.assertEqual([x.key for x in h], ["b"])
        self.assertIsNone(h.get("a"))
        with self.assertRaises(PluginError):
            Headers().add("x", object())
        with self.assertRaises(PluginError):
            Headers().add("x", "text", Schema.INT32)


class RecordTest(unittest.TestCase):
    def test_records(self) -> None:
        r = Record("t", "v", key="k", headers=[("h", "x")], timestamp=5)
        self.assertEqual((r.topic, r.key, r.value, r.timestamp), ("t", "k", "v", 5))
        self.assertEqual(r.headers.get("h"), "x")
        copy = r.replace(value="w", topic="u")
        copy.headers.add("h2", "y")
        self.assertEqual((copy.topic, copy.value, r.value), ("u", "w", "v"))
        self.assertNotIn("h2", r.headers)
        with self.assertRaises(TypeError):
            r.replace(nope=1)
        s = SourceRecord("t", "v", source_partition={"p": 1}, source_offset={"o": 2})
        self.assertEqual((s.source_partition, s.source_offset), ({"p": 1}, {"o": 2}))
        self.assertEqual(s.replace(value="x").source_offset, {"o": 2})
        self.assertEqual(SinkRecord("t", 1, kafka_offset=9).kafka_offset, 9)
        self.assertEqual(Record("t", 1), Record("t", 1))
        self.assertNotEqual(Record("t", 1), Record("t", 2))


class ErrorsTest(unittest.TestCase):
    def test_errors(self) -> None:
        self.assertTrue(RetriableError("x").retriable)
        self.assertFalse(PluginError("x").retriable)
        self.assertEqual(PluginError("b").context("a").message, "a: b")
        self.assertEqual(from_exception(KeyError("k")).message, "KeyError: 'k'")
        self.assertTrue(from_exception(TimeoutError()).retriable)
        e = RetriableError("x")
        self.assertIs(from_exception(e), e)


if __name__ == "__main__":
    unittest.main()
