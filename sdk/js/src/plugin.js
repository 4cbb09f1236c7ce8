/**
 * The classes a plugin extends and the helpers that export them as the component's WIT
 * interfaces. A plugin module ends with one export line, e.g.
 *
 * ```js
 * export const { plugin, transform } = exportTransform(MyTransform);
 * ```
 *
 * componentize-js maps each WIT interface the world exports to the module export of the same
 * name in camelCase (`plugin`, `transform`, `predicate`, `connector`, `sourceTask`, `sinkTask`).
 *
 * The host runs one connector, task, transform or predicate per component instance: the glue
 * keeps the single instance created by `start`/`configure` until `stop`.
 */
import { Config, ConfigDef } from './config.js';
import { PluginError, isError, toPluginError, witThrowable } from './errors.js';
import { logAt } from './log.js';
import { ConnectRecord, SinkRecord } from './record.js';

/**
 * What every plugin class may declare (all optional):
 *
 * - `static info = { name, version, description, aliases }` — `name` is what the worker knows the
 *   plugin by (`connector.class`, `transforms.X.type`), the class name by default;
 * - `static configDef = new ConfigDef()…` — the configuration keys the host checks before start;
 *   their defaults are filled in before the plugin sees its configuration.
 */
export class Plugin {}

/** A single message transform (Kafka's `Transformation`). */
export class Transform extends Plugin {
  /** Configure the transform once before the first record. @param {Config} _config */
  configure(_config) {}

  /**
   * Transform one record: return it (changed in place or a new one), or `null` to drop it.
   * @param {ConnectRecord} _record
   * @returns {ConnectRecord|null}
   */
  apply(_record) {
    throw new PluginError(`${this.constructor.name} does not implement apply(record)`);
  }

  /**
   * Transform a batch: one entry per record, in order — a record, `null` to drop it, or an
   * `Error` for that record alone. Calls {@link Transform#apply}; override to work on the whole
   * batch at once.
   * @param {ConnectRecord[]} records
   */
  applyBatch(records) {
    return records.map((record) => {
      try {
        return this.apply(record);
      } catch (error) {
        return toPluginError(error);
      }
    });
  }
}

/** A predicate deciding whether a transform applies (Kafka's `Predicate`). */
export class Predicate extends Plugin {
  /** Configure the predicate once before the first record. @param {Config} _config */
  configure(_config) {}

  /** Whether `record` matches. @param {ConnectRecord} _record @returns {boolean} */
  test(_record) {
    throw new PluginError(`${this.constructor.name} does not implement test(record)`);
  }

  /**
   * One answer per record, in order — a boolean, or an `Error` for that record alone. Calls
   * {@link Predicate#test}.
   * @param {ConnectRecord[]} records
   */
  testBatch(records) {
    return records.map((record) => {
      try {
        return this.test(record);
      } catch (error) {
        return toPluginError(error);
      }
    });
  }
}

/**
 * The connector half of a source or sink plugin: runs once per connector and splits the work
 * into task configurations. Also exported as `SourceConnector` and `SinkConnector`.
 */
export class Connector extends Plugin {
  /**
   * Checks beyond the config definition (e.g. rules across keys): a list of
   * `{ name, message }`, empty when valid.
   * @param {Config} _config
   */
  static validate(_config) {
    return [];
  }

  /** Start the connector. @param {Config} config */
  start(config) {
    this.config = config;
  }

  /**
   * Configurations for at most `maxTasks` tasks: {@link Config}s, `Map`s or plain objects.
   * By default every task gets the connector's configuration.
   * @param {number} maxTasks
   */
  taskConfigs(maxTasks) {
    return Array.from({ length: Math.max(1, maxTasks) }, () => this.config ?? new Config());
  }

  /** Stop the connector. */
  stop() {}
}

/** A source connector. */
export class SourceConnector extends Connector {}

/** A sink connector. */
export class SinkConnector extends Connector {}

/**
 * A source task: reads from an external system and returns records in batches. `this.context`
 * (set before `start`) answers `this.context.offset(sourcePartition)`: the last committed source
 * offset of a partition, or undefined.
 */
export class SourceTask {
  /** Start the task with one of the connector's task configurations. @param {Config} _config */
  start(_config) {}

  /**
   * The next batch of {@link SourceRecord}s (or plain objects with the same fields); an empty
   * batch tells the host to back off briefly.
   * @returns {import('./record.js').SourceRecord[]}
   */
  poll() {
    return [];
  }

  /** The host committed the offsets of every record returned so far. */
  commit() {}

  /** Stop the task. */
  stop() {}
}

/** A sink task: receives batches of records read from Kafka. */
export class SinkTask {
  /** Start the task with one of the connector's task configurations. @param {Config} _config */
  start(_config) {}

  /** Deliver a batch. @param {SinkRecord[]} _records */
  put(_records) {}

  /**
   * Make everything put so far durable; the host commits `offsets` to Kafka only after this
   * returns. @param {{ topic: string, partition: number, offset: number }[]} _offsets
   */
  flush(_offsets) {}

  /** Stop the task. */
  stop() {}
}

// ----- export glue -----

/** The class's `configDef` as a {@link ConfigDef}. */
export function configDefOf(cls) {
  const def = typeof cls.configDef === 'function' ? cls.configDef() : cls.configDef;
  if (def === undefined || def === null) return new ConfigDef();
  if (def instanceof ConfigDef) return def;
  if (Array.isArray(def)) {
    const built = new ConfigDef();
    built.keys = def;
    return built;
  }
  throw new PluginError(`${cls.name}.configDef must be a ConfigDef`);
}

