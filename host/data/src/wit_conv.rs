//! Conversions between this crate's recursive types and the index-based arenas of the WIT package
//! `wasm-connect:plugin` (WIT types cannot recurse).
//!
//! The host (wasmtime `bindgen!`) and guests (`wit_bindgen::generate!`) each generate their own Rust
//! types for the WIT interface `types`, with identical names. [`wit_conversions!`] expands the same
//! conversion code against either, so the arena layout is defined in exactly one place.

/// Nesting deeper than this is rejected when decoding an arena.
pub const MAX_DEPTH: usize = 256;

/// Why an arena could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ArenaError {
    /// A child index points outside the arena or not after its parent.
    #[error(
        "{what} node {parent} refers to node {child}, which is not after it in an arena of {len} nodes"
    )]
    BadIndex {
        /// "schema" or "value".
        what: &'static str,
        /// Index of the referring node.
        parent: u32,
        /// The bad index.
        child: u32,
        /// Arena length.
        len: usize,
    },
    /// Nesting deeper than [`MAX_DEPTH`].
    #[error("{0} nesting deeper than {MAX_DEPTH} levels")]
    TooDeep(&'static str),
    /// A schema arena with no nodes.
    #[error("schema arena is empty")]
    EmptySchema,
}

/// Check that `child` is a valid child index of `parent` in an arena of `len` nodes.
pub fn check_child(
    what: &'static str,
    parent: u32,
    child: u32,
    len: usize,
) -> Result<usize, ArenaError> {
    if child > parent && (child as usize) < len {
        Ok(child as usize)
    } else {
        Err(ArenaError::BadIndex {
            what,
            parent,
            child,
            len,
        })
    }
}

