//! Connector config validation, like Kafka's `AbstractHerder.validateConnectorConfig`.

use std::sync::Arc;

use wasm_connect_data::converter::{create_converter, create_header_converter};

use super::prepare::instance_context;
use super::{ConfigMap, WorkerContext};
use crate::config::connector::sink_config_def;
use crate::config::{
    ConfigInfos, ConfigKeyDef, ConfigType, ConnectorConfig, Importance, SandboxSettings,
    connector_config_def,
};
use crate::plugins::RegisteredPlugin;
use crate::runtime::{ComponentKind, ConnectorInstance, Grants};
use crate::task::ResolvedTransform;
use crate::tenancy::Tenant;

/// A connector's configuration checked against everything that applies to it.
pub(crate) struct Validated {
    /// Every key with its errors.
    pub infos: ConfigInfos,
    /// The connector plugin, if found.
    pub plugin: Option<Arc<RegisteredPlugin>>,
    /// The typed config, if it parsed.
    pub parsed: Option<ConnectorConfig>,
    /// Transforms resolved to plugins.
    pub transforms: Vec<ResolvedTransform>,
    /// The policy of the connector's tenant (tenancy on and a tenant's connector).
    pub tenant: Option<Arc<Tenant>>,
}

/// The plugin `name` at the version `config` pins under `version_key` (the newest when not
/// pinned); a pinned version that does not exist is an error on `version_key`.
fn find_pinned(
    ctx: &WorkerContext,
    owner: Option<&str>,
    name: &str,
    config: &ConfigMap,
    version_key: &str,
    errors: &mut Vec<(String, String)>,
) -> Option<Arc<RegisteredPlugin>> {
    let pinned = config
        .get(version_key)
        .map(|v| v.trim())
        .filter(|v| !v.is_empty());
    let found = ctx.registry.find_for(owner, name, pinned);
    if found.is_none()
        && let Some(version) = pinned
    {
        let versions: Vec<String> = ctx
            .registry
            .versions_for(owner, name)
            .iter()
            .map(|p| p.version().to_string())
            .collect();
        if !versions.is_empty() {
            errors.push((
                version_key.to_string(),
                format!(
                    "Invalid value {version} for configuration {version_key}: {name} has no version {version} (versions: {})",
                    versions.join(", ")
                ),
            ));
        }
    }
    found
}

/// Validate like Kafka's `AbstractHerder.validateConnectorConfig`: common keys, sink keys, the
/// plugin's keys, each transform's and predicate's keys under their prefix, and the plugin's
/// own `validate`; every error at once.
pub(crate) fn validate(
    ctx: &WorkerContext,
    config: &ConfigMap,
    plugin_name: Option<&str>,
) -> Validated {
    validate_as(ctx, config, plugin_name, None)
}