/** The class's `info` as a WIT `plugin-info`. */
function infoOf(cls) {
  const info = (typeof cls.info === 'function' ? cls.info() : cls.info) ?? {};
  return {
    name: info.name ?? cls.name,
    version: info.version ?? '0.0.0',
    aliases: [...(info.aliases ?? [])],
    description: info.description ?? '',
  };
}

/** A configuration from the host, with the defaults of `cls.configDef` filled in. */
function configFor(cls, wit) {
  return new Config(wit).withDefaults(configDefOf(cls));
}

/** Run `f`; anything it throws becomes the `err` case of the export's WIT result. */
function guard(f) {
  try {
    return f();
  } catch (error) {
    throw witThrowable(error);
  }
}

function needed(instance, what) {
  if (!instance) throw new PluginError(`${what} was not started`);
  return instance;
}

function stopQuietly(instance, what) {
  if (!instance) return;
  try {
    instance.stop();
  } catch (error) {
    logAt('warn', `${what} failed to stop:`, toPluginError(error).message);
  }
}

const ok = (val) => ({ tag: 'ok', val });
const err = (error) => ({ tag: 'err', val: toPluginError(error).toWit() });

/** The WIT `plugin` interface of `cls`. */
export function pluginInterface(cls) {
  return {
    info: () => infoOf(cls),
    configDefinition: () => configDefOf(cls).toWit(),
  };
}

/**
 * The WIT `connector` interface of a connector class; `state.connector` holds the instance.
 * @param {typeof Connector} cls
 */
export function connectorInterface(cls) {
  let connector;
  return {
    validate(config) {
      try {
        return (cls.validate?.(configFor(cls, config)) ?? []).map((e) => ({ name: String(e.name), message: String(e.message) }));
      } catch (error) {
        return [{ name: '', message: toPluginError(error).message }];
      }
    },
    start(config) {
      guard(() => {
        const started = new cls();
        started.start(configFor(cls, config));
        stopQuietly(connector, 'connector');
        connector = started;
      });
    },
    taskConfigs(maxTasks) {
      return guard(() => {
        const configs = needed(connector, 'connector').taskConfigs(maxTasks) ?? [];
        return configs.map((c) => (c instanceof Config ? c : new Config(c)).toWit());
      });
    },
    stop() {
      const stopping = connector;
      connector = undefined;
      stopQuietly(stopping, 'connector');
    },
  };
}

/** `value` as an instance of `cls` (a record class): plain objects and other records are copied. */
function asRecord(value, cls) {
  return value instanceof cls ? value : new cls(value);
}

/**
 * Export a transform class: `export const { plugin, transform } = exportTransform(MyTransform);`
 * @param {typeof Transform} cls
 */
export function exportTransform(cls) {
  let instance;
  return {
    plugin: pluginInterface(cls),
    transform: {
      configure(config) {
        guard(() => {
          const configured = new cls();
          configured.configure(configFor(cls, config));
          instance = configured;
        });
      },
      apply(records) {
        if (!instance) return records.map(() => err(new PluginError('transform was not configured')));
        let outputs;
        try {
          outputs = instance.applyBatch(records.map((r) => ConnectRecord.fromWit(r)));
          if (!Array.isArray(outputs) || outputs.length !== records.length) {
            throw new PluginError(`applyBatch returned ${outputs?.length} results for ${records.length} records`);
          }
        } catch (error) {
          return records.map(() => err(error));
        }
        return outputs.map((out) => {
          if (isError(out)) return err(out);
          if (out === null || out === undefined) return ok(undefined);
          try {
            return ok(asRecord(out, ConnectRecord).toWit());
          } catch (error) {
            return err(error);
          }
        });
      },
    },
  };
}

/**
 * Export a predicate class: `export const { plugin, predicate } = exportPredicate(MyPredicate);`
 * @param {typeof Predicate} cls
 */
export function exportPredicate(cls) {
  let instance;
  return {
    plugin: pluginInterface(cls),
    predicate: {
      configure(config) {
        guard(() => {
          const configured = new cls();
          configured.configure(configFor(cls, config));
          instance = configured;
        });
      },
      test(records) {
        if (!instance) return records.map(() => err(new PluginError('predicate was not configured')));
        let answers;
        try {
          answers = instance.testBatch(records.map((r) => ConnectRecord.fromWit(r)));
          if (!Array.isArray(answers) || answers.length !== records.length) {
            throw new PluginError(`testBatch returned ${answers?.length} results for ${records.length} records`);
          }
        } catch (error) {
          return records.map(() => err(error));
        }
        return answers.map((answer) => (isError(answer) ? err(answer) : ok(Boolean(answer))));
      },
    },
  };
}

/**
 * Export a sink connector and its task class:
 * `export const { plugin, connector, sinkTask } = exportSink(MySink, MySinkTask);`
 * @param {typeof SinkConnector} connectorClass
 * @param {typeof SinkTask} taskClass
 */
export function exportSink(connectorClass, taskClass) {
  let task;
  return {
    plugin: pluginInterface(connectorClass),
    connector: connectorInterface(connectorClass),
    sinkTask: {
      start(config) {
        guard(() => {
          const started = new taskClass();
          started.start(configFor(connectorClass, config));
          stopQuietly(task, 'sink task');
          task = started;
        });
      },
      put(records) {
        guard(() => needed(task, 'sink task').put(records.map((r) => SinkRecord.fromSinkWit(r))));
      },
      flush(offsets) {
        guard(() =>
          needed(task, 'sink task').flush(
            offsets.map((o) => ({ topic: o.topic, partition: o.kafkaPartition, offset: Number(o.offset) })),
          ),
        );
      },
      stop() {
        const stopping = task;
        task = undefined;
        stopQuietly(stopping, 'sink task');
      },
    },
  };
}

/** Used by `source.js` (which imports the host's `source-context`). */
export const internals = { guard, needed, stopQuietly, configFor, asRecord };
