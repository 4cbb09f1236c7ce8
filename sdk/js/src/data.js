/**
 * The Kafka Connect data model in plain JavaScript: {@link Schema}s, {@link SchemaBuilder}, {@link
 * Struct}s, and the conversions between JavaScript values and the WIT arenas (`schema`, `value`:
 * nested nodes in a flat list whose children are indexes, node 0 the root).
 *
 * | Connect type | JavaScript value |
 * |---|---|
 * | null | `null` |
 * | int8, int16, int32, float32, float64 | `number` |
 * | int64 | `bigint` (a `number` is accepted when encoding) |
 * | boolean | `boolean` |
 * | string | `string` |
 * | bytes | `Uint8Array` (an `ArrayBuffer` or an array of bytes is accepted when encoding) |
 * | array | `Array` |
 * | map | `Map` (a plain object is accepted when encoding) |
 * | struct | {@link Struct} (a plain object is accepted when encoding with a schema) |
 *
 * Without a schema (schemaless data, e.g. `JsonConverter` with `schemas.enable=false`), values are
 * encoded by their JavaScript type: integral numbers and bigints as int64, other numbers as
 * float64, plain objects and `Map`s as maps. Logical types (Decimal, Date, Time, Timestamp) keep
 * their physical representation (bytes, int32, int32, int64).
 */
import { PluginError } from './errors.js';

/** Kafka's `Schema.Type` (WIT `schema-type`). */
export const Type = Object.freeze({
  INT8: 'int8',
  INT16: 'int16',
  INT32: 'int32',
  INT64: 'int64',
  FLOAT32: 'float32',
  FLOAT64: 'float64',
  BOOLEAN: 'boolean',
  STRING: 'string',
  BYTES: 'bytes',
  ARRAY: 'array',
  MAP: 'map',
  STRUCT: 'struct',
});

/** A struct field: its name, position and schema. */
export class Field {
  constructor(name, index, schema) {
    this.name = name;
    this.index = index;
    this.schema = schema;
  }
}

/**
 * A Connect schema. Build one with {@link SchemaBuilder}, or use the constants (`Schema.STRING`,
 * `Schema.OPTIONAL_INT64`, …).
 */
export class Schema {
  /**
   * @param {{ type: string, optional?: boolean, name?: string, version?: number, doc?: string,
   *   parameters?: Record<string,string>, defaultValue?: unknown, fields?: Field[],
   *   keySchema?: Schema, valueSchema?: Schema }} spec
   */
  constructor(spec) {
    this.type = spec.type;
    this.optional = Boolean(spec.optional);
    this.name = spec.name;
    this.version = spec.version;
    this.doc = spec.doc;
    this.parameters = { ...(spec.parameters ?? {}) };
    this.defaultValue = spec.defaultValue;
    this.fields = spec.fields ?? [];
    this.keySchema = spec.keySchema;
    this.valueSchema = spec.valueSchema;
  }

  /** The struct field named `name`, or undefined. */
  field(name) {
    return this.fields.find((field) => field.name === name);
  }
}

for (const type of ['int8', 'int16', 'int32', 'int64', 'float32', 'float64', 'boolean', 'string', 'bytes']) {
  const upper = type.toUpperCase();
  Schema[upper] = Object.freeze(new Schema({ type }));
  Schema[`OPTIONAL_${upper}`] = Object.freeze(new Schema({ type, optional: true }));
}

/** Builds a {@link Schema} fluently, like Kafka's `SchemaBuilder`. */
export class SchemaBuilder {
  /** @param {string} type one of {@link Type} */
  constructor(type) {
    this.spec = { type, optional: false, parameters: {}, fields: [] };
  }

