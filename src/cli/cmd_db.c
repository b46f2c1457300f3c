/*
 * cmd_db.c: kijun db migrate|status. Local only: the schema is the database's business,
 * not the API's, so with --server both refuse (exit 2).
 */
#include <string.h>

#include "cli.h"
#include "db/db.h"
#include "db/migrate.h"

int
cmd_db(struct cli *c, int argc, char **argv)
{
	struct opt opts[] = {{"json", 0, NULL, 0}, {NULL, 0, NULL, 0}};
	struct kj_migration_status st[64];
	const char *pos[1];
	int n, cur, napplied, rc, i;
	kj_err r;

	if (argc < 1)
		return cli_usage(c, "expected migrate or status");
	if (strcmp(argv[0], "migrate") == 0) {
		c->cmd = "db migrate";
		if (cli_parse(c, argc - 1, argv + 1, opts, pos, 0) < 0)
			return EXIT_USAGE;
		if (c->server != NULL)
			return cli_local_only(c);
		if ((rc = cli_open(c, 1)) != 0)
			return rc;
		r = kj_db_migrate(&c->ctx, &napplied);
		if (r == KJ_OK)
			r = kj_db_status(&c->ctx, st, 64, &n, &cur);
		cli_close(c);
		if (r != KJ_OK)
			return cli_fail(c, r);
		if (cli_opt(opts, "json")->set)
			return cli_print_json(json_pack("{s:i, s:i}", "applied", napplied, "version", cur));
		printf("%d migration(s) applied; schema version %d\n", napplied, cur);
		return 0;
	}
	if (strcmp(argv[0], "status") == 0) {
		c->cmd = "db status";
		if (cli_parse(c, argc - 1, argv + 1, opts, pos, 0) < 0)
			return EXIT_USAGE;
		if (c->server != NULL)
			return cli_local_only(c);
		if ((rc = cli_open(c, 1)) != 0)
			return rc;
		r = kj_db_status(&c->ctx, st, 64, &n, &cur);
		cli_close(c);
		if (r != KJ_OK)
			return cli_fail(c, r);
		if (cli_opt(opts, "json")->set) {
			json_t *a = json_array();
			int pending = 0;

			for (i = 0; i < n; i++) {
				json_array_append_new(a, json_pack("{s:i, s:s, s:b, s:s?}", "version", st[i].version,
								   "name", st[i].name, "applied", st[i].applied,
								   "applied_at",
								   st[i].applied ? st[i].applied_at : NULL));
				pending += !st[i].applied;
			}
			return cli_print_json(json_pack("{s:s, s:i, s:i, s:o}", "database", c->dsn, "version",
							cur, "pending", pending, "migrations", a));
		}
		printf("database: %s\nschema version: %d\n", c->dsn, cur);
		for (i = 0; i < n; i++)
			printf("  %04d %-32s %s\n", st[i].version, st[i].name,
			       st[i].applied ? st[i].applied_at : "pending");
		return 0;
	}
	return cli_usage(c, "unknown subcommand \"%s\" (expected migrate or status)", argv[0]);
}
