//! `ReplaceField`: Kafka's `org.apache.kafka.connect.transforms.ReplaceField$Key` / `$Value`.
//! Filters (`exclude`, `include`) and renames (`renames`) the top-level fields of a struct
//! (schema-ful) or map (schemaless) value.
//!
//! One plugin serves both forms: the host swaps key and value around a transform selected by a
//! name ending in `$Key`, so this code only handles the record value. Null values (tombstones)
//! pass through unchanged, schema included.
//!
//! Differences from Kafka:
//! - Kafka 4.0 dropped the deprecated `blacklist` / `whitelist` aliases (KAFKA-17530); like Kafka
//!   they are not defined and therefore ignored, but a warning is logged when they are set.
//! - Schemaless maps keep their entry order (Kafka builds a `HashMap`); when a rename collides
//!   with another kept key, the later entry wins.
//! - Kafka looks up a field's value through the inverted rename map, so with `renames=a:b` and
//!   `exclude=a` an original field `b` would receive `a`'s value; here every output field takes the
//!   value of the input field it came from.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use wasm_connect_sdk::prelude::*;
use wasm_connect_sdk::requirements::field_value;
use wasm_connect_sdk::requirements::{copy_schema_basics, require_map, require_struct};

/// What the transform does, as named in Kafka's error messages.
const PURPOSE: &str = "field replacement";

/// Kafka's `OVERVIEW_DOC`.
pub const OVERVIEW_DOC: &str = "Filter or rename fields.<p/>Use the concrete transformation type \
designed for the record key (<code>org.apache.kafka.connect.transforms.ReplaceField$Key</code>) or \
value (<code>org.apache.kafka.connect.transforms.ReplaceField$Value</code>).";

/// Config key: fields to drop.
pub const EXCLUDE_CONFIG: &str = "exclude";
/// Config key: fields to keep.
pub const INCLUDE_CONFIG: &str = "include";
/// Config key: `old:new` rename pairs.
pub const RENAMES_CONFIG: &str = "renames";
/// Config key: read a null field that has a default as its default value.
pub const REPLACE_NULL_WITH_DEFAULT_CONFIG: &str = "replace.null.with.default";

/// Keys Kafka honoured before 4.0 and now ignores.
const REMOVED_ALIASES: [(&str, &str); 2] = [("blacklist", "exclude"), ("whitelist", "include")];

/// The transform.
#[derive(Clone, Debug, Default)]
pub struct ReplaceField {
    /// `exclude`: fields to drop; takes precedence over `include`.
    pub exclude: HashSet<String>,
    /// `include`: when not empty, only these fields are kept.
    pub include: HashSet<String>,
    /// `renames`: old name → new name.
    pub renames: HashMap<String, String>,
    /// `replace.null.with.default`.
    pub replace_null_with_default: bool,
}

/// A LIST value as Kafka's `ConfigDef` parses it: the trimmed value split on commas (with the
/// whitespace around them); an empty value is an empty list, empty items are kept.
pub fn parse_list(raw: Option<&str>) -> Vec<String> {
    match raw.map(str::trim) {
        None | Some("") => Vec::new(),
        Some(value) => value.split(',').map(|s| s.trim().to_owned()).collect(),
    }
}

/// Java's `String.split(":")`: the pieces, without trailing empty ones.
fn split_colon(mapping: &str) -> Vec<&str> {
    let mut parts: Vec<&str> = mapping.split(':').collect();
    while parts.last().is_some_and(|p| p.is_empty()) {
        parts.pop();
    }
    parts
}

/// Parse `old:new` pairs, with Kafka's message for a bad one, e.g.
/// `Invalid value [foo:bar, abc] for configuration renames: Invalid rename mapping: abc`.
pub fn parse_rename_mappings(mappings: &[String]) -> Result<HashMap<String, String>> {
    let mut renames = HashMap::new();
    for mapping in mappings {
        match split_colon(mapping).as_slice() {
            [old, new] => {
                renames.insert((*old).to_owned(), (*new).to_owned());
            }
            _ => {
                return Err(PluginError::new(format!(
                    "Invalid value [{}] for configuration {RENAMES_CONFIG}: Invalid rename mapping: {mapping}",
                    mappings.join(", ")
                )));
            }
        }
    }
    Ok(renames)
}

