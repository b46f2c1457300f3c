/*
 * cmd_db.c: kijun db migrate|status|backup|restore. Local only: the schema and the files
 * are the database's business, not the API's, so with --server all refuse (exit 2).
 */
#include <string.h>

#include "cli.h"
#include "base/util.h"
#include "db/backup.h"
#include "db/db.h"
#include "db/migrate.h"

extern char **environ;

/* kijun db backup|restore FILE [--force] [--json]. */
static int
db_copy(struct cli *c, int backup, int argc, char **argv)
{
	struct opt opts[] = {{"force", 0, NULL, 0}, {"json", 0, NULL, 0}, {NULL, 0, NULL, 0}};
	const char *pos[1];
	int npos;
	kj_err r;

	c->cmd = backup ? "db backup" : "db restore";
	if ((npos = cli_parse(c, argc, argv, opts, pos, 1)) < 0)
		return EXIT_USAGE;
	if (npos < 1)
		return cli_usage(c, "expected a FILE");
	if (c->server != NULL)
		return cli_local_only(c);
	if (backup)
		r = kj_db_backup(&c->ctx, c->dsn, pos[0], cli_opt(opts, "force")->set, environ);
	else
		r = kj_db_restore(&c->ctx, c->dsn, pos[0], cli_opt(opts, "force")->set, environ);
	if (r != KJ_OK)
		return cli_fail(c, r);
	if (cli_opt(opts, "json")->set)
		return cli_print_json(json_pack("{s:s}", backup ? "backup" : "restored", pos[0]));
	if (backup)
		printf("backed up to %s\n", pos[0]);
	else
		printf("restored from %s; run \"kijun db migrate\" if it is of an older kijun\n", pos[0]);
	return 0;
}

/* kijun db migrate [--to N] [--json]. */
static int
db_migrate(struct cli *c, int argc, char **argv)
{
	struct opt opts[] = {{"json", 0, NULL, 0}, {"to", 1, NULL, 0}, {NULL, 0, NULL, 0}};
	struct kj_migration_status st[64];
	const char *pos[1];
	int64_t to = 0;
	int n, cur, napplied, rc;
	kj_err r;

	c->cmd = "db migrate";
	if (cli_parse(c, argc, argv, opts, pos, 0) < 0)
		return EXIT_USAGE;
	if (c->server != NULL)
		return cli_local_only(c);
	if (cli_opt(opts, "to")->set && kj_parse_int64(cli_opt(opts, "to")->val, 1, 9999, &to) != 0)
		return cli_usage(c, "--to: expected a schema version number");
	if ((rc = cli_open(c, 1)) != 0)
		return rc;
	r = to > 0 ? kj_db_migrate_to(&c->ctx, (int)to, &napplied) : kj_db_migrate(&c->ctx, &napplied);
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

int
cmd_db(struct cli *c, int argc, char **argv)
{
	struct opt opts[] = {{"json", 0, NULL, 0}, {NULL, 0, NULL, 0}};
	struct kj_migration_status st[64];
	const char *pos[1];
	int n, cur, rc, i;
	kj_err r;

	if (argc < 1)
		return cli_usage(c, "expected migrate, status, backup or restore");
	if (strcmp(argv[0], "migrate") == 0)
		return db_migrate(c, argc - 1, argv + 1);
	if (strcmp(argv[0], "backup") == 0 || strcmp(argv[0], "restore") == 0)
		return db_copy(c, argv[0][0] == 'b', argc - 1, argv + 1);
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
	return cli_usage(c, "unknown subcommand \"%s\" (expected migrate, status, backup or restore)", argv[0]);
}
