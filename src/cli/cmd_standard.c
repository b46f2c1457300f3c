/*
 * cmd_standard.c: kijun standard import|list|show|diff|export.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "cli.h"
#include "engine/diff.h"
#include "formats/catalog.h"
#include "model/standard.h"

static const char *
nz(const char *s)
{
	return s ? s : "";
}

static int
std_import(struct cli *c, int argc, char **argv)
{
	struct opt opts[] = {{"id", 1, NULL, 0},   {"catalog", 1, NULL, 0}, {"check", 0, NULL, 0},
			     {"json", 0, NULL, 0}, {NULL, 0, NULL, 0}};
	struct kj_import_opts io;
	const char *pos[1];
	char code[128];
	size_t nitems = 0;
	int rc;
	kj_err r;

	if (cli_parse(c, argc, argv, opts, pos, 1) != 1)
		return cli_usage(c, "expected one file");
	io.code = cli_opt(opts, "id")->val;
	io.catalog = cli_opt(opts, "catalog")->val;
	if ((rc = cli_open(c, 0)) != 0)
		return rc;
	if (cli_opt(opts, "check")->set) {
		struct kj_edition ed;
		char *data = NULL;
		size_t len;

		kj_edition_init(&ed);
		r = kj_file_read(&c->ctx, pos[0], 64u << 20, &data, &len);
		if (r == KJ_OK)
			r = kj_standard_parse_mem(&c->ctx, pos[0], data, len, &io, &ed);
		free(data);
		if (r == KJ_OK) {
			kj_strlcpy(code, ed.code, sizeof(code));
			nitems = ed.nitems;
		}
		kj_edition_free(&ed);
	} else {
		r = kj_standard_import_file(&c->ctx, pos[0], &io, code, sizeof(code), &nitems);
	}
	cli_close(c);
	if (r != KJ_OK)
		return cli_fail(c, r);
	if (cli_opt(opts, "json")->set)
		return cli_print_json(json_pack("{s:s, s:I, s:b}", "edition", code, "items", (json_int_t)nitems,
						"stored", !cli_opt(opts, "check")->set));
	printf("%s %s: %zu items\n", cli_opt(opts, "check")->set ? "checked" : "imported", code, nitems);
	return 0;
}

static int
list_one(void *arg, const struct kj_edition_info *e)
{
	json_t *a = arg;

	if (a != NULL) {
		json_array_append_new(a, json_pack("{s:s, s:s, s:s?, s:s?, s:s?, s:s?, s:s?, s:s, s:I, s:I, s:s}",
						   "id", e->code, "uuid", e->uuid, "label_ja", e->label_ja,
						   "label_en", e->label_en, "decided_on", e->decided_on,
						   "effective_on", e->effective_on, "supersedes", e->supersedes,
						   "source", e->source, "items", (json_int_t)e->nitems,
						   "requirements", (json_int_t)e->nrequirements, "imported_at",
						   e->imported_at));
		return 0;
	}
	printf("%-28s %-10s %-14s %6" PRId64 " %6" PRId64 "  %s%s%s\n", e->code, nz(e->effective_on),
	       e->source, e->nitems, e->nrequirements, nz(e->label_ja),
	       e->label_ja && e->label_en ? " / " : "", nz(e->label_en));
	return 0;
}

static int
std_list(struct cli *c, int argc, char **argv)
{
	struct opt opts[] = {{"json", 0, NULL, 0}, {NULL, 0, NULL, 0}};
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
	else
		printf("%-28s %-10s %-14s %6s %6s  %s\n", "EDITION", "EFFECTIVE", "SOURCE", "ITEMS", "REQS",
		       "LABEL");
	r = kj_edition_list(&c->ctx, list_one, a);
	cli_close(c);
	if (r != KJ_OK) {
		json_decref(a);
		return cli_fail(c, r);
	}
	return a != NULL ? cli_print_json(a) : 0;
}

static json_t *
item_to_json(const struct kj_edition *ed, size_t i)
{
	const struct kj_item *it = &ed->items[i];
	json_t *j = json_pack("{s:s, s:s, s:i}", "kind", it->kind, "number", it->number, "depth", it->depth);

#define OPT(f)                                                 \
	if (it->f != NULL)                                     \
		json_object_set_new(j, #f, json_string(it->f));
	OPT(title_ja)
	OPT(title_en)
	OPT(text_ja)
	OPT(text_en)
	OPT(level)
	OPT(role)
#undef OPT
	if (it->parent >= 0)
		json_object_set_new(j, "parent", json_string(ed->items[it->parent].number));
	if (it->applies_to != NULL)
		json_object_set_new(j, "applies_to", json_loads(it->applies_to, 0, NULL));
	return j;
}

static void
print_item(const struct kj_item *it, const char *lang, int full)
{
	const char *title = strcmp(lang, "en") == 0 ? (it->title_en ? it->title_en : it->title_ja)
						    : (it->title_ja ? it->title_ja : it->title_en);
	const char *ja = it->text_ja, *en = it->text_en;

	printf("%*s%s", it->depth * 2, "", it->number);
	if (title != NULL)
		printf("  %s", title);
	if (it->level != NULL)
		printf("  [%s]", it->level);
	if (it->role != NULL && full)
		printf("  (%s)", it->role);
	printf("\n");
	if (!full)
		return;
	if (ja != NULL && strcmp(lang, "en") != 0)
		printf("%*s  %s\n", it->depth * 2, "", ja);
	if (en != NULL && strcmp(lang, "ja") != 0)
		printf("%*s  %s\n", it->depth * 2, "", en);
}

static int
std_show(struct cli *c, int argc, char **argv)
{
	struct opt opts[] = {{"json", 0, NULL, 0}, {"lang", 1, NULL, 0}, {"outline", 0, NULL, 0},
			     {NULL, 0, NULL, 0}};
	struct kj_edition ed;
	const char *pos[2], *lang;
	int n, rc;
	long at = -1;
	size_t i;
	kj_err r;

	if ((n = cli_parse(c, argc, argv, opts, pos, 2)) < 1)
		return n < 0 ? EXIT_USAGE : cli_usage(c, "expected an edition (and optionally a number)");
	lang = cli_opt(opts, "lang")->val ? cli_opt(opts, "lang")->val : "both";
	if (strcmp(lang, "ja") != 0 && strcmp(lang, "en") != 0 && strcmp(lang, "both") != 0)
		return cli_usage(c, "--lang: expected ja, en or both");
	if ((rc = cli_open(c, 0)) != 0)
		return rc;
	kj_edition_init(&ed);
	r = kj_edition_load(&c->ctx, pos[0], &ed);
	cli_close(c);
	if (r != KJ_OK) {
		kj_edition_free(&ed);
		return cli_fail(c, r);
	}
	if (n == 2 && (at = kj_edition_find(&ed, pos[1])) < 0) {
		kj_ctx_clear(&c->ctx);
		kj_failf(&c->ctx, KJ_ERR_NOT_FOUND, "no item numbered \"%s\" in %s", pos[1], ed.code);
		kj_edition_free(&ed);
		return cli_fail(c, KJ_ERR_NOT_FOUND);
	}
	if (cli_opt(opts, "json")->set) {
		json_t *items = json_array(), *j;

		for (i = 0; i < ed.nitems; i++) {
			long a;

			for (a = (long)i; a >= 0 && a != at; a = ed.items[a].parent)
				;
			if (at < 0 || a == at)
				json_array_append_new(items, item_to_json(&ed, i));
		}
		j = json_pack("{s:s, s:s, s:s?, s:s?, s:s?, s:s?, s:s?, s:s, s:o}", "id", ed.code, "uuid", ed.uuid,
			      "label_ja", ed.label_ja, "label_en", ed.label_en, "decided_on", ed.decided_on,
			      "effective_on", ed.effective_on, "supersedes", ed.supersedes, "source", ed.source,
			      "items", items);
		kj_edition_free(&ed);
		return cli_print_json(j);
	}
	if (at < 0) {
		size_t nreq = 0;

		for (i = 0; i < ed.nitems; i++)
			nreq += kj_item_is_requirement(ed.items[i].kind);
		printf("%s%s%s  (%s)\n", nz(ed.label_ja), ed.label_ja && ed.label_en ? " / " : "", nz(ed.label_en),
		       ed.code);
		printf("decided %s, effective %s%s%s; %zu items, %zu requirements and measures\n\n",
		       ed.decided_on ? ed.decided_on : "-", ed.effective_on ? ed.effective_on : "-",
		       ed.supersedes ? "; supersedes " : "", nz(ed.supersedes), ed.nitems, nreq);
	}
	for (i = 0; i < ed.nitems; i++) {
		long a;

		for (a = (long)i; a >= 0 && a != at; a = ed.items[a].parent)
			;
		if (at >= 0 && a != at)
			continue;
		if (cli_opt(opts, "outline")->set && kj_item_is_requirement(ed.items[i].kind))
			continue;
		print_item(&ed.items[i], lang, !cli_opt(opts, "outline")->set);
	}
	kj_edition_free(&ed);
	return 0;
}

static void
print_texts(const char *mark, const struct kj_item *it)
{
	if (it->text_ja)
		printf("    %s %s\n", mark, it->text_ja);
	if (it->text_en)
		printf("    %s %s\n", mark, it->text_en);
}

static void
print_numbers(const struct kj_edition *ed, const long *idx, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		printf("%s%s", i ? ", " : "", ed->items[idx[i]].number);
}

static int
std_diff(struct cli *c, int argc, char **argv)
{
	struct opt opts[] = {{"json", 0, NULL, 0}, {"all", 0, NULL, 0}, {"no-table", 0, NULL, 0},
			     {"table", 0, NULL, 0}, {"brief", 0, NULL, 0}, {NULL, 0, NULL, 0}};
	struct kj_edition old, nw;
	struct kj_diff d;
	const char *pos[2];
	int rc, k, table = 1;
	size_t i;
	kj_err r;

	if (cli_parse(c, argc, argv, opts, pos, 2) != 2)
		return cli_usage(c, "expected two editions: OLD NEW");
	if (cli_opt(opts, "no-table")->set)
		table = 0;
	if (cli_opt(opts, "table")->set)
		table = 2;
	if ((rc = cli_open(c, 0)) != 0)
		return rc;
	kj_edition_init(&old);
	kj_edition_init(&nw);
	r = kj_edition_load(&c->ctx, pos[0], &old);
	if (r == KJ_OK)
		r = kj_edition_load(&c->ctx, pos[1], &nw);
	cli_close(c);
	if (r == KJ_OK)
		r = kj_diff_editions(&c->ctx, &old, &nw, table, &d);
	if (r != KJ_OK) {
		kj_edition_free(&old);
		kj_edition_free(&nw);
		return cli_fail(c, r);
	}
	if (cli_opt(opts, "json")->set) {
		rc = cli_print_json(kj_diff_to_json(&d, &old, &nw, cli_opt(opts, "all")->set));
		goto out;
	}
	printf("%s -> %s: ", old.code, nw.code);
	if (d.used_table)
		printf("matched with the correspondence table of %s (%zu rows)\n", nw.code, d.table_rows);
	else
		printf("matched by number and text similarity (no correspondence table used)\n");
	for (k = 0; k < KJ_CHANGE_COUNT; k++)
		printf("%s%s %zu", k ? ", " : "  ", kj_change_name((enum kj_change)k), d.count[k]);
	printf("\n");
	if (cli_opt(opts, "brief")->set)
		goto out;
	for (i = 0; i < d.n; i++) {
		const struct kj_diff_entry *e = &d.v[i];

		if (e->kind == KJ_CHANGE_SAME && !cli_opt(opts, "all")->set)
			continue;
		printf("\n%-10s ", kj_change_name(e->kind));
		print_numbers(&old, e->old, e->nold);
		if (e->nold > 0 && e->nnew > 0)
			printf(" -> ");
		print_numbers(&nw, e->new_, e->nnew);
		if (e->kind == KJ_CHANGE_RENUMBERED)
			printf(e->text_changed ? "  (text changed too)" : "  (same text)");
		if (!e->from_table && e->kind != KJ_CHANGE_ADDED && e->kind != KJ_CHANGE_REMOVED &&
		    e->kind != KJ_CHANGE_SAME)
			printf("  [similarity %.2f]", e->similarity);
		printf("\n");
		if (e->kind == KJ_CHANGE_SAME || (e->kind == KJ_CHANGE_RENUMBERED && !e->text_changed))
			continue;
		for (size_t q = 0; q < e->nold; q++)
			print_texts("-", &old.items[e->old[q]]);
		for (size_t q = 0; q < e->nnew; q++)
			print_texts("+", &nw.items[e->new_[q]]);
	}
out:
	kj_diff_free(&d);
	kj_edition_free(&old);
	kj_edition_free(&nw);
	return rc;
}

static int
std_export(struct cli *c, int argc, char **argv)
{
	struct opt opts[] = {{"format", 1, NULL, 0}, {"output", 1, NULL, 0}, {NULL, 0, NULL, 0}};
	struct kj_edition ed;
	const char *pos[1], *fmt, *outpath;
	char now[21];
	json_t *doc;
	FILE *f = stdout;
	int rc;
	kj_err r;

	if (cli_parse(c, argc, argv, opts, pos, 1) != 1)
		return cli_usage(c, "expected one edition");
	fmt = cli_opt(opts, "format")->val ? cli_opt(opts, "format")->val : "kijun";
	if (strcmp(fmt, "kijun") != 0 && strcmp(fmt, "oscal") != 0)
		return cli_usage(c, "--format: expected kijun or oscal");
	if ((rc = cli_open(c, 0)) != 0)
		return rc;
	kj_edition_init(&ed);
	r = kj_edition_load(&c->ctx, pos[0], &ed);
	cli_close(c);
	if (r != KJ_OK) {
		kj_edition_free(&ed);
		return cli_fail(c, r);
	}
	kj_time_format(kj_now(&c->ctx), now);
	doc = strcmp(fmt, "oscal") == 0 ? kj_oscal_catalog_write(&ed, now) : kj_kijun_catalog_write(&ed);
	kj_edition_free(&ed);
	if (doc == NULL) {
		fprintf(stderr, "kijun %s: out of memory\n", c->cmd);
		return 1;
	}
	outpath = cli_opt(opts, "output")->val;
	if (outpath != NULL && (f = fopen(outpath, "w")) == NULL) {
		json_decref(doc);
		fprintf(stderr, "kijun %s: %s: cannot write\n", c->cmd, outpath);
		return 1;
	}
	rc = json_dumpf(doc, f, JSON_INDENT(2)) == 0 ? 0 : 1;
	fputc('\n', f);
	json_decref(doc);
	if (f != stdout && fclose(f) != 0)
		rc = 1;
	if (rc != 0)
		fprintf(stderr, "kijun %s: write failed\n", c->cmd);
	return rc;
}

int
cmd_standard(struct cli *c, int argc, char **argv)
{
	static const char *const subs[] = {"import", "list", "show", "diff", "export", NULL};
	static char cmdname[32];
	int i;

	if (argc < 1)
		return cli_usage(c, "expected import, list, show, diff or export");
	for (i = 0; subs[i] != NULL && strcmp(subs[i], argv[0]) != 0; i++)
		;
	if (subs[i] == NULL)
		return cli_usage(c, "unknown subcommand \"%s\"", argv[0]);
	snprintf(cmdname, sizeof(cmdname), "standard %s", subs[i]);
	c->cmd = cmdname;
	switch (i) {
	case 0:
		return std_import(c, argc - 1, argv + 1);
	case 1:
		return std_list(c, argc - 1, argv + 1);
	case 2:
		return std_show(c, argc - 1, argv + 1);
	case 3:
		return std_diff(c, argc - 1, argv + 1);
	default:
		return std_export(c, argc - 1, argv + 1);
	}
}
