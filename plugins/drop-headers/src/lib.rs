//! `DropHeaders`: Kafka's `org.apache.kafka.connect.transforms.DropHeaders`. Removes every header
//! whose name is listed in `headers` (all headers of that name), keeping the order of the others.

use std::collections::HashSet;

use wasm_connect_sdk::prelude::*;

/// Kafka's `DropHeaders.OVERVIEW_DOC`.
pub const OVERVIEW_DOC: &str = "Removes one or more headers from each record.";

/// Config key: the names of the headers to remove.
pub const HEADERS_FIELD: &str = "headers";

/// The transform.
#[derive(Clone, Debug)]
pub struct DropHeaders {
    /// Names of the headers to remove.
    pub headers: HashSet<String>,
}

impl Plugin for DropHeaders {
    fn info() -> PluginInfo {
        PluginInfo::new("DropHeaders")
            .version(env!("CARGO_PKG_VERSION"))
            .alias("org.apache.kafka.connect.transforms.DropHeaders")
            .description(OVERVIEW_DOC)
    }

    fn config_def() -> Vec<ConfigKey> {
        vec![
            ConfigKey::list(HEADERS_FIELD)
                .importance(Importance::High)
                .doc("The name of the headers to be removed."),
        ]
    }
}

impl Transform for DropHeaders {
    fn configure(config: Config) -> Result<Self> {
        let headers: HashSet<String> = config.non_empty_list(HEADERS_FIELD)?.into_iter().collect();
        Ok(DropHeaders { headers })
    }

    fn apply(&mut self, mut record: ConnectRecord) -> Result<Option<ConnectRecord>> {
        record.headers.retain(|h| !self.headers.contains(&h.key));
        Ok(Some(record))
    }
}

wasm_connect_sdk::export_transform!(DropHeaders);

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn transform(headers: &str) -> DropHeaders {
        DropHeaders::configure(Config::new().with(HEADERS_FIELD, headers)).unwrap()
    }

    fn header(key: &str, value: &str) -> Header {
        Header {
            key: key.into(),
            value: SchemaAndValue::new(Schema::string(), value),
        }
    }

    /// Kafka's `DropHeadersTest.sourceRecord`: schemaless key and value.
    fn record(headers: Vec<Header>) -> ConnectRecord {
        ConnectRecord {
            topic: "topic".into(),
            kafka_partition: Some(0),
            key: SchemaAndValue::schemaless("key"),
            value: SchemaAndValue::schemaless("value"),
            timestamp: Some(0),
            headers,
        }
    }

    /// Apply and check that nothing but the headers changed (Kafka's `assertNonHeaders`).
    fn apply(transform: &mut DropHeaders, original: ConnectRecord) -> Vec<Header> {
        let out = transform.apply(original.clone()).unwrap().unwrap();
        assert_eq!(
            ConnectRecord {
                headers: Vec::new(),
                ..out.clone()
            },
            ConnectRecord {
                headers: Vec::new(),
                ..original
            }
        );
        out.headers
    }

    #[test]
    fn drops_existing_header() {
        let original = record(vec![
            header("existing", "existing-value"),
            header("to-drop", "existing-value"),
        ]);
        assert_eq!(
            apply(&mut transform("to-drop"), original),
            [header("existing", "existing-value")]
        );
    }

    #[test]
    fn drops_every_value_of_a_repeated_header() {
        let original = record(vec![
            header("existing", "existing-value"),
            header("to-drop", "existing-value"),
            header("to-drop", "existing-other-value"),
        ]);
        assert_eq!(
            apply(&mut transform("to-drop"), original),
            [header("existing", "existing-value")]
        );
    }

    #[test]
    fn dropping_a_header_that_is_not_there_changes_nothing() {
        let original = record(vec![header("existing", "existing-value")]);
        assert_eq!(
            apply(&mut transform("to-drop"), original),
            [header("existing", "existing-value")]
        );
    }

    #[test]
    fn drops_several_headers_and_keeps_the_order_of_the_rest() {
        let original = record(vec![
            header("a", "1"),
            header("x", "2"),
            header("b", "3"),
            header("y", "4"),
            header("c", "5"),
        ]);
        assert_eq!(
            apply(&mut transform("x, y"), original),
            [header("a", "1"), header("b", "3"), header("c", "5")]
        );
    }

    #[test]
    fn works_on_schemaful_records_and_tombstones() {
        let mut original = record(vec![header("drop", "v"), header("keep", "v")]);
        original.value = SchemaAndValue::new(
            Schema::struct_builder().field("f", Schema::int32()).build(),
            Struct::new().put("f", 1i32),
        );
        assert_eq!(
            apply(&mut transform("drop"), original),
            [header("keep", "v")]
        );
        let mut tombstone = record(vec![header("drop", "v")]);
        tombstone.value = SchemaAndValue::null();
        assert!(apply(&mut transform("drop"), tombstone).is_empty());
    }

    #[test]
    fn config_rejects_empty_and_missing_list() {
        let err = DropHeaders::configure(Config::new().with(HEADERS_FIELD, "")).unwrap_err();
        assert_eq!(
            err.message,
            "Invalid value [] for configuration headers: Empty list"
        );
        let err = DropHeaders::configure(Config::new()).unwrap_err();
        assert_eq!(
            err.message,
            "Missing required configuration \"headers\" which has no default value."
        );
    }

    #[test]
    fn info_names_kafkas_class() {
        let info = DropHeaders::info();
        assert_eq!(info.name, "DropHeaders");
        assert_eq!(
            info.aliases,
            ["org.apache.kafka.connect.transforms.DropHeaders"]
        );
        assert_eq!(info.version, env!("CARGO_PKG_VERSION"));
        assert_eq!(info.description, OVERVIEW_DOC);
    }
}
