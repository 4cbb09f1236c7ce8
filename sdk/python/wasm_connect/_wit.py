"""Conversions between componentize-py's WIT bindings (``wit_world``) and the SDK's Python
model, and the glue behind the export classes. Imported only inside a component (or in tests with
generated bindings); not a stable API.
"""

import traceback
from typing import Any, Callable, Dict, List, Mapping, Optional, Type

from componentize_py_types import Err, Ok  # type: ignore[import-not-found]

try:
    # In worlds that also import another `types` interface (e.g. `wasi:http/types`),
    # componentize-py names the modules after their packages.
    from wit_world.imports import wasm_connect_plugin_types as t  # type: ignore[import-not-found]
except ImportError:
    from wit_world.imports import types as t  # type: ignore[import-not-found]

from . import data as d
from . import log
from .config import (
    Config,
    ConfigError,
    ConfigKey,
    ConfigType,
    Importance,
    NonEmptyString,
    OneOf,
    PathAccess,
    Range,
    ValidRegex,
    format_default,
)
from .data import Header, Headers, Schema, SchemaType, Struct
from .errors import PluginError, from_exception
from .records import _UNSET, Record, SinkRecord, SourceRecord, TopicPartitionOffset

# Values -------------------------------------------------------------------------------------

_W = t.SchemaType
_WIT_TYPE = {st: _W[st.name] for st in SchemaType}
_PY_TYPE = {w: st for st, w in _WIT_TYPE.items()}
_PRIMITIVE_NODES = (
    t.ValueNode_Int8,
    t.ValueNode_Int16,
    t.ValueNode_Int32,
    t.ValueNode_Int64,
    t.ValueNode_Float32,
    t.ValueNode_Float64,
    t.ValueNode_Boolean,
    t.ValueNode_String,
)
_NULL = t.ValueNode_Null()
_LOGICAL = (d.TIMESTAMP, d.DATE, d.TIME, d.DECIMAL)


def _logical_from(name: str, value: Any, snode: Any) -> Any:
    if name == d.TIMESTAMP:
        return d.millis_to_timestamp(value)
    if name == d.DATE:
        return d.days_to_date(value)
    if name == d.TIME:
        return d.millis_to_time(value)
    if name == d.DECIMAL:
        scale = dict(snode.parameters).get(d.DECIMAL_SCALE, "0")
        return d.bytes_to_decimal(value, int(scale))
    return value


class _Decoder:
    """Decodes a value arena, with the schema arena when there is one."""

    __slots__ = ("nodes", "schema", "_schemas")

    def __init__(self, nodes: List[Any], schema: Optional[Any]) -> None:
        self.nodes = nodes
        self.schema = schema
        self._schemas: Dict[int, Schema] = {}

    def py_schema(self, sidx: int) -> Schema:
        cached = self._schemas.get(sidx)
        if cached is None:
            cached = self._schemas[sidx] = _schema_node(self.schema, sidx)
        return cached

    def value(self, idx: int, sidx: Optional[int]) -> Any:
        node = self.nodes[idx]
        kind = type(node)
        snode = self.schema.nodes[sidx] if sidx is not None else None
        if kind in _PRIMITIVE_NODES:
            value = node.value
        elif kind is t.ValueNode_Null:
            return None
        elif kind is t.ValueNode_Bytes:
            value = bytes(node.value)
        elif kind is t.ValueNode_Array:
            elem = snode.value_schema if snode is not None else None
            return [self.value(i, elem) for i in node.value]
        elif kind is t.ValueNode_Map:
            ks = snode.key_schema if snode is not None else None
            vs = snode.value_schema if snode is not None else None
            out = {}
            for k, v in node.value:
                key = self.value(k, ks)
                try:
                    out[key] = self.value(v, vs)
                except TypeError:
                    raise PluginError(
                        f"a map key of type {type(key).__name__} cannot be a dict key in Python"
                    ) from None
            return out
        elif kind is t.ValueNode_Struct:
            struct = Struct.__new__(Struct)
            if snode is not None:
                struct.schema = self.py_schema(sidx)  # type: ignore[arg-type]
                fields = {f.name: f.schema for f in snode.fields}
                struct._values = {name: self.value(i, fields.get(name)) for name, i in node.value}
            else:
                struct.schema = None
                struct._values = {name: self.value(i, None) for name, i in node.value}
            return struct
        else:  # pragma: no cover - a new WIT case
            raise PluginError(f"unknown value node {kind.__name__}")
        if snode is not None and snode.name in _LOGICAL:
            return _logical_from(snode.name, value, snode)
        return value


