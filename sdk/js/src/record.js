/**
 * Records: {@link ConnectRecord} (what transforms and predicates see), {@link SourceRecord}
 * (what source tasks return), {@link SinkRecord} (what sink tasks receive), record
 * {@link Headers}, and source partitions/offsets.
 *
 * A record read from the host decodes its key, value and headers only when they are first
 * read; parts a plugin never reads go back to the host exactly as they came, without being
 * decoded and encoded again.
 */
import { PluginError } from './errors.js';
import { Schema, schemaFromWit, schemaToWit, valueFromWit, valueToWit } from './data.js';

/** One header: a key, a value and its optional schema. */
export class Header {
  /**
   * @param {string} key
   * @param {unknown} value
   * @param {import('./data.js').Schema} [schema]
   */
  constructor(key, value, schema) {
    this.key = key;
    this.value = value;
    this.schema = schema;
  }
}

/** A record's headers, in order; several may share a key (Kafka's `Headers`). */
export class Headers {
  /** @param {Iterable<Header|{key: string, value: unknown, schema?: object}>} [headers] */
  constructor(headers = []) {
    /** @type {Header[]} */
    this.list = [...headers].map((h) => (h instanceof Header ? h : new Header(h.key, h.value, h.schema)));
  }

  /** Add a header (returns the headers, so calls chain). */
  add(key, value, schema) {
    this.list.push(new Header(key, value, schema));
    return this;
  }

  /** Add a header with a string value and the string schema. */
  addString(key, value) {
    return this.add(key, value === null || value === undefined ? null : String(value), Schema.STRING);
  }

  /** The last header with `key`, or undefined. */
  lastWithName(key) {
    for (let i = this.list.length - 1; i >= 0; i--) if (this.list[i].key === key) return this.list[i];
    return undefined;
  }

  /** The value of the last header with `key`, or undefined. */
  lastValue(key) {
    return this.lastWithName(key)?.value;
  }

  /** Every header with `key`, in order. */
  allWithName(key) {
    return this.list.filter((h) => h.key === key);
  }

  /** True if a header has `key`. */
  has(key) {
    return this.list.some((h) => h.key === key);
  }

  /** Remove every header with `key` (returns the headers). */
  remove(key) {
    this.list = this.list.filter((h) => h.key !== key);
    return this;
  }

  /** Remove every header. */
  clear() {
    this.list = [];
    return this;
  }

  /** Number of headers. */
  get size() {
    return this.list.length;
  }

  [Symbol.iterator]() {
    return this.list[Symbol.iterator]();
  }

  /** The WIT `list<header>`. */
  toWit() {
    return this.list.map((h) => ({ key: h.key, value: { schema: schemaToWit(h.schema), value: valueToWit(h.value, h.schema) } }));
  }

  /** Headers from a WIT `list<header>`. */
  static fromWit(wit) {
    return new Headers(
      wit.map((h) => {
        const schema = schemaFromWit(h.value.schema);
        return new Header(h.key, valueFromWit(h.value.value, schema), schema);
      }),
    );
  }
}

/**
 * A key or value read from the host, decoded on first use. `raw` is the WIT `schema-and-value`.
 */
class Part {
  constructor(raw) {
    this.raw = raw;
    this.decoded = false;
    this.schema = undefined;
    this.value = undefined;
  }

  static of(value, schema) {
    const part = new Part(undefined);
    part.decoded = true;
    part.value = value ?? null;
    part.schema = schema;
    return part;
  }

  decode() {
    if (!this.decoded) {
      this.schema = schemaFromWit(this.raw.schema);
      this.rawSchema = this.schema;
      this.value = valueFromWit(this.raw.value, this.schema);
      this.decoded = true;
    }
    return this;
  }

  toWit() {
    if (!this.decoded) return this.raw;
    const schema = this.raw && this.schema === this.rawSchema ? this.raw.schema : schemaToWit(this.schema);
    return { schema, value: valueToWit(this.value, this.schema) };
  }
}

function toNumber(value) {
  return value === undefined || value === null ? undefined : Number(value);
}

/**
 * A Connect record (Kafka's `ConnectRecord`): topic, Kafka partition, key and value with their
 * optional schemas, timestamp and headers. Change it in place, or copy it with
 * {@link ConnectRecord#newRecord}.
 */
export class ConnectRecord {
  #key;
  #value;
  #headers;
  #rawHeaders;

  /**
   * @param {{ topic?: string, partition?: number, key?: unknown, keySchema?: object,
   *   value?: unknown, valueSchema?: object, timestamp?: number,
   *   headers?: Headers|Iterable<Header> }} [fields]
   */
  constructor(fields = {}) {
    /** The topic. */
    this.topic = fields.topic ?? '';
    /** The Kafka partition; undefined lets the producer's partitioner choose. */
    this.partition = fields.partition ?? undefined;
    /** Milliseconds since the Unix epoch, or undefined. */
    this.timestamp = fields.timestamp ?? undefined;
    this.#key = Part.of(fields.key, fields.keySchema);
    this.#value = Part.of(fields.value, fields.valueSchema);
    this.#headers = fields.headers instanceof Headers ? fields.headers : new Headers(fields.headers ?? []);
  }

