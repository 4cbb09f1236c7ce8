//! `TimestampRouter`: Kafka's `org.apache.kafka.connect.transforms.TimestampRouter`. Sets the
//! record's topic from `topic.format`, replacing `${topic}` with the topic and `${timestamp}`
//! with the record timestamp formatted (in UTC) by the `SimpleDateFormat` pattern
//! `timestamp.format` (see [`java_date_format`]).
//!
//! Unlike Kafka, which only builds the date format when the first record arrives, an invalid
//! `timestamp.format` is rejected by `configure`.

use java_date_format::SimpleDateFormat;
use wasm_connect_sdk::prelude::*;
use wasm_connect_sdk::requirements::kafka_schema_string;

/// Kafka's `OVERVIEW_DOC`.
pub const OVERVIEW_DOC: &str = "Update the record's topic field as a function of the original topic value and the record timestamp.<p/>This is mainly useful for sink connectors, since the topic field is often used to determine the equivalent entity name in the destination system(e.g. database table or search index name).";

/// Config key: the topic template.
pub const TOPIC_FORMAT_CONFIG: &str = "topic.format";
/// Config key: the `SimpleDateFormat` pattern of `${timestamp}`.
pub const TIMESTAMP_FORMAT_CONFIG: &str = "timestamp.format";

const TOPIC_FORMAT_DEFAULT: &str = "${topic}-${timestamp}";
const TIMESTAMP_FORMAT_DEFAULT: &str = "yyyyMMdd";

/// The transform.
#[derive(Clone, Debug)]
pub struct TimestampRouter {
    /// `topic.format`.
    pub topic_format: String,
    /// `timestamp.format`, compiled.
    pub timestamp_format: SimpleDateFormat,
}

impl TimestampRouter {
    /// The topic for `record`, or Kafka's error when it has no timestamp.
    pub fn route(&self, record: &ConnectRecord) -> Result<String> {
        let timestamp = record.timestamp.ok_or_else(|| {
            PluginError::new(format!(
                "Timestamp missing on record: {}",
                record_to_string(record)
            ))
        })?;
        let formatted = self.timestamp_format.format(timestamp);
        Ok(self
            .topic_format
            .replace("${topic}", &record.topic)
            .replace("${timestamp}", &formatted))
    }
}

/// A value as Java's `toString()` shows it (`Struct{a=1,b=x}`, `{k=v}`, `[1, 2]`).
fn value_to_string(value: &Value) -> String {
    let join = |items: Vec<String>, separator: &str| items.join(separator);
    match value {
        Value::Null => "null".into(),
        Value::Int8(v) => v.to_string(),
        Value::Int16(v) => v.to_string(),
        Value::Int32(v) => v.to_string(),
        Value::Int64(v) => v.to_string(),
        Value::Float32(v) => format!("{v:?}"),
        Value::Float64(v) => format!("{v:?}"),
        Value::Boolean(v) => v.to_string(),
        Value::String(v) => v.clone(),
        // Java adds an identity hash code after the class name.
        Value::Bytes(_) => "[B".into(),
        Value::Array(items) => format!(
            "[{}]",
            join(items.iter().map(value_to_string).collect(), ", ")
        ),
        Value::Map(entries) => format!(
            "{{{}}}",
            join(
                entries
                    .iter()
                    .map(|(k, v)| format!("{}={}", value_to_string(k), value_to_string(v)))
                    .collect(),
                ", "
            )
        ),
        Value::Struct(s) => format!(
            "Struct{{{}}}",
            join(
                s.fields
                    .iter()
                    .filter(|(_, v)| !v.is_null())
                    .map(|(name, v)| format!("{name}={}", value_to_string(v)))
                    .collect(),
                ","
            )
        ),
    }
}

/// `Schema{STRING}`, `Schema{name:INT64}` or `null`, as Kafka's `ConnectSchema.toString()`.
fn schema_to_string(data: &SchemaAndValue) -> String {
    data.schema
        .as_deref()
        .map_or_else(|| "null".into(), kafka_schema_string)
}

