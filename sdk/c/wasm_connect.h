/*
 * wasm_connect.h: helpers for Wasm Connect plugins written in C.
 *
 * A C plugin implements the functions that `wit-bindgen c` declares in the generated
 * `world.h` (the `exports_wasm_connect_plugin_*` functions of its world); this header adds
 * short type names and helpers for the common chores: strings, configuration lookups with
 * defaults, values and schemas in the arena model (node 0 is the root, children are indexes),
 * headers, errors with `retriable`, logging through the host, and per-kind batch loops.
 *
 * `wasm-connect plugin new --lang c` writes this file, `wasm_connect.c` and the generated
 * bindings (`bindings/world.h`, `bindings/world.c`, `bindings/wasm_connect_world.h`) into the
 * project; `wasm-connect plugin build` regenerates the bindings from `wit/`, compiles everything
 * with `clang --target=wasm32-wasi` and turns the module into a component. See README.md.
 *
 * ---------------------------------------------------------------------------------------------
 * MEMORY: WHO FREES WHAT
 * ---------------------------------------------------------------------------------------------
 * All memory is the C heap (malloc/realloc/free of wasi-libc). The canonical ABI moves data
 * between host and plugin as follows (this is how `wit-bindgen c` bindings work):
 *
 * 1. Arguments of an exported function (e.g. `config` of `configure`, `records` of `apply`)
 *    were allocated by the host through `cabi_realloc` (defined in world.c: plain `realloc`).
 *    The plugin OWNS them: free them before returning (`wc_config_free`, the generated
 *    `*_free` functions), or move parts of them into the return value (that is what
 *    `wc_transform_batch` does with each kept record).
 * 2. Return values and `err` out-parameters of an exported function must be allocated with
 *    malloc (or be empty). After the host has copied them, it calls the generated
 *    `cabi_post_*` function, which frees them recursively with `free`. Never return a pointer
 *    to static or stack memory (so never `world_string_set` a literal into a return value: use
 *    `wc_string_new` / `world_string_dup`), and never free what you return.
 *    Return values (`ret`) start UNINITIALIZED (stack memory of the generated wrapper): set
 *    every field, or `WC_INIT(ret)` first and then fill it with the helpers (`wc_plugin_info`,
 *    `wc_transform_batch` and `wc_predicate_batch` initialize `ret` themselves).
 * 3. Arguments of an imported function (`wasm_connect_plugin_host_log`, the source context's
 *    `offset`) are BORROWED by the host: the caller keeps ownership (`wc_str` views are fine).
 * 4. Results of an imported function (the `offset` map of `wc_source_offset`) are allocated in
 *    plugin memory through `cabi_realloc` and OWNED by the caller: free them when done.
 * 5. An empty list or string may have a non-NULL dummy pointer (the canonical ABI passes the
 *    alignment as the pointer of a zero-length allocation): never free or realloc a pointer
 *    whose length is 0. Every helper here (and every generated `*_free`) follows this rule, so
 *    always keep `ptr`/`len` pairs consistent and let the helpers grow lists.
 *
 * The generated `*_free(T *ptr)` functions free what `ptr` owns (recursively), not `ptr`
 * itself. Helpers that return `wc_string_t`, `wc_value_t`, `wc_schema_t` or `char *` return
 * memory owned by the caller; helpers taking `const` pointers only read.
 */
#ifndef WASM_CONNECT_H
#define WASM_CONNECT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Generated: `#define WASM_CONNECT_EXPORTS_<KIND>` for the world's exports, then world.h. */
#include "wasm_connect_world.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------------------------------
 * Short names for the generated types
 * ------------------------------------------------------------------------------------------- */

