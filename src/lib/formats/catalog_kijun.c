/*
 * catalog_kijun.c: kijun's own catalogue format (docs/catalog-format.md), in and out.
 *
 * Items may be nested (children under "items") or flat (each naming its "parent"); the
 * parser collects them all first, resolves parents by number, and emits them depth first
 * so that every parent precedes its children. A missing parent or a cycle is an error
 * naming the item's JSON path.
 */
#include "catalog.h"

#include <stdlib.h>
#include <string.h>

#include "../base/jsonin.h"
#include "../base/limits.h"
#include "../base/strmap.h"
#include "../base/util.h"
#include "../model/org.h"

static const char *const root_keys[] = {"$schema", "format", "version", "edition", "items",
					"correspondence", NULL};
static const char *const edition_keys[] = {"id", "uuid", "label_ja", "label_en", "decided_on",
					   "effective_on", "supersedes", "numbering", NULL};
static const char *const item_keys[] = {"kind", "number", "parent", "title_ja", "title_en",
					"text_ja", "text_en", "level", "role", "applies_to", "items",
					NULL};
static const char *const corr_keys[] = {"old", "new", NULL};
static const char *const applies_keys[] = {"org_kinds", "classification", NULL};
static const char *const levels[] = {"basic", "enhanced", "additional", NULL};
static const char *const roles[] = {"ciso", "chief_officer", "unit_officer", "division_officer",
				    "system_owner", "audit_officer", "staff", "csirt", NULL};

struct node {
	json_t *obj;
	char path[128];
	long parent;		/* index in the node array, -1 at the top or not yet known */
	const char *parent_number;
	long first_child, next_sibling;
};

struct parse {
	struct kj_ctx *ctx;
	const char *name;
	struct kj_edition *ed;
	struct node *nodes;
	size_t n, cap;
};

static int
in_list(const char *const *list, const char *s)
{
	for (; *list != NULL; list++) {
		if (strcmp(*list, s) == 0)
			return 1;
	}
	return 0;
}

static kj_err
collect(struct parse *p, json_t *arr, struct kj_jpath *path, long parent, int depth)
{
	size_t i;
	json_t *obj;

	if (!json_is_array(arr))
		return kj_json_fail(p->ctx, KJ_ERR_INVALID, p->name, path, NULL, "expected an array");
	if (depth > 16)
		return kj_json_fail(p->ctx, KJ_ERR_TOO_LARGE, p->name, path, NULL,
				    "items nest deeper than 16 levels");
	json_array_foreach(arr, i, obj) {
		size_t mark = kj_jpath_index(path, i);
		struct node *nd;
		json_t *kids;
		long me;
		kj_err r;

		if ((r = kj_json_allow(p->ctx, p->name, path, obj, item_keys)) != KJ_OK)
			return r;
		if (p->n >= KJ_MAX_ITEMS_PER_EDITION)
			return kj_json_fail(p->ctx, KJ_ERR_TOO_LARGE, p->name, path, NULL,
					    "more than %d items", KJ_MAX_ITEMS_PER_EDITION);
		if (p->n == p->cap) {
			size_t ncap = p->cap ? p->cap * 2 : 256;
			struct node *v = realloc(p->nodes, ncap * sizeof(*v));

			if (v == NULL)
				return kj_failf(p->ctx, KJ_ERR_NOMEM, "out of memory");
			p->nodes = v;
			p->cap = ncap;
		}
		me = (long)p->n++;
		nd = &p->nodes[me];
		nd->obj = obj;
		kj_strlcpy(nd->path, path->s, sizeof(nd->path));
		nd->parent = parent;
		nd->parent_number = NULL;
		nd->first_child = nd->next_sibling = -1;
		if ((r = kj_json_str(p->ctx, p->name, path, obj, "parent", 0, KJ_MAX_NUMBER_BYTES,
				     &nd->parent_number)) != KJ_OK)
			return r;
		if (parent >= 0 && nd->parent_number != NULL)
			return kj_json_fail(p->ctx, KJ_ERR_INVALID, p->name, path, "parent",
					    "a nested item takes its parent from where it stands");
		kids = json_object_get(obj, "items");
		if (kids != NULL) {
			size_t m2 = kj_jpath_key(path, "items");

			if ((r = collect(p, kids, path, me, depth + 1)) != KJ_OK)
				return r;
			kj_jpath_pop(path, m2);
		}
		kj_jpath_pop(path, mark);
	}
	return KJ_OK;
}

