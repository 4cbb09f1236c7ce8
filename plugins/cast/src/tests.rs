//! The cases of Kafka's `CastTest`, restated as Rust test data.

#![allow(clippy::unwrap_used)]

use super::*;

const MILLIS_PER_HOUR: i64 = 3_600_000;
const MILLIS_PER_DAY: i64 = 86_400_000;

fn configure(pairs: &[(&str, &str)]) -> Result<Cast> {
    Cast::configure(pairs.iter().copied().collect())
}

fn cast(spec: &str) -> Cast {
    configure(&[(SPEC_CONFIG, spec)]).unwrap()
}

fn config_error(spec: &str) -> String {
    configure(&[(SPEC_CONFIG, spec)]).unwrap_err().message
}

/// A record with `value` (for `$Key`, the host puts the key here) and a string key.
fn record(value: SchemaAndValue) -> ConnectRecord {
    ConnectRecord {
        topic: "topic".into(),
        kafka_partition: Some(0),
        key: SchemaAndValue::new(Schema::string(), "key"),
        value,
        ..ConnectRecord::default()
    }
}

fn apply(transform: &mut Cast, value: SchemaAndValue) -> Result<SchemaAndValue> {
    Ok(transform.apply(record(value))?.unwrap().value)
}

fn apply_ok(spec: &str, value: SchemaAndValue) -> SchemaAndValue {
    apply(&mut cast(spec), value).unwrap()
}

fn as_struct(value: &Value) -> &Struct {
    match value {
        Value::Struct(s) => s,
        other => panic!("not a struct: {other:?}"),
    }
}

fn field_schema<'a>(out: &'a SchemaAndValue, name: &str) -> &'a Schema {
    &out.schema.as_ref().unwrap().field(name).unwrap().schema
}

fn logical(base: Schema, name: &str) -> Schema {
    base.to_builder().name(name).version(1).build()
}

/// Kafka's `Decimal.schema(scale)`.
fn decimal_schema(scale: i32) -> Schema {
    Schema::bytes()
        .to_builder()
        .name(DECIMAL_LOGICAL)
        .version(1)
        .parameter("scale", scale.to_string())
        .build()
}

/// `BigInteger.toByteArray()`: minimal big-endian two's complement.
fn unscaled(v: i128) -> Value {
    let bytes = v.to_be_bytes();
    let mut start = 0;
    while start < 15
        && ((bytes[start] == 0 && bytes[start + 1] & 0x80 == 0)
            || (bytes[start] == 0xff && bytes[start + 1] & 0x80 != 0))
    {
        start += 1;
    }
    Value::Bytes(bytes[start..].to_vec())
}

// ---- configuration ----

#[test]
fn config_empty_spec_is_rejected() {
    assert_eq!(config_error(""), "Must specify at least one field to cast.");
    assert_eq!(
        config_error("  "),
        "Must specify at least one field to cast."
    );
    assert_eq!(
        Cast::configure(Config::new()).unwrap_err().message,
        "Missing required configuration \"spec\" which has no default value."
    );
}

#[test]
fn config_invalid_schema_type_is_rejected() {
    assert_eq!(
        config_error("foo:faketype"),
        "Invalid type found in casting spec: faketype"
    );
    assert_eq!(
        config_error("a:int8,,b:int8"),
        "Invalid type found in casting spec: "
    );
}

#[test]
fn config_invalid_target_type_is_rejected() {
    let expected = "Cast transformation does not support casting to ARRAY; supported types are \
                    [INT8, INT16, INT32, INT64, FLOAT32, FLOAT64, BOOLEAN, STRING]";
    assert_eq!(config_error("foo:array"), expected);
    assert_eq!(config_error("array"), expected);
}

#[test]
fn config_bytes_target_is_unsupported() {
    assert_eq!(
        config_error("foo:bytes"),
        "Cast transformation does not support casting to BYTES; supported types are \
         [INT8, INT16, INT32, INT64, FLOAT32, FLOAT64, BOOLEAN, STRING]"
    );
}

#[test]
fn config_invalid_map_is_rejected() {
    assert_eq!(
        config_error("foo:int8:extra"),
        "Invalid value [foo:int8:extra] for configuration renames: \
         Invalid rename mapping: foo:int8:extra"
    );
}

