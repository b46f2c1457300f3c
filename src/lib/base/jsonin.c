/*
 * jsonin.c: strict JSON input with paths in every message (jsonin.h).
 */
#include "jsonin.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "limits.h"
#include "util.h"

void
kj_jpath_init(struct kj_jpath *p)
{
	p->s[0] = '$';
	p->s[1] = '\0';
	p->len = 1;
}

static size_t jpath_add(struct kj_jpath *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static size_t
jpath_add(struct kj_jpath *p, const char *fmt, ...)
{
	size_t before = p->len;
	va_list ap;
	int n;

	if (p->len >= sizeof(p->s) - 1)
		return before;
	va_start(ap, fmt);
	n = vsnprintf(p->s + p->len, sizeof(p->s) - p->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		p->len += (size_t)n < sizeof(p->s) - p->len ? (size_t)n : sizeof(p->s) - p->len - 1;
	return before;
}

size_t
kj_jpath_key(struct kj_jpath *p, const char *key)
{
	const char *c;

	for (c = key; *c != '\0'; c++) {
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= '0' && *c <= '9') || *c == '_' || *c == '-'))
			return jpath_add(p, "[\"%.60s\"]", key);
	}
	return jpath_add(p, ".%.60s", key);
}

size_t
kj_jpath_index(struct kj_jpath *p, size_t i)
{
	return jpath_add(p, "[%zu]", i);
}

void
kj_jpath_pop(struct kj_jpath *p, size_t len)
{
	p->len = len;
	p->s[len] = '\0';
}

kj_err
kj_json_fail(struct kj_ctx *ctx, kj_err e, const char *name, const struct kj_jpath *p,
	     const char *key, const char *fmt, ...)
{
	char m[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(m, sizeof(m), fmt, ap);
	va_end(ap);
	if (key != NULL)
		return kj_failf(ctx, e, "%s: %s.%s: %s", name, p->s, key, m);
	return kj_failf(ctx, e, "%s: %s: %s", name, p->s, m);
}

static int
too_deep(json_t *v, int depth)
{
	const char *k;
	json_t *c;
	size_t i;

	if (depth > KJ_MAX_JSON_DEPTH)
		return 1;
	if (json_is_object(v)) {
		json_object_foreach(v, k, c) {
			if (too_deep(c, depth + 1))
				return 1;
		}
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, c) {
			if (too_deep(c, depth + 1))
				return 1;
		}
	}
	return 0;
}

kj_err
kj_json_parse(struct kj_ctx *ctx, const char *name, const char *data, size_t len, json_t **out)
{
	json_error_t jerr;
	json_t *j;

	/* jansson recurses while parsing, bounded by its own depth limit (2048); our walkers
	 * need a smaller one, checked below before anything reads the document. */
	j = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);
	if (j == NULL)
		return kj_failf(ctx, KJ_ERR_INVALID, "%s:%d:%d: %s", name, jerr.line, jerr.column,
				jerr.text);
	if (too_deep(j, 0)) {
		json_decref(j);
		return kj_failf(ctx, KJ_ERR_TOO_LARGE, "%s: nested deeper than %d levels", name,
				KJ_MAX_JSON_DEPTH);
	}
	*out = j;
	return KJ_OK;
}

kj_err
kj_json_allow(struct kj_ctx *ctx, const char *name, const struct kj_jpath *p, json_t *obj,
	      const char *const *allowed)
{
	const char *k;
	json_t *v;

	if (!json_is_object(obj))
		return kj_json_fail(ctx, KJ_ERR_INVALID, name, p, NULL, "expected an object");
	json_object_foreach(obj, k, v) {
		const char *const *a;
		char list[400];
		size_t n = 0;

		for (a = allowed; *a != NULL; a++) {
			if (strcmp(*a, k) == 0)
				break;
		}
		if (*a != NULL)
			continue;
		list[0] = '\0';
		for (a = allowed; *a != NULL && n < sizeof(list) - 1; a++) {
			int w = snprintf(list + n, sizeof(list) - n, "%s%s", n ? ", " : "", *a);

			if (w < 0)
				break;
			n += (size_t)w;
		}
		return kj_json_fail(ctx, KJ_ERR_INVALID, name, p, NULL,
				    "unknown field \"%.60s\" (expected one of: %s)", k, list);
	}
	return KJ_OK;
}

kj_err
kj_json_str(struct kj_ctx *ctx, const char *name, struct kj_jpath *p, json_t *obj,
	    const char *key, int required, size_t maxlen, const char **out)
{
	json_t *v = json_object_get(obj, key);
	const char *s;

	*out = NULL;
	if (v == NULL || json_is_null(v)) {
		if (required)
			return kj_json_fail(ctx, KJ_ERR_INVALID, name, p, key, "required");
		return KJ_OK;
	}
	if (!json_is_string(v))
		return kj_json_fail(ctx, KJ_ERR_INVALID, name, p, key, "expected a string");
	s = json_string_value(v);
	if (json_string_length(v) != strlen(s))
		return kj_json_fail(ctx, KJ_ERR_INVALID, name, p, key, "contains a NUL character");
	if (json_string_length(v) > maxlen)
		return kj_json_fail(ctx, KJ_ERR_TOO_LARGE, name, p, key,
				    "longer than %zu bytes", maxlen);
	if (required && *s == '\0')
		return kj_json_fail(ctx, KJ_ERR_INVALID, name, p, key, "must not be empty");
	*out = s;
	return KJ_OK;
}
