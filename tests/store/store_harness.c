/*
 * store_harness.c: the scaffolding the database suites share (see store_harness.h): the
 * backend from argv[1], a fresh migrated database per test, the demo data, and the small
 * helpers the tests call throughout.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "base/embedded.h"
#include "base/util.h"
#include "db/db.h"
#include "db/migrate.h"
#include "formats/catalog.h"
#include "formats/government.h"
#include "model/account.h"

#include "store_harness.h"

static const struct harness_suite *suite;
static const char *backend;
/* The database the tests open, and on PostgreSQL the one given (without the schema). */
static char dsn[1024];
static char base_dsn[1024];
static char tmpdir[256];

/* Drops the suite's PostgreSQL schema with everything in it and makes it again, empty. */
static int
reset_schema(void)
{
	const char *schema = suite->schema ? suite->schema : "public";
	struct kj_ctx c;
	struct kj_db *db;
	char sql[256];
	int rc = 0;

	snprintf(sql, sizeof(sql), "DROP SCHEMA IF EXISTS %s CASCADE; CREATE SCHEMA %s", schema, schema);
	kj_ctx_init(&c);
	if (kj_db_open(&c, base_dsn, &db) != KJ_OK || kj_db_exec(&c, sql) != KJ_OK) {
		fprintf(stderr, "%s\n", c.msg);
		rc = -1;
	}
	kj_db_close(c.db);
	return rc;
}

int
harness_fresh_db(struct kj_ctx *ctx)
{
	struct kj_db *db;

	if (strcmp(backend, "sqlite") == 0) {
		static int n;

		snprintf(dsn, sizeof(dsn), "sqlite:%s/%s-%d.db", tmpdir, suite->tmp, ++n);
	} else if (reset_schema() != 0) {
		return -1;
	}
	if (kj_db_open(ctx, dsn, &db) != KJ_OK || kj_db_migrate(ctx, NULL) != KJ_OK) {
		fprintf(stderr, "setup: %s\n", ctx->msg);
		kj_db_close(ctx->db);
		ctx->db = NULL;
		return -1;
	}
	return 0;
}

int
harness_load_demo(struct kj_ctx *ctx)
{
	static const char *const eds[] = {"standard-fy2023.json", "standard-fy2025.json", NULL};
	const struct kj_embedded *e;
	int i;

	e = kj_embedded_find(kj_embedded_demo, "government.json");
	if (kj_government_import_mem(ctx, "government.json", e->data, e->len, NULL) != KJ_OK)
		return -1;
	for (i = 0; eds[i] != NULL; i++) {
		e = kj_embedded_find(kj_embedded_demo, eds[i]);
		if (kj_standard_import_mem(ctx, e->name, e->data, e->len, NULL, NULL, 0, NULL) != KJ_OK)
			return -1;
	}
	return 0;
}

int
harness_setup(void **state)
{
	struct kj_ctx *ctx = malloc(sizeof(*ctx));

	if (ctx == NULL)
		return -1;
	kj_ctx_init(ctx);
	if (harness_fresh_db(ctx) != 0) {
		free(ctx);
		return -1;
	}
	*state = ctx;
	return 0;
}

int
harness_setup_demo(void **state)
{
	struct kj_ctx *ctx;

	if (harness_setup(state) != 0)
		return -1;
	ctx = *state;
	if (harness_load_demo(ctx) != 0) {
		fprintf(stderr, "setup: %s\n", ctx->msg);
		harness_teardown(state);
		return -1;
	}
	return 0;
}

int
harness_teardown(void **state)
{
	struct kj_ctx *ctx = *state;

	kj_db_close(ctx->db);
	free(ctx);
	*state = NULL;
	return 0;
}

void
ok(struct kj_ctx *ctx, kj_err r, const char *what)
{
	if (r != KJ_OK)
		fail_msg("%s: %s", what, ctx->msg);
}

int64_t
count(struct kj_ctx *ctx, const char *sql)
{
	struct kj_stmt *st = NULL;
	int row = 0;
	int64_t n;

	if (kj_db_prepare(ctx, sql, &st) != KJ_OK || kj_stmt_step(ctx, st, &row) != KJ_OK) {
		kj_stmt_free(st);
		fail_msg("%s: %s", sql, ctx->msg);
	}
	if (!row) {
		kj_stmt_free(st);
		fail_msg("%s: no row", sql);
	}
	n = kj_stmt_int(st, 0);
	kj_stmt_free(st);
	return n;
}