#[test]
fn config_mix_of_whole_and_field_casts_is_rejected() {
    assert_eq!(
        config_error("foo:int8,int32"),
        "Cast transformations that specify a type to cast the entire value to may only \
         specify a single cast in their spec"
    );
}

#[test]
fn config_parses_types_case_insensitively_and_trims() {
    assert_eq!(
        CastSpec::parse(" a : INT8 , b:Float64, a:string ").unwrap(),
        CastSpec::Fields(vec![
            ("a".into(), SchemaType::String),
            ("b".into(), SchemaType::Float64)
        ])
    );
    assert_eq!(
        CastSpec::parse("Boolean").unwrap(),
        CastSpec::WholeValue(SchemaType::Boolean)
    );
    // Java's split drops the trailing empty part: "int8:" is a whole-value cast.
    assert_eq!(
        CastSpec::parse("int8:").unwrap(),
        CastSpec::WholeValue(SchemaType::Int8)
    );
    let bad_bool = configure(&[
        (SPEC_CONFIG, "int8"),
        (REPLACE_NULL_WITH_DEFAULT_CONFIG, "maybe"),
    ])
    .unwrap_err();
    assert_eq!(
        bad_bool.message,
        "Invalid value maybe for configuration replace.null.with.default: \
         Expected value to be either true or false"
    );
}

#[test]
fn plugin_info_and_config_def_match_kafka() {
    let info = Cast::info();
    assert_eq!(info.name, "Cast");
    for alias in [
        "Cast$Value",
        "Cast$Key",
        "org.apache.kafka.connect.transforms.Cast$Value",
        "org.apache.kafka.connect.transforms.Cast$Key",
    ] {
        assert!(info.aliases.iter().any(|a| a == alias), "{alias}");
    }
    assert_eq!(info.version, env!("CARGO_PKG_VERSION"));
    assert_eq!(info.description, OVERVIEW_DOC);
    let def = Cast::config_def();
    assert_eq!(def[0].name, "spec");
    assert!(def[0].is_required());
    assert_eq!(def[0].importance, Importance::High);
    assert_eq!(def[1].name, "replace.null.with.default");
    assert_eq!(def[1].default_value.as_deref(), Some("true"));
}

// ---- nulls and defaults ----

#[test]
fn cast_null_value_record_with_schema_passes_through() {
    let original = record(SchemaAndValue::new(Schema::string(), Value::Null));
    let out = cast("foo:int64").apply(original.clone()).unwrap();
    assert_eq!(out, Some(original));
}

#[test]
fn cast_null_value_record_schemaless_passes_through() {
    let original = record(SchemaAndValue::null());
    let out = cast("foo:int64").apply(original.clone()).unwrap();
    assert_eq!(out, Some(original));
}

#[test]
fn cast_null_key_record_passes_through() {
    // Cast$Key: the host hands the key over in `value`.
    for key_schema in [Some(Arc::new(Schema::string())), None] {
        let mut original = record(SchemaAndValue {
            schema: key_schema,
            value: Value::Null,
        });
        original.key = SchemaAndValue::new(Schema::string(), "value");
        let out = cast("foo:int64").apply(original.clone()).unwrap();
        assert_eq!(out, Some(original));
    }
}

#[test]
fn cast_field_with_default_value_record_with_schema() {
    // (replace.null.with.default, expected value)
    for (replace, expected) in [("false", Value::Null), ("true", Value::from("10"))] {
        let mut transform = configure(&[
            (SPEC_CONFIG, "magic:string"),
            (REPLACE_NULL_WITH_DEFAULT_CONFIG, replace),
        ])
        .unwrap();
        let magic = Schema::optional_int32()
            .to_builder()
            .default_value(Value::Int32(10))
            .build();
        let schema = Schema::struct_builder().field("magic", magic).build();
        let value = Struct::new().put("magic", Value::Null);
        let out = apply(&mut transform, SchemaAndValue::new(schema, value)).unwrap();
        let magic = field_schema(&out, "magic");
        assert_eq!(magic.schema_type, SchemaType::String);
        assert!(magic.optional);
        assert_eq!(magic.default_value.as_deref(), Some(&Value::from("10")));
        assert_eq!(
            as_struct(&out.value).get("magic"),
            Some(&expected),
            "{replace}"
        );
    }
}

