"""The Kafka Connect data model in plain Python: schemas, structs and headers.

Values are plain Python objects:

============================  ==========================================================
Connect schema type           Python value
============================  ==========================================================
int8, int16, int32, int64     ``int``
float32, float64              ``float``
boolean                       ``bool``
string                        ``str``
bytes                         ``bytes``
array                         ``list``
map                           ``dict`` (keys must be hashable: str, int, bytes, …)
struct                        :class:`Struct` (field order kept, schema attached)
null                          ``None``
Timestamp / Date / Time       ``datetime.datetime`` (UTC) / ``datetime.date`` / ``datetime.time``
Decimal                       ``decimal.Decimal``
============================  ==========================================================

A record without a schema (e.g. ``JsonConverter`` with ``schemas.enable=false``) carries only the
value; when such a value is sent back, ``int`` becomes int64, ``float`` float64 and ``dict`` a map.
"""

import datetime as _dt
import decimal as _decimal
from enum import Enum
from typing import Any, Dict, Iterable, Iterator, List, Mapping, Optional, Tuple, Union

from .errors import PluginError

__all__ = [
    "SchemaType",
    "Schema",
    "Field",
    "SchemaBuilder",
    "Struct",
    "Header",
    "Headers",
    "TIMESTAMP",
    "DATE",
    "TIME",
    "DECIMAL",
    "DECIMAL_SCALE",
]

#: Logical name of Kafka's ``Timestamp`` (int64 milliseconds since the Unix epoch).
TIMESTAMP = "org.apache.kafka.connect.data.Timestamp"
#: Logical name of Kafka's ``Date`` (int32 days since the Unix epoch).
DATE = "org.apache.kafka.connect.data.Date"
#: Logical name of Kafka's ``Time`` (int32 milliseconds since midnight).
TIME = "org.apache.kafka.connect.data.Time"
#: Logical name of Kafka's ``Decimal`` (bytes: big-endian two's-complement unscaled value).
DECIMAL = "org.apache.kafka.connect.data.Decimal"
#: The schema parameter holding a ``Decimal``'s scale.
DECIMAL_SCALE = "scale"

_EPOCH = _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc)
_EPOCH_DATE = _dt.date(1970, 1, 1)


class SchemaType(str, Enum):
    """Kafka Connect's ``Schema.Type``; compares equal to its lower-case name (``"int32"``)."""

    INT8 = "int8"
    INT16 = "int16"
    INT32 = "int32"
    INT64 = "int64"
    FLOAT32 = "float32"
    FLOAT64 = "float64"
    BOOLEAN = "boolean"
    STRING = "string"
    BYTES = "bytes"
    ARRAY = "array"
    MAP = "map"
    STRUCT = "struct"

    def __str__(self) -> str:
        return self.value

    @property
    def is_primitive(self) -> bool:
        """True for every type but array, map and struct."""
        return self not in (SchemaType.ARRAY, SchemaType.MAP, SchemaType.STRUCT)


_INT_BOUNDS = {
    SchemaType.INT8: (-(2**7), 2**7 - 1),
    SchemaType.INT16: (-(2**15), 2**15 - 1),
    SchemaType.INT32: (-(2**31), 2**31 - 1),
    SchemaType.INT64: (-(2**63), 2**63 - 1),
}


class Field:
    """One field of a struct schema: a name and its schema."""

    __slots__ = ("name", "schema", "index")

    def __init__(self, name: str, schema: "Schema", index: int = 0) -> None:
        self.name = name
        self.schema = schema
        self.index = index

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, Field)
            and self.name == other.name
            and self.schema == other.schema
        )

    def __hash__(self) -> int:
        return hash(self.name)

    def __repr__(self) -> str:
        return f"Field({self.name!r}, {self.schema!r})"


