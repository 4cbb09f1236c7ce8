//! Config definitions of the converters we ship (`GET /connector-plugins/{converter}/config`):
//! the sub-settings each converter reads, without the `key.converter.` / `value.converter.` prefix.

use super::{ConfigDef, ConfigKeyDef, ConfigType, Importance, Validator};

/// The keys of converter `name` (short name, as in `known_converters`); `None` for an unknown
/// converter.
pub fn converter_config_def(name: &str) -> Option<ConfigDef> {
    let mut def = ConfigDef::default();
    let converter_type = || {
        ConfigKeyDef::new(
            "converter.type",
            ConfigType::String,
            Some("value"),
            Importance::Low,
            "How this converter will be used.",
        )
        .validate(Validator::OneOfIgnoreCase(vec![
            "key".into(),
            "value".into(),
            "header".into(),
        ]))
    };
    match name {
        "StringConverter" => {
            def.define(converter_type());
            def.define(ConfigKeyDef::new(
                "converter.encoding",
                ConfigType::String,
                Some("UTF8"),
                Importance::High,
                "The name of the Java character set to use for encoding strings as byte arrays (only UTF-8 is supported).",
            ));
        }
        "JsonConverter" => {
            def.define(converter_type());
            def.define(ConfigKeyDef::new(
                "schemas.enable",
                ConfigType::Boolean,
                Some("true"),
                Importance::High,
                "Include schemas within each of the serialized values and keys.",
            ));
            def.define(
                ConfigKeyDef::new(
                    "decimal.format",
                    ConfigType::String,
                    Some("BASE64"),
                    Importance::Low,
                    "Controls which format this converter will serialize decimals in: BASE64 or NUMERIC.",
                )
                .validate(Validator::OneOfIgnoreCase(vec!["BASE64".into(), "NUMERIC".into()])),
            );
            def.define(ConfigKeyDef::new(
                "replace.null.with.default",
                ConfigType::Boolean,
                Some("true"),
                Importance::Low,
                "Whether to replace fields that have a default value and that are null to the default value.",
            ));
        }
        "ByteArrayConverter" | "ShortConverter" | "IntegerConverter" | "LongConverter"
        | "FloatConverter" | "DoubleConverter" => {
            def.define(converter_type());
        }
        _ => return None,
    }
    Some(def)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_known_converter_has_a_definition() {
        for (name, _) in wasm_connect_data::converter::known_converters() {
            let def = converter_config_def(name);
            assert!(def.is_some(), "{name} has no config definition");
        }
        assert!(converter_config_def("Nope").is_none());
        let json = converter_config_def("JsonConverter").map(|d| d.key_infos());
        let names: Vec<String> = json
            .unwrap_or_default()
            .into_iter()
            .map(|k| k.name)
            .collect();
        assert!(names.contains(&"schemas.enable".to_string()), "{names:?}");
    }
}
