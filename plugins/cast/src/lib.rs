//! `Cast`: Kafka's `org.apache.kafka.connect.transforms.Cast$Value` and `Cast$Key`. Casts fields of
//! a struct or map, or the whole value, to int8, int16, int32, int64, float32, float64, boolean or
//! string.
//!
//! Written against the record value; the host swaps key and value around it when it is selected
//! by a `$Key` name, so the same plugin serves `Cast$Key`.
//!
//! As in Kafka:
//! - `spec` is `field:type,…` (top-level fields of a struct or map) or a single `type` for the
//!   whole value; a null value (tombstone) passes through unchanged.
//! - With a schema, the updated schema keeps the struct's name, version, doc, parameters and
//!   optionality; a cast field gets a plain schema of the target type, optional if the field was,
//!   with its default value cast too. A whole-value cast keeps the value schema's name, version,
//!   doc and parameters on the new primitive schema (so a `Decimal` cast to string keeps the
//!   `Decimal` name, as Kafka's does).
//! - `replace.null.with.default` (default true) reads a null field of a struct as the field's
//!   default value before casting it.
//! - Schemaless maps: a cast field missing from the map is added with a null value.
//! - Logical types: `Date`/`Time`/`Timestamp` cast to numbers through their int32/int64 form and to
//!   string with Kafka's `Values.dateFormatFor` (in UTC); `Decimal` casts as Java's `BigDecimal`
//!   does (`toString()`, `intValue()` keeping the low bits, …). Bytes cast to string in Base64.
//! - Strings cast to numbers with Java's parsers; out-of-range or malformed strings fail with
//!   `Value (…) was out of range for requested data type`.

mod convert;
mod java;

use std::sync::Arc;

use wasm_connect_sdk::prelude::*;
use wasm_connect_sdk::requirements::{copy_schema_basics, require_map, require_struct};

pub use convert::{
    DATE_LOGICAL, DECIMAL_LOGICAL, TIME_LOGICAL, TIMESTAMP_LOGICAL, cast_value, java_type_name,
};

/// `spec` (Kafka's `Cast.SPEC_CONFIG`).
pub const SPEC_CONFIG: &str = "spec";
/// `replace.null.with.default` (Kafka's `Cast.REPLACE_NULL_WITH_DEFAULT_CONFIG`).
pub const REPLACE_NULL_WITH_DEFAULT_CONFIG: &str = "replace.null.with.default";

/// Kafka's `Cast.OVERVIEW_DOC`.
pub const OVERVIEW_DOC: &str = "Cast fields or the entire key or value to a specific type, e.g. to force an integer field to a smaller width. Cast from integers, floats, boolean and string to any other type, and cast binary to string (base64 encoded).<p/>Use the concrete transformation type designed for the record key (<code>org.apache.kafka.connect.transforms.Cast$Key</code>) or value (<code>org.apache.kafka.connect.transforms.Cast$Value</code>).";

/// What Kafka's messages call this transform's work.
const PURPOSE: &str = "cast types";

/// A parsed `spec`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CastSpec {
    /// Cast the whole value to this type.
    WholeValue(SchemaType),
    /// Cast these top-level fields, in the order first named (a later entry for a field replaces
    /// the earlier type).
    Fields(Vec<(String, SchemaType)>),
}

/// Java's `String.trim()`: strips characters up to U+0020 at both ends.
fn java_trim(s: &str) -> &str {
    s.trim_matches(|c: char| c <= ' ')
}

/// Java's `s.split(":")`: no match gives `[s]`; trailing empty parts are dropped.
fn java_split_colon(s: &str) -> Vec<&str> {
    if !s.contains(':') {
        return vec![s];
    }
    let mut parts: Vec<&str> = s.split(':').collect();
    while parts.last() == Some(&"") {
        parts.pop();
    }
    parts
}

/// A type name of the spec (case-insensitive), which must be one values can be cast to.
fn parse_target(name: &str) -> std::result::Result<SchemaType, String> {
    let name = java_trim(name);
    let t = convert::type_from_java_name(&name.to_uppercase())
        .ok_or_else(|| format!("Invalid type found in casting spec: {name}"))?;
    convert::check_output_type(t)
}

