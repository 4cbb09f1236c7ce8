"""Records: what transforms and predicates see, what sources produce and what sinks receive."""

from typing import Any, Dict, Iterable, NamedTuple, Optional, Union

from .data import Header, Headers, Schema

__all__ = ["Record", "SourceRecord", "SinkRecord", "TopicPartitionOffset", "OffsetMap"]

#: A source partition or source offset: a flat ``dict`` of ``None``/``bool``/``int``/``float``/``str``.
OffsetMap = Dict[str, Union[None, bool, int, float, str]]

# "Not decoded yet" for fields read lazily from the host's record.
_UNSET: Any = object()

_codec_module: Any = None


def _codec() -> Any:
    global _codec_module
    if _codec_module is None:
        from . import _wit

        _codec_module = _wit
    return _codec_module


class Record:
    """A Kafka Connect record (Kafka's ``ConnectRecord``).

    ``key``/``value`` are plain Python values (see :mod:`wasm_connect.data`); ``key_schema``/
    ``value_schema`` their schemas, ``None`` when schemaless. Records from the host are decoded
    lazily: a transform that only touches the value never pays for the key or the headers, and
    whatever it does not change goes back to the host as it came.

    Setting ``value`` keeps ``value_schema``: the new value must fit it (set ``value_schema`` too
    to change the type, or to ``None`` to send the value schemaless).
    """

    __slots__ = (
        "topic",
        "kafka_partition",
        "timestamp",
        "_key",
        "_key_schema",
        "_value",
        "_value_schema",
        "_headers",
        "_src",
    )

    def __init__(
        self,
        topic: str = "",
        value: Any = None,
        *,
        key: Any = None,
        key_schema: Optional[Schema] = None,
        value_schema: Optional[Schema] = None,
        kafka_partition: Optional[int] = None,
        timestamp: Optional[int] = None,
        headers: Optional[Iterable[Union[Header, tuple]]] = None,
    ) -> None:
        #: Topic name.
        self.topic = topic
        #: Kafka partition (``None`` lets the producer's partitioner choose).
        self.kafka_partition = kafka_partition
        #: Milliseconds since the Unix epoch, or ``None``.
        self.timestamp = timestamp
        self._key = key
        self._key_schema = key_schema
        self._value = value
        self._value_schema = value_schema
        self._headers = headers if isinstance(headers, Headers) else Headers(headers or ())
        self._src: Any = None

    # Lazily decoded fields -------------------------------------------------------------------

    @property
    def key(self) -> Any:
        """The key as a Python value."""
        if self._key is _UNSET:
            self._key = _codec().decode_value(self._src.key)
        return self._key

    @key.setter
    def key(self, key: Any) -> None:
        self._key = key

    @property
    def key_schema(self) -> Optional[Schema]:
        """The key's schema, ``None`` when schemaless."""
        if self._key_schema is _UNSET:
            self._key_schema = _codec().decode_schema(self._src.key.schema)
        return self._key_schema

    @key_schema.setter
    def key_schema(self, schema: Optional[Schema]) -> None:
        if self._key is _UNSET:
            self.key  # decode with the old schema first
        self._key_schema = schema

    @property
    def value(self) -> Any:
        """The value as a Python value."""
        if self._value is _UNSET:
            self._value = _codec().decode_value(self._src.value)
        return self._value

    @value.setter
    def value(self, value: Any) -> None:
        self._value = value

    @property
    def value_schema(self) -> Optional[Schema]:
        """The value's schema, ``None`` when schemaless."""
        if self._value_schema is _UNSET:
            self._value_schema = _codec().decode_schema(self._src.value.schema)
        return self._value_schema

    @value_schema.setter
    def value_schema(self, schema: Optional[Schema]) -> None:
        if self._value is _UNSET:
            self.value  # decode with the old schema first
        self._value_schema = schema

    @property
    def headers(self) -> Headers:
        """The headers (mutable)."""
        if self._headers is _UNSET:
            self._headers = _codec().decode_headers(self._src.headers)
        return self._headers

    @headers.setter
    def headers(self, headers: Iterable[Union[Header, tuple]]) -> None:
        self._headers = headers if isinstance(headers, Headers) else Headers(headers)

    # Helpers ---------------------------------------------------------------------------------

    def replace(self, **changes: Any) -> "Record":
        """A copy with ``changes`` applied (any attribute: ``value=…``, ``topic=…``, …).

        The copy has its own headers; undecoded parts stay shared and undecoded.
        """
        copy = object.__new__(type(self))
        for cls in type(self).__mro__:
            for slot in getattr(cls, "__slots__", ()):
                object.__setattr__(copy, slot, getattr(self, slot))
        if copy._headers is not _UNSET:
            copy._headers = Headers(list(copy._headers))
        for name, value in changes.items():
            if name not in _public(type(self)):
                raise TypeError(f"{type(self).__name__} has no attribute {name!r}")
            setattr(copy, name, value)
        return copy

    def _fields(self) -> Dict[str, Any]:
        return {
            "topic": self.topic,
            "kafka_partition": self.kafka_partition,
            "key": self.key,
            "key_schema": self.key_schema,
            "value": self.value,
            "value_schema": self.value_schema,
            "timestamp": self.timestamp,
            "headers": self.headers,
        }

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self._fields() == other._fields()  # type: ignore[attr-defined]

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={v!r}" for k, v in self._fields().items() if v is not None)
        return f"{type(self).__name__}({fields})"


def _public(cls: type) -> set:
    """The attributes ``replace`` may set."""
    names = {"key", "key_schema", "value", "value_schema", "headers"}
    for c in cls.__mro__:
        names.update(s for s in getattr(c, "__slots__", ()) if not s.startswith("_"))
    return names


class SourceRecord(Record):
    """A record produced by a source task, with where it came from.

    ``source_partition`` names the part of the source (e.g. ``{"file": "/data/in.txt"}``) and
    ``source_offset`` the position in it (e.g. ``{"line": 42}``); after a restart, ask
    :func:`wasm_connect.source_context.offset` for the last committed offset of a partition.
    """

    __slots__ = ("source_partition", "source_offset")

    def __init__(
        self,
        topic: str = "",
        value: Any = None,
        *,
        source_partition: Optional[OffsetMap] = None,
        source_offset: Optional[OffsetMap] = None,
        **fields: Any,
    ) -> None:
        super().__init__(topic, value, **fields)
        self.source_partition: OffsetMap = dict(source_partition or {})
        self.source_offset: OffsetMap = dict(source_offset or {})

    def _fields(self) -> Dict[str, Any]:
        fields = super()._fields()
        fields["source_partition"] = self.source_partition
        fields["source_offset"] = self.source_offset
        return fields


class SinkRecord(Record):
    """A record delivered to a sink task, with its offset in its Kafka partition."""

    __slots__ = ("kafka_offset",)

    def __init__(self, topic: str = "", value: Any = None, *, kafka_offset: int = 0, **fields: Any) -> None:
        super().__init__(topic, value, **fields)
        self.kafka_offset = kafka_offset

    def _fields(self) -> Dict[str, Any]:
        fields = super()._fields()
        fields["kafka_offset"] = self.kafka_offset
        return fields


class TopicPartitionOffset(NamedTuple):
    """A partition's position: the next offset the sink expects, as Kafka commits it."""

    topic: str
    partition: int
    offset: int
