//! Kafka's field paths (KIP-821): `FieldSyntaxVersion` and `SingleFieldPath`.
//!
//! With `V1` a path is one field name at the root of a struct or map, dots included. With `V2`
//! dots separate the steps of a path into nested structs or maps, and a step wrapped in backticks
//! may contain dots (`` `foo.bar`.baz ``); a backslash before a closing backtick escapes it.

use wasm_connect_sdk::prelude::*;
use wasm_connect_sdk::requirements::{map_entry, require_map_or_null, require_struct_or_null};

/// The `field.syntax.version` config key.
pub const FIELD_SYNTAX_VERSION_CONFIG: &str = "field.syntax.version";

/// Kafka's documentation of `field.syntax.version`.
pub const FIELD_SYNTAX_VERSION_DOC: &str = "Defines the version of the syntax to access fields. If set to `V1`, then the field paths are limited to access the elements at the root level of the struct or map. If set to `V2`, the syntax will support accessing nested elements. To access nested elements, dotted notation is used. If dots are already included in the field name, then backtick pairs can be used to wrap field names containing dots. E.g. to access the subfield `baz` from a field named \"foo.bar\" in a struct/map the following format can be used to access its elements: \"`foo.bar`.baz\".";

/// The default of `field.syntax.version`.
pub const FIELD_SYNTAX_VERSION_DEFAULT: &str = "V1";

/// What nested access is called in Kafka's error messages (`[nested field access]`).
const NESTED_PURPOSE: &str = "nested field access";

/// Kafka's `FieldSyntaxVersion`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldSyntaxVersion {
    /// A path is a single field name at the root.
    V1,
    /// Dotted paths into nested fields, with backtick quoting.
    V2,
}

impl FieldSyntaxVersion {
    /// The `field.syntax.version` key, as Kafka's `FieldSyntaxVersion.appendConfigTo` defines it.
    ///
    /// Kafka validates the value case-insensitively against `V1`, `V2`; the SDK's `one_of` is
    /// case-sensitive, so [`FieldSyntaxVersion::from_config`] checks it instead.
    pub fn config_key() -> ConfigKey {
        ConfigKey::string(FIELD_SYNTAX_VERSION_CONFIG)
            .default_value(FIELD_SYNTAX_VERSION_DEFAULT)
            .importance(Importance::High)
            .doc(FIELD_SYNTAX_VERSION_DOC)
    }

    /// The version configured in `config` (`V1` when absent), case-insensitive, or Kafka's
    /// `ConfigException` message.
    pub fn from_config(config: &Config) -> Result<FieldSyntaxVersion> {
        let raw = config.string_or(FIELD_SYNTAX_VERSION_CONFIG, FIELD_SYNTAX_VERSION_DEFAULT);
        if raw.eq_ignore_ascii_case("V1") {
            Ok(FieldSyntaxVersion::V1)
        } else if raw.eq_ignore_ascii_case("V2") {
            Ok(FieldSyntaxVersion::V2)
        } else {
            Err(PluginError::new(format!(
                "Invalid value {raw} for configuration {FIELD_SYNTAX_VERSION_CONFIG}: String must be one of (case insensitive): V1, V2"
            )))
        }
    }
}

/// Kafka's `SingleFieldPath`: the steps to one (possibly nested) field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SingleFieldPath {
    /// The field names along the path; empty only for an empty `V2` path.
    pub steps: Vec<String>,
}

impl SingleFieldPath {
    /// Parse `path` with the rules of `version`; `V2` rejects an unclosed backtick with Kafka's
    /// `ConfigException` message.
    pub fn new(path: &str, version: FieldSyntaxVersion) -> Result<SingleFieldPath> {
        let steps = match version {
            FieldSyntaxVersion::V1 => vec![path.to_owned()],
            FieldSyntaxVersion::V2 => parse_v2(path)?,
        };
        Ok(SingleFieldPath { steps })
    }

    /// The last step and the ones before it, or an error for an empty path (which Kafka accepts
    /// in configuration but fails on at its first use).
    fn split(&self) -> Result<(&str, &[String])> {
        match self.steps.split_last() {
            Some((last, parents)) => Ok((last, parents)),
            None => Err(PluginError::new("Field path is empty")),
        }
    }