static kj_err
item_str(struct parse *p, struct node *nd, const char *key, int required, size_t max,
	 const char **out)
{
	struct kj_jpath path;
	const char *s;
	kj_err r;

	kj_strlcpy(path.s, nd->path, sizeof(path.s));
	path.len = strlen(path.s);
	if ((r = kj_json_str(p->ctx, p->name, &path, nd->obj, key, required, max, &s)) != KJ_OK)
		return r;
	*out = NULL;
	if (s != NULL && (*out = kj_arena_strdup(&p->ed->arena, s)) == NULL)
		return kj_failf(p->ctx, KJ_ERR_NOMEM, "out of memory");
	return KJ_OK;
}

static kj_err
node_fail(struct parse *p, struct node *nd, const char *key, const char *msg, const char *arg)
{
	return kj_failf(p->ctx, KJ_ERR_INVALID, "%s: %s.%s: %s%s%s%s", p->name, nd->path, key, msg,
			arg ? " \"" : "", arg ? arg : "", arg ? "\"" : "");
}

static kj_err
applies_to(struct parse *p, struct node *nd, const char **out)
{
	json_t *a = json_object_get(nd->obj, "applies_to"), *kinds, *k;
	struct kj_jpath path;
	const char *cls;
	char *s;
	size_t i;
	kj_err r;

	*out = NULL;
	if (a == NULL || json_is_null(a))
		return KJ_OK;
	kj_strlcpy(path.s, nd->path, sizeof(path.s));
	path.len = strlen(path.s);
	kj_jpath_key(&path, "applies_to");
	if ((r = kj_json_allow(p->ctx, p->name, &path, a, applies_keys)) != KJ_OK)
		return r;
	kinds = json_object_get(a, "org_kinds");
	if (kinds != NULL && !json_is_array(kinds))
		return node_fail(p, nd, "applies_to.org_kinds", "expected an array of organisation kinds",
				 NULL);
	json_array_foreach(kinds, i, k) {
		if (!json_is_string(k) || !kj_org_kind_valid(json_string_value(k)))
			return node_fail(p, nd, "applies_to.org_kinds",
					 "expected organisation kinds (centre, ministry, bureau, division, "
					 "agency, corporation)", NULL);
	}
	if ((r = kj_json_str(p->ctx, p->name, &path, a, "classification", 0, 8, &cls)) != KJ_OK)
		return r;
	if (cls != NULL &&
	    !(strlen(cls) == 2 && ((cls[0] == 'C' && cls[1] >= '1' && cls[1] <= '3') ||
				   ((cls[0] == 'I' || cls[0] == 'A') && cls[1] >= '1' && cls[1] <= '2'))))
		return node_fail(p, nd, "applies_to.classification", "expected C1, C2, C3, I1, I2, A1 or A2, not",
				 cls);
	s = json_dumps(a, JSON_COMPACT | JSON_SORT_KEYS);
	if (s == NULL)
		return kj_failf(p->ctx, KJ_ERR_NOMEM, "out of memory");
	*out = kj_arena_strdup(&p->ed->arena, s);
	free(s);
	return *out != NULL ? KJ_OK : kj_failf(p->ctx, KJ_ERR_NOMEM, "out of memory");
}

