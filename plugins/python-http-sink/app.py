"""`HttpSink`: a Wasm Connect sink connector written in Python (componentize-py, world
`http-sink-plugin`) that sends records as JSON to an HTTP endpoint through `wasi:http`.

Records are sent in batches of at most `batch.max.size` as one JSON array per request. A 5xx
answer, a 408 or 429, a timeout or a refused connection is retried in the same call with
exponential backoff (`retry.backoff.ms` doubling, at most `max.retries` times); when those
retries run out the batch fails with a *retriable* error and the worker retries the delivery
(`errors.retry.timeout`, forever by default, as Kafka Connect does for a `RetriableException`).
Records a retried delivery had already sent are not sent again: the task remembers the last
offset delivered per partition. Any other 4xx answer fails the task, unless
`errors.tolerance=all`, which logs the batch's offsets and the answer and goes on. The
endpoint's host must be granted with `wasm.net.hosts`; other hosts are refused by the worker.
Requests go through the Python SDK's `wasm_connect.http` client.

Built by host/build.rs with:
    componentize-py -d <repo>/wit -w http-sink-plugin componentize app -p plugins/python-http-sink -p sdk/python -o http_sink.wasm
"""

import base64
import json
import time
from typing import Dict, List, Optional, Tuple
from urllib.parse import urlsplit

from componentize_py_types import Err
from wasm_connect import PluginError
from wasm_connect import http as wc_http
from wit_world import exports
from wit_world.imports import host
from wit_world.imports import wasm_connect_plugin_types as types

_FORMATS = ("value", "record")
_METHODS = ("POST", "PUT")


def _error(message: str, retriable: bool = False) -> Err:
    return Err(types.PluginError(message=message, retriable=retriable))


def _key(name, ctype, doc, default=None, validators=None, importance=types.Importance.MEDIUM):
    return types.ConfigKey(
        name=name,
        type=ctype,
        default_value=default,
        importance=importance,
        documentation=doc,
        group=None,
        order_in_group=None,
        display_name=None,
        validators=validators or [],
        path_access=types.PathAccess.NONE,
    )


class Plugin(exports.Plugin):
    def info(self) -> types.PluginInfo:
        return types.PluginInfo(
            name="HttpSink",
            version="0.1.0",
            aliases=["io.confluent.connect.http.HttpSinkConnector"],
            description="Sends records as JSON arrays to an HTTP endpoint, retrying 5xx answers "
            "and timeouts (a Python plugin).",
        )

    def config_definition(self) -> List[types.ConfigKey]:
        T = types.ConfigType
        at_least = lambda n: [types.Validator_Range(types.NumberRange(min=float(n), max=None))]
        return [
            _key("http.api.url", T.STRING, "The endpoint, http://host[:port]/path or https://…; "
                 "its host must be granted with wasm.net.hosts.",
                 validators=[types.Validator_NonEmptyString()], importance=types.Importance.HIGH),
            _key("request.method", T.STRING, "POST or PUT.", "POST",
                 [types.Validator_OneOf(list(_METHODS))]),
            _key("headers", T.STRING, "Extra request headers, `Name:value` pairs separated by `|`.", ""),
            _key("batch.max.size", T.INT, "Most records per request.", "500", at_least(1)),
            _key("request.body.format", T.STRING, "`value`: a JSON array of record values; "
                 "`record`: an array of {topic, partition, offset, key, value, headers}.", "value",
                 [types.Validator_OneOf(list(_FORMATS))]),
            _key("max.retries", T.INT, "Retries of a failed request within one delivery attempt "
                 "(then the worker retries the delivery).", "5", at_least(0)),
            _key("retry.backoff.ms", T.INT, "First wait before a retry, doubling each time.",
                 "100", at_least(0)),
            _key("request.timeout.ms", T.INT, "Timeout of connecting and of waiting for the answer "
                 "(capped by wasm.call.timeout.ms).", "10000", at_least(1)),
        ]


def _check(config: Dict[str, str]) -> List[types.ConfigError]:
    errors = []
    url = config.get("http.api.url", "")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        errors.append(types.ConfigError(name="http.api.url",
                                        message=f"Invalid value {url} for configuration http.api.url: "
                                        "must be an http:// or https:// URL with a host"))
    for pair in filter(None, config.get("headers", "").split("|")):
        if ":" not in pair:
            errors.append(types.ConfigError(name="headers", message=f"Invalid header '{pair}': "
                                            "expected Name:value"))
    return errors


class Connector(exports.Connector):
    def validate(self, config: List[Tuple[str, str]]) -> List[types.ConfigError]:
        return _check(dict(config))

    def start(self, config: List[Tuple[str, str]]) -> None:
        global _connector_config
        errors = _check(dict(config))
        if errors:
            raise _error("; ".join(e.message for e in errors))
        _connector_config = config

    def task_configs(self, max_tasks: int) -> List[List[Tuple[str, str]]]:
        return [list(_connector_config) for _ in range(max(1, max_tasks))]

    def stop(self) -> None:
        pass


_connector_config: List[Tuple[str, str]] = []


# --- JSON from the arena data model -------------------------------------------------------------

