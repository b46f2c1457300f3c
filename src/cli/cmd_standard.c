/*
 * cmd_standard.c: kijun standard import|list|show|diff|export, on the database or (with
 * --server) through /api/v1/editions and /api/v1/diff. Both modes build the API's JSON
 * (an edition's header and items for show, kj_diff_to_json for diff) and print from it.
 */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/limits.h"
#include "base/util.h"
#include "cli.h"
#include "engine/diff.h"
#include "formats/catalog.h"
#include "model/standard.h"
#include "term.h"

static const char *
nz(const char *s)
{
	return s ? s : "";
}

static void
edition_path(struct kj_buf *b, const char *code, const char *tail)
{
	kj_buf_init(b, 0);
	kj_buf_puts(b, "/api/v1/editions/");
	cli_url_seg(b, code);
	if (tail != NULL)
		kj_buf_puts(b, tail);
}

/* ---- import --------------------------------------------------------------------------- */

/* r (stolen): {"edition", "items", "stored"} */
static int
print_imported(int json, json_t *r)
{
	if (json)
		return cli_print_json(r);
	printf("%s %s: %" PRId64 " items\n", json_is_true(json_object_get(r, "stored")) ? "imported" : "checked",
	       cli_str(r, "edition"), cli_int(r, "items"));
	json_decref(r);
	return 0;
}

/* The file goes as the body of POST /api/v1/editions; the server's messages about "body"
 * then name the file, as they do locally. */
static int
import_remote(struct cli *c, const char *path, const char *id, const char *catalog, json_t **out)
{
	struct cli_call call;
	struct kj_buf p;
	json_t *res = NULL;
	char *data = NULL;
	size_t len = 0;
	kj_err r;
	int rc;

	if ((r = kj_file_read(&c->ctx, path, KJ_MAX_CATALOG_BYTES, &data, &len)) != KJ_OK)
		return cli_fail(c, r);
	kj_buf_init(&p, 0);
	kj_buf_puts(&p, "/api/v1/editions");
	cli_url_query(&p, "id", id);
	cli_url_query(&p, "catalog", catalog);
	memset(&call, 0, sizeof(call));
	call.method = "POST";
	call.path = kj_buf_cstr(&p);
	call.body = data;
	call.body_len = len;
	call.body_name = path;
	rc = cli_request(c, &call, &res);
	kj_buf_free(&p);
	free(data);
	if (rc != 0)
		return rc;
	*out = json_pack("{s:s, s:I, s:b}", "edition", cli_str(res, "id"), "items", (json_int_t)cli_int(res, "items"),
			 "stored", 1);
	json_decref(res);
	return 0;
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
	json_t *res = NULL;
	int rc;
	kj_err r;

	if (cli_parse(c, argc, argv, opts, pos, 1) != 1)
		return cli_usage(c, "expected one file");
	io.code = cli_opt(opts, "id")->val;
	io.catalog = cli_opt(opts, "catalog")->val;
	if (c->server != NULL) {
		/* A profile is checked against the catalogues in the database; the API has no
		 * dry run. */
		if (cli_opt(opts, "check")->set)
			return cli_usage(c, "--check reads the database itself; it does not work with --server");
		if ((rc = import_remote(c, pos[0], io.code, io.catalog, &res)) != 0)
			return rc;
		return print_imported(cli_opt(opts, "json")->set, res);
	}
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
	return print_imported(cli_opt(opts, "json")->set,
			      json_pack("{s:s, s:I, s:b}", "edition", code, "items", (json_int_t)nitems, "stored",
					!cli_opt(opts, "check")->set));
}

/* ---- list ----------------------------------------------------------------------------- */

static json_t *
info_json(const struct kj_edition_info *e)
{
	return json_pack("{s:s, s:s, s:s?, s:s?, s:s?, s:s?, s:s?, s:s, s:I, s:I, s:s}", "id", e->code, "uuid", e->uuid,
			 "label_ja", e->label_ja, "label_en", e->label_en, "decided_on", e->decided_on, "effective_on",
			 e->effective_on, "supersedes", e->supersedes, "source", e->source, "items",
			 (json_int_t)e->nitems, "requirements", (json_int_t)e->nrequirements, "imported_at",
			 e->imported_at);
}

static int
collect_info(void *arg, const struct kj_edition_info *e)
{
	return json_array_append_new(arg, info_json(e)) != 0;
}

