/*
 * cmd_org.c: kijun org add|list|show|move|rename|abolish, on the database or (with
 * --server) through /api/v1/orgs. Both modes build the JSON of kj_org_to_json (plus depth
 * in listings, path and history in show) and print from it.
 */
#include <stdlib.h>
#include <string.h>

#include "base/limits.h"
#include "cli.h"
#include "model/org.h"

/* ---- Printing, the same for both modes ----------------------------------------------- */

static void
print_org_line(json_t *o, int depth)
{
	const char *sup = cli_str(o, "supervisor"), *valid_to = cli_str(o, "valid_to");
	int show_sup = sup[0] != '\0' && cli_str(o, "parent")[0] == '\0';
	int width = 24 - depth * 2 > 8 ? 24 - depth * 2 : 8;

	printf("%*s%-*s %-11s %s / %s%s%s%s\n", depth * 2, "", width, cli_str(o, "code"), cli_str(o, "kind"),
	       cli_str(o, "name_ja"), cli_str(o, "name_en"), show_sup ? "  (supervised by " : "", show_sup ? sup : "",
	       show_sup ? ")" : "");
	if (valid_to[0] != '\0')
		printf("%*s%-*s (abolished %s%s%s)\n", depth * 2, "", width, "", valid_to,
		       cli_str(o, "successor")[0] ? "; succeeded by " : "", cli_str(o, "successor"));
}

/* o (stolen): the organisation after add, rename, move or abolish. */
static int
print_result(int json, json_t *o, const char *verb)
{
	if (json)
		return cli_print_json(o);
	printf("%s %s (%s): %s / %s\n", verb, cli_str(o, "code"), cli_str(o, "kind"), cli_str(o, "name_ja"),
	       cli_str(o, "name_en"));
	json_decref(o);
	return 0;
}

/* a (stolen): the listing, each with its depth; flat prints every line at depth 0. */
static int
print_list(int json, json_t *a, int flat)
{
	size_t i;
	json_t *o;

	if (json)
		return cli_print_json(a);
	json_array_foreach(a, i, o)
		print_org_line(o, flat ? 0 : cli_depth(o, KJ_MAX_ORG_DEPTH * 2));
	json_decref(a);
	return 0;
}

/* o (stolen): one organisation with its path and history. */
static int
print_show(int json, json_t *o)
{
	json_t *h = json_object_get(o, "history"), *s;
	size_t i;

	if (json)
		return cli_print_json(o);
	printf("code:        %s\nkind:        %s\nname (ja):   %s\nname (en):   %s\npath:        %s\n",
	       cli_str(o, "code"), cli_str(o, "kind"), cli_str(o, "name_ja"), cli_str(o, "name_en"),
	       cli_str(o, "path"));
	if (cli_str(o, "supervisor")[0])
		printf("supervisor:  %s\n", cli_str(o, "supervisor"));
	printf("in force:    %s to %s\nthis state:  since %s\nid:          %s\n", cli_str(o, "valid_from"),
	       cli_str(o, "valid_to")[0] ? cli_str(o, "valid_to") : "now", cli_str(o, "state_from"), cli_str(o, "id"));
	if (cli_str(o, "successor")[0])
		printf("successor:   %s\n", cli_str(o, "successor"));
	if (json_array_size(h) > 0) {
		printf("history:\n");
		json_array_foreach(h, i, s)
			printf("  %s .. %s  %-8s %s / %s%s%s\n", cli_str(s, "valid_from"), cli_str(s, "valid_to"),
			       cli_str(s, "code"), cli_str(s, "name_ja"), cli_str(s, "name_en"),
			       cli_str(s, "parent")[0] ? "  under " : "", cli_str(s, "parent"));
	}
	json_decref(o);
	return 0;
}

/* The API answers a change with the organisation's path and history too; the command
 * prints what kj_org_to_json holds, as in local mode. */
static json_t *
bare(json_t *o)
{
	json_object_del(o, "path");
	json_object_del(o, "history");
	return o;
}

static void
org_path(struct kj_buf *b, const char *code, const char *tail)
{
	kj_buf_init(b, 0);
	kj_buf_puts(b, "/api/v1/orgs/");
	cli_url_seg(b, code);
	if (tail != NULL)
		kj_buf_puts(b, tail);
}

