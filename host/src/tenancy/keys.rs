//! API keys: random secrets shown once, kept only as SHA-256 hashes.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// A key as kept in the config topic (`tenant-key-<tenant>-<id>`): never the key itself.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyRecord {
    /// Key id (shown in listings and the audit log).
    pub id: String,
    /// The tenant it authenticates.
    pub tenant: String,
    /// SHA-256 of the key, hex.
    pub sha256: String,
    /// When it was issued (RFC 3339).
    pub created: String,
}

/// A key in `GET /admin/tenants/{t}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct KeyInfo {
    /// Key id.
    pub id: String,
    /// When it was issued (RFC 3339).
    pub created: String,
}

/// The answer of `POST /admin/tenants/{t}/keys`: the only time the key is shown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct IssuedKey {
    /// Key id.
    pub id: String,
    /// The key, for `Authorization: Bearer <key>`.
    pub key: String,
}

/// A new key id and key: 128 random bits of id prefix material and 244 random bits of key
/// (two version-4 UUIDs, from the operating system's random source).
pub fn new_key() -> (String, String) {
    let id = uuid::Uuid::new_v4().simple().to_string()[..12].to_string();
    let key = format!(
        "wck_{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    );
    (id, key)
}

/// SHA-256 of a key, hex (what is stored and compared). Keys are long random strings, so a
/// plain hash is enough; no password-hashing work factor is needed.
pub fn hash_key(key: &str) -> String {
    hex::encode(Sha256::digest(key.trim().as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_random_and_hashed() {
        let (id1, key1) = new_key();
        let (id2, key2) = new_key();
        assert_ne!(id1, id2);
        assert_ne!(key1, key2);
        assert_eq!(key1.len(), 4 + 64);
        assert_eq!(hash_key(&key1), hash_key(&format!(" {key1}\n")));
        assert_ne!(hash_key(&key1), hash_key(&key2));
        assert!(!hash_key(&key1).contains(&key1));
    }
}