class Schema:
    """A Kafka Connect schema. Immutable: build one with :class:`SchemaBuilder` or use the
    constants (``Schema.STRING``, ``Schema.OPTIONAL_INT64``, …) and factories
    (:meth:`array`, :meth:`map`, :meth:`timestamp`, :meth:`decimal`, …).
    """

    __slots__ = (
        "type",
        "optional",
        "name",
        "version",
        "doc",
        "parameters",
        "default",
        "has_default",
        "fields",
        "key_schema",
        "value_schema",
        "_by_name",
        "_wit",
    )

    # Constants, assigned below the class.
    INT8: "Schema"
    INT16: "Schema"
    INT32: "Schema"
    INT64: "Schema"
    FLOAT32: "Schema"
    FLOAT64: "Schema"
    BOOLEAN: "Schema"
    STRING: "Schema"
    BYTES: "Schema"
    OPTIONAL_INT8: "Schema"
    OPTIONAL_INT16: "Schema"
    OPTIONAL_INT32: "Schema"
    OPTIONAL_INT64: "Schema"
    OPTIONAL_FLOAT32: "Schema"
    OPTIONAL_FLOAT64: "Schema"
    OPTIONAL_BOOLEAN: "Schema"
    OPTIONAL_STRING: "Schema"
    OPTIONAL_BYTES: "Schema"

    def __init__(
        self,
        type: Union[SchemaType, str],
        optional: bool = False,
        name: Optional[str] = None,
        version: Optional[int] = None,
        doc: Optional[str] = None,
        parameters: Optional[Mapping[str, str]] = None,
        fields: Iterable[Field] = (),
        key_schema: Optional["Schema"] = None,
        value_schema: Optional["Schema"] = None,
        default: Any = None,
        has_default: Optional[bool] = None,
    ) -> None:
        schema_type = SchemaType(type)
        fields = tuple(Field(f.name, f.schema, i) for i, f in enumerate(fields))
        if fields and schema_type is not SchemaType.STRUCT:
            raise PluginError(f"only struct schemas have fields, not {schema_type}")
        if schema_type is SchemaType.ARRAY and value_schema is None:
            raise PluginError("an array schema needs an element (value) schema")
        if schema_type is SchemaType.MAP and (key_schema is None or value_schema is None):
            raise PluginError("a map schema needs a key schema and a value schema")
        by_name: Dict[str, Field] = {}
        for f in fields:
            if f.name in by_name:
                raise PluginError(f"duplicate field {f.name!r} in struct schema")
            by_name[f.name] = f
        set_ = object.__setattr__
        set_(self, "type", schema_type)
        set_(self, "optional", bool(optional))
        set_(self, "name", name)
        set_(self, "version", version)
        set_(self, "doc", doc)
        set_(self, "parameters", dict(parameters or {}))
        set_(self, "fields", fields)
        set_(self, "key_schema", key_schema)
        set_(self, "value_schema", value_schema)
        set_(self, "default", default)
        set_(self, "has_default", default is not None if has_default is None else has_default)
        set_(self, "_by_name", by_name)
        set_(self, "_wit", None)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("Schema is immutable: build a new one with SchemaBuilder")

    # Factories -----------------------------------------------------------------------------

    @staticmethod
    def array(value_schema: "Schema", optional: bool = False) -> "Schema":
        """An array of ``value_schema`` elements."""
        return Schema(SchemaType.ARRAY, optional=optional, value_schema=value_schema)

    @staticmethod
    def map(key_schema: "Schema", value_schema: "Schema", optional: bool = False) -> "Schema":
        """A map from ``key_schema`` to ``value_schema``."""
        return Schema(
            SchemaType.MAP, optional=optional, key_schema=key_schema, value_schema=value_schema
        )

    @staticmethod
    def timestamp(optional: bool = False) -> "Schema":
        """Kafka's ``Timestamp``: int64 milliseconds, a ``datetime`` in Python."""
        return Schema(SchemaType.INT64, optional=optional, name=TIMESTAMP, version=1)

    @staticmethod
    def date(optional: bool = False) -> "Schema":
        """Kafka's ``Date``: int32 days since the epoch, a ``datetime.date`` in Python."""
        return Schema(SchemaType.INT32, optional=optional, name=DATE, version=1)

    @staticmethod
    def time(optional: bool = False) -> "Schema":
        """Kafka's ``Time``: int32 milliseconds since midnight, a ``datetime.time`` in Python."""
        return Schema(SchemaType.INT32, optional=optional, name=TIME, version=1)

    @staticmethod
    def decimal(scale: int, optional: bool = False) -> "Schema":
        """Kafka's ``Decimal`` with ``scale`` digits after the point: a ``decimal.Decimal``."""
        return Schema(
            SchemaType.BYTES,
            optional=optional,
            name=DECIMAL,
            version=1,
            parameters={DECIMAL_SCALE: str(scale)},
        )

    # Accessors -----------------------------------------------------------------------------

    def field(self, name: str) -> Optional[Field]:
        """The struct field called ``name``, or ``None``."""
        return self._by_name.get(name)

    @property
    def field_names(self) -> List[str]:
        """Names of the struct's fields, in order."""
        return [f.name for f in self.fields]

    @property
    def logical(self) -> Optional[str]:
        """The logical type name (``TIMESTAMP``, ``DATE``, ``TIME``, ``DECIMAL``) or ``None``."""
        return self.name if self.name in (TIMESTAMP, DATE, TIME, DECIMAL) else None

    def with_optional(self, optional: bool = True) -> "Schema":
        """A copy that is (or is not) optional."""
        return SchemaBuilder.from_schema(self).optional(optional).build()

    def validate(self, value: Any) -> None:
        """Raise :class:`PluginError` if ``value`` does not fit this schema."""
        validate_value(self, value, "value")

    def __eq__(self, other: object) -> bool:
        if self is other:
            return True
        if not isinstance(other, Schema):
            return NotImplemented
        return (
            self.type is other.type
            and self.optional == other.optional
            and self.name == other.name
            and self.version == other.version
            and self.doc == other.doc
            and self.parameters == other.parameters
            and self.fields == other.fields
            and self.key_schema == other.key_schema
            and self.value_schema == other.value_schema
            and self.has_default == other.has_default
            and self.default == other.default
        )

    def __hash__(self) -> int:
        return hash((self.type, self.optional, self.name, len(self.fields)))

    def __repr__(self) -> str:
        parts = [self.type.value]
        if self.optional:
            parts.append("optional")
        if self.name:
            parts.append(f"name={self.name!r}")
        if self.fields:
            parts.append("fields=[" + ", ".join(f"{f.name}: {f.schema!r}" for f in self.fields) + "]")
        if self.key_schema is not None:
            parts.append(f"key={self.key_schema!r}")
        if self.value_schema is not None:
            parts.append(f"value={self.value_schema!r}")
        if self.has_default:
            parts.append(f"default={self.default!r}")
        return "Schema(" + ", ".join(parts) + ")"


