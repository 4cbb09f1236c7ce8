//! `TimestampConverter`: Kafka's `org.apache.kafka.connect.transforms.TimestampConverter$Value`
//! and `$Key`. Converts a timestamp, the whole value or one field of it, between a formatted
//! string, Unix time and Connect's `Date`, `Time` and `Timestamp` logical types.
//!
//! Written against the record value; the host swaps key and value for the `$Key` form.
//!
//! Representations (Kafka's `java.util.Date` does not exist in this data model):
//! - with a schema, the logical types are as Connect defines them: `Timestamp` is an `int64` of
//!   milliseconds since the epoch, `Date` an `int32` of days since the epoch and `Time` an
//!   `int32` of milliseconds since midnight, each with its logical schema name;
//! - without a schema, a `Date`, `Time` or `Timestamp` result is an `Int64` of milliseconds
//!   since the epoch (what `java.util.Date.getTime()` gives: midnight UTC for `Date`, a time on
//!   1970-01-01 for `Time`). Schemaless inputs are read as Kafka infers them: `Int64` as Unix
//!   time (in `unix.precision`), `String` with `format`.
//!
//! Strings are formatted and parsed in UTC with [`java_date_format::SimpleDateFormat`].

use std::sync::Arc;

use java_date_format::{MILLIS_PER_DAY, SimpleDateFormat};
use wasm_connect_sdk::prelude::*;
use wasm_connect_sdk::requirements::kafka_schema_string;
use wasm_connect_sdk::requirements::{copy_schema_basics, require_map, require_struct_or_null};

/// Logical name of Connect's `Timestamp` (`int64` milliseconds since the epoch).
pub const TIMESTAMP_LOGICAL: &str = "org.apache.kafka.connect.data.Timestamp";
/// Logical name of Connect's `Date` (`int32` days since the epoch).
pub const DATE_LOGICAL: &str = "org.apache.kafka.connect.data.Date";
/// Logical name of Connect's `Time` (`int32` milliseconds since midnight).
pub const TIME_LOGICAL: &str = "org.apache.kafka.connect.data.Time";

/// Kafka's `OVERVIEW_DOC`.
pub const OVERVIEW_DOC: &str = "Convert timestamps between different formats such as Unix epoch, strings, and Connect Date/Timestamp types.Applies to individual fields or to the entire value.<p/>Use the concrete transformation type designed for the record key (<code>org.apache.kafka.connect.transforms.TimestampConverter$Key</code>) or value (<code>org.apache.kafka.connect.transforms.TimestampConverter$Value</code>).";

/// Config key: the field holding the timestamp, empty for the whole value.
pub const FIELD_CONFIG: &str = "field";
/// Config key: the target representation.
pub const TARGET_TYPE_CONFIG: &str = "target.type";
/// Config key: the `SimpleDateFormat` pattern.
pub const FORMAT_CONFIG: &str = "format";
/// Config key: the unit of Unix timestamps.
pub const UNIX_PRECISION_CONFIG: &str = "unix.precision";
/// Config key: whether null fields take their schema default.
pub const REPLACE_NULL_WITH_DEFAULT_CONFIG: &str = "replace.null.with.default";

const PURPOSE: &str = "converting timestamp formats";
const TARGET_TYPES: [&str; 5] = ["string", "unix", "Date", "Time", "Timestamp"];
const UNIX_PRECISIONS: [&str; 4] = ["nanoseconds", "microseconds", "milliseconds", "seconds"];

/// A timestamp representation (Kafka's translator names).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimestampType {
    /// A string in the configured `format`.
    String,
    /// An `int64` count of `unix.precision` units since the epoch.
    Unix,
    /// Connect `Date`.
    Date,
    /// Connect `Time`.
    Time,
    /// Connect `Timestamp`.
    Timestamp,
}

impl TimestampType {
    /// Parse a `target.type` value.
    pub fn from_config(name: &str) -> Option<TimestampType> {
        Some(match name {
            "string" => TimestampType::String,
            "unix" => TimestampType::Unix,
            "Date" => TimestampType::Date,
            "Time" => TimestampType::Time,
            "Timestamp" => TimestampType::Timestamp,
            _ => return None,
        })
    }

    /// The type a schema stands for (Kafka's `timestampTypeFromSchema`).
    pub fn from_schema(schema: &Schema) -> Result<TimestampType> {
        Ok(match (schema.name.as_deref(), schema.schema_type) {
            (Some(TIMESTAMP_LOGICAL), _) => TimestampType::Timestamp,
            (Some(DATE_LOGICAL), _) => TimestampType::Date,
            (Some(TIME_LOGICAL), _) => TimestampType::Time,
            (_, SchemaType::String) => TimestampType::String,
            (_, SchemaType::Int64) => TimestampType::Unix,
            _ => {
                return Err(PluginError::new(format!(
                    "Schema {} does not correspond to a known timestamp type format",
                    kafka_schema_string(schema)
                )));
            }
        })
    }

    /// The type of a schemaless value (Kafka's `inferTimestampType`).
    fn infer(value: &Value) -> Result<TimestampType> {
        match value {
            Value::Int64(_) => Ok(TimestampType::Unix),
            Value::String(_) => Ok(TimestampType::String),
            other => Err(PluginError::new(format!(
                "TimestampConverter does not support {} objects as timestamps",
                java_class(other)
            ))),
        }
    }