#[test]
fn null_in_required_field_is_rejected_like_struct_put() {
    let schema = Schema::struct_builder()
        .field("a", Schema::int32())
        .field("b", Schema::string())
        .build();
    let value = Struct::new().put("b", "x");
    let err = apply(&mut cast("a:int64"), SchemaAndValue::new(schema, value)).unwrap_err();
    assert_eq!(
        err.message,
        "Invalid value: null used for required field: \"a\", schema type: INT64"
    );
}

// ---- whole value ----

#[test]
fn cast_whole_record_key_with_schema() {
    // Cast$Key on (INT32 42, value STRING "bogus"): the host swaps key and value.
    let mut swapped = record(SchemaAndValue::new(Schema::int32(), 42i32));
    swapped.key = SchemaAndValue::new(Schema::string(), "bogus");
    let out = cast("int8").apply(swapped).unwrap().unwrap();
    assert_eq!(out.value.schema.unwrap().schema_type, SchemaType::Int8);
    assert_eq!(out.value.value, Value::Int8(42));
    assert_eq!(out.key, SchemaAndValue::new(Schema::string(), "bogus"));
}

#[test]
fn cast_whole_record_value_with_schema() {
    let cases: [(&str, i32, SchemaType, Value); 9] = [
        ("int8", 42, SchemaType::Int8, Value::Int8(42)),
        ("int16", 42, SchemaType::Int16, Value::Int16(42)),
        ("int32", 42, SchemaType::Int32, Value::Int32(42)),
        ("int64", 42, SchemaType::Int64, Value::Int64(42)),
        ("float32", 42, SchemaType::Float32, Value::Float32(42.0)),
        ("float64", 42, SchemaType::Float64, Value::Float64(42.0)),
        ("boolean", 42, SchemaType::Boolean, Value::Boolean(true)),
        ("boolean", 0, SchemaType::Boolean, Value::Boolean(false)),
        ("string", 42, SchemaType::String, Value::from("42")),
    ];
    for (spec, input, schema_type, expected) in cases {
        let out = apply_ok(spec, SchemaAndValue::new(Schema::int32(), input));
        assert_eq!(out.schema.unwrap().schema_type, schema_type, "{spec}");
        assert_eq!(out.value, expected, "{spec} {input}");
    }
}

#[test]
fn cast_whole_big_decimal_record_value_with_schema_string() {
    let out = apply_ok(
        "string",
        SchemaAndValue::new(decimal_schema(0), unscaled(42)),
    );
    let schema = out.schema.unwrap();
    assert_eq!(schema.schema_type, SchemaType::String);
    // Kafka copies the schema's name and parameters onto the new schema.
    assert_eq!(schema.name.as_deref(), Some(DECIMAL_LOGICAL));
    assert_eq!(out.value, Value::from("42"));
    let out = apply_ok(
        "string",
        SchemaAndValue::new(decimal_schema(2), unscaled(-12345)),
    );
    assert_eq!(out.value, Value::from("-123.45"));
}

#[test]
fn cast_whole_date_record_value_with_schema_string() {
    // A day + 1 ms gets the timestamp format.
    let out = apply_ok(
        "string",
        SchemaAndValue::new(
            logical(Schema::int64(), TIMESTAMP_LOGICAL),
            MILLIS_PER_DAY + 1,
        ),
    );
    assert_eq!(out.schema.unwrap().schema_type, SchemaType::String);
    assert_eq!(out.value, Value::from("1970-01-02T00:00:00.001Z"));
}

#[test]
fn cast_whole_record_default_value() {
    let schema = Schema::float32()
        .to_builder()
        .default_value(Value::Float32(-42.125))
        .build();
    let out = apply_ok("int32", SchemaAndValue::new(schema, 42.125f32));
    let schema = out.schema.unwrap();
    assert_eq!(schema.schema_type, SchemaType::Int32);
    assert_eq!(out.value, Value::Int32(42));
    assert_eq!(schema.default_value.as_deref(), Some(&Value::Int32(-42)));
}