def decode_value(sv: Any) -> Any:
    """A WIT ``schema-and-value`` as a Python value."""
    nodes = sv.value.nodes
    if not nodes:
        return None
    schema = sv.schema
    if schema is not None and not schema.nodes:
        schema = None
    root = nodes[0]
    if type(root) is t.ValueNode_String and (schema is None or schema.nodes[0].name is None):
        return root.value  # the common case, without the decoder
    return _Decoder(nodes, schema).value(0, None if schema is None else 0)


def _schema_node(schema: Any, idx: int) -> Schema:
    n = schema.nodes[idx]
    fields = [d.Field(f.name, _schema_node(schema, f.schema)) for f in n.fields]
    key = _schema_node(schema, n.key_schema) if n.key_schema is not None else None
    value = _schema_node(schema, n.value_schema) if n.value_schema is not None else None
    default, has_default = None, False
    if n.default_value is not None:
        default = _Decoder(schema.defaults, schema).value(n.default_value, idx)
        has_default = True
    return Schema(
        _PY_TYPE[n.type],
        optional=n.optional,
        name=n.name,
        version=n.version,
        doc=n.doc,
        parameters=dict(n.parameters),
        fields=fields,
        key_schema=key,
        value_schema=value,
        default=default,
        has_default=has_default,
    )


def decode_schema(schema: Any) -> Optional[Schema]:
    """A WIT ``schema`` (or ``None``) as a :class:`Schema`."""
    if schema is None or not schema.nodes:
        return None
    py = _schema_node(schema, 0)
    object.__setattr__(py, "_wit", schema)
    return py


def schema_to_wit(schema: Schema) -> Any:
    """A :class:`Schema` as a WIT ``schema`` arena (cached on the schema)."""
    cached = schema._wit
    if cached is not None:
        return cached
    nodes: List[Any] = []
    defaults: List[Any] = []
    wit = t.Schema(nodes=nodes, defaults=defaults)

    def add(s: Schema) -> int:
        idx = len(nodes)
        nodes.append(None)
        fields = [t.Field(name=f.name, schema=add(f.schema)) for f in s.fields]
        key = add(s.key_schema) if s.key_schema is not None else None
        value = add(s.value_schema) if s.value_schema is not None else None
        node = t.SchemaNode(
            type=_WIT_TYPE[s.type],
            optional=s.optional,
            name=s.name,
            version=s.version,
            doc=s.doc,
            parameters=list(s.parameters.items()),
            default_value=None,
            fields=fields,
            key_schema=key,
            value_schema=value,
        )
        nodes[idx] = node
        if s.has_default:
            node.default_value = _Encoder(wit, defaults).value(s.default, idx, "default value")
        return idx

    add(schema)
    object.__setattr__(schema, "_wit", wit)
    return wit


def _type_name(value: Any) -> str:
    return type(value).__name__