for _t in SchemaType:
    if _t.is_primitive:
        setattr(Schema, _t.name, Schema(_t))
        setattr(Schema, "OPTIONAL_" + _t.name, Schema(_t, optional=True))
del _t


class SchemaBuilder:
    """Kafka's ``SchemaBuilder``::

        user = (SchemaBuilder.struct().name("com.example.User")
                .field("id", Schema.INT64)
                .field("email", Schema.OPTIONAL_STRING)
                .field("created", Schema.timestamp())
                .build())
    """

    def __init__(self, type: Union[SchemaType, str]) -> None:
        self._type = SchemaType(type)
        self._optional = False
        self._name: Optional[str] = None
        self._version: Optional[int] = None
        self._doc: Optional[str] = None
        self._parameters: Dict[str, str] = {}
        self._fields: List[Field] = []
        self._key: Optional[Schema] = None
        self._value: Optional[Schema] = None
        self._default: Any = None
        self._has_default = False

    @staticmethod
    def int8() -> "SchemaBuilder":
        return SchemaBuilder(SchemaType.INT8)

    @staticmethod
    def int16() -> "SchemaBuilder":
        return SchemaBuilder(SchemaType.INT16)

    @staticmethod
    def int32() -> "SchemaBuilder":
        return SchemaBuilder(SchemaType.INT32)

    @staticmethod
    def int64() -> "SchemaBuilder":
        return SchemaBuilder(SchemaType.INT64)

    @staticmethod
    def float32() -> "SchemaBuilder":
        return SchemaBuilder(SchemaType.FLOAT32)

    @staticmethod
    def float64() -> "SchemaBuilder":
        return SchemaBuilder(SchemaType.FLOAT64)

    @staticmethod
    def boolean() -> "SchemaBuilder":
        return SchemaBuilder(SchemaType.BOOLEAN)

    @staticmethod
    def string() -> "SchemaBuilder":
        return SchemaBuilder(SchemaType.STRING)

    @staticmethod
    def bytes() -> "SchemaBuilder":
        return SchemaBuilder(SchemaType.BYTES)

    @staticmethod
    def struct() -> "SchemaBuilder":
        return SchemaBuilder(SchemaType.STRUCT)

    @staticmethod
    def array(value_schema: Schema) -> "SchemaBuilder":
        builder = SchemaBuilder(SchemaType.ARRAY)
        builder._value = value_schema
        return builder

    @staticmethod
    def map(key_schema: Schema, value_schema: Schema) -> "SchemaBuilder":
        builder = SchemaBuilder(SchemaType.MAP)
        builder._key = key_schema
        builder._value = value_schema
        return builder

    @staticmethod
    def timestamp() -> "SchemaBuilder":
        return SchemaBuilder.int64().name(TIMESTAMP).version(1)

    @staticmethod
    def date() -> "SchemaBuilder":
        return SchemaBuilder.int32().name(DATE).version(1)

    @staticmethod
    def time() -> "SchemaBuilder":
        return SchemaBuilder.int32().name(TIME).version(1)

    @staticmethod
    def decimal(scale: int) -> "SchemaBuilder":
        return SchemaBuilder.bytes().name(DECIMAL).version(1).parameter(DECIMAL_SCALE, str(scale))

    @staticmethod
    def from_schema(schema: Schema) -> "SchemaBuilder":
        """A builder starting from a copy of ``schema`` (to change its name, fields, …)."""
        builder = SchemaBuilder(schema.type)
        builder._optional = schema.optional
        builder._name = schema.name
        builder._version = schema.version
        builder._doc = schema.doc
        builder._parameters = dict(schema.parameters)
        builder._fields = list(schema.fields)
        builder._key = schema.key_schema
        builder._value = schema.value_schema
        builder._default = schema.default
        builder._has_default = schema.has_default
        return builder

    def optional(self, optional: bool = True) -> "SchemaBuilder":
        self._optional = optional
        return self

    def required(self) -> "SchemaBuilder":
        return self.optional(False)

    def name(self, name: Optional[str]) -> "SchemaBuilder":
        self._name = name
        return self

    def version(self, version: Optional[int]) -> "SchemaBuilder":
        self._version = version
        return self

    def doc(self, doc: Optional[str]) -> "SchemaBuilder":
        self._doc = doc
        return self

    def parameter(self, key: str, value: str) -> "SchemaBuilder":
        self._parameters[key] = value
        return self

    def parameters(self, parameters: Mapping[str, str]) -> "SchemaBuilder":
        self._parameters.update(parameters)
        return self

    def default_value(self, value: Any) -> "SchemaBuilder":
        """Set the default value (checked against the schema when built)."""
        self._default = value
        self._has_default = True
        return self

    def field(self, name: str, schema: Schema) -> "SchemaBuilder":
        """Add a struct field (in order)."""
        if self._type is not SchemaType.STRUCT:
            raise PluginError(f"cannot add field {name!r}: only struct schemas have fields")
        if any(f.name == name for f in self._fields):
            raise PluginError(f"cannot add field {name!r}: it already exists")
        self._fields.append(Field(name, schema, len(self._fields)))
        return self

    def build(self) -> Schema:
        schema = Schema(
            self._type,
            optional=self._optional,
            name=self._name,
            version=self._version,
            doc=self._doc,
            parameters=self._parameters,
            fields=self._fields,
            key_schema=self._key,
            value_schema=self._value,
            default=self._default,
            has_default=self._has_default,
        )
        if self._has_default:
            validate_value(schema, self._default, "default value")
        return schema


