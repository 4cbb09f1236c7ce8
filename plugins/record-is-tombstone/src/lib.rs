//! `RecordIsTombstone`: Kafka's `org.apache.kafka.connect.transforms.predicates.RecordIsTombstone`.
//! True for tombstones: records whose value is null.

use wasm_connect_sdk::prelude::*;

/// The predicate (no configuration).
pub struct RecordIsTombstone;

impl Plugin for RecordIsTombstone {
    fn info() -> PluginInfo {
        PluginInfo::new("RecordIsTombstone")
            .version(env!("CARGO_PKG_VERSION"))
            .alias("org.apache.kafka.connect.transforms.predicates.RecordIsTombstone")
            .description("A predicate which is true for records which are tombstones (i.e. have null value).")
    }
}

impl Predicate for RecordIsTombstone {
    fn configure(_config: Config) -> Result<Self> {
        Ok(RecordIsTombstone)
    }

    fn test(&mut self, record: &ConnectRecord) -> Result<bool> {
        Ok(matches!(record.value.value, Value::Null))
    }
}

wasm_connect_sdk::export_predicate!(RecordIsTombstone);

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn record(value: Value) -> ConnectRecord {
        ConnectRecord {
            topic: "t".into(),
            key: SchemaAndValue {
                schema: None,
                value: Value::String("k".into()),
            },
            value: SchemaAndValue {
                schema: None,
                value,
            },
            ..Default::default()
        }
    }

    #[test]
    fn true_only_for_null_values() {
        let mut p = RecordIsTombstone::configure(Config::new()).unwrap();
        assert!(p.test(&record(Value::Null)).unwrap());
        assert!(!p.test(&record(Value::String(String::new()))).unwrap());
        assert!(!p.test(&record(Value::String("x".into()))).unwrap());
        assert!(!p.test(&record(Value::Int32(0))).unwrap());
    }
}