class _Encoder:
    """Encodes a Python value into a value arena ``out``, following a WIT schema arena if any."""

    __slots__ = ("schema", "out")

    def __init__(self, schema: Optional[Any], out: List[Any]) -> None:
        self.schema = schema
        self.out = out

    def _push(self, node: Any) -> int:
        self.out.append(node)
        return len(self.out) - 1

    def value(self, value: Any, sidx: int, where: str) -> int:
        sn = self.schema.nodes[sidx]
        if value is None:
            if sn.optional:
                return self._push(_NULL)
            if sn.default_value is not None:
                default = _Decoder(self.schema.defaults, self.schema).value(sn.default_value, sidx)
                return self.value(default, sidx, where)
            raise PluginError(f"{where}: null for a required {_PY_TYPE[sn.type]} schema")
        st = sn.type
        name = sn.name
        if st is _W.STRING:
            if not isinstance(value, str):
                raise PluginError(f"{where}: expected a str for a string schema, got {_type_name(value)}")
            return self._push(t.ValueNode_String(value))
        if st is _W.INT64 or st is _W.INT32 or st is _W.INT16 or st is _W.INT8:
            if name == d.TIMESTAMP:
                value = d.timestamp_to_millis(value)
            elif name == d.DATE:
                value = d.date_to_days(value)
            elif name == d.TIME:
                value = d.time_to_millis(value)
            py_type = _PY_TYPE[st]
            if isinstance(value, bool) or not isinstance(value, int):
                raise PluginError(f"{where}: expected an int for {py_type}, got {_type_name(value)}")
            low, high = d._INT_BOUNDS[py_type]
            if not low <= value <= high:
                raise PluginError(f"{where}: {value} is out of range for {py_type}")
            cls = {
                _W.INT8: t.ValueNode_Int8,
                _W.INT16: t.ValueNode_Int16,
                _W.INT32: t.ValueNode_Int32,
                _W.INT64: t.ValueNode_Int64,
            }[st]
            return self._push(cls(value))
        if st is _W.FLOAT64 or st is _W.FLOAT32:
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise PluginError(f"{where}: expected a float, got {_type_name(value)}")
            cls = t.ValueNode_Float64 if st is _W.FLOAT64 else t.ValueNode_Float32
            return self._push(cls(float(value)))
        if st is _W.BOOLEAN:
            if not isinstance(value, bool):
                raise PluginError(f"{where}: expected a bool, got {_type_name(value)}")
            return self._push(t.ValueNode_Boolean(value))
        if st is _W.BYTES:
            if name == d.DECIMAL and not isinstance(value, (bytes, bytearray, memoryview)):
                scale = int(dict(sn.parameters).get(d.DECIMAL_SCALE, "0"))
                value = d.decimal_to_bytes(value, scale)
            if not isinstance(value, (bytes, bytearray, memoryview)):
                raise PluginError(f"{where}: expected bytes, got {_type_name(value)}")
            return self._push(t.ValueNode_Bytes(bytes(value)))
        if st is _W.ARRAY:
            if not isinstance(value, (list, tuple)):
                raise PluginError(f"{where}: expected a list for an array schema, got {_type_name(value)}")
            idx = self._push(None)
            elem = sn.value_schema
            self.out[idx] = t.ValueNode_Array(
                [self.value(v, elem, f"{where}[{i}]") for i, v in enumerate(value)]
            )
            return idx
        if st is _W.MAP:
            if not isinstance(value, Mapping):
                raise PluginError(f"{where}: expected a dict for a map schema, got {_type_name(value)}")
            idx = self._push(None)
            ks, vs = sn.key_schema, sn.value_schema
            self.out[idx] = t.ValueNode_Map(
                [
                    (self.value(k, ks, f"{where} key {k!r}"), self.value(v, vs, f"{where}[{k!r}]"))
                    for k, v in value.items()
                ]
            )
            return idx
        if st is _W.STRUCT:
            if isinstance(value, Struct):
                get = value._values.get
            elif isinstance(value, Mapping):
                known = {f.name for f in sn.fields}
                for k in value:
                    if k not in known:
                        raise PluginError(f"{where}: {k} is not a valid field name")
                get = value.get
            else:
                raise PluginError(f"{where}: expected a Struct or dict for a struct schema, got {_type_name(value)}")
            idx = self._push(None)
            self.out[idx] = t.ValueNode_Struct(
                [(f.name, self.value(get(f.name), f.schema, f"{where}.{f.name}")) for f in sn.fields]
            )
            return idx
        raise PluginError(f"{where}: unknown schema type {st}")  # pragma: no cover

    def infer(self, value: Any, where: str) -> int:
        """Schemaless: the node type follows the Python type."""
        if value is None:
            return self._push(_NULL)
        if isinstance(value, str):
            return self._push(t.ValueNode_String(value))
        if isinstance(value, bool):
            return self._push(t.ValueNode_Boolean(value))
        if isinstance(value, int):
            if not -(2**63) <= value < 2**63:
                raise PluginError(f"{where}: {value} does not fit in an int64")
            return self._push(t.ValueNode_Int64(value))
        if isinstance(value, float):
            return self._push(t.ValueNode_Float64(value))
        if isinstance(value, (bytes, bytearray, memoryview)):
            return self._push(t.ValueNode_Bytes(bytes(value)))
        if isinstance(value, (list, tuple)):
            idx = self._push(None)
            self.out[idx] = t.ValueNode_Array([self.infer(v, f"{where}[{i}]") for i, v in enumerate(value)])
            return idx
        if isinstance(value, Struct):
            if value.schema is not None:
                # Keep the struct's own types (int widths, logical types) though the record is schemaless.
                return _Encoder(schema_to_wit(value.schema), self.out).value(value, 0, where)
            idx = self._push(None)
            self.out[idx] = t.ValueNode_Struct(
                [(k, self.infer(v, f"{where}.{k}")) for k, v in value.items()]
            )
            return idx
        if isinstance(value, Mapping):
            idx = self._push(None)
            self.out[idx] = t.ValueNode_Map(
                [(self.infer(k, f"{where} key"), self.infer(v, f"{where}[{k!r}]")) for k, v in value.items()]
            )
            return idx
        raise PluginError(
            f"{where}: cannot send a {_type_name(value)} without a schema (give the record a schema)"
        )