/* a (stolen): the editions as GET /api/v1/editions lists them. */
static int
print_list(int json, json_t *a)
{
	size_t i;
	json_t *e;

	if (json)
		return cli_print_json(a);
	printf("%-28s %-10s %-14s %6s %6s  %s\n", "EDITION", "EFFECTIVE", "SOURCE", "ITEMS", "REQS", "LABEL");
	json_array_foreach(a, i, e) {
		const char *ja = cli_strn(e, "label_ja"), *en = cli_strn(e, "label_en");

		printf("%-28s %-10s %-14s %6" PRId64 " %6" PRId64 "  %s%s%s\n", cli_str(e, "id"), cli_str(e, "effective_on"),
		       cli_str(e, "source"), cli_int(e, "items"), cli_int(e, "requirements"), nz(ja),
		       ja && en ? " / " : "", nz(en));
	}
	json_decref(a);
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
	if (c->server != NULL) {
		if ((rc = cli_get_all(c, "/api/v1/editions", 0, &a)) != 0)
			return rc;
		return print_list(cli_opt(opts, "json")->set, a);
	}
	if ((rc = cli_open(c, 0)) != 0)
		return rc;
	a = json_array();
	r = kj_edition_list(&c->ctx, collect_info, a);
	cli_close(c);
	if (r != KJ_OK) {
		json_decref(a);
		return cli_fail(c, r);
	}
	return print_list(cli_opt(opts, "json")->set, a);
}

/* ---- show ----------------------------------------------------------------------------- */

/* An item as the API gives it, except that "parent" is left out at the top. */
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
print_item(json_t *it, const char *lang, int full)
{
	const char *tja = cli_strn(it, "title_ja"), *ten = cli_strn(it, "title_en");
	const char *title = strcmp(lang, "en") == 0 ? (ten ? ten : tja) : (tja ? tja : ten);
	const char *ja = cli_strn(it, "text_ja"), *en = cli_strn(it, "text_en");
	int d = cli_depth(it, 64);

	printf("%*s%s", d * 2, "", cli_str(it, "number"));
	if (title != NULL)
		printf("  %s", title);
	if (cli_strn(it, "level") != NULL)
		printf("  [%s]", cli_str(it, "level"));
	if (cli_strn(it, "role") != NULL && full)
		printf("  (%s)", cli_str(it, "role"));
	printf("\n");
	if (!full)
		return;
	if (ja != NULL && strcmp(lang, "en") != 0)
		printf("%*s  %s\n", d * 2, "", ja);
	if (en != NULL && strcmp(lang, "ja") != 0)
		printf("%*s  %s\n", d * 2, "", en);
}

/* doc (stolen): the edition with every item, in document order. at (may be NULL) narrows
 * to the item numbered so and the items under it. */
static int
print_show(struct cli *c, json_t *doc, const char *at, const char *lang, int outline, int json)
{
	json_t *items = json_object_get(doc, "items"), *in = json_array(), *under = json_object(), *it;
	size_t i, nreq = 0;

	/* Items come after their parent, so one pass finds the subtree. */
	json_array_foreach(items, i, it) {
		const char *num = cli_str(it, "number"), *parent = cli_strn(it, "parent");

		nreq += kj_item_is_requirement(cli_str(it, "kind"));
		if (at != NULL && strcmp(num, at) != 0 && (parent == NULL || json_object_get(under, parent) == NULL))
			continue;
		if (at != NULL)
			json_object_set_new(under, num, json_true());
		json_array_append(in, it);
	}
	json_decref(under);
	if (at != NULL && json_array_size(in) == 0) {
		json_decref(in);
		kj_ctx_clear(&c->ctx);
		kj_failf(&c->ctx, KJ_ERR_NOT_FOUND, "no item numbered \"%s\" in %s", at, cli_str(doc, "id"));
		json_decref(doc);
		return cli_fail(c, KJ_ERR_NOT_FOUND);
	}
	if (json) {
		json_object_set_new(doc, "items", in);
		return cli_print_json(doc);
	}
	if (at == NULL) {
		const char *lja = cli_strn(doc, "label_ja"), *len = cli_strn(doc, "label_en");
		const char *dec = cli_strn(doc, "decided_on"), *eff = cli_strn(doc, "effective_on");
		const char *sup = cli_strn(doc, "supersedes");

		printf("%s%s%s  (%s)\n", nz(lja), lja && len ? " / " : "", nz(len), cli_str(doc, "id"));
		printf("decided %s, effective %s%s%s; %zu items, %zu requirements and measures\n\n", dec ? dec : "-",
		       eff ? eff : "-", sup ? "; supersedes " : "", nz(sup), json_array_size(items), nreq);
	}
	json_array_foreach(in, i, it) {
		if (outline && kj_item_is_requirement(cli_str(it, "kind")))
			continue;
		print_item(it, lang, !outline);
	}
	json_decref(in);
	json_decref(doc);
	return 0;
}