typedef world_string_t wc_string_t;                                 /* UTF-8, not NUL-terminated */
typedef wasm_connect_plugin_types_config_map_t wc_config_t;         /* list of (key, value) */
typedef wasm_connect_plugin_types_plugin_error_t wc_error_t;        /* message + retriable */
typedef wasm_connect_plugin_types_connect_record_t wc_record_t;     /* topic, key, value, ... */
typedef wasm_connect_plugin_types_schema_and_value_t wc_schema_and_value_t;
typedef wasm_connect_plugin_types_value_t wc_value_t;               /* arena of value nodes */
typedef wasm_connect_plugin_types_value_node_t wc_value_node_t;
typedef wasm_connect_plugin_types_schema_t wc_schema_t;             /* arena of schema nodes */
typedef wasm_connect_plugin_types_schema_node_t wc_schema_node_t;
typedef wasm_connect_plugin_types_schema_type_t wc_schema_type_t;
typedef wasm_connect_plugin_types_header_t wc_header_t;
typedef wasm_connect_plugin_types_plugin_info_t wc_plugin_info_t;
typedef wasm_connect_plugin_types_config_key_t wc_config_key_t;
typedef wasm_connect_plugin_types_config_error_t wc_config_error_t;
typedef exports_wasm_connect_plugin_plugin_list_config_key_t wc_config_keys_t;
typedef wasm_connect_plugin_types_config_type_t wc_config_type_t;
typedef wasm_connect_plugin_types_importance_t wc_importance_t;
typedef wasm_connect_plugin_types_path_access_t wc_path_access_t;
typedef wasm_connect_plugin_types_offset_map_t wc_offset_map_t;
typedef wasm_connect_plugin_types_offset_value_t wc_offset_value_t;
typedef wasm_connect_plugin_types_source_record_t wc_source_record_t;
typedef wasm_connect_plugin_types_sink_record_t wc_sink_record_t;
typedef wasm_connect_plugin_host_log_level_t wc_log_level_t;

/* Value node tags (`wc_value_node_t.tag`). */
#define WC_VALUE_NULL WASM_CONNECT_PLUGIN_TYPES_VALUE_NODE_NULL
#define WC_VALUE_INT8 WASM_CONNECT_PLUGIN_TYPES_VALUE_NODE_INT8
#define WC_VALUE_INT16 WASM_CONNECT_PLUGIN_TYPES_VALUE_NODE_INT16
#define WC_VALUE_INT32 WASM_CONNECT_PLUGIN_TYPES_VALUE_NODE_INT32
#define WC_VALUE_INT64 WASM_CONNECT_PLUGIN_TYPES_VALUE_NODE_INT64
#define WC_VALUE_FLOAT32 WASM_CONNECT_PLUGIN_TYPES_VALUE_NODE_FLOAT32
#define WC_VALUE_FLOAT64 WASM_CONNECT_PLUGIN_TYPES_VALUE_NODE_FLOAT64
#define WC_VALUE_BOOLEAN WASM_CONNECT_PLUGIN_TYPES_VALUE_NODE_BOOLEAN
#define WC_VALUE_STRING WASM_CONNECT_PLUGIN_TYPES_VALUE_NODE_STRING
#define WC_VALUE_BYTES WASM_CONNECT_PLUGIN_TYPES_VALUE_NODE_BYTES
#define WC_VALUE_ARRAY WASM_CONNECT_PLUGIN_TYPES_VALUE_NODE_ARRAY
#define WC_VALUE_MAP WASM_CONNECT_PLUGIN_TYPES_VALUE_NODE_MAP
#define WC_VALUE_STRUCT WASM_CONNECT_PLUGIN_TYPES_VALUE_NODE_STRUCT

/* Schema types (`wc_schema_node_t.type`). */
#define WC_SCHEMA_INT8 WASM_CONNECT_PLUGIN_TYPES_SCHEMA_TYPE_INT8
#define WC_SCHEMA_INT16 WASM_CONNECT_PLUGIN_TYPES_SCHEMA_TYPE_INT16
#define WC_SCHEMA_INT32 WASM_CONNECT_PLUGIN_TYPES_SCHEMA_TYPE_INT32
#define WC_SCHEMA_INT64 WASM_CONNECT_PLUGIN_TYPES_SCHEMA_TYPE_INT64
#define WC_SCHEMA_FLOAT32 WASM_CONNECT_PLUGIN_TYPES_SCHEMA_TYPE_FLOAT32
#define WC_SCHEMA_FLOAT64 WASM_CONNECT_PLUGIN_TYPES_SCHEMA_TYPE_FLOAT64
#define WC_SCHEMA_BOOLEAN WASM_CONNECT_PLUGIN_TYPES_SCHEMA_TYPE_BOOLEAN
#define WC_SCHEMA_STRING WASM_CONNECT_PLUGIN_TYPES_SCHEMA_TYPE_STRING
#define WC_SCHEMA_BYTES WASM_CONNECT_PLUGIN_TYPES_SCHEMA_TYPE_BYTES
#define WC_SCHEMA_ARRAY WASM_CONNECT_PLUGIN_TYPES_SCHEMA_TYPE_ARRAY
#define WC_SCHEMA_MAP WASM_CONNECT_PLUGIN_TYPES_SCHEMA_TYPE_MAP
#define WC_SCHEMA_STRUCT WASM_CONNECT_PLUGIN_TYPES_SCHEMA_TYPE_STRUCT