int64_t
org_id(struct kj_ctx *ctx, const char *code)
{
	struct kj_stmt *st = NULL;
	int row;
	int64_t id = 0;

	if (kj_db_prepare(ctx, "SELECT id FROM org WHERE code = ? AND valid_to IS NULL", &st) == KJ_OK &&
	    kj_stmt_bind_text(ctx, st, 1, code) == KJ_OK && kj_stmt_step(ctx, st, &row) == KJ_OK && row)
		id = kj_stmt_int(st, 0);
	kj_stmt_free(st);
	return id;
}

int
harness_main(int argc, char **argv, const struct harness_suite *s, const struct CMUnitTest *tests, size_t ntests)
{
	struct CMUnitTest *run;
	char group[64];
	size_t i;
	int rc;

	if (sodium_init() < 0)
		return 1;
	suite = s;
	backend = argc > 1 ? argv[1] : "sqlite";
	if (strcmp(backend, "postgresql") == 0) {
		const char *d = getenv("KIJUN_TEST_PG_DSN");

		if (d == NULL || *d == '\0') {
			const char *req = getenv("KIJUN_REQUIRE_PG");

			fprintf(stderr, "%s on postgresql: KIJUN_TEST_PG_DSN is not set%s\n", suite->name,
				req && *req == '1' ? "" : " (skipped)");
			return req && *req == '1' ? 1 : 0;
		}
		kj_strlcpy(base_dsn, d, sizeof(base_dsn));
		/* A schema of its own keeps the suites apart in the one database. */
		if (suite->schema != NULL)
			snprintf(dsn, sizeof(dsn), "%s?options=-csearch_path%%3D%s", d, suite->schema);
		else
			kj_strlcpy(dsn, d, sizeof(dsn));
	} else {
		snprintf(tmpdir, sizeof(tmpdir), "/tmp/kijun-%s.XXXXXX", suite->tmp);
		if (mkdtemp(tmpdir) == NULL)
			return 1;
	}
	snprintf(group, sizeof(group), "%s on %s", suite->name, backend);
	/* The tests, each between the suite's setup and harness_teardown. */
	run = calloc(ntests, sizeof(*run));
	rc = 1;
	if (run != NULL) {
		for (i = 0; i < ntests; i++) {
			run[i] = tests[i];
			run[i].setup_func = suite->setup;
			run[i].teardown_func = harness_teardown;
		}
		rc = _cmocka_run_group_tests(group, run, ntests, NULL, NULL);
		free(run);
	}
	if (tmpdir[0] != '\0') {
		char cmd[512];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", tmpdir);
	}
	return rc;
}

int
harness_people_create(struct kj_ctx *ctx, const struct harness_person *people, int64_t *ids, size_t n)
{
	struct kj_user u;
	size_t i;

	for (i = 0; i < n; i++) {
		struct kj_user_new in = {.name = people[i].name, .org = people[i].org, .role = people[i].role,
					 .password = "a long enough password"};

		if (kj_user_create(ctx, &in, &u, NULL, 0) != KJ_OK)
			return -1;
		ids[i] = u.id;
	}
	return 0;
}

void
harness_act(struct kj_ctx *ctx, const struct harness_person *people, const int64_t *ids, int who)
{
	memset(&ctx->who, 0, sizeof(ctx->who));
	if (who < 0) {
		ctx->who.role = KJ_ROLE_LOCAL_ADMIN;
		kj_strlcpy(ctx->who.name, "local", sizeof(ctx->who.name));
		return;
	}
	ctx->who.user_id = ids[who];
	ctx->who.role = people[who].r;
	ctx->who.org_id = org_id(ctx, people[who].org);
	kj_strlcpy(ctx->who.name, people[who].name, sizeof(ctx->who.name));
}

void
harness_refused_at(struct kj_ctx *ctx, kj_err r, kj_err want, const char *what, int line)
{
	if (r != want)
		fail_msg("line %d: expected %s, got %s: %s", line, kj_err_name(want), kj_err_name(r), ctx->msg);
	if (what != NULL && strstr(ctx->msg, what) == NULL)
		fail_msg("line %d: message \"%s\" does not say \"%s\"", line, ctx->msg, what);
}