/* The edition's header fields of the show document, in the order of local mode. */
static const char *const header_keys[] = {"id", "uuid", "label_ja", "label_en", "decided_on",
					  "effective_on", "supersedes", "source", NULL};

/* GET the items (page by page), then the edition: items first, because that route names
 * a missing edition the way the model does. */
static int
show_remote(struct cli *c, const char *code, json_t **out)
{
	struct kj_buf p;
	json_t *items = NULL, *info = NULL, *doc, *it;
	size_t i;
	int rc, k;

	edition_path(&p, code, "/items");
	rc = cli_get_all(c, kj_buf_cstr(&p), 0, &items);
	kj_buf_free(&p);
	if (rc != 0)
		return rc;
	edition_path(&p, code, NULL);
	rc = cli_get(c, kj_buf_cstr(&p), &info, NULL);
	kj_buf_free(&p);
	if (rc != 0) {
		json_decref(items);
		return rc;
	}
	doc = json_object();
	for (k = 0; header_keys[k] != NULL; k++) {
		json_t *v = json_object_get(info, header_keys[k]);

		json_object_set(doc, header_keys[k], v != NULL ? v : json_null());
	}
	json_array_foreach(items, i, it) {
		if (json_is_null(json_object_get(it, "parent")))
			json_object_del(it, "parent");
	}
	json_object_set_new(doc, "items", items);
	json_decref(info);
	*out = doc;
	return 0;
}

static int
std_show(struct cli *c, int argc, char **argv)
{
	struct opt opts[] = {{"json", 0, NULL, 0}, {"lang", 1, NULL, 0}, {"outline", 0, NULL, 0},
			     {NULL, 0, NULL, 0}};
	struct kj_edition ed;
	const char *pos[2], *lang;
	json_t *doc, *items;
	int n, rc;
	size_t i;
	kj_err r;

	if ((n = cli_parse(c, argc, argv, opts, pos, 2)) < 1)
		return n < 0 ? EXIT_USAGE : cli_usage(c, "expected an edition (and optionally a number)");
	lang = cli_opt(opts, "lang")->val ? cli_opt(opts, "lang")->val : "both";
	if (strcmp(lang, "ja") != 0 && strcmp(lang, "en") != 0 && strcmp(lang, "both") != 0)
		return cli_usage(c, "--lang: expected ja, en or both");
	if (c->server != NULL) {
		if ((rc = show_remote(c, pos[0], &doc)) != 0)
			return rc;
		return print_show(c, doc, n == 2 ? pos[1] : NULL, lang, cli_opt(opts, "outline")->set,
				  cli_opt(opts, "json")->set);
	}
	if ((rc = cli_open(c, 0)) != 0)
		return rc;
	kj_edition_init(&ed);
	r = kj_edition_load(&c->ctx, pos[0], &ed);
	cli_close(c);
	if (r != KJ_OK) {
		kj_edition_free(&ed);
		return cli_fail(c, r);
	}
	items = json_array();
	for (i = 0; i < ed.nitems; i++)
		json_array_append_new(items, item_to_json(&ed, i));
	doc = json_pack("{s:s, s:s, s:s?, s:s?, s:s?, s:s?, s:s?, s:s, s:o}", "id", ed.code, "uuid", ed.uuid, "label_ja",
			ed.label_ja, "label_en", ed.label_en, "decided_on", ed.decided_on, "effective_on",
			ed.effective_on, "supersedes", ed.supersedes, "source", ed.source, "items", items);
	kj_edition_free(&ed);
	return print_show(c, doc, n == 2 ? pos[1] : NULL, lang, cli_opt(opts, "outline")->set,
			  cli_opt(opts, "json")->set);
}

/* ---- diff ----------------------------------------------------------------------------- */

/* The texts of an edition's items by number, for the text of a diff:
 * {number: {"text_ja", "text_en"}}. items (stolen) is an array of item objects. */
static json_t *
texts_by_number(json_t *items)
{
	json_t *m = json_object(), *it;
	size_t i;

	json_array_foreach(items, i, it)
		json_object_set(m, cli_str(it, "number"), it);
	json_decref(items);
	return m;
}