def _node_json(nodes, index: int, schema_nodes, schema_index: Optional[int]):
    node = nodes[index]
    snode = schema_nodes[schema_index] if schema_index is not None and schema_nodes else None
    if isinstance(node, types.ValueNode_Null):
        return None
    if isinstance(node, types.ValueNode_Bytes):
        return base64.b64encode(bytes(node.value)).decode("ascii")
    if isinstance(node, types.ValueNode_Array):
        child = snode.value_schema if snode else None
        return [_node_json(nodes, i, schema_nodes, child) for i in node.value]
    if isinstance(node, types.ValueNode_Map):
        kschema = snode.key_schema if snode else None
        vschema = snode.value_schema if snode else None
        pairs = [(_node_json(nodes, k, schema_nodes, kschema), _node_json(nodes, v, schema_nodes, vschema))
                 for k, v in node.value]
        if all(isinstance(k, str) for k, _ in pairs):
            return dict(pairs)
        return [[k, v] for k, v in pairs]
    if isinstance(node, types.ValueNode_Struct):
        fields = {f.name: f.schema for f in snode.fields} if snode else {}
        return {name: _node_json(nodes, i, schema_nodes, fields.get(name)) for name, i in node.value}
    if isinstance(node, (types.ValueNode_Float32, types.ValueNode_Float64)):
        value = node.value
        return value if value == value and value not in (float("inf"), float("-inf")) else str(value)
    return node.value


def _json(sv: types.SchemaAndValue):
    if not sv.value.nodes:
        return None
    schema_nodes = sv.schema.nodes if sv.schema else None
    return _node_json(sv.value.nodes, 0, schema_nodes, 0 if schema_nodes else None)


def _record_json(sink_record: types.SinkRecord, form: str):
    record = sink_record.record
    if form == "value":
        return _json(record.value)
    return {
        "topic": record.topic,
        "partition": record.kafka_partition,
        "offset": sink_record.kafka_offset,
        "timestamp": record.timestamp,
        "key": _json(record.key),
        "value": _json(record.value),
        "headers": {h.key: _json(h.value) for h in record.headers},
    }


# --- The task ------------------------------------------------------------------------------------

class _Settings:
    def __init__(self, config: Dict[str, str]):
        errors = _check(config)
        if errors:
            raise _error("; ".join(e.message for e in errors))
        self.url = config["http.api.url"]
        self.method = config.get("request.method", "POST") or "POST"
        self.batch = int(config.get("batch.max.size", "500") or 500)
        self.form = config.get("request.body.format", "value") or "value"
        self.max_retries = int(config.get("max.retries", "5") or 5)
        self.backoff_ms = int(config.get("retry.backoff.ms", "100") or 100)
        self.timeout_ms = int(config.get("request.timeout.ms", "10000") or 10000)
        self.tolerate = (config.get("errors.tolerance", "none") or "none") == "all"
        self.headers: List[Tuple[str, str]] = [("content-type", "application/json")]
        for pair in filter(None, config.get("headers", "").split("|")):
            name, value = pair.split(":", 1)
            self.headers.append((name.strip().lower(), value.strip()))


_settings: Optional[_Settings] = None
# Last offset delivered per (topic, partition): a redelivered batch skips what was sent.
_delivered: Dict[Tuple[str, int], int] = {}


def _deliver(chunk: List[types.SinkRecord]) -> None:
    s = _settings
    body = json.dumps([_record_json(r, s.form) for r in chunk], separators=(",", ":")).encode()
    first, last = chunk[0], chunk[-1]
    where = (f"{first.record.topic}-{first.record.kafka_partition}@{first.kafka_offset}"
             f"..{last.record.topic}-{last.record.kafka_partition}@{last.kafka_offset}")
    delay = s.backoff_ms
    for attempt in range(s.max_retries + 1):
        try:
            response = wc_http.request(s.method, s.url, headers=s.headers, body=body,
                                       timeout_ms=s.timeout_ms)
        except wc_http.HttpRequestDenied:
            raise _error(f"request to {s.url} refused by the worker: its host is not granted "
                         "(add it to wasm.net.hosts)")
        except wc_http.HttpError as e:  # no answer: refused connection, timeout, DNS, …
            problem = f"request to {s.url} failed: {e}"
            if not e.retriable:
                raise _error(problem)
        except PluginError as e:  # an invalid URL, method or header: retrying cannot help
            raise _error(f"request to {s.url} is invalid: {e}")
        else:
            if response.ok:
                return
            # Retriable for 5xx, 408 and 429 (the SDK's rule); any other status rejects the batch.
            status_error = wc_http.HttpStatusError(response, s.url)
            problem = str(status_error)
            if not status_error.retriable:
                if s.tolerate:
                    host.log(host.LogLevel.WARN, f"skipping {len(chunk)} records ({where}), "
                             f"errors.tolerance=all: {problem}")
                    return
                raise _error(f"records {where} rejected: {problem}")
        if attempt < s.max_retries:
            host.log(host.LogLevel.DEBUG, f"retrying in {delay} ms: {problem}")
            time.sleep(delay / 1000)
            delay *= 2
    raise _error(f"records {where} not delivered after {s.max_retries + 1} attempts: {problem}",
                 retriable=True)


class SinkTask(exports.SinkTask):
    def start(self, config: List[Tuple[str, str]]) -> None:
        global _settings
        _settings = _Settings(dict(config))
        _delivered.clear()

    def put(self, records: List[types.SinkRecord]) -> None:
        try:
            self._put(records)
        except Err as e:
            if isinstance(e.value, types.PluginError):
                raise
            raise _error(f"HTTP sink failed: {e.value}")

    def _put(self, records: List[types.SinkRecord]) -> None:
        pending = [r for r in records
                   if r.kafka_offset > _delivered.get((r.record.topic, r.record.kafka_partition), -1)]
        for start in range(0, len(pending), _settings.batch):
            chunk = pending[start:start + _settings.batch]
            _deliver(chunk)
            for r in chunk:
                key = (r.record.topic, r.record.kafka_partition)
                _delivered[key] = max(_delivered.get(key, -1), r.kafka_offset)

    def flush(self, offsets: List[types.TopicPartitionOffset]) -> None:
        pass

    def stop(self) -> None:
        pass
