"""Turn plugin classes into the export classes componentize-py looks for in the app module.

componentize-py calls the classes named after the world's exported interfaces (``Plugin``,
``Transform``, ``Connector``, ``SourceTask``, ``SinkTask``, ``Predicate``) in the module it
componentizes. Bind the classes these functions return to those names at the top level of
``app.py``::

    Plugin, Transform = wasm_connect.export_transform(MyUpper)
    Plugin, Predicate = wasm_connect.export_predicate(MyPredicate)
    Plugin, Connector, SourceTask = wasm_connect.export_source(MySource, MySourceTask)
    Plugin, Connector, SinkTask = wasm_connect.export_sink(MySink, MySinkTask)

The returned tuples are named tuples, so ``exports.Transform`` works too.
"""

from typing import Any, NamedTuple, Type

from .plugin import Predicate, SinkConnector, SinkTask, SourceConnector, SourceTask, Transform

__all__ = [
    "export_transform",
    "export_predicate",
    "export_source",
    "export_sink",
    "TransformExports",
    "PredicateExports",
    "SourceExports",
    "SinkExports",
]


class TransformExports(NamedTuple):
    Plugin: type
    Transform: type


class PredicateExports(NamedTuple):
    Plugin: type
    Predicate: type


class SourceExports(NamedTuple):
    Plugin: type
    Connector: type
    SourceTask: type


class SinkExports(NamedTuple):
    Plugin: type
    Connector: type
    SinkTask: type


_glue_module: Any = None


def _glue() -> Any:
    """The WIT glue (imports the generated bindings, so only inside a component or tests)."""
    global _glue_module
    if _glue_module is None:
        from . import _wit

        _glue_module = _wit
    return _glue_module


def _preload() -> None:
    # componentize-py runs the app module at build time and snapshots the heap: importing the glue
    # now keeps its import out of the first call. Natively (unit tests) there are no bindings.
    try:
        _glue()
    except ImportError:
        pass


def _check(cls: Any, base: type, what: str) -> None:
    if not (isinstance(cls, type) and issubclass(cls, base)):
        raise TypeError(f"{what} must be a subclass of wasm_connect.{base.__name__}, got {cls!r}")


def _plugin_export(cls: Type[Any]) -> type:
    class Plugin:
        """WIT `plugin`: the plugin's info and configuration keys."""

        def info(self) -> Any:
            return _glue().plugin_info(cls)

        def config_definition(self) -> Any:
            return _glue().config_definition(cls)

    return Plugin


def _connector_export(cls: Type[Any], slot: Any) -> type:
    class Connector:
        """WIT `connector`."""

        def validate(self, config: Any) -> Any:
            return _glue().connector_validate(cls, slot, config)

        def start(self, config: Any) -> None:
            _glue().connector_start(cls, slot, config)

        def task_configs(self, max_tasks: int) -> Any:
            return _glue().connector_task_configs(slot, max_tasks)

        def stop(self) -> None:
            _glue().stop(slot)

    return Connector


class Slot:
    """Holds the plugin's single instance between calls (one per component instance)."""

    __slots__ = ("instance",)

    def __init__(self) -> None:
        self.instance: Any = None


def export_transform(cls: Type[Transform]) -> TransformExports:
    """Export a :class:`~wasm_connect.Transform` subclass (world ``transform-plugin``)."""
    _check(cls, Transform, "the transform")
    _preload()
    slot = Slot()

    class TransformExport:
        """WIT `transform`."""

        def configure(self, config: Any) -> None:
            _glue().transform_configure(cls, slot, config)

        def apply(self, records: Any) -> Any:
            return _glue().transform_apply(slot, records)

    TransformExport.__name__ = TransformExport.__qualname__ = "Transform"
    return TransformExports(_plugin_export(cls), TransformExport)


def export_predicate(cls: Type[Predicate]) -> PredicateExports:
    """Export a :class:`~wasm_connect.Predicate` subclass (world ``predicate-plugin``)."""
    _check(cls, Predicate, "the predicate")
    _preload()
    slot = Slot()

    class PredicateExport:
        """WIT `predicate`."""

        def configure(self, config: Any) -> None:
            _glue().transform_configure(cls, slot, config)

        def test(self, records: Any) -> Any:
            return _glue().predicate_test(slot, records)

    PredicateExport.__name__ = PredicateExport.__qualname__ = "Predicate"
    return PredicateExports(_plugin_export(cls), PredicateExport)


def export_source(connector: Type[SourceConnector], task: Type[SourceTask]) -> SourceExports:
    """Export a source connector and its task class (world ``source-plugin``)."""
    _check(connector, SourceConnector, "the connector")
    _check(task, SourceTask, "the task")
    _preload()
    connector_slot, task_slot = Slot(), Slot()

    class SourceTaskExport:
        """WIT `source-task`."""

        def start(self, config: Any) -> None:
            _glue().task_start(task, connector, task_slot, config)

        def poll(self) -> Any:
            return _glue().source_poll(task_slot)

        def commit(self) -> None:
            _glue().source_commit(task_slot)

        def stop(self) -> None:
            _glue().stop(task_slot)

    SourceTaskExport.__name__ = SourceTaskExport.__qualname__ = "SourceTask"
    return SourceExports(
        _plugin_export(connector), _connector_export(connector, connector_slot), SourceTaskExport
    )


def export_sink(connector: Type[SinkConnector], task: Type[SinkTask]) -> SinkExports:
    """Export a sink connector and its task class (world ``sink-plugin``)."""
    _check(connector, SinkConnector, "the connector")
    _check(task, SinkTask, "the task")
    _preload()
    connector_slot, task_slot = Slot(), Slot()

    class SinkTaskExport:
        """WIT `sink-task`."""

        def start(self, config: Any) -> None:
            _glue().task_start(task, connector, task_slot, config)

        def put(self, records: Any) -> None:
            _glue().sink_put(task_slot, records)

        def flush(self, offsets: Any) -> None:
            _glue().sink_flush(task_slot, offsets)

        def stop(self) -> None:
            _glue().stop(task_slot)

    SinkTaskExport.__name__ = SinkTaskExport.__qualname__ = "SinkTask"
    return SinkExports(_plugin_export(connector), _connector_export(connector, connector_slot), SinkTaskExport)