def encode_value(value: Any, wit_schema: Optional[Any], where: str = "value") -> Any:
    """A Python value (with a WIT schema arena or none) as a WIT ``schema-and-value``."""
    out: List[Any] = []
    if wit_schema is not None and wit_schema.nodes:
        if type(value) is str and wit_schema.nodes[0].type is _W.STRING:
            out.append(t.ValueNode_String(value))
        else:
            _Encoder(wit_schema, out).value(value, 0, where)
    else:
        wit_schema = None
        _Encoder(None, out).infer(value, where)
    return t.SchemaAndValue(schema=wit_schema, value=t.Value(nodes=out))


def encode(value: Any, schema: Optional[Schema], where: str = "value") -> Any:
    """A Python value and its :class:`Schema` (or ``None``) as a WIT ``schema-and-value``."""
    return encode_value(value, schema_to_wit(schema) if schema is not None else None, where)


def _encode_part(record: Record, src: Any, value: Any, schema: Any, where: str) -> Any:
    if value is _UNSET and schema is _UNSET:
        return src  # untouched: back as it came
    if value is _UNSET:
        value = decode_value(src)
    if schema is _UNSET:
        wit_schema = src.schema
    elif schema is None:
        wit_schema = None
    else:
        wit_schema = schema_to_wit(schema)
    return encode_value(value, wit_schema, where)


def decode_headers(headers: List[Any]) -> Headers:
    return Headers(Header(h.key, decode_value(h.value), decode_schema(h.value.schema)) for h in headers)


def encode_headers(headers: Headers) -> List[Any]:
    return [t.Header(key=h.key, value=encode(h.value, h.schema, f"header {h.key!r}")) for h in headers]


# Records ------------------------------------------------------------------------------------


def _lazy(record: Record, wit: Any) -> Record:
    record.topic = wit.topic
    record.kafka_partition = wit.kafka_partition
    record.timestamp = wit.timestamp
    record._key = _UNSET
    record._key_schema = _UNSET
    record._value = _UNSET
    record._value_schema = _UNSET
    record._headers = _UNSET
    record._src = wit
    return record


def record_from_wit(wit: Any) -> Record:
    """A WIT ``connect-record`` as a lazily decoded :class:`Record`."""
    return _lazy(Record.__new__(Record), wit)


def sink_record_from_wit(wit: Any) -> SinkRecord:
    record = _lazy(SinkRecord.__new__(SinkRecord), wit.record)
    record.kafka_offset = wit.kafka_offset  # type: ignore[attr-defined]
    return record  # type: ignore[return-value]


def record_to_wit(record: Record) -> Any:
    """A :class:`Record` as a WIT ``connect-record``; untouched parts are reused as they came."""
    src = record._src
    if src is None:
        key = encode(record._key, record._key_schema, "key")
        value = encode(record._value, record._value_schema, "value")
        headers = encode_headers(record._headers)
    else:
        key = _encode_part(record, src.key, record._key, record._key_schema, "key")
        value = _encode_part(record, src.value, record._value, record._value_schema, "value")
        headers = src.headers if record._headers is _UNSET else encode_headers(record._headers)
    if not isinstance(record.topic, str):
        raise PluginError(f"topic must be a str, not {_type_name(record.topic)}")
    return t.ConnectRecord(
        topic=record.topic,
        kafka_partition=record.kafka_partition,
        key=key,
        value=value,
        timestamp=record.timestamp,
        headers=headers,
    )


def offset_map_to_wit(values: Optional[Mapping[str, Any]], what: str) -> List[Any]:
    out = []
    for k, v in (values or {}).items():
        if not isinstance(k, str):
            raise PluginError(f"{what} keys must be str, got {_type_name(k)}")
        if v is None:
            node: Any = t.OffsetValue_Null()
        elif isinstance(v, bool):
            node = t.OffsetValue_Boolean(v)
        elif isinstance(v, int):
            if not -(2**63) <= v < 2**63:
                raise PluginError(f"{what} {k}: {v} does not fit in an int64")
            node = t.OffsetValue_Int64(v)
        elif isinstance(v, float):
            node = t.OffsetValue_Float64(v)
        elif isinstance(v, str):
            node = t.OffsetValue_String(v)
        else:
            raise PluginError(f"{what} {k}: a {_type_name(v)} is not None, bool, int, float or str")
        out.append((k, node))
    return out