/* Config key types, importance and path access (`wc_config_key_t`). */
#define WC_CONFIG_BOOLEAN WASM_CONNECT_PLUGIN_TYPES_CONFIG_TYPE_BOOLEAN
#define WC_CONFIG_STRING WASM_CONNECT_PLUGIN_TYPES_CONFIG_TYPE_STRING
#define WC_CONFIG_INT WASM_CONNECT_PLUGIN_TYPES_CONFIG_TYPE_INT
#define WC_CONFIG_SHORT WASM_CONNECT_PLUGIN_TYPES_CONFIG_TYPE_SHORT
#define WC_CONFIG_LONG WASM_CONNECT_PLUGIN_TYPES_CONFIG_TYPE_LONG
#define WC_CONFIG_DOUBLE WASM_CONNECT_PLUGIN_TYPES_CONFIG_TYPE_DOUBLE
#define WC_CONFIG_LIST WASM_CONNECT_PLUGIN_TYPES_CONFIG_TYPE_LIST
#define WC_CONFIG_CLASS WASM_CONNECT_PLUGIN_TYPES_CONFIG_TYPE_CLASS
#define WC_CONFIG_PASSWORD WASM_CONNECT_PLUGIN_TYPES_CONFIG_TYPE_PASSWORD
#define WC_IMPORTANCE_HIGH WASM_CONNECT_PLUGIN_TYPES_IMPORTANCE_HIGH
#define WC_IMPORTANCE_MEDIUM WASM_CONNECT_PLUGIN_TYPES_IMPORTANCE_MEDIUM
#define WC_IMPORTANCE_LOW WASM_CONNECT_PLUGIN_TYPES_IMPORTANCE_LOW
#define WC_PATH_NONE WASM_CONNECT_PLUGIN_TYPES_PATH_ACCESS_NONE
#define WC_PATH_READ_FILE WASM_CONNECT_PLUGIN_TYPES_PATH_ACCESS_READ_FILE
#define WC_PATH_WRITE_FILE WASM_CONNECT_PLUGIN_TYPES_PATH_ACCESS_WRITE_FILE
#define WC_PATH_READ_DIR WASM_CONNECT_PLUGIN_TYPES_PATH_ACCESS_READ_DIR
#define WC_PATH_WRITE_DIR WASM_CONNECT_PLUGIN_TYPES_PATH_ACCESS_WRITE_DIR

/* Source offset value tags (`wc_offset_value_t.tag`). */
#define WC_OFFSET_NULL WASM_CONNECT_PLUGIN_TYPES_OFFSET_VALUE_NULL
#define WC_OFFSET_BOOLEAN WASM_CONNECT_PLUGIN_TYPES_OFFSET_VALUE_BOOLEAN
#define WC_OFFSET_INT64 WASM_CONNECT_PLUGIN_TYPES_OFFSET_VALUE_INT64
#define WC_OFFSET_FLOAT64 WASM_CONNECT_PLUGIN_TYPES_OFFSET_VALUE_FLOAT64
#define WC_OFFSET_STRING WASM_CONNECT_PLUGIN_TYPES_OFFSET_VALUE_STRING

/* Log levels. */
#define WC_LOG_TRACE WASM_CONNECT_PLUGIN_HOST_LOG_LEVEL_TRACE
#define WC_LOG_DEBUG WASM_CONNECT_PLUGIN_HOST_LOG_LEVEL_DEBUG
#define WC_LOG_INFO WASM_CONNECT_PLUGIN_HOST_LOG_LEVEL_INFO
#define WC_LOG_WARN WASM_CONNECT_PLUGIN_HOST_LOG_LEVEL_WARN
#define WC_LOG_ERROR WASM_CONNECT_PLUGIN_HOST_LOG_LEVEL_ERROR

