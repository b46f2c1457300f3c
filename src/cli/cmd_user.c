/*
 * cmd_user.c: kijun user add|list|show|disable|enable|passwd|engage, on the database or
 * (with --server) through /api/v1/users and /api/v1/engagements. Both modes build the JSON
 * of kj_user_to_json and print from it. passwd sets another account's password, which the
 * API does not offer: it is local only.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "cli.h"
#include "model/access.h"
#include "model/account.h"

/* ---- Printing, the same for both modes ----------------------------------------------- */

static void
print_user_line(json_t *u)
{
	printf("%-24s %-16s %-12s %s%s\n", cli_str(u, "name"), cli_str(u, "role"), cli_str(u, "org"),
	       cli_str(u, "display_name"), json_is_true(json_object_get(u, "disabled")) ? "  (disabled)" : "");
}

/* u (stolen): the new account, with "password" when one was made. */
static int
print_added(int json, json_t *u)
{
	const char *pw = cli_strn(u, "password");

	if (json)
		return cli_print_json_secret(u, "password");
	printf("added %s (%s at %s)\n", cli_str(u, "name"), cli_str(u, "role"), cli_str(u, "org"));
	if (pw != NULL)
		printf("password (shown once): %s\n", pw);
	cli_json_wipe(u, "password");
	json_decref(u);
	return 0;
}

/* a (stolen) */
static int
print_list(int json, json_t *a)
{
	size_t i;
	json_t *u;

	if (json)
		return cli_print_json(a);
	json_array_foreach(a, i, u)
		print_user_line(u);
	json_decref(a);
	return 0;
}

/* u (stolen): after show, disable or enable. */
static int
print_one(int json, json_t *u, const char *what)
{
	if (json)
		return cli_print_json(u);
	if (strcmp(what, "show") != 0)
		printf("%s %s\n", strcmp(what, "disable") == 0 ? "disabled" : "enabled", cli_str(u, "name"));
	else
		print_user_line(u);
	json_decref(u);
	return 0;
}

/* e (stolen): {"id", "user", "org", "from", "to"} of a new engagement. */
static int
print_engagement(int json, json_t *e)
{
	if (json)
		return cli_print_json(e);
	printf("engagement %s: %s may read %s from %s to %s\n", cli_str(e, "id"), cli_str(e, "user"),
	       cli_str(e, "org"), cli_str(e, "from"), cli_str(e, "to"));
	json_decref(e);
	return 0;
}

static int
collect(void *arg, const struct kj_user *u)
{
	return json_array_append_new(arg, kj_user_to_json(u)) != 0;
}

static void
user_path(struct kj_buf *b, const char *name)
{
	kj_buf_init(b, 0);
	kj_buf_puts(b, "/api/v1/users/");
	cli_url_seg(b, name);
}

/* ---- Commands ------------------------------------------------------------------------- */

static int
user_add(struct cli *c, int argc, char **argv)
{
	struct opt opts[] = {{"name", 1, NULL, 0}, {"org", 1, NULL, 0},	 {"role", 1, NULL, 0},
			     {"display-name", 1, NULL, 0}, {"password-stdin", 0, NULL, 0},
			     {"json", 0, NULL, 0}, {NULL, 0, NULL, 0}};
	struct kj_user_new in;
	struct kj_user u;
	const char *pos[1];
	char pw[KJ_MAX_PASSWORD + 2], generated[64];
	json_t *res = NULL;
	int rc;
	kj_err r;

	if (cli_parse(c, argc, argv, opts, pos, 0) < 0)
		return EXIT_USAGE;
	memset(&in, 0, sizeof(in));
	in.name = cli_opt(opts, "name")->val;
	in.org = cli_opt(opts, "org")->val;
	in.role = cli_opt(opts, "role")->val;
	in.display_name = cli_opt(opts, "display-name")->val;
	if (in.name == NULL || in.org == NULL || in.role == NULL)
		return cli_usage(c, "--name, --org and --role are required");
	generated[0] = pw[0] = '\0';
	if (cli_opt(opts, "password-stdin")->set) {
		if (fgets(pw, sizeof(pw), stdin) == NULL)
			return cli_usage(c, "--password-stdin: no password on standard input");
		pw[strcspn(pw, "\r\n")] = '\0';
		in.password = pw;
	}
	if (c->server != NULL) {
		json_t *body = json_object();

		rc = cli_put(c, body, "name", in.name) || cli_put(c, body, "org", in.org) ||
		     cli_put(c, body, "role", in.role) || cli_put(c, body, "display_name", in.display_name) ||
		     cli_put(c, body, "password", in.password);
		if (rc == 0)
			rc = cli_send(c, "POST", "/api/v1/users", body, NULL, &res);
		cli_json_wipe(body, "password");
		json_decref(body);
		sodium_memzero(pw, sizeof(pw));
		if (rc != 0)
			return rc;
		return print_added(cli_opt(opts, "json")->set, res);
	}
	if ((rc = cli_open(c, 0)) != 0)
		return rc;
	r = kj_user_create(&c->ctx, &in, &u, generated, sizeof(generated));
	cli_close(c);
	sodium_memzero(pw, sizeof(pw));
	if (r != KJ_OK)
		return cli_fail(c, r);
	res = kj_user_to_json(&u);
	if (generated[0])
		json_object_set_new(res, "password", json_string(generated));
	sodium_memzero(generated, sizeof(generated));
	return print_added(cli_opt(opts, "json")->set, res);
}