class Struct:
    """A struct value: named fields in order, optionally with its schema.

    With a schema, only the schema's fields may be set and they keep the schema's order (unset
    fields read as ``None``); without one, fields keep insertion order::

        user = Struct(user_schema, id=1, email="a@example.com")
        user["email"] = None
        user.get("created")
    """

    __slots__ = ("schema", "_values")

    def __init__(
        self, schema: Optional[Schema] = None, values: Optional[Mapping[str, Any]] = None, **fields: Any
    ) -> None:
        if schema is not None and schema.type is not SchemaType.STRUCT:
            raise PluginError(f"a Struct needs a struct schema, not {schema.type}")
        self.schema = schema
        self._values: Dict[str, Any] = {}
        if values:
            for name, value in values.items():
                self[name] = value
        for name, value in fields.items():
            self[name] = value

    def _check(self, name: str) -> None:
        if self.schema is not None and self.schema.field(name) is None:
            raise PluginError(f"{name} is not a valid field name")

    def __getitem__(self, name: str) -> Any:
        self._check(name)
        return self._values.get(name)

    def __setitem__(self, name: str, value: Any) -> None:
        self._check(name)
        self._values[name] = value

    def __delitem__(self, name: str) -> None:
        self._check(name)
        self._values.pop(name, None)

    def get(self, name: str, default: Any = None) -> Any:
        """The value of ``name`` (``default`` if unset or unknown)."""
        value = self._values.get(name)
        return default if value is None else value

    def put(self, name: str, value: Any) -> "Struct":
        """Set ``name``; returns ``self`` for chaining (Kafka's ``Struct.put``)."""
        self[name] = value
        return self

    def __contains__(self, name: object) -> bool:
        if self.schema is not None:
            return isinstance(name, str) and self.schema.field(name) is not None
        return name in self._values

    def keys(self) -> List[str]:
        """Field names in order (all of the schema's fields when there is a schema)."""
        if self.schema is not None:
            return self.schema.field_names
        return list(self._values)

    def items(self) -> List[Tuple[str, Any]]:
        """``(name, value)`` pairs in field order."""
        return [(name, self._values.get(name)) for name in self.keys()]

    def values(self) -> List[Any]:
        return [self._values.get(name) for name in self.keys()]

    def __iter__(self) -> Iterator[str]:
        return iter(self.keys())

    def __len__(self) -> int:
        return len(self.keys())

    def to_dict(self) -> Dict[str, Any]:
        """A plain ``dict`` (nested structs converted too)."""
        return {name: _plain(value) for name, value in self.items()}

    def validate(self) -> None:
        """Raise :class:`PluginError` if a value does not fit the schema."""
        if self.schema is not None:
            validate_value(self.schema, self, "struct")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Struct):
            return NotImplemented
        return self.schema == other.schema and self.items() == other.items()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        body = ", ".join(f"{k}={v!r}" for k, v in self.items())
        return f"Struct{{{body}}}"


