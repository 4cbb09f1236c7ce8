"""Write Wasm Connect connectors, transforms and predicates in Python.

A plugin is an ``app.py`` built into a WebAssembly component with componentize-py
(``wasm-connect plugin build`` runs it). Subclass a base class, then bind the export classes::

    import wasm_connect
    from wasm_connect import Config, ConfigDef, Record

    class Upper(wasm_connect.Transform):
        \"\"\"Upper-cases string values.\"\"\"
        version = "1.0.0"
        config_def = ConfigDef().string("suffix", default="", doc="Appended to each value.")

        def configure(self, config: Config) -> None:
            self.suffix = config.get_string("suffix")

        def apply(self, record: Record) -> Record:
            if isinstance(record.value, str):
                record.value = record.value.upper() + self.suffix
            return record

    Plugin, Transform = wasm_connect.export_transform(Upper)

==================  =====================================  ===================================
plugin kind         subclass                               export with
==================  =====================================  ===================================
transform           :class:`Transform`                     ``Plugin, Transform = export_transform(T)``
predicate           :class:`Predicate`                     ``Plugin, Predicate = export_predicate(P)``
source connector    :class:`SourceConnector`, :class:`SourceTask`  ``Plugin, Connector, SourceTask = export_source(C, T)``
sink connector      :class:`SinkConnector`, :class:`SinkTask`      ``Plugin, Connector, SinkTask = export_sink(C, T)``
==================  =====================================  ===================================

Everything but the exports works in plain CPython too, so plugins can be unit-tested with
``python3 -m unittest``.
"""

from . import http, log, source_context
from .config import (
    REQUIRED,
    Config,
    ConfigDef,
    ConfigError,
    ConfigKey,
    ConfigType,
    Importance,
    NonEmptyString,
    OneOf,
    PathAccess,
    Range,
    ValidRegex,
)
from .data import (
    DATE,
    DECIMAL,
    TIME,
    TIMESTAMP,
    Field,
    Header,
    Headers,
    Schema,
    SchemaBuilder,
    SchemaType,
    Struct,
)
from .errors import PluginError, RetriableError
from .exports import export_predicate, export_sink, export_source, export_transform
from .plugin import (
    Plugin,
    PluginInfo,
    Predicate,
    SinkConnector,
    SinkTask,
    SourceConnector,
    SourceTask,
    Transform,
)
from .records import OffsetMap, Record, SinkRecord, SourceRecord, TopicPartitionOffset

__version__ = "0.1.0"

__all__ = [
    "http",
    "log",
    "source_context",
    "REQUIRED",
    "Config",
    "ConfigDef",
    "ConfigError",
    "ConfigKey",
    "ConfigType",
    "Importance",
    "NonEmptyString",
    "OneOf",
    "PathAccess",
    "Range",
    "ValidRegex",
    "DATE",
    "DECIMAL",
    "TIME",
    "TIMESTAMP",
    "Field",
    "Header",
    "Headers",
    "Schema",
    "SchemaBuilder",
    "SchemaType",
    "Struct",
    "PluginError",
    "RetriableError",
    "export_predicate",
    "export_sink",
    "export_source",
    "export_transform",
    "Plugin",
    "PluginInfo",
    "Predicate",
    "SinkConnector",
    "SinkTask",
    "SourceConnector",
    "SourceTask",
    "Transform",
    "OffsetMap",
    "Record",
    "SinkRecord",
    "SourceRecord",
    "TopicPartitionOffset",
]
