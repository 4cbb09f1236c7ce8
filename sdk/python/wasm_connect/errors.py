"""Errors a plugin raises; the SDK turns them into the WIT `plugin-error` the host sees."""

from typing import Optional


class PluginError(Exception):
    """An error returned to the host (WIT `plugin-error`).

    Raise it from any plugin method. ``retriable=True`` tells the host that retrying the same call
    may succeed (Kafka's ``RetriableException``); use :class:`RetriableError` for that.
    Any other exception escaping a plugin method is reported as a non-retriable ``PluginError``
    whose message names the exception type.
    """

    def __init__(self, message: str, retriable: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.retriable = retriable

    def context(self, context: str) -> "PluginError":
        """Prefix the message with ``context`` (``"{context}: {message}"``); returns ``self``."""
        self.message = f"{context}: {self.message}"
        self.args = (self.message,)
        return self

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, retriable={self.retriable})"


class RetriableError(PluginError):
    """A :class:`PluginError` the host may retry (Kafka's ``RetriableException``)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, retriable=True)


def from_exception(error: BaseException) -> PluginError:
    """``error`` as a :class:`PluginError` (unchanged if it already is one).

    Transient OS errors (timeouts, interrupted or would-block calls) are retriable.
    """
    if isinstance(error, PluginError):
        return error
    retriable = isinstance(error, (TimeoutError, InterruptedError, BlockingIOError))
    text = str(error)
    message: Optional[str] = f"{type(error).__name__}: {text}" if text else type(error).__name__
    return PluginError(message, retriable=retriable)