#[test]
fn cast_whole_record_key_schemaless() {
    let mut swapped = record(SchemaAndValue::schemaless(42i32));
    swapped.key = SchemaAndValue::new(Schema::string(), "bogus");
    let out = cast("int8").apply(swapped).unwrap().unwrap();
    assert_eq!(out.value, SchemaAndValue::schemaless(Value::Int8(42)));
    assert_eq!(out.key, SchemaAndValue::new(Schema::string(), "bogus"));
}

#[test]
fn cast_whole_record_value_schemaless() {
    let cases: [(&str, i32, Value); 9] = [
        ("int8", 42, Value::Int8(42)),
        ("int16", 42, Value::Int16(42)),
        ("int32", 42, Value::Int32(42)),
        ("int64", 42, Value::Int64(42)),
        ("float32", 42, Value::Float32(42.0)),
        ("float64", 42, Value::Float64(42.0)),
        ("boolean", 42, Value::Boolean(true)),
        ("boolean", 0, Value::Boolean(false)),
        ("string", 42, Value::from("42")),
    ];
    for (spec, input, expected) in cases {
        let out = apply_ok(spec, SchemaAndValue::schemaless(input));
        assert_eq!(out.schema, None, "{spec}");
        assert_eq!(out.value, expected, "{spec} {input}");
    }
}

#[test]
fn cast_whole_record_value_schemaless_unsupported_type() {
    let err = apply(
        &mut cast("int8"),
        SchemaAndValue::schemaless(Value::Array(vec![Value::from("foo")])),
    )
    .unwrap_err();
    assert_eq!(
        err.message,
        "Cast transformation does not support casting from ARRAY; supported types are \
         [INT8, INT16, INT32, INT64, FLOAT32, FLOAT64, BOOLEAN, STRING, BYTES]"
    );
}

// ---- logical types ----

#[test]
fn cast_logical_to_primitive() {
    let spec = "date_to_int32:int32,timestamp_to_int64:int64,time_to_int64:int64,\
                decimal_to_int32:int32,timestamp_to_float64:float64,null_timestamp_to_int32:int32";
    let schema = Schema::struct_builder()
        .field("date_to_int32", logical(Schema::int32(), DATE_LOGICAL))
        .field(
            "timestamp_to_int64",
            logical(Schema::int64(), TIMESTAMP_LOGICAL),
        )
        .field("time_to_int64", logical(Schema::int32(), TIME_LOGICAL))
        .field("decimal_to_int32", decimal_schema(0))
        .field(
            "timestamp_to_float64",
            logical(Schema::int64(), TIMESTAMP_LOGICAL),
        )
        .field(
            "null_timestamp_to_int32",
            logical(Schema::int64(), TIMESTAMP_LOGICAL).into_optional(),
        )
        .build();
    let value = Struct::new()
        .put("date_to_int32", 1i32) // one day
        .put("timestamp_to_int64", 0i64)
        .put("time_to_int64", 1i32)
        .put("decimal_to_int32", unscaled(i128::from(i32::MAX) + 1))
        .put("timestamp_to_float64", i64::MAX)
        .put("null_timestamp_to_int32", Value::Null);
    let out = apply_ok(spec, SchemaAndValue::new(schema, value));
    let s = as_struct(&out.value);
    assert_eq!(s.get("date_to_int32"), Some(&Value::Int32(1)));
    assert_eq!(s.get("timestamp_to_int64"), Some(&Value::Int64(0)));
    assert_eq!(s.get("time_to_int64"), Some(&Value::Int64(1)));
    assert_eq!(s.get("decimal_to_int32"), Some(&Value::Int32(i32::MIN)));
    assert_eq!(
        s.get("timestamp_to_float64"),
        Some(&Value::Float64(9.223372036854776E18))
    );
    assert_eq!(s.get("null_timestamp_to_int32"), Some(&Value::Null));
    for (name, t) in [
        ("date_to_int32", SchemaType::Int32),
        ("timestamp_to_int64", SchemaType::Int64),
        ("time_to_int64", SchemaType::Int64),
        ("decimal_to_int32", SchemaType::Int32),
        ("timestamp_to_float64", SchemaType::Float64),
        ("null_timestamp_to_int32", SchemaType::Int32),
    ] {
        let field = field_schema(&out, name);
        assert_eq!(field.schema_type, t, "{name}");
        assert_eq!(field.name, None, "{name}: the logical name is dropped");
    }
    assert!(field_schema(&out, "null_timestamp_to_int32").optional);
}

