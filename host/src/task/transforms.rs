//! The transform chain of a task: each stage is a Wasm transform, optionally guarded by a Wasm
//! predicate (`transforms.<a>.predicate`, `.negate`). Records pass in batches.

use std::collections::BTreeMap;
use std::sync::Arc;

use wasm_connect_data::ConnectRecord;

use super::RecordError;
use crate::plugins::RegisteredPlugin;
use crate::runtime::{InstanceContext, PluginCallError, PredicateInstance, TransformInstance};

/// A transform alias resolved to its plugins.
#[derive(Clone)]
pub struct ResolvedTransform {
    /// The alias.
    pub alias: String,
    /// The transform plugin.
    pub plugin: Arc<RegisteredPlugin>,
    /// Its configuration.
    pub config: BTreeMap<String, String>,
    /// The predicate plugin and configuration, if any.
    pub predicate: Option<(String, Arc<RegisteredPlugin>, BTreeMap<String, String>)>,
    /// `negate`.
    pub negate: bool,
    /// The transform was selected by a name ending in `$Key` (Kafka's `Cast$Key`, …): it sees each
    /// record with key and value swapped, so one plugin written against the value serves both forms.
    pub key_form: bool,
}

impl ResolvedTransform {
    /// True when `type_name` selects the `$Key` form of a transform.
    pub fn is_key_form(type_name: &str) -> bool {
        type_name.trim().ends_with("$Key")
    }
}

struct Stage {
    alias: String,
    plugin_name: String,
    transform: TransformInstance,
    predicate: Option<(String, PredicateInstance)>,
    negate: bool,
    key_form: bool,
}

/// Instantiated transforms of one task.
pub struct TransformChain {
    stages: Vec<Stage>,
}

/// The outcome for one record after the chain.
pub type ChainResult = Result<Option<ConnectRecord>, RecordError>;

impl TransformChain {
    /// Instantiate every transform and predicate in its own store.
    pub fn new(
        transforms: &[ResolvedTransform],
        ctx: &InstanceContext,
    ) -> Result<TransformChain, String> {
        let mut stages = Vec::with_capacity(transforms.len());
        for t in transforms {
            let mut tctx = ctx.clone();
            tctx.role = format!("{}/transform:{}", ctx.role, t.alias);
            let transform = TransformInstance::new(t.plugin.loaded.clone(), &tctx, &t.config)
                .map_err(|e| {
                    format!(
                        "cannot start transform {} ({}): {e}",
                        t.alias,
                        t.plugin.name()
                    )
                })?;
            let predicate = match &t.predicate {
                Some((alias, plugin, config)) => {
                    let mut pctx = ctx.clone();
                    pctx.role = format!("{}/predicate:{alias}", ctx.role);
                    let instance = PredicateInstance::new(plugin.loaded.clone(), &pctx, config)
                        .map_err(|e| {
                            format!("cannot start predicate {alias} ({}): {e}", plugin.name())
                        })?;
                    Some((alias.clone(), instance))
                }
                None => None,
            };
            stages.push(Stage {
                alias: t.alias.clone(),
                plugin_name: t.plugin.name().to_string(),
                transform,
                predicate,
                negate: t.negate,
                key_form: t.key_form,
            });
        }
        Ok(TransformChain { stages })
    }

    /// True when there are no transforms.
    pub fn is_empty(&self) -> bool {
        self.stages.is_empty()
    }

    /// Run a batch through every stage. The outer `Err` means an instance failed (trap,
    /// deadline, memory cap) and the task must fail with that trace.
    pub fn apply(&mut self, records: Vec<ConnectRecord>) -> Result<Vec<ChainResult>, String> {
        let mut results: Vec<ChainResult> = records.into_iter().map(|r| Ok(Some(r))).collect();
        for stage in &mut self.stages {
            let live: Vec<usize> = results
                .iter()
                .enumerate()
                .filter(|(_, r)| matches!(r, Ok(Some(_))))
                .map(|(i, _)| i)
                .collect();
            if live.is_empty() {
                break;
            }
            let batch: Vec<ConnectRecord> = live
                .iter()
                .filter_map(|&i| results[i].as_ref().ok().and_then(|r| r.clone()))
                .collect();
            let selected: Vec<bool> = match &mut stage.predicate {
                Some((alias, predicate)) => {
                    let answers = predicate.test(&batch).map_err(|e| {
                        format!("predicate {alias} of transform {} failed: {e}", stage.alias)
                    })?;
                    let mut selected = Vec::with_capacity(answers.len());
                    for (answer, &i) in answers.into_iter().zip(&live) {
                        match answer {
                            Ok(matched) => selected.push(matched != stage.negate),
                            Err(e) => {
                                results[i] = Err(record_error(&stage.plugin_name, alias, e));
                                selected.push(false);
                            }
                        }
                    }
                    selected
                }
                None => vec![true; batch.len()],
            };
            let (indices, mut inputs): (Vec<usize>, Vec<ConnectRecord>) = live
                .iter()
                .zip(batch)
                .zip(&selected)
                .filter(|(_, keep)| **keep)
                .map(|((&i, r), _)| (i, r))
                .unzip();
            if inputs.is_empty() {
                continue;
            }
            if stage.key_form {
                inputs.iter_mut().for_each(swap_key_and_value);
            }
            let mut outputs = stage.transform.apply(&inputs).map_err(|e| {
                format!(
                    "transform {} ({}) failed: {e}",
                    stage.alias, stage.plugin_name
                )
            })?;
            if stage.key_form {
                outputs
                    .iter_mut()
                    .filter_map(|o| o.as_mut().ok().and_then(Option::as_mut))
                    .for_each(swap_key_and_value);
            }
            for (output, i) in outputs.into_iter().zip(indices) {
                results[i] = output.map_err(|e| record_error(&stage.plugin_name, &stage.alias, e));
            }
        }
        Ok(results)
    }
}

/// Swap key and value (schema and data): how the `$Key` form of a transform sees a record.
pub fn swap_key_and_value(record: &mut ConnectRecord) {
    std::mem::swap(&mut record.key, &mut record.value);
}

fn record_error(plugin: &str, alias: &str, e: PluginCallError) -> RecordError {
    RecordError {
        stage: "TRANSFORMATION",
        plugin: format!("{plugin} ({alias})"),
        message: e.to_string(),
    }
}