def offset_map_from_wit(values: List[Any]) -> Dict[str, Any]:
    return {k: (None if isinstance(v, t.OffsetValue_Null) else v.value) for k, v in values}


def source_record_to_wit(record: Any) -> Any:
    if not isinstance(record, Record):
        raise PluginError(f"poll returned a {_type_name(record)}, not a SourceRecord")
    return t.SourceRecord(
        record=record_to_wit(record),
        source_partition=offset_map_to_wit(getattr(record, "source_partition", None), "source_partition"),
        source_offset=offset_map_to_wit(getattr(record, "source_offset", None), "source_offset"),
    )


# Plugin metadata ----------------------------------------------------------------------------

_CONFIG_TYPES = {ct: getattr(t.ConfigType, ct.name) for ct in ConfigType}
_IMPORTANCE = {i: getattr(t.Importance, i.name) for i in Importance}
_PATH_ACCESS = {p: getattr(t.PathAccess, p.name) for p in PathAccess}


def _validator(v: Any) -> Any:
    if isinstance(v, NonEmptyString):
        return t.Validator_NonEmptyString()
    if isinstance(v, Range):
        return t.Validator_Range(t.NumberRange(min=v.min, max=v.max))
    if isinstance(v, OneOf):
        return t.Validator_OneOf(list(v.values))
    if isinstance(v, ValidRegex):
        return t.Validator_Regex()
    raise PluginError(f"unknown validator {v!r}")


def config_key_to_wit(key: ConfigKey) -> Any:
    return t.ConfigKey(
        name=key.name,
        type=_CONFIG_TYPES[key.type],
        default_value=key.default_value,
        importance=_IMPORTANCE[key.importance],
        documentation=key.documentation,
        group=key.group,
        order_in_group=key.order_in_group,
        display_name=key.display_name,
        validators=[_validator(v) for v in key.validators],
        path_access=_PATH_ACCESS[key.path_access],
    )


def plugin_info(cls: Any) -> Any:
    info = cls.plugin_info()
    return t.PluginInfo(
        name=info.name, version=info.version, aliases=list(info.aliases), description=info.description
    )


def config_definition(cls: Any) -> List[Any]:
    return [config_key_to_wit(k) for k in cls.config_keys()]


# Errors -------------------------------------------------------------------------------------


def error_to_wit(error: BaseException) -> Any:
    """Any exception as a WIT ``plugin-error``; unexpected ones are logged with their traceback."""
    if not isinstance(error, PluginError):
        trace = "".join(traceback.format_exception(type(error), error, error.__traceback__))
        log.error(f"unexpected {type(error).__name__} in the plugin:\n{trace}")
    pe = from_exception(error)
    return t.PluginError(message=pe.message, retriable=pe.retriable)


def _fail(error: BaseException) -> Err:
    return Err(error_to_wit(error))


def _not_started(what: str) -> Err:
    return Err(t.PluginError(message=f"the {what} was not started", retriable=False))


def _config(config: List[Any], keys: List[ConfigKey]) -> Config:
    return Config(config).with_defaults(keys)


def _call(f: Callable[[], Any]) -> Any:
    """Run ``f``; raise its exception as ``Err(plugin-error)`` (a WIT ``result`` error)."""
    try:
        return f()
    except Err:
        raise
    except Exception as error:  # noqa: BLE001 - every failure goes back to the host
        raise _fail(error) from None


# Glue: one instance per component instance, kept in a slot -----------------------------------


def _instance(slot: Any, what: str) -> Any:
    """The instance in ``slot``; ``Err`` if the host did not start it."""
    if slot.instance is None:
        raise _not_started(what)
    return slot.instance


def transform_configure(cls: Type[Any], slot: Any, config: List[Any]) -> None:
    def run() -> None:
        instance = cls()
        instance.configure(_config(config, cls.config_keys()))
        slot.instance = instance

    _call(run)


def _record_results(results: Any, count: int, what: str) -> Optional[Err]:
    if not isinstance(results, list) or len(results) != count:
        n = len(results) if isinstance(results, list) else _type_name(results)
        return Err(t.PluginError(message=f"{what} returned {n} results for {count} records", retriable=False))
    return None