/// [`validate`] for a connector of `tenant` (when its config's name is not qualified, as in
/// `PUT /connector-plugins/{p}/config/validate`); `None`: the tenant of the config's name.
pub(crate) fn validate_as(
    ctx: &WorkerContext,
    config: &ConfigMap,
    plugin_name: Option<&str>,
    tenant: Option<&str>,
) -> Validated {
    let tenant: Option<Arc<Tenant>> = match tenant {
        Some(t) => Some(ctx.tenants.policy(t)),
        None => config
            .get("name")
            .and_then(|name| ctx.tenants.policy_for_connector(name)),
    };
    let owner_name = tenant.as_ref().map(|t| t.name.clone());
    let owner = owner_name.as_deref();
    let class = plugin_name
        .map(str::to_string)
        .or_else(|| config.get("connector.class").cloned())
        .unwrap_or_default();
    let mut extra: Vec<(String, String)> = Vec::new();
    let plugin = find_pinned(
        ctx,
        owner,
        &class,
        config,
        "connector.plugin.version",
        &mut extra,
    )
    .filter(|p| matches!(p.kind(), ComponentKind::Source | ComponentKind::Sink));
    let mut def = connector_config_def();
    if !class.trim().is_empty()
        && plugin.is_none()
        && !extra.iter().any(|(k, _)| k == "connector.plugin.version")
    {
        extra.push((
            "connector.class".into(),
            format!("Invalid value {class} for configuration connector.class: Failed to find any class that implements Connector and which name matches {class}"),
        ));
    }
    let is_sink = plugin
        .as_ref()
        .is_some_and(|p| p.kind() == ComponentKind::Sink);
    if is_sink {
        for key in sink_config_def().keys {
            def.define(key);
        }
    }
    if let Some(plugin) = &plugin {
        let group = plugin.name().to_string();
        for (i, key) in plugin.description.config_def.keys.iter().enumerate() {
            let mut key = key.clone();
            key.group.get_or_insert_with(|| group.clone());
            key.order
                .get_or_insert(i32::try_from(i).unwrap_or(i32::MAX));
            def.define(key);
        }
    }
    let mut transforms = Vec::new();
    let parsed = match ConnectorConfig::parse(config, is_sink) {
        Ok(parsed) => Some(parsed),
        Err(errors) => {
            extra.extend(errors);
            None
        }
    };
    if let Some(parsed) = &parsed {
        for spec in &parsed.transforms {
            let prefix = format!("transforms.{}.", spec.alias);
            let group = format!("Transforms: {}", spec.alias);
            let type_key = format!("{prefix}type");
            def.define(
                ConfigKeyDef::new(
                    &type_key,
                    ConfigType::Class,
                    None,
                    Importance::High,
                    "Transform plugin",
                )
                .in_group(&group, -1),
            );
            let version_key = format!("{prefix}plugin.version");
            let pinned = find_pinned(ctx, owner, &spec.plugin, config, &version_key, &mut extra);
            if pinned.is_none() && extra.iter().any(|(k, _)| *k == version_key) {
                continue;
            }
            let Some(tplugin) = pinned.filter(|p| p.kind() == ComponentKind::Transform) else {
                extra.push((type_key, format!("Invalid value {} for configuration {prefix}type: no transform plugin with this name", spec.plugin)));
                continue;
            };
            def.embed(&prefix, &group, &tplugin.description.config_def);
            let predicate = match &spec.predicate {
                Some(p) => {
                    let pprefix = format!("predicates.{}.", p.alias);
                    let version_key = format!("{pprefix}plugin.version");
                    match find_pinned(ctx, owner, &p.plugin, config, &version_key, &mut extra)
                        .filter(|pl| pl.kind() == ComponentKind::Predicate)
                    {
                        Some(pplugin) => {
                            def.embed(
                                &pprefix,
                                &format!("Predicates: {}", p.alias),
                                &pplugin.description.config_def,
                            );
                            Some((p.alias.clone(), pplugin, p.config.clone()))
                        }
                        None => {
                            extra.push((format!("{pprefix}type"), format!("Invalid value {} for configuration {pprefix}type: no predicate plugin with this name", p.plugin)));
                            None
                        }
                    }
                }
                None => None,
            };
            transforms.push(ResolvedTransform {
                alias: spec.alias.clone(),
                plugin: tplugin,
                config: spec.config.clone(),
                predicate,
                negate: spec.negate,
                key_form: ResolvedTransform::is_key_form(&spec.plugin),
            });
        }
        for (i, (k, c)) in [
            ("key.converter", &parsed.key_converter),
            ("value.converter", &parsed.value_converter),
        ]
        .into_iter()
        .enumerate()
        {
            if let Some((class, settings)) = c
                && let Err(e) = create_converter(class, settings, i == 0)
            {
                extra.push((
                    k.to_string(),
                    format!("Invalid value {class} for configuration {k}: {e}"),
                ));
            }
        }
        if let Some((class, settings)) = &parsed.header_converter
            && let Err(e) = create_header_converter(class, settings)
        {
            extra.push((
                "header.converter".to_string(),
                format!("Invalid value {class} for configuration header.converter: {e}"),
            ));
        }
    }
    match &tenant {
        // The tenant's topics, files, resources and client overrides.
        Some(tenant) => extra.extend(super::tenant_policy::tenant_errors(
            tenant,
            config,
            plugin.as_ref().map(|p| &p.description.config_def),
            ctx.config.client_override_policy,
        )),
        // producer.override.*, consumer.override.*, admin.override.* against the worker's policy.
        None => extra.extend(ctx.config.client_override_policy.check(config)),
    }
    let mut infos = def.validate(
        plugin.as_ref().map_or(class.as_str(), |p| p.name()),
        config,
        &extra,
    );
    if infos.error_count == 0
        && let Some(plugin) = &plugin
    {
        // The plugin's own cross-field checks (needs an instance; only when the basics pass).
        let mut ictx = instance_context(
            ctx,
            config,
            "validate",
            &SandboxSettings::default(),
            Grants::default(),
            tenant.as_deref(),
        );
        // Validation reads no offsets (the name in a validate request is not checked yet).
        ictx.offsets = None;
        match ConnectorInstance::new(plugin.loaded.clone(), &ictx)
            .and_then(|mut c| c.validate(config))
        {
            Ok(errors) if !errors.is_empty() => {
                infos = def.validate(plugin.name(), config, &errors)
            }
            Ok(_) => {}
            Err(e) => {
                infos = def.validate(
                    plugin.name(),
                    config,
                    &[(
                        "connector.class".into(),
                        format!("plugin validation failed: {e}"),
                    )],
                )
            }
        }
    }
    Validated {
        infos,
        plugin,
        parsed,
        transforms,
        tenant,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::collections::BTreeMap;
    use std::sync::Arc;

    use super::*;
    use crate::config::WorkerConfig;
    use crate::offsets::FileOffsetStore;
    use crate::plugins::PluginRegistry;

    fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn context(dir: &std::path::Path, policy: &str) -> WorkerContext {
        let config = WorkerConfig::parse(map(&[
            ("connector.client.config.override.policy", policy),
            ("listeners", "http://127.0.0.1:0"),
        ]))
        .unwrap();
        WorkerContext {
            config: Arc::new(config),
            registry: Arc::new(PluginRegistry::default()),
            plugin_store: Arc::new(crate::plugins::DirectoryPluginStore::new(
                dir.join("plugins"),
            )),
            offsets: Arc::new(FileOffsetStore::open(&dir.join("offsets.json")).unwrap()),
            active_topics: Arc::new(crate::herder::MemoryActiveTopics::default()),
            tenants: Arc::new(crate::tenancy::TenantDirectory::disabled()),
            cluster_id: "test".into(),
            tokio: tokio::runtime::Handle::current(),
        }
    }

    fn errors_of(infos: &ConfigInfos) -> Vec<(String, String)> {
        infos
            .errors()
            .map(|(k, m)| (k.to_string(), m.to_string()))
            .collect()
    }

    #[tokio::test]
    async fn client_overrides_follow_the_worker_policy() {
        let dir = tempfile::tempdir().unwrap();
        let config = map(&[
            ("name", "c"),
            ("connector.class", "Missing"),
            ("producer.override.linger.ms", "5"),
            ("consumer.override.security.protocol", "SSL"),
        ]);
        let none = validate(&context(dir.path(), "None"), &config, None);
        let errors = errors_of(&none.infos);
        assert!(
            errors.contains(&(
                "producer.override.linger.ms".into(),
                "The 'None' policy does not allow 'linger.ms' to be overridden in the connector configuration.".into()
            )),
            "{errors:?}"
        );
        assert!(
            errors
                .iter()
                .any(|(k, _)| k == "consumer.override.security.protocol")
        );
        let principal = validate(&context(dir.path(), "Principal"), &config, None);
        let errors = errors_of(&principal.infos);
        assert!(
            errors
                .iter()
                .any(|(k, _)| k == "producer.override.linger.ms")
        );
        assert!(
            !errors
                .iter()
                .any(|(k, _)| k == "consumer.override.security.protocol")
        );
        let all = validate(&context(dir.path(), "All"), &config, None);
        assert!(
            !errors_of(&all.infos)
                .iter()
                .any(|(k, _)| k.contains(".override."))
        );
        // The unknown plugin is reported on connector.class in every case.
        assert!(
            errors_of(&all.infos)
                .iter()
                .any(|(k, _)| k == "connector.class")
        );
    }

    #[test]
    fn unknown_policies_stop_the_worker() {
        let err = WorkerConfig::parse(map(&[("connector.client.config.override.policy", "Some")]))
            .unwrap_err();
        assert!(
            err.errors()
                .any(|(k, _)| k == "connector.client.config.override.policy")
        );
    }
}
