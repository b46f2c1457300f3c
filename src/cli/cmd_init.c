/*
 * cmd_init.c: kijun init [--demo [--demo-parts LIST]]: create (or bring up to date) a
 * database, and with --demo fill it with the demo built into the binary: the government,
 * the two demo editions of the standard, and the activity (accounts for every role with
 * passwords made now, policies, two fiscal years of self-inspection and of audits).
 * --demo-parts picks some of government, standard, activity. Local only: with --server it
 * refuses (exit 2).
 */
#include <string.h>

#include "base/embedded.h"
#include "cli.h"
#include "db/db.h"
#include "db/migrate.h"
#include "formats/catalog.h"
#include "formats/demo.h"
#include "formats/government.h"

static kj_err
has_data(struct kj_ctx *ctx, int *yes)
{
	struct kj_stmt *st = NULL;
	int row;
	kj_err r;

	r = kj_db_prepare(ctx, "SELECT (SELECT COUNT(*) FROM org) + (SELECT COUNT(*) FROM edition)", &st);
	if (r == KJ_OK)
		r = kj_stmt_step(ctx, st, &row);
	if (r == KJ_OK)
		*yes = row && kj_stmt_int(st, 0) > 0;
	kj_stmt_free(st);
	return r;
}

int
cmd_init(struct cli *c, int argc, char **argv)
{
	struct opt opts[] = {{"demo", 0, NULL, 0}, {"demo-parts", 1, NULL, 0}, {"json", 0, NULL, 0}, {NULL, 0, NULL, 0}};
	json_t *accounts = NULL;
	int want_gov = 1, want_std = 1, want_act = 1;
	static const char *const demo_editions[] = {"standard-fy2023.json", "standard-fy2025.json", NULL};
	const char *pos[1];
	size_t norgs = 0, nitems = 0, n;
	int napplied = 0, rc, any = 0, i;
	kj_err r;

	if (cli_parse(c, argc, argv, opts, pos, 0) < 0)
		return EXIT_USAGE;
	if (c->server != NULL)
		return cli_local_only(c);
	if (cli_opt(opts, "demo-parts")->val != NULL) {
		char parts[128], *p, *save = NULL;

		if (!cli_opt(opts, "demo")->set)
			return cli_usage(c, "--demo-parts goes with --demo");
		want_gov = want_std = want_act = 0;
		snprintf(parts, sizeof(parts), "%s", cli_opt(opts, "demo-parts")->val);
		for (p = strtok_r(parts, ",", &save); p != NULL; p = strtok_r(NULL, ",", &save)) {
			if (strcmp(p, "government") == 0)
				want_gov = 1;
			else if (strcmp(p, "standard") == 0)
				want_std = 1;
			else if (strcmp(p, "activity") == 0)
				want_act = 1;
			else
				return cli_usage(c, "--demo-parts: \"%s\" is not one of government, standard, activity", p);
		}
		if (want_act && !(want_gov && want_std))
			return cli_usage(c, "--demo-parts: activity needs government and standard");
	}
	if ((rc = cli_open(c, 1)) != 0)
		return rc;
	if ((r = kj_db_migrate(&c->ctx, &napplied)) != KJ_OK)
		goto fail;
	if (cli_opt(opts, "demo")->set) {
		const struct kj_embedded *gov = kj_embedded_find(kj_embedded_demo, "government.json");

		if ((r = has_data(&c->ctx, &any)) != KJ_OK)
			goto fail;
		if (any) {
			cli_close(c);
			fprintf(stderr, "kijun init: %s already holds data; the demo needs an empty database\n",
				c->dsn);
			return 1;
		}
		/* One transaction: the demo is loaded whole or not at all. */
		if ((r = kj_tx_begin(&c->ctx)) != KJ_OK)
			goto fail;
		if (want_gov)
			r = kj_government_import_mem(&c->ctx, "demo/government.json", gov->data, gov->len, &norgs);
		for (i = 0; want_std && r == KJ_OK && demo_editions[i] != NULL; i++) {
			const struct kj_embedded *e = kj_embedded_find(kj_embedded_demo, demo_editions[i]);

			r = kj_standard_import_mem(&c->ctx, e->name, e->data, e->len, NULL, NULL, 0, &n);
			nitems += n;
		}
		if (r == KJ_OK && want_act)
			r = kj_demo_populate(&c->ctx, &accounts);
		if ((r = kj_tx_end(&c->ctx, r)) != KJ_OK) {
			json_decref(accounts);
			goto fail;
		}
	}
	cli_close(c);
	if (cli_opt(opts, "json")->set)
		return cli_print_json(json_pack("{s:s, s:i, s:I, s:I, s:o}", "database", c->dsn, "migrations",
						napplied, "organisations", (json_int_t)norgs, "items",
						(json_int_t)nitems, "accounts", accounts ? accounts : json_array()));
	printf("initialised %s (%d migration(s) applied)\n", c->dsn, napplied);
	if (cli_opt(opts, "demo")->set)
		printf("demo: %zu organisations, %d edition(s) of the standard with %zu items\n", norgs, want_std ? 2 : 0,
		       nitems);
	if (accounts != NULL) {
		json_t *a;
		size_t k;

		printf("demo accounts (passwords made for this database, shown once):\n");
		json_array_foreach(accounts, k, a)
			printf("  %-16s %-18s %-10s %s\n", json_string_value(json_object_get(a, "name")),
			       json_string_value(json_object_get(a, "role")), json_string_value(json_object_get(a, "org")),
			       json_string_value(json_object_get(a, "password")));
		json_decref(accounts);
	}
	return 0;
fail:
	rc = cli_fail(c, r);
	cli_close(c);
	return rc;
}
