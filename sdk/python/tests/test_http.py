"""wasm_connect.http against fake wasi:http bindings that model resources (children must be
dropped before their parents, as the component model requires), pollables, a clock and a server
with back-pressure, delays and partial reads (plain CPython)."""

import unittest
from types import SimpleNamespace
from typing import Any, List, Optional

from wasm_connect import PluginError, http


class Err(Exception):
    def __init__(self, value: Any) -> None:
        super().__init__(value)
        self.value = value


class Ok:
    def __init__(self, value: Any) -> None:
        self.value = value


def variant(name: str, **fields: Any) -> Any:
    return type(name, (), {"__init__": lambda self, value=None: setattr(self, "value", value)})


ErrorCode_HttpRequestDenied = variant("ErrorCode_HttpRequestDenied")
ErrorCode_ConnectionRefused = variant("ErrorCode_ConnectionRefused")
ErrorCode_HttpResponseTimeout = variant("ErrorCode_HttpResponseTimeout")
HeaderError_InvalidSyntax = variant("HeaderError_InvalidSyntax")
StreamError_Closed = type("StreamError_Closed", (), {})
StreamError_LastOperationFailed = variant("StreamError_LastOperationFailed")


class World:
    """The fake host: clock, server behaviour, live resources."""

    def __init__(self) -> None:
        self.now = 0
        self.live: List["Resource"] = []
        self.deny = False
        self.fail: Optional[Any] = None  # an error code for the response future
        self.response_after_ns = 5_000_000
        self.status = 200
        self.headers = [("content-type", b"application/json"), ("x-n", b"1")]
        self.chunks = [b'{"ok": ', b"", b"true}"]
        self.write_budget = [0, 3, 100]  # check_write answers, then 100 forever
        self.received = b""
        self.request: Any = None
        self.options: Any = None
        self.body_finished = False
        self.body_error: Optional[Any] = None

    def tick(self) -> None:
        self.now += 1_000_000


class Resource:
    world: World

    def __init__(self, parent: Optional["Resource"] = None) -> None:
        self.parent = parent
        self.children: List["Resource"] = []
        self.dropped = False
        if parent is not None:
            parent.children.append(self)
        self.world.live.append(self)

    def __enter__(self) -> Any:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.drop()

    def drop(self) -> None:
        assert not self.dropped, f"{type(self).__name__} dropped twice"
        alive = [c for c in self.children if not c.dropped]
        assert not alive, f"{type(self).__name__} dropped before its children {alive}"
        self.dropped = True
        self.world.live.remove(self)


