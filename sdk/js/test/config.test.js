import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Config, ConfigDef, Importance, PathAccess, PluginError, Validators } from '../src/index.js';

const config = new Config({
  topic: 't',
  'batch.size': '10',
  bad: 'x1',
  flag: 'TRUE',
  empty: '',
  list: ' a, b,,c ',
});

test('typed getters with and without defaults', () => {
  assert.equal(config.getString('topic'), 't');
  assert.equal(config.getString('missing', 'd'), 'd');
  assert.equal(config.getInt('batch.size'), 10);
  assert.equal(config.getInt('missing', 7), 7);
  assert.equal(config.getInt('empty', 7), 7);
  assert.equal(config.getLong('batch.size', 1), 10);
  assert.equal(config.getDouble('batch.size'), 10);
  assert.equal(config.getBoolean('flag'), true);
  assert.equal(config.getBoolean('missing', false), false);
  assert.equal(config.getOptionalString('empty'), undefined);
  assert.deepEqual(config.getList('list'), ['a', 'b', 'c']);
  assert.deepEqual(config.getList('missing'), []);
  assert.throws(() => config.getString('nope'), { message: 'Missing required configuration "nope" which has no default value.' });
  assert.throws(() => config.getInt('bad'), { message: 'Invalid value x1 for configuration bad: Not a number of type INT' });
  assert.throws(() => config.getBoolean('bad'), PluginError);
  assert.throws(() => config.getNonEmptyString('empty'), /String must be non-empty/);
  assert.throws(() => new Config({ n: '99999999999' }).getInt('n'), /INT/);
  assert.equal(config.with('x', 1).get('x'), '1');
  assert.equal(config.has('x'), false);
});

test('config definitions: WIT keys and defaults', () => {
  const def = new ConfigDef()
    .string('topic', { importance: Importance.HIGH, doc: 'Topic.', nonEmpty: true })
    .int('batch.size', { default: 2000, validators: [Validators.range(1)] })
    .string('file', { default: null, pathAccess: PathAccess.READ_FILE })
    .list('fields', { default: ['a', 'b'], oneOf: ['a', 'b'] });
  const wit = def.toWit();
  assert.deepEqual(wit[0], {
    name: 'topic',
    type: 'string',
    defaultValue: undefined,
    importance: 'high',
    documentation: 'Topic.',
    group: undefined,
    orderInGroup: undefined,
    displayName: undefined,
    validators: [{ tag: 'non-empty-string' }],
    pathAccess: 'none',
  });
  assert.equal(wit[1].defaultValue, '2000');
  assert.deepEqual(wit[1].validators, [{ tag: 'range', val: { min: 1, max: undefined } }]);
  assert.equal(wit[2].defaultValue, '');
  assert.equal(wit[2].pathAccess, 'read-file');
  assert.deepEqual(wit[3].validators, [{ tag: 'one-of', val: ['a', 'b'] }]);
  const filled = new Config({ topic: 'x', 'batch.size': '5' }).withDefaults(def);
  assert.equal(filled.getInt('batch.size'), 5);
  assert.deepEqual(filled.getList('fields'), ['a', 'b']);
  assert.equal(filled.getOptionalString('file'), undefined);
});

test('log messages render data values', async () => {
  const { log } = await import('../src/index.js');
  const { logged } = await import('wasm-connect:plugin/host@0.1.0');
  log.warn('v', new Map([['a', 1n], ['b', new Uint8Array([1])]]), 2n ** 64n, null);
  assert.deepEqual(logged.at(-1), ['warn', 'v {"a":1,"b":[1]} 18446744073709551616 null']);
});
