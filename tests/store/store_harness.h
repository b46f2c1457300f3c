/*
 * store_harness.h: the scaffolding the database suites (test_store, test_inspection,
 * test_audit, test_plan, ...) share. harness_main picks the backend from argv[1], gives each test a fresh,
 * migrated database (a new SQLite file, or the suite's own PostgreSQL schema dropped and made
 * again) and runs the cmocka group; the helpers below are what the tests call throughout.
 */
#ifndef KIJUN_TESTS_STORE_HARNESS_H
#define KIJUN_TESTS_STORE_HARNESS_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

struct CMUnitTest;

/* What sets one suite apart from the others. */
struct harness_suite {
	/* Names the cmocka group ("<name> on sqlite") and the skip message. */
	const char *name;
	/* The PostgreSQL schema of the suite, which the DSN's search_path selects; NULL for the
	 * default public schema, with the DSN as given. */
	const char *schema;
	/* Names the temporary directory (/tmp/kijun-<tmp>.XXXXXX) and its SQLite files
	 * (<tmp>-N.db). */
	const char *tmp;
	/* The setup of every test (harness_setup, harness_setup_demo or the suite's own); the
	 * teardown is harness_teardown. */
	int (*setup)(void **state);
};

/*
 * The whole of a suite's main: runs tests (cmocka_unit_test entries) with the suite's setup
 * and harness_teardown. argv[1] is "sqlite" (the default) or "postgresql". Without
 * KIJUN_TEST_PG_DSN the PostgreSQL run is skipped (0), or fails (1) when KIJUN_REQUIRE_PG is
 * 1. Returns cmocka's result.
 */
int harness_main(int argc, char **argv, const struct harness_suite *suite, const struct CMUnitTest *tests,
		 size_t ntests);

/* Opens a fresh, migrated database on ctx (ctx->db). 0, or -1 with the reason on stderr. */
int harness_fresh_db(struct kj_ctx *ctx);
/* Loads the embedded demo government and the FY2023 and FY2025 editions. 0, or -1 with the
 * reason in ctx->msg. */
int harness_load_demo(struct kj_ctx *ctx);

/* cmocka setups: *state becomes a context on a fresh database, with the demo data or not. */
int harness_setup(void **state);
int harness_setup_demo(void **state);
/* The teardown of every test: closes the database and frees the context. */
int harness_teardown(void **state);

/* Fails the test with ctx->msg unless r is KJ_OK; what says what was being done. */
void ok(struct kj_ctx *ctx, kj_err r, const char *what);
/* The integer in the first column of the first row of sql; the test fails without one. */
int64_t count(struct kj_ctx *ctx, const char *sql);
/* The id of the current organisation with the code, 0 if there is none. */
int64_t org_id(struct kj_ctx *ctx, const char *code);

/* One account of a suite's cast of people. */
struct harness_person {
	const char *name, *org, *role;	/* the account, its organisation's code, its role's name */
	enum kj_role r;			/* the same role as the principal carries it */
};
/* Makes the n accounts of people (all with one password) and writes their ids to ids. 0, or
 * -1 with the reason in ctx->msg. */
int harness_people_create(struct kj_ctx *ctx, const struct harness_person *people, int64_t *ids, size_t n);
/* Acts as people[who] from now on; as the local administrator when who is negative. */
void harness_act(struct kj_ctx *ctx, const struct harness_person *people, const int64_t *ids, int who);
/* Fails the test unless r is the refusal want and (when what is not NULL) the message says
 * what; line is the caller's (see refused). */
void harness_refused_at(struct kj_ctx *ctx, kj_err r, kj_err want, const char *what, int line);
#define refused(ctx, r, want, what) harness_refused_at((ctx), (r), (want), (what), __LINE__)

#endif