#if defined(__GNUC__) || defined(__clang__)
#define WC_PRINTF(fmt, args) __attribute__((__format__(__printf__, fmt, args)))
#else
#define WC_PRINTF(fmt, args)
#endif

/* Zero an out-parameter (empty lists, `is_some = false`, ...) before filling it. */
#define WC_INIT(ret) memset((ret), 0, sizeof(*(ret)))

/* ---------------------------------------------------------------------------------------------
 * Strings
 * ------------------------------------------------------------------------------------------- */

/* A borrowed view of a NUL-terminated string (no copy): for import arguments and comparisons,
 * never for return values. */
wc_string_t wc_str(const char *text);
/* An owned copy of a NUL-terminated string ({NULL, 0} for ""). */
wc_string_t wc_string_new(const char *text);
/* An owned copy of `len` bytes (which must be UTF-8). */
wc_string_t wc_string_from(const void *bytes, size_t len);
/* An owned string formatted like printf. */
wc_string_t wc_string_format(const char *format, ...) WC_PRINTF(1, 2);
/* Free an owned string and reset it to {NULL, 0}. */
void wc_string_free(wc_string_t *text);
/* Append a NUL-terminated string to an owned string. */
void wc_string_append(wc_string_t *text, const char *suffix);
/* Do `text` and the NUL-terminated `other` hold the same bytes? */
bool wc_string_eq(wc_string_t text, const char *other);
/* Does `text` contain the NUL-terminated `needle`? ("" is in every string.) */
bool wc_string_contains(wc_string_t text, const char *needle);
/* A malloc'd NUL-terminated copy (free it with `free`). */
char *wc_string_cstr(wc_string_t text);
/* The longest prefix of `text` of at most `max_bytes` bytes that does not split a UTF-8
 * character, in bytes. */
size_t wc_utf8_prefix_len(wc_string_t text, size_t max_bytes);
/* Shorten an owned string to `wc_utf8_prefix_len(*text, max_bytes)` bytes, in place; true when
 * it was shortened. */
bool wc_string_truncate(wc_string_t *text, size_t max_bytes);
/* An owned upper-cased copy: each code point mapped with `towupper` (simple case mapping, so
 * "ß" stays "ß" where Rust's `to_uppercase` gives "SS"). */
wc_string_t wc_string_upper(wc_string_t text);
/* An owned lower-cased copy (`towlower`, code point by code point). */
wc_string_t wc_string_lower(wc_string_t text);

/* ---------------------------------------------------------------------------------------------
 * Errors and logging
 * ------------------------------------------------------------------------------------------- */

/* Fill `err` with a printf-formatted message and return false, so an exported function that
 * reports errors through `bool f(..., wc_error_t *err)` can `return wc_fail(err, false, ...)`.
 * `retriable` is Kafka's RetriableException: the host retries the call (with back-off) instead
 * of failing the task. `err` may be NULL (the message is then only logged at DEBUG). */
bool wc_fail(wc_error_t *err, bool retriable, const char *format, ...) WC_PRINTF(3, 4);
/* Write a printf-formatted message to the worker's log (with connector and task as fields). */
void wc_log(wc_log_level_t level, const char *format, ...) WC_PRINTF(2, 3);
#define wc_log_trace(...) wc_log(WC_LOG_TRACE, __VA_ARGS__)
#define wc_log_debug(...) wc_log(WC_LOG_DEBUG, __VA_ARGS__)
#define wc_log_info(...) wc_log(WC_LOG_INFO, __VA_ARGS__)
#define wc_log_warn(...) wc_log(WC_LOG_WARN, __VA_ARGS__)
#define wc_log_error(...) wc_log(WC_LOG_ERROR, __VA_ARGS__)

/* ---------------------------------------------------------------------------------------------
 * Configuration (Kafka Connect's string map)
 * ------------------------------------------------------------------------------------------- */

/* The value of `key` (borrowed from `config`), or NULL when absent. */
const wc_string_t *wc_config_get(const wc_config_t *config, const char *key);
/* A malloc'd NUL-terminated copy of the value of `key`, or of `fallback` when absent (NULL if
 * `fallback` is NULL). Free it with `free`. */