def _plain(value: Any) -> Any:
    if isinstance(value, Struct):
        return value.to_dict()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


# Logical types -------------------------------------------------------------------------------


def timestamp_to_millis(value: Union[_dt.datetime, int]) -> int:
    """A ``datetime`` (naive means UTC) as milliseconds since the epoch; ints pass through."""
    if isinstance(value, _dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=_dt.timezone.utc)
        delta = value - _EPOCH
        return (delta.days * 86_400 + delta.seconds) * 1000 + delta.microseconds // 1000
    return value


def millis_to_timestamp(millis: int) -> _dt.datetime:
    """Milliseconds since the epoch as an aware UTC ``datetime``."""
    return _EPOCH + _dt.timedelta(milliseconds=millis)


def date_to_days(value: Union[_dt.date, int]) -> int:
    """A ``date`` as days since the epoch; ints pass through."""
    if isinstance(value, _dt.datetime):
        value = value.date()
    if isinstance(value, _dt.date):
        return (value - _EPOCH_DATE).days
    return value


def days_to_date(days: int) -> _dt.date:
    return _EPOCH_DATE + _dt.timedelta(days=days)


def time_to_millis(value: Union[_dt.time, int]) -> int:
    """A ``time`` as milliseconds since midnight; ints pass through."""
    if isinstance(value, _dt.time):
        return ((value.hour * 60 + value.minute) * 60 + value.second) * 1000 + value.microsecond // 1000
    return value