def make_bindings(world: World) -> SimpleNamespace:
    class R(Resource):
        pass

    R.world = world

    class Pollable(R):
        def __init__(self, ready: Any, parent: Optional[Resource] = None) -> None:
            super().__init__(parent)
            self.is_ready = ready

    def poll(pollables: List[Pollable]) -> List[int]:
        for _ in range(1_000_000):
            ready = [i for i, p in enumerate(pollables) if p.is_ready()]
            if ready:
                return ready
            world.tick()
        raise AssertionError("nothing ever became ready")

    def subscribe_instant(when: int) -> Pollable:
        return Pollable(lambda: world.now >= when)

    class Fields(R):
        def __init__(self, entries: Any = (), parent: Optional[Resource] = None) -> None:
            super().__init__(parent)
            self.items = list(entries)

        @classmethod
        def from_list(cls, entries: Any) -> "Fields":
            for name, _ in entries:
                if " " in name:
                    raise Err(HeaderError_InvalidSyntax())
            return cls(entries)

        def entries(self) -> Any:
            return list(self.items)

    class OutputStream(R):
        def check_write(self) -> int:
            if world.body_error is not None:
                raise Err(world.body_error)
            return world.write_budget.pop(0) if len(world.write_budget) > 1 else world.write_budget[0]

        def write(self, data: bytes) -> None:
            world.received += data

        def flush(self) -> None:
            pass

        def subscribe(self) -> Pollable:
            return Pollable(lambda: True, self)

    class OutgoingBody(R):
        def write(self) -> OutputStream:
            return OutputStream(self)

        @classmethod
        def finish(cls, body: "OutgoingBody", trailers: Any) -> None:
            body.drop()
            world.body_finished = True

    class OutgoingRequest(R):
        def __init__(self, headers: Fields) -> None:
            super().__init__()
            headers.drop()  # ownership moves into the request
            self.headers = headers.items
            self.method = self.scheme = self.authority = self.path = None

        def set_method(self, m: Any) -> None:
            self.method = m

        def set_scheme(self, s: Any) -> None:
            self.scheme = s

        def set_authority(self, a: str) -> None:
            self.authority = a

        def set_path_with_query(self, p: str) -> None:
            self.path = p

        def body(self) -> OutgoingBody:
            return OutgoingBody()

    class RequestOptions(R):
        def __init__(self) -> None:
            super().__init__()
            self.timeouts: List[int] = []

        def set_connect_timeout(self, ns: int) -> None:
            self.timeouts.append(ns)

        def set_first_byte_timeout(self, ns: int) -> None:
            self.timeouts.append(ns)

        def set_between_bytes_timeout(self, ns: int) -> None:
            raise Err(None)  # unsupported by this host

    class InputStream(R):
        def __init__(self, parent: Resource) -> None:
            super().__init__(parent)
            self.chunks = list(world.chunks)

        def read(self, n: int) -> bytes:
            if not self.chunks:
                raise Err(StreamError_Closed())
            return self.chunks.pop(0)[:n]

        def subscribe(self) -> Pollable:
            return Pollable(lambda: True, self)

    class FutureTrailers(R):
        pass

    class IncomingBody(R):
        def stream(self) -> InputStream:
            return InputStream(self)

        @classmethod
        def finish(cls, body: "IncomingBody") -> FutureTrailers:
            body.drop()
            return FutureTrailers()

    class IncomingResponse(R):
        consumed = False

        def status(self) -> int:
            return world.status

        def headers(self) -> Fields:
            return Fields(world.headers, self)

        def consume(self) -> IncomingBody:
            if self.consumed:
                raise Err(None)
            self.consumed = True
            return IncomingBody(self)

    class FutureIncomingResponse(R):
        def __init__(self) -> None:
            super().__init__()
            self.taken = False
            self.ready_at = world.now + world.response_after_ns

        def ready(self) -> bool:
            return world.now >= self.ready_at

        def subscribe(self) -> Pollable:
            return Pollable(self.ready, self)

        def get(self) -> Any:
            if not self.ready():
                return None
            if self.taken:
                return Err(None)
            self.taken = True
            if world.fail is not None:
                return Ok(Err(world.fail))
            return Ok(Ok(IncomingResponse()))

    def handle(request: OutgoingRequest, options: Optional[RequestOptions]) -> FutureIncomingResponse:
        request.drop()
        if options is not None:
            options.drop()
        world.request, world.options = request, options
        if world.deny:
            raise Err(ErrorCode_HttpRequestDenied())
        return FutureIncomingResponse()

    methods = {
        f"Method_{m}": type(f"Method_{m}", (), {})
        for m in ["Get", "Head", "Post", "Put", "Delete", "Connect", "Options", "Trace", "Patch"]
    }
    types = SimpleNamespace(
        Fields=Fields,
        OutgoingRequest=OutgoingRequest,
        OutgoingBody=OutgoingBody,
        RequestOptions=RequestOptions,
        IncomingBody=IncomingBody,
        Scheme_Http=type("Scheme_Http", (), {}),
        Scheme_Https=type("Scheme_Https", (), {}),
        Method_Other=variant("Method_Other"),
        http_error_code=lambda error: None,
        **methods,
    )
    return SimpleNamespace(
        types=types,
        outgoing_handler=SimpleNamespace(handle=handle),
        poll=SimpleNamespace(poll=poll),
        streams=SimpleNamespace(StreamError_Closed=StreamError_Closed),
        clock=SimpleNamespace(now=lambda: world.now, subscribe_instant=subscribe_instant),
        Ok=Ok,
        Err=Err,
    )