char *wc_config_string(const wc_config_t *config, const char *key, const char *fallback);
/* A required string that must not be blank: false (and `err` filled with Kafka's message) when
 * absent or blank. `*out` is malloc'd on success. */
bool wc_config_non_empty_string(const wc_config_t *config, const char *key, char **out,
                                wc_error_t *err);
/* A 64-bit integer, or `fallback` when absent or empty; false (and `err` filled) when the value
 * is not an integer. */
bool wc_config_long(const wc_config_t *config, const char *key, int64_t fallback, int64_t *out,
                    wc_error_t *err);
/* A floating-point number, or `fallback` when absent or empty. */
bool wc_config_double(const wc_config_t *config, const char *key, double fallback, double *out,
                      wc_error_t *err);
/* `true`/`false` (case-insensitive, as Kafka parses it), or `fallback` when absent or empty. */
bool wc_config_bool(const wc_config_t *config, const char *key, bool fallback, bool *out,
                    wc_error_t *err);
/* An owned deep copy (e.g. to keep the connector's config for `task_configs`). */
wc_config_t wc_config_clone(const wc_config_t *config);
/* Set `key` to `value` in an owned map (replacing an existing value). */
void wc_config_set(wc_config_t *config, const char *key, const char *value);
/* Free an owned map (an exported function's `config` argument, a clone). */
void wc_config_free(wc_config_t *config);

/* ---------------------------------------------------------------------------------------------
 * Plugin description: info and config definition
 * ------------------------------------------------------------------------------------------- */

/* Fill the `info` export's result (all strings are copied). */
void wc_plugin_info(wc_plugin_info_t *ret, const char *name, const char *version,
                    const char *description);
/* Add another name that selects the plugin (e.g. `com.example.MyTransform`). */
void wc_plugin_alias(wc_plugin_info_t *ret, const char *alias);
/* Append a config key to the `config_definition` export's result: `default_value` NULL makes
 * the key required. Medium importance, no validators, not a path. The returned pointer (to
 * adjust the key with the functions below) is valid until the next `wc_config_key_add`. */
wc_config_key_t *wc_config_key_add(wc_config_keys_t *keys, const char *name, wc_config_type_t type,
                                   const char *default_value, const char *documentation);
void wc_config_key_importance(wc_config_key_t *key, wc_importance_t importance);
/* Validators the host applies before the plugin sees the config. */
void wc_config_key_non_empty(wc_config_key_t *key);
/* Inclusive bounds; NAN for an open end. */
void wc_config_key_range(wc_config_key_t *key, double min, double max);
void wc_config_key_one_of(wc_config_key_t *key, const char *const *values, size_t count);
void wc_config_key_regex(wc_config_key_t *key);
/* The value is a path: the host grants the plugin exactly this access to it. */
void wc_config_key_path(wc_config_key_t *key, wc_path_access_t access);

/* ---------------------------------------------------------------------------------------------
 * Values (arena model: node 0 is the root; children of arrays, maps and structs are indexes)
 *
 * A child must come AFTER its parent in the arena (the host refuses anything else, which rules
 * out cycles): push the parent first, then its children, then link them by index. Indexes stay
 * valid while the arena grows; pointers into it do not.
 * ------------------------------------------------------------------------------------------- */