  static int8() {
    return new SchemaBuilder(Type.INT8);
  }
  static int16() {
    return new SchemaBuilder(Type.INT16);
  }
  static int32() {
    return new SchemaBuilder(Type.INT32);
  }
  static int64() {
    return new SchemaBuilder(Type.INT64);
  }
  static float32() {
    return new SchemaBuilder(Type.FLOAT32);
  }
  static float64() {
    return new SchemaBuilder(Type.FLOAT64);
  }
  static bool() {
    return new SchemaBuilder(Type.BOOLEAN);
  }
  static string() {
    return new SchemaBuilder(Type.STRING);
  }
  static bytes() {
    return new SchemaBuilder(Type.BYTES);
  }
  static struct() {
    return new SchemaBuilder(Type.STRUCT);
  }
  /** An array of `valueSchema`. */
  static array(valueSchema) {
    const builder = new SchemaBuilder(Type.ARRAY);
    builder.spec.valueSchema = valueSchema;
    return builder;
  }
  /** A map from `keySchema` to `valueSchema`. */
  static map(keySchema, valueSchema) {
    const builder = new SchemaBuilder(Type.MAP);
    builder.spec.keySchema = keySchema;
    builder.spec.valueSchema = valueSchema;
    return builder;
  }

  /** Values may be null. */
  optional() {
    this.spec.optional = true;
    return this;
  }
  /** Logical or record name, e.g. `org.apache.kafka.connect.data.Timestamp`. */
  name(name) {
    this.spec.name = name;
    return this;
  }
  version(version) {
    this.spec.version = version;
    return this;
  }
  doc(doc) {
    this.spec.doc = doc;
    return this;
  }
  parameter(key, value) {
    this.spec.parameters[key] = String(value);
    return this;
  }
  defaultValue(value) {
    this.spec.defaultValue = value;
    return this;
  }
  /** Add a struct field (in order). */
  field(name, schema) {
    if (this.spec.type !== Type.STRUCT) throw new PluginError(`cannot add field ${name} to a ${this.spec.type} schema`);
    if (this.spec.fields.some((field) => field.name === name)) throw new PluginError(`duplicate field ${name}`);
    this.spec.fields.push(new Field(name, this.spec.fields.length, schema instanceof SchemaBuilder ? schema.build() : schema));
    return this;
  }
  /** The schema. */
  build() {
    return new Schema({ ...this.spec, fields: [...this.spec.fields], parameters: { ...this.spec.parameters } });
  }
}

/** A struct value: its schema and the values of its fields, like Kafka's `Struct`. */
export class Struct {
  /**
   * @param {Schema} schema a struct schema
   * @param {Record<string, unknown>} [values] initial field values
   */
  constructor(schema, values = {}) {
    if (!schema || schema.type !== Type.STRUCT) throw new PluginError('a Struct needs a struct schema');
    this.schema = schema;
    /** @type {Map<string, unknown>} */
    this.values = new Map();
    for (const [name, value] of Object.entries(values)) this.put(name, value);
  }

  /** The value of field `name` (its default when unset); an error for an unknown field. */
  get(name) {
    const field = this.#field(name);
    const value = this.values.get(name);
    return value === undefined || value === null ? (field.schema.defaultValue ?? value ?? null) : value;
  }

  /** Set field `name` (returns the struct, so calls chain). */
  put(name, value) {
    this.#field(name);
    this.values.set(name, value);
    return this;
  }

  /** The fields as a plain object (nested structs stay structs). */
  toObject() {
    return Object.fromEntries(this.schema.fields.map((field) => [field.name, this.get(field.name)]));
  }

  #field(name) {
    const field = this.schema.field(name);
    if (!field) throw new PluginError(`${name} is not a valid field name`);
    return field;
  }
}

// ----- WIT arenas -> JavaScript -----

/**
 * A WIT `schema` arena as a {@link Schema} (undefined for none).
 * @param {{ nodes: object[], defaults: object[] } | undefined} wit
 */