impl ReplaceField {
    /// Whether field `name` is kept.
    pub fn filter(&self, name: &str) -> bool {
        !self.exclude.contains(name) && (self.include.is_empty() || self.include.contains(name))
    }

    /// The output name of field `name`.
    pub fn renamed<'a>(&'a self, name: &'a str) -> &'a str {
        self.renames.get(name).map_or(name, String::as_str)
    }

    /// The output schema for struct schema `schema`, and for each output field the input field it
    /// comes from. A rename that collides with another kept field fails as Kafka's
    /// `SchemaBuilder` does.
    pub fn updated_schema<'a>(&self, schema: &'a Schema) -> Result<(Schema, Vec<&'a Field>)> {
        let mut builder = copy_schema_basics(schema);
        let mut names = HashSet::new();
        let mut sources = Vec::new();
        for field in schema.fields.iter().filter(|f| self.filter(&f.name)) {
            let name = self.renamed(&field.name);
            if !names.insert(name) {
                return Err(PluginError::new(format!(
                    "Cannot create field because of field name duplication {name}"
                )));
            }
            builder = builder.field(name, field.schema.clone());
            sources.push(field);
        }
        Ok((builder.build(), sources))
    }

    fn apply_schemaless(&self, value: Value) -> Result<Value> {
        let mut updated: Vec<(Value, Value)> = Vec::new();
        for (key, field_value) in require_map(value, PURPOSE)? {
            let key = match key {
                Value::String(name) if !self.filter(&name) => continue,
                Value::String(name) => Value::String(self.renamed(&name).to_owned()),
                other => other,
            };
            match updated.iter_mut().find(|(k, _)| *k == key) {
                Some(slot) => slot.1 = field_value,
                None => updated.push((key, field_value)),
            }
        }
        Ok(Value::Map(updated))
    }

    fn apply_with_schema(&self, schema: &Schema, value: Value) -> Result<(Schema, Value)> {
        let value = require_struct(value, PURPOSE)?;
        let (updated_schema, sources) = self.updated_schema(schema)?;
        let fields = updated_schema
            .fields
            .iter()
            .zip(sources)
            .map(|(out, source)| {
                let v = field_value(&value, source, self.replace_null_with_default);
                (out.name.clone(), v)
            })
            .collect();
        Ok((updated_schema, Value::Struct(Struct { fields })))
    }
}

impl Plugin for ReplaceField {
    fn info() -> PluginInfo {
        PluginInfo::new("ReplaceField")
            .version(env!("CARGO_PKG_VERSION"))
            .alias("ReplaceField$Value")
            .alias("ReplaceField$Key")
            .alias("org.apache.kafka.connect.transforms.ReplaceField$Value")
            .alias("org.apache.kafka.connect.transforms.ReplaceField$Key")
            .description(OVERVIEW_DOC)
    }

    fn config_def() -> Vec<ConfigKey> {
        vec![
            ConfigKey::list(EXCLUDE_CONFIG)
                .default_value("")
                .importance(Importance::Medium)
                .doc("Fields to exclude. This takes precedence over the fields to include."),
            ConfigKey::list(INCLUDE_CONFIG)
                .default_value("")
                .importance(Importance::Medium)
                .doc("Fields to include. If specified, only these fields will be used."),
            ConfigKey::list(RENAMES_CONFIG)
                .default_value("")
                .importance(Importance::Medium)
                .doc("Field rename mappings."),
            ConfigKey::boolean(REPLACE_NULL_WITH_DEFAULT_CONFIG)
                .default_value(true)
                .importance(Importance::Medium)
                .doc("Whether to replace fields that have a default value and that are null to the default value. When set to true, the default value is used, otherwise null is used."),
        ]
    }
}