static int
user_list(struct cli *c, int argc, char **argv)
{
	struct opt opts[] = {{"org", 1, NULL, 0}, {"json", 0, NULL, 0}, {NULL, 0, NULL, 0}};
	const char *pos[1];
	json_t *a = NULL;
	int rc;
	kj_err r;

	if (cli_parse(c, argc, argv, opts, pos, 0) < 0)
		return EXIT_USAGE;
	if (c->server != NULL) {
		struct kj_buf p;

		kj_buf_init(&p, 0);
		kj_buf_puts(&p, "/api/v1/users");
		cli_url_query(&p, "org", cli_opt(opts, "org")->val);
		rc = cli_get_all(c, kj_buf_cstr(&p), 0, &a);
		kj_buf_free(&p);
		if (rc != 0)
			return rc;
		return print_list(cli_opt(opts, "json")->set, a);
	}
	if ((rc = cli_open(c, 0)) != 0)
		return rc;
	a = json_array();
	r = kj_user_list(&c->ctx, cli_opt(opts, "org")->val, NULL, 1000000, collect, a);
	cli_close(c);
	if (r != KJ_OK) {
		json_decref(a);
		return cli_fail(c, r);
	}
	return print_list(cli_opt(opts, "json")->set, a);
}

/* show, disable, enable and engage through the API. */
static int
one_remote(struct cli *c, const char *what, const char *name, struct opt *opts, json_t **out)
{
	struct kj_buf p;
	json_t *body, *cur = NULL;
	char etag[64];
	int rc;

	if (strcmp(what, "engage") == 0) {
		body = json_object();
		rc = cli_put(c, body, "user", name) || cli_put(c, body, "org", cli_opt(opts, "org")->val) ||
		     cli_put(c, body, "from", cli_opt(opts, "from")->val) ||
		     cli_put(c, body, "to", cli_opt(opts, "to")->val);
		if (rc == 0)
			rc = cli_send(c, "POST", "/api/v1/engagements", body, NULL, out);
		json_decref(body);
		return rc;
	}
	user_path(&p, name);
	if (strcmp(what, "show") == 0) {
		rc = cli_get(c, kj_buf_cstr(&p), out, NULL);
		kj_buf_free(&p);
		return rc;
	}
	/* disable, enable: with the ETag just read, so a change in between is not overwritten. */
	body = json_pack("{s:b}", "disabled", strcmp(what, "disable") == 0);
	rc = cli_get(c, kj_buf_cstr(&p), &cur, etag);
	json_decref(cur);
	if (rc == 0)
		rc = cli_send(c, "PATCH", kj_buf_cstr(&p), body, etag[0] ? etag : NULL, out);
	json_decref(body);
	kj_buf_free(&p);
	return rc;
}

