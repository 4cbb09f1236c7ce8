"""Base classes for plugins: subclass one, then export it with :mod:`wasm_connect.exports`.

Metadata are class attributes::

    class Upper(wasm_connect.Transform):
        \"\"\"Upper-cases string values.\"\"\"      # the description, unless `description` is set
        name = "Upper"                            # default: the class name
        version = "1.0.0"
        aliases = ("com.example.Upper",)
        config_def = ConfigDef().string("suffix", default="")

The host runs one connector, task, transform or predicate per component instance: the SDK creates
the instance (the constructor takes no arguments) when the host starts or configures it and keeps
it until ``stop``.
"""

from typing import Any, Iterable, List, Mapping, Optional, Sequence, Union

from .config import Config, ConfigDef, ConfigError, ConfigKey
from .records import Record, SinkRecord, SourceRecord, TopicPartitionOffset

__all__ = [
    "PluginInfo",
    "Plugin",
    "Transform",
    "Predicate",
    "SourceConnector",
    "SinkConnector",
    "SourceTask",
    "SinkTask",
]


class PluginInfo:
    """What a plugin says about itself (WIT ``plugin-info``)."""

    def __init__(
        self, name: str, version: str = "0.0.0", aliases: Sequence[str] = (), description: str = ""
    ) -> None:
        self.name = name
        self.version = version
        self.aliases = list(aliases)
        self.description = description

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PluginInfo) and vars(self) == vars(other)

    def __repr__(self) -> str:
        return f"PluginInfo({self.name!r}, {self.version!r}, {self.aliases!r}, {self.description!r})"


class Plugin:
    """What every plugin has: a name, a version, aliases, a description and configuration keys."""

    #: The name in ``connector.class`` / ``transforms.<alias>.type``; default: the class name.
    name: Optional[str] = None
    #: The plugin's version.
    version: str = "0.0.0"
    #: Other names selecting this plugin (e.g. a Java class name; ``X$Key``/``X$Value`` forms).
    aliases: Sequence[str] = ()
    #: One line; default: the first line of the class docstring.
    description: Optional[str] = None
    #: The configuration keys the host checks before start (a :class:`ConfigDef` or keys).
    config_def: Union[ConfigDef, Sequence[ConfigKey]] = ()

    @classmethod
    def plugin_info(cls) -> PluginInfo:
        """The plugin's :class:`PluginInfo`, from the class attributes."""
        description = cls.description
        if description is None:
            doc = (cls.__doc__ or "").strip()
            description = doc.splitlines()[0].strip() if doc else ""
        return PluginInfo(cls.name or cls.__name__, cls.version, tuple(cls.aliases), description)

    @classmethod
    def config_keys(cls) -> List[ConfigKey]:
        """The configuration keys, in order."""
        return list(cls.config_def)


class Transform(Plugin):
    """A single message transform (Kafka's ``Transformation``)."""

    def configure(self, config: Config) -> None:
        """Read the configuration once before the first record."""

    def apply(self, record: Record) -> Optional[Record]:
        """Transform one record: return it (changed or not), a new record, or ``None`` to drop it.

        Raise :class:`~wasm_connect.PluginError` to fail this record.
        """
        raise NotImplementedError(f"{type(self).__name__}.apply")

    def apply_batch(self, records: List[Record]) -> List[Union[Optional[Record], BaseException]]:
        """One result per record, in order: a record, ``None`` or the exception it raised.

        Calls :meth:`apply` for each; override to work on the whole batch at once.
        """
        results: List[Union[Optional[Record], BaseException]] = []
        for record in records:
            try:
                results.append(self.apply(record))
            except Exception as error:  # noqa: BLE001 - reported for this record only
                results.append(error)
        return results


class Predicate(Plugin):
    """A predicate deciding whether a transform applies (Kafka's ``Predicate``)."""

    def configure(self, config: Config) -> None:
        """Read the configuration once before the first record."""

    def test(self, record: Record) -> bool:
        """Whether ``record`` matches."""
        raise NotImplementedError(f"{type(self).__name__}.test")

    def test_batch(self, records: List[Record]) -> List[Union[bool, BaseException]]:
        """One answer per record, in order (a ``bool`` or the exception raised)."""
        results: List[Union[bool, BaseException]] = []
        for record in records:
            try:
                results.append(self.test(record))
            except Exception as error:  # noqa: BLE001 - reported for this record only
                results.append(error)
        return results


class _Connector(Plugin):
    def __init__(self) -> None:
        #: The configuration passed to :meth:`start` (defaults filled in).
        self.config = Config()

    def validate(self, config: Config) -> Union[Iterable[ConfigError], Mapping[str, str]]:
        """Checks beyond the config definition (rules across keys): problems as
        :class:`ConfigError` items or a ``{key: message}`` dict; empty means valid."""
        return []

    def start(self, config: Config) -> None:
        """Start the connector; the default keeps ``config`` in ``self.config``."""
        self.config = config

    def task_configs(self, max_tasks: int) -> List[Mapping[str, Any]]:
        """Configurations for at most ``max_tasks`` tasks."""
        raise NotImplementedError

    def stop(self) -> None:
        """Stop the connector."""


class SourceConnector(_Connector):
    """The connector half of a source plugin: splits the work into task configurations."""

    def task_configs(self, max_tasks: int) -> List[Mapping[str, Any]]:
        """Default: one task with the connector's configuration."""
        return [self.config]


class SinkConnector(_Connector):
    """The connector half of a sink plugin: splits the work into task configurations."""

    def task_configs(self, max_tasks: int) -> List[Mapping[str, Any]]:
        """Default: ``max_tasks`` tasks with the connector's configuration (Kafka spreads the
        topic partitions over them)."""
        return [self.config] * max(1, max_tasks)


class SourceTask:
    """A source task: reads from an external system and returns records in batches."""

    def start(self, config: Config) -> None:
        """Start with one of the connector's task configurations (defaults filled in)."""

    def poll(self) -> List[SourceRecord]:
        """The next batch; an empty list tells the host to back off briefly."""
        raise NotImplementedError(f"{type(self).__name__}.poll")

    def commit(self) -> None:
        """The host committed the offsets of every record returned so far."""

    def stop(self) -> None:
        """Stop the task."""


class SinkTask:
    """A sink task: receives batches of records read from Kafka."""

    def start(self, config: Config) -> None:
        """Start with one of the connector's task configurations (defaults filled in)."""

    def put(self, records: List[SinkRecord]) -> None:
        """Deliver a batch. Raise :class:`~wasm_connect.RetriableError` to have it retried."""
        raise NotImplementedError(f"{type(self).__name__}.put")

    def flush(self, offsets: List[TopicPartitionOffset]) -> None:
        """Make everything put so far durable; the host commits ``offsets`` only after this."""

    def stop(self) -> None:
        """Stop the task."""
