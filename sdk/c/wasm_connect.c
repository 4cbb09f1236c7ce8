/*
 * wasm_connect.c: the helpers declared in wasm_connect.h. Memory rules are in that header.
 */
#include "wasm_connect.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <wchar.h>
#include <wctype.h>

/* ---- memory ------------------------------------------------------------------------------- */

static void *wc_alloc(size_t size) {
    void *p = malloc(size ? size : 1);
    if (!p) abort();
    return p;
}

/* Grow the list `*ptr` of `len` items of `size` bytes by one item; the new item (zeroed).
 * A zero-length list may carry a dummy pointer (see the header): it is never realloc'd. */
static void *wc_list_grow(void **ptr, size_t *len, size_t size) {
    void *old = *len ? *ptr : NULL;
    void *grown = realloc(old, (*len + 1) * size);
    if (!grown) abort();
    *ptr = grown;
    void *item = (char *)grown + *len * size;
    memset(item, 0, size);
    *len += 1;
    return item;
}

#define WC_GROW(list) wc_list_grow((void **)&(list)->ptr, &(list)->len, sizeof(*(list)->ptr))

/* Free a list's array (not its items). */
#define WC_FREE_ARRAY(list)                                                                       \
    do {                                                                                          \
        if ((list)->len > 0) free((list)->ptr);                                                   \
        (list)->ptr = NULL;                                                                       \
        (list)->len = 0;                                                                          \
    } while (0)

/* ---- strings ------------------------------------------------------------------------------ */

wc_string_t wc_str(const char *text) {
    wc_string_t s = {(uint8_t *)text, text ? strlen(text) : 0};
    return s;
}

wc_string_t wc_string_from(const void *bytes, size_t len) {
    wc_string_t s = {NULL, 0};
    if (len == 0) return s;
    s.ptr = wc_alloc(len);
    memcpy(s.ptr, bytes, len);
    s.len = len;
    return s;
}

wc_string_t wc_string_new(const char *text) {
    return wc_string_from(text, text ? strlen(text) : 0);
}

static wc_string_t wc_string_vformat(const char *format, va_list args) {
    va_list copy;
    va_copy(copy, args);
    int n = vsnprintf(NULL, 0, format, copy);
    va_end(copy);
    wc_string_t s = {NULL, 0};
    if (n <= 0) return s;
    char *buf = wc_alloc((size_t)n + 1);
    vsnprintf(buf, (size_t)n + 1, format, args);
    s.ptr = (uint8_t *)buf;
    s.len = (size_t)n;
    return s;
}

wc_string_t wc_string_format(const char *format, ...) {
    va_list args;
    va_start(args, format);
    wc_string_t s = wc_string_vformat(format, args);
    va_end(args);
    return s;
}

void wc_string_free(wc_string_t *text) {
    if (text->len > 0) free(text->ptr);
    text->ptr = NULL;
    text->len = 0;
}

void wc_string_append(wc_string_t *text, const char *suffix) {
    size_t extra = strlen(suffix);
    if (extra == 0) return;
    uint8_t *old = text->len ? text->ptr : NULL;
    uint8_t *grown = realloc(old, text->len + extra);
    if (!grown) abort();
    memcpy(grown + text->len, suffix, extra);
    text->ptr = grown;
    text->len += extra;
}

bool wc_string_eq(wc_string_t text, const char *other) {
    size_t n = strlen(other);
    return text.len == n && (n == 0 || memcmp(text.ptr, other, n) == 0);
}

bool wc_string_contains(wc_string_t text, const char *needle) {
    size_t n = strlen(needle);
    if (n == 0) return true;
    if (n > text.len) return false;
    for (size_t i = 0; i + n <= text.len; i++) {
        if (text.ptr[i] == (uint8_t)needle[0] && memcmp(text.ptr + i, needle, n) == 0) return true;
    }
    return false;
}

char *wc_string_cstr(wc_string_t text) {
    char *c = wc_alloc(text.len + 1);
    if (text.len) memcpy(c, text.ptr, text.len);
    c[text.len] = '\0';
    return c;
}

