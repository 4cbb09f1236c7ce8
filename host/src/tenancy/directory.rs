//! What a worker knows about tenants: their settings, key hashes and the recent audit log,
//! replayed from the config topic; and who a REST request comes from.

use std::collections::{BTreeMap, VecDeque};
use std::path::Path;
use std::sync::{Arc, RwLock};

use super::{AuditEntry, KeyInfo, KeyRecord, Tenant, hash_key, split};

/// Audit entries each worker keeps in memory (the config topic keeps them all).
const AUDIT_KEPT: usize = 10_000;

/// Who a REST request comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Caller {
    /// Tenancy is off: Kafka Connect's open API.
    Open,
    /// The admin key: manages tenants, keys, public plugins and loggers.
    Admin,
    /// Another worker, forwarding a request it received (with the forwarding key derived from
    /// the admin key): acts as the admin, and is not audited twice.
    Internal,
    /// A tenant's key.
    Tenant {
        /// The tenant.
        tenant: String,
        /// The key's id.
        key_id: String,
    },
}

impl Caller {
    /// The tenant, for a tenant's key.
    pub fn tenant(&self) -> Option<&str> {
        match self {
            Caller::Tenant { tenant, .. } => Some(tenant),
            _ => None,
        }
    }

    /// The key id for the audit log.
    pub fn key_id(&self) -> &str {
        match self {
            Caller::Open => "none",
            Caller::Admin | Caller::Internal => "admin",
            Caller::Tenant { key_id, .. } => key_id,
        }
    }
}

/// Why a request is not authenticated (HTTP 401).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    /// No `Authorization: Bearer` header.
    #[error(
        "Authentication required: send 'Authorization: Bearer <key>' (tenancy is enabled on this cluster)"
    )]
    Missing,
    /// A key nobody has.
    #[error("Authentication failed: the key is not valid (it may have been deleted)")]
    Unknown,
}

#[derive(Default)]
struct State {
    tenants: BTreeMap<String, Arc<Tenant>>,
    /// Keys by the SHA-256 of the key.
    keys: BTreeMap<String, KeyRecord>,
    audit: VecDeque<AuditEntry>,
}

/// Tenants, keys and audit entries of the cluster as this worker has read them.
#[derive(Default)]
pub struct TenantDirectory {
    /// SHA-256 of the admin key; `None` when tenancy is off.
    admin_key_sha256: Option<String>,
    /// The key workers send when they forward a request to each other: derived from the admin
    /// key, so that the admin key itself never travels between workers and an admin request is
    /// always audited.
    forward_key: Option<String>,
    /// SHA-256 of the forwarding key.
    forward_key_sha256: Option<String>,
    state: RwLock<State>,
}

impl TenantDirectory {
    /// Tenancy off: every request is [`Caller::Open`] and no connector has a tenant.
    pub fn disabled() -> TenantDirectory {
        TenantDirectory::default()
    }

    /// Tenancy on, with this admin key.
    pub fn enabled(admin_key: &str) -> TenantDirectory {
        let forward = hash_key(&format!("wasm-connect-forward:{}", admin_key.trim()));
        TenantDirectory {
            admin_key_sha256: Some(hash_key(admin_key)),
            forward_key_sha256: Some(hash_key(&forward)),
            forward_key: Some(forward),
            state: RwLock::default(),
        }
    }

    /// Tenancy on, with the admin key read from `path` (`tenancy.admin.key.file`).
    pub fn with_admin_key_file(path: &Path) -> Result<TenantDirectory, String> {
        let key = std::fs::read_to_string(path).map_err(|e| {
            format!(
                "tenancy.admin.key.file: cannot read {}: {e}",
                path.display()
            )
        })?;
        if key.trim().len() < 16 {
            return Err(format!(
                "tenancy.admin.key.file: the key in {} must have at least 16 characters",
                path.display()
            ));
        }
        Ok(TenantDirectory::enabled(&key))
    }