impl Transform for ReplaceField {
    fn configure(config: Config) -> Result<Self> {
        for (removed, replacement) in REMOVED_ALIASES {
            if config.contains(removed) {
                wasm_connect_sdk::warn!(
                    "ReplaceField: '{removed}' was removed in Kafka 4.0 and is ignored; use '{replacement}'"
                );
            }
        }
        let list = |key: &str| parse_list(config.get(key));
        Ok(ReplaceField {
            exclude: list(EXCLUDE_CONFIG).into_iter().collect(),
            include: list(INCLUDE_CONFIG).into_iter().collect(),
            renames: parse_rename_mappings(&list(RENAMES_CONFIG))?,
            replace_null_with_default: config.boolean_or(REPLACE_NULL_WITH_DEFAULT_CONFIG, true)?,
        })
    }

    fn apply(&mut self, mut record: ConnectRecord) -> Result<Option<ConnectRecord>> {
        if record.value.value.is_null() {
            return Ok(Some(record));
        }
        let value = std::mem::take(&mut record.value.value);
        match record.value.schema.take() {
            None => record.value.value = self.apply_schemaless(value)?,
            Some(schema) => {
                let (schema, value) = self.apply_with_schema(&schema, value)?;
                record.value = SchemaAndValue {
                    schema: Some(Arc::new(schema)),
                    value,
                };
            }
        }
        Ok(Some(record))
    }
}