/* ---- Commands ------------------------------------------------------------------------- */

static int
org_add(struct cli *c, int argc, char **argv)
{
	struct opt opts[] = {{"kind", 1, NULL, 0},	 {"code", 1, NULL, 0},	   {"name-ja", 1, NULL, 0},
			     {"name-en", 1, NULL, 0},	 {"parent", 1, NULL, 0},   {"supervisor", 1, NULL, 0},
			     {"valid-from", 1, NULL, 0}, {"json", 0, NULL, 0},	   {NULL, 0, NULL, 0}};
	struct kj_org_new in;
	struct kj_org o;
	const char *pos[1];
	json_t *res = NULL;
	int rc;
	kj_err r;

	if (cli_parse(c, argc, argv, opts, pos, 0) < 0)
		return EXIT_USAGE;
	memset(&in, 0, sizeof(in));
	in.kind = cli_opt(opts, "kind")->val;
	in.code = cli_opt(opts, "code")->val;
	in.name_ja = cli_opt(opts, "name-ja")->val;
	in.name_en = cli_opt(opts, "name-en")->val;
	in.parent = cli_opt(opts, "parent")->val;
	in.supervisor = cli_opt(opts, "supervisor")->val;
	in.valid_from = cli_opt(opts, "valid-from")->val;
	if (in.kind == NULL || in.code == NULL || in.name_ja == NULL || in.name_en == NULL)
		return cli_usage(c, "--kind, --code, --name-ja and --name-en are required");
	if (c->server != NULL) {
		json_t *body = json_object();

		rc = cli_put(c, body, "kind", in.kind) || cli_put(c, body, "code", in.code) ||
		     cli_put(c, body, "name_ja", in.name_ja) || cli_put(c, body, "name_en", in.name_en) ||
		     cli_put(c, body, "parent", in.parent) || cli_put(c, body, "supervisor", in.supervisor) ||
		     cli_put(c, body, "valid_from", in.valid_from);
		if (rc == 0)
			rc = cli_send(c, "POST", "/api/v1/orgs", body, NULL, &res);
		json_decref(body);
		if (rc != 0)
			return rc;
		return print_result(cli_opt(opts, "json")->set, bare(res), "added");
	}
	if ((rc = cli_open(c, 0)) != 0)
		return rc;
	r = kj_org_create(&c->ctx, &in, &o);
	cli_close(c);
	if (r != KJ_OK)
		return cli_fail(c, r);
	return print_result(cli_opt(opts, "json")->set, kj_org_to_json(&o), "added");
}

static int
org_list(struct cli *c, int argc, char **argv)
{
	struct opt opts[] = {{"json", 0, NULL, 0}, {"all", 0, NULL, 0}, {"kind", 1, NULL, 0},
			     {NULL, 0, NULL, 0}};
	struct kj_org_list l;
	const char *pos[1];
	const char *kind;
	json_t *a;
	int n, rc;
	size_t i;
	kj_err r;

	if ((n = cli_parse(c, argc, argv, opts, pos, 1)) < 0)
		return EXIT_USAGE;
	kind = cli_opt(opts, "kind")->val;
	if (kind != NULL && !kj_org_kind_valid(kind))
		return cli_usage(c, "--kind: \"%s\" is not an organisation kind", kind);
	if (c->server != NULL) {
		struct kj_buf p;

		kj_buf_init(&p, 0);
		kj_buf_puts(&p, "/api/v1/orgs");
		cli_url_query(&p, "under", n > 0 ? pos[0] : NULL);
		cli_url_query(&p, "include_abolished", cli_opt(opts, "all")->set ? "true" : NULL);
		cli_url_query(&p, "kind", kind);
		rc = cli_get_all(c, kj_buf_cstr(&p), 0, &a);
		kj_buf_free(&p);
		if (rc != 0)
			return rc;
		return print_list(cli_opt(opts, "json")->set, a, kind != NULL);
	}
	if ((rc = cli_open(c, 0)) != 0)
		return rc;
	r = kj_org_list(&c->ctx, n > 0 ? pos[0] : NULL, cli_opt(opts, "all")->set, &l);
	cli_close(c);
	if (r != KJ_OK)
		return cli_fail(c, r);
	a = json_array();
	for (i = 0; i < l.n; i++) {
		json_t *j;

		if (kind != NULL && strcmp(l.v[i].kind, kind) != 0)
			continue;
		j = kj_org_to_json(&l.v[i]);
		json_object_set_new(j, "depth", json_integer(l.v[i].depth));
		json_array_append_new(a, j);
	}
	kj_org_list_free(&l);
	return print_list(cli_opt(opts, "json")->set, a, kind != NULL);
}

