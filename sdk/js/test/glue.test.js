import { test } from 'node:test';
import assert from 'node:assert/strict';
import { logged } from 'wasm-connect:plugin/host@0.1.0';
import { setOffset } from 'wasm-connect:plugin/source-context@0.1.0';
import {
  ConfigDef,
  ConnectRecord,
  Predicate,
  RetriableError,
  Schema,
  SinkConnector,
  SinkTask,
  SourceConnector,
  SourceRecord,
  SourceTask,
  Transform,
  exportPredicate,
  exportSink,
  exportSource,
  log,
  offsetMapToWit,
  toPluginError,
  schemaToWit,
  valueToWit,
} from '../src/source.js';

const witRecord = (value, extra = {}) => ({
  topic: 't',
  kafkaPartition: undefined,
  key: { schema: undefined, value: { nodes: [{ tag: 'null' }] } },
  value: { schema: schemaToWit(Schema.STRING), value: valueToWit(value, Schema.STRING) },
  timestamp: 5n,
  headers: [],
  ...extra,
});

// What componentize-js does with an export: a thrown value's own `payload` is the `err` case.
function call(f) {
  try {
    return { tag: 'ok', val: f() };
  } catch (e) {
    assert.ok(Object.hasOwn(e, 'payload'), 'thrown values must carry a payload');
    return { tag: 'err', val: e.payload };
  }
}

class Upper extends Transform {
  static info = { name: 'Upper', version: '1.2.3', aliases: ['com.example.Upper'] };
  static configDef = new ConfigDef().string('suffix', { default: '' });
  configure(config) {
    this.suffix = config.getString('suffix');
    if (this.suffix === 'retry') throw new RetriableError('not yet');
  }
  apply(record) {
    if (record.value === 'boom') throw new TypeError('boom');
    if (record.value === 'drop') return null;
    if (typeof record.value === 'string') record.value = record.value.toUpperCase() + this.suffix;
    return record;
  }
}

test('a transform: info, defaults, per-record results, errors, untouched parts kept', async () => {
  const { exportTransform } = await import('../src/index.js');
  const { plugin, transform } = exportTransform(Upper);
  assert.deepEqual(plugin.info(), { name: 'Upper', version: '1.2.3', aliases: ['com.example.Upper'], description: '' });
  assert.equal(plugin.configDefinition()[0].defaultValue, '');
  assert.deepEqual(transform.apply([witRecord('x')])[0].val.message, 'transform was not configured');
  assert.deepEqual(call(() => transform.configure([['suffix', 'retry']])), {
    tag: 'err',
    val: { message: 'not yet', retriable: true },
  });
  assert.deepEqual(call(() => transform.configure([])), { tag: 'ok', val: undefined });
  const input = witRecord('hi', { headers: [{ key: 'h', value: { schema: undefined, value: { nodes: [{ tag: 'string', val: 'v' }] } } }] });
  const [out, boom, drop] = transform.apply([input, witRecord('boom'), witRecord('drop')]);
  assert.equal(out.tag, 'ok');
  assert.deepEqual(out.val.value.value.nodes, [{ tag: 'string', val: 'HI' }]);
  assert.equal(out.val.key, input.key, 'an unread key goes back as it came');
  assert.equal(out.val.headers, input.headers, 'unread headers go back as they came');
  assert.equal(out.val.timestamp, 5n);
  assert.deepEqual(boom, { tag: 'err', val: { message: 'TypeError: boom', retriable: false } });
  assert.deepEqual(drop, { tag: 'ok', val: undefined });
  // Errors that are not `instanceof Error` (as the engine's own inside a component) keep their name.
  const foreign = Object.assign(Object.create(null), { name: 'TypeError', message: 'x' });
  Object.defineProperty(foreign, Symbol.toStringTag, { value: 'Error' });
  assert.equal(toPluginError(foreign).message, 'TypeError: x');
});

