"""What a source task may ask the host while it runs (Kafka's ``OffsetStorageReader``)."""

from typing import Any, Mapping, Optional

from .errors import PluginError
from .records import OffsetMap

__all__ = ["offset"]


def offset(partition: Mapping[str, Any]) -> Optional[OffsetMap]:
    """The last committed source offset of ``partition``, or ``None`` if nothing was committed.

    Only source plugins may call it. Outside a component (unit tests with plain ``python3``) it
    returns ``None``.
    """
    try:
        import wit_world  # type: ignore[import-not-found]  # noqa: F401
    except ImportError:
        return None
    try:
        from wit_world.imports import source_context  # type: ignore[import-not-found]
    except ImportError:
        raise PluginError("only source plugins can read source offsets") from None
    from . import _wit

    try:
        found = source_context.offset(_wit.offset_map_to_wit(partition, "source partition"))
    except NotImplementedError:
        return None  # generated bindings imported by plain CPython: no host behind them
    return None if found is None else _wit.offset_map_from_wit(found)
