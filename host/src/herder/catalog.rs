//! What every herder answers the same way: the plugins installed, their config definitions, and
//! validation of a connector config (`GET /connector-plugins`, `…/{p}/config`, `…/config/validate`).

use std::sync::Arc;

use serde::Serialize;

use super::validation::validate_as;
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

/// The connectors' tenant of `config` (from its qualified name), when tenancy is on.
pub(crate) fn config_owner<'a>(ctx: &WorkerContext, config: &'a ConfigMap) -> Option<&'a str> {
    config
        .get("name")
        .and_then(|name| ctx.tenants.owner_of(name))
}

/// Refuse an upload of `size` bytes that would take `tenant` past its `plugin.bytes` quota.
fn check_plugin_bytes(
    ctx: &WorkerContext,
    tenant: &str,
    size: usize,
    sha256: &str,
) -> Result<(), HerderError> {
    let Some(limit) = ctx
        .tenants
        .tenant(tenant)
        .and_then(|t| t.quotas.plugin_bytes)
    else {
        return Ok(());
    };
    let owned: Vec<Arc<RegisteredPlugin>> = ctx
        .registry
        .all()
        .into_iter()
        .filter(|p| p.owner.as_deref() == Some(tenant))
        .collect();
    if owned.iter().any(|p| p.sha256 == sha256) {
        return Ok(()); // the same upload again takes no more room
    }
    let used: u64 = owned.iter().map(|p| p.size as u64).sum();
    let after = used + size as u64;
    if after > limit {
        return Err(HerderError::Forbidden(
            crate::tenancy::QuotaExceeded {
                tenant: tenant.to_string(),
                quota: "plugin.bytes",
                limit,
                what: "bytes of uploaded plugins",
                detail: format!("; it keeps {used} bytes and this upload has {size}"),
            }
            .to_string(),
        ));
    }
    Ok(())
}

/// `POST /connector-plugins`: check, register and keep an uploaded component; whether it is new.
/// A tenant's upload is its private plugin.
pub(crate) async fn upload_plugin(
    ctx: &Arc<WorkerContext>,
    bytes: Vec<u8>,
    tenant: Option<&str>,
) -> Result<(PluginVersionInfo, bool), HerderError> {
    let ctx = ctx.clone();
    let tenant = tenant.map(str::to_string);
    tokio::task::spawn_blocking(move || {
        let max = ctx.config.plugin_upload_max_bytes;
        // One upload or delete at a time: an identical upload waits for this one to be kept.
        let _edit = ctx.registry.edit_lock();
        if let Some(tenant) = &tenant {
            let sha = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&bytes));
            check_plugin_bytes(&ctx, tenant, bytes.len(), &sha)?;
        }
        let (plugin, added) = ctx.registry.install(&bytes, max, tenant.as_deref())?;
        if added == Added::New
            && let Err(e) = ctx.plugin_store.save(&plugin, &bytes)
        {
            // Not kept: do not let it look installed.
            let _ = ctx
                .registry
                .remove(tenant.as_deref(), plugin.name(), plugin.version());
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
    tenant: Option<&str>,
    name: &str,
) -> Result<Vec<PluginVersionInfo>, HerderError> {
    let versions = ctx.registry.versions_for(tenant, name);
    if versions.is_empty() {
        return Err(HerderError::PluginNotFound(name.to_string()));
    }
    Ok(versions.iter().map(|p| PluginVersionInfo::of(p)).collect())
}

/// Every plugin a connector config runs: its connector, transforms and predicates, each pinned
/// (`*.plugin.version`) or the newest.
pub(crate) fn plugins_used(ctx: &WorkerContext, config: &ConfigMap) -> Vec<Arc<RegisteredPlugin>> {
    let mut used = Vec::new();
    let owner = config_owner(ctx, config);
    let mut resolve = |name: Option<&String>, version: Option<&String>| {
        if let Some(p) =
            name.and_then(|n| ctx.registry.find_for(owner, n, version.map(String::as_str)))
        {
            used.push(p);
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
    tenant: Option<&str>,
    name: &str,
    version: &str,
    configs: Vec<(String, ConfigMap)>,
) -> Result<(), HerderError> {
    let plugin = ctx
        .registry
        .find_for(tenant, name, Some(version))
        // A tenant may only delete its own uploads; an admin only public ones.
        .filter(|p| p.owner.is_none() || p.owner.as_deref() == tenant)
        .ok_or_else(|| {
            HerderError::NotFound(
                RegistryError::NoSuchVersion {
                    name: name.to_string(),
                    version: version.to_string(),
                }
                .to_string(),
            )
        })?;
    if plugin.source != PluginSource::Uploaded || plugin.owner.as_deref() != tenant {
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
                .any(|p| Arc::ptr_eq(p, &plugin))
        })
        // A tenant sees its own connectors' names; only its connectors can use its plugins.
        .map(|(c, _)| match crate::tenancy::split(c) {
            Some((_, local)) if tenant.is_some() => local.to_string(),
            _ => c.clone(),
        })
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
        match ctx
            .registry
            .remove(plugin.owner.as_deref(), plugin.name(), plugin.version())
        {
            // Another worker's tombstone may have removed it already.
            Ok(_) | Err(RegistryError::NoSuchVersion { .. }) => Ok(()),
            Err(e) => Err(HerderError::Internal(e.to_string())),
        }
    })
    .await
    .map_err(|e| HerderError::Internal(e.to_string()))?
}

/// `GET /connector-plugins`: connector plugins, or every plugin and converter.
pub(crate) fn plugins(
    ctx: &WorkerContext,
    tenant: Option<&str>,
    connectors_only: bool,
) -> Vec<PluginInfo> {
    let mut out: Vec<PluginInfo> = ctx
        .registry
        .all()
        .iter()
        .filter(|p| p.visible_to(tenant))
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
    tenant: Option<&str>,
    plugin: &str,
) -> Result<Vec<ConfigKeyInfo>, HerderError> {
    if let Some(found) = ctx.registry.find_for(tenant, plugin, None) {
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
    tenant: Option<&str>,
    plugin: &str,
    config: ConfigMap,
) -> Result<ConfigInfos, HerderError> {
    let found = ctx
        .registry
        .find_for(tenant, plugin, None)
        .filter(|p| matches!(p.kind(), ComponentKind::Source | ComponentKind::Sink));
    let Some(found) = found else {
        return Err(HerderError::PluginNotFound(plugin.to_string()));
    };
    let ctx = ctx.clone();
    let name = found.name().to_string();
    let tenant = tenant.map(str::to_string);
    let mut config = config;
    if let Some(t) = &tenant
        && let Some(local) = config.get("name").cloned()
    {
        if local.contains('/') {
            return Err(HerderError::BadRequest(
                "Connector name must not contain '/'".into(),
            ));
        }
        config.insert("name".into(), crate::tenancy::qualify(t, &local));
    }
    let v = tokio::task::spawn_blocking(move || {
        validate_as(&ctx, &config, Some(&name), tenant.as_deref())
    })
    .await
    .map_err(|e| HerderError::Internal(e.to_string()))?;
    Ok(v.infos)
}
