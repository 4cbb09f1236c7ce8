/** Stand-in for the host's `wasm-connect:plugin/host` import under Node.js. */

/** Every message logged so far, as `[level, message]` pairs. */
export const logged = [];

/** Write a message to standard error (and remember it in {@link logged}). */
export function log(level, message) {
  logged.push([level, message]);
  process.stderr.write(`[${level}] ${message}\n`);
}