static json_t *
edition_texts(const struct kj_edition *ed)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < ed->nitems; i++) {
		json_t *t = json_pack("{s:s}", "number", ed->items[i].number);

		if (ed->items[i].text_ja != NULL)
			json_object_set_new(t, "text_ja", json_string(ed->items[i].text_ja));
		if (ed->items[i].text_en != NULL)
			json_object_set_new(t, "text_en", json_string(ed->items[i].text_en));
		json_array_append_new(a, t);
	}
	return texts_by_number(a);
}

static void
print_texts(const char *mark, json_t *it)
{
	if (cli_strn(it, "text_ja"))
		printf("    %s %s\n", mark, cli_str(it, "text_ja"));
	if (cli_strn(it, "text_en"))
		printf("    %s %s\n", mark, cli_str(it, "text_en"));
}

static void
print_numbers(json_t *a)
{
	size_t i;
	json_t *v;

	json_array_foreach(a, i, v)
		printf("%s%s", i ? ", " : "", json_string_value(v) ? json_string_value(v) : "");
}

/* d (stolen): the diff as kj_diff_to_json makes it. oldt and newt (stolen, NULL for
 * --json and --brief): the texts of both editions by number. */
static int
print_diff(int json, int all, int brief, json_t *d, json_t *oldt, json_t *newt)
{
	json_t *counts = json_object_get(d, "counts"), *changes = json_object_get(d, "changes"), *e, *v;
	const char *k;
	size_t i, q;
	int first = 1;

	if (json) {
		json_decref(oldt);
		json_decref(newt);
		return cli_print_json(d);
	}
	printf("%s -> %s: ", cli_str(d, "old"), cli_str(d, "new"));
	if (json_is_true(json_object_get(d, "table")))
		printf("matched with the correspondence table of %s (%" PRId64 " rows)\n", cli_str(d, "new"),
		       cli_int(d, "table_rows"));
	else
		printf("matched by number and text similarity (no correspondence table used)\n");
	json_object_foreach(counts, k, v) {
		printf("%s%s %" PRId64, first ? "  " : ", ", k, (int64_t)json_integer_value(v));
		first = 0;
	}
	printf("\n");
	if (brief)
		changes = NULL;
	json_array_foreach(changes, i, e) {
		const char *kind = cli_str(e, "change");
		json_t *old = json_object_get(e, "old"), *nw = json_object_get(e, "new");
		int same = strcmp(kind, "same") == 0, renumbered = strcmp(kind, "renumbered") == 0;
		int text_changed = json_is_true(json_object_get(e, "text_changed"));

		if (same && !all)
			continue;
		printf("\n%-10s ", kind);
		print_numbers(old);
		if (json_array_size(old) > 0 && json_array_size(nw) > 0)
			printf(" -> ");
		print_numbers(nw);
		if (renumbered)
			printf(text_changed ? "  (text changed too)" : "  (same text)");
		if (!json_is_true(json_object_get(e, "from_table")) && strcmp(kind, "added") != 0 &&
		    strcmp(kind, "removed") != 0 && !same) {
			/* --json holds the similarity cut to thousandths; the value it was cut from
			 * is at or above it, so rounding the thousandths half up gives the two places
			 * the full value rounds to (but at an exact tie such as 0.625). */
			long t = lround(json_number_value(json_object_get(e, "similarity")) * 1000);
			long hund = ((t < 0 ? 0 : t > 1000 ? 1000 : t) + 5) / 10;

			printf("  [similarity %ld.%02ld]", hund / 100, hund % 100);
		}
		printf("\n");
		if (same || (renumbered && !text_changed))
			continue;
		json_array_foreach(old, q, v)
			print_texts("-", json_object_get(oldt, json_string_value(v) ? json_string_value(v) : ""));
		json_array_foreach(nw, q, v)
			print_texts("+", json_object_get(newt, json_string_value(v) ? json_string_value(v) : ""));
	}
	json_decref(oldt);
	json_decref(newt);
	json_decref(d);
	return 0;
}

