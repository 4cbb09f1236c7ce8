/**
 * Source connectors: everything `index.js` exports, plus {@link exportSource} and
 * {@link sourceOffset}, which use the host's `source-context` import (only the `source-plugin`
 * world has it, so transforms, predicates and sinks import `index.js` instead).
 */
import { offset as hostOffset } from 'wasm-connect:plugin/source-context@0.1.0';
import { SourceRecord, offsetMapFromWit, offsetMapToWit } from './record.js';
import { connectorInterface, internals, pluginInterface } from './plugin.js';

export * from './index.js';

const { guard, needed, stopQuietly, configFor, asRecord } = internals;

/**
 * The last committed source offset of `partition` (Kafka's `OffsetStorageReader.offset`), or
 * undefined when none was committed.
 * @param {Record<string, null|boolean|number|bigint|string>} partition
 */
export function sourceOffset(partition) {
  const offset = hostOffset(offsetMapToWit(partition));
  return offset === undefined || offset === null ? undefined : offsetMapFromWit(offset);
}

/** What a source task's `this.context` offers. */
export const sourceContext = Object.freeze({ offset: sourceOffset });

/**
 * Export a source connector and its task class:
 * `export const { plugin, connector, sourceTask } = exportSource(MySource, MySourceTask);`
 * @param {typeof import('./plugin.js').SourceConnector} connectorClass
 * @param {typeof import('./plugin.js').SourceTask} taskClass
 */
export function exportSource(connectorClass, taskClass) {
  let task;
  return {
    plugin: pluginInterface(connectorClass),
    connector: connectorInterface(connectorClass),
    sourceTask: {
      start(config) {
        guard(() => {
          const started = new taskClass();
          started.context = sourceContext;
          started.start(configFor(connectorClass, config));
          stopQuietly(task, 'source task');
          task = started;
        });
      },
      poll() {
        return guard(() => (needed(task, 'source task').poll() ?? []).map((r) => asRecord(r, SourceRecord).toSourceWit()));
      },
      commit() {
        guard(() => needed(task, 'source task').commit());
      },
      stop() {
        const stopping = task;
        task = undefined;
        stopQuietly(stopping, 'source task');
      },
    },
  };
}