static int
org_show(struct cli *c, int argc, char **argv)
{
	struct opt opts[] = {{"json", 0, NULL, 0}, {NULL, 0, NULL, 0}};
	struct kj_org_state *h = NULL;
	struct kj_org o;
	const char *pos[1];
	char path[1024];
	size_t nh = 0, i;
	json_t *j, *a;
	int rc;
	kj_err r;

	if (cli_parse(c, argc, argv, opts, pos, 1) != 1)
		return cli_usage(c, "expected one organisation code");
	if (c->server != NULL) {
		struct kj_buf p;

		org_path(&p, pos[0], NULL);
		rc = cli_get(c, kj_buf_cstr(&p), &j, NULL);
		kj_buf_free(&p);
		if (rc != 0)
			return rc;
		return print_show(cli_opt(opts, "json")->set, j);
	}
	if ((rc = cli_open(c, 0)) != 0)
		return rc;
	r = kj_org_get(&c->ctx, pos[0], &o);
	if (r == KJ_OK)
		r = kj_org_path(&c->ctx, &o, path, sizeof(path));
	if (r == KJ_OK)
		r = kj_org_history(&c->ctx, &o, &h, &nh);
	cli_close(c);
	if (r != KJ_OK)
		return cli_fail(c, r);
	j = kj_org_to_json(&o);
	a = json_array();
	json_object_set_new(j, "path", json_string(path));
	for (i = 0; i < nh; i++)
		json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s?, s:s?}", "change", h[i].change,
						   "valid_from", h[i].valid_from, "valid_to", h[i].valid_to, "code",
						   h[i].code, "name_ja", h[i].name_ja, "name_en", h[i].name_en, "parent",
						   h[i].parent_code[0] ? h[i].parent_code : NULL, "supervisor",
						   h[i].supervisor_code[0] ? h[i].supervisor_code : NULL));
	json_object_set_new(j, "history", a);
	free(h);
	return print_show(cli_opt(opts, "json")->set, j);
}

/* rename and move through the API: read the ETag, then PATCH (abolish: POST) with it, so
 * that a change made in between is refused rather than overwritten. */
static int
change_remote(struct cli *c, const char *what, const char *code, struct opt *opts, json_t **out)
{
	json_t *body = json_object(), *cur = NULL;
	struct kj_buf p;
	char etag[64];
	int rc, abolish = strcmp(what, "abolish") == 0;

	if (strcmp(what, "rename") == 0)
		rc = cli_put(c, body, "code", cli_opt(opts, "code")->val) ||
		     cli_put(c, body, "name_ja", cli_opt(opts, "name-ja")->val) ||
		     cli_put(c, body, "name_en", cli_opt(opts, "name-en")->val);
	else if (!abolish)
		rc = cli_put(c, body, "parent", cli_opt(opts, "parent")->val) ||
		     cli_put(c, body, "supervisor", cli_opt(opts, "supervisor")->val);
	else
		rc = cli_put(c, body, "successor", cli_opt(opts, "successor")->val);
	if (rc == 0)
		rc = cli_put(c, body, "date", cli_opt(opts, "date")->val);
	org_path(&p, code, NULL);
	if (rc == 0)
		rc = cli_get(c, kj_buf_cstr(&p), &cur, etag);
	json_decref(cur);
	if (rc == 0 && abolish)
		kj_buf_puts(&p, "/abolish");
	if (rc == 0)
		rc = cli_send(c, abolish ? "POST" : "PATCH", kj_buf_cstr(&p), body, etag[0] ? etag : NULL, out);
	kj_buf_free(&p);
	json_decref(body);
	return rc;
}