  /** The key (see the data model in `data.js`). */
  get key() {
    return this.#key.decode().value;
  }
  set key(value) {
    this.#key.decode().value = value;
  }
  /** The key's schema, or undefined when schemaless. */
  get keySchema() {
    return this.#key.decode().schema;
  }
  set keySchema(schema) {
    this.#key.decode().schema = schema;
  }
  /** The value (see the data model in `data.js`). */
  get value() {
    return this.#value.decode().value;
  }
  set value(value) {
    this.#value.decode().value = value;
  }
  /** The value's schema, or undefined when schemaless. */
  get valueSchema() {
    return this.#value.decode().schema;
  }
  set valueSchema(schema) {
    this.#value.decode().schema = schema;
  }
  /** The headers. */
  get headers() {
    if (this.#rawHeaders !== undefined) {
      this.#headers = Headers.fromWit(this.#rawHeaders);
      this.#rawHeaders = undefined;
    }
    return this.#headers;
  }
  set headers(headers) {
    this.#rawHeaders = undefined;
    this.#headers = headers instanceof Headers ? headers : new Headers(headers);
  }

  /**
   * A copy with some fields replaced (Kafka's `newRecord`); headers are copied, not shared.
   * @param {object} [changes] fields as in the constructor
   */
  newRecord(changes = {}) {
    return new this.constructor({
      ...this.extraFields(),
      topic: this.topic,
      partition: this.partition,
      timestamp: this.timestamp,
      key: this.key,
      keySchema: this.keySchema,
      value: this.value,
      valueSchema: this.valueSchema,
      headers: new Headers(this.headers),
      ...changes,
    });
  }

  /** The constructor fields of a subclass (source partition and offset, Kafka offset). */
  extraFields() {
    return {};
  }

  /** A record from a WIT `connect-record`; key, value and headers are decoded on first use. */
  static fromWit(wit) {
    const record = new this();
    record.topic = wit.topic;
    record.partition = wit.kafkaPartition;
    record.timestamp = toNumber(wit.timestamp);
    record.#key = new Part(wit.key);
    record.#value = new Part(wit.value);
    record.#rawHeaders = wit.headers;
    return record;
  }

  /** The WIT `connect-record`. */
  toWit() {
    if (typeof this.topic !== 'string') throw new PluginError('a record needs a topic (a string)');
    return {
      topic: this.topic,
      kafkaPartition: this.partition ?? undefined,
      key: this.#key.toWit(),
      value: this.#value.toWit(),
      timestamp: this.timestamp === undefined || this.timestamp === null ? undefined : BigInt(this.timestamp),
      headers: this.#rawHeaders !== undefined ? this.#rawHeaders : this.#headers.toWit(),
    };
  }
}

/**
 * A record produced by a source task: a {@link ConnectRecord} with the source partition it came
 * from and its position in it (plain objects of strings, numbers, booleans or nulls, stored as
 * JSON by the worker).
 */
export class SourceRecord extends ConnectRecord {
  /**
   * @param {object} [fields] as for {@link ConnectRecord}, plus `sourcePartition` and
   *   `sourceOffset` (e.g. `{ file: '/tmp/in.txt' }` and `{ position: 42 }`)
   */
  constructor(fields = {}) {
    super(fields);
    this.sourcePartition = fields.sourcePartition ?? {};
    this.sourceOffset = fields.sourceOffset ?? {};
  }

  extraFields() {
    return { sourcePartition: this.sourcePartition, sourceOffset: this.sourceOffset };
  }

  /** The WIT `source-record`. */
  toSourceWit() {
    return {
      record: this.toWit(),
      sourcePartition: offsetMapToWit(this.sourcePartition),
      sourceOffset: offsetMapToWit(this.sourceOffset),
    };
  }
}

/** A record delivered to a sink task: a {@link ConnectRecord} with its Kafka offset. */
export class SinkRecord extends ConnectRecord {
  constructor(fields = {}) {
    super(fields);
    /** The record's offset in its Kafka partition (a number). */
    this.kafkaOffset = fields.kafkaOffset ?? 0;
  }

  extraFields() {
    return { kafkaOffset: this.kafkaOffset };
  }

  /** A sink record from a WIT `sink-record`. */
  static fromSinkWit(wit) {
    const record = SinkRecord.fromWit(wit.record);
    record.kafkaOffset = Number(wit.kafkaOffset);
    return record;
  }
}

/**
 * A source partition or offset (a plain object of primitives) as a WIT `offset-map`: integral
 * numbers and bigints become int64, other numbers float64.
 * @param {Record<string, null|boolean|number|bigint|string>|Map<string, unknown>} map
 */
export function offsetMapToWit(map) {
  const entries = map instanceof Map ? [...map.entries()] : Object.entries(map ?? {});
  return entries.map(([key, value]) => {
    switch (typeof value) {
      case 'boolean':
        return [key, { tag: 'boolean', val: value }];
      case 'string':
        return [key, { tag: 'string', val: value }];
      case 'bigint':
        return [key, { tag: 'int64', val: value }];
      case 'number':
        return [key, Number.isSafeInteger(value) ? { tag: 'int64', val: BigInt(value) } : { tag: 'float64', val: value }];
      default:
        if (value === null || value === undefined) return [key, { tag: 'null' }];
        throw new PluginError(`source partition/offset value ${key} must be a string, number, boolean or null`);
    }
  });
}

/**
 * A WIT `offset-map` as a plain object; int64 values become numbers when exact (bigints beyond
 * 2^53).
 */
export function offsetMapFromWit(wit) {
  const object = {};
  for (const [key, value] of wit) {
    if (value.tag === 'null') object[key] = null;
    else if (value.tag === 'int64') {
      const n = Number(value.val);
      object[key] = Number.isSafeInteger(n) ? n : value.val;
    } else object[key] = value.val;
  }
  return object;
}