impl CastSpec {
    /// Parse `spec` as Kafka does (a LIST config, then `Cast.parseFieldTypes`); the error is
    /// Kafka's ConfigException message.
    pub fn parse(raw: &str) -> std::result::Result<CastSpec, String> {
        let trimmed = java_trim(raw);
        if trimmed.is_empty() {
            return Err("Must specify at least one field to cast.".into());
        }
        // ConfigDef splits a LIST on `\s*,\s*`, keeping empty items.
        let java_space = |c: char| matches!(c, ' ' | '\t' | '\n' | '\u{b}' | '\u{c}' | '\r');
        let mappings: Vec<&str> = trimmed
            .split(',')
            .map(|m| m.trim_matches(java_space))
            .collect();
        let mut whole_value = None;
        let mut fields: Vec<(String, SchemaType)> = Vec::new();
        for mapping in &mappings {
            match java_split_colon(mapping).as_slice() {
                [] => {}
                [type_name] => whole_value = Some(parse_target(type_name)?),
                [field, type_name] => {
                    let t = parse_target(type_name)?;
                    let field = java_trim(field);
                    match fields.iter_mut().find(|(name, _)| name == field) {
                        Some(entry) => entry.1 = t,
                        None => fields.push((field.to_owned(), t)),
                    }
                }
                _ => {
                    // Kafka reports this with ReplaceField's key name.
                    return Err(format!(
                        "Invalid value [{}] for configuration renames: Invalid rename mapping: {mapping}",
                        mappings.join(", ")
                    ));
                }
            }
        }
        match whole_value {
            Some(_) if mappings.len() > 1 => Err("Cast transformations that specify a type to \
                 cast the entire value to may only specify a single cast in their spec"
                .into()),
            Some(t) => Ok(CastSpec::WholeValue(t)),
            None => Ok(CastSpec::Fields(fields)),
        }
    }
}

/// The transform.
#[derive(Clone, Debug)]
pub struct Cast {
    /// What to cast.
    pub spec: CastSpec,
    /// `replace.null.with.default`.
    pub replace_null_with_default: bool,
    /// The last value schema seen and its updated schema (Kafka keeps an LRU cache of 16).
    cache: Option<(Arc<Schema>, Arc<Schema>)>,
}

/// The default of `schema`, if it has a non-null one.
fn default_of(schema: &Schema) -> Option<&Value> {
    schema.default_value.as_deref().filter(|v| !v.is_null())
}

impl Cast {
    /// A transform for `spec`.
    pub fn new(spec: CastSpec, replace_null_with_default: bool) -> Cast {
        Cast {
            spec,
            replace_null_with_default,
            cache: None,
        }
    }

    /// The target type of field `name`, if the spec casts it.
    fn field_target(&self, name: &str) -> Option<SchemaType> {
        match &self.spec {
            CastSpec::Fields(fields) => fields.iter().find(|(f, _)| f == name).map(|(_, t)| *t),
            CastSpec::WholeValue(_) => None,
        }
    }

    /// Kafka's `getOrBuildSchema`: the schema of the cast value.
    pub fn updated_schema(&self, schema: &Schema) -> Result<Schema> {
        let mut updated = match self.spec {
            CastSpec::WholeValue(target) => {
                // Kafka's `SchemaUtil.copySchemaBasics(valueSchema, <target builder>)`.
                let mut basics = Schema::new(target);
                basics.name = schema.name.clone();
                basics.version = schema.version;
                basics.doc = schema.doc.clone();
                basics.parameters = schema.parameters.clone();
                basics
            }
            CastSpec::Fields(_) => {
                if schema.schema_type != SchemaType::Struct {
                    return Err(PluginError::new("Cannot list fields on non-struct type"));
                }
                let mut builder = copy_schema_basics(schema);
                for field in schema.fields.iter() {
                    let field_schema = match self.field_target(&field.name) {
                        Some(target) => {
                            let mut cast = Schema::new(target);
                            cast.optional = field.schema.optional;
                            if let Some(default) = default_of(&field.schema) {
                                let default = cast_value(Some(&field.schema), default, target)?;
                                cast.default_value = Some(Arc::new(default));
                            }
                            cast
                        }
                        None => field.schema.clone(),
                    };
                    builder = builder.field(field.name.clone(), field_schema);
                }
                builder.build()
            }
        };
        updated.optional = schema.optional;
        if let Some(default) = default_of(schema) {
            let default = cast_value(Some(schema), default, updated.schema_type)?;
            updated.default_value = Some(Arc::new(default));
        }
        Ok(updated)
    }

    /// The updated schema for `schema`, from the cache when it was the last one seen.
    fn cached_updated_schema(&mut self, schema: &Arc<Schema>) -> Result<Arc<Schema>> {
        if let Some((input, output)) = &self.cache
            && (Arc::ptr_eq(input, schema) || input == schema)
        {
            return Ok(output.clone());
        }
        let output = Arc::new(self.updated_schema(schema)?);
        self.cache = Some((schema.clone(), output.clone()));
        Ok(output)
    }