size_t wc_utf8_prefix_len(wc_string_t text, size_t max_bytes) {
    if (text.len <= max_bytes) return text.len;
    size_t end = max_bytes;
    /* Back up over continuation bytes (10xxxxxx): `end` must start a character. */
    while (end > 0 && (text.ptr[end] & 0xC0) == 0x80) end--;
    return end;
}

bool wc_string_truncate(wc_string_t *text, size_t max_bytes) {
    size_t keep = wc_utf8_prefix_len(*text, max_bytes);
    if (keep == text->len) return false;
    if (keep == 0) {
        wc_string_free(text);
    } else {
        uint8_t *shrunk = realloc(text->ptr, keep);
        if (shrunk) text->ptr = shrunk;
        text->len = keep;
    }
    return true;
}

/* Decode one UTF-8 code point at `*i` (input is valid UTF-8: WIT strings are). */
static uint32_t wc_utf8_next(const uint8_t *p, size_t len, size_t *i) {
    uint8_t b = p[*i];
    uint32_t cp;
    size_t n;
    if (b < 0x80) { cp = b; n = 1; }
    else if ((b & 0xE0) == 0xC0) { cp = b & 0x1F; n = 2; }
    else if ((b & 0xF0) == 0xE0) { cp = b & 0x0F; n = 3; }
    else { cp = b & 0x07; n = 4; }
    if (*i + n > len) { *i = len; return 0xFFFD; }
    for (size_t k = 1; k < n; k++) cp = (cp << 6) | (p[*i + k] & 0x3F);
    *i += n;
    return cp;
}