/// The record as Kafka's `ConnectRecord.toString()` shows it.
fn record_to_string(record: &ConnectRecord) -> String {
    let headers: Vec<String> = record
        .headers
        .iter()
        .map(|h| {
            format!(
                "ConnectHeader(key={}, value={}, schema={})",
                h.key,
                value_to_string(&h.value.value),
                schema_to_string(&h.value)
            )
        })
        .collect();
    let headers = if headers.is_empty() {
        String::new()
    } else {
        format!("[{}]", headers.join(", "))
    };
    let partition = record
        .kafka_partition
        .map_or_else(|| "null".to_owned(), |p| p.to_string());
    let timestamp = record
        .timestamp
        .map_or_else(|| "null".to_owned(), |t| t.to_string());
    format!(
        "ConnectRecord{{topic='{}', kafkaPartition={partition}, key={}, keySchema={}, value={}, valueSchema={}, timestamp={timestamp}, headers=ConnectHeaders(headers={headers})}}",
        record.topic,
        value_to_string(&record.key.value),
        schema_to_string(&record.key),
        value_to_string(&record.value.value),
        schema_to_string(&record.value),
    )
}

impl Plugin for TimestampRouter {
    fn info() -> PluginInfo {
        PluginInfo::new("TimestampRouter")
            .version(env!("CARGO_PKG_VERSION"))
            .alias("org.apache.kafka.connect.transforms.TimestampRouter")
            .description(OVERVIEW_DOC)
    }

    fn config_def() -> Vec<ConfigKey> {
        vec![
            ConfigKey::string(TOPIC_FORMAT_CONFIG)
                .default_value(TOPIC_FORMAT_DEFAULT)
                .importance(Importance::High)
                .doc("Format string which can contain <code>${topic}</code> and <code>${timestamp}</code> as placeholders for the topic and timestamp, respectively."),
            ConfigKey::string(TIMESTAMP_FORMAT_CONFIG)
                .default_value(TIMESTAMP_FORMAT_DEFAULT)
                .importance(Importance::High)
                .doc("Format string for the timestamp that is compatible with <code>java.text.SimpleDateFormat</code>."),
        ]
    }
}

impl Transform for TimestampRouter {
    fn configure(config: Config) -> Result<Self> {
        // Kafka trims STRING config values.
        let topic_format = config
            .string_or(TOPIC_FORMAT_CONFIG, TOPIC_FORMAT_DEFAULT)
            .trim()
            .to_owned();
        let pattern = config
            .string_or(TIMESTAMP_FORMAT_CONFIG, TIMESTAMP_FORMAT_DEFAULT)
            .trim()
            .to_owned();
        let timestamp_format = SimpleDateFormat::new(&pattern).map_err(|e| {
            PluginError::new(format!(
                "Invalid value {pattern} for configuration {TIMESTAMP_FORMAT_CONFIG}: {e}"
            ))
        })?;
        Ok(TimestampRouter {
            topic_format,
            timestamp_format,
        })
    }

    fn apply(&mut self, mut record: ConnectRecord) -> Result<Option<ConnectRecord>> {
        record.topic = self.route(&record)?;
        Ok(Some(record))
    }
}