export function schemaFromWit(wit) {
  if (!wit || wit.nodes.length === 0) return undefined;
  const build = (index, depth) => {
    if (depth > 256) throw new PluginError('malformed schema from the host: too deep');
    const node = wit.nodes[index];
    if (!node) throw new PluginError(`malformed schema from the host: no node ${index}`);
    const schema = new Schema({
      type: node.type,
      optional: node.optional,
      name: node.name,
      version: node.version,
      doc: node.doc,
      parameters: Object.fromEntries(node.parameters),
      fields: node.fields.map((field, i) => new Field(field.name, i, build(field.schema, depth + 1))),
      keySchema: node.keySchema === undefined ? undefined : build(node.keySchema, depth + 1),
      valueSchema: node.valueSchema === undefined ? undefined : build(node.valueSchema, depth + 1),
    });
    if (node.defaultValue !== undefined) {
      schema.defaultValue = decode(wit.defaults, node.defaultValue, schema, 0);
    }
    return schema;
  };
  return build(0, 0);
}

function decode(nodes, index, schema, depth) {
  if (depth > 256) throw new PluginError('malformed value from the host: too deep');
  const node = nodes[index];
  if (!node) throw new PluginError(`malformed value from the host: no node ${index}`);
  switch (node.tag) {
    case 'null':
      return null;
    case 'array':
      // componentize-js gives `list<u32>` as a Uint32Array: map it into a plain array.
      return Array.from(node.val, (child) => decode(nodes, child, schema?.valueSchema, depth + 1));
    case 'map':
      return new Map(
        node.val.map(([k, v]) => [
          decode(nodes, k, schema?.keySchema, depth + 1),
          decode(nodes, v, schema?.valueSchema, depth + 1),
        ]),
      );
    case 'struct': {
      if (schema?.type !== Type.STRUCT) {
        return Object.fromEntries(node.val.map(([name, child]) => [name, decode(nodes, child, undefined, depth + 1)]));
      }
      const struct = new Struct(schema);
      for (const [name, child] of node.val) {
        const field = schema.field(name);
        struct.values.set(name, decode(nodes, child, field?.schema, depth + 1));
      }
      return struct;
    }
    default:
      return node.val;
  }
}

/**
 * A WIT `value` arena as a JavaScript value, read with `schema` (a {@link Schema} or undefined).
 * @param {{ nodes: object[] }} wit
 * @param {Schema} [schema]
 */
export function valueFromWit(wit, schema) {
  if (!wit || wit.nodes.length === 0) return null;
  return decode(wit.nodes, 0, schema, 0);
}

// ----- JavaScript -> WIT arenas -----

function isBytes(value) {
  return ArrayBuffer.isView(value) || value instanceof ArrayBuffer;
}

function bytesOf(value) {
  if (value instanceof Uint8Array) return value;
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (Array.isArray(value)) return Uint8Array.from(value);
  throw new PluginError(`expected bytes (a Uint8Array), got ${describe(value)}`);
}

function describe(value) {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return `a ${value.constructor?.name ?? 'object'}`;
  return `a ${typeof value}`;
}

function entriesOf(value) {
  if (value instanceof Map) return [...value.entries()];
  if (value instanceof Struct) return [...value.values.entries()];
  if (typeof value === 'object' && value !== null) return Object.entries(value);
  throw new PluginError(`expected a map, got ${describe(value)}`);
}

function encode(nodes, value, schema, depth) {
  if (depth > 256) throw new PluginError('value too deep to encode');
  const index = nodes.length;
  nodes.push(undefined);
  nodes[index] = schema ? encodeTyped(nodes, value, schema, depth) : encodeUntyped(nodes, value, depth);
  return index;
}

