/*
 * jsonin.h: reading JSON that kijun did not write. Strict parsing (no duplicate keys, no
 * invalid UTF-8, no NUL bytes, depth bounded), allow-listed fields, and error messages
 * that say where: "file.json: $.items[3].number: expected a string".
 */
#ifndef KJ_JSONIN_H
#define KJ_JSONIN_H

#include <stddef.h>

#include <jansson.h>

#include "err.h"

/* A JSON path being walked, for messages: "$", "$.items[3]", ... */
struct kj_jpath {
	char s[512];
	size_t len;
};

void kj_jpath_init(struct kj_jpath *p);
/* Push a key or index; returns the length before, to give back to kj_jpath_pop. */
size_t kj_jpath_key(struct kj_jpath *p, const char *key);
size_t kj_jpath_index(struct kj_jpath *p, size_t i);
void kj_jpath_pop(struct kj_jpath *p, size_t len);

/* Parses len bytes named name (for messages). Rejects duplicate keys, invalid UTF-8, NULs,
 * and nesting deeper than KJ_MAX_JSON_DEPTH. The caller owns *out (json_decref). */
kj_err kj_json_parse(struct kj_ctx *ctx, const char *name, const char *data, size_t len,
		     json_t **out);

/* Fails unless obj is an object whose keys are all in allowed (NULL-terminated). */
kj_err kj_json_allow(struct kj_ctx *ctx, const char *name, const struct kj_jpath *p,
		     json_t *obj, const char *const *allowed);

/* Reads obj[key] as a string of at most maxlen bytes. Absent or null: *out = NULL, and a
 * failure if required. An empty string counts as absent when required. */
kj_err kj_json_str(struct kj_ctx *ctx, const char *name, struct kj_jpath *p, json_t *obj,
		   const char *key, int required, size_t maxlen, const char **out);

/* A failure at path p (plus key, if not NULL): "name: $.a.b: message". */
kj_err kj_json_fail(struct kj_ctx *ctx, kj_err e, const char *name, const struct kj_jpath *p,
		    const char *key, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

#endif
