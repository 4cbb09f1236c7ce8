/**
 * Configuration values ({@link Config}) and definitions ({@link ConfigDef}), as in Kafka's
 * `AbstractConfig` and `ConfigDef`.
 */
import { PluginError } from './errors.js';

/** Kafka's `ConfigDef.Type` (WIT `config-type`). */
export const ConfigType = Object.freeze({
  BOOLEAN: 'boolean',
  STRING: 'string',
  INT: 'int',
  SHORT: 'short',
  LONG: 'long',
  DOUBLE: 'double',
  LIST: 'list',
  CLASS: 'class',
  PASSWORD: 'password',
});

/** Kafka's `ConfigDef.Importance` (WIT `importance`). */
export const Importance = Object.freeze({ HIGH: 'high', MEDIUM: 'medium', LOW: 'low' });

/** How the plugin uses a path named by a config value: the host grants exactly this access. */
export const PathAccess = Object.freeze({
  NONE: 'none',
  READ_FILE: 'read-file',
  WRITE_FILE: 'write-file',
  READ_DIR: 'read-dir',
  WRITE_DIR: 'write-dir',
});

/** Checks the host applies to a value before the plugin sees it (WIT `validator`). */
export const Validators = Object.freeze({
  /** The value must not be empty. */
  nonEmptyString: () => ({ tag: 'non-empty-string' }),
  /** A number within inclusive bounds; pass `undefined` for an open end. */
  range: (min, max) => ({ tag: 'range', val: { min: min ?? undefined, max: max ?? undefined } }),
  /** One of these strings (case-sensitive). */
  oneOf: (...values) => ({ tag: 'one-of', val: values.flat().map(String) }),
  /** A valid regular expression. */
  regex: () => ({ tag: 'regex' }),
});

/** A default as Kafka prints it: lists comma-separated, `null` as the empty string. */
function printDefault(value) {
  if (value === undefined) return undefined;
  if (value === null) return '';
  if (Array.isArray(value)) return value.join(',');
  return String(value);
}

/**
 * A plugin's configuration keys, built fluently:
 *
 * ```js
 * static configDef = new ConfigDef()
 *   .string('topic', { importance: Importance.HIGH, doc: 'Topic to write to.', nonEmpty: true })
 *   .int('batch.size', { default: 2000, validators: [Validators.range(1)] })
 *   .string('file', { default: null, pathAccess: PathAccess.READ_FILE });
 * ```
 *
 * A key without `default` is required; `default: null` makes it optional with Kafka's null
 * default (an empty string, which {@link Config#getOptionalString} reads as absent).
 */
export class ConfigDef {
  constructor() {
    /** @type {object[]} the keys as WIT `config-key` records, in definition order */
    this.keys = [];
  }

  /**
   * Define a key.
   * @param {string} name e.g. `batch.size`
   * @param {string} type one of {@link ConfigType}
   * @param {{ default?: unknown, importance?: string, doc?: string, group?: string,
   *   orderInGroup?: number, displayName?: string, validators?: object[], nonEmpty?: boolean,
   *   oneOf?: string[], pathAccess?: string }} [options]
   */
  define(name, type, options = {}) {
    const validators = [...(options.validators ?? [])];
    if (options.nonEmpty) validators.push(Validators.nonEmptyString());
    if (options.oneOf) validators.push(Validators.oneOf(options.oneOf));
    this.keys = this.keys.filter((key) => key.name !== name);
    this.keys.push({
      name,
      type,
      defaultValue: printDefault(options.default),
      importance: options.importance ?? Importance.MEDIUM,
      documentation: options.doc ?? '',
      group: options.group,
      orderInGroup: options.orderInGroup,
      displayName: options.displayName,
      validators,
      pathAccess: options.pathAccess ?? PathAccess.NONE,
    });
    return this;
  }

  /** A string key. */
  string(name, options) {
    return this.define(name, ConfigType.STRING, options);
  }

  /** A 32-bit integer key. */
  int(name, options) {
    return this.define(name, ConfigType.INT, options);
  }

  /** A 16-bit integer key. */
  short(name, options) {
    return this.define(name, ConfigType.SHORT, options);
  }

  /** A 64-bit integer key. */
  long(name, options) {
    return this.define(name, ConfigType.LONG, options);
  }

  /** A floating-point key. */
  double(name, options) {
    return this.define(name, ConfigType.DOUBLE, options);
  }

  /** A boolean key. */
  boolean(name, options) {
    return this.define(name, ConfigType.BOOLEAN, options);
  }

  /** A comma-separated list key. */
  list(name, options) {
    return this.define(name, ConfigType.LIST, options);
  }

  /** A plugin or class name key. */
  class(name, options) {
    return this.define(name, ConfigType.CLASS, options);
  }

  /** A secret, masked in the REST API and logs. */
  password(name, options) {
    return this.define(name, ConfigType.PASSWORD, options);
  }

  /** The key named `name`, or undefined. */
  key(name) {
    return this.keys.find((key) => key.name === name);
  }

  /** The WIT `list<config-key>`. */
  toWit() {
    return this.keys.map((key) => ({ ...key, validators: [...key.validators] }));
  }
}