    /// The schema of values of this type.
    pub fn schema(self, optional: bool) -> Schema {
        let schema = match self {
            TimestampType::String => Schema::string(),
            TimestampType::Unix => Schema::int64(),
            TimestampType::Date => logical(Schema::int32(), DATE_LOGICAL),
            TimestampType::Time => logical(Schema::int32(), TIME_LOGICAL),
            TimestampType::Timestamp => logical(Schema::int64(), TIMESTAMP_LOGICAL),
        };
        if optional {
            schema.into_optional()
        } else {
            schema
        }
    }
}

fn logical(base: Schema, name: &str) -> Schema {
    base.to_builder().name(name).version(1).build()
}

/// The unit of Unix timestamps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnixPrecision {
    /// Seconds.
    Seconds,
    /// Milliseconds (the default).
    Milliseconds,
    /// Microseconds.
    Microseconds,
    /// Nanoseconds.
    Nanoseconds,
}

impl UnixPrecision {
    /// Parse a `unix.precision` value.
    pub fn from_config(name: &str) -> Option<UnixPrecision> {
        Some(match name {
            "seconds" => UnixPrecision::Seconds,
            "milliseconds" => UnixPrecision::Milliseconds,
            "microseconds" => UnixPrecision::Microseconds,
            "nanoseconds" => UnixPrecision::Nanoseconds,
            _ => return None,
        })
    }

    /// Milliseconds of a Unix time in this unit (Java's `TimeUnit.toMillis`: saturating up,
    /// truncating down).
    pub fn unit_to_millis(self, value: i64) -> i64 {
        match self {
            UnixPrecision::Seconds => value.saturating_mul(1000),
            UnixPrecision::Milliseconds => value,
            UnixPrecision::Microseconds => value / 1000,
            UnixPrecision::Nanoseconds => value / 1_000_000,
        }
    }

    /// A Unix time in this unit from milliseconds (Java's `TimeUnit.MILLISECONDS.toX`).
    pub fn millis_to_unit(self, millis: i64) -> i64 {
        match self {
            UnixPrecision::Seconds => millis / 1000,
            UnixPrecision::Milliseconds => millis,
            UnixPrecision::Microseconds => millis.saturating_mul(1000),
            UnixPrecision::Nanoseconds => millis.saturating_mul(1_000_000),
        }
    }
}

/// How the converted value is represented.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    /// Logical types as their schema says (`Date` = `int32` days, …).
    WithSchema,
    /// `Date`/`Time`/`Timestamp` as `Int64` milliseconds.
    Schemaless,
}

/// The transform.
#[derive(Clone, Debug)]
pub struct TimestampConverter {
    /// `field`: empty to convert the whole value.
    pub field: String,
    /// `target.type`.
    pub target: TimestampType,
    /// `format`, when set.
    pub format: Option<SimpleDateFormat>,
    /// `unix.precision`.
    pub unix_precision: UnixPrecision,
    /// `replace.null.with.default`.
    pub replace_null_with_default: bool,
}

/// Kafka's `ConfigException` for a value outside `allowed`.
fn check_one_of(key: &str, value: &str, allowed: &[&str]) -> Result<()> {
    if allowed.contains(&value) {
        Ok(())
    } else {
        Err(PluginError::new(format!(
            "Invalid value {value} for configuration {key}: String must be one of: {}",
            allowed.join(", ")
        )))
    }
}

/// `class java.lang.Long` etc.: the Java class Kafka would name for a value.
fn java_class(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Int8(_) => "class java.lang.Byte",
        Value::Int16(_) => "class java.lang.Short",
        Value::Int32(_) => "class java.lang.Integer",
        Value::Int64(_) => "class java.lang.Long",
        Value::Float32(_) => "class java.lang.Float",
        Value::Float64(_) => "class java.lang.Double",
        Value::Boolean(_) => "class java.lang.Boolean",
        Value::String(_) => "class java.lang.String",
        Value::Bytes(_) => "class [B",
        Value::Array(_) => "class java.util.ArrayList",
        Value::Map(_) => "class java.util.HashMap",
        Value::Struct(_) => "class org.apache.kafka.connect.data.Struct",
    }
}

impl TimestampConverter {
    /// Milliseconds since the epoch of `value`, read as `source`.
    fn to_raw(&self, value: &Value, source: TimestampType) -> Result<i64> {
        let mismatch = |expected: &str| {
            PluginError::new(format!("{expected}, but found {}", java_class(value)))
        };
        match (source, value) {
            (TimestampType::String, Value::String(text)) => {
                let format = self.format.as_ref().ok_or_else(|| {
                    PluginError::new(
                        "TimestampConverter requires format option to be specified when using string timestamps",
                    )
                })?;
                format.parse(text).map_err(|_| {
                    PluginError::new(format!(
                        "Could not parse timestamp: value ({text}) does not match pattern ({})",
                        format.pattern()
                    ))
                })
            }
            (TimestampType::String, _) => Err(mismatch("Expected string timestamp to be a String")),
            (TimestampType::Unix, Value::Int64(unix)) => {
                Ok(self.unix_precision.unit_to_millis(*unix))
            }
            (TimestampType::Unix, _) => Err(mismatch("Expected Unix timestamp to be a Long")),
            (TimestampType::Date, Value::Int32(days)) => Ok(i64::from(*days) * MILLIS_PER_DAY),
            (TimestampType::Date, _) => Err(mismatch("Expected Date to be a java.util.Date")),
            (TimestampType::Time, Value::Int32(millis)) => Ok(i64::from(*millis)),
            (TimestampType::Time, _) => Err(mismatch("Expected Time to be a java.util.Date")),
            (TimestampType::Timestamp, Value::Int64(millis)) => Ok(*millis),
            (TimestampType::Timestamp, _) => {
                Err(mismatch("Expected Timestamp to be a java.util.Date"))
            }
        }
    }

