/**
 * Logging to the worker's log through the host's `log` import; the host adds the connector and
 * task as fields. `log.info('read', n, 'lines')` joins its arguments with spaces (objects as
 * JSON, like `console.log`).
 */
import { log as hostLog } from 'wasm-connect:plugin/host@0.1.0';

/** The log levels, as in SLF4J and `tracing`. */
export const Level = Object.freeze({
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
});

function text(value) {
  if (typeof value === 'string') return value;
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  if (typeof value === 'object' && value !== null) {
    try {
      return JSON.stringify(value, (_, v) => (typeof v === 'bigint' ? v.toString() : v));
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
