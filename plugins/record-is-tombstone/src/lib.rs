//! `RecordIsTombstone`: Kafka's `org.apache.kafka.connect.transforms.predicates.RecordIsTombstone`.
//! True for tombstones: records whose value is null, whatever the key, the value schema or the
//! headers.

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
        Ok(record.value.value.is_null())
    }
}

wasm_connect_sdk::export_predicate!(RecordIsTombstone);

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// A record with key `"k"` and `value`. Kafka has no RecordIsTombstoneTest; these cases
    /// check `record.value() == null` for the shapes records take.
    fn record(value: SchemaAndValue) -> ConnectRecord {
        ConnectRecord {
            topic: "t".into(),
            key: SchemaAndValue::schemaless("k"),
            value,
            ..Default::default()
        }
    }

    fn is_tombstone(record: &ConnectRecord) -> bool {
        RecordIsTombstone::configure(Config::new())
            .unwrap()
            .test(record)
            .unwrap()
    }

    #[test]
    fn schemaless_null_value_is_a_tombstone() {
        assert!(is_tombstone(&record(SchemaAndValue::null())));
    }

    #[test]
    fn null_value_with_an_optional_schema_is_a_tombstone() {
        let schema = Schema::struct_builder()
            .field("a", Schema::int32())
            .optional()
            .build();
        assert!(is_tombstone(&record(SchemaAndValue::new(
            schema,
            Value::Null
        ))));
    }

    #[test]
    fn empty_or_zero_values_are_not_tombstones() {
        for value in [
            SchemaAndValue::schemaless(""),
            SchemaAndValue::schemaless(0i32),
            SchemaAndValue::schemaless(Value::Map(Vec::new())),
            SchemaAndValue::schemaless(Value::Bytes(Vec::new())),
            SchemaAndValue::new(Schema::struct_builder().build(), Struct::new()),
        ] {
            assert!(!is_tombstone(&record(value.clone())), "{value:?}");
        }
    }

    #[test]
    fn only_the_value_counts_not_the_key_or_headers() {
        let mut null_key = record(SchemaAndValue::schemaless("v"));
        null_key.key = SchemaAndValue::null();
        assert!(!is_tombstone(&null_key));
        let mut with_headers = record(SchemaAndValue::null());
        with_headers.key = SchemaAndValue::null();
        with_headers.headers.push(Header {
            key: "h".into(),
            value: SchemaAndValue::schemaless("x"),
        });
        assert!(is_tombstone(&with_headers));
    }

    #[test]
    fn has_no_configuration_and_ignores_unknown_keys() {
        assert!(RecordIsTombstone::config_def().is_empty());
        let mut p = RecordIsTombstone::configure(Config::new().with("unused", "x")).unwrap();
        let records = [
            record(SchemaAndValue::null()),
            record(SchemaAndValue::schemaless("v")),
        ];
        let answers: Vec<bool> = p
            .test_batch(&records)
            .into_iter()
            .map(Result::unwrap)
            .collect();
        assert_eq!(answers, [true, false]);
        assert_eq!(
            RecordIsTombstone::info().aliases,
            ["org.apache.kafka.connect.transforms.predicates.RecordIsTombstone"]
        );
    }
}