    /// `raw` milliseconds in the target representation.
    fn to_target(&self, raw: i64, mode: Mode) -> Result<Value> {
        let midnight = raw.div_euclid(MILLIS_PER_DAY);
        let time_of_day = raw.rem_euclid(MILLIS_PER_DAY);
        Ok(match (self.target, mode) {
            (TimestampType::String, _) => match &self.format {
                Some(format) => Value::String(format.format(raw)),
                // configure() requires a format for string targets.
                None => {
                    return Err(PluginError::new(
                        "TimestampConverter requires format option to be specified when using string timestamps",
                    ));
                }
            },
            (TimestampType::Unix, _) => Value::Int64(self.unix_precision.millis_to_unit(raw)),
            (TimestampType::Date, Mode::WithSchema) => {
                Value::Int32(i32::try_from(midnight).map_err(|_| {
                    PluginError::new(format!(
                        "Timestamp {raw} is out of the range of org.apache.kafka.connect.data.Date"
                    ))
                })?)
            }
            (TimestampType::Date, Mode::Schemaless) => Value::Int64(midnight * MILLIS_PER_DAY),
            (TimestampType::Time, Mode::WithSchema) => {
                // Always within 0..86_400_000.
                Value::Int32(time_of_day as i32)
            }
            (TimestampType::Time, Mode::Schemaless) => Value::Int64(time_of_day),
            (TimestampType::Timestamp, _) => Value::Int64(raw),
        })
    }

    /// Convert a timestamp of type `source` (inferred when `None`); null stays null.
    fn convert(&self, value: Value, source: Option<TimestampType>, mode: Mode) -> Result<Value> {
        if value.is_null() {
            return Ok(Value::Null);
        }
        let source = match source {
            Some(source) => source,
            None => TimestampType::infer(&value)?,
        };
        let raw = self.to_raw(&value, source)?;
        self.to_target(raw, mode)
    }

    /// A field's value, or its schema default when null and `replace.null.with.default` is on.
    fn field_value(&self, value: &Struct, field: &Field) -> Value {
        match value.get(&field.name) {
            Some(v) if !v.is_null() => v.clone(),
            _ if self.replace_null_with_default => field
                .schema
                .default_value
                .as_deref()
                .cloned()
                .unwrap_or(Value::Null),
            _ => Value::Null,
        }
    }

    /// The struct with the configured field converted (Kafka's `applyValueWithSchema`).
    fn convert_struct(&self, value: &Struct, schema: &Schema) -> Result<Struct> {
        let mut updated = Struct::new();
        for field in schema.fields.iter() {
            let mut field_value = self.field_value(value, field);
            if field.name == self.field {
                let source = TimestampType::from_schema(&field.schema)?;
                field_value = self.convert(field_value, Some(source), Mode::WithSchema)?;
            }
            updated.set(field.name.clone(), field_value);
        }
        Ok(updated)
    }

    /// The struct schema with the configured field's schema replaced by the target's.
    fn updated_struct_schema(&self, schema: &Schema) -> Result<Schema> {
        if schema.schema_type != SchemaType::Struct {
            return Err(PluginError::new("Cannot list fields on non-struct type"));
        }
        let mut builder = copy_schema_basics(schema);
        for field in schema.fields.iter() {
            let field_schema = if field.name == self.field {
                self.target.schema(field.schema.optional)
            } else {
                field.schema.clone()
            };
            builder = builder.field(field.name.clone(), field_schema);
        }
        if schema.optional {
            builder = builder.optional();
        }
        if let Some(default) = schema.default_value.as_deref() {
            let Value::Struct(default) = default else {
                return Err(PluginError::new(format!(
                    "Only Struct objects supported for [{PURPOSE}], found: {}",
                    default.kind()
                )));
            };
            let default = self.convert_struct(default, schema)?;
            builder = builder.default_value(Value::Struct(default));
        }
        Ok(builder.build())
    }

    /// Convert `record`'s value.
    pub fn convert_record(&self, mut record: ConnectRecord) -> Result<ConnectRecord> {
        let value = std::mem::take(&mut record.value.value);
        match record.value.schema.clone() {
            None if value.is_null() || self.field.is_empty() => {
                record.value.value = self.convert(value, None, Mode::Schemaless)?;
            }
            None => {
                let mut entries = require_map(value, PURPOSE)?;
                let key = Value::String(self.field.clone());
                match entries.iter_mut().find(|(k, _)| *k == key) {
                    Some((_, slot)) => {
                        *slot = self.convert(std::mem::take(slot), None, Mode::Schemaless)?;
                    }
                    // Kafka puts the (null) result even when the field is absent.
                    None => entries.push((key, Value::Null)),
                }
                record.value.value = Value::Map(entries);
            }
            Some(schema) if self.field.is_empty() => {
                let source = TimestampType::from_schema(&schema)?;
                record.value.value = self.convert(value, Some(source), Mode::WithSchema)?;
                record.value.schema = Some(Arc::new(self.target.schema(schema.optional)));
            }
            Some(schema) => {
                let value = require_struct_or_null(value, PURPOSE)?;
                let updated_schema = self.updated_struct_schema(&schema)?;
                record.value.value = match value {
                    Some(value) => Value::Struct(self.convert_struct(&value, &schema)?),
                    None => Value::Null,
                };
                record.value.schema = Some(Arc::new(updated_schema));
            }
        }
        Ok(record)
    }
}

