//! Kafka Connect schemas (`org.apache.kafka.connect.data.Schema`) and a builder for them.

use std::fmt;
use std::sync::Arc;

use crate::Value;

/// Kafka Connect's `Schema.Type`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SchemaType {
    /// 8-bit signed integer.
    Int8,
    /// 16-bit signed integer.
    Int16,
    /// 32-bit signed integer.
    Int32,
    /// 64-bit signed integer.
    Int64,
    /// 32-bit IEEE 754 float.
    Float32,
    /// 64-bit IEEE 754 float.
    Float64,
    /// Boolean.
    Boolean,
    /// UTF-8 string.
    String,
    /// Byte array.
    Bytes,
    /// Ordered list of values of one schema.
    Array,
    /// Map from keys of one schema to values of another.
    Map,
    /// Named fields, each with its own schema.
    Struct,
}

impl SchemaType {
    /// The name Kafka Connect's JsonConverter uses (`"int32"`, `"struct"`, …).
    pub fn name(self) -> &'static str {
        match self {
            SchemaType::Int8 => "int8",
            SchemaType::Int16 => "int16",
            SchemaType::Int32 => "int32",
            SchemaType::Int64 => "int64",
            SchemaType::Float32 => "float",
            SchemaType::Float64 => "double",
            SchemaType::Boolean => "boolean",
            SchemaType::String => "string",
            SchemaType::Bytes => "bytes",
            SchemaType::Array => "array",
            SchemaType::Map => "map",
            SchemaType::Struct => "struct",
        }
    }

    /// Parse a JsonConverter type name (`"float"` and `"float32"` both mean [`SchemaType::Float32`]).
    pub fn from_name(name: &str) -> Option<SchemaType> {
        Some(match name {
            "int8" => SchemaType::Int8,
            "int16" => SchemaType::Int16,
            "int32" => SchemaType::Int32,
            "int64" => SchemaType::Int64,
            "float" | "float32" => SchemaType::Float32,
            "double" | "float64" => SchemaType::Float64,
            "boolean" => SchemaType::Boolean,
            "string" => SchemaType::String,
            "bytes" => SchemaType::Bytes,
            "array" => SchemaType::Array,
            "map" => SchemaType::Map,
            "struct" => SchemaType::Struct,
            _ => return None,
        })
    }

    /// True for every type that is not array, map or struct.
    pub fn is_primitive(self) -> bool {
        !matches!(
            self,
            SchemaType::Array | SchemaType::Map | SchemaType::Struct
        )
    }
}

impl fmt::Display for SchemaType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One field of a struct schema.
#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    /// Field name.
    pub name: String,
    /// Position of the field in its struct.
    pub index: usize,
    /// Schema of the field's value.
    pub schema: Schema,
}

/// A Kafka Connect schema. Cheap to clone: nested schemas are shared.
#[derive(Clone, Debug, PartialEq)]
pub struct Schema {
    /// The type.
    pub schema_type: SchemaType,
    /// Whether null is a valid value.
    pub optional: bool,
    /// Record or logical type name.
    pub name: Option<String>,
    /// Schema version.
    pub version: Option<i32>,
    /// Documentation.
    pub doc: Option<String>,
    /// Free-form parameters, in insertion order.
    pub parameters: Vec<(String, String)>,
    /// Default value.
    pub default_value: Option<Arc<Value>>,
    /// Fields of a struct, in order.
    pub fields: Arc<Vec<Field>>,
    /// Key schema of a map.
    pub key_schema: Option<Arc<Schema>>,
    /// Element schema of an array, value schema of a map.
    pub value_schema: Option<Arc<Schema>>,
}

macro_rules! primitive_constructors {
    ($($fn_name:ident, $opt_name:ident => $ty:ident;)*) => {
        $(
            #[doc = concat!("A required `", stringify!($ty), "` schema.")]
            pub fn $fn_name() -> Schema {
                Schema::new(SchemaType::$ty)
            }
            #[doc = concat!("An optional `", stringify!($ty), "` schema.")]
            pub fn $opt_name() -> Schema {
                Schema::new(SchemaType::$ty).into_optional()
            }
        )*
    };
}

impl Schema {
    /// A required schema of `schema_type` with nothing else set.
    pub fn new(schema_type: SchemaType) -> Schema {
        Schema {
            schema_type,
            optional: false,
            name: None,
            version: None,
            doc: None,
            parameters: Vec::new(),
            default_value: None,
            fields: Arc::new(Vec::new()),
            key_schema: None,
            value_schema: None,
        }
    }

    primitive_constructors! {
        int8, optional_int8 => Int8;
        int16, optional_int16 => Int16;
        int32, optional_int32 => Int32;
        int64, optional_int64 => Int64;
        float32, optional_float32 => Float32;
        float64, optional_float64 => Float64;
        boolean, optional_boolean => Boolean;
        string, optional_string => String;
        bytes, optional_bytes => Bytes;
    }

    /// An array schema with elements of `element`.
    pub fn array(element: Schema) -> Schema {
        Schema {
            value_schema: Some(Arc::new(element)),
            ..Schema::new(SchemaType::Array)
        }
    }

    /// A map schema.
    pub fn map(key: Schema, value: Schema) -> Schema {
        Schema {
            key_schema: Some(Arc::new(key)),
            value_schema: Some(Arc::new(value)),
            ..Schema::new(SchemaType::Map)
        }
    }

    /// Start building a struct schema.
    pub fn struct_builder() -> SchemaBuilder {
        SchemaBuilder {
            schema: Schema::new(SchemaType::Struct),
        }
    }

    /// Start building from this schema (to rename it, add fields, make it optional, …).
    pub fn to_builder(&self) -> SchemaBuilder {
        SchemaBuilder {
            schema: self.clone(),
        }
    }

    /// This schema, optional.
    pub fn into_optional(mut self) -> Schema {
        self.optional = true;
        self
    }

    /// The field called `name`, if this is a struct schema that has one.
    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// The value of parameter `key`.
    pub fn parameter(&self, key: &str) -> Option<&str> {
        self.parameters
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// Builds a [`Schema`] step by step, mainly for structs.
#[derive(Clone, Debug)]
pub struct SchemaBuilder {
    schema: Schema,
}

impl SchemaBuilder {
    /// Set the record or logical type name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.schema.name = Some(name.into());
        self
    }

    /// Set the version.
    pub fn version(mut self, version: i32) -> Self {
        self.schema.version = Some(version);
        self
    }

    /// Set the documentation.
    pub fn doc(mut self, doc: impl Into<String>) -> Self {
        self.schema.doc = Some(doc.into());
        self
    }

    /// Add a parameter.
    pub fn parameter(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.schema.parameters.push((key.into(), value.into()));
        self
    }

    /// Make the schema optional.
    pub fn optional(mut self) -> Self {
        self.schema.optional = true;
        self
    }

    /// Set the default value.
    pub fn default_value(mut self, value: Value) -> Self {
        self.schema.default_value = Some(Arc::new(value));
        self
    }

    /// Append a field (struct schemas). A field with the same name is replaced in place.
    pub fn field(mut self, name: impl Into<String>, schema: Schema) -> Self {
        let name = name.into();
        let fields = Arc::make_mut(&mut self.schema.fields);
        if let Some(existing) = fields.iter_mut().find(|f| f.name == name) {
            existing.schema = schema;
        } else {
            let index = fields.len();
            fields.push(Field {
                name,
                index,
                schema,
            });
        }
        self
    }

    /// The finished schema.
    pub fn build(self) -> Schema {
        self.schema
    }
}