    /// The key to send with a request forwarded to another worker (tenancy on).
    pub fn forward_key(&self) -> Option<&str> {
        self.forward_key.as_deref()
    }

    /// Whether tenancy is on.
    pub fn is_enabled(&self) -> bool {
        self.admin_key_sha256.is_some()
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, State> {
        self.state.read().unwrap_or_else(|p| p.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, State> {
        self.state.write().unwrap_or_else(|p| p.into_inner())
    }

    /// Who sends `authorization` (the `Authorization` header's value).
    pub fn authenticate(&self, authorization: Option<&str>) -> Result<Caller, AuthError> {
        let Some(admin) = &self.admin_key_sha256 else {
            return Ok(Caller::Open);
        };
        let key = authorization
            .and_then(|h| {
                h.strip_prefix("Bearer ")
                    .or_else(|| h.strip_prefix("bearer "))
            })
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .ok_or(AuthError::Missing)?;
        let hash = hash_key(key);
        if hash == *admin {
            return Ok(Caller::Admin);
        }
        if self.forward_key_sha256.as_ref() == Some(&hash) {
            return Ok(Caller::Internal);
        }
        let state = self.read();
        match state.keys.get(&hash) {
            Some(record) if state.tenants.contains_key(&record.tenant) => Ok(Caller::Tenant {
                tenant: record.tenant.clone(),
                key_id: record.id.clone(),
            }),
            _ => Err(AuthError::Unknown),
        }
    }

    /// A tenant's settings.
    pub fn tenant(&self, name: &str) -> Option<Arc<Tenant>> {
        self.read().tenants.get(name).cloned()
    }

    /// Every tenant's name, sorted.
    pub fn tenant_names(&self) -> Vec<String> {
        self.read().tenants.keys().cloned().collect()
    }

    /// A tenant's keys (ids and dates only).
    pub fn keys_of(&self, tenant: &str) -> Vec<KeyInfo> {
        let mut keys: Vec<KeyInfo> = self
            .read()
            .keys
            .values()
            .filter(|k| k.tenant == tenant)
            .map(|k| KeyInfo {
                id: k.id.clone(),
                created: k.created.clone(),
            })
            .collect();
        keys.sort_by(|a, b| a.created.cmp(&b.created).then(a.id.cmp(&b.id)));
        keys
    }

    /// The policy of the tenant owning `connector`: `None` when tenancy is off or the name is
    /// not qualified; a deny-all policy when its tenant is gone.
    pub fn policy_for_connector(&self, connector: &str) -> Option<Arc<Tenant>> {
        self.owner_of(connector).map(|owner| self.policy(owner))
    }

    /// The policy of `tenant`: its settings, or deny-all when it is gone (fail closed).
    pub fn policy(&self, tenant: &str) -> Arc<Tenant> {
        self.tenant(tenant)
            .unwrap_or_else(|| Arc::new(Tenant::deny_all(tenant)))
    }

    /// The tenant part of a qualified connector name, when tenancy is on.
    pub fn owner_of<'a>(&self, connector: &'a str) -> Option<&'a str> {
        if !self.is_enabled() {
            return None;
        }
        split(connector).map(|(tenant, _)| tenant)
    }

    /// Apply a `tenant-<t>` record.
    pub fn apply_tenant(&self, name: &str, tenant: Option<Tenant>) {
        let mut state = self.write();
        match tenant {
            Some(t) => {
                state.tenants.insert(name.to_string(), Arc::new(t));
            }
            None => {
                state.tenants.remove(name);
            }
        }
    }

    /// Apply a `tenant-key-<t>-<id>` record.
    pub fn apply_key(&self, tenant: &str, id: &str, record: Option<KeyRecord>) {
        let mut state = self.write();
        state
            .keys
            .retain(|_, k| !(k.tenant == tenant && k.id == id));
        if let Some(record) = record {
            state.keys.insert(record.sha256.clone(), record);
        }
    }

    /// Apply an `audit-…` record.
    pub fn apply_audit(&self, entry: AuditEntry) {
        let mut state = self.write();
        if state.audit.len() == AUDIT_KEPT {
            state.audit.pop_front();
        }
        state.audit.push_back(entry);
    }

    /// The newest `limit` audit entries (of `tenant`, if given), oldest first.
    pub fn audit(&self, tenant: Option<&str>, limit: usize) -> Vec<AuditEntry> {
        let state = self.read();
        let mut entries: Vec<AuditEntry> = state
            .audit
            .iter()
            .rev()
            .filter(|e| tenant.is_none_or(|t| e.tenant.as_deref() == Some(t)))
            .take(limit)
            .cloned()
            .collect();
        entries.reverse();
        entries
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::tenancy::new_key;

    #[test]
    fn requests_are_admin_tenant_or_refused() {
        let directory = TenantDirectory::enabled("the-admin-key-0123");
        assert_eq!(
            directory.authenticate(Some("Bearer the-admin-key-0123")),
            Ok(Caller::Admin)
        );
        assert_eq!(directory.authenticate(None), Err(AuthError::Missing));
        // Workers forward with a key derived from the admin key, never the admin key itself.
        let forward = directory.forward_key().unwrap().to_string();
        assert_ne!(forward, "the-admin-key-0123");
        assert_eq!(
            directory.authenticate(Some(&format!("Bearer {forward}"))),
            Ok(Caller::Internal)
        );
        assert_eq!(
            directory.authenticate(Some("Basic abc")),
            Err(AuthError::Missing)
        );
        let (id, key) = new_key();
        directory.apply_key(
            "a",
            &id,
            Some(KeyRecord {
                id: id.clone(),
                tenant: "a".into(),
                sha256: hash_key(&key),
                created: "now".into(),
            }),
        );
        let bearer = format!("Bearer {key}");
        // A key of a tenant that does not exist (any more) does not authenticate.
        assert_eq!(
            directory.authenticate(Some(&bearer)),
            Err(AuthError::Unknown)
        );
        directory.apply_tenant("a", Some(Tenant::deny_all("a")));
        assert_eq!(
            directory.authenticate(Some(&bearer)),
            Ok(Caller::Tenant {
                tenant: "a".into(),
                key_id: id.clone()
            })
        );
        directory.apply_key("a", &id, None);
        assert_eq!(
            directory.authenticate(Some(&bearer)),
            Err(AuthError::Unknown)
        );
        assert_eq!(
            TenantDirectory::disabled().authenticate(None),
            Ok(Caller::Open)
        );
    }

    #[test]
    fn connectors_get_their_tenants_policy_or_none() {
        let directory = TenantDirectory::enabled("the-admin-key-0123");
        let a = Tenant {
            name: "a".into(),
            topic_prefixes: vec!["a.".into()],
            ..Tenant::default()
        };
        directory.apply_tenant("a", Some(a.clone()));
        assert_eq!(*directory.policy_for_connector("a/c").unwrap(), a);
        assert_eq!(directory.policy_for_connector("plain"), None);
        // Fail closed: a connector of a tenant that is gone may touch nothing.
        assert_eq!(
            *directory.policy_for_connector("gone/c").unwrap(),
            Tenant::deny_all("gone")
        );
        assert_eq!(
            TenantDirectory::disabled().policy_for_connector("a/c"),
            None
        );
    }

    #[test]
    fn audit_keeps_the_newest_entries_per_tenant() {
        let directory = TenantDirectory::enabled("the-admin-key-0123");
        for i in 0..5 {
            let tenant = if i % 2 == 0 { "a" } else { "b" };
            directory.apply_audit(AuditEntry::now(
                Some(tenant),
                "k",
                "connector.create",
                &i.to_string(),
            ));
        }
        let a: Vec<String> = directory
            .audit(Some("a"), 2)
            .into_iter()
            .map(|e| e.target)
            .collect();
        assert_eq!(a, ["2", "4"]);
        assert_eq!(directory.audit(None, 100).len(), 5);
    }
}