def millis_to_time(millis: int) -> _dt.time:
    seconds, ms = divmod(millis, 1000)
    minutes, second = divmod(seconds, 60)
    hour, minute = divmod(minutes, 60)
    return _dt.time(hour % 24, minute, second, ms * 1000)


def decimal_scale(schema: Schema) -> int:
    try:
        return int(schema.parameters.get(DECIMAL_SCALE, "0"))
    except ValueError:
        raise PluginError(f"Decimal schema has an invalid scale {schema.parameters.get(DECIMAL_SCALE)!r}")


def decimal_to_bytes(value: Union[_decimal.Decimal, int, bytes], scale: int) -> bytes:
    """A ``Decimal`` as Kafka's unscaled big-endian two's-complement bytes at ``scale``."""
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    unscaled = _decimal.Decimal(value).scaleb(scale)
    if unscaled != unscaled.to_integral_value():
        raise PluginError(f"{value} has more than {scale} digits after the decimal point")
    number = int(unscaled)
    length = max(1, (number + (number < 0)).bit_length() // 8 + 1)
    return number.to_bytes(length, "big", signed=True)


def bytes_to_decimal(data: bytes, scale: int) -> _decimal.Decimal:
    return _decimal.Decimal(int.from_bytes(data, "big", signed=True)).scaleb(-scale)


# Validation ----------------------------------------------------------------------------------


def _type_name(value: Any) -> str:
    return type(value).__name__


def validate_value(schema: Schema, value: Any, where: str) -> None:
    """Raise :class:`PluginError` naming ``where`` if ``value`` does not fit ``schema``."""
    if value is None:
        if not schema.optional and not schema.has_default:
            raise PluginError(f"{where}: null for a required {schema.type} schema")
        return
    t = schema.type
    logical = schema.name
    if t in _INT_BOUNDS:
        if logical == TIMESTAMP and isinstance(value, _dt.datetime):
            return
        if logical == DATE and isinstance(value, _dt.date):
            return
        if logical == TIME and isinstance(value, _dt.time):
            return
        if isinstance(value, bool) or not isinstance(value, int):
            raise PluginError(f"{where}: expected an int for {t}, got {_type_name(value)}")
        low, high = _INT_BOUNDS[t]
        if not low <= value <= high:
            raise PluginError(f"{where}: {value} is out of range for {t}")
    elif t is SchemaType.FLOAT32 or t is SchemaType.FLOAT64:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise PluginError(f"{where}: expected a float for {t}, got {_type_name(value)}")
    elif t is SchemaType.BOOLEAN:
        if not isinstance(value, bool):
            raise PluginError(f"{where}: expected a bool, got {_type_name(value)}")
    elif t is SchemaType.STRING:
        if not isinstance(value, str):
            raise PluginError(f"{where}: expected a str, got {_type_name(value)}")
    elif t is SchemaType.BYTES:
        if logical == DECIMAL and isinstance(value, (_decimal.Decimal, int)):
            return
        if not isinstance(value, (bytes, bytearray, memoryview)):
            raise PluginError(f"{where}: expected bytes, got {_type_name(value)}")
    elif t is SchemaType.ARRAY:
        if not isinstance(value, (list, tuple)):
            raise PluginError(f"{where}: expected a list, got {_type_name(value)}")
        for i, item in enumerate(value):
            validate_value(schema.value_schema, item, f"{where}[{i}]")  # type: ignore[arg-type]
    elif t is SchemaType.MAP:
        if not isinstance(value, Mapping):
            raise PluginError(f"{where}: expected a dict, got {_type_name(value)}")
        for k, v in value.items():
            validate_value(schema.key_schema, k, f"{where} key {k!r}")  # type: ignore[arg-type]
            validate_value(schema.value_schema, v, f"{where}[{k!r}]")  # type: ignore[arg-type]
    elif t is SchemaType.STRUCT:
        if isinstance(value, Struct):
            if value.schema is not None and value.schema is not schema and value.schema != schema:
                raise PluginError(f"{where}: struct schema does not match")
            get = value._values.get
        elif isinstance(value, Mapping):
            unknown = [k for k in value if schema.field(k) is None]
            if unknown:
                raise PluginError(f"{where}: {unknown[0]} is not a valid field name")
            get = value.get
        else:
            raise PluginError(f"{where}: expected a Struct, got {_type_name(value)}")
        for f in schema.fields:
            validate_value(f.schema, get(f.name), f"{where}.{f.name}")


def infer_schema(value: Any) -> Schema:
    """The schema Kafka's header converter would infer for a primitive value."""
    if isinstance(value, bool):
        return Schema.BOOLEAN
    if isinstance(value, int):
        return Schema.INT64
    if isinstance(value, float):
        return Schema.FLOAT64
    if isinstance(value, str):
        return Schema.STRING
    if isinstance(value, (bytes, bytearray)):
        return Schema.BYTES
    if isinstance(value, Struct) and value.schema is not None:
        return value.schema
    raise PluginError(f"cannot infer a schema for a {_type_name(value)}: pass one")


# Headers -------------------------------------------------------------------------------------


class Header:
    """A record header: key, value and schema (``None`` for a null header)."""

    __slots__ = ("key", "value", "schema")

    def __init__(self, key: str, value: Any, schema: Optional[Schema] = None) -> None:
        self.key = key
        self.value = value
        self.schema = schema

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Header):
            return NotImplemented
        return (self.key, self.value, self.schema) == (other.key, other.value, other.schema)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Header({self.key!r}, {self.value!r}, {self.schema!r})"