#[test]
fn cast_logical_to_string() {
    let timestamp = 1_700_000_000_123i64;
    let schema = Schema::struct_builder()
        .field("date", logical(Schema::int32(), DATE_LOGICAL))
        .field("decimal", decimal_schema(0))
        .field("time", logical(Schema::int32(), TIME_LOGICAL))
        .field("timestamp", logical(Schema::int64(), TIMESTAMP_LOGICAL))
        .build();
    let value = Struct::new()
        .put("date", 1i32)
        .put("decimal", unscaled(1982))
        .put("time", MILLIS_PER_HOUR as i32)
        .put("timestamp", timestamp);
    let out = apply_ok(
        "date:string,decimal:string,time:string,timestamp:string",
        SchemaAndValue::new(schema, value),
    );
    let s = as_struct(&out.value);
    assert_eq!(s.get("date"), Some(&Value::from("1970-01-02")));
    assert_eq!(s.get("decimal"), Some(&Value::from("1982")));
    assert_eq!(s.get("time"), Some(&Value::from("01:00:00.000Z")));
    assert_eq!(
        s.get("timestamp"),
        Some(&Value::from("2023-11-14T22:13:20.123Z"))
    );
    for name in ["date", "decimal", "time", "timestamp"] {
        assert_eq!(field_schema(&out, name).schema_type, SchemaType::String);
    }
}

#[test]
fn decimal_without_scale_is_rejected() {
    let schema = Schema::struct_builder()
        .field(
            "d",
            Schema::bytes().to_builder().name(DECIMAL_LOGICAL).build(),
        )
        .build();
    let value = Struct::new().put("d", unscaled(1));
    let err = apply(&mut cast("d:string"), SchemaAndValue::new(schema, value)).unwrap_err();
    assert_eq!(
        err.message,
        "Invalid Decimal schema: scale parameter not found."
    );
}

// ---- fields ----