wasm_connect_sdk::export_transform!(TimestampRouter);

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// 2017-01-03T06:30:01.864Z, the timestamp of Kafka's TimestampRouterTest.
    const TS: i64 = 1_483_425_001_864;

    fn router(pairs: &[(&str, &str)]) -> TimestampRouter {
        TimestampRouter::configure(pairs.iter().copied().collect()).unwrap()
    }

    fn record(topic: &str, timestamp: Option<i64>) -> ConnectRecord {
        ConnectRecord {
            topic: topic.into(),
            kafka_partition: Some(0),
            timestamp,
            ..Default::default()
        }
    }

    fn routed(router: &mut TimestampRouter, record: ConnectRecord) -> String {
        router.apply(record).unwrap().unwrap().topic
    }

    #[test]
    fn default_configuration_appends_the_day() {
        assert_eq!(
            routed(&mut router(&[]), record("test", Some(TS))),
            "test-20170103"
        );
    }

    #[test]
    fn custom_topic_and_timestamp_formats() {
        let mut r = router(&[
            ("topic.format", "${timestamp}_${topic}_${timestamp}"),
            ("timestamp.format", "yyyy-MM-dd'T'HH"),
        ]);
        assert_eq!(
            routed(&mut r, record("orders", Some(TS))),
            "2017-01-03T06_orders_2017-01-03T06"
        );
        let mut r = router(&[("topic.format", " static ")]);
        assert_eq!(routed(&mut r, record("orders", Some(TS))), "static");
        let mut r = router(&[("timestamp.format", "yyyy.MMM.EEE")]);
        assert_eq!(routed(&mut r, record("t", Some(TS))), "t-2017.Jan.Tue");
    }

    #[test]
    fn topics_and_timestamps_are_inserted_literally() {
        // Java uses Matcher.quoteReplacement: `$` and `\` in the topic are not special.
        let mut r = router(&[("topic.format", "x-${topic}-${timestamp}")]);
        assert_eq!(
            routed(&mut r, record("a$1\\b", Some(0))),
            "x-a$1\\b-19700101"
        );
        // Before the epoch, in UTC.
        assert_eq!(routed(&mut r, record("t", Some(-1))), "x-t-19691231");
    }

    #[test]
    fn keeps_everything_but_the_topic() {
        let mut original = record("t", Some(TS));
        original.value = SchemaAndValue::new(Schema::string(), "v");
        original.key = SchemaAndValue::schemaless(1i64);
        let out = router(&[]).apply(original.clone()).unwrap().unwrap();
        assert_eq!(
            out,
            ConnectRecord {
                topic: "t-20170103".into(),
                ..original
            }
        );
    }

    #[test]
    fn record_without_timestamp_is_an_error() {
        let mut r = router(&[]);
        let mut missing = record("test", None);
        missing.value = SchemaAndValue::new(
            Schema::struct_builder()
                .name("v")
                .field("a", Schema::int32())
                .build(),
            Struct::new().put("a", 1i32),
        );
        missing.headers.push(Header {
            key: "h".into(),
            value: SchemaAndValue::new(Schema::string(), "x"),
        });
        assert_eq!(
            r.apply(missing).unwrap_err().message,
            "Timestamp missing on record: ConnectRecord{topic='test', kafkaPartition=0, key=null, keySchema=null, value=Struct{a=1}, valueSchema=Schema{v:STRUCT}, timestamp=null, headers=ConnectHeaders(headers=[ConnectHeader(key=h, value=x, schema=Schema{STRING})])}"
        );
    }

    #[test]
    fn invalid_timestamp_format_is_rejected_at_configure() {
        let err = TimestampRouter::configure(Config::new().with("timestamp.format", "yyyyMMddq"))
            .unwrap_err();
        assert_eq!(
            err.message,
            "Invalid value yyyyMMddq for configuration timestamp.format: Illegal pattern character 'q'"
        );
    }

    #[test]
    fn info_and_config_def_match_kafka() {
        let info = TimestampRouter::info();
        assert_eq!(info.name, "TimestampRouter");
        assert_eq!(
            info.aliases,
            ["org.apache.kafka.connect.transforms.TimestampRouter"]
        );
        assert_eq!(info.version, env!("CARGO_PKG_VERSION"));
        let defaults: Vec<_> = TimestampRouter::config_def()
            .into_iter()
            .map(|k| (k.name, k.default_value))
            .collect();
        assert_eq!(
            defaults,
            [
                (
                    "topic.format".to_owned(),
                    Some("${topic}-${timestamp}".to_owned())
                ),
                ("timestamp.format".to_owned(), Some("yyyyMMdd".to_owned())),
            ]
        );
    }
}