class HttpTest(unittest.TestCase):
    def setUp(self) -> None:
        self.world = World()
        http._bindings_cache = make_bindings(self.world)

    def tearDown(self) -> None:
        http._bindings_cache = None
        self.assertEqual(self.world.live, [], "resources left alive")

    def test_post_with_back_pressure_and_a_chunked_response(self) -> None:
        w = self.world
        response = http.request(
            "post", "https://api.example.com:8443/v1/events?x=1", {"Content-Type": "text/plain"}, "héllo"
        )
        self.assertEqual(response.status, 200)
        self.assertTrue(response.ok)
        self.assertEqual(response.json(), {"ok": True})
        self.assertEqual(response.header("Content-Type"), "application/json")
        self.assertEqual(response.header("missing", "d"), "d")
        self.assertEqual(w.received, "héllo".encode())
        self.assertTrue(w.body_finished)
        req = w.request
        self.assertEqual(type(req.method).__name__, "Method_Post")
        self.assertEqual(type(req.scheme).__name__, "Scheme_Https")
        self.assertEqual((req.authority, req.path), ("api.example.com:8443", "/v1/events?x=1"))
        self.assertEqual(req.headers, [("Content-Type", b"text/plain"), ("Content-Length", b"6")])
        self.assertEqual(w.options.timeouts, [30_000_000_000, 30_000_000_000])

    def test_get_without_body(self) -> None:
        response = http.get("http://localhost/")
        self.assertEqual(response.text(), '{"ok": true}')
        self.assertEqual(self.world.request.headers, [])
        self.assertEqual(type(self.world.request.scheme).__name__, "Scheme_Http")
        self.assertEqual(self.world.received, b"")
        self.assertEqual(type(http._method(make_bindings(World()).types, "PURGE")).__name__, "Method_Other")

    def test_a_denied_host_is_a_clear_permanent_error(self) -> None:
        self.world.deny = True
        with self.assertRaises(http.HttpRequestDenied) as e:
            http.request("PUT", "https://blocked.example.com/x", body=b"data")
        self.assertFalse(e.exception.retriable)
        self.assertIn("blocked.example.com", e.exception.message)
        self.assertIn("wasm.net.hosts", e.exception.message)
        self.assertIsInstance(e.exception, PluginError)

    def test_timeout(self) -> None:
        self.world.response_after_ns = 10_000_000_000
        with self.assertRaises(http.HttpTimeout) as e:
            http.get("https://slow.example.com/", timeout_ms=50)
        self.assertTrue(e.exception.retriable)
        self.assertIn("50 ms", e.exception.message)
        self.assertEqual(self.world.now, 50_000_000)

    def test_transport_errors(self) -> None:
        self.world.fail = ErrorCode_ConnectionRefused()
        with self.assertRaises(http.HttpError) as e:
            http.get("https://down.example.com/")
        self.assertEqual(e.exception.code, "ConnectionRefused")
        self.assertTrue(e.exception.retriable)
        self.world.fail = ErrorCode_HttpResponseTimeout()
        with self.assertRaises(http.HttpTimeout):
            http.get("https://down.example.com/")

    def test_a_closed_request_body_reports_the_response_error(self) -> None:
        self.world.body_error = StreamError_Closed()
        self.world.fail = ErrorCode_ConnectionRefused()
        with self.assertRaises(http.HttpError) as e:
            http.post("https://down.example.com/", b"x")
        self.assertEqual(e.exception.code, "ConnectionRefused")

    def test_status_errors(self) -> None:
        self.world.status = 503
        self.world.chunks = [b"busy"]
        response = http.get("https://api.example.com/")
        self.assertFalse(response.ok)
        with self.assertRaises(http.HttpStatusError) as e:
            response.raise_for_status()
        self.assertTrue(e.exception.retriable)
        self.assertEqual(e.exception.message, "HTTP 503 from https://api.example.com/: busy")
        self.world.status = 404
        with self.assertRaises(http.HttpStatusError) as e:
            http.get("https://api.example.com/").raise_for_status()
        self.assertFalse(e.exception.retriable)

    def test_limits_and_bad_requests(self) -> None:
        with self.assertRaises(http.HttpError) as e:
            http.request("GET", "https://api.example.com/", max_response_bytes=3)
        self.assertIn("larger than 3 bytes", e.exception.message)
        for url in ["ftp://x/", "https:///path", "https://user:pw@x/"]:
            with self.assertRaises(PluginError, msg=url):
                http.get(url)
        with self.assertRaises(PluginError) as e:
            http.get("https://x/", headers={"bad name": "v"})
        self.assertIn("invalid request headers", e.exception.message)

    def test_without_wasi_http_the_error_says_which_world(self) -> None:
        http._bindings_cache = None
        with self.assertRaises(PluginError) as e:
            http.get("https://x/")
        self.assertIn("http-sink-plugin", e.exception.message)


if __name__ == "__main__":
    unittest.main()