static int
org_change(struct cli *c, int argc, char **argv, const char *what)
{
	struct opt opts[] = {{"code", 1, NULL, 0},	 {"name-ja", 1, NULL, 0}, {"name-en", 1, NULL, 0},
			     {"parent", 1, NULL, 0},	 {"supervisor", 1, NULL, 0}, {"date", 1, NULL, 0},
			     {"successor", 1, NULL, 0}, {"json", 0, NULL, 0},	 {NULL, 0, NULL, 0}};
	struct kj_org o;
	const char *pos[1];
	const char *date, *verb;
	json_t *res;
	int rc;
	kj_err r;

	if (cli_parse(c, argc, argv, opts, pos, 1) != 1)
		return cli_usage(c, "expected one organisation code");
	date = cli_opt(opts, "date")->val;
	if (strcmp(what, "rename") == 0 && (cli_opt(opts, "parent")->set || cli_opt(opts, "supervisor")->set ||
					    cli_opt(opts, "successor")->set))
		return cli_usage(c, "rename takes --code, --name-ja, --name-en and --date");
	if (strcmp(what, "move") == 0 && (cli_opt(opts, "code")->set || cli_opt(opts, "name-ja")->set ||
					  cli_opt(opts, "name-en")->set || cli_opt(opts, "successor")->set))
		return cli_usage(c, "move takes --parent, --supervisor and --date");
	if (strcmp(what, "abolish") == 0 && (cli_opt(opts, "code")->set || cli_opt(opts, "name-ja")->set ||
					     cli_opt(opts, "name-en")->set || cli_opt(opts, "parent")->set ||
					     cli_opt(opts, "supervisor")->set))
		return cli_usage(c, "abolish takes --date and --successor");
	/* The library says the same (and exits 2); said here, the API is not asked for an
	 * empty change it would answer differently. */
	if (strcmp(what, "rename") == 0 && !cli_opt(opts, "code")->set && !cli_opt(opts, "name-ja")->set &&
	    !cli_opt(opts, "name-en")->set) {
		fprintf(stderr, "kijun %s: nothing to change: give a new code or name\n", c->cmd);
		return EXIT_USAGE;
	}
	if (strcmp(what, "move") == 0 && !cli_opt(opts, "parent")->set && !cli_opt(opts, "supervisor")->set) {
		fprintf(stderr, "kijun %s: nothing to change: give a new parent or supervisor\n", c->cmd);
		return EXIT_USAGE;
	}
	verb = strcmp(what, "rename") == 0 ? "renamed" : strcmp(what, "move") == 0 ? "moved" : "abolished";
	if (c->server != NULL) {
		if ((rc = change_remote(c, what, pos[0], opts, &res)) != 0)
			return rc;
		return print_result(cli_opt(opts, "json")->set, bare(res), verb);
	}
	if ((rc = cli_open(c, 0)) != 0)
		return rc;
	if (strcmp(what, "rename") == 0)
		r = kj_org_rename(&c->ctx, pos[0], cli_opt(opts, "code")->val, cli_opt(opts, "name-ja")->val,
				  cli_opt(opts, "name-en")->val, date, &o);
	else if (strcmp(what, "move") == 0)
		r = kj_org_move(&c->ctx, pos[0], cli_opt(opts, "parent")->val,
				cli_opt(opts, "supervisor")->val, date, &o);
	else
		r = kj_org_abolish(&c->ctx, pos[0], date, cli_opt(opts, "successor")->val, &o);
	cli_close(c);
	if (r != KJ_OK)
		return cli_fail(c, r);
	return print_result(cli_opt(opts, "json")->set, kj_org_to_json(&o), verb);
}

int
cmd_org(struct cli *c, int argc, char **argv)
{
	static const char *const subs[] = {"add", "list", "show", "move", "rename", "abolish", NULL};
	static char cmdname[32];
	int i;

	if (argc < 1)
		return cli_usage(c, "expected add, list, show, move, rename or abolish");
	for (i = 0; subs[i] != NULL && strcmp(subs[i], argv[0]) != 0; i++)
		;
	if (subs[i] == NULL)
		return cli_usage(c, "unknown subcommand \"%s\"", argv[0]);
	snprintf(cmdname, sizeof(cmdname), "org %s", subs[i]);
	c->cmd = cmdname;
	switch (i) {
	case 0:
		return org_add(c, argc - 1, argv + 1);
	case 1:
		return org_list(c, argc - 1, argv + 1);
	case 2:
		return org_show(c, argc - 1, argv + 1);
	default:
		return org_change(c, argc - 1, argv + 1, subs[i]);
	}
}
