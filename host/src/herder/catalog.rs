//! What every herder answers the same way: the plugins installed, their config definitions, and
//! validation of a connector config (`GET /connector-plugins`, `…/{p}/config`, `…/config/validate`).

use std::sync::Arc;

use super::validation::validate;
use super::{ConfigMap, HerderError, PluginInfo, WorkerContext};
use crate::config::{ConfigInfos, ConfigKeyInfo, converter_config_def};
use crate::runtime::ComponentKind;

/// `GET /connector-plugins`: connector plugins, or every plugin and converter.
pub(crate) fn plugins(ctx: &WorkerContext, connectors_only: bool) -> Vec<PluginInfo> {
    let mut out: Vec<PluginInfo> = ctx
        .registry
        .all()
        .iter()
        .filter(|p| {
            !connectors_only || matches!(p.kind(), ComponentKind::Source | ComponentKind::Sink)
        })
        .map(|p| PluginInfo {
            class: p.name().to_string(),
            plugin_type: p.kind().type_name().to_string(),
            version: p.description.version.clone(),
        })
        .collect();
    if !connectors_only {
        for (name, _) in wasm_connect_data::converter::known_converters() {
            out.push(PluginInfo {
                class: name.to_string(),
                plugin_type: "converter".into(),
                version: env!("CARGO_PKG_VERSION").into(),
            });
        }
    }
    out
}

/// `GET /connector-plugins/{p}/config`: the plugin's own config definition.
pub(crate) fn plugin_config(
    ctx: &WorkerContext,
    plugin: &str,
) -> Result<Vec<ConfigKeyInfo>, HerderError> {
    if let Some(found) = ctx.registry.find(plugin) {
        return Ok(found.description.config_def.key_infos());
    }
    wasm_connect_data::converter::known_converters()
        .iter()
        .find(|(short, long)| *short == plugin.trim() || *long == plugin.trim())
        .and_then(|(short, _)| converter_config_def(short))
        .map(|def| def.key_infos())
        .ok_or_else(|| HerderError::PluginNotFound(plugin.to_string()))
}

/// `PUT /connector-plugins/{p}/config/validate`.
pub(crate) async fn validate_config(
    ctx: &Arc<WorkerContext>,
    plugin: &str,
    config: ConfigMap,
) -> Result<ConfigInfos, HerderError> {
    let found = ctx
        .registry
        .find(plugin)
        .filter(|p| matches!(p.kind(), ComponentKind::Source | ComponentKind::Sink));
    let Some(found) = found else {
        return Err(HerderError::PluginNotFound(plugin.to_string()));
    };
    let ctx = ctx.clone();
    let name = found.name().to_string();
    let v = tokio::task::spawn_blocking(move || validate(&ctx, &config, Some(&name)))
        .await
        .map_err(|e| HerderError::Internal(e.to_string()))?;
    Ok(v.infos)
}