static int
diff_remote(struct cli *c, const char *old, const char *nw, int table, int all, int texts, json_t **d_out,
	    json_t **oldt_out, json_t **newt_out)
{
	static const char *const table_names[] = {"no", "auto", "yes"};
	struct kj_buf p;
	json_t *d = NULL, *items = NULL;
	int rc;

	kj_buf_init(&p, 0);
	kj_buf_puts(&p, "/api/v1/diff");
	cli_url_query(&p, "old", old);
	cli_url_query(&p, "new", nw);
	cli_url_query(&p, "table", table_names[table]);
	cli_url_query(&p, "include_same", all ? "true" : NULL);
	rc = cli_get(c, kj_buf_cstr(&p), &d, NULL);
	kj_buf_free(&p);
	if (rc != 0)
		return rc;
	*d_out = d;
	*oldt_out = *newt_out = NULL;
	if (!texts)
		return 0;
	/* The diff names items by number; their texts come from the editions. */
	edition_path(&p, old, "/items");
	rc = cli_get_all(c, kj_buf_cstr(&p), 0, &items);
	kj_buf_free(&p);
	if (rc == 0) {
		*oldt_out = texts_by_number(items);
		edition_path(&p, nw, "/items");
		rc = cli_get_all(c, kj_buf_cstr(&p), 0, &items);
		kj_buf_free(&p);
	}
	if (rc == 0)
		*newt_out = texts_by_number(items);
	if (rc != 0) {
		json_decref(*d_out);
		json_decref(*oldt_out);
	}
	return rc;
}

static int
std_diff(struct cli *c, int argc, char **argv)
{
	struct opt opts[] = {{"json", 0, NULL, 0}, {"all", 0, NULL, 0}, {"no-table", 0, NULL, 0},
			     {"table", 0, NULL, 0}, {"brief", 0, NULL, 0}, {NULL, 0, NULL, 0}};
	struct kj_edition old, nw;
	struct kj_diff d;
	const char *pos[2];
	json_t *dj, *oldt = NULL, *newt = NULL;
	int rc, table = 1, json, all, brief;
	kj_err r;

	if (cli_parse(c, argc, argv, opts, pos, 2) != 2)
		return cli_usage(c, "expected two editions: OLD NEW");
	if (cli_opt(opts, "no-table")->set)
		table = 0;
	if (cli_opt(opts, "table")->set)
		table = 2;
	json = cli_opt(opts, "json")->set;
	all = cli_opt(opts, "all")->set;
	brief = cli_opt(opts, "brief")->set;
	if (c->server != NULL) {
		if ((rc = diff_remote(c, pos[0], pos[1], table, all, !json && !brief, &dj, &oldt, &newt)) != 0)
			return rc;
		return print_diff(json, all, brief, dj, oldt, newt);
	}
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
	dj = kj_diff_to_json(&d, &old, &nw, all);
	if (!json && !brief) {
		oldt = edition_texts(&old);
		newt = edition_texts(&nw);
	}
	kj_diff_free(&d);
	kj_edition_free(&old);
	kj_edition_free(&nw);
	return print_diff(json, all, brief, dj, oldt, newt);
}

/* ---- export --------------------------------------------------------------------------- */

/* doc (stolen) to outpath, or to stdout when outpath is NULL. */
static int
write_doc(struct cli *c, json_t *doc, const char *outpath)
{
	kj_err r;

	if (doc == NULL) {
		fprintf(stderr, "kijun %s: out of memory\n", c->cmd);
		return 1;
	}
	r = cli_write_json(&c->ctx, outpath, doc);
	json_decref(doc);
	return r == KJ_OK ? 0 : cli_fail(c, r);
}

static int
std_export(struct cli *c, int argc, char **argv)
{
	struct opt opts[] = {{"format", 1, NULL, 0}, {"output", 1, NULL, 0}, {NULL, 0, NULL, 0}};
	struct kj_edition ed;
	const char *pos[1], *fmt;
	char now[21];
	json_t *doc;
	int rc;
	kj_err r;

	if (cli_parse(c, argc, argv, opts, pos, 1) != 1)
		return cli_usage(c, "expected one edition");
	fmt = cli_opt(opts, "format")->val ? cli_opt(opts, "format")->val : "kijun";
	if (strcmp(fmt, "kijun") != 0 && strcmp(fmt, "oscal") != 0)
		return cli_usage(c, "--format: expected kijun or oscal");
	if (c->server != NULL) {
		struct kj_buf p;

		edition_path(&p, pos[0], "/export");
		cli_url_query(&p, "format", fmt);
		rc = cli_get(c, kj_buf_cstr(&p), &doc, NULL);
		kj_buf_free(&p);
		if (rc != 0)
			return rc;
		return write_doc(c, doc, cli_opt(opts, "output")->val);
	}
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
	return write_doc(c, doc, cli_opt(opts, "output")->val);
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
