//! The audit log: every change made over REST, with who made it and when.

use serde::{Deserialize, Serialize};

/// One change (`GET /admin/audit`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AuditEntry {
    /// When (RFC 3339, UTC, milliseconds).
    pub time: String,
    /// The tenant whose key made the change; `null` for the admin.
    pub tenant: Option<String>,
    /// The key's id (`admin` for the admin key).
    pub key_id: String,
    /// What was done, e.g. `connector.create`, `plugin.upload`, `tenant.key.create`.
    pub action: String,
    /// What it was done to: a connector (the tenant's name for it), plugin, tenant or key.
    pub target: String,
}

impl AuditEntry {
    /// An entry stamped now.
    pub fn now(tenant: Option<&str>, key_id: &str, action: &str, target: &str) -> AuditEntry {
        AuditEntry {
            time: humantime::format_rfc3339_millis(std::time::SystemTime::now()).to_string(),
            tenant: tenant.map(str::to_string),
            key_id: key_id.to_string(),
            action: action.to_string(),
            target: target.to_string(),
        }
    }
}