    /// The field at this path in struct `schema`, `None` when a step is missing (Kafka's
    /// `fieldFrom`). Looking into a schema that is not a struct is an error, as in Kafka.
    pub fn field_from<'a>(&self, schema: &'a Schema) -> Result<Option<&'a Field>> {
        let (last, parents) = self.split()?;
        let mut current = schema;
        for step in parents {
            match struct_field(current, step)? {
                Some(field) => current = &field.schema,
                None => return Ok(None),
            }
        }
        struct_field(current, last)
    }

    /// The value at this path in `value`, a struct of `schema`; null when a step is missing or
    /// null. Nested steps read defaults for null values; the last step does so only when
    /// `with_default` (Kafka's `valueFrom(Struct, boolean)`).
    pub fn value_from_struct(
        &self,
        value: &Struct,
        schema: &Schema,
        with_default: bool,
    ) -> Result<Value> {
        let (last, parents) = self.split()?;
        let mut current_value;
        let mut current = value;
        let mut current_schema = schema;
        for step in parents {
            let Some(field) = struct_field(current_schema, step)? else {
                return Ok(Value::Null);
            };
            let sub = field_value(current, field, true).clone();
            match require_struct_or_null(sub, NESTED_PURPOSE)? {
                Some(nested) => current_value = nested,
                None => return Ok(Value::Null),
            }
            current = &current_value;
            current_schema = &field.schema;
        }
        Ok(match struct_field(current_schema, last)? {
            Some(field) => field_value(current, field, with_default).clone(),
            None => Value::Null,
        })
    }

    /// The value at this path in a schemaless map; null when a step is missing or null (Kafka's
    /// `valueFrom(Map)`). A nested step that is not a map is an error.
    pub fn value_from_map(&self, entries: &[(Value, Value)]) -> Result<Value> {
        let (last, parents) = self.split()?;
        let mut owned;
        let mut current = entries;
        for step in parents {
            let sub = map_entry(current, step).cloned().unwrap_or(Value::Null);
            match require_map_or_null(sub, NESTED_PURPOSE)? {
                Some(nested) => owned = nested,
                None => return Ok(Value::Null),
            }
            current = &owned;
        }
        Ok(map_entry(current, last).cloned().unwrap_or(Value::Null))
    }
}

/// Field `name` of struct `schema` (Kafka's `Schema.field`, which fails on other types).
fn struct_field<'a>(schema: &'a Schema, name: &str) -> Result<Option<&'a Field>> {
    if schema.schema_type != SchemaType::Struct {
        return Err(PluginError::new("Cannot look up fields on non-struct type"));
    }
    Ok(schema.field(name))
}

/// The value of `field` in `value`; when null and `with_default`, the field's default (Kafka's
/// `Struct.get` versus `Struct.getWithoutDefault`).
fn field_value<'a>(value: &'a Struct, field: &'a Field, with_default: bool) -> &'a Value {
    match value.get(&field.name) {
        Some(v) if !v.is_null() => v,
        _ if with_default => field
            .schema
            .default_value
            .as_deref()
            .unwrap_or(&Value::Null),
        _ => &Value::Null,
    }
}

