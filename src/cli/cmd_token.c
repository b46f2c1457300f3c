/*
 * cmd_token.c: kijun token create|list|revoke. `token create` prints the token as the
 * last word of its last line, which scripts rely on.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "base/util.h"
#include "cli.h"
#include "model/account.h"

static int
print_token(void *arg, const struct kj_token *t)
{
	json_t *a = arg;

	if (a != NULL)
		return json_array_append_new(a, kj_token_to_json(t)) != 0;
	printf("%s  %-12s %-16s %-5s expires %s%s%s\n", t->uuid, t->prefix, t->user, t->scope, t->expires_at,
	       t->revoked_at[0] ? "  revoked " : "", t->revoked_at);
	return 0;
}

int
cmd_token(struct cli *c, int argc, char **argv)
{
	struct opt opts[] = {{"user", 1, NULL, 0}, {"name", 1, NULL, 0}, {"scope", 1, NULL, 0},
			     {"days", 1, NULL, 0}, {"json", 0, NULL, 0}, {NULL, 0, NULL, 0}};
	const char *pos[1];
	int rc, n;
	kj_err r;

	if (argc < 1)
		return cli_usage(c, "expected create, list or revoke");
	if (strcmp(argv[0], "create") == 0) {
		struct kj_token t;
		int64_t days = 90;

		c->cmd = "token create";
		if (cli_parse(c, argc - 1, argv + 1, opts, pos, 0) < 0)
			return EXIT_USAGE;
		if (cli_opt(opts, "days")->val && kj_parse_int64(cli_opt(opts, "days")->val, 1, 366, &days) != 0)
			return cli_usage(c, "--days: expected 1 to 366");
		if ((rc = cli_open(c, 0)) != 0)
			return rc;
		r = kj_token_create(&c->ctx, cli_opt(opts, "user")->val, cli_opt(opts, "name")->val,
				    cli_opt(opts, "scope")->val, (int)days, &t);
		cli_close(c);
		if (r != KJ_OK)
			return cli_fail(c, r);
		if (cli_opt(opts, "json")->set) {
			rc = cli_print_json(kj_token_to_json(&t));
		} else {
			printf("token %s for %s (%s, expires %s); shown once:\n", t.uuid, t.user, t.scope, t.expires_at);
			printf("%s\n", t.secret);
			rc = 0;
		}
		sodium_memzero(&t, sizeof(t));
		return rc;
	}
	if (strcmp(argv[0], "list") == 0) {
		json_t *a = NULL;

		c->cmd = "token list";
		if (cli_parse(c, argc - 1, argv + 1, opts, pos, 0) < 0)
			return EXIT_USAGE;
		if ((rc = cli_open(c, 0)) != 0)
			return rc;
		if (cli_opt(opts, "json")->set)
			a = json_array();
		r = kj_token_list(&c->ctx, cli_opt(opts, "user")->val, print_token, a);
		cli_close(c);
		if (r != KJ_OK) {
			json_decref(a);
			return cli_fail(c, r);
		}
		return a != NULL ? cli_print_json(a) : 0;
	}
	if (strcmp(argv[0], "revoke") == 0) {
		c->cmd = "token revoke";
		if ((n = cli_parse(c, argc - 1, argv + 1, opts, pos, 1)) != 1)
			return n < 0 ? EXIT_USAGE : cli_usage(c, "expected the token's id");
		if ((rc = cli_open(c, 0)) != 0)
			return rc;
		r = kj_token_revoke(&c->ctx, pos[0]);
		cli_close(c);
		if (r != KJ_OK)
			return cli_fail(c, r);
		printf("revoked %s\n", pos[0]);
		return 0;
	}
	return cli_usage(c, "unknown subcommand \"%s\" (expected create, list or revoke)", argv[0]);
}
