/**
 * Errors a plugin returns to the host (WIT `plugin-error`).
 *
 * Throw a {@link PluginError} (or a {@link RetriableError} when trying the same call again may
 * succeed) from any plugin method; the export glue turns it into `plugin-error { message,
 * retriable }`. Any other exception becomes a non-retriable `plugin-error` whose message names
 * the exception, so a bug in a plugin fails the call instead of trapping the component.
 */

/** A non-retriable plugin error (Kafka's `ConnectException`). */
export class PluginError extends Error {
  /**
   * @param {string} message what went wrong
   * @param {{ retriable?: boolean, cause?: unknown }} [options]
   */
  constructor(message, options = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'PluginError';
    /** True when retrying the same call may succeed. */
    this.retriable = Boolean(options.retriable);
  }

  /** The WIT `plugin-error` record. */
  toWit() {
    return { message: this.message, retriable: this.retriable };
  }
}

/** A retriable error (Kafka's `RetriableException`): the host may retry the same call. */
export class RetriableError extends PluginError {
  /**
   * @param {string} message what went wrong
   * @param {{ cause?: unknown }} [options]
   */
  constructor(message, options = {}) {
    super(message, { ...options, retriable: true });
    this.name = 'RetriableError';
  }
}

/**
 * Any thrown value as a {@link PluginError}: plugin errors as they are, other errors with their
 * name (`TypeError: …`), anything else by its string form.
 * @param {unknown} error
 * @returns {PluginError}
 */
export function toPluginError(error) {
  if (error instanceof PluginError) return error;
  if (isError(error)) {
    const retriable = typeof error.retriable === 'boolean' ? error.retriable : false;
    const message = error.name && error.name !== 'PluginError' ? `${error.name}: ${error.message}` : error.message;
    return new PluginError(message, { retriable, cause: error });
  }
  if (error && typeof error === 'object' && typeof error.message === 'string') {
    return new PluginError(error.message, { retriable: Boolean(error.retriable) });
  }
  return new PluginError(String(error));
}

/**
 * True for errors, including those the engine throws inside a component (which may come from
 * another realm than the module's `Error`, so `instanceof Error` is not enough).
 * @param {unknown} value
 */
export function isError(value) {
  return value instanceof Error || Object.prototype.toString.call(value) === '[object Error]';
}

/**
 * The value componentize-js turns into the `err` case of a WIT result when an export throws it:
 * an object with an own `payload` (a thrown `Error` without one would trap the component).
 * @param {unknown} error
 */
export function witThrowable(error) {
  const pluginError = toPluginError(error);
  return { payload: pluginError.toWit(), message: pluginError.message };
}