impl Plugin for TimestampConverter {
    fn info() -> PluginInfo {
        PluginInfo::new("TimestampConverter")
            .version(env!("CARGO_PKG_VERSION"))
            .alias("TimestampConverter$Value")
            .alias("TimestampConverter$Key")
            .alias("org.apache.kafka.connect.transforms.TimestampConverter$Value")
            .alias("org.apache.kafka.connect.transforms.TimestampConverter$Key")
            .description(OVERVIEW_DOC)
    }

    fn config_def() -> Vec<ConfigKey> {
        vec![
            ConfigKey::string(FIELD_CONFIG)
                .default_value("")
                .importance(Importance::High)
                .doc("The field containing the timestamp, or empty if the entire value is a timestamp"),
            ConfigKey::string(TARGET_TYPE_CONFIG)
                .one_of(TARGET_TYPES)
                .importance(Importance::High)
                .doc("The desired timestamp representation: string, unix, Date, Time, or Timestamp"),
            ConfigKey::string(FORMAT_CONFIG)
                .default_value("")
                .importance(Importance::Medium)
                .doc("A SimpleDateFormat-compatible format for the timestamp. Used to generate the output when type=string or used to parse the input if the input is a string."),
            ConfigKey::string(UNIX_PRECISION_CONFIG)
                .default_value("milliseconds")
                .one_of(UNIX_PRECISIONS)
                .importance(Importance::Low)
                .doc("The desired Unix precision for the timestamp: seconds, milliseconds, microseconds, or nanoseconds. Used to generate the output when type=unix or used to parse the input if the input is a Long.Note: This SMT will cause precision loss during conversions from, and to, values with sub-millisecond components."),
            ConfigKey::boolean(REPLACE_NULL_WITH_DEFAULT_CONFIG)
                .default_value(true)
                .importance(Importance::Medium)
                .doc("Whether to replace fields that have a default value and that are null to the default value. When set to true, the default value is used, otherwise null is used."),
        ]
    }
}

impl Transform for TimestampConverter {
    fn configure(config: Config) -> Result<Self> {
        // Kafka trims STRING config values.
        let string = |key: &str, default: &str| config.string_or(key, default).trim().to_owned();
        let field = string(FIELD_CONFIG, "");
        let target_name = config.string(TARGET_TYPE_CONFIG)?.trim().to_owned();
        check_one_of(TARGET_TYPE_CONFIG, &target_name, &TARGET_TYPES)?;
        let pattern = string(FORMAT_CONFIG, "");
        let precision_name = string(UNIX_PRECISION_CONFIG, "milliseconds");
        check_one_of(UNIX_PRECISION_CONFIG, &precision_name, &UNIX_PRECISIONS)?;
        let replace_null_with_default =
            config.boolean_or(REPLACE_NULL_WITH_DEFAULT_CONFIG, true)?;

        let target = TimestampType::from_config(&target_name).ok_or_else(|| {
            PluginError::new(format!("Unsupported timestamp type: {target_name}"))
        })?;
        let unix_precision = UnixPrecision::from_config(&precision_name).ok_or_else(|| {
            PluginError::new(format!("Unsupported unix precision: {precision_name}"))
        })?;
        if target == TimestampType::String && pattern.is_empty() {
            return Err(PluginError::new(
                "TimestampConverter requires format option to be specified when using string timestamps",
            ));
        }
        let format = if pattern.is_empty() {
            None
        } else {
            // Kafka's message, built by ConfigException(name, value) from the pattern error.
            Some(SimpleDateFormat::new(&pattern).map_err(|e| {
                PluginError::new(format!(
                    "Invalid value java.lang.IllegalArgumentException: {e} for configuration TimestampConverter requires a SimpleDateFormat-compatible pattern for string timestamps: {pattern}"
                ))
            })?)
        };
        Ok(TimestampConverter {
            field,
            target,
            format,
            unix_precision,
            replace_null_with_default,
        })
    }

    fn apply(&mut self, record: ConnectRecord) -> Result<Option<ConnectRecord>> {
        self.convert_record(record).map(Some)
    }
}

