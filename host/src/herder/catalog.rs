//! What every herder answers the same way: the plugins installed, their config definitions, and
//! validation of a connector config (`GET /connector-plugins`, `…/{p}/config`, `…/config/validate`).

use std::sync::Arc;

use serde::Serialize;

use super::validation::validate;
use super::{ConfigMap, HerderError, PluginInfo, WorkerContext};
use crate::config::{ConfigInfos, ConfigKeyInfo, converter_config_def};
use crate::plugins::{Added, PluginSource, RegisteredPlugin, RegistryError, UploadError};
use crate::runtime::ComponentKind;

/// One version of a plugin (`GET /connector-plugins/{p}/versions`, `POST /connector-plugins`).
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct PluginVersionInfo {
    /// Plugin name.
    pub class: String,
    /// source, sink, transformation or predicate.
    #[serde(rename = "type")]
    pub plugin_type: String,
    /// Its version.
    pub version: String,
    /// SHA-256 of the component, hex.
    pub sha256: String,
    /// Component size in bytes.
    pub size: usize,
    /// bundled, plugin.path or uploaded (only uploaded versions can be deleted).
    pub source: String,
}

impl PluginVersionInfo {
    fn of(plugin: &RegisteredPlugin) -> PluginVersionInfo {
        PluginVersionInfo {
            class: plugin.name().to_string(),
            plugin_type: plugin.kind().type_name().to_string(),
            version: plugin.version().to_string(),
            sha256: plugin.sha256.clone(),
            size: plugin.size,
            source: match plugin.source {
                PluginSource::Bundled => "bundled",
                PluginSource::PluginPath => "plugin.path",
                PluginSource::Uploaded => "uploaded",
            }
            .into(),
        }
    }
}

impl From<UploadError> for HerderError {
    fn from(e: UploadError) -> HerderError {
        match e {
            UploadError::TooLarge { .. } => HerderError::PayloadTooLarge(e.to_string()),
            UploadError::Conflict(_) => HerderError::Conflict(e.to_string()),
            _ => HerderError::BadRequest(e.to_string()),
        }
    }
}

/// `POST /connector-plugins`: check, register and keep an uploaded component; whether it is new.
pub(crate) async fn upload_plugin(
    ctx: &Arc<WorkerContext>,
    bytes: Vec<u8>,
) -> Result<(PluginVersionInfo, bool), HerderError> {
    let ctx = ctx.clone();
    tokio::task::spawn_blocking(move || {
        let max = ctx.config.plugin_upload_max_bytes;
        // One upload or delete at a time: an identical upload waits for this one to be kept.
        let _edit = ctx.registry.edit_lock();
        let (plugin, added) = ctx.registry.install(&bytes, max)?;
        if added == Added::New
            && let Err(e) = ctx.plugin_store.save(&plugin, &bytes)
        {
            // Not kept: do not let it look installed.
            let _ = ctx.registry.remove(plugin.name(), plugin.version());
            return Err(HerderError::Internal(e));
        }
        Ok((PluginVersionInfo::of(&plugin), added == Added::New))
    })
    .await
    .map_err(|e| HerderError::Internal(e.to_string()))?
}

/// `GET /connector-plugins/{p}/versions`.
pub(crate) fn plugin_versions(
    ctx: &WorkerContext,
    name: &str,
) -> Result<Vec<PluginVersionInfo>, HerderError> {
    let versions = ctx.registry.versions(name);
    if versions.is_empty() {
        return Err(HerderError::PluginNotFound(name.to_string()));
    }
    Ok(versions.iter().map(|p| PluginVersionInfo::of(p)).collect())
}

/// Every (plugin name, version) a connector config runs: its connector, transforms and
/// predicates, each pinned (`*.plugin.version`) or the newest.
pub(crate) fn plugins_used(ctx: &WorkerContext, config: &ConfigMap) -> Vec<(String, String)> {
    let mut used = Vec::new();
    let mut resolve = |name: Option<&String>, version: Option<&String>| {
        if let Some(p) =
            name.and_then(|n| ctx.registry.find_version(n, version.map(String::as_str)))
        {
            used.push((p.name().to_string(), p.version().to_string()));
        }
    };
    resolve(
        config.get("connector.class"),
        config.get("connector.plugin.version"),
    );
    for group in ["transforms", "predicates"] {
        for alias in crate::config::connector::parse_list(config.get(group)) {
            resolve(
                config.get(&format!("{group}.{alias}.type")),
                config.get(&format!("{group}.{alias}.plugin.version")),
            );
        }
    }
    used
}

/// `DELETE /connector-plugins/{p}/versions/{v}`: refused while any of `configs` (name, config)
/// runs that version.
pub(crate) async fn delete_plugin_version(
    ctx: &Arc<WorkerContext>,
    name: &str,
    version: &str,
    configs: Vec<(String, ConfigMap)>,
) -> Result<(), HerderError> {
    let plugin = ctx
        .registry
        .find_version(name, Some(version))
        .ok_or_else(|| {
            HerderError::NotFound(
                RegistryError::NoSuchVersion {
                    name: name.to_string(),
                    version: version.to_string(),
                }
                .to_string(),
            )
        })?;
    if plugin.source != PluginSource::Uploaded {
        return Err(HerderError::BadRequest(
            RegistryError::NotRemovable {
                name: plugin.name().to_string(),
                origin: plugin.origin.clone(),
            }
            .to_string(),
        ));
    }
    let users: Vec<String> = configs
        .iter()
        .filter(|(_, config)| {
            plugins_used(ctx, config)
                .iter()
                .any(|(n, v)| n == plugin.name() && v == plugin.version())
        })
        .map(|(c, _)| c.clone())
        .collect();
    if !users.is_empty() {
        return Err(HerderError::Conflict(format!(
            "Plugin {} version {} is used by connector(s) {}; move them to another version first",
            plugin.name(),
            plugin.version(),
            users.join(", ")
        )));
    }
    let ctx = ctx.clone();
    tokio::task::spawn_blocking(move || {
        let _edit = ctx.registry.edit_lock();
        ctx.plugin_store
            .delete(&plugin)
            .map_err(HerderError::Internal)?;
        match ctx.registry.remove(plugin.name(), plugin.version()) {
            // Another worker's tombstone may have removed it already.
            Ok(_) | Err(RegistryError::NoSuchVersion { .. }) => Ok(()),
            Err(e) => Err(HerderError::Internal(e.to_string())),
        }
    })
    .await
    .map_err(|e| HerderError::Internal(e.to_string()))?
}

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