/// Split a `V2` path into steps (Kafka's `buildFieldPathV2`).
fn parse_v2(path: &str) -> Result<Vec<String>> {
    let bytes = path.as_bytes();
    let len = bytes.len();
    let find = |byte: u8, from: usize| -> Option<usize> {
        bytes[from..]
            .iter()
            .position(|&b| b == byte)
            .map(|p| p + from)
    };
    let incomplete = |backtick_at: usize| {
        // Kafka reports the position in UTF-16 code units.
        let position = path[..backtick_at].encode_utf16().count();
        PluginError::new(format!(
            "Incomplete backtick pair in path: [{path}], consider adding a backslash before backtick at position {position} to escape it"
        ))
    };
    let mut steps = Vec::new();
    let mut idx = 0;
    while idx < len {
        if bytes[idx] != b'`' {
            let start = idx;
            match find(b'.', idx) {
                Some(dot) => {
                    steps.push(path[start..dot].to_owned());
                    idx = dot + 1;
                }
                None => {
                    steps.push(path[start..].to_owned());
                    break;
                }
            }
        } else {
            let backtick_at = idx;
            idx += 1;
            let mut field = String::new();
            let mut start = idx;
            loop {
                let Some(closing) = find(b'`', idx) else {
                    return Err(incomplete(backtick_at));
                };
                idx = closing;
                let escaped = bytes[idx - 1] == b'\\';
                if idx + 1 >= len {
                    // The backtick ends the path.
                    if escaped {
                        return Err(incomplete(backtick_at));
                    }
                    field.push_str(&path[start..idx]);
                    steps.push(field);
                    idx += 1;
                    break;
                }
                if bytes[idx + 1] != b'.' {
                    // Not followed by a dot: part of the name; look for the next one.
                    idx += 1;
                    continue;
                }
                if escaped {
                    // `\`` followed by a dot: a literal backtick.
                    field.push_str(&path[start..idx - 1]);
                    field.push('`');
                    idx += 1;
                    start = idx;
                    continue;
                }
                field.push_str(&path[start..idx]);
                steps.push(field);
                idx += 2; // the backtick and the dot after it
                break;
            }
        }
    }
    if path.ends_with('.') {
        steps.push(String::new());
    }
    Ok(steps)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn v2(path: &str) -> Vec<String> {
        SingleFieldPath::new(path, FieldSyntaxVersion::V2)
            .unwrap()
            .steps
    }

    // FieldPathNotationTest.shouldBuildV1WithDotsAndBacktickPair
    #[test]
    fn v1_paths_are_single_steps() {
        for path in ["foo.bar.baz", "foo`bar`", "foo.`bar.baz`"] {
            assert_eq!(
                SingleFieldPath::new(path, FieldSyntaxVersion::V1)
                    .unwrap()
                    .steps,
                [path]
            );
        }
    }

    // FieldPathNotationTest: empty names, empty path, dots, backticks.
    #[test]
    fn v2_paths_split_on_dots_outside_backticks() {
        assert_eq!(v2(".."), ["", "", ""]);
        assert_eq!(v2("foo.."), ["foo", "", ""]);
        assert_eq!(v2(".bar."), ["", "bar", ""]);
        assert_eq!(v2("..baz"), ["", "", "baz"]);
        assert!(v2("").is_empty());
        assert_eq!(v2("foobarbaz"), ["foobarbaz"]);
        assert_eq!(v2("foo.bar.baz"), ["foo", "bar", "baz"]);
        assert_eq!(v2("foo`bar`baz"), ["foo`bar`baz"]);
        assert_eq!(v2("`foo.bar.baz`"), ["foo.bar.baz"]);
        assert_eq!(v2("foo.`bar.baz`"), ["foo", "bar.baz"]);
        assert_eq!(v2("`foo.bar`.baz"), ["foo.bar", "baz"]);
        assert_eq!(v2("foo.`bar`.baz"), ["foo", "bar", "baz"]);
        assert_eq!(v2("foo.``bar.baz`"), ["foo", "`bar.baz"]);
        assert_eq!(v2("foo.`bar.baz``"), ["foo", "bar.baz`"]);
        assert_eq!(v2("foo.`ba`r.baz`"), ["foo", "ba`r.baz"]);
        assert_eq!(v2("foo.ba`r.baz"), ["foo", "ba`r", "baz"]);
        assert_eq!(v2("foo.``bar``.baz"), ["foo", "`bar`", "baz"]);
        assert_eq!(v2("``foo.bar.baz``"), ["`foo.bar.baz`"]);
    }

    // FieldPathNotationTest.shouldBuildV2AndEscapeBackticks
    #[test]
    fn v2_backslash_escapes_backticks() {
        assert_eq!(v2("foo.`bar\\`.baz`"), ["foo", "bar`.baz"]);
        assert_eq!(v2("foo.`bar.`baz`"), ["foo", "bar.`baz"]);
        assert_eq!(v2("foo.`bar\\`.`baz`"), ["foo", "bar`.`baz"]);
        assert_eq!(v2("foo.`bar\\\\`.\\`baz`"), ["foo", "bar\\`.\\`baz"]);
    }

    // FieldPathNotationTest.shouldFailV2WhenIncompleteBackticks
    #[test]
    fn v2_incomplete_backticks_are_rejected() {
        for (path, position) in [
            ("`foo.bar.baz", 0),
            ("foo.`bar.baz", 4),
            ("foo.bar.`baz", 8),
            ("foo.bar.`baz\\`", 8),
        ] {
            let err = SingleFieldPath::new(path, FieldSyntaxVersion::V2).unwrap_err();
            assert_eq!(
                err.message,
                format!(
                    "Incomplete backtick pair in path: [{path}], consider adding a backslash before backtick at position {position} to escape it"
                )
            );
        }
    }

    #[test]
    fn syntax_version_is_case_insensitive() {
        let version = |v: &str| {
            FieldSyntaxVersion::from_config(&Config::new().with(FIELD_SYNTAX_VERSION_CONFIG, v))
        };
        assert_eq!(version("v2"), Ok(FieldSyntaxVersion::V2));
        assert_eq!(version("V1"), Ok(FieldSyntaxVersion::V1));
        assert_eq!(
            FieldSyntaxVersion::from_config(&Config::new()),
            Ok(FieldSyntaxVersion::V1)
        );
        assert_eq!(
            version("V3").unwrap_err().message,
            "Invalid value V3 for configuration field.syntax.version: String must be one of (case insensitive): V1, V2"
        );
    }
}