test('records: headers, copies, schemas', () => {
  const record = ConnectRecord.fromWit(witRecord('v'));
  assert.equal(record.valueSchema.type, 'string');
  assert.equal(record.timestamp, 5);
  record.headers.addString('a', 'b').add('n', 1n);
  const copy = record.newRecord({ topic: 'other', value: 'w' });
  copy.headers.remove('a');
  assert.equal(record.headers.lastValue('a'), 'b');
  assert.equal(copy.headers.has('a'), false);
  const wit = copy.toWit();
  assert.equal(wit.topic, 'other');
  assert.deepEqual(wit.value.value.nodes, [{ tag: 'string', val: 'w' }]);
  assert.deepEqual(wit.headers.map((h) => h.key), ['n']);
  assert.deepEqual(wit.headers[0].value.value.nodes, [{ tag: 'int64', val: 1n }]);
  assert.throws(() => new ConnectRecord({ topic: 3 }).toWit(), /topic/);
});

class Needle extends Predicate {
  static configDef = new ConfigDef().string('needle', { nonEmpty: true });
  configure(config) {
    this.needle = config.getNonEmptyString('needle');
  }
  test(record) {
    return typeof record.value === 'string' && record.value.includes(this.needle);
  }
}

test('a predicate', () => {
  const { plugin, predicate } = exportPredicate(Needle);
  assert.equal(plugin.info().name, 'Needle');
  assert.equal(call(() => predicate.configure([])).val.message, 'Missing required configuration "needle" which has no default value.');
  predicate.configure([['needle', 'cat']]);
  assert.deepEqual(predicate.test([witRecord('concat'), witRecord('dog')]), [
    { tag: 'ok', val: true },
    { tag: 'ok', val: false },
  ]);
});

class Counter extends SourceConnector {
  static configDef = new ConfigDef().string('topic').long('max.records', { default: 3 });
  taskConfigs(maxTasks) {
    return Array.from({ length: maxTasks }, (_, n) => this.config.with('task.number', n));
  }
}

class CounterTask extends SourceTask {
  start(config) {
    this.topic = config.getString('topic');
    this.max = config.getLong('max.records');
    this.partition = { task: config.getInt('task.number', 0) };
    this.next = this.context.offset(this.partition)?.next ?? 0;
  }
  poll() {
    const records = [];
    while (this.next < this.max) {
      records.push(new SourceRecord({ topic: this.topic, value: `hello ${this.next}`, sourcePartition: this.partition, sourceOffset: { next: ++this.next } }));
    }
    return records;
  }
}

test('a source resumes from its committed offset', () => {
  const { connector, sourceTask } = exportSource(Counter, CounterTask);
  connector.start([['topic', 'out']]);
  const configs = connector.taskConfigs(2);
  assert.deepEqual(configs[1], [['topic', 'out'], ['max.records', '3'], ['task.number', '1']]);
  setOffset(offsetMapToWit({ task: 1 }), offsetMapToWit({ next: 2 }));
  sourceTask.start(configs[1]);
  const polled = sourceTask.poll();
  assert.equal(polled.length, 1);
  assert.deepEqual(polled[0].record.value.value.nodes, [{ tag: 'string', val: 'hello 2' }]);
  assert.deepEqual(polled[0].sourceOffset, [['next', { tag: 'int64', val: 3n }]]);
  assert.deepEqual(polled[0].sourcePartition, [['task', { tag: 'int64', val: 1n }]]);
  sourceTask.stop();
  assert.equal(call(() => sourceTask.poll()).val.message, 'source task was not started');
});

class Sink extends SinkConnector {}
class SinkLogger extends SinkTask {
  put(records) {
    for (const r of records) log.info('got', r.topic, r.kafkaOffset, r.value);
  }
  flush(offsets) {
    this.flushed = offsets;
    if (offsets.length === 0) throw new Error('nothing to flush');
  }
}

test('a sink logs through the host', () => {
  const { connector, sinkTask } = exportSink(Sink, SinkLogger);
  connector.start([['topics', 'x']]);
  assert.deepEqual(connector.taskConfigs(2), [[['topics', 'x']], [['topics', 'x']]]);
  sinkTask.start([['topics', 'x']]);
  sinkTask.put([{ record: witRecord('v'), kafkaOffset: 41n }]);
  assert.deepEqual(logged.at(-1), ['info', 'got t 41 v']);
  assert.deepEqual(call(() => sinkTask.flush([])), { tag: 'err', val: { message: 'Error: nothing to flush', retriable: false } });
  assert.equal(call(() => sinkTask.flush([{ topic: 't', kafkaPartition: 0, offset: 42n }])).tag, 'ok');
});