/* Node `index`, or NULL when out of range (an empty arena is a null value). */
wc_value_node_t *wc_value_node(wc_value_t *value, uint32_t index);
/* The root node; a static null node for an empty arena (never NULL). */
const wc_value_node_t *wc_value_root(const wc_value_t *value);
/* Append a node (ownership of its contents moves into the arena); its index. */
uint32_t wc_value_push(wc_value_t *value, wc_value_node_t node);
/* Replace node `index` (freeing the old contents); `index` == length appends. */
void wc_value_set(wc_value_t *value, uint32_t index, wc_value_node_t node);
/* A value of one node (e.g. `wc_value_of(wc_node_string("x"))`). */
wc_value_t wc_value_of(wc_value_node_t root);
/* Free an owned value and reset it to empty (null). */
void wc_value_free(wc_value_t *value);
/* Node constructors; strings and bytes are copied. */
wc_value_node_t wc_node_null(void);
wc_value_node_t wc_node_bool(bool v);
wc_value_node_t wc_node_int8(int8_t v);
wc_value_node_t wc_node_int16(int16_t v);
wc_value_node_t wc_node_int32(int32_t v);
wc_value_node_t wc_node_int64(int64_t v);
wc_value_node_t wc_node_float32(float v);
wc_value_node_t wc_node_float64(double v);
wc_value_node_t wc_node_string(const char *text);
/* A string node that takes ownership of `text`. */
wc_value_node_t wc_node_string_owned(wc_string_t text);
wc_value_node_t wc_node_bytes(const void *bytes, size_t len);
/* Empty composite nodes: push them, then add children with the functions below. */
wc_value_node_t wc_node_array(void);
wc_value_node_t wc_node_map(void);
wc_value_node_t wc_node_struct(void);
/* Add a child (an index in the same arena) to the array / map / struct node at `parent`. */
void wc_value_array_add(wc_value_t *value, uint32_t parent, uint32_t child);
void wc_value_map_add(wc_value_t *value, uint32_t parent, uint32_t key, uint32_t child);
void wc_value_struct_add(wc_value_t *value, uint32_t parent, const char *field, uint32_t child);
/* The index of field `field` of the struct node at `parent`, or -1. */
int64_t wc_value_struct_get(const wc_value_t *value, uint32_t parent, const char *field);

/* ---------------------------------------------------------------------------------------------
 * Schemas (the same arena rule: children after their parent)
 * ------------------------------------------------------------------------------------------- */

/* The root schema node, or NULL for a schemaless key/value. */
const wc_schema_node_t *wc_schema_root(const wc_schema_and_value_t *data);
/* A schema node of `type` with no name, version, doc, parameters, default or children. */
wc_schema_node_t wc_schema_node(wc_schema_type_t type, bool optional);
/* Append a node; its index. */
uint32_t wc_schema_push(wc_schema_t *schema, wc_schema_node_t node);
/* A schema of one primitive node. */
wc_schema_t wc_schema_of(wc_schema_type_t type, bool optional);
/* Add field `name` (whose schema is node `field_schema`) to the struct node at `parent`. */
void wc_schema_struct_add(wc_schema_t *schema, uint32_t parent, const char *name,
                          uint32_t field_schema);
/* The schema index of field `name` of the struct node at `parent`, or -1. */
int64_t wc_schema_struct_get(const wc_schema_t *schema, uint32_t parent, const char *name);
/* Set the element schema of the array node / the value schema of the map node at `parent`. */
void wc_schema_set_value_schema(wc_schema_t *schema, uint32_t parent, uint32_t child);
/* Set the key schema of the map node at `parent`. */
void wc_schema_set_key_schema(wc_schema_t *schema, uint32_t parent, uint32_t child);
/* Set the name (logical type or record name) of node `index`. */
void wc_schema_set_name(wc_schema_t *schema, uint32_t index, const char *name);
/* Free an owned schema and reset it to empty. */
void wc_schema_free(wc_schema_t *schema);

/* Replace the value of a key/value/header (the old one is freed; `value` moves in). */
void wc_set_value(wc_schema_and_value_t *data, wc_value_t value);
/* Replace the schema (the old one is freed; `schema` moves in). */
void wc_set_schema(wc_schema_and_value_t *data, wc_schema_t schema);
/* Make schemaless (the old schema is freed). */
void wc_clear_schema(wc_schema_and_value_t *data);

/* ---------------------------------------------------------------------------------------------
 * Records and headers
 * ------------------------------------------------------------------------------------------- */

/* A record for `topic` with null key and value, no partition, timestamp or headers. */
wc_record_t wc_record_new(const char *topic);
/* The last header named `key`, or NULL. */
const wc_header_t *wc_header_get(const wc_record_t *record, const char *key);
/* Append a header with a string schema and value. */
void wc_header_add_string(wc_record_t *record, const char *key, const char *value);
/* Append a header (ownership of `value` moves in). */
void wc_header_add(wc_record_t *record, const char *key, wc_schema_and_value_t value);
/* Remove every header named `key`; how many were removed. */
size_t wc_header_remove(wc_record_t *record, const char *key);

/* ---------------------------------------------------------------------------------------------
 * Source partitions and offsets (flat maps of primitives)
 * ------------------------------------------------------------------------------------------- */