/// Expand conversion functions between `wasm_connect_data` types and the generated WIT types in
/// module `$wit` (the module generated for interface `wasm-connect:plugin/types`).
///
/// Generates, in the calling module: `schema_to_wit`, `schema_from_wit`, `value_to_wit`,
/// `value_from_wit`, `sv_to_wit`, `sv_from_wit`, `record_to_wit`, `record_from_wit`,
/// `offset_map_to_wit`, `offset_map_from_wit`.
#[macro_export]
macro_rules! wit_conversions {
    ($wit:path) => {
        use $crate::wit_conv::{
            ArenaError, MAX_DEPTH as __MAX_DEPTH, check_child as __check_child,
        };
        #[allow(unused_imports)]
        use $wit as __wit;

        fn __schema_type_to_wit(t: $crate::SchemaType) -> __wit::SchemaType {
            use $crate::SchemaType as T;
            match t {
                T::Int8 => __wit::SchemaType::Int8,
                T::Int16 => __wit::SchemaType::Int16,
                T::Int32 => __wit::SchemaType::Int32,
                T::Int64 => __wit::SchemaType::Int64,
                T::Float32 => __wit::SchemaType::Float32,
                T::Float64 => __wit::SchemaType::Float64,
                T::Boolean => __wit::SchemaType::Boolean,
                T::String => __wit::SchemaType::String,
                T::Bytes => __wit::SchemaType::Bytes,
                T::Array => __wit::SchemaType::Array,
                T::Map => __wit::SchemaType::Map,
                T::Struct => __wit::SchemaType::Struct,
            }
        }

        fn __schema_type_from_wit(t: __wit::SchemaType) -> $crate::SchemaType {
            use $crate::SchemaType as T;
            match t {
                __wit::SchemaType::Int8 => T::Int8,
                __wit::SchemaType::Int16 => T::Int16,
                __wit::SchemaType::Int32 => T::Int32,
                __wit::SchemaType::Int64 => T::Int64,
                __wit::SchemaType::Float32 => T::Float32,
                __wit::SchemaType::Float64 => T::Float64,
                __wit::SchemaType::Boolean => T::Boolean,
                __wit::SchemaType::String => T::String,
                __wit::SchemaType::Bytes => T::Bytes,
                __wit::SchemaType::Array => T::Array,
                __wit::SchemaType::Map => T::Map,
                __wit::SchemaType::Struct => T::Struct,
            }
        }

        /// Append `value` and its children to `nodes`; returns the index of `value`.
        fn __push_value(value: &$crate::Value, nodes: &mut Vec<__wit::ValueNode>) -> u32 {
            use $crate::Value as V;
            let index = nodes.len();
            nodes.push(__wit::ValueNode::Null);
            let node = match value {
                V::Null => __wit::ValueNode::Null,
                V::Int8(v) => __wit::ValueNode::Int8(*v),
                V::Int16(v) => __wit::ValueNode::Int16(*v),
                V::Int32(v) => __wit::ValueNode::Int32(*v),
                V::Int64(v) => __wit::ValueNode::Int64(*v),
                V::Float32(v) => __wit::ValueNode::Float32(*v),
                V::Float64(v) => __wit::ValueNode::Float64(*v),
                V::Boolean(v) => __wit::ValueNode::Boolean(*v),
                V::String(v) => __wit::ValueNode::String(v.clone()),
                V::Bytes(v) => __wit::ValueNode::Bytes(v.clone()),
                V::Array(items) => {
                    let children = items.iter().map(|item| __push_value(item, nodes)).collect();
                    __wit::ValueNode::Array(children)
                }
                V::Map(entries) => {
                    let children = entries
                        .iter()
                        .map(|(k, v)| {
                            let k = __push_value(k, nodes);
                            let v = __push_value(v, nodes);
                            (k, v)
                        })
                        .collect();
                    __wit::ValueNode::Map(children)
                }
                V::Struct(s) => {
                    let children = s
                        .fields
                        .iter()
                        .map(|(name, v)| (name.clone(), __push_value(v, nodes)))
                        .collect();
                    __wit::ValueNode::Struct(children)
                }
            };
            nodes[index] = node;
            index as u32
        }

        /// Take node `index` out of `nodes` (leaving null) and decode it with its children.
        fn __take_value(
            nodes: &mut [__wit::ValueNode],
            index: usize,
            depth: usize,
        ) -> Result<$crate::Value, ArenaError> {
            use $crate::Value as V;
            if depth > __MAX_DEPTH {
                return Err(ArenaError::TooDeep("value"));
            }
            let len = nodes.len();
            let parent = index as u32;
            let node = std::mem::replace(&mut nodes[index], __wit::ValueNode::Null);
            Ok(match node {
                __wit::ValueNode::Null => V::Null,
                __wit::ValueNode::Int8(v) => V::Int8(v),
                __wit::ValueNode::Int16(v) => V::Int16(v),
                __wit::ValueNode::Int32(v) => V::Int32(v),
                __wit::ValueNode::Int64(v) => V::Int64(v),
                __wit::ValueNode::Float32(v) => V::Float32(v),
                __wit::ValueNode::Float64(v) => V::Float64(v),
                __wit::ValueNode::Boolean(v) => V::Boolean(v),
                __wit::ValueNode::String(v) => V::String(v),
                __wit::ValueNode::Bytes(v) => V::Bytes(v),
                __wit::ValueNode::Array(children) => {
                    let mut items = Vec::with_capacity(children.len());
                    for child in children {
                        let child = __check_child("value", parent, child, len)?;
                        items.push(__take_value(nodes, child, depth + 1)?);
                    }
                    V::Array(items)
                }
                __wit::ValueNode::Map(children) => {
                    let mut entries = Vec::with_capacity(children.len());
                    for (k, v) in children {
                        let k = __check_child("value", parent, k, len)?;
                        let v = __check_child("value", parent, v, len)?;
                        let k = __take_value(nodes, k, depth + 1)?;
                        let v = __take_value(nodes, v, depth + 1)?;
                        entries.push((k, v));
                    }
                    V::Map(entries)
                }
                __wit::ValueNode::Struct(children) => {
                    let mut fields = Vec::with_capacity(children.len());
                    for (name, child) in children {
                        let child = __check_child("value", parent, child, len)?;
                        fields.push((name, __take_value(nodes, child, depth + 1)?));
                    }
                    V::Struct($crate::Struct { fields })
                }
            })
        }

        /// Flatten a value into a WIT value arena.
        pub fn value_to_wit(value: &$crate::Value) -> __wit::Value {
            let mut nodes = Vec::new();
            __push_value(value, &mut nodes);
            __wit::Value { nodes }
        }

        /// Rebuild a value from a WIT value arena (an empty arena is null).
        pub fn value_from_wit(value: __wit::Value) -> Result<$crate::Value, ArenaError> {
            let mut nodes = value.nodes;
            if nodes.is_empty() {
                return Ok($crate::Value::Null);
            }
            __take_value(&mut nodes, 0, 0)
        }

        fn __push_schema(
            schema: &$crate::Schema,
            nodes: &mut Vec<__wit::SchemaNode>,
            defaults: &mut Vec<__wit::ValueNode>,
        ) -> u32 {
            let index = nodes.len();
            nodes.push(__wit::SchemaNode {
                type_: __schema_type_to_wit(schema.schema_type),
                optional: schema.optional,
                name: schema.name.clone(),
                version: schema.version,
                doc: schema.doc.clone(),
                parameters: schema.parameters.clone(),
                default_value: schema
                    .default_value
                    .as_ref()
                    .map(|v| __push_value(v, defaults)),
                fields: Vec::new(),
                key_schema: None,
                value_schema: None,
            });
            let fields = schema
                .fields
                .iter()
                .map(|f| __wit::Field {
                    name: f.name.clone(),
                    schema: __push_schema(&f.schema, nodes, defaults),
                })
                .collect();
            let key_schema = schema
                .key_schema
                .as_ref()
                .map(|s| __push_schema(s, nodes, defaults));
            let value_schema = schema
                .value_schema
                .as_ref()
                .map(|s| __push_schema(s, nodes, defaults));
            let node = &mut nodes[index];
            node.fields = fields;
            node.key_schema = key_schema;
            node.value_schema = value_schema;
            index as u32
        }

        fn __take_schema(
            nodes: &[__wit::SchemaNode],
            defaults: &mut [__wit::ValueNode],
            index: usize,
            depth: usize,
        ) -> Result<$crate::Schema, ArenaError> {
            if depth > __MAX_DEPTH {
                return Err(ArenaError::TooDeep("schema"));
            }
            let len = nodes.len();
            let parent = index as u32;
            let node = &nodes[index];
            let mut fields = Vec::with_capacity(node.fields.len());
            for (i, f) in node.fields.iter().enumerate() {
                let child = __check_child("schema", parent, f.schema, len)?;
                fields.push($crate::Field {
                    name: f.name.clone(),
                    index: i,
                    schema: __take_schema(nodes, defaults, child, depth + 1)?,
                });
            }
            let mut child_schema =
                |c: Option<u32>| -> Result<Option<std::sync::Arc<$crate::Schema>>, ArenaError> {
                    match c {
                        Some(c) => {
                            let c = __check_child("schema", parent, c, len)?;
                            Ok(Some(std::sync::Arc::new(__take_schema(
                                nodes,
                                defaults,
                                c,
                                depth + 1,
                            )?)))
                        }
                        None => Ok(None),
                    }
                };
            let key_schema = child_schema(node.key_schema)?;
            let value_schema = child_schema(node.value_schema)?;
            let default_value = match node.default_value {
                Some(d) if (d as usize) < defaults.len() => {
                    Some(std::sync::Arc::new(__take_value(defaults, d as usize, 0)?))
                }
                Some(d) => {
                    return Err(ArenaError::BadIndex {
                        what: "default value",
                        parent,
                        child: d,
                        len: defaults.len(),
                    })
                }
                None => None,
            };
            Ok($crate::Schema {
                schema_type: __schema_type_from_wit(node.type_),
                optional: node.optional,
                name: node.name.clone(),
                version: node.version,
                doc: node.doc.clone(),
                parameters: node.parameters.clone(),
                default_value,
                fields: std::sync::Arc::new(fields),
                key_schema,
                value_schema,
            })
        }

        /// Flatten a schema into a WIT schema arena.
        pub fn schema_to_wit(schema: &$crate::Schema) -> __wit::Schema {
            let mut nodes = Vec::new();
            let mut defaults = Vec::new();
            __push_schema(schema, &mut nodes, &mut defaults);
            __wit::Schema { nodes, defaults }
        }

        /// Rebuild a schema from a WIT schema arena.
        pub fn schema_from_wit(schema: __wit::Schema) -> Result<$crate::Schema, ArenaError> {
            if schema.nodes.is_empty() {
                return Err(ArenaError::EmptySchema);
            }
            let mut defaults = schema.defaults;
            __take_schema(&schema.nodes, &mut defaults, 0, 0)
        }

        /// Convert a key, value or header to WIT.
        pub fn sv_to_wit(sv: &$crate::SchemaAndValue) -> __wit::SchemaAndValue {
            __wit::SchemaAndValue {
                schema: sv.schema.as_deref().map(schema_to_wit),
                value: value_to_wit(&sv.value),
            }
        }

        /// Convert a key, value or header from WIT.
        pub fn sv_from_wit(
            sv: __wit::SchemaAndValue,
        ) -> Result<$crate::SchemaAndValue, ArenaError> {
            Ok($crate::SchemaAndValue {
                schema: match sv.schema {
                    Some(s) => Some(std::sync::Arc::new(schema_from_wit(s)?)),
                    None => None,
                },
                value: value_from_wit(sv.value)?,
            })
        }

        /// Convert a record to WIT.
        pub fn record_to_wit(r: &$crate::ConnectRecord) -> __wit::ConnectRecord {
            __wit::ConnectRecord {
                topic: r.topic.clone(),
                kafka_partition: r.kafka_partition,
                key: sv_to_wit(&r.key),
                value: sv_to_wit(&r.value),
                timestamp: r.timestamp,
                headers: r
                    .headers
                    .iter()
                    .map(|h| __wit::Header {
                        key: h.key.clone(),
                        value: sv_to_wit(&h.value),
                    })
                    .collect(),
            }
        }

        /// Convert a record from WIT.
        pub fn record_from_wit(
            r: __wit::ConnectRecord,
        ) -> Result<$crate::ConnectRecord, ArenaError> {
            let mut headers = Vec::with_capacity(r.headers.len());
            for h in r.headers {
                headers.push($crate::Header {
                    key: h.key,
                    value: sv_from_wit(h.value)?,
                });
            }
            Ok($crate::ConnectRecord {
                topic: r.topic,
                kafka_partition: r.kafka_partition,
                key: sv_from_wit(r.key)?,
                value: sv_from_wit(r.value)?,
                timestamp: r.timestamp,
                headers,
            })
        }

        /// Convert a source partition or offset to WIT.
        pub fn offset_map_to_wit(map: &$crate::OffsetMap) -> Vec<(String, __wit::OffsetValue)> {
            map.iter()
                .map(|(k, v)| {
                    let v = match v {
                        $crate::OffsetValue::Null => __wit::OffsetValue::Null,
                        $crate::OffsetValue::Boolean(b) => __wit::OffsetValue::Boolean(*b),
                        $crate::OffsetValue::Int64(i) => __wit::OffsetValue::Int64(*i),
                        $crate::OffsetValue::Float64(f) => __wit::OffsetValue::Float64(*f),
                        $crate::OffsetValue::String(s) => __wit::OffsetValue::String(s.clone()),
                    };
                    (k.clone(), v)
                })
                .collect()
        }

        /// Convert a source partition or offset from WIT.
        pub fn offset_map_from_wit(map: Vec<(String, __wit::OffsetValue)>) -> $crate::OffsetMap {
            map.into_iter()
                .map(|(k, v)| {
                    let v = match v {
                        __wit::OffsetValue::Null => $crate::OffsetValue::Null,
                        __wit::OffsetValue::Boolean(b) => $crate::OffsetValue::Boolean(b),
                        __wit::OffsetValue::Int64(i) => $crate::OffsetValue::Int64(i),
                        __wit::OffsetValue::Float64(f) => $crate::OffsetValue::Float64(f),
                        __wit::OffsetValue::String(s) => $crate::OffsetValue::String(s),
                    };
                    (k, v)
                })
                .collect()
        }
    };
}
