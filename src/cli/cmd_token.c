/*
 * cmd_token.c: kijun token create|list|revoke, on the database or (with --server) through
 * /api/v1/tokens. Both modes build the JSON of kj_token_to_json and print from it.
 * `token create` prints the token as the last word of its last line, which scripts rely
 * on.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "base/util.h"
#include "cli.h"
#include "model/account.h"

/* ---- Printing, the same for both modes ----------------------------------------------- */

/* t (stolen): the new token, its secret under "token". */
static int
print_created(int json, json_t *t)
{
	if (json)
		return cli_print_json_secret(t, "token");
	printf("token %s for %s (%s, expires %s); shown once:\n", cli_str(t, "id"), cli_str(t, "user"),
	       cli_str(t, "scope"), cli_str(t, "expires_at"));
	printf("%s\n", cli_str(t, "token"));
	cli_json_wipe(t, "token");
	json_decref(t);
	return 0;
}

/* a (stolen) */
static int
print_list(int json, json_t *a)
{
	size_t i;
	json_t *t;

	if (json)
		return cli_print_json(a);
	json_array_foreach(a, i, t)
		printf("%s  %-12s %-16s %-5s expires %s%s%s\n", cli_str(t, "id"), cli_str(t, "prefix"),
		       cli_str(t, "user"), cli_str(t, "scope"), cli_str(t, "expires_at"),
		       cli_str(t, "revoked_at")[0] ? "  revoked " : "", cli_str(t, "revoked_at"));
	json_decref(a);
	return 0;
}

/* r (stolen): {"id", "revoked"} */
static int
print_revoked(int json, json_t *r)
{
	if (json)
		return cli_print_json(r);
	printf("revoked %s\n", cli_str(r, "id"));
	json_decref(r);
	return 0;
}

static int
collect(void *arg, const struct kj_token *t)
{
	return json_array_append_new(arg, kj_token_to_json(t)) != 0;
}

/* ---- Commands ------------------------------------------------------------------------- */

static int
token_create(struct cli *c, struct opt *opts)
{
	const char *user = cli_opt(opts, "user")->val, *name = cli_opt(opts, "name")->val;
	const char *scope = cli_opt(opts, "scope")->val;
	struct kj_token t;
	int64_t days = 90;
	json_t *res = NULL;
	int rc;
	kj_err r;

	if (cli_opt(opts, "days")->val && kj_parse_int64(cli_opt(opts, "days")->val, 1, 366, &days) != 0)
		return cli_usage(c, "--days: expected 1 to 366");
	if (c->server != NULL) {
		json_t *body = json_object();

		rc = cli_put(c, body, "user", user) || cli_put(c, body, "name", name) || cli_put(c, body, "scope", scope);
		if (rc == 0 && cli_opt(opts, "days")->val != NULL)
			json_object_set_new(body, "days", json_integer((json_int_t)days));
		if (rc == 0)
			rc = cli_send(c, "POST", "/api/v1/tokens", body, NULL, &res);
		json_decref(body);
		if (rc != 0)
			return rc;
		return print_created(cli_opt(opts, "json")->set, res);
	}
	if ((rc = cli_open(c, 0)) != 0)
		return rc;
	r = kj_token_create(&c->ctx, user, name, scope, (int)days, &t);
	cli_close(c);
	if (r != KJ_OK)
		return cli_fail(c, r);
	res = kj_token_to_json(&t);
	sodium_memzero(&t, sizeof(t));
	return print_created(cli_opt(opts, "json")->set, res);
}

static int
token_list(struct cli *c, struct opt *opts)
{
	json_t *a = NULL;
	int rc;
	kj_err r;

	if (c->server != NULL) {
		struct kj_buf p;

		kj_buf_init(&p, 0);
		kj_buf_puts(&p, "/api/v1/tokens");
		cli_url_query(&p, "user", cli_opt(opts, "user")->val);
		rc = cli_get_all(c, kj_buf_cstr(&p), 0, &a);
		kj_buf_free(&p);
		if (rc != 0)
			return rc;
		return print_list(cli_opt(opts, "json")->set, a);
	}
	if ((rc = cli_open(c, 0)) != 0)
		return rc;
	a = json_array();
	r = kj_token_list(&c->ctx, cli_opt(opts, "user")->val, collect, a);
	cli_close(c);
	if (r != KJ_OK) {
		json_decref(a);
		return cli_fail(c, r);
	}
	return print_list(cli_opt(opts, "json")->set, a);
}

static int
token_revoke(struct cli *c, struct opt *opts, const char *id)
{
	json_t *res = NULL;
	int rc;
	kj_err r;

	if (c->server != NULL) {
		struct kj_buf p;

		kj_buf_init(&p, 0);
		kj_buf_puts(&p, "/api/v1/tokens/");
		cli_url_seg(&p, id);
		rc = cli_send(c, "DELETE", kj_buf_cstr(&p), NULL, NULL, &res);
		kj_buf_free(&p);
		if (rc != 0)
			return rc;
		return print_revoked(cli_opt(opts, "json")->set, res);
	}
	if ((rc = cli_open(c, 0)) != 0)
		return rc;
	r = kj_token_revoke(&c->ctx, id);
	cli_close(c);
	if (r != KJ_OK)
		return cli_fail(c, r);
	return print_revoked(cli_opt(opts, "json")->set, json_pack("{s:s, s:b}", "id", id, "revoked", 1));
}

int
cmd_token(struct cli *c, int argc, char **argv)
{
	struct opt opts[] = {{"user", 1, NULL, 0}, {"name", 1, NULL, 0}, {"scope", 1, NULL, 0},
			     {"days", 1, NULL, 0}, {"json", 0, NULL, 0}, {NULL, 0, NULL, 0}};
	const char *pos[1];
	int n;

	if (argc < 1)
		return cli_usage(c, "expected create, list or revoke");
	if (strcmp(argv[0], "create") == 0) {
		c->cmd = "token create";
		if (cli_parse(c, argc - 1, argv + 1, opts, pos, 0) < 0)
			return EXIT_USAGE;
		return token_create(c, opts);
	}
	if (strcmp(argv[0], "list") == 0) {
		c->cmd = "token list";
		if (cli_parse(c, argc - 1, argv + 1, opts, pos, 0) < 0)
			return EXIT_USAGE;
		return token_list(c, opts);
	}
	if (strcmp(argv[0], "revoke") == 0) {
		c->cmd = "token revoke";
		if ((n = cli_parse(c, argc - 1, argv + 1, opts, pos, 1)) != 1)
			return n < 0 ? EXIT_USAGE : cli_usage(c, "expected the token's id");
		return token_revoke(c, opts, pos[0]);
	}
	return cli_usage(c, "unknown subcommand \"%s\" (expected create, list or revoke)", argv[0]);
}