static kj_err
emit(struct parse *p, long i, long parent_index, int depth)
{
	struct node *nd = &p->nodes[i];
	struct kj_item it;
	long me, c;
	kj_err r;

	memset(&it, 0, sizeof(it));
	it.parent = parent_index;
	it.depth = depth;
	if (depth > 32)
		return node_fail(p, nd, "parent", "items nest deeper than 32 levels", NULL);
	if ((r = item_str(p, nd, "kind", 1, 32, &it.kind)) != KJ_OK ||
	    (r = item_str(p, nd, "number", 1, KJ_MAX_NUMBER_BYTES, &it.number)) != KJ_OK ||
	    (r = item_str(p, nd, "title_ja", 0, KJ_MAX_TITLE_BYTES, &it.title_ja)) != KJ_OK ||
	    (r = item_str(p, nd, "title_en", 0, KJ_MAX_TITLE_BYTES, &it.title_en)) != KJ_OK ||
	    (r = item_str(p, nd, "text_ja", 0, KJ_MAX_TEXT_BYTES, &it.text_ja)) != KJ_OK ||
	    (r = item_str(p, nd, "text_en", 0, KJ_MAX_TEXT_BYTES, &it.text_en)) != KJ_OK ||
	    (r = item_str(p, nd, "level", 0, 32, &it.level)) != KJ_OK ||
	    (r = item_str(p, nd, "role", 0, 32, &it.role)) != KJ_OK ||
	    (r = applies_to(p, nd, &it.applies_to)) != KJ_OK)
		return r;
	if (!kj_item_kind_valid(it.kind) || strcmp(it.kind, "family") == 0 ||
	    strcmp(it.kind, "control") == 0 || strcmp(it.kind, "enhancement") == 0)
		return node_fail(p, nd, "kind",
				 "expected part, section, chapter, group, requirement, measure or subitem, not",
				 it.kind);
	if (it.level != NULL && !in_list(levels, it.level))
		return node_fail(p, nd, "level", "expected basic, enhanced or additional, not", it.level);
	if (it.role != NULL && !in_list(roles, it.role))
		return node_fail(p, nd, "role",
				 "expected ciso, chief_officer, unit_officer, division_officer, "
				 "system_owner, audit_officer, staff or csirt, not", it.role);
	if (kj_item_is_requirement(it.kind) && it.text_ja == NULL && it.text_en == NULL)
		return node_fail(p, nd, "text_ja", "a requirement, measure or sub-item needs text_ja or text_en",
				 NULL);
	if (!kj_item_is_requirement(it.kind) && it.title_ja == NULL && it.title_en == NULL)
		return node_fail(p, nd, "title_ja", "a heading needs title_ja or title_en", NULL);
	if (parent_index >= 0 && strcmp(it.kind, "subitem") == 0 &&
	    !kj_item_is_requirement(p->ed->items[parent_index].kind))
		return node_fail(p, nd, "kind", "a subitem belongs under a requirement or measure", NULL);
	if (parent_index >= 0 && kj_item_is_requirement(p->ed->items[parent_index].kind) &&
	    strcmp(it.kind, "subitem") != 0)
		return node_fail(p, nd, "kind", "under a requirement or measure only subitems may stand, not",
				 it.kind);
	me = kj_edition_add_item(p->ed, &it);
	if (me < 0)
		return kj_failf(p->ctx, KJ_ERR_NOMEM, "out of memory");
	nd->parent = -2;	/* emitted */
	for (c = nd->first_child; c >= 0; c = p->nodes[c].next_sibling) {
		if ((r = emit(p, c, me, depth + 1)) != KJ_OK)
			return r;
	}
	return KJ_OK;
}

