"""A small synchronous HTTP client over ``wasi:http/outgoing-handler``.

For plugins built against a world that imports ``wasi:http`` (``http-sink-plugin``,
``http-source-plugin``: set ``world`` in ``wasm-connect.toml``). The worker lets a plugin reach
only the hosts its connector is allowed (``wasm.net.hosts``); any other host fails with
:class:`HttpRequestDenied`. Calls block until the response is complete or ``timeout_ms`` has
passed (:class:`HttpTimeout`); no asyncio is involved::

    from wasm_connect import http

    response = http.request("POST", "https://api.example.com/events",
                            headers={"Content-Type": "application/json"},
                            body=json.dumps(event), timeout_ms=5_000)
    response.raise_for_status()         # HttpStatusError for 4xx/5xx (retriable for 5xx, 408, 429)
    print(response.status, response.header("content-type"), response.json())

Errors are :class:`~wasm_connect.PluginError` subclasses, so an uncaught one fails the call with
the right ``retriable`` flag: transport failures (connection refused, DNS, timeouts) are retriable,
a denied host or an invalid request is not.

``import wasm_connect.http`` works in every world (and in plain CPython); the ``wasi:http``
bindings are loaded on the first request.
"""

import json as _json
from types import SimpleNamespace
from typing import Any, Iterable, List, Mapping, Optional, Tuple, Union
from urllib.parse import urlsplit

from .errors import PluginError

__all__ = [
    "request",
    "get",
    "post",
    "put",
    "delete",
    "Response",
    "HttpError",
    "HttpRequestDenied",
    "HttpTimeout",
    "HttpStatusError",
    "DEFAULT_TIMEOUT_MS",
]

#: Timeout of a whole request (connect, send, wait, read) unless given.
DEFAULT_TIMEOUT_MS = 30_000

# Bytes read from or written to a stream at a time.
_CHUNK = 64 * 1024

HeaderInput = Union[Mapping[str, str], Iterable[Tuple[str, str]], None]


class HttpError(PluginError):
    """A request failed before a complete response arrived.

    ``code`` is the ``wasi:http`` error code (e.g. ``"ConnectionRefused"``) when there is one.
    """

    def __init__(self, message: str, code: Optional[str] = None, retriable: bool = True) -> None:
        super().__init__(message, retriable=retriable)
        self.code = code