void wc_offset_put_int(wc_offset_map_t *map, const char *key, int64_t v);
void wc_offset_put_string(wc_offset_map_t *map, const char *key, const char *v);
/* The entry `key` (borrowed), or NULL. */
const wc_offset_value_t *wc_offset_get(const wc_offset_map_t *map, const char *key);
/* The int64 entry `key`, or `fallback` when absent or not an int64. */
int64_t wc_offset_get_int(const wc_offset_map_t *map, const char *key, int64_t fallback);
wc_offset_map_t wc_offset_map_clone(const wc_offset_map_t *map);
void wc_offset_map_free(wc_offset_map_t *map);

/* ---------------------------------------------------------------------------------------------
 * Per-kind helpers (declared for the kinds the generated world exports)
 * ------------------------------------------------------------------------------------------- */

#ifdef WASM_CONNECT_EXPORTS_TRANSFORM
typedef exports_wasm_connect_plugin_transform_list_connect_record_t wc_records_t;
typedef exports_wasm_connect_plugin_transform_list_result_option_connect_record_plugin_error_t
    wc_transform_results_t;
/* Transform one record in place. Return false (after `wc_fail(err, ...)`) to fail it; set
 * `*keep = false` to drop it (it starts true). `ctx` is what was passed to the batch. */
typedef bool (*wc_transform_fn)(wc_record_t *record, bool *keep, wc_error_t *err, void *ctx);
/* The body of the `apply` export: calls `fn` on each record and fills `ret` with one result per
 * record, in order. Takes ownership of `records` (kept records move into `ret`, dropped and
 * failed ones are freed). */
void wc_transform_batch(wc_records_t *records, wc_transform_results_t *ret, wc_transform_fn fn,
                        void *ctx);
#endif

#ifdef WASM_CONNECT_EXPORTS_PREDICATE
typedef exports_wasm_connect_plugin_predicate_list_connect_record_t wc_records_t;
typedef exports_wasm_connect_plugin_predicate_list_result_bool_plugin_error_t wc_predicate_results_t;
/* Decide for one record: set `*matches`; return false (after `wc_fail`) on an error. */
typedef bool (*wc_predicate_fn)(const wc_record_t *record, bool *matches, wc_error_t *err,
                                void *ctx);
/* The body of the `test` export: one answer per record; frees `records`. */
void wc_predicate_batch(wc_records_t *records, wc_predicate_results_t *ret, wc_predicate_fn fn,
                        void *ctx);
#endif

#if defined(WASM_CONNECT_EXPORTS_SOURCE_TASK) || defined(WASM_CONNECT_EXPORTS_SINK_TASK)
typedef world_list_config_map_t wc_task_configs_t;
typedef exports_wasm_connect_plugin_connector_list_config_error_t wc_config_errors_t;
/* Append a task config to the `task_configs` export's result (`config` moves in). */
void wc_task_configs_push(wc_task_configs_t *ret, wc_config_t config);
/* Append an error about config key `name` to the `validate` export's result. */
void wc_config_error_add(wc_config_errors_t *ret, const char *name, const char *format, ...)
    WC_PRINTF(3, 4);
#endif

#ifdef WASM_CONNECT_EXPORTS_SOURCE_TASK
typedef exports_wasm_connect_plugin_source_task_list_source_record_t wc_source_records_t;
/* Append a record for `topic` to the `poll` export's result; the new (null-valued) record, valid
 * until the next push. */
wc_source_record_t *wc_source_records_push(wc_source_records_t *ret, const char *topic);
#endif

#ifdef WASM_CONNECT_IMPORTS_SOURCE_CONTEXT
/* The last committed source offset of `partition` (borrowed); true and `*offset` filled (owned:
 * free it with `wc_offset_map_free`) when there is one. */
bool wc_source_offset(const wc_offset_map_t *partition, wc_offset_map_t *offset);
#endif

#ifdef WASM_CONNECT_EXPORTS_SINK_TASK
typedef exports_wasm_connect_plugin_sink_task_list_sink_record_t wc_sink_records_t;
typedef exports_wasm_connect_plugin_sink_task_list_topic_partition_offset_t wc_partition_offsets_t;
#endif

#ifdef __cplusplus
}
#endif

#endif /* WASM_CONNECT_H */