#[test]
fn cast_fields_with_schema() {
    let bytes = vec![0xFE, 0xDC, 0xBA, 0x98, 0x76, 0x54, 0x32, 0x10];
    let spec = "int8:int16,int16:int32,int32:int64,int64:boolean,float32:float64,float64:boolean,\
                boolean:int8,string:int32,bigdecimal:string,date:string,optional:int32,\
                bytes:string,byteArray:string";
    let schema = Schema::struct_builder()
        .name("record")
        .field("int8", Schema::int8())
        .field("int16", Schema::optional_int16())
        .field(
            "int32",
            Schema::int32()
                .to_builder()
                .default_value(Value::Int32(2))
                .build(),
        )
        .field("int64", Schema::int64())
        .field("float32", Schema::float32())
        .field(
            "float64",
            Schema::float64()
                .to_builder()
                .default_value(Value::Float64(-1.125))
                .build(),
        )
        .field("boolean", Schema::boolean())
        .field("string", Schema::string())
        .field("bigdecimal", decimal_schema(0))
        .field("date", logical(Schema::int32(), DATE_LOGICAL))
        .field("optional", Schema::optional_float32())
        .field("timestamp", logical(Schema::int64(), TIMESTAMP_LOGICAL))
        .field("bytes", Schema::bytes())
        .field("byteArray", Schema::bytes())
        .build();
    // The optional field is intentionally omitted.
    let value = Struct::new()
        .put("int8", 8i8)
        .put("int16", 16i16)
        .put("int32", 32i32)
        .put("int64", 64i64)
        .put("float32", 32.0f32)
        .put("float64", -64.0f64)
        .put("boolean", true)
        .put("bigdecimal", unscaled(42))
        .put("date", 1i32)
        .put("string", "42")
        .put("timestamp", 0i64)
        .put("bytes", bytes.clone())
        .put("byteArray", bytes);
    let out = apply_ok(spec, SchemaAndValue::new(schema, value));
    let s = as_struct(&out.value);
    let expected: [(&str, Value, SchemaType); 14] = [
        ("int8", Value::Int16(8), SchemaType::Int16),
        ("int16", Value::Int32(16), SchemaType::Int32),
        ("int32", Value::Int64(32), SchemaType::Int64),
        ("int64", Value::Boolean(true), SchemaType::Boolean),
        ("float32", Value::Float64(32.0), SchemaType::Float64),
        ("float64", Value::Boolean(true), SchemaType::Boolean),
        ("boolean", Value::Int8(1), SchemaType::Int8),
        ("string", Value::Int32(42), SchemaType::Int32),
        ("bigdecimal", Value::from("42"), SchemaType::String),
        ("date", Value::from("1970-01-02"), SchemaType::String),
        ("optional", Value::Null, SchemaType::Int32),
        ("timestamp", Value::Int64(0), SchemaType::Int64),
        ("bytes", Value::from("/ty6mHZUMhA="), SchemaType::String),
        ("byteArray", Value::from("/ty6mHZUMhA="), SchemaType::String),
    ];
    for (name, value, t) in expected {
        assert_eq!(s.get(name), Some(&value), "{name}");
        assert_eq!(field_schema(&out, name).schema_type, t, "{name}");
    }
    assert!(field_schema(&out, "int16").optional);
    assert!(field_schema(&out, "optional").optional);
    assert!(!field_schema(&out, "int8").optional);
    assert_eq!(
        field_schema(&out, "int32").default_value.as_deref(),
        Some(&Value::Int64(2))
    );
    assert_eq!(
        field_schema(&out, "float64").default_value.as_deref(),
        Some(&Value::Boolean(true))
    );
    // Uncast fields keep their schema, logical name included.
    assert_eq!(
        field_schema(&out, "timestamp").name.as_deref(),
        Some(TIMESTAMP_LOGICAL)
    );
    assert_eq!(out.schema.unwrap().name.as_deref(), Some("record"));
}

#[test]
fn cast_fields_schemaless() {
    let map = Value::Map(vec![
        ("int8".into(), Value::Int8(8)),
        ("int16".into(), Value::Int16(16)),
        ("int32".into(), Value::Int32(32)),
        ("int64".into(), Value::Int64(64)),
        ("float32".into(), Value::Float32(32.0)),
        ("float64".into(), Value::Float64(-64.0)),
        ("boolean".into(), Value::Boolean(true)),
        ("string".into(), Value::from("42")),
    ]);
    let out = apply_ok(
        "int8:int16,int16:int32,int32:int64,int64:boolean,float32:float64,float64:boolean,\
         boolean:int8,string:int32",
        SchemaAndValue::schemaless(map),
    );
    assert_eq!(out.schema, None);
    let expected = [
        ("int8", Value::Int16(8)),
        ("int16", Value::Int32(16)),
        ("int32", Value::Int64(32)),
        ("int64", Value::Boolean(true)),
        ("float32", Value::Float64(32.0)),
        ("float64", Value::Boolean(true)),
        ("boolean", Value::Int8(1)),
        ("string", Value::Int32(42)),
    ];
    for (name, value) in expected {
        assert_eq!(out.value.map_get(name), Some(&value), "{name}");
    }
}

#[test]
fn schemaless_cast_of_missing_field_adds_null() {
    let map = Value::Map(vec![("a".into(), Value::Int32(1))]);
    let out = apply_ok("b:int8", SchemaAndValue::schemaless(map));
    assert_eq!(
        out.value,
        Value::Map(vec![
            ("a".into(), Value::Int32(1)),
            ("b".into(), Value::Null)
        ])
    );
}

// ---- value errors ----

#[test]
fn wrong_value_types_are_rejected_with_kafka_messages() {
    let err = apply(&mut cast("foo:int8"), SchemaAndValue::schemaless("x")).unwrap_err();
    assert_eq!(
        err.message,
        "Only Map objects supported in absence of schema for [cast types], found: string"
    );
    let schema = Schema::struct_builder()
        .field("foo", Schema::int32())
        .build();
    let err = apply(
        &mut cast("foo:int8"),
        SchemaAndValue::new(schema, Value::Int32(1)),
    )
    .unwrap_err();
    assert_eq!(
        err.message,
        "Only Struct objects supported for [cast types], found: int32"
    );
    let err = apply(
        &mut cast("foo:int8"),
        SchemaAndValue::new(Schema::string(), "x"),
    )
    .unwrap_err();
    assert_eq!(err.message, "Cannot list fields on non-struct type");
}

