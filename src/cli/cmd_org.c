/*
 * cmd_org.c: kijun org add|list|show|move|rename|abolish.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "model/org.h"

static void
print_org_line(const struct kj_org *o)
{
	printf("%*s%-*s %-11s %s / %s%s%s%s\n", o->depth * 2, "", 24 - o->depth * 2 > 8 ? 24 - o->depth * 2 : 8,
	       o->code, o->kind, o->name_ja, o->name_en, o->supervisor_code[0] && o->parent_code[0] == '\0' ? "  (supervised by " : "",
	       o->supervisor_code[0] && o->parent_code[0] == '\0' ? o->supervisor_code : "",
	       o->supervisor_code[0] && o->parent_code[0] == '\0' ? ")" : "");
	if (o->valid_to[0])
		printf("%*s%-*s (abolished %s%s%s)\n", o->depth * 2, "", 24 - o->depth * 2 > 8 ? 24 - o->depth * 2 : 8, "",
		       o->valid_to, o->successor_code[0] ? "; succeeded by " : "", o->successor_code);
}

static int
org_result(struct cli *c, int json, const struct kj_org *o, const char *verb)
{
	if (json)
		return cli_print_json(kj_org_to_json(o));
	printf("%s %s (%s): %s / %s\n", verb, o->code, o->kind, o->name_ja, o->name_en);
	(void)c;
	return 0;
}

static int
org_add(struct cli *c, int argc, char **argv)
{
	struct opt opts[] = {{"kind", 1, NULL, 0},	 {"code", 1, NULL, 0},	   {"name-ja", 1, NULL, 0},
			     {"name-en", 1, NULL, 0},	 {"parent", 1, NULL, 0},   {"supervisor", 1, NULL, 0},
			     {"valid-from", 1, NULL, 0}, {"json", 0, NULL, 0},	   {NULL, 0, NULL, 0}};
	struct kj_org_new in;
	struct kj_org o;
	const char *pos[1];
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
	if ((rc = cli_open(c, 0)) != 0)
		return rc;
	r = kj_org_create(&c->ctx, &in, &o);
	cli_close(c);
	if (r != KJ_OK)
		return cli_fail(c, r);
	return org_result(c, cli_opt(opts, "json")->set, &o, "added");
}

static int
org_list(struct cli *c, int argc, char **argv)
{
	struct opt opts[] = {{"json", 0, NULL, 0}, {"all", 0, NULL, 0}, {"kind", 1, NULL, 0},
			     {NULL, 0, NULL, 0}};
	struct kj_org_list l;
	const char *pos[1];
	const char *kind;
	int n, rc;
	size_t i;
	kj_err r;

	if ((n = cli_parse(c, argc, argv, opts, pos, 1)) < 0)
		return EXIT_USAGE;
	kind = cli_opt(opts, "kind")->val;
	if (kind != NULL && !kj_org_kind_valid(kind))
		return cli_usage(c, "--kind: \"%s\" is not an organisation kind", kind);
	if ((rc = cli_open(c, 0)) != 0)
		return rc;
	r = kj_org_list(&c->ctx, n > 0 ? pos[0] : NULL, cli_opt(opts, "all")->set, &l);
	cli_close(c);
	if (r != KJ_OK)
		return cli_fail(c, r);
	if (cli_opt(opts, "json")->set) {
		json_t *a = json_array();

		for (i = 0; i < l.n; i++) {
			json_t *j;

			if (kind != NULL && strcmp(l.v[i].kind, kind) != 0)
				continue;
			j = kj_org_to_json(&l.v[i]);
			json_object_set_new(j, "depth", json_integer(l.v[i].depth));
			json_array_append_new(a, j);
		}
		kj_org_list_free(&l);
		return cli_print_json(a);
	}
	for (i = 0; i < l.n; i++) {
		if (kind != NULL && strcmp(l.v[i].kind, kind) != 0)
			continue;
		if (kind != NULL)
			l.v[i].depth = 0;
		print_org_line(&l.v[i]);
	}
	kj_org_list_free(&l);
	return 0;
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
	int rc;
	kj_err r;

	if (cli_parse(c, argc, argv, opts, pos, 1) != 1)
		return cli_usage(c, "expected one organisation code");
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
	if (cli_opt(opts, "json")->set) {
		json_t *j = kj_org_to_json(&o), *a = json_array();

		json_object_set_new(j, "path", json_string(path));
		for (i = 0; i < nh; i++)
			json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s?, s:s?}", "change",
							   h[i].change, "valid_from", h[i].valid_from, "valid_to",
							   h[i].valid_to, "code", h[i].code, "name_ja", h[i].name_ja,
							   "name_en", h[i].name_en, "parent",
							   h[i].parent_code[0] ? h[i].parent_code : NULL, "supervisor",
							   h[i].supervisor_code[0] ? h[i].supervisor_code : NULL));
		json_object_set_new(j, "history", a);
		free(h);
		return cli_print_json(j);
	}
	printf("code:        %s\nkind:        %s\nname (ja):   %s\nname (en):   %s\npath:        %s\n", o.code,
	       o.kind, o.name_ja, o.name_en, path);
	if (o.supervisor_code[0])
		printf("supervisor:  %s\n", o.supervisor_code);
	printf("in force:    %s to %s\nthis state:  since %s\nid:          %s\n", o.valid_from,
	       o.valid_to[0] ? o.valid_to : "now", o.state_from, o.uuid);
	if (o.successor_code[0])
		printf("successor:   %s\n", o.successor_code);
	if (nh > 0) {
		printf("history:\n");
		for (i = 0; i < nh; i++)
			printf("  %s .. %s  %-8s %s / %s%s%s\n", h[i].valid_from, h[i].valid_to, h[i].code,
			       h[i].name_ja, h[i].name_en, h[i].parent_code[0] ? "  under " : "",
			       h[i].parent_code);
	}
	free(h);
	return 0;
}

static int
org_change(struct cli *c, int argc, char **argv, const char *what)
{
	struct opt opts[] = {{"code", 1, NULL, 0},	 {"name-ja", 1, NULL, 0}, {"name-en", 1, NULL, 0},
			     {"parent", 1, NULL, 0},	 {"supervisor", 1, NULL, 0}, {"date", 1, NULL, 0},
			     {"successor", 1, NULL, 0}, {"json", 0, NULL, 0},	 {NULL, 0, NULL, 0}};
	struct kj_org o;
	const char *pos[1];
	const char *date;
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
	return org_result(c, cli_opt(opts, "json")->set, &o,
			  strcmp(what, "rename") == 0 ? "renamed" : strcmp(what, "move") == 0 ? "moved" : "abolished");
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
