//! `Filter`: Kafka's `org.apache.kafka.connect.transforms.Filter`. Drops every record; meant to be
//! used with a predicate (`transforms.<alias>.predicate`, optionally `.negate`), so that only
//! the records matching (or not matching) it are dropped. It has no configuration of its own.

use wasm_connect_sdk::prelude::*;

/// Kafka's `Filter.OVERVIEW_DOC`.
pub const OVERVIEW_DOC: &str = "Drops all records, filtering them from subsequent transformations \
in the chain. This is intended to be used conditionally to filter out records matching (or not \
matching) a particular Predicate.";

/// The transform.
#[derive(Clone, Copy, Debug, Default)]
pub struct Filter;

impl Plugin for Filter {
    fn info() -> PluginInfo {
        PluginInfo::new("Filter")
            .version(env!("CARGO_PKG_VERSION"))
            .alias("org.apache.kafka.connect.transforms.Filter")
            .description(OVERVIEW_DOC)
    }
}

impl Transform for Filter {
    fn configure(_config: Config) -> Result<Self> {
        Ok(Filter)
    }

    fn apply(&mut self, _record: ConnectRecord) -> Result<Option<ConnectRecord>> {
        Ok(None)
    }
}

wasm_connect_sdk::export_transform!(Filter);

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn filter() -> Filter {
        Filter::configure(Config::new()).unwrap()
    }

    #[test]
    fn drops_a_record_with_a_struct_value() {
        let record = ConnectRecord {
            topic: "topic".into(),
            kafka_partition: Some(0),
            key: SchemaAndValue::new(Schema::string(), "key"),
            value: SchemaAndValue::new(
                Schema::struct_builder().field("f", Schema::int32()).build(),
                Struct::new().put("f", 1i32),
            ),
            timestamp: Some(0),
            headers: Vec::new(),
        };
        assert_eq!(filter().apply(record).unwrap(), None);
    }

    #[test]
    fn drops_schemaless_records_and_tombstones() {
        let map = ConnectRecord {
            value: SchemaAndValue::schemaless(Value::Map(vec![("a".into(), 1i64.into())])),
            ..Default::default()
        };
        assert_eq!(filter().apply(map).unwrap(), None);
        let tombstone = ConnectRecord {
            key: SchemaAndValue::schemaless("k"),
            ..Default::default()
        };
        assert_eq!(filter().apply(tombstone).unwrap(), None);
    }

    #[test]
    fn drops_every_record_of_a_batch() {
        let records: Vec<ConnectRecord> = (0..5)
            .map(|i| ConnectRecord {
                topic: format!("topic-{i}"),
                value: SchemaAndValue::schemaless(i64::from(i)),
                headers: vec![Header {
                    key: "h".into(),
                    value: SchemaAndValue::schemaless("v"),
                }],
                ..Default::default()
            })
            .collect();
        let results = filter().apply_batch(records);
        assert_eq!(results.len(), 5);
        assert!(results.into_iter().all(|r| r == Ok(None)));
    }

    #[test]
    fn accepts_any_configuration() {
        // Kafka's Filter has an empty ConfigDef and ignores whatever it is given.
        let config = Config::new()
            .with("predicate", "isFoo")
            .with("negate", "true")
            .with("unknown", "x");
        let mut filter = Filter::configure(config).unwrap();
        assert_eq!(filter.apply(ConnectRecord::default()).unwrap(), None);
        assert!(Filter::config_def().is_empty());
    }

    #[test]
    fn info_names_kafkas_class_and_overview() {
        let info = Filter::info();
        assert_eq!(info.name, "Filter");
        assert_eq!(info.aliases, ["org.apache.kafka.connect.transforms.Filter"]);
        assert_eq!(info.version, env!("CARGO_PKG_VERSION"));
        assert!(info.description.starts_with("Drops all records"));
        assert!(info.description.ends_with("a particular Predicate."));
    }
}