#[test]
fn string_casts_follow_java_parsers() {
    let err = apply(&mut cast("int8"), SchemaAndValue::schemaless("300")).unwrap_err();
    assert_eq!(
        err.message,
        "Value (300) was out of range for requested data type"
    );
    let err = apply(&mut cast("int64"), SchemaAndValue::schemaless("4x")).unwrap_err();
    assert_eq!(
        err.message,
        "Value (4x) was out of range for requested data type"
    );
    let cases: [(&str, &str, Value); 7] = [
        ("int16", "-42", Value::Int16(-42)),
        ("float32", "1.5f", Value::Float32(1.5)),
        ("float64", " 1e3 ", Value::Float64(1000.0)),
        ("boolean", "TRUE", Value::Boolean(true)),
        ("boolean", "yes", Value::Boolean(false)),
        ("string", "s", Value::from("s")),
        ("int32", "+7", Value::Int32(7)),
    ];
    for (spec, input, expected) in cases {
        assert_eq!(
            apply_ok(spec, SchemaAndValue::schemaless(input)).value,
            expected,
            "{spec} {input}"
        );
    }
}

#[test]
fn numeric_casts_narrow_like_java() {
    let cases: [(&str, Value, Value); 9] = [
        ("int8", Value::Int32(300), Value::Int8(44)),
        ("int16", Value::Int64(70_000), Value::Int16(4464)),
        ("int8", Value::Float64(3e9), Value::Int8(-1)),
        ("int32", Value::Float32(f32::NAN), Value::Int32(0)),
        ("int64", Value::Float64(-1e30), Value::Int64(i64::MIN)),
        ("boolean", Value::Float64(0.5), Value::Boolean(false)),
        ("string", Value::Float64(1e7), Value::from("1.0E7")),
        ("string", Value::Float32(0.1), Value::from("0.1")),
        ("string", Value::Boolean(true), Value::from("true")),
    ];
    for (spec, input, expected) in cases {
        assert_eq!(
            apply_ok(spec, SchemaAndValue::schemaless(input.clone())).value,
            expected,
            "{spec} {input:?}"
        );
    }
}

#[test]
fn bytes_cast_only_to_string() {
    let err = apply(
        &mut cast("int32"),
        SchemaAndValue::new(Schema::bytes(), vec![1u8]),
    )
    .unwrap_err();
    assert_eq!(
        err.message,
        "Unexpected type in Cast transformation: class [B"
    );
}

#[test]
fn struct_with_default_value_cannot_be_cast() {
    // Kafka casts the struct schema's default value too, which fails for a struct.
    let field = Schema::int32();
    let default = Struct::new().put("a", 1i32);
    let schema = Schema::struct_builder()
        .field("a", field)
        .optional()
        .default_value(Value::Struct(default))
        .build();
    let value = Struct::new().put("a", 2i32);
    let err = apply(&mut cast("a:int8"), SchemaAndValue::new(schema, value)).unwrap_err();
    assert!(
        err.message
            .starts_with("Cast transformation does not support casting from STRUCT"),
        "{err}"
    );
}

#[test]
fn updated_schema_is_cached_per_schema() {
    let schema = Arc::new(Schema::struct_builder().field("a", Schema::int32()).build());
    let mut transform = cast("a:string");
    let first = transform.cached_updated_schema(&schema).unwrap();
    let second = transform.cached_updated_schema(&schema).unwrap();
    assert!(Arc::ptr_eq(&first, &second));
    let other = Arc::new(Schema::struct_builder().field("a", Schema::int64()).build());
    let third = transform.cached_updated_schema(&other).unwrap();
    assert!(!Arc::ptr_eq(&first, &third));
    assert_eq!(
        third.field("a").unwrap().schema.schema_type,
        SchemaType::String
    );
}