wasm_connect_sdk::export_transform!(TimestampConverter);

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    // The instants of Kafka's TimestampConverterTest.
    /// 1970-01-02T00:00:01.234Z.
    const DATE_PLUS_TIME_UNIX: i64 = 86_401_234;
    const DATE_PLUS_TIME_UNIX_MICROS: i64 = DATE_PLUS_TIME_UNIX * 1000 + 123;
    const DATE_PLUS_TIME_UNIX_NANOS: i64 = DATE_PLUS_TIME_UNIX_MICROS * 1000 + 456;
    const DATE_PLUS_TIME_UNIX_SECONDS: i64 = 86_401;
    /// 1970-01-02 as Connect `Date` (days) and in milliseconds.
    const DATE_DAYS: i32 = 1;
    const DATE_MILLIS: i64 = 86_400_000;
    /// 00:00:01.234 as Connect `Time`.
    const TIME_MILLIS: i32 = 1234;
    const STRING_DATE_FMT: &str = "yyyy MM dd HH mm ss SSS z";
    const DATE_PLUS_TIME_STRING: &str = "1970 01 02 00 00 01 234 UTC";

    fn timestamp_schema() -> Schema {
        TimestampType::Timestamp.schema(false)
    }
    fn date_schema() -> Schema {
        TimestampType::Date.schema(false)
    }
    fn time_schema() -> Schema {
        TimestampType::Time.schema(false)
    }

    fn configure(pairs: &[(&str, &str)]) -> Result<TimestampConverter> {
        TimestampConverter::configure(pairs.iter().copied().collect())
    }

    fn xform(pairs: &[(&str, &str)]) -> TimestampConverter {
        configure(pairs).unwrap()
    }

    fn record(value: SchemaAndValue) -> ConnectRecord {
        ConnectRecord {
            topic: "topic".into(),
            kafka_partition: Some(0),
            value,
            ..Default::default()
        }
    }

    fn apply(t: &mut TimestampConverter, value: SchemaAndValue) -> Result<SchemaAndValue> {
        Ok(t.apply(record(value))?.unwrap().value)
    }

    fn schemaless(t: &mut TimestampConverter, value: impl Into<Value>) -> Value {
        let out = apply(t, SchemaAndValue::schemaless(value)).unwrap();
        assert_eq!(out.schema, None);
        out.value
    }

    fn with_schema(
        t: &mut TimestampConverter,
        schema: Schema,
        value: impl Into<Value>,
    ) -> (Schema, Value) {
        let out = apply(t, SchemaAndValue::new(schema, value)).unwrap();
        (Arc::unwrap_or_clone(out.schema.unwrap()), out.value)
    }

    fn error(t: &mut TimestampConverter, value: SchemaAndValue) -> String {
        apply(t, value).unwrap_err().message
    }

    // --- Configuration (testConfig*) ---

    #[test]
    fn config_without_target_type_is_rejected() {
        assert_eq!(
            configure(&[]).unwrap_err().message,
            "Missing required configuration \"target.type\" which has no default value."
        );
    }

    #[test]
    fn config_with_invalid_target_type_is_rejected() {
        assert_eq!(
            configure(&[("target.type", "invalid")])
                .unwrap_err()
                .message,
            "Invalid value invalid for configuration target.type: String must be one of: string, unix, Date, Time, Timestamp"
        );
    }

    #[test]
    fn config_with_invalid_unix_precision_is_rejected() {
        assert_eq!(
            configure(&[("target.type", "unix"), ("unix.precision", "invalid")])
                .unwrap_err()
                .message,
            "Invalid value invalid for configuration unix.precision: String must be one of: nanoseconds, microseconds, milliseconds, seconds"
        );
    }

    #[test]
    fn config_with_valid_unix_precision_is_accepted() {
        let t = xform(&[("target.type", "unix"), ("unix.precision", "seconds")]);
        assert_eq!(t.unix_precision, UnixPrecision::Seconds);
        assert!(t.replace_null_with_default);
        assert!(
            configure(&[
                ("target.type", "unix"),
                ("replace.null.with.default", "maybe")
            ])
            .is_err()
        );
    }

    #[test]
    fn config_string_target_without_format_is_rejected() {
        for format in [None, Some("  ")] {
            let mut pairs = vec![("target.type", "string")];
            pairs.extend(format.map(|f| ("format", f)));
            assert_eq!(
                configure(&pairs).unwrap_err().message,
                "TimestampConverter requires format option to be specified when using string timestamps"
            );
        }
    }

    #[test]
    fn config_with_invalid_format_is_rejected() {
        assert_eq!(
            configure(&[("target.type", "string"), ("format", "bad-format")])
                .unwrap_err()
                .message,
            "Invalid value java.lang.IllegalArgumentException: Illegal pattern character 'b' for configuration TimestampConverter requires a SimpleDateFormat-compatible pattern for string timestamps: bad-format"
        );
    }

    // --- Schemaless, Timestamp -> other types ---

    #[test]
    fn schemaless_identity() {
        let mut t = xform(&[("target.type", "Timestamp")]);
        assert_eq!(
            schemaless(&mut t, DATE_PLUS_TIME_UNIX),
            Value::Int64(DATE_PLUS_TIME_UNIX)
        );
    }

    #[test]
    fn schemaless_timestamp_to_date_time_and_unix() {
        let mut t = xform(&[("target.type", "Date")]);
        assert_eq!(
            schemaless(&mut t, DATE_PLUS_TIME_UNIX),
            Value::Int64(DATE_MILLIS)
        );
        let mut t = xform(&[("target.type", "Time")]);
        assert_eq!(
            schemaless(&mut t, DATE_PLUS_TIME_UNIX),
            Value::Int64(TIME_MILLIS.into())
        );
        let mut t = xform(&[("target.type", "unix")]);
        assert_eq!(
            schemaless(&mut t, DATE_PLUS_TIME_UNIX),
            Value::Int64(DATE_PLUS_TIME_UNIX)
        );
    }

    #[test]
    fn schemaless_timestamp_to_string() {
        let mut t = xform(&[("target.type", "string"), ("format", STRING_DATE_FMT)]);
        assert_eq!(
            schemaless(&mut t, DATE_PLUS_TIME_UNIX),
            Value::from(DATE_PLUS_TIME_STRING)
        );
    }

    // --- Schemaless, core types -> Timestamp ---

    #[test]
    fn schemaless_unix_and_string_to_timestamp() {
        let mut t = xform(&[("target.type", "Timestamp")]);
        assert_eq!(schemaless(&mut t, DATE_MILLIS), Value::Int64(DATE_MILLIS));
        let mut t = xform(&[("target.type", "Timestamp"), ("format", STRING_DATE_FMT)]);
        assert_eq!(
            schemaless(&mut t, DATE_PLUS_TIME_STRING),
            Value::Int64(DATE_PLUS_TIME_UNIX)
        );
    }

    // --- With schema, Timestamp -> other types ---

    #[test]
    fn with_schema_identity() {
        let mut t = xform(&[("target.type", "Timestamp")]);
        assert_eq!(
            with_schema(&mut t, timestamp_schema(), DATE_PLUS_TIME_UNIX),
            (timestamp_schema(), Value::Int64(DATE_PLUS_TIME_UNIX))
        );
    }

    #[test]
    fn with_schema_timestamp_to_date() {
        let mut t = xform(&[("target.type", "Date")]);
        assert_eq!(
            with_schema(&mut t, timestamp_schema(), DATE_PLUS_TIME_UNIX),
            (date_schema(), Value::Int32(DATE_DAYS))
        );
    }

    #[test]
    fn with_schema_timestamp_to_time() {
        let mut t = xform(&[("target.type", "Time")]);
        assert_eq!(
            with_schema(&mut t, timestamp_schema(), DATE_PLUS_TIME_UNIX),
            (time_schema(), Value::Int32(TIME_MILLIS))
        );
    }

    #[test]
    fn with_schema_timestamp_to_unix() {
        let mut t = xform(&[("target.type", "unix")]);
        assert_eq!(
            with_schema(&mut t, timestamp_schema(), DATE_PLUS_TIME_UNIX),
            (Schema::int64(), Value::Int64(DATE_PLUS_TIME_UNIX))
        );
    }

    #[test]
    fn with_schema_timestamp_to_string() {
        let mut t = xform(&[("target.type", "string"), ("format", STRING_DATE_FMT)]);
        assert_eq!(
            with_schema(&mut t, timestamp_schema(), DATE_PLUS_TIME_UNIX),
            (Schema::string(), Value::from(DATE_PLUS_TIME_STRING))
        );
    }

    // --- With schema, core types -> Timestamp ---

    #[test]
    fn with_schema_date_time_unix_and_string_to_timestamp() {
        let mut t = xform(&[("target.type", "Timestamp"), ("format", STRING_DATE_FMT)]);
        // No change expected from Date and Time: they are coarser-grained.
        assert_eq!(
            with_schema(&mut t, date_schema(), DATE_DAYS),
            (timestamp_schema(), Value::Int64(DATE_MILLIS))
        );
        assert_eq!(
            with_schema(&mut t, time_schema(), TIME_MILLIS),
            (timestamp_schema(), Value::Int64(TIME_MILLIS.into()))
        );
        assert_eq!(
            with_schema(&mut t, Schema::int64(), DATE_PLUS_TIME_UNIX),
            (timestamp_schema(), Value::Int64(DATE_PLUS_TIME_UNIX))
        );
        assert_eq!(
            with_schema(&mut t, Schema::string(), DATE_PLUS_TIME_STRING),
            (timestamp_schema(), Value::Int64(DATE_PLUS_TIME_UNIX))
        );
    }

    // --- Null values ---

    const TARGETS: [&str; 5] = ["string", "unix", "Date", "Time", "Timestamp"];

    #[test]
    fn schemaless_null_value_and_null_record_with_field_stay_null() {
        for target in TARGETS {
            for field in ["", "ts"] {
                let mut t = xform(&[
                    ("target.type", target),
                    ("format", STRING_DATE_FMT),
                    ("field", field),
                ]);
                assert_eq!(schemaless(&mut t, Value::Null), Value::Null, "{target}");
            }
        }
    }

    fn optional_sources() -> [Schema; 5] {
        [
            Schema::optional_int64(),
            TimestampType::Time.schema(true),
            TimestampType::Date.schema(true),
            Schema::optional_string(),
            TimestampType::Timestamp.schema(true),
        ]
    }

    #[test]
    fn with_schema_null_value_gets_the_optional_target_schema() {
        for target in TARGETS {
            let expected = TimestampType::from_config(target).unwrap().schema(true);
            for source in optional_sources() {
                let mut t = xform(&[("target.type", target), ("format", STRING_DATE_FMT)]);
                assert_eq!(
                    with_schema(&mut t, source.clone(), Value::Null),
                    (expected.clone(), Value::Null),
                    "{target} from {source:?}"
                );
            }
        }
    }

    #[test]
    fn with_schema_null_field_and_null_struct() {
        for target in TARGETS {
            let expected_field = TimestampType::from_config(target).unwrap().schema(true);
            for source in optional_sources() {
                let mut t = xform(&[
                    ("target.type", target),
                    ("format", STRING_DATE_FMT),
                    ("field", "ts"),
                ]);
                let struct_schema = Schema::struct_builder()
                    .field("ts", source)
                    .field("other", Schema::string());
                let expected_schema = Schema::struct_builder()
                    .field("ts", expected_field.clone())
                    .field("other", Schema::string());
                let original = Struct::new().put("ts", Value::Null).put("other", "test");
                let (schema, value) = with_schema(&mut t, struct_schema.clone().build(), original);
                assert_eq!(schema, expected_schema.clone().build());
                let Value::Struct(value) = value else {
                    panic!("{value:?}")
                };
                assert_eq!(value.get("ts"), Some(&Value::Null));
                assert_eq!(value.get("other"), Some(&Value::from("test")));
                // The entire struct is null.
                assert_eq!(
                    with_schema(&mut t, struct_schema.optional().build(), Value::Null),
                    (expected_schema.optional().build(), Value::Null)
                );
            }
        }
    }

    // --- Converting a field instead of the entire value ---

    #[test]
    fn schemaless_field_conversion() {
        let mut t = xform(&[("target.type", "Date"), ("field", "ts")]);
        let value = Value::Map(vec![("ts".into(), DATE_PLUS_TIME_UNIX.into())]);
        assert_eq!(
            schemaless(&mut t, value),
            Value::Map(vec![("ts".into(), DATE_MILLIS.into())])
        );
        // A missing field becomes a null entry, as Kafka's HashMap.put(field, null).
        let value = Value::Map(vec![("other".into(), "x".into())]);
        assert_eq!(
            schemaless(&mut t, value),
            Value::Map(vec![
                ("other".into(), "x".into()),
                ("ts".into(), Value::Null)
            ])
        );
    }

    #[test]
    fn with_schema_field_conversion() {
        let mut t = xform(&[("target.type", "Timestamp"), ("field", "ts")]);
        let schema = Schema::struct_builder()
            .field("ts", Schema::int64())
            .field("other", Schema::string())
            .build();
        let original = Struct::new()
            .put("ts", DATE_PLUS_TIME_UNIX)
            .put("other", "test");
        let expected_schema = Schema::struct_builder()
            .field("ts", timestamp_schema())
            .field("other", Schema::string())
            .build();
        assert_eq!(
            with_schema(&mut t, schema, original),
            (
                expected_schema,
                Value::Struct(
                    Struct::new()
                        .put("ts", DATE_PLUS_TIME_UNIX)
                        .put("other", "test")
                )
            )
        );
    }

    #[test]
    fn with_schema_null_field_with_default_conversion() {
        let schema = Schema::struct_builder()
            .field(
                "ts",
                Schema::optional_int64()
                    .to_builder()
                    .default_value(Value::Int64(0))
                    .build(),
            )
            .field("other", Schema::string())
            .build();
        let expected_schema = Schema::struct_builder()
            .field("ts", TimestampType::Timestamp.schema(true))
            .field("other", Schema::string())
            .build();
        let original = Struct::new().put("ts", Value::Null).put("other", "test");
        for (replace, expected) in [("false", Value::Null), ("true", Value::Int64(0))] {
            let mut t = xform(&[
                ("target.type", "Timestamp"),
                ("field", "ts"),
                ("replace.null.with.default", replace),
            ]);
            let (out_schema, value) = with_schema(&mut t, schema.clone(), original.clone());
            assert_eq!(out_schema, expected_schema);
            let Value::Struct(value) = value else {
                panic!("{value:?}")
            };
            assert_eq!(value.get("ts"), Some(&expected), "replace={replace}");
            assert_eq!(value.get("other"), Some(&Value::from("test")));
        }
    }

    #[test]
    fn with_schema_field_conversion_in_micros_nanos_and_seconds() {
        for (precision, unix, expected) in [
            (
                "microseconds",
                DATE_PLUS_TIME_UNIX_MICROS,
                DATE_PLUS_TIME_UNIX,
            ),
            (
                "nanoseconds",
                DATE_PLUS_TIME_UNIX_NANOS,
                DATE_PLUS_TIME_UNIX,
            ),
            ("seconds", DATE_PLUS_TIME_UNIX_SECONDS, 86_401_000),
        ] {
            let mut t = xform(&[
                ("target.type", "Timestamp"),
                ("field", "ts"),
                ("unix.precision", precision),
            ]);
            let schema = Schema::struct_builder()
                .field("ts", Schema::int64())
                .build();
            let (out_schema, value) = with_schema(&mut t, schema, Struct::new().put("ts", unix));
            assert_eq!(
                out_schema,
                Schema::struct_builder()
                    .field("ts", timestamp_schema())
                    .build()
            );
            assert_eq!(
                value,
                Value::Struct(Struct::new().put("ts", expected)),
                "{precision}"
            );
        }
    }

    #[test]
    fn schemaless_string_to_unix_in_micros_nanos_and_seconds() {
        // Sub-millisecond precision is lost, as in Kafka.
        for (precision, expected) in [
            ("microseconds", 86_401_234_000),
            ("nanoseconds", 86_401_234_000_000),
            ("seconds", DATE_PLUS_TIME_UNIX_SECONDS),
        ] {
            let mut t = xform(&[
                ("target.type", "unix"),
                ("unix.precision", precision),
                ("format", STRING_DATE_FMT),
            ]);
            assert_eq!(
                schemaless(&mut t, DATE_PLUS_TIME_STRING),
                Value::Int64(expected),
                "{precision}"
            );
        }
    }

    // --- The $Key form ---

    #[test]
    fn key_form_converts_the_key_the_host_hands_over_as_value() {
        let mut t = xform(&[("target.type", "Timestamp")]);
        // The host swaps key and value for TimestampConverter$Key, so the key arrives here.
        let mut swapped = record(SchemaAndValue::schemaless(DATE_PLUS_TIME_UNIX));
        swapped.key = SchemaAndValue::schemaless("the record value");
        let out = t.apply(swapped).unwrap().unwrap();
        assert_eq!(out.value, SchemaAndValue::schemaless(DATE_PLUS_TIME_UNIX));
        assert_eq!(out.key, SchemaAndValue::schemaless("the record value"));
        let info = TimestampConverter::info();
        assert!(
            info.aliases
                .contains(&"org.apache.kafka.connect.transforms.TimestampConverter$Key".into())
        );
        assert_eq!(info.description, OVERVIEW_DOC);
    }

    // --- Errors ---

    #[test]
    fn wrong_value_types_give_kafka_errors() {
        let mut t = xform(&[("target.type", "unix")]);
        assert_eq!(
            error(&mut t, SchemaAndValue::schemaless(1i32)),
            "TimestampConverter does not support class java.lang.Integer objects as timestamps"
        );
        assert_eq!(
            error(&mut t, SchemaAndValue::new(Schema::int32(), 1i32)),
            "Schema Schema{INT32} does not correspond to a known timestamp type format"
        );
        // Kafka looks at the schema even for a null value.
        assert_eq!(
            error(
                &mut t,
                SchemaAndValue::new(Schema::optional_float64(), Value::Null)
            ),
            "Schema Schema{FLOAT64} does not correspond to a known timestamp type format"
        );
        assert_eq!(
            error(&mut t, SchemaAndValue::new(timestamp_schema(), "x")),
            "Expected Timestamp to be a java.util.Date, but found class java.lang.String"
        );
        assert_eq!(
            error(&mut t, SchemaAndValue::new(Schema::string(), 5i64)),
            "Expected string timestamp to be a String, but found class java.lang.Long"
        );
        assert_eq!(
            error(&mut t, SchemaAndValue::new(Schema::int64(), "x")),
            "Expected Unix timestamp to be a Long, but found class java.lang.String"
        );
        let mut t = xform(&[("target.type", "unix"), ("field", "ts")]);
        assert_eq!(
            error(&mut t, SchemaAndValue::schemaless("x")),
            "Only Map objects supported in absence of schema for [converting timestamp formats], found: string"
        );
        let schema = Schema::struct_builder()
            .field("ts", Schema::int64())
            .build();
        assert_eq!(
            error(&mut t, SchemaAndValue::new(schema, 5i64)),
            "Only Struct objects supported for [converting timestamp formats], found: int64"
        );
    }

    #[test]
    fn unparseable_strings_name_value_and_pattern() {
        let mut t = xform(&[("target.type", "unix"), ("format", "yyyy-MM-dd")]);
        assert_eq!(
            error(&mut t, SchemaAndValue::schemaless("03/01/2017")),
            "Could not parse timestamp: value (03/01/2017) does not match pattern (yyyy-MM-dd)"
        );
        // Without a format a string cannot be read (Kafka fails with a NullPointerException).
        let mut t = xform(&[("target.type", "unix")]);
        assert!(error(&mut t, SchemaAndValue::schemaless("2017")).contains("format"));
    }

    #[test]
    fn converts_date_and_time_fields_of_a_struct_with_a_default() {
        let schema = Schema::struct_builder()
            .name("rec")
            .field("day", date_schema())
            .field("n", Schema::int32())
            .default_value(Value::Struct(
                Struct::new().put("day", 17_169i32).put("n", 0i32),
            ))
            .build();
        let mut t = xform(&[
            ("target.type", "string"),
            ("format", "yyyy-MM-dd"),
            ("field", "day"),
        ]);
        let (out_schema, value) = with_schema(
            &mut t,
            schema,
            Struct::new().put("day", 0i32).put("n", 7i32),
        );
        assert_eq!(out_schema.name.as_deref(), Some("rec"));
        assert_eq!(out_schema.field("day").unwrap().schema, Schema::string());
        assert_eq!(
            out_schema.default_value.as_deref(),
            Some(&Value::Struct(
                Struct::new().put("day", "2017-01-03").put("n", 0i32)
            ))
        );
        assert_eq!(
            value,
            Value::Struct(Struct::new().put("day", "1970-01-01").put("n", 7i32))
        );
        // Before the epoch, Date and Time round down like Java's Calendar.
        let mut t = xform(&[("target.type", "Date")]);
        assert_eq!(
            with_schema(&mut t, timestamp_schema(), -1i64).1,
            Value::Int32(-1)
        );
        let mut t = xform(&[("target.type", "Time")]);
        assert_eq!(
            with_schema(&mut t, timestamp_schema(), -1i64).1,
            Value::Int32(86_399_999)
        );
    }
}