static size_t wc_utf8_put(uint8_t *out, uint32_t cp) {
    if (cp < 0x80) { out[0] = (uint8_t)cp; return 1; }
    if (cp < 0x800) {
        out[0] = (uint8_t)(0xC0 | (cp >> 6));
        out[1] = (uint8_t)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (uint8_t)(0xE0 | (cp >> 12));
        out[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (uint8_t)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (uint8_t)(0xF0 | (cp >> 18));
    out[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (uint8_t)(0x80 | (cp & 0x3F));
    return 4;
}

static wc_string_t wc_string_map_case(wc_string_t text, bool upper) {
    wc_string_t out = {NULL, 0};
    if (text.len == 0) return out;
    /* A simple case mapping never needs more than 4 bytes per code point, and a code point
     * takes at least 1 byte: 4x the input is always enough. */
    uint8_t *buf = wc_alloc(text.len * 4);
    size_t i = 0, n = 0;
    while (i < text.len) {
        uint8_t b = text.ptr[i];
        if (b < 0x80) { /* ASCII fast path */
            buf[n++] = (uint8_t)(upper ? toupper(b) : tolower(b));
            i++;
            continue;
        }
        uint32_t cp = wc_utf8_next(text.ptr, text.len, &i);
        uint32_t mapped = (uint32_t)(upper ? towupper((wint_t)cp) : towlower((wint_t)cp));
        n += wc_utf8_put(buf + n, mapped);
    }
    uint8_t *shrunk = realloc(buf, n);
    out.ptr = shrunk ? shrunk : buf;
    out.len = n;
    return out;
}

wc_string_t wc_string_upper(wc_string_t text) { return wc_string_map_case(text, true); }
wc_string_t wc_string_lower(wc_string_t text) { return wc_string_map_case(text, false); }

/* ---- errors and logging ------------------------------------------------------------------- */

bool wc_fail(wc_error_t *err, bool retriable, const char *format, ...) {
    va_list args;
    va_start(args, format);
    wc_string_t message = wc_string_vformat(format, args);
    va_end(args);
    if (err) {
        err->message = message;
        err->retriable = retriable;
    } else {
        wasm_connect_plugin_host_log(WC_LOG_DEBUG, &message);
        wc_string_free(&message);
    }
    return false;
}

void wc_log(wc_log_level_t level, const char *format, ...) {
    va_list args;
    va_start(args, format);
    wc_string_t message = wc_string_vformat(format, args);
    va_end(args);
    wasm_connect_plugin_host_log(level, &message);
    wc_string_free(&message);
}

/* ---- configuration ------------------------------------------------------------------------ */

const wc_string_t *wc_config_get(const wc_config_t *config, const char *key) {
    /* The last value wins, as in a Java Map built from the list. */
    for (size_t i = config->len; i-- > 0;) {
        if (wc_string_eq(config->ptr[i].f0, key)) return &config->ptr[i].f1;
    }
    return NULL;
}

char *wc_config_string(const wc_config_t *config, const char *key, const char *fallback) {
    const wc_string_t *v = wc_config_get(config, key);
    if (v) return wc_string_cstr(*v);
    if (!fallback) return NULL;
    return wc_string_cstr(wc_str(fallback));
}

static bool wc_missing(wc_error_t *err, const char *key) {
    return wc_fail(err, false,
                   "Missing required configuration \"%s\" which has no default value.", key);
}

static bool wc_invalid(wc_error_t *err, const char *key, const char *value, const char *why) {
    return wc_fail(err, false, "Invalid value %s for configuration %s: %s", value, key, why);
}

bool wc_config_non_empty_string(const wc_config_t *config, const char *key, char **out,
                                wc_error_t *err) {
    const wc_string_t *v = wc_config_get(config, key);
    if (!v) return wc_missing(err, key);
    char *text = wc_string_cstr(*v);
    const char *p = text;
    while (*p && isspace((unsigned char)*p)) p++;
    if (!*p) {
        wc_invalid(err, key, text, "String must be non-empty");
        free(text);
        return false;
    }
    *out = text;
    return true;
}

/* The trimmed value of `key` (malloc'd), or NULL when absent or blank. */
static char *wc_config_trimmed(const wc_config_t *config, const char *key) {
    const wc_string_t *v = wc_config_get(config, key);
    if (!v) return NULL;
    size_t start = 0, end = v->len;
    while (start < end && isspace(v->ptr[start])) start++;
    while (end > start && isspace(v->ptr[end - 1])) end--;
    if (start == end) return NULL;
    wc_string_t slice = {v->ptr + start, end - start};
    return wc_string_cstr(slice);
}

bool wc_config_long(const wc_config_t *config, const char *key, int64_t fallback, int64_t *out,
                    wc_error_t *err) {
    char *raw = wc_config_trimmed(config, key);
    if (!raw) {
        *out = fallback;
        return true;
    }
    char *end = NULL;
    errno = 0;
    long long v = strtoll(raw, &end, 10);
    bool ok = errno == 0 && end && *end == '\0';
    if (ok) *out = (int64_t)v;
    else wc_invalid(err, key, raw, "Not a number of type LONG");
    free(raw);
    return ok;
}

bool wc_config_double(const wc_config_t *config, const char *key, double fallback, double *out,
                      wc_error_t *err) {
    char *raw = wc_config_trimmed(config, key);
    if (!raw) {
        *out = fallback;
        return true;
    }
    char *end = NULL;
    errno = 0;
    double v = strtod(raw, &end);
    bool ok = errno == 0 && end && *end == '\0';
    if (ok) *out = v;
    else wc_invalid(err, key, raw, "Not a number of type DOUBLE");
    free(raw);
    return ok;
}

bool wc_config_bool(const wc_config_t *config, const char *key, bool fallback, bool *out,
                    wc_error_t *err) {
    char *raw = wc_config_trimmed(config, key);
    if (!raw) {
        *out = fallback;
        return true;
    }
    bool ok = true;
    if (strcasecmp(raw, "true") == 0) *out = true;
    else if (strcasecmp(raw, "false") == 0) *out = false;
    else ok = wc_invalid(err, key, raw, "Expected value to be either true or false");
    free(raw);
    return ok;
}

wc_config_t wc_config_clone(const wc_config_t *config) {
    wc_config_t copy = {NULL, 0};
    for (size_t i = 0; i < config->len; i++) {
        world_tuple2_string_string_t *entry = WC_GROW(&copy);
        entry->f0 = wc_string_from(config->ptr[i].f0.ptr, config->ptr[i].f0.len);
        entry->f1 = wc_string_from(config->ptr[i].f1.ptr, config->ptr[i].f1.len);
    }
    return copy;
}

void wc_config_set(wc_config_t *config, const char *key, const char *value) {
    for (size_t i = 0; i < config->len; i++) {
        if (wc_string_eq(config->ptr[i].f0, key)) {
            wc_string_free(&config->ptr[i].f1);
            config->ptr[i].f1 = wc_string_new(value);
            return;
        }
    }
    world_tuple2_string_string_t *entry = WC_GROW(config);
    entry->f0 = wc_string_new(key);
    entry->f1 = wc_string_new(value);
}

void wc_config_free(wc_config_t *config) {
    wasm_connect_plugin_types_config_map_free(config);
    config->ptr = NULL;
    config->len = 0;
}

/* ---- plugin description ------------------------------------------------------------------- */

void wc_plugin_info(wc_plugin_info_t *ret, const char *name, const char *version,
                    const char *description) {
    memset(ret, 0, sizeof(*ret));
    ret->name = wc_string_new(name);
    ret->version = wc_string_new(version);
    ret->description = wc_string_new(description);
}

void wc_plugin_alias(wc_plugin_info_t *ret, const char *alias) {
    wc_string_t *slot = WC_GROW(&ret->aliases);
    *slot = wc_string_new(alias);
}

wc_config_key_t *wc_config_key_add(wc_config_keys_t *keys, const char *name, wc_config_type_t type,
                                   const char *default_value, const char *documentation) {
    wc_config_key_t *key = WC_GROW(keys);
    key->name = wc_string_new(name);
    key->type = type;
    if (default_value) {
        key->default_value.is_some = true;
        key->default_value.val = wc_string_new(default_value);
    }
    key->importance = WC_IMPORTANCE_MEDIUM;
    key->documentation = wc_string_new(documentation ? documentation : "");
    key->path_access = WC_PATH_NONE;
    return key;
}

void wc_config_key_importance(wc_config_key_t *key, wc_importance_t importance) {
    key->importance = importance;
}

void wc_config_key_non_empty(wc_config_key_t *key) {
    wasm_connect_plugin_types_validator_t *v = WC_GROW(&key->validators);
    v->tag = WASM_CONNECT_PLUGIN_TYPES_VALIDATOR_NON_EMPTY_STRING;
}

void wc_config_key_range(wc_config_key_t *key, double min, double max) {
    wasm_connect_plugin_types_validator_t *v = WC_GROW(&key->validators);
    v->tag = WASM_CONNECT_PLUGIN_TYPES_VALIDATOR_RANGE;
    v->val.range.min.is_some = !isnan(min);
    v->val.range.min.val = isnan(min) ? 0 : min;
    v->val.range.max.is_some = !isnan(max);
    v->val.range.max.val = isnan(max) ? 0 : max;
}

void wc_config_key_one_of(wc_config_key_t *key, const char *const *values, size_t count) {
    wasm_connect_plugin_types_validator_t *v = WC_GROW(&key->validators);
    v->tag = WASM_CONNECT_PLUGIN_TYPES_VALIDATOR_ONE_OF;
    for (size_t i = 0; i < count; i++) {
        wc_string_t *slot = WC_GROW(&v->val.one_of);
        *slot = wc_string_new(values[i]);
    }
}

void wc_config_key_regex(wc_config_key_t *key) {
    wasm_connect_plugin_types_validator_t *v = WC_GROW(&key->validators);
    v->tag = WASM_CONNECT_PLUGIN_TYPES_VALIDATOR_REGEX;
}

void wc_config_key_path(wc_config_key_t *key, wc_path_access_t access) {
    key->path_access = access;
}

/* ---- values ------------------------------------------------------------------------------- */

static const wc_value_node_t WC_NULL_NODE = {.tag = WC_VALUE_NULL};

wc_value_node_t *wc_value_node(wc_value_t *value, uint32_t index) {
    return index < value->nodes.len ? &value->nodes.ptr[index] : NULL;
}

const wc_value_node_t *wc_value_root(const wc_value_t *value) {
    return value->nodes.len > 0 ? &value->nodes.ptr[0] : &WC_NULL_NODE;
}

uint32_t wc_value_push(wc_value_t *value, wc_value_node_t node) {
    wc_value_node_t *slot = WC_GROW(&value->nodes);
    *slot = node;
    return (uint32_t)(value->nodes.len - 1);
}

void wc_value_set(wc_value_t *value, uint32_t index, wc_value_node_t node) {
    if (index >= value->nodes.len) {
        wc_value_push(value, node);
        return;
    }
    wasm_connect_plugin_types_value_node_free(&value->nodes.ptr[index]);
    value->nodes.ptr[index] = node;
}

wc_value_t wc_value_of(wc_value_node_t root) {
    wc_value_t value = {{NULL, 0}};
    wc_value_push(&value, root);
    return value;
}

void wc_value_free(wc_value_t *value) {
    wasm_connect_plugin_types_value_free(value);
    value->nodes.ptr = NULL;
    value->nodes.len = 0;
}

static wc_value_node_t wc_node(uint8_t tag) {
    wc_value_node_t node;
    memset(&node, 0, sizeof(node));
    node.tag = tag;
    return node;
}

wc_value_node_t wc_node_null(void) { return wc_node(WC_VALUE_NULL); }
wc_value_node_t wc_node_bool(bool v) { wc_value_node_t n = wc_node(WC_VALUE_BOOLEAN); n.val.boolean = v; return n; }
wc_value_node_t wc_node_int8(int8_t v) { wc_value_node_t n = wc_node(WC_VALUE_INT8); n.val.int8 = v; return n; }
wc_value_node_t wc_node_int16(int16_t v) { wc_value_node_t n = wc_node(WC_VALUE_INT16); n.val.int16 = v; return n; }
wc_value_node_t wc_node_int32(int32_t v) { wc_value_node_t n = wc_node(WC_VALUE_INT32); n.val.int32 = v; return n; }
wc_value_node_t wc_node_int64(int64_t v) { wc_value_node_t n = wc_node(WC_VALUE_INT64); n.val.int64 = v; return n; }
wc_value_node_t wc_node_float32(float v) { wc_value_node_t n = wc_node(WC_VALUE_FLOAT32); n.val.float32 = v; return n; }
wc_value_node_t wc_node_float64(double v) { wc_value_node_t n = wc_node(WC_VALUE_FLOAT64); n.val.float64 = v; return n; }

wc_value_node_t wc_node_string_owned(wc_string_t text) {
    wc_value_node_t n = wc_node(WC_VALUE_STRING);
    n.val.string = text;
    return n;
}

wc_value_node_t wc_node_string(const char *text) { return wc_node_string_owned(wc_string_new(text)); }

wc_value_node_t wc_node_bytes(const void *bytes, size_t len) {
    wc_value_node_t n = wc_node(WC_VALUE_BYTES);
    if (len > 0) {
        n.val.bytes.ptr = wc_alloc(len);
        memcpy(n.val.bytes.ptr, bytes, len);
        n.val.bytes.len = len;
    }
    return n;
}

wc_value_node_t wc_node_array(void) { return wc_node(WC_VALUE_ARRAY); }
wc_value_node_t wc_node_map(void) { return wc_node(WC_VALUE_MAP); }
wc_value_node_t wc_node_struct(void) { return wc_node(WC_VALUE_STRUCT); }

void wc_value_array_add(wc_value_t *value, uint32_t parent, uint32_t child) {
    wc_value_node_t *node = wc_value_node(value, parent);
    if (!node || node->tag != WC_VALUE_ARRAY) abort();
    uint32_t *slot = WC_GROW(&node->val.array);
    *slot = child;
}

void wc_value_map_add(wc_value_t *value, uint32_t parent, uint32_t key, uint32_t child) {
    wc_value_node_t *node = wc_value_node(value, parent);
    if (!node || node->tag != WC_VALUE_MAP) abort();
    world_tuple2_value_index_value_index_t *slot = WC_GROW(&node->val.map);
    slot->f0 = key;
    slot->f1 = child;
}

void wc_value_struct_add(wc_value_t *value, uint32_t parent, const char *field, uint32_t child) {
    wc_value_node_t *node = wc_value_node(value, parent);
    if (!node || node->tag != WC_VALUE_STRUCT) abort();
    world_tuple2_string_value_index_t *slot = WC_GROW(&node->val.struct_);
    slot->f0 = wc_string_new(field);
    slot->f1 = child;
}

int64_t wc_value_struct_get(const wc_value_t *value, uint32_t parent, const char *field) {
    if (parent >= value->nodes.len) return -1;
    const wc_value_node_t *node = &value->nodes.ptr[parent];
    if (node->tag != WC_VALUE_STRUCT) return -1;
    for (size_t i = 0; i < node->val.struct_.len; i++) {
        if (wc_string_eq(node->val.struct_.ptr[i].f0, field)) return node->val.struct_.ptr[i].f1;
    }
    return -1;
}

/* ---- schemas ------------------------------------------------------------------------------ */

const wc_schema_node_t *wc_schema_root(const wc_schema_and_value_t *data) {
    if (!data->schema.is_some || data->schema.val.nodes.len == 0) return NULL;
    return &data->schema.val.nodes.ptr[0];
}

wc_schema_node_t wc_schema_node(wc_schema_type_t type, bool optional) {
    wc_schema_node_t node;
    memset(&node, 0, sizeof(node));
    node.type = type;
    node.optional = optional;
    return node;
}

uint32_t wc_schema_push(wc_schema_t *schema, wc_schema_node_t node) {
    wc_schema_node_t *slot = WC_GROW(&schema->nodes);
    *slot = node;
    return (uint32_t)(schema->nodes.len - 1);
}

wc_schema_t wc_schema_of(wc_schema_type_t type, bool optional) {
    wc_schema_t schema;
    memset(&schema, 0, sizeof(schema));
    wc_schema_push(&schema, wc_schema_node(type, optional));
    return schema;
}

void wc_schema_struct_add(wc_schema_t *schema, uint32_t parent, const char *name,
                          uint32_t field_schema) {
    if (parent >= schema->nodes.len || schema->nodes.ptr[parent].type != WC_SCHEMA_STRUCT) abort();
    wasm_connect_plugin_types_field_t *field = WC_GROW(&schema->nodes.ptr[parent].fields);
    field->name = wc_string_new(name);
    field->schema = field_schema;
}

int64_t wc_schema_struct_get(const wc_schema_t *schema, uint32_t parent, const char *name) {
    if (parent >= schema->nodes.len) return -1;
    const wc_schema_node_t *node = &schema->nodes.ptr[parent];
    for (size_t i = 0; i < node->fields.len; i++) {
        if (wc_string_eq(node->fields.ptr[i].name, name)) return node->fields.ptr[i].schema;
    }
    return -1;
}

void wc_schema_set_value_schema(wc_schema_t *schema, uint32_t parent, uint32_t child) {
    if (parent >= schema->nodes.len) abort();
    schema->nodes.ptr[parent].value_schema.is_some = true;
    schema->nodes.ptr[parent].value_schema.val = child;
}

void wc_schema_set_key_schema(wc_schema_t *schema, uint32_t parent, uint32_t child) {
    if (parent >= schema->nodes.len) abort();
    schema->nodes.ptr[parent].key_schema.is_some = true;
    schema->nodes.ptr[parent].key_schema.val = child;
}

void wc_schema_set_name(wc_schema_t *schema, uint32_t index, const char *name) {
    if (index >= schema->nodes.len) abort();
    wc_schema_node_t *node = &schema->nodes.ptr[index];
    if (node->name.is_some) wc_string_free(&node->name.val);
    node->name.is_some = true;
    node->name.val = wc_string_new(name);
}

void wc_schema_free(wc_schema_t *schema) {
    wasm_connect_plugin_types_schema_free(schema);
    memset(schema, 0, sizeof(*schema));
}

void wc_set_value(wc_schema_and_value_t *data, wc_value_t value) {
    wasm_connect_plugin_types_value_free(&data->value);
    data->value = value;
}

void wc_set_schema(wc_schema_and_value_t *data, wc_schema_t schema) {
    wasm_connect_plugin_types_option_schema_free(&data->schema);
    data->schema.is_some = true;
    data->schema.val = schema;
}

void wc_clear_schema(wc_schema_and_value_t *data) {
    wasm_connect_plugin_types_option_schema_free(&data->schema);
    memset(&data->schema, 0, sizeof(data->schema));
}

/* ---- records and headers ------------------------------------------------------------------ */

wc_record_t wc_record_new(const char *topic) {
    wc_record_t record;
    memset(&record, 0, sizeof(record));
    record.topic = wc_string_new(topic);
    return record;
}

const wc_header_t *wc_header_get(const wc_record_t *record, const char *key) {
    for (size_t i = record->headers.len; i-- > 0;) {
        if (wc_string_eq(record->headers.ptr[i].key, key)) return &record->headers.ptr[i];
    }
    return NULL;
}

void wc_header_add(wc_record_t *record, const char *key, wc_schema_and_value_t value) {
    wc_header_t *header = WC_GROW(&record->headers);
    header->key = wc_string_new(key);
    header->value = value;
}

void wc_header_add_string(wc_record_t *record, const char *key, const char *value) {
    wc_schema_and_value_t data;
    memset(&data, 0, sizeof(data));
    data.schema.is_some = true;
    data.schema.val = wc_schema_of(WC_SCHEMA_STRING, false);
    data.value = wc_value_of(wc_node_string(value));
    wc_header_add(record, key, data);
}

size_t wc_header_remove(wc_record_t *record, const char *key) {
    size_t kept = 0, removed = 0;
    for (size_t i = 0; i < record->headers.len; i++) {
        wc_header_t *h = &record->headers.ptr[i];
        if (wc_string_eq(h->key, key)) {
            wasm_connect_plugin_types_header_free(h);
            removed++;
        } else {
            record->headers.ptr[kept++] = *h;
        }
    }
    if (removed > 0 && kept == 0) {
        free(record->headers.ptr);
        record->headers.ptr = NULL;
    }
    record->headers.len = kept;
    return removed;
}

/* ---- source partitions and offsets -------------------------------------------------------- */

static wc_offset_value_t *wc_offset_slot(wc_offset_map_t *map, const char *key) {
    for (size_t i = 0; i < map->len; i++) {
        if (wc_string_eq(map->ptr[i].f0, key)) {
            wasm_connect_plugin_types_offset_value_free(&map->ptr[i].f1);
            return &map->ptr[i].f1;
        }
    }
    wasm_connect_plugin_types_tuple2_string_offset_value_t *entry = WC_GROW(map);
    entry->f0 = wc_string_new(key);
    return &entry->f1;
}

void wc_offset_put_int(wc_offset_map_t *map, const char *key, int64_t v) {
    wc_offset_value_t *slot = wc_offset_slot(map, key);
    slot->tag = WC_OFFSET_INT64;
    slot->val.int64 = v;
}

void wc_offset_put_string(wc_offset_map_t *map, const char *key, const char *v) {
    wc_offset_value_t *slot = wc_offset_slot(map, key);
    slot->tag = WC_OFFSET_STRING;
    slot->val.string = wc_string_new(v);
}

const wc_offset_value_t *wc_offset_get(const wc_offset_map_t *map, const char *key) {
    for (size_t i = 0; i < map->len; i++) {
        if (wc_string_eq(map->ptr[i].f0, key)) return &map->ptr[i].f1;
    }
    return NULL;
}

int64_t wc_offset_get_int(const wc_offset_map_t *map, const char *key, int64_t fallback) {
    const wc_offset_value_t *v = wc_offset_get(map, key);
    return v && v->tag == WC_OFFSET_INT64 ? v->val.int64 : fallback;
}

wc_offset_map_t wc_offset_map_clone(const wc_offset_map_t *map) {
    wc_offset_map_t copy = {NULL, 0};
    for (size_t i = 0; i < map->len; i++) {
        wasm_connect_plugin_types_tuple2_string_offset_value_t *entry = WC_GROW(&copy);
        const wc_offset_value_t *v = &map->ptr[i].f1;
        entry->f0 = wc_string_from(map->ptr[i].f0.ptr, map->ptr[i].f0.len);
        entry->f1 = *v;
        if (v->tag == WC_OFFSET_STRING) entry->f1.val.string = wc_string_from(v->val.string.ptr, v->val.string.len);
    }
    return copy;
}

void wc_offset_map_free(wc_offset_map_t *map) {
    wasm_connect_plugin_types_offset_map_free(map);
    map->ptr = NULL;
    map->len = 0;
}

/* ---- per-kind helpers --------------------------------------------------------------------- */

#ifdef WASM_CONNECT_EXPORTS_TRANSFORM
void wc_transform_batch(wc_records_t *records, wc_transform_results_t *ret, wc_transform_fn fn,
                        void *ctx) {
    ret->len = records->len;
    ret->ptr = records->len ? wc_alloc(records->len * sizeof(*ret->ptr)) : NULL;
    for (size_t i = 0; i < records->len; i++) {
        wc_record_t *record = &records->ptr[i];
        bool keep = true;
        wc_error_t err = {{NULL, 0}, false};
        memset(&ret->ptr[i], 0, sizeof(ret->ptr[i]));
        if (!fn(record, &keep, &err, ctx)) {
            ret->ptr[i].is_err = true;
            ret->ptr[i].val.err = err;
            wasm_connect_plugin_types_connect_record_free(record);
        } else if (keep) {
            ret->ptr[i].val.ok.is_some = true;
            ret->ptr[i].val.ok.val = *record; /* moved: freed by the post-return function */
        } else {
            wasm_connect_plugin_types_connect_record_free(record);
        }
    }
    WC_FREE_ARRAY(records);
}
#endif

#ifdef WASM_CONNECT_EXPORTS_PREDICATE
void wc_predicate_batch(wc_records_t *records, wc_predicate_results_t *ret, wc_predicate_fn fn,
                        void *ctx) {
    ret->len = records->len;
    ret->ptr = records->len ? wc_alloc(records->len * sizeof(*ret->ptr)) : NULL;
    for (size_t i = 0; i < records->len; i++) {
        bool matches = false;
        wc_error_t err = {{NULL, 0}, false};
        memset(&ret->ptr[i], 0, sizeof(ret->ptr[i]));
        if (fn(&records->ptr[i], &matches, &err, ctx)) {
            ret->ptr[i].val.ok = matches;
        } else {
            ret->ptr[i].is_err = true;
            ret->ptr[i].val.err = err;
        }
    }
    exports_wasm_connect_plugin_predicate_list_connect_record_free(records);
    records->ptr = NULL;
    records->len = 0;
}
#endif

#if defined(WASM_CONNECT_EXPORTS_SOURCE_TASK) || defined(WASM_CONNECT_EXPORTS_SINK_TASK)
void wc_task_configs_push(wc_task_configs_t *ret, wc_config_t config) {
    wc_config_t *slot = WC_GROW(ret);
    *slot = config;
}

void wc_config_error_add(wc_config_errors_t *ret, const char *name, const char *format, ...) {
    wc_config_error_t *error = WC_GROW(ret);
    error->name = wc_string_new(name);
    va_list args;
    va_start(args, format);
    error->message = wc_string_vformat(format, args);
    va_end(args);
}
#endif

#ifdef WASM_CONNECT_EXPORTS_SOURCE_TASK
wc_source_record_t *wc_source_records_push(wc_source_records_t *ret, const char *topic) {
    wc_source_record_t *record = WC_GROW(ret);
    record->record = wc_record_new(topic);
    return record;
}
#endif

#ifdef WASM_CONNECT_IMPORTS_SOURCE_CONTEXT
bool wc_source_offset(const wc_offset_map_t *partition, wc_offset_map_t *offset) {
    /* The import borrows `partition`; the generated signature is not const. */
    wc_offset_map_t borrowed = *partition;
    return wasm_connect_plugin_source_context_offset(&borrowed, offset);
}
#endif