class Headers:
    """The ordered headers of a record (Kafka's ``Headers``); keys may repeat.

    ``headers.get("trace-id")`` is the value of the last header with that key;
    ``headers.add("source", "app")`` infers a schema for primitives (``str`` → STRING, ``int`` →
    INT64, …).
    """

    __slots__ = ("_items",)

    def __init__(self, headers: Iterable[Union[Header, Tuple[str, Any]]] = ()) -> None:
        self._items: List[Header] = []
        for h in headers:
            if isinstance(h, Header):
                self._items.append(h)
            else:
                self.add(h[0], h[1])

    def add(self, key: str, value: Any, schema: Optional[Schema] = None) -> "Headers":
        """Append a header; ``schema`` is inferred for primitives when absent."""
        if schema is None and value is not None:
            schema = infer_schema(value)
        if schema is not None:
            validate_value(schema, value, f"header {key!r}")
        self._items.append(Header(key, value, schema))
        return self

    def last(self, key: str) -> Optional[Header]:
        """The last header with ``key`` (Kafka's ``lastWithName``)."""
        for h in reversed(self._items):
            if h.key == key:
                return h
        return None

    def get(self, key: str, default: Any = None) -> Any:
        """The value of the last header with ``key``, or ``default``."""
        h = self.last(key)
        return default if h is None else h.value

    def all(self, key: str) -> List[Header]:
        """Every header with ``key``, in order."""
        return [h for h in self._items if h.key == key]

    def remove(self, key: str) -> "Headers":
        """Remove every header with ``key``."""
        self._items = [h for h in self._items if h.key != key]
        return self

    def clear(self) -> "Headers":
        self._items = []
        return self

    def keys(self) -> List[str]:
        """The distinct keys, in first-seen order."""
        return list(dict.fromkeys(h.key for h in self._items))

    def __contains__(self, key: object) -> bool:
        return any(h.key == key for h in self._items)

    def __iter__(self) -> Iterator[Header]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Headers):
            return NotImplemented
        return self._items == other._items

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Headers({self._items!r})"
