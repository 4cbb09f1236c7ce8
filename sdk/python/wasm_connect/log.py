"""Logging to the worker's log through the host's ``log`` import.

The host adds the connector and task as fields. Outside a component (unit tests with plain
``python3``) messages go to standard error instead.

Use the functions (``log.info("started")``) or the standard :mod:`logging` module with
:class:`HostLogHandler`::

    import logging
    logging.getLogger().addHandler(wasm_connect.log.HostLogHandler())
"""

import logging
import sys
from typing import Any, Callable, Optional

__all__ = ["trace", "debug", "info", "warn", "warning", "error", "log", "HostLogHandler"]

TRACE = "trace"
DEBUG = "debug"
INFO = "info"
WARN = "warn"
ERROR = "error"
_LEVELS = (TRACE, DEBUG, INFO, WARN, ERROR)

_sink: Optional[Callable[[str, str], None]] = None


def _stderr(level: str, message: str) -> None:
    print(f"[{level.upper()}] {message}", file=sys.stderr)


def _resolve() -> Callable[[str, str], None]:
    """The host's ``log`` when running as a component, else standard error."""
    try:
        from wit_world.imports import host  # type: ignore[import-not-found]
    except ImportError:
        return _stderr
    levels = {
        TRACE: host.LogLevel.TRACE,
        DEBUG: host.LogLevel.DEBUG,
        INFO: host.LogLevel.INFO,
        WARN: host.LogLevel.WARN,
        ERROR: host.LogLevel.ERROR,
    }
    host_log = host.log

    def to_host(level: str, message: str) -> None:
        try:
            host_log(levels[level], message)
        except NotImplementedError:
            # Generated bindings imported by plain CPython (no host behind them).
            _stderr(level, message)

    return to_host


def log(level: str, message: Any) -> None:
    """Write ``message`` at ``level`` (``"trace"``, ``"debug"``, ``"info"``, ``"warn"``, ``"error"``)."""
    global _sink
    if level not in _LEVELS:
        raise ValueError(f"unknown log level {level!r}: use one of {', '.join(_LEVELS)}")
    if _sink is None:
        _sink = _resolve()
    _sink(level, str(message))


def trace(message: Any) -> None:
    log(TRACE, message)


def debug(message: Any) -> None:
    log(DEBUG, message)


def info(message: Any) -> None:
    log(INFO, message)


def warn(message: Any) -> None:
    log(WARN, message)


warning = warn


def error(message: Any) -> None:
    log(ERROR, message)


class HostLogHandler(logging.Handler):
    """A :mod:`logging` handler writing to the worker's log (levels mapped to the nearest)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = self.format(record)
            if record.levelno >= logging.ERROR:
                level = ERROR
            elif record.levelno >= logging.WARNING:
                level = WARN
            elif record.levelno >= logging.INFO:
                level = INFO
            elif record.levelno >= logging.DEBUG:
                level = DEBUG
            else:
                level = TRACE
            log(level, message)
        except Exception:  # noqa: BLE001 - logging must never raise
            self.handleError(record)
