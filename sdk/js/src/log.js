/**
 * Logging to the worker's log through the host's `log` import; the host adds the connector and
 * task as fields. `log.info('read', n, 'lines')` joins its arguments with spaces (objects as
 * JSON, like `console.log`).
 */
import { log as hostLog } from 'wasm-connect:plugin/host@0.1.0';
import { Struct } from './data.js';
import { isError } from './errors.js';

/** The log levels, as in SLF4J and `tracing`. */
export const Level = Object.freeze({
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
});

/** JSON for data values: bigints as numbers, maps and structs as objects, bytes as arrays. */
function jsonable(_key, value) {
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (value instanceof Map) return Object.fromEntries([...value].map(([k, v]) => [typeof k === 'string' ? k : JSON.stringify(k, jsonable), v]));
  if (value instanceof Struct) return value.toObject();
  if (ArrayBuffer.isView(value)) return [...new Uint8Array(value.buffer, value.byteOffset, value.byteLength)];
  return value;
}

function text(value) {
  if (typeof value === 'string') return value;
  if (isError(value)) return `${value.name}: ${value.message}`;
  if (typeof value === 'object' && value !== null) {
    try {
      return JSON.stringify(value, jsonable);
    } catch {
      return String(value);
    }
  }
  return String(value);
}

/**
 * Write a message at `level` (one of {@link Level}).
 * @param {string} level
 * @param {...unknown} parts joined with spaces
 */
export function logAt(level, ...parts) {
  hostLog(level, parts.map(text).join(' '));
}

/** `log.trace(…)`, `log.debug(…)`, `log.info(…)`, `log.warn(…)`, `log.error(…)`. */
export const log = Object.freeze({
  trace: (...parts) => logAt('trace', ...parts),
  debug: (...parts) => logAt('debug', ...parts),
  info: (...parts) => logAt('info', ...parts),
  warn: (...parts) => logAt('warn', ...parts),
  error: (...parts) => logAt('error', ...parts),
});