const INT_PATTERN = /^[+-]?\d+$/;

function missing(key) {
  return new PluginError(`Missing required configuration "${key}" which has no default value.`);
}

function invalid(key, value, why) {
  return new PluginError(`Invalid value ${value} for configuration ${key}: ${why}`);
}

/**
 * A configuration: Kafka Connect's string map with typed getters whose errors name the key.
 *
 * Every getter takes an optional default: without one the key is required (an error when it is
 * absent), with one the default is returned when the key is absent or empty.
 */
export class Config {
  /** @param {Map<string,string>|Iterable<[string,string]>|Record<string,string>} [entries] */
  constructor(entries = []) {
    const pairs =
      entries instanceof Map || Array.isArray(entries) || typeof entries[Symbol.iterator] === 'function'
        ? entries
        : Object.entries(entries);
    /** @type {Map<string,string>} */
    this.values = new Map();
    for (const [key, value] of pairs) this.values.set(String(key), String(value));
  }

  /** The raw value of `key`, or undefined. */
  get(key) {
    return this.values.get(key);
  }

  /** True if `key` is set (even to an empty string). */
  has(key) {
    return this.values.has(key);
  }

  /** Number of entries. */
  get size() {
    return this.values.size;
  }

  /** `[key, value]` pairs. */
  entries() {
    return this.values.entries();
  }

  [Symbol.iterator]() {
    return this.values.entries();
  }

  /** A copy with `key` set to `value` (builder style). */
  with(key, value) {
    const copy = new Config(this.values);
    copy.values.set(String(key), String(value));
    return copy;
  }

  /** A copy with the defaults of `def` (a {@link ConfigDef}) filled in where keys are unset. */
  withDefaults(def) {
    const copy = new Config(this.values);
    for (const key of def?.keys ?? []) {
      if (key.defaultValue !== undefined && !copy.values.has(key.name)) {
        copy.values.set(key.name, key.defaultValue);
      }
    }
    return copy;
  }

  /** A plain object of all entries. */
  toObject() {
    return Object.fromEntries(this.values);
  }

  /** The WIT `config-map`. */
  toWit() {
    return [...this.values.entries()];
  }

  /** A string: required without `fallback`. */
  getString(key, fallback) {
    const value = this.values.get(key);
    if (value !== undefined) return value;
    if (fallback === undefined) throw missing(key);
    return fallback;
  }

  /** A required string that must not be empty or blank. */
  getNonEmptyString(key) {
    const value = this.getString(key);
    if (value.trim() === '') throw invalid(key, value, 'String must be non-empty');
    return value;
  }

  /** An optional string: undefined when absent or empty. */
  getOptionalString(key) {
    const value = this.values.get(key);
    return value === undefined || value === '' ? undefined : value;
  }

  #parsed(key, fallback, parse) {
    const raw = this.values.get(key)?.trim();
    if (raw === undefined || raw === '') {
      if (fallback === undefined) throw missing(key);
      return fallback;
    }
    return parse(raw);
  }

  #integer(key, fallback, type, min, max) {
    return this.#parsed(key, fallback, (raw) => {
      if (!INT_PATTERN.test(raw)) throw invalid(key, raw, `Not a number of type ${type}`);
      const value = Number(raw);
      if (value < min || value > max) throw invalid(key, raw, `Not a number of type ${type}`);
      return value;
    });
  }

  /** A 32-bit integer: required without `fallback`. */
  getInt(key, fallback) {
    return this.#integer(key, fallback, 'INT', -(2 ** 31), 2 ** 31 - 1);
  }

  /** A 16-bit integer: required without `fallback`. */
  getShort(key, fallback) {
    return this.#integer(key, fallback, 'SHORT', -(2 ** 15), 2 ** 15 - 1);
  }

  /** A 64-bit integer as a `number` (exact up to 2^53): required without `fallback`. */
  getLong(key, fallback) {
    return this.#integer(key, fallback, 'LONG', Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
  }

  /** A floating-point number: required without `fallback`. */
  getDouble(key, fallback) {
    return this.#parsed(key, fallback, (raw) => {
      const value = Number(raw);
      if (Number.isNaN(value) && raw !== 'NaN') throw invalid(key, raw, 'Not a number of type DOUBLE');
      return value;
    });
  }

  /** `true`/`false` (case-insensitive, as Kafka parses it): required without `fallback`. */
  getBoolean(key, fallback) {
    return this.#parsed(key, fallback, (raw) => {
      if (raw.toLowerCase() === 'true') return true;
      if (raw.toLowerCase() === 'false') return false;
      throw invalid(key, raw, 'Expected value to be either true or false');
    });
  }

  /** A comma-separated list, items trimmed and empty items dropped (empty when absent). */
  getList(key) {
    const value = this.values.get(key);
    if (value === undefined) return [];
    return value
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== '');
  }

  /** A required list with at least one item (Kafka's `NonEmptyListValidator`). */
  getNonEmptyList(key) {
    this.getString(key);
    const list = this.getList(key);
    if (list.length === 0) throw new PluginError(`Invalid value [] for configuration ${key}: Empty list`);
    return list;
  }
}