wasm_connect_sdk::export_transform!(ReplaceField);

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn transform(props: &[(&str, &str)]) -> ReplaceField {
        ReplaceField::configure(props.iter().copied().collect()).unwrap()
    }

    fn record(value: SchemaAndValue) -> ConnectRecord {
        ConnectRecord {
            topic: "test".into(),
            kafka_partition: Some(0),
            value,
            ..Default::default()
        }
    }

    fn map(entries: &[(&str, Value)]) -> Value {
        Value::Map(
            entries
                .iter()
                .map(|(k, v)| (Value::from(*k), v.clone()))
                .collect(),
        )
    }

    fn four_field_schema() -> Schema {
        Schema::struct_builder()
            .field("dont", Schema::string())
            .field("abc", Schema::int32())
            .field("foo", Schema::boolean())
            .field("etc", Schema::string())
            .build()
    }

    fn field_names(schema: &Schema) -> Vec<&str> {
        schema.fields.iter().map(|f| f.name.as_str()).collect()
    }

    // ReplaceFieldTest.tombstoneSchemaless
    #[test]
    fn tombstone_schemaless_passes_through() {
        let mut xform = transform(&[("include", "abc,foo"), ("renames", "abc:xyz,foo:bar")]);
        let out = xform
            .apply(record(SchemaAndValue::null()))
            .unwrap()
            .unwrap();
        assert_eq!(out.value, SchemaAndValue::null());
    }

    // ReplaceFieldTest.tombstoneWithSchema
    #[test]
    fn tombstone_with_schema_keeps_schema() {
        let mut xform = transform(&[("include", "abc,foo"), ("renames", "abc:xyz,foo:bar")]);
        let out = xform
            .apply(record(SchemaAndValue::new(
                four_field_schema(),
                Value::Null,
            )))
            .unwrap()
            .unwrap();
        assert_eq!(out.value.value, Value::Null);
        assert_eq!(out.value.schema.as_deref(), Some(&four_field_schema()));
    }

    // ReplaceFieldTest.schemaless
    #[test]
    fn schemaless_excludes_and_renames() {
        let mut xform = transform(&[("exclude", "dont"), ("renames", "abc:xyz,foo:bar")]);
        let value = map(&[
            ("dont", "whatever".into()),
            ("abc", 42i32.into()),
            ("foo", true.into()),
            ("etc", "etc".into()),
        ]);
        let out = xform
            .apply(record(SchemaAndValue::schemaless(value)))
            .unwrap()
            .unwrap();
        assert!(out.value.schema.is_none());
        assert_eq!(
            out.value.value,
            map(&[
                ("xyz", 42i32.into()),
                ("bar", true.into()),
                ("etc", "etc".into())
            ])
        );
    }

    // ReplaceFieldTest.withSchema
    #[test]
    fn with_schema_includes_and_renames() {
        let mut xform = transform(&[("include", "abc,foo"), ("renames", "abc:xyz,foo:bar")]);
        let value = Struct::new()
            .put("dont", "whatever")
            .put("abc", 42i32)
            .put("foo", true)
            .put("etc", "etc");
        let out = xform
            .apply(record(SchemaAndValue::new(four_field_schema(), value)))
            .unwrap()
            .unwrap();
        let schema = out.value.schema.unwrap();
        assert_eq!(field_names(&schema), ["xyz", "bar"]);
        assert_eq!(schema.field("xyz").unwrap().schema, Schema::int32());
        assert_eq!(schema.field("bar").unwrap().schema, Schema::boolean());
        assert_eq!(
            out.value.value,
            Value::Struct(Struct::new().put("xyz", 42i32).put("bar", true))
        );
    }

    fn default_42_schema() -> Schema {
        let with_default = Schema::optional_int32()
            .to_builder()
            .default_value(Value::Int32(42))
            .build();
        Schema::struct_builder().field("abc", with_default).build()
    }

    fn replace_null_case(replace: &str) -> ReplaceField {
        transform(&[
            ("include", "abc"),
            ("renames", "abc:optional_with_default"),
            ("replace.null.with.default", replace),
        ])
    }

    // ReplaceFieldTest.testReplaceNullWithDefaultConfigOnValue (both parameter sets)
    #[test]
    fn replace_null_with_default_on_value() {
        for (replace, expected) in [("false", Value::Null), ("true", Value::Int32(42))] {
            let value = Struct::new().put("abc", Value::Null);
            let out = replace_null_case(replace)
                .apply(record(SchemaAndValue::new(default_42_schema(), value)))
                .unwrap()
                .unwrap();
            assert_eq!(out.value.schema.unwrap().fields.len(), 1);
            let Value::Struct(s) = out.value.value else {
                panic!("expected a struct")
            };
            assert_eq!(s.get("optional_with_default"), Some(&expected), "{replace}");
        }
    }

    // ReplaceFieldTest.testReplaceNullWithDefaultConfigOnKey: the host hands the key over as the
    // value and swaps back afterwards, so the record's real value must stay untouched.
    #[test]
    fn replace_null_with_default_on_key_form() {
        for (replace, expected) in [("false", Value::Null), ("true", Value::Int32(42))] {
            let key = Struct::new().put("abc", Value::Null);
            let swapped = ConnectRecord {
                key: SchemaAndValue::null(),
                ..record(SchemaAndValue::new(default_42_schema(), key))
            };
            let out = replace_null_case(replace).apply(swapped).unwrap().unwrap();
            assert_eq!(out.key, SchemaAndValue::null());
            assert_eq!(
                field_names(&out.value.schema.unwrap()),
                ["optional_with_default"]
            );
            let Value::Struct(s) = out.value.value else {
                panic!("expected a struct")
            };
            assert_eq!(s.get("optional_with_default"), Some(&expected), "{replace}");
        }
    }

    #[test]
    fn bad_rename_pairs_fail_with_kafkas_message() {
        for (renames, bad) in [
            ("foo:bar,abc", "abc"),
            ("foo:bar,a:b:c", "a:b:c"),
            ("foo:bar,abc:", "abc:"),
        ] {
            let err = ReplaceField::configure(Config::new().with("renames", renames)).unwrap_err();
            let listed = renames.replace(',', ", ");
            assert_eq!(
                err.message,
                format!(
                    "Invalid value [{listed}] for configuration renames: Invalid rename mapping: {bad}"
                )
            );
        }
        // Java's split keeps a leading empty piece: ":new" renames the field called "".
        let xform = transform(&[("renames", " :new , a:b ")]);
        assert_eq!(xform.renamed(""), "new");
        assert_eq!(xform.renamed("a"), "b");
    }

    #[test]
    fn bad_boolean_config_is_rejected() {
        let err = ReplaceField::configure(Config::new().with("replace.null.with.default", "maybe"))
            .unwrap_err();
        assert_eq!(
            err.message,
            "Invalid value maybe for configuration replace.null.with.default: Expected value to be either true or false"
        );
    }

    #[test]
    fn wrong_value_types_fail_with_kafkas_message() {
        let mut xform = transform(&[("exclude", "a")]);
        let err = xform
            .apply(record(SchemaAndValue::schemaless("x")))
            .unwrap_err();
        assert_eq!(
            err.message,
            "Only Map objects supported in absence of schema for [field replacement], found: string"
        );
        let err = xform
            .apply(record(SchemaAndValue::new(Schema::int32(), 1i32)))
            .unwrap_err();
        assert_eq!(
            err.message,
            "Only Struct objects supported for [field replacement], found: int32"
        );
    }

    #[test]
    fn rename_onto_kept_field_is_a_duplicate() {
        let mut xform = transform(&[("renames", "abc:etc")]);
        let value = Struct::new()
            .put("dont", "x")
            .put("abc", 1i32)
            .put("foo", true)
            .put("etc", "e");
        let err = xform
            .apply(record(SchemaAndValue::new(four_field_schema(), value)))
            .unwrap_err();
        assert_eq!(
            err.message,
            "Cannot create field because of field name duplication etc"
        );
    }

    #[test]
    fn renamed_field_keeps_its_own_value_and_schema_basics() {
        // `b` is renamed away and `a` takes its name: each output field reads its own input.
        let mut xform = transform(&[("renames", "a:b,b:c")]);
        let schema = Schema::struct_builder()
            .name("rec")
            .version(3)
            .doc("d")
            .field("a", Schema::int32())
            .field("b", Schema::string())
            .build();
        let value = Struct::new().put("a", 1i32).put("b", "two");
        let out = xform
            .apply(record(SchemaAndValue::new(schema, value)))
            .unwrap()
            .unwrap();
        let schema = out.value.schema.unwrap();
        assert_eq!(schema.name.as_deref(), Some("rec"));
        assert_eq!(schema.version, Some(3));
        assert_eq!(schema.doc.as_deref(), Some("d"));
        assert_eq!(field_names(&schema), ["b", "c"]);
        assert_eq!(
            out.value.value,
            Value::Struct(Struct::new().put("b", 1i32).put("c", "two"))
        );
    }

    #[test]
    fn removed_blacklist_and_whitelist_are_ignored_like_kafka_4() {
        let mut xform = transform(&[("blacklist", "a"), ("whitelist", "b")]);
        let value = map(&[("a", 1i32.into()), ("c", 2i32.into())]);
        let out = xform
            .apply(record(SchemaAndValue::schemaless(value.clone())))
            .unwrap()
            .unwrap();
        assert_eq!(out.value.value, value);
    }

    #[test]
    fn exclude_takes_precedence_over_include() {
        let mut xform = transform(&[("include", "a,b"), ("exclude", "b")]);
        let value = map(&[("a", 1i32.into()), ("b", 2i32.into()), ("c", 3i32.into())]);
        let out = xform
            .apply(record(SchemaAndValue::schemaless(value)))
            .unwrap()
            .unwrap();
        assert_eq!(out.value.value, map(&[("a", 1i32.into())]));
    }

    #[test]
    fn info_names_both_forms() {
        let info = ReplaceField::info();
        assert_eq!(info.name, "ReplaceField");
        for alias in [
            "ReplaceField$Value",
            "ReplaceField$Key",
            "org.apache.kafka.connect.transforms.ReplaceField$Value",
            "org.apache.kafka.connect.transforms.ReplaceField$Key",
        ] {
            assert!(info.aliases.iter().any(|a| a == alias), "{alias}");
        }
        let keys: Vec<_> = ReplaceField::config_def()
            .into_iter()
            .map(|k| k.name)
            .collect();
        assert_eq!(
            keys,
            ["exclude", "include", "renames", "replace.null.with.default"]
        );
    }
}