function encodeTyped(nodes, value, schema, depth) {
  if (value === null || value === undefined) return { tag: 'null' };
  switch (schema.type) {
    case Type.INT8:
    case Type.INT16:
    case Type.INT32:
      return { tag: schema.type, val: Number(value) };
    case Type.INT64:
      return { tag: 'int64', val: BigInt(value) };
    case Type.FLOAT32:
    case Type.FLOAT64:
      return { tag: schema.type, val: Number(value) };
    case Type.BOOLEAN:
      return { tag: 'boolean', val: Boolean(value) };
    case Type.STRING:
      return { tag: 'string', val: String(value) };
    case Type.BYTES:
      return { tag: 'bytes', val: bytesOf(value) };
    case Type.ARRAY:
      if (!Array.isArray(value)) throw new PluginError(`expected an array, got ${describe(value)}`);
      return { tag: 'array', val: value.map((item) => encode(nodes, item, schema.valueSchema, depth + 1)) };
    case Type.MAP:
      return {
        tag: 'map',
        val: entriesOf(value).map(([k, v]) => [
          encode(nodes, k, schema.keySchema, depth + 1),
          encode(nodes, v, schema.valueSchema, depth + 1),
        ]),
      };
    case Type.STRUCT: {
      const get =
        value instanceof Struct
          ? (name) => value.values.get(name)
          : value instanceof Map
            ? (name) => value.get(name)
            : (name) => value[name];
      return {
        tag: 'struct',
        val: schema.fields.map((field) => [field.name, encode(nodes, get(field.name), field.schema, depth + 1)]),
      };
    }
    default:
      throw new PluginError(`unknown schema type ${schema.type}`);
  }
}

function encodeUntyped(nodes, value, depth) {
  switch (typeof value) {
    case 'undefined':
      return { tag: 'null' };
    case 'boolean':
      return { tag: 'boolean', val: value };
    case 'string':
      return { tag: 'string', val: value };
    case 'bigint':
      return { tag: 'int64', val: value };
    case 'number':
      return Number.isSafeInteger(value) ? { tag: 'int64', val: BigInt(value) } : { tag: 'float64', val: value };
    case 'object':
      if (value === null) return { tag: 'null' };
      if (value instanceof Struct) return encodeTyped(nodes, value, value.schema, depth);
      if (isBytes(value)) return { tag: 'bytes', val: bytesOf(value) };
      if (Array.isArray(value)) return { tag: 'array', val: value.map((item) => encode(nodes, item, undefined, depth + 1)) };
      return {
        tag: 'map',
        val: entriesOf(value).map(([k, v]) => [encode(nodes, k, undefined, depth + 1), encode(nodes, v, undefined, depth + 1)]),
      };
    default:
      throw new PluginError(`cannot encode ${describe(value)} as a Connect value`);
  }
}

/**
 * A JavaScript value as a WIT `value` arena, encoded with `schema` when given (see the table
 * above), else by its JavaScript type.
 * @param {unknown} value
 * @param {Schema} [schema]
 */
export function valueToWit(value, schema) {
  const nodes = [];
  encode(nodes, value, schema, 0);
  return { nodes };
}

/**
 * A {@link Schema} as a WIT `schema` arena (undefined for none).
 * @param {Schema} [schema]
 */
export function schemaToWit(schema) {
  if (!schema) return undefined;
  const nodes = [];
  const defaults = [];
  const add = (s, depth) => {
    if (depth > 256) throw new PluginError('schema too deep to encode');
    const index = nodes.length;
    nodes.push(undefined);
    const fields = (s.fields ?? []).map((field) => ({ name: field.name, schema: add(field.schema, depth + 1) }));
    const keySchema = s.keySchema ? add(s.keySchema, depth + 1) : undefined;
    const valueSchema = s.valueSchema ? add(s.valueSchema, depth + 1) : undefined;
    const defaultValue =
      s.defaultValue === undefined ? undefined : encode(defaults, s.defaultValue, { ...s, defaultValue: undefined }, 0);
    nodes[index] = {
      type: s.type,
      optional: Boolean(s.optional),
      name: s.name ?? undefined,
      version: s.version ?? undefined,
      doc: s.doc ?? undefined,
      parameters: Object.entries(s.parameters ?? {}),
      defaultValue,
      fields,
      keySchema,
      valueSchema,
    };
    return index;
  };
  add(schema, 0);
  return { nodes, defaults };
}
