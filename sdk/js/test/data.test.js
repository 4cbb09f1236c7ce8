import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Schema,
  SchemaBuilder,
  Struct,
  schemaFromWit,
  schemaToWit,
  valueFromWit,
  valueToWit,
} from '../src/index.js';

test('schemaless values round-trip through the WIT arena', () => {
  const value = new Map([
    ['name', 'ada'],
    ['age', 36n],
    ['score', 1.5],
    ['tags', ['a', 'b']],
    ['raw', new Uint8Array([1, 2, 3])],
    ['none', null],
    ['ok', true],
  ]);
  const wit = valueToWit(value);
  assert.deepEqual(wit.nodes[0].tag, 'map');
  assert.deepEqual(valueFromWit(wit), value);
  // Plain objects encode as maps; integral numbers as int64, others as float64.
  const fromObject = valueToWit({ n: 3, x: 0.25 });
  assert.deepEqual(fromObject.nodes.slice(1).map((n) => n.tag), ['string', 'int64', 'string', 'float64']);
  assert.deepEqual(valueFromWit(fromObject), new Map([['n', 3n], ['x', 0.25]]));
  assert.equal(valueFromWit({ nodes: [] }), null);
});

test('struct values with a schema round-trip, defaults included', () => {
  const address = SchemaBuilder.struct().name('Address').field('city', Schema.STRING).build();
  const schema = SchemaBuilder.struct()
    .name('com.example.Person')
    .version(2)
    .doc('a person')
    .parameter('k', 'v')
    .field('id', Schema.INT64)
    .field('small', Schema.INT8)
    .field('nick', SchemaBuilder.string().optional().defaultValue('none').build())
    .field('address', address)
    .field('scores', SchemaBuilder.map(Schema.STRING, Schema.FLOAT64).build())
    .field('blob', Schema.OPTIONAL_BYTES)
    .build();
  const person = new Struct(schema, {
    id: 7,
    small: 3,
    address: new Struct(address, { city: 'Paris' }),
    scores: { math: 1.5 },
    blob: new Uint8Array([9]),
  });
  assert.equal(person.get('nick'), 'none');
  assert.throws(() => person.put('nope', 1), /nope is not a valid field name/);

  const witSchema = schemaToWit(schema);
  const witValue = valueToWit(person, schema);
  const schemaBack = schemaFromWit(witSchema);
  assert.equal(schemaBack.name, 'com.example.Person');
  assert.equal(schemaBack.version, 2);
  assert.deepEqual(schemaBack.parameters, { k: 'v' });
  assert.deepEqual(schemaBack.fields.map((f) => f.name), ['id', 'small', 'nick', 'address', 'scores', 'blob']);
  assert.equal(schemaBack.field('nick').schema.defaultValue, 'none');
  assert.equal(schemaBack.field('nick').schema.optional, true);

  const back = valueFromWit(witValue, schemaBack);
  assert.ok(back instanceof Struct);
  assert.equal(back.get('id'), 7n); // int64 comes back as a bigint
  assert.equal(back.get('small'), 3);
  assert.equal(back.get('nick'), 'none'); // unset: its default
  assert.equal(back.get('address').get('city'), 'Paris');
  assert.deepEqual(back.get('scores'), new Map([['math', 1.5]]));
  assert.deepEqual(back.get('blob'), new Uint8Array([9]));
  // Plain objects are accepted for structs when a schema is given.
  const plain = valueToWit({ id: 1n, small: 1, address: { city: 'Oslo' }, scores: new Map() }, schema);
  assert.equal(valueFromWit(plain, schemaBack).get('address').get('city'), 'Oslo');
});

test('arrays of typed elements and malformed arenas', () => {
  const schema = SchemaBuilder.array(Schema.INT32).build();
  const wit = valueToWit([1, 2, 3], schema);
  assert.deepEqual(wit.nodes.map((n) => n.tag), ['array', 'int32', 'int32', 'int32']);
  assert.deepEqual(valueFromWit(wit, schema), [1, 2, 3]);
  assert.throws(() => valueFromWit({ nodes: [{ tag: 'array', val: [5] }] }), /no node 5/);
  // componentize-js lifts `list<u32>` (array children) as a Uint32Array.
  const lifted = { nodes: [{ tag: 'array', val: Uint32Array.of(1, 2) }, { tag: 'int64', val: 2n ** 40n }, { tag: 'string', val: 's' }] };
  assert.deepEqual(valueFromWit(lifted), [2n ** 40n, 's']);
  assert.throws(() => valueToWit('x', SchemaBuilder.array(Schema.INT32).build()), /expected an array/);
  assert.throws(() => valueToWit(Symbol('s')), /cannot encode/);
});