def transform_apply(slot: Any, records: List[Any]) -> List[Any]:
    if slot.instance is None:
        return [_not_started("transform")] * len(records)
    try:
        results = slot.instance.apply_batch([record_from_wit(r) for r in records])
    except Exception as error:  # noqa: BLE001 - the whole batch failed
        return [_fail(error)] * len(records)
    bad = _record_results(results, len(records), "apply_batch")
    if bad is not None:
        return [bad] * len(records)
    out: List[Any] = []
    for result in results:
        if result is None:
            out.append(Ok(None))
        elif isinstance(result, Record):
            try:
                out.append(Ok(record_to_wit(result)))
            except Exception as error:  # noqa: BLE001 - this record only
                out.append(_fail(error))
        elif isinstance(result, BaseException):
            out.append(_fail(result))
        else:
            out.append(_fail(PluginError(f"apply returned a {_type_name(result)}, not a Record or None")))
    return out


def predicate_test(slot: Any, records: List[Any]) -> List[Any]:
    if slot.instance is None:
        return [_not_started("predicate")] * len(records)
    try:
        results = slot.instance.test_batch([record_from_wit(r) for r in records])
    except Exception as error:  # noqa: BLE001 - the whole batch failed
        return [_fail(error)] * len(records)
    bad = _record_results(results, len(records), "test_batch")
    if bad is not None:
        return [bad] * len(records)
    out: List[Any] = []
    for result in results:
        if isinstance(result, bool):
            out.append(Ok(result))
        elif isinstance(result, BaseException):
            out.append(_fail(result))
        else:
            out.append(_fail(PluginError(f"test returned a {_type_name(result)}, not a bool")))
    return out


def connector_validate(cls: Type[Any], slot: Any, config: List[Any]) -> List[Any]:
    try:
        instance = slot.instance if slot.instance is not None else cls()
        problems = instance.validate(_config(config, cls.config_keys())) or []
        if isinstance(problems, Mapping):
            problems = [ConfigError(k, v) for k, v in problems.items()]
        return [t.ConfigError(name=p.name, message=p.message) for p in problems]
    except Exception as error:  # noqa: BLE001 - reported as a problem with the connector
        return [t.ConfigError(name="connector.class", message=error_to_wit(error).message)]


def connector_start(cls: Type[Any], slot: Any, config: List[Any]) -> None:
    def run() -> None:
        instance = cls()
        instance.start(_config(config, cls.config_keys()))
        slot.instance = instance

    _call(run)


def connector_task_configs(slot: Any, max_tasks: int) -> List[Any]:
    instance = _instance(slot, "connector")

    def run() -> List[Any]:
        configs = instance.task_configs(max_tasks)
        out = []
        for c in configs:
            if not isinstance(c, Mapping):
                raise PluginError(f"task_configs returned a {_type_name(c)}, not a dict or Config")
            out.append([(str(k), v if isinstance(v, str) else format_default(v)) for k, v in c.items()])
        return out

    return _call(run)


def stop(slot: Any) -> None:
    instance, slot.instance = slot.instance, None
    if instance is not None:
        try:
            instance.stop()
        except Exception as error:  # noqa: BLE001 - stop cannot fail: log it
            log.error(f"stop failed: {from_exception(error).message}")


def task_start(task_cls: Type[Any], connector_cls: Type[Any], slot: Any, config: List[Any]) -> None:
    def run() -> None:
        instance = task_cls()
        instance.start(_config(config, connector_cls.config_keys()))
        slot.instance = instance

    _call(run)


def source_poll(slot: Any) -> List[Any]:
    instance = _instance(slot, "source task")

    def run() -> List[Any]:
        records = instance.poll()
        return [source_record_to_wit(r) for r in records or ()]

    return _call(run)


def source_commit(slot: Any) -> None:
    instance = _instance(slot, "source task")
    _call(instance.commit)


def sink_put(slot: Any, records: List[Any]) -> None:
    instance = _instance(slot, "sink task")
    _call(lambda: instance.put([sink_record_from_wit(r) for r in records]))


def sink_flush(slot: Any, offsets: List[Any]) -> None:
    instance = _instance(slot, "sink task")
    _call(
        lambda: instance.flush(
            [TopicPartitionOffset(o.topic, o.kafka_partition, o.offset) for o in offsets]
        )
    )


__all__ = [
    "decode_value",
    "decode_schema",
    "decode_headers",
    "encode",
    "encode_value",
    "schema_to_wit",
    "record_from_wit",
    "record_to_wit",
    "sink_record_from_wit",
    "offset_map_to_wit",
    "offset_map_from_wit",
    "SourceRecord",
]