static kj_err
parse_edition(struct parse *p, json_t *e)
{
	struct kj_edition *ed = p->ed;
	struct kj_jpath path;
	const char *v[7], *uuid;
	static const char *const keys[] = {"id", "label_ja", "label_en", "decided_on", "effective_on",
					   "supersedes", NULL};
	json_t *num;
	kj_err r;
	int i;

	kj_jpath_init(&path);
	kj_jpath_key(&path, "edition");
	if ((r = kj_json_allow(p->ctx, p->name, &path, e, edition_keys)) != KJ_OK)
		return r;
	for (i = 0; keys[i] != NULL; i++) {
		if ((r = kj_json_str(p->ctx, p->name, &path, e, keys[i], i == 0,
				     i == 0 || i == 5 ? KJ_MAX_CODE_BYTES : KJ_MAX_TITLE_BYTES, &v[i])) != KJ_OK)
			return r;
		if (v[i] != NULL && (v[i] = kj_arena_strdup(&ed->arena, v[i])) == NULL)
			return kj_failf(p->ctx, KJ_ERR_NOMEM, "out of memory");
	}
	ed->code = v[0];
	ed->label_ja = v[1];
	ed->label_en = v[2];
	ed->decided_on = v[3];
	ed->effective_on = v[4];
	ed->supersedes = v[5];
	if (ed->decided_on && !kj_date_valid(ed->decided_on))
		return kj_json_fail(p->ctx, KJ_ERR_INVALID, p->name, &path, "decided_on",
				    "expected a date YYYY-MM-DD");
	if (ed->effective_on && !kj_date_valid(ed->effective_on))
		return kj_json_fail(p->ctx, KJ_ERR_INVALID, p->name, &path, "effective_on",
				    "expected a date YYYY-MM-DD");
	if ((r = kj_json_str(p->ctx, p->name, &path, e, "uuid", 0, 36, &uuid)) != KJ_OK)
		return r;
	if (uuid != NULL) {
		if (!kj_uuid_valid(uuid))
			return kj_json_fail(p->ctx, KJ_ERR_INVALID, p->name, &path, "uuid", "expected a UUID");
		kj_strlcpy(ed->uuid, uuid, sizeof(ed->uuid));
	}
	num = json_object_get(e, "numbering");
	if (num != NULL && !json_is_null(num)) {
		char *s;

		if (!json_is_object(num) || !json_is_array(json_object_get(num, "levels")))
			return kj_json_fail(p->ctx, KJ_ERR_INVALID, p->name, &path, "numbering",
					    "expected {\"name\": ..., \"levels\": [{\"kind\", \"pattern\"}, ...]}");
		s = json_dumps(num, JSON_COMPACT);
		ed->numbering = s ? kj_arena_strdup(&ed->arena, s) : NULL;
		free(s);
		if (ed->numbering == NULL)
			return kj_failf(p->ctx, KJ_ERR_NOMEM, "out of memory");
	}
	ed->source = "kijun";
	return KJ_OK;
}

static kj_err
parse_corr(struct parse *p, json_t *arr)
{
	struct kj_jpath path;
	json_t *row;
	size_t i;
	kj_err r;

	kj_jpath_init(&path);
	kj_jpath_key(&path, "correspondence");
	if (!json_is_array(arr))
		return kj_json_fail(p->ctx, KJ_ERR_INVALID, p->name, &path, NULL, "expected an array");
	if (json_array_size(arr) > KJ_MAX_CORRESPONDENCE_ROWS)
		return kj_json_fail(p->ctx, KJ_ERR_TOO_LARGE, p->name, &path, NULL, "more than %d rows",
				    KJ_MAX_CORRESPONDENCE_ROWS);
	json_array_foreach(arr, i, row) {
		size_t mark = kj_jpath_index(&path, i);
		const char *o, *n;

		if ((r = kj_json_allow(p->ctx, p->name, &path, row, corr_keys)) != KJ_OK ||
		    (r = kj_json_str(p->ctx, p->name, &path, row, "old", 0, KJ_MAX_NUMBER_BYTES, &o)) != KJ_OK ||
		    (r = kj_json_str(p->ctx, p->name, &path, row, "new", 0, KJ_MAX_NUMBER_BYTES, &n)) != KJ_OK)
			return r;
		if (o == NULL && n == NULL)
			return kj_json_fail(p->ctx, KJ_ERR_INVALID, p->name, &path, NULL,
					    "a row needs old, new or both");
		o = kj_arena_strdup(&p->ed->arena, o);
		n = kj_arena_strdup(&p->ed->arena, n);
		if (kj_edition_add_corr(p->ed, o, n) != 0)
			return kj_failf(p->ctx, KJ_ERR_NOMEM, "out of memory");
		kj_jpath_pop(&path, mark);
	}
	return KJ_OK;
}

