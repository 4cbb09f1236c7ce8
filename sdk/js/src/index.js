/**
 * Wasm Connect plugins in JavaScript: connectors, transforms and predicates compiled to
 * WebAssembly components with componentize-js.
 *
 * Transforms, predicates and sinks import from this module; source connectors import from
 * `./source.js`, which re-exports all of this plus `exportSource` (it uses the host's
 * `source-context` import, which only the source world has).
 */
export { PluginError, RetriableError, toPluginError } from './errors.js';
export { log, logAt, Level } from './log.js';
export { Config, ConfigDef, ConfigType, Importance, PathAccess, Validators } from './config.js';
export {
  Type,
  Field,
  Schema,
  SchemaBuilder,
  Struct,
  schemaFromWit,
  schemaToWit,
  valueFromWit,
  valueToWit,
} from './data.js';
export {
  ConnectRecord,
  SourceRecord,
  SinkRecord,
  Header,
  Headers,
  offsetMapFromWit,
  offsetMapToWit,
} from './record.js';
export {
  Plugin,
  Transform,
  Predicate,
  Connector,
  SourceConnector,
  SinkConnector,
  SourceTask,
  SinkTask,
  exportTransform,
  exportPredicate,
  exportSink,
  pluginInterface,
  connectorInterface,
  configDefOf,
} from './plugin.js';