class HttpRequestDenied(HttpError):
    """The worker refused the request: the host is not among the connector's allowed hosts."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code="HttpRequestDenied", retriable=False)


class HttpTimeout(HttpError):
    """No complete response within the timeout (retriable)."""

    def __init__(self, message: str, code: Optional[str] = None) -> None:
        super().__init__(message, code=code, retriable=True)


class HttpStatusError(HttpError):
    """A response with an error status, from :meth:`Response.raise_for_status`.

    Retriable for 5xx, 408 (request timeout) and 429 (too many requests).
    """

    def __init__(self, response: "Response", url: str) -> None:
        retriable = response.status >= 500 or response.status in (408, 429)
        excerpt = response.body[:200].decode("utf-8", "replace")
        super().__init__(f"HTTP {response.status} from {url}: {excerpt}".rstrip(": "), retriable=retriable)
        self.status = response.status
        self.response = response


class Response:
    """A complete HTTP response: ``status``, ``headers`` (``(name, value)`` pairs in order, names
    lower-case) and ``body`` (bytes)."""

    __slots__ = ("status", "headers", "body", "url")

    def __init__(self, status: int, headers: List[Tuple[str, str]], body: bytes, url: str = "") -> None:
        self.status = status
        self.headers = headers
        self.body = body
        self.url = url

    @property
    def ok(self) -> bool:
        """True for a 2xx status."""
        return 200 <= self.status < 300

    def header(self, name: str, default: Optional[str] = None) -> Optional[str]:
        """The first value of header ``name`` (case-insensitive), or ``default``."""
        name = name.lower()
        for key, value in self.headers:
            if key.lower() == name:
                return value
        return default

    def text(self, encoding: str = "utf-8") -> str:
        """The body decoded (invalid bytes replaced)."""
        return self.body.decode(encoding, "replace")

    def json(self) -> Any:
        """The body parsed as JSON."""
        return _json.loads(self.body)

    def raise_for_status(self) -> "Response":
        """Raise :class:`HttpStatusError` unless the status is 1xx–3xx; returns ``self``."""
        if self.status >= 400:
            raise HttpStatusError(self, self.url)
        return self

    def __repr__(self) -> str:
        return f"Response(status={self.status}, {len(self.body)} bytes)"


# Error codes that retrying the same request will not fix.
_PERMANENT = {
    "HttpRequestDenied",
    "HttpRequestLengthRequired",
    "HttpRequestBodySize",
    "HttpRequestMethodInvalid",
    "HttpRequestUriInvalid",
    "HttpRequestUriTooLong",
    "HttpRequestHeaderSectionSize",
    "HttpRequestHeaderSize",
    "HttpRequestTrailerSectionSize",
    "HttpRequestTrailerSize",
    "TlsCertificateError",
    "ConfigurationError",
    "LoopDetected",
}
_TIMEOUTS = {
    "DnsTimeout",
    "ConnectionTimeout",
    "ConnectionReadTimeout",
    "ConnectionWriteTimeout",
    "HttpResponseTimeout",
}


def _code_name(code: Any) -> str:
    name = type(code).__name__
    return name[len("ErrorCode_"):] if name.startswith("ErrorCode_") else name


def error_for(code: Any, method: str, url: str) -> HttpError:
    """The exception for a ``wasi:http`` ``error-code`` value."""
    name = _code_name(code)
    host = urlsplit(url).netloc
    if name == "HttpRequestDenied":
        return HttpRequestDenied(
            f"{method} {url}: the worker does not allow this plugin to reach {host} "
            "(allow it in the connector's wasm.net.hosts)"
        )
    detail = getattr(code, "value", None)
    detail_text = "" if detail is None or not isinstance(detail, (str, int)) else f" ({detail})"
    if name == "DnsError" and detail is not None:
        rcode = getattr(detail, "rcode", None)
        detail_text = f" ({rcode})" if rcode else ""
    message = f"{method} {url}: {name}{detail_text}"
    if name in _TIMEOUTS:
        return HttpTimeout(message, code=name)
    return HttpError(message, code=name, retriable=name not in _PERMANENT)


def _load_bindings() -> SimpleNamespace:
    """Import the generated ``wasi:http`` bindings; ``ImportError`` when the world has none."""
    from wit_world.imports import (  # type: ignore[import-not-found]
        monotonic_clock,
        outgoing_handler,
        poll,
        streams,
    )

    try:
        from wit_world.imports import wasi_http_types as types  # type: ignore[import-not-found]
    except ImportError:
        from wit_world.imports import types  # type: ignore[import-not-found]
    from componentize_py_types import Err, Ok  # type: ignore[import-not-found]

    return SimpleNamespace(
        types=types,
        outgoing_handler=outgoing_handler,
        poll=poll,
        streams=streams,
        clock=monotonic_clock,
        Ok=Ok,
        Err=Err,
    )


# Imported when this module is: componentize-py bundles the modules the app imports while it is
# built, so bindings imported only at the first request would be missing from the component.
try:
    _bindings_cache: Optional[SimpleNamespace] = _load_bindings()
except ImportError:  # a world without wasi:http, or plain CPython
    _bindings_cache = None


def _bindings() -> SimpleNamespace:
    """The generated ``wasi:http`` bindings (the world must import ``wasi:http/outgoing-handler``)."""
    global _bindings_cache
    if _bindings_cache is not None:
        return _bindings_cache
    try:
        _bindings_cache = _load_bindings()
    except ImportError as e:
        raise PluginError(
            "wasm_connect.http needs a world importing wasi:http/outgoing-handler: set "
            f'world = "http-sink-plugin" (or "http-source-plugin") in wasm-connect.toml ({e})'
        ) from None
    return _bindings_cache


def _method(types: Any, method: str) -> Any:
    known = {
        "GET": types.Method_Get,
        "HEAD": types.Method_Head,
        "POST": types.Method_Post,
        "PUT": types.Method_Put,
        "DELETE": types.Method_Delete,
        "CONNECT": types.Method_Connect,
        "OPTIONS": types.Method_Options,
        "TRACE": types.Method_Trace,
        "PATCH": types.Method_Patch,
    }.get(method)
    return known() if known is not None else types.Method_Other(method)


def _header_list(headers: HeaderInput) -> List[Tuple[str, str]]:
    if headers is None:
        return []
    items = headers.items() if isinstance(headers, Mapping) else headers
    return [(str(k), str(v)) for k, v in items]


class _Exchange:
    """One request: the deadline and the blocking helpers."""

    def __init__(self, b: SimpleNamespace, method: str, url: str, timeout_ms: int) -> None:
        self.b = b
        self.method = method
        self.url = url
        self.timeout_ms = timeout_ms
        self.deadline = b.clock.now() + max(0, timeout_ms) * 1_000_000

    def block(self, pollable: Any, what: str) -> None:
        """Wait until ``pollable`` is ready, or raise :class:`HttpTimeout` at the deadline."""
        with pollable, self.b.clock.subscribe_instant(self.deadline) as timer:
            ready = self.b.poll.poll([pollable, timer])
        if 0 not in ready:
            raise HttpTimeout(f"{self.method} {self.url}: no response within {self.timeout_ms} ms ({what})")

    def stream_error(self, error: Any, what: str) -> HttpError:
        """An ``Err(stream-error)`` as an exception (``None`` for a closed stream)."""
        failed = getattr(error, "value", None)
        if failed is not None:
            code = self.b.types.http_error_code(failed)
            try:
                detail = failed.to_debug_string()
            finally:
                failed.__exit__(None, None, None)
            if code is not None:
                return error_for(code, self.method, self.url)
            return HttpError(f"{self.method} {self.url}: {what} failed: {detail}")
        return HttpError(f"{self.method} {self.url}: the connection closed while {what}")

    def write_body(self, body: Any, data: bytes) -> None:
        """Write ``data`` to the request body and finish it (dropped unfinished on failure)."""
        b = self.b
        finished = False
        try:
            stream = body.write()
            try:
                offset = 0
                while offset < len(data):
                    allowed = stream.check_write()
                    if allowed == 0:
                        self.block(stream.subscribe(), "sending the request body")
                        continue
                    chunk = data[offset : offset + min(allowed, _CHUNK)]
                    stream.write(chunk)
                    offset += len(chunk)
                stream.flush()
                while stream.check_write() == 0:
                    self.block(stream.subscribe(), "sending the request body")
            except b.Err as e:
                if not isinstance(e.value, b.streams.StreamError_Closed):
                    raise self.stream_error(e.value, "sending the request body") from None
                return  # the request failed while sending: the response future says why
            finally:
                stream.__exit__(None, None, None)
            b.types.OutgoingBody.finish(body, None)
            finished = True
        finally:
            if not finished:
                body.__exit__(None, None, None)

    def wait(self, future: Any) -> Any:
        b = self.b
        while True:
            result = future.get()
            if result is None:
                self.block(future.subscribe(), "waiting for the response")
                continue
            if isinstance(result, b.Err):
                raise HttpError(f"{self.method} {self.url}: the response was already taken")
            inner = result.value
            if isinstance(inner, b.Err):
                raise error_for(inner.value, self.method, self.url)
            return inner.value

    def read_body(self, response: Any, max_bytes: Optional[int]) -> bytes:
        b = self.b
        try:
            incoming = response.consume()
        except b.Err:
            raise HttpError(f"{self.method} {self.url}: the response body was already read") from None
        chunks: List[bytes] = []
        size = 0
        finished = False
        try:
            stream = incoming.stream()
            try:
                while True:
                    try:
                        data = stream.read(_CHUNK)
                    except b.Err as e:
                        if isinstance(e.value, b.streams.StreamError_Closed):
                            break
                        raise self.stream_error(e.value, "reading the response body") from None
                    if data:
                        chunks.append(data)
                        size += len(data)
                        if max_bytes is not None and size > max_bytes:
                            raise HttpError(
                                f"{self.method} {self.url}: the response body is larger than {max_bytes} bytes",
                                retriable=False,
                            )
                    else:
                        self.block(stream.subscribe(), "reading the response body")
            finally:
                stream.__exit__(None, None, None)
            trailers = b.types.IncomingBody.finish(incoming)
            finished = True
            trailers.__exit__(None, None, None)
        finally:
            if not finished:
                incoming.__exit__(None, None, None)
        return b"".join(chunks)


def request(
    method: str,
    url: str,
    headers: HeaderInput = None,
    body: Union[bytes, bytearray, str, None] = None,
    timeout_ms: int = DEFAULT_TIMEOUT_MS,
    max_response_bytes: Optional[int] = None,
) -> Response:
    """Send a request and return the complete response (any status; see
    :meth:`Response.raise_for_status`).

    ``headers`` is a dict or ``(name, value)`` pairs; a ``str`` body is sent as UTF-8 and
    ``Content-Length`` is set for any body. ``timeout_ms`` bounds the whole exchange.
    Raises :class:`HttpRequestDenied`, :class:`HttpTimeout` or :class:`HttpError`.
    """
    method = method.upper()
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise PluginError(f"{method} {url}: only http and https URLs are supported")
    if not parts.hostname:
        raise PluginError(f"{method} {url}: the URL has no host")
    if parts.username is not None or parts.password is not None:
        raise PluginError(f"{method} {url}: pass credentials in an Authorization header, not the URL")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    data = body.encode("utf-8") if isinstance(body, str) else (bytes(body) if body is not None else None)
    header_list = _header_list(headers)
    if data is not None and not any(k.lower() == "content-length" for k, _ in header_list):
        header_list.append(("Content-Length", str(len(data))))

    b = _bindings()
    t = b.types
    exchange = _Exchange(b, method, url, timeout_ms)
    try:
        fields = t.Fields.from_list([(k, v.encode("utf-8")) for k, v in header_list])
    except b.Err as e:
        raise PluginError(f"{method} {url}: invalid request headers ({type(e.value).__name__})") from None
    outgoing = t.OutgoingRequest(fields)
    try:
        outgoing.set_method(_method(t, method))
        outgoing.set_scheme(t.Scheme_Https() if scheme == "https" else t.Scheme_Http())
        outgoing.set_authority(parts.netloc)
        outgoing.set_path_with_query(path)
    except b.Err:
        outgoing.__exit__(None, None, None)
        raise PluginError(f"{method} {url}: invalid method, authority or path") from None
    out_body = outgoing.body() if data is not None else None
    options = t.RequestOptions()
    nanos = max(1, timeout_ms) * 1_000_000
    for setter in (options.set_connect_timeout, options.set_first_byte_timeout, options.set_between_bytes_timeout):
        try:
            setter(nanos)
        except b.Err:
            pass  # the host does not support this option: the overall deadline still applies
    try:
        future = b.outgoing_handler.handle(outgoing, options)
    except b.Err as e:
        if out_body is not None:
            out_body.__exit__(None, None, None)
        raise error_for(e.value, method, url) from None
    with future:
        if out_body is not None:
            exchange.write_body(out_body, data or b"")
        response = exchange.wait(future)
    with response:
        status = response.status()
        with response.headers() as fields:
            response_headers = [(k, v.decode("latin-1")) for k, v in fields.entries()]
        content = b"" if method == "HEAD" else exchange.read_body(response, max_response_bytes)
    return Response(status, response_headers, content, url)


def get(url: str, headers: HeaderInput = None, timeout_ms: int = DEFAULT_TIMEOUT_MS) -> Response:
    """``request("GET", url, …)``."""
    return request("GET", url, headers, None, timeout_ms)


def post(
    url: str, body: Union[bytes, str, None], headers: HeaderInput = None, timeout_ms: int = DEFAULT_TIMEOUT_MS
) -> Response:
    """``request("POST", url, …)``."""
    return request("POST", url, headers, body, timeout_ms)


def put(
    url: str, body: Union[bytes, str, None], headers: HeaderInput = None, timeout_ms: int = DEFAULT_TIMEOUT_MS
) -> Response:
    """``request("PUT", url, …)``."""
    return request("PUT", url, headers, body, timeout_ms)


def delete(url: str, headers: HeaderInput = None, timeout_ms: int = DEFAULT_TIMEOUT_MS) -> Response:
    """``request("DELETE", url, …)``."""
    return request("DELETE", url, headers, None, timeout_ms)