static int
user_one(struct cli *c, int argc, char **argv, const char *what)
{
	struct opt opts[] = {{"json", 0, NULL, 0}, {"password-stdin", 0, NULL, 0}, {"org", 1, NULL, 0},
			     {"from", 1, NULL, 0}, {"to", 1, NULL, 0}, {NULL, 0, NULL, 0}};
	const char *pos[1];
	struct kj_user u;
	char pw[KJ_MAX_PASSWORD + 2], generated[64], uuid[37];
	json_t *res;
	int rc, json;
	kj_err r;

	if (cli_parse(c, argc, argv, opts, pos, 1) != 1)
		return cli_usage(c, "expected one account name");
	if (strcmp(what, "engage") == 0 &&
	    (!cli_opt(opts, "org")->val || !cli_opt(opts, "from")->val || !cli_opt(opts, "to")->val))
		return cli_usage(c, "--org, --from and --to are required");
	json = cli_opt(opts, "json")->set;
	if (c->server != NULL) {
		if (strcmp(what, "passwd") == 0)
			return cli_local_only(c);
		if ((rc = one_remote(c, what, pos[0], opts, &res)) != 0)
			return rc;
		return strcmp(what, "engage") == 0 ? print_engagement(json, res) : print_one(json, res, what);
	}
	generated[0] = pw[0] = '\0';
	if (strcmp(what, "passwd") == 0) {
		if (cli_opt(opts, "password-stdin")->set) {
			if (fgets(pw, sizeof(pw), stdin) == NULL)
				return cli_usage(c, "--password-stdin: no password on standard input");
			pw[strcspn(pw, "\r\n")] = '\0';
		} else {
			kj_password_generate(generated, sizeof(generated), 20);
		}
	}
	if ((rc = cli_open(c, 0)) != 0)
		return rc;
	if (strcmp(what, "show") == 0)
		r = kj_user_get(&c->ctx, pos[0], &u);
	else if (strcmp(what, "disable") == 0 || strcmp(what, "enable") == 0)
		r = kj_user_update(&c->ctx, pos[0], 0, NULL, NULL, strcmp(what, "disable") == 0, &u);
	else if (strcmp(what, "engage") == 0)
		r = kj_engagement_create(&c->ctx, pos[0], cli_opt(opts, "org")->val, cli_opt(opts, "from")->val,
					 cli_opt(opts, "to")->val, uuid);
	else
		r = kj_user_set_password(&c->ctx, pos[0], NULL, generated[0] ? generated : pw, 0);
	cli_close(c);
	sodium_memzero(pw, sizeof(pw));
	if (r != KJ_OK) {
		sodium_memzero(generated, sizeof(generated));
		return cli_fail(c, r);
	}
	if (strcmp(what, "passwd") == 0) {
		if (generated[0])
			printf("new password for %s (shown once): %s\n", pos[0], generated);
		else
			printf("password of %s changed\n", pos[0]);
		sodium_memzero(generated, sizeof(generated));
		return 0;
	}
	if (strcmp(what, "engage") == 0)
		return print_engagement(json, json_pack("{s:s, s:s, s:s, s:s, s:s}", "id", uuid, "user", pos[0], "org",
							cli_opt(opts, "org")->val, "from", cli_opt(opts, "from")->val,
							"to", cli_opt(opts, "to")->val));
	return print_one(json, kj_user_to_json(&u), what);
}

int
cmd_user(struct cli *c, int argc, char **argv)
{
	static const char *const subs[] = {"add", "list", "show", "disable", "enable", "passwd", "engage", NULL};
	static char cmdname[32];
	int i;

	if (argc < 1)
		return cli_usage(c, "expected add, list, show, disable, enable, passwd or engage");
	for (i = 0; subs[i] != NULL && strcmp(subs[i], argv[0]) != 0; i++)
		;
	if (subs[i] == NULL)
		return cli_usage(c, "unknown subcommand \"%s\"", argv[0]);
	snprintf(cmdname, sizeof(cmdname), "user %s", subs[i]);
	c->cmd = cmdname;
	if (i == 0)
		return user_add(c, argc - 1, argv + 1);
	if (i == 1)
		return user_list(c, argc - 1, argv + 1);
	return user_one(c, argc - 1, argv + 1, subs[i]);
}
