/*
 * Truncate: a Wasm Connect transform written in C (world `transform-plugin`, helpers from
 * sdk/c/wasm_connect.h). No Kafka equivalent; aliases `Truncate$Value`, `Truncate$Key` (the key,
 * through the host's key/value swap) and `com.example.Truncate`.
 *
 * Shortens strings to at most `max.length` bytes without splitting a UTF-8 character: the record
 * value when it is a string, and the string fields of a struct value (strings in nested structs
 * too). `fields` (comma-separated) limits the struct case to those top-level fields. Schemas,
 * other types, arrays and maps are unchanged: a sink with a column limit (VARCHAR(255), a
 * search index's term limit, a 1 MB message cap on a text field) gets values it accepts instead
 * of failing the task.
 *
 *   transforms=cut
 *   transforms.cut.type=Truncate
 *   transforms.cut.max.length=255
 *   transforms.cut.fields=title,body        (optional; default: every string field)
 *
 * Built by host/build.rs into the embedded plugins (skipped with a warning when clang or
 * wasi-libc are missing):
 *   1. bindings: wit-bindgen-c (as a library) for world transform-plugin, renamed `world`
 *      -> world.h, world.c, world_component_type.o, plus wasm_connect_world.h;
 *   2. clang --target=wasm32-wasi -mexec-model=reactor -O2 truncate.c sdk/c/wasm_connect.c
 *        world.c world_component_type.o -o truncate.core.wasm
 *   3. wit-component's ComponentEncoder with the wasi_snapshot_preview1 reactor adapter.
 * The same steps as `wasm-connect plugin build` for a `--lang c` project.
 */
#include <stdlib.h>
#include <string.h>

#include "wasm_connect.h"

static size_t max_length;
/* `fields`: the top-level struct fields to truncate (none listed: all of them). */
static char **fields;
static size_t field_count;

void exports_wasm_connect_plugin_plugin_info(wc_plugin_info_t *ret) {
    wc_plugin_info(ret, "Truncate", "0.1.0",
                   "Truncates string values and string struct fields to max.length bytes "
                   "without splitting a UTF-8 character (a C plugin).");
    wc_plugin_alias(ret, "Truncate$Value");
    wc_plugin_alias(ret, "Truncate$Key");
    wc_plugin_alias(ret, "com.example.Truncate");
}

void exports_wasm_connect_plugin_plugin_config_definition(wc_config_keys_t *ret) {
    WC_INIT(ret);
    wc_config_key_t *max = wc_config_key_add(
        ret, "max.length", WC_CONFIG_LONG, NULL,
        "Maximum length of a string in bytes of UTF-8; longer strings are cut at the last "
        "character boundary at or before it.");
    wc_config_key_range(max, 0, 2147483647.0);
    wc_config_key_importance(max, WC_IMPORTANCE_HIGH);
    wc_config_key_add(ret, "fields", WC_CONFIG_LIST, "",
                      "Top-level struct fields to truncate; empty for every string field.");
}

static void clear_fields(void) {
    for (size_t i = 0; i < field_count; i++) free(fields[i]);
    free(fields);
    fields = NULL;
    field_count = 0;
}

/* Split a comma-separated list into `fields`, trimming items and skipping empty ones. */
static void parse_fields(const char *list) {
    clear_fields();
    const char *p = list;
    while (*p) {
        const char *end = strchr(p, ',');
        if (!end) end = p + strlen(p);
        const char *a = p, *b = end;
        while (a < b && (*a == ' ' || *a == '\t')) a++;
        while (b > a && (b[-1] == ' ' || b[-1] == '\t')) b--;
        if (b > a) {
            fields = realloc(fields, (field_count + 1) * sizeof(*fields));
            if (!fields) abort();
            wc_string_t item = {(uint8_t *)a, (size_t)(b - a)};
            fields[field_count++] = wc_string_cstr(item);
        }
        p = *end ? end + 1 : end;
    }
}

bool exports_wasm_connect_plugin_transform_configure(wc_config_t *config, wc_error_t *err) {
    int64_t max = -1;
    bool ok = wc_config_long(config, "max.length", -1, &max, err);
    if (ok && max < 0) {
        ok = wc_config_get(config, "max.length")
                 ? wc_fail(err, false,
                           "Invalid value %lld for configuration max.length: must be at least 0",
                           (long long)max)
                 : wc_fail(err, false,
                           "Missing required configuration \"max.length\" which has no default "
                           "value.");
    }
    if (ok) {
        max_length = (size_t)max;
        char *list = wc_config_string(config, "fields", "");
        parse_fields(list);
        free(list);
    }
    wc_config_free(config);
    return ok;
}

static bool selected(wc_string_t name) {
    if (field_count == 0) return true;
    for (size_t i = 0; i < field_count; i++) {
        if (wc_string_eq(name, fields[i])) return true;
    }
    return false;
}

/* Truncate the string at node `index` or, for a struct, its (selected) string fields. `depth`
 * bounds the walk: a malformed arena with a cycle cannot loop forever. */
static void truncate_node(wc_value_t *value, uint32_t index, bool top, unsigned depth) {
    wc_value_node_t *node = wc_value_node(value, index);
    if (!node || depth > 64) return;
    if (node->tag == WC_VALUE_STRING) {
        wc_string_truncate(&node->val.string, max_length);
    } else if (node->tag == WC_VALUE_STRUCT) {
        for (size_t i = 0; i < node->val.struct_.len; i++) {
            /* Re-read the node each time: truncation never reallocates the arena, but keep the
             * walk independent of that. */
            node = wc_value_node(value, index);
            if (top && !selected(node->val.struct_.ptr[i].f0)) continue;
            truncate_node(value, node->val.struct_.ptr[i].f1, false, depth + 1);
        }
    }
}

static bool truncate_record(wc_record_t *record, bool *keep, wc_error_t *err, void *ctx) {
    (void)keep, (void)err, (void)ctx;
    truncate_node(&record->value.value, 0, true, 0);
    return true;
}

void exports_wasm_connect_plugin_transform_apply(wc_records_t *records,
                                                 wc_transform_results_t *ret) {
    wc_transform_batch(records, ret, truncate_record, NULL);
}