kj_err
kj_kijun_catalog_parse(struct kj_ctx *ctx, const char *name, json_t *doc, struct kj_edition *ed)
{
	struct parse p = {.ctx = ctx, .name = name, .ed = ed};
	struct kj_strmap numbers;
	struct kj_jpath path;
	json_t *items, *ver;
	const char *fmt;
	long i;
	kj_err r;

	kj_strmap_init(&numbers);
	kj_jpath_init(&path);
	if ((r = kj_json_allow(ctx, name, &path, doc, root_keys)) != KJ_OK)
		return r;
	if ((r = kj_json_str(ctx, name, &path, doc, "format", 1, 32, &fmt)) != KJ_OK)
		return r;
	if (strcmp(fmt, "kijun-catalog") != 0)
		return kj_json_fail(ctx, KJ_ERR_INVALID, name, &path, "format",
				    "expected \"kijun-catalog\"");
	ver = json_object_get(doc, "version");
	if (!json_is_integer(ver) || json_integer_value(ver) != 1)
		return kj_json_fail(ctx, KJ_ERR_INVALID, name, &path, "version",
				    "expected 1 (the only version this kijun reads)");
	if (!json_is_object(json_object_get(doc, "edition")))
		return kj_json_fail(ctx, KJ_ERR_INVALID, name, &path, "edition", "required");
	if ((r = parse_edition(&p, json_object_get(doc, "edition"))) != KJ_OK)
		return r;
	items = json_object_get(doc, "items");
	if (items == NULL)
		return kj_json_fail(ctx, KJ_ERR_INVALID, name, &path, "items", "required");
	kj_jpath_key(&path, "items");
	if ((r = collect(&p, items, &path, -1, 0)) != KJ_OK)
		goto out;

	/* Resolve flat parents by number. */
	for (i = 0; i < (long)p.n; i++) {
		const char *num = json_string_value(json_object_get(p.nodes[i].obj, "number"));

		if (num == NULL)
			continue;	/* reported with its path when emitted */
		if (kj_strmap_put(&numbers, num, i) == 0) {
			r = kj_failf(ctx, KJ_ERR_INVALID, "%s: %s.number: \"%.64s\" is used twice", name,
				     p.nodes[i].path, num);
			goto out;
		}
	}
	for (i = 0; i < (long)p.n; i++) {
		struct node *nd = &p.nodes[i];

		if (nd->parent_number != NULL) {
			nd->parent = kj_strmap_get(&numbers, nd->parent_number);
			if (nd->parent < 0) {
				r = kj_failf(ctx, KJ_ERR_INVALID,
					     "%s: %s.parent: no item numbered \"%.64s\" in this edition", name,
					     nd->path, nd->parent_number);
				goto out;
			}
			if (nd->parent == i) {
				r = kj_failf(ctx, KJ_ERR_INVALID, "%s: %s.parent: an item cannot be its own parent",
					     name, nd->path);
				goto out;
			}
		}
	}
	/* Children lists in document order: walk backwards and push to the front. */
	for (i = (long)p.n - 1; i >= 0; i--) {
		long par = p.nodes[i].parent;

		if (par >= 0) {
			p.nodes[i].next_sibling = p.nodes[par].first_child;
			p.nodes[par].first_child = i;
		}
	}
	for (i = 0; i < (long)p.n; i++) {
		if (p.nodes[i].parent == -1 && (r = emit(&p, i, -1, 0)) != KJ_OK)
			goto out;
	}
	if (ed->nitems != p.n) {
		for (i = 0; i < (long)p.n && p.nodes[i].parent == -2; i++)
			;
		r = kj_failf(ctx, KJ_ERR_INVALID, "%s: %s.parent: the parents form a cycle", name,
			     i < (long)p.n ? p.nodes[i].path : "$.items");
		goto out;
	}
	if (json_object_get(doc, "correspondence") != NULL &&
	    (r = parse_corr(&p, json_object_get(doc, "correspondence"))) != KJ_OK)
		goto out;
out:
	kj_strmap_free(&numbers);
	free(p.nodes);
	return r;
}