    /// Cast a schemaless value (Kafka's `applySchemaless`).
    pub fn cast_schemaless(&self, value: Value) -> Result<Value> {
        let fields = match &self.spec {
            CastSpec::WholeValue(target) => return cast_value(None, &value, *target),
            CastSpec::Fields(fields) => fields,
        };
        let mut entries = require_map(value, PURPOSE)?;
        for (field, target) in fields {
            match entries.iter_mut().find(|(k, _)| k.as_str() == Some(field)) {
                Some(entry) => entry.1 = cast_value(None, &entry.1, *target)?,
                None => entries.push((Value::String(field.clone()), Value::Null)),
            }
        }
        Ok(Value::Map(entries))
    }

    /// Cast a value described by `schema` into one described by `updated` (Kafka's
    /// `applyWithSchema`).
    pub fn cast_with_schema(
        &self,
        schema: &Schema,
        updated: &Schema,
        value: Value,
    ) -> Result<Value> {
        if let CastSpec::WholeValue(target) = self.spec {
            return cast_value(Some(schema), &value, target);
        }
        let value = require_struct(value, PURPOSE)?;
        let mut out = Struct {
            fields: Vec::with_capacity(schema.fields.len()),
        };
        for field in schema.fields.iter() {
            let mut original = value.get(&field.name).unwrap_or(&Value::Null);
            if original.is_null() && self.replace_null_with_default {
                original = default_of(&field.schema).unwrap_or(&Value::Null);
            }
            let cast = match self.field_target(&field.name) {
                Some(target) => cast_value(Some(&field.schema), original, target)?,
                None => original.clone(),
            };
            // Kafka's `Struct.put` rejects null in a required field.
            if let Some(new_field) = updated.field(&field.name)
                && cast.is_null()
                && !new_field.schema.optional
            {
                return Err(PluginError::new(format!(
                    "Invalid value: null used for required field: \"{}\", schema type: {}",
                    field.name,
                    java_type_name(new_field.schema.schema_type)
                )));
            }
            out.fields.push((field.name.clone(), cast));
        }
        Ok(Value::Struct(out))
    }
}

impl Plugin for Cast {
    fn info() -> PluginInfo {
        PluginInfo::new("Cast")
            .version(env!("CARGO_PKG_VERSION"))
            .alias("Cast$Value")
            .alias("Cast$Key")
            .alias("org.apache.kafka.connect.transforms.Cast$Value")
            .alias("org.apache.kafka.connect.transforms.Cast$Key")
            .description(OVERVIEW_DOC)
    }

    fn config_def() -> Vec<ConfigKey> {
        vec![
            ConfigKey::list(SPEC_CONFIG)
                .importance(Importance::High)
                .doc(
                    "List of fields and the type to cast them to of the form field1:type,field2:type \
                     to cast fields of Maps or Structs. A single type to cast the entire value. Valid \
                     types are int8, int16, int32, int64, float32, float64, boolean, and string. Note \
                     that binary fields can only be cast to string.",
                ),
            ConfigKey::boolean(REPLACE_NULL_WITH_DEFAULT_CONFIG)
                .default_value(true)
                .importance(Importance::Medium)
                .doc(
                    "Whether to replace fields that have a default value and that are null to the \
                     default value. When set to true, the default value is used, otherwise null is \
                     used.",
                ),
        ]
    }
}

impl Transform for Cast {
    fn configure(config: Config) -> Result<Self> {
        let spec = CastSpec::parse(&config.string(SPEC_CONFIG)?).map_err(PluginError::new)?;
        let replace = config.boolean_or(REPLACE_NULL_WITH_DEFAULT_CONFIG, true)?;
        Ok(Cast::new(spec, replace))
    }

    fn apply(&mut self, mut record: ConnectRecord) -> Result<Option<ConnectRecord>> {
        if record.value.value.is_null() {
            return Ok(Some(record));
        }
        let value = std::mem::take(&mut record.value.value);
        match record.value.schema.take() {
            None => record.value.value = self.cast_schemaless(value)?,
            Some(schema) => {
                let updated = self.cached_updated_schema(&schema)?;
                record.value.value = self.cast_with_schema(&schema, &updated, value)?;
                record.value.schema = Some(updated);
            }
        }
        Ok(Some(record))
    }
}

wasm_connect_sdk::export_transform!(Cast);

#[cfg(test)]
mod tests;
