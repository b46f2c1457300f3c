/*
 * cmd_user.c: kijun user add|list|show|disable|enable|passwd|engage.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "cli.h"
#include "model/access.h"
#include "model/account.h"

static int
print_user(void *arg, const struct kj_user *u)
{
	json_t *a = arg;

	if (a != NULL)
		return json_array_append_new(a, kj_user_to_json(u)) != 0;
	printf("%-24s %-16s %-12s %s%s\n", u->name, kj_role_name(u->role), u->org_code, u->display_name,
	       u->disabled ? "  (disabled)" : "");
	return 0;
}

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
	generated[0] = '\0';
	if (cli_opt(opts, "password-stdin")->set) {
		if (fgets(pw, sizeof(pw), stdin) == NULL)
			return cli_usage(c, "--password-stdin: no password on standard input");
		pw[strcspn(pw, "\r\n")] = '\0';
		in.password = pw;
	}
	if ((rc = cli_open(c, 0)) != 0)
		return rc;
	r = kj_user_create(&c->ctx, &in, &u, generated, sizeof(generated));
	cli_close(c);
	sodium_memzero(pw, sizeof(pw));
	if (r != KJ_OK)
		return cli_fail(c, r);
	if (cli_opt(opts, "json")->set) {
		json_t *j = kj_user_to_json(&u);

		if (generated[0])
			json_object_set_new(j, "password", json_string(generated));
		rc = cli_print_json(j);
	} else {
		printf("added %s (%s at %s)\n", u.name, kj_role_name(u.role), u.org_code);
		if (generated[0])
			printf("password (shown once): %s\n", generated);
	}
	sodium_memzero(generated, sizeof(generated));
	return rc;
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
	if ((rc = cli_open(c, 0)) != 0)
		return rc;
	if (cli_opt(opts, "json")->set)
		a = json_array();
	r = kj_user_list(&c->ctx, cli_opt(opts, "org")->val, NULL, 1000000, print_user, a);
	cli_close(c);
	if (r != KJ_OK) {
		json_decref(a);
		return cli_fail(c, r);
	}
	return a != NULL ? cli_print_json(a) : 0;
}

static int
user_one(struct cli *c, int argc, char **argv, const char *what)
{
	struct opt opts[] = {{"json", 0, NULL, 0}, {"password-stdin", 0, NULL, 0}, {"org", 1, NULL, 0},
			     {"from", 1, NULL, 0}, {"to", 1, NULL, 0}, {NULL, 0, NULL, 0}};
	const char *pos[1];
	struct kj_user u;
	char pw[KJ_MAX_PASSWORD + 2], generated[64], uuid[37];
	int rc;
	kj_err r;

	if (cli_parse(c, argc, argv, opts, pos, 1) != 1)
		return cli_usage(c, "expected one account name");
	if (strcmp(what, "engage") == 0 &&
	    (!cli_opt(opts, "org")->val || !cli_opt(opts, "from")->val || !cli_opt(opts, "to")->val))
		return cli_usage(c, "--org, --from and --to are required");
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
	if (strcmp(what, "engage") == 0) {
		printf("engagement %s: %s may read %s from %s to %s\n", uuid, pos[0], cli_opt(opts, "org")->val,
		       cli_opt(opts, "from")->val, cli_opt(opts, "to")->val);
		return 0;
	}
	if (cli_opt(opts, "json")->set)
		return cli_print_json(kj_user_to_json(&u));
	if (strcmp(what, "show") != 0)
		printf("%s %s\n", strcmp(what, "disable") == 0 ? "disabled" : "enabled", u.name);
	else
		print_user(NULL, &u);
	return 0;
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