static json_t *
item_json(const struct kj_edition *ed, size_t i, const long *first_child, const long *next)
{
	const struct kj_item *it = &ed->items[i];
	json_t *j = json_object(), *kids;
	long c;

	if (j == NULL)
		return NULL;
	json_object_set_new(j, "kind", json_string(it->kind));
	json_object_set_new(j, "number", json_string(it->number));
#define OPT(f)                                                         \
	if (it->f != NULL)                                             \
		json_object_set_new(j, #f, json_string(it->f));
	OPT(title_ja)
	OPT(title_en)
	OPT(text_ja)
	OPT(text_en)
	OPT(level)
	OPT(role)
#undef OPT
	if (it->applies_to != NULL)
		json_object_set_new(j, "applies_to", json_loads(it->applies_to, 0, NULL));
	if (first_child[i] >= 0) {
		kids = json_array();
		for (c = first_child[i]; c >= 0; c = next[c])
			json_array_append_new(kids, item_json(ed, (size_t)c, first_child, next));
		json_object_set_new(j, "items", kids);
	}
	return j;
}

json_t *
kj_kijun_catalog_write(const struct kj_edition *ed)
{
	json_t *doc = json_object(), *e = json_object(), *items = json_array(), *corr;
	long *first = NULL, *next = NULL, *last = NULL;
	size_t i;

	if (doc == NULL || e == NULL || items == NULL)
		goto fail;
	first = malloc((ed->nitems + 1) * sizeof(long));
	next = malloc((ed->nitems + 1) * sizeof(long));
	last = malloc((ed->nitems + 1) * sizeof(long));
	if (first == NULL || next == NULL || last == NULL)
		goto fail;
	for (i = 0; i < ed->nitems; i++)
		first[i] = next[i] = last[i] = -1;
	for (i = 0; i < ed->nitems; i++) {
		long par = ed->items[i].parent;

		if (par < 0)
			continue;
		if (last[par] < 0)
			first[par] = (long)i;
		else
			next[last[par]] = (long)i;
		last[par] = (long)i;
	}
	json_object_set_new(doc, "format", json_string("kijun-catalog"));
	json_object_set_new(doc, "version", json_integer(1));
	json_object_set_new(e, "id", json_string(ed->code));
	if (ed->uuid[0] != '\0')
		json_object_set_new(e, "uuid", json_string(ed->uuid));
#define OPT(f)                                                         \
	if (ed->f != NULL)                                             \
		json_object_set_new(e, #f, json_string(ed->f));
	OPT(label_ja)
	OPT(label_en)
	OPT(decided_on)
	OPT(effective_on)
	OPT(supersedes)
#undef OPT
	if (ed->numbering != NULL)
		json_object_set_new(e, "numbering", json_loads(ed->numbering, 0, NULL));
	json_object_set_new(doc, "edition", e);
	e = NULL;
	for (i = 0; i < ed->nitems; i++) {
		if (ed->items[i].parent < 0)
			json_array_append_new(items, item_json(ed, i, first, next));
	}
	json_object_set_new(doc, "items", items);
	items = NULL;
	if (ed->ncorr > 0) {
		corr = json_array();
		for (i = 0; i < ed->ncorr; i++) {
			json_t *row = json_object();

			if (ed->corr[i].old_number)
				json_object_set_new(row, "old", json_string(ed->corr[i].old_number));
			if (ed->corr[i].new_number)
				json_object_set_new(row, "new", json_string(ed->corr[i].new_number));
			json_array_append_new(corr, row);
		}
		json_object_set_new(doc, "correspondence", corr);
	}
	free(first);
	free(next);
	free(last);
	return doc;
fail:
	free(first);
	free(next);
	free(last);
	json_decref(doc);
	json_decref(e);
	json_decref(items);
	return NULL;
}
