/*
 * test_openapi.c: docs/openapi.json, as built into the binary, describes exactly the
 * routes of kj_routes (src/server/routes.c): every route is documented, every documented
 * operation is a route, operationIds are unique, every operation has a response, and every
 * {parameter} of a path is declared `in: path`. A failure names the route or path.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "base/embedded.h"
#include "server/server.h"

static const char *const methods[] = {"get", "put", "post", "delete", "options", "head", "patch", "trace", NULL};

/* Problems found by a test: each is printed, and the first is the failure message. */
struct problems {
	int n;
	char first[512];
};

static void problem(struct problems *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
problem(struct problems *p, const char *fmt, ...)
{
	char m[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(m, sizeof(m), fmt, ap);
	va_end(ap);
	print_error("openapi: %s\n", m);
	if (p->n++ == 0)
		snprintf(p->first, sizeof(p->first), "%s", m);
}

static void
check_problems(const struct problems *p)
{
	if (p->n == 1)
		fail_msg("%s", p->first);
	else if (p->n > 1)
		fail_msg("%s (and %d more problem%s, printed above)", p->first, p->n - 1, p->n == 2 ? "" : "s");
}

static json_t *
load_doc(void)
{
	const struct kj_embedded *e = kj_embedded_find(kj_embedded_docs, "openapi.json");
	json_error_t jerr;
	json_t *doc;

	if (e == NULL)
		fail_msg("openapi.json is not among the embedded documents");
	doc = json_loadb(e->data, e->len, JSON_REJECT_DUPLICATES, &jerr);
	if (doc == NULL)
		fail_msg("openapi.json: not valid JSON: line %d column %d: %s", jerr.line, jerr.column, jerr.text);
	if (!json_is_object(doc)) {
		json_decref(doc);
		fail_msg("openapi.json: not a JSON object");
	}
	return doc;
}

static void
lower(const char *in, char *out, size_t size)
{
	size_t i;

	for (i = 0; in[i] != '\0' && i + 1 < size; i++)
		out[i] = (in[i] >= 'A' && in[i] <= 'Z') ? (char)(in[i] - 'A' + 'a') : in[i];
	out[i] = '\0';
}

static int
is_method(const char *k)
{
	int i;

	for (i = 0; methods[i] != NULL; i++) {
		if (strcmp(methods[i], k) == 0)
			return 1;
	}
	return 0;
}

/* Follows a local reference "#/a/b/c" (with ~0 and ~1 escapes) from the document root. */
static json_t *
resolve(json_t *doc, json_t *v)
{
	const char *ref, *p;
	int hops;

	for (hops = 0; hops < 8 && json_is_object(v) && (ref = json_string_value(json_object_get(v, "$ref"))) != NULL;
	     hops++) {
		json_t *at = doc;

		if (strncmp(ref, "#/", 2) != 0)
			return NULL;
		for (p = ref + 2; at != NULL && *p != '\0';) {
			char seg[256];
			size_t n = 0;

			while (*p != '\0' && *p != '/' && n + 1 < sizeof(seg)) {
				if (p[0] == '~' && p[1] == '1') {
					seg[n++] = '/';
					p += 2;
				} else if (p[0] == '~' && p[1] == '0') {
					seg[n++] = '~';
					p += 2;
				} else {
					seg[n++] = *p++;
				}
			}
			seg[n] = '\0';
			if (*p == '/')
				p++;
			at = json_object_get(at, seg);
		}
		v = at;
	}
	return v;
}

static const struct kj_route *
find_route(const char *path, const char *method)
{
	const struct kj_route *r;
	char m[16];

	for (r = kj_routes; r->method != NULL; r++) {
		lower(r->method, m, sizeof(m));
		if (strcmp(r->pattern, path) == 0 && strcmp(m, method) == 0)
			return r;
	}
	return NULL;
}

/* 1 when name is declared as a path parameter in the array params (may be NULL). */
static int
declares_path_param(json_t *doc, json_t *params, const char *name)
{
	size_t i;
	json_t *p;

	json_array_foreach(params, i, p) {
		json_t *q = resolve(doc, p);
		const char *in = json_string_value(json_object_get(q, "in"));
		const char *pn = json_string_value(json_object_get(q, "name"));

		if (in != NULL && pn != NULL && strcmp(in, "path") == 0 && strcmp(pn, name) == 0)
			return 1;
	}
	return 0;
}

/* A JSON string's value, or a placeholder that no expected value equals. */
static const char *
str_or(json_t *v)
{
	const char *s = json_string_value(v);

	return s != NULL ? s : "(missing or not a string)";
}

static void
test_document(void **state)
{
	json_t *doc, *info;

	(void)state;
	doc = load_doc();
	assert_string_equal(str_or(json_object_get(doc, "openapi")), "3.1.0");
	info = json_object_get(doc, "info");
	assert_true(json_is_object(info));
	assert_non_null(json_string_value(json_object_get(info, "title")));
	assert_string_equal(str_or(json_object_get(info, "version")), "0.1.0");
	assert_true(json_is_object(json_object_get(doc, "paths")));
	json_decref(doc);
}

/* The document built into this binary is the one in the source tree (a stale build would
 * test an old document). Skipped when the tests do not know where the sources are. */
static void
test_embedded_is_current(void **state)
{
	const char *src = getenv("KIJUN_SOURCE_DIR");
	const struct kj_embedded *e = kj_embedded_find(kj_embedded_docs, "openapi.json");
	char path[4096];
	json_error_t jerr;
	json_t *disk, *built;

	(void)state;
	if (src == NULL || *src == '\0')
		skip();
	assert_non_null(e);
	snprintf(path, sizeof(path), "%s/docs/openapi.json", src);
	disk = json_load_file(path, 0, &jerr);
	if (disk == NULL)
		fail_msg("%s: line %d: %s", path, jerr.line, jerr.text);
	built = json_loadb(e->data, e->len, 0, &jerr);
	assert_non_null(built);
	if (!json_equal(disk, built)) {
		json_decref(disk);
		json_decref(built);
		fail_msg("%s differs from the document built into the binary: rebuild", path);
	}
	json_decref(disk);
	json_decref(built);
}

static void
test_every_route_documented(void **state)
{
	const struct kj_route *r;
	struct problems p = {0};
	json_t *doc, *paths;

	(void)state;
	doc = load_doc();
	paths = json_object_get(doc, "paths");
	for (r = kj_routes; r->method != NULL; r++) {
		char m[16];
		json_t *item = json_object_get(paths, r->pattern), *op;

		lower(r->method, m, sizeof(m));
		if (!json_is_object(item)) {
			problem(&p, "route %s %s: the path is not in the document", r->method, r->pattern);
			continue;
		}
		op = json_object_get(item, m);
		if (!json_is_object(op)) {
			problem(&p, "route %s %s: the path has no \"%s\" operation", r->method, r->pattern, m);
			continue;
		}
		/* Public routes need no login: they say so with an empty security list. */
		if (r->flags & KJ_ROUTE_PUBLIC) {
			json_t *sec = json_object_get(op, "security");

			if (!json_is_array(sec) || json_array_size(sec) != 0)
				problem(&p, "route %s %s is public but its operation lacks \"security\": []", r->method,
					r->pattern);
		} else {
			json_t *sec = json_object_get(op, "security");

			if (json_is_array(sec) && json_array_size(sec) == 0)
				problem(&p, "route %s %s needs a login but is documented with \"security\": []",
					r->method, r->pattern);
		}
		if ((r->flags & KJ_ROUTE_BENCH) != 0 && !json_is_true(json_object_get(op, "x-kijun-bench")))
			problem(&p, "route %s %s exists only with --bench-routes but lacks \"x-kijun-bench\": true",
				r->method, r->pattern);
		if ((r->flags & KJ_ROUTE_BENCH) == 0 && json_object_get(op, "x-kijun-bench") != NULL)
			problem(&p, "route %s %s is not a benchmark route but has \"x-kijun-bench\"", r->method,
				r->pattern);
	}
	json_decref(doc);
	check_problems(&p);
}

static void
test_every_operation_is_a_route(void **state)
{
	struct problems p = {0};
	const char *path, *k;
	json_t *doc, *paths, *item, *op;

	(void)state;
	doc = load_doc();
	paths = json_object_get(doc, "paths");
	json_object_foreach(paths, path, item) {
		int nops = 0;

		json_object_foreach(item, k, op) {
			if (!is_method(k))
				continue;
			nops++;
			if (find_route(path, k) == NULL)
				problem(&p, "documented %s %s: no such route in kj_routes", k, path);
		}
		if (nops == 0)
			problem(&p, "documented path %s has no operation", path);
	}
	json_decref(doc);
	check_problems(&p);
}

static void
test_operation_ids_and_responses(void **state)
{
	struct problems p = {0};
	const char *path, *k;
	json_t *doc, *paths, *item, *op, *seen;

	(void)state;
	doc = load_doc();
	seen = json_object();
	paths = json_object_get(doc, "paths");
	json_object_foreach(paths, path, item) {
		json_object_foreach(item, k, op) {
			const char *id;
			json_t *responses;

			if (!is_method(k))
				continue;
			id = json_string_value(json_object_get(op, "operationId"));
			if (id == NULL || *id == '\0') {
				problem(&p, "%s %s: no operationId", k, path);
			} else if (json_object_get(seen, id) != NULL) {
				problem(&p, "%s %s: operationId \"%s\" is also used by %s", k, path, id,
					json_string_value(json_object_get(seen, id)));
			} else {
				char where[300];

				snprintf(where, sizeof(where), "%s %s", k, path);
				json_object_set_new(seen, id, json_string(where));
			}
			responses = json_object_get(op, "responses");
			if (!json_is_object(responses) || json_object_size(responses) == 0)
				problem(&p, "%s %s: no responses", k, path);
		}
	}
	json_decref(seen);
	json_decref(doc);
	check_problems(&p);
}

static void
test_path_parameters_declared(void **state)
{
	struct problems p = {0};
	const char *path, *k;
	json_t *doc, *paths, *item, *op;

	(void)state;
	doc = load_doc();
	paths = json_object_get(doc, "paths");
	json_object_foreach(paths, path, item) {
		json_t *common = json_object_get(item, "parameters");

		json_object_foreach(item, k, op) {
			const char *s;

			if (!is_method(k))
				continue;
			for (s = strchr(path, '{'); s != NULL; s = strchr(s, '{')) {
				const char *end = strchr(s, '}');
				char name[128];
				size_t n;

				if (end == NULL) {
					problem(&p, "%s: unclosed {", path);
					break;
				}
				n = (size_t)(end - s - 1);
				if (n == 0 || n >= sizeof(name)) {
					problem(&p, "%s: empty or overlong {parameter}", path);
					s = end + 1;
					continue;
				}
				memcpy(name, s + 1, n);
				name[n] = '\0';
				if (!declares_path_param(doc, json_object_get(op, "parameters"), name) &&
				    !declares_path_param(doc, common, name))
					problem(&p, "%s %s: path parameter {%s} is not declared \"in\": \"path\"", k, path,
						name);
				s = end + 1;
			}
		}
	}
	json_decref(doc);
	check_problems(&p);
}

/* The helpers themselves: a missing route is noticed and named. */
static void
test_checker_notices(void **state)
{
	(void)state;
	assert_non_null(find_route("/api/v1/health", "get"));
	assert_null(find_route("/api/v1/health", "post"));
	assert_null(find_route("/api/v1/no-such-thing", "get"));
	assert_true(is_method("patch"));
	assert_false(is_method("parameters"));
	{
		json_t *doc = json_pack("{s:{s:{s:{s:s, s:s}}}}", "components", "parameters", "p", "name", "code", "in",
					"path");
		json_t *params = json_pack("[{s:s}]", "$ref", "#/components/parameters/p");

		assert_true(declares_path_param(doc, params, "code"));
		assert_false(declares_path_param(doc, params, "name"));
		assert_false(declares_path_param(doc, NULL, "code"));
		json_decref(params);
		json_decref(doc);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_document),
		cmocka_unit_test(test_embedded_is_current),
		cmocka_unit_test(test_every_route_documented),
		cmocka_unit_test(test_every_operation_is_a_route),
		cmocka_unit_test(test_operation_ids_and_responses),
		cmocka_unit_test(test_path_parameters_declared),
		cmocka_unit_test(test_checker_notices),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
