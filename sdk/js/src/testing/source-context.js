/** Stand-in for the host's `wasm-connect:plugin/source-context` import under Node.js. */

/** Committed offsets by source partition: `offsets.set(JSON.stringify(witPartition), witOffset)`. */
export const offsets = new Map();

/** The committed offset of a WIT `offset-map` partition, or undefined. */
export function offset(partition) {
  return offsets.get(JSON.stringify(partition, (_, v) => (typeof v === 'bigint' ? `${v}n` : v)));
}

/** Set the committed offset of a partition (both WIT `offset-map`s). */
export function setOffset(partition, offsetMap) {
  offsets.set(JSON.stringify(partition, (_, v) => (typeof v === 'bigint' ? `${v}n` : v)), offsetMap);
}
