/*
 * catalog_oscal.c: OSCAL catalogs in and out, and OSCAL profiles resolved into baselines.
 *
 * Import keeps every OSCAL field of groups and controls that kijun does not model (params,
 * props, links, parts, class, ...) as the item's "extra" JSON, and the catalog's metadata,
 * catalog-level params and back-matter as the edition's, so that an export gives back the
 * same groups and controls. The item's own columns hold what kijun works with: the id as
 * number, the title, and the statement's prose flattened as text for reading and diffing.
 *
 * Export writes OSCAL 1.0.6. An edition that came from OSCAL is written back from what was
 * kept; a kijun edition is mapped: headings become groups, requirements and measures
 * controls, sub-items the statement's items, with kijun's own fields as props in the
 * urn:kijun:oscal namespace and the Japanese text as a part of that namespace.
 */
#include "catalog.h"

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "../base/buf.h"
#include "../base/jsonin.h"
#include "../base/limits.h"
#include "../base/strmap.h"
#include "../base/util.h"

#define KJ_NS "urn:kijun:oscal"

static const char *const catalog_keys[] = {"uuid", "metadata", "params", "controls", "groups",
					   "back-matter", NULL};

struct oparse {
	struct kj_ctx *ctx;
	const char *name;
	struct kj_edition *ed;
	struct kj_buf text;
	int ngroups_synth;
};

enum kj_catalog_model
kj_catalog_detect(json_t *doc, const char **other_out)
{
	static const char *const others[] = {"component-definition", "system-security-plan",
					     "assessment-plan", "assessment-results",
					     "plan-of-action-and-milestones", NULL};
	const char *fmt;
	int i;

	if (other_out != NULL)
		*other_out = NULL;
	if (!json_is_object(doc))
		return KJ_MODEL_UNKNOWN;
	fmt = json_string_value(json_object_get(doc, "format"));
	if (fmt != NULL && strcmp(fmt, "kijun-catalog") == 0)
		return KJ_MODEL_KIJUN;
	if (json_is_object(json_object_get(doc, "catalog")))
		return KJ_MODEL_OSCAL_CATALOG;
	if (json_is_object(json_object_get(doc, "profile")))
		return KJ_MODEL_OSCAL_PROFILE;
	for (i = 0; others[i] != NULL; i++) {
		if (json_object_get(doc, others[i]) != NULL) {
			if (other_out != NULL)
				*other_out = others[i];
			return KJ_MODEL_OSCAL_OTHER;
		}
	}
	return KJ_MODEL_UNKNOWN;
}

static char *
keep(struct oparse *p, const char *s)
{
	return kj_arena_strdup(&p->ed->arena, s);
}

/* The object without the named keys, dumped compactly; NULL when nothing is left. */
static const char *
extra_of(struct oparse *p, json_t *obj, const char *const *drop, int *oom)
{
	json_t *c = json_copy(obj);
	const char *const *d;
	char *s;
	const char *kept;

	if (c == NULL) {
		*oom = 1;
		return NULL;
	}
	for (d = drop; *d != NULL; d++)
		json_object_del(c, *d);
	if (json_object_size(c) == 0) {
		json_decref(c);
		return NULL;
	}
	s = json_dumps(c, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(c);
	if (s == NULL) {
		*oom = 1;
		return NULL;
	}
	kept = keep(p, s);
	free(s);
	if (kept == NULL)
		*oom = 1;
	return kept;
}

/* Statement prose, flattened: each item's label then its prose, one per line. */
static void
flatten_part(struct kj_buf *b, json_t *part, int depth)
{
	json_t *props = json_object_get(part, "props"), *pr, *sub;
	const char *prose = json_string_value(json_object_get(part, "prose"));
	const char *label = NULL;
	size_t i;

	if (depth > 12)
		return;
	json_array_foreach(props, i, pr) {
		const char *n = json_string_value(json_object_get(pr, "name"));

		if (n != NULL && strcmp(n, "label") == 0)
			label = json_string_value(json_object_get(pr, "value"));
	}
	if (label != NULL || prose != NULL) {
		if (b->len > 0)
			kj_buf_putc(b, '\n');
		for (i = 1; i < (size_t)depth; i++)
			kj_buf_puts(b, "  ");
		if (label != NULL)
			kj_buf_printf(b, "%s ", label);
		if (prose != NULL)
			kj_buf_puts(b, prose);
	}
	json_array_foreach(json_object_get(part, "parts"), i, sub)
		flatten_part(b, sub, depth + 1);
}

static kj_err
walk_controls(struct oparse *p, json_t *arr, struct kj_jpath *path, long parent, int depth,
	      int in_control);

static kj_err
walk_groups(struct oparse *p, json_t *arr, struct kj_jpath *path, long parent, int depth)
{
	static const char *const drop[] = {"id", "title", "groups", "controls", NULL};
	json_t *g;
	size_t i;
	kj_err r;

	if (arr == NULL)
		return KJ_OK;
	if (!json_is_array(arr))
		return kj_json_fail(p->ctx, KJ_ERR_INVALID, p->name, path, NULL, "expected an array");
	json_array_foreach(arr, i, g) {
		size_t mark = kj_jpath_index(path, i), m2;
		struct kj_item it;
		const char *id, *title;
		char synth[32];
		int oom = 0;
		long me;

		if (!json_is_object(g))
			return kj_json_fail(p->ctx, KJ_ERR_INVALID, p->name, path, NULL, "expected an object");
		if ((r = kj_json_str(p->ctx, p->name, path, g, "id", 0, KJ_MAX_NUMBER_BYTES, &id)) != KJ_OK ||
		    (r = kj_json_str(p->ctx, p->name, path, g, "title", 1, KJ_MAX_TITLE_BYTES, &title)) != KJ_OK)
			return r;
		memset(&it, 0, sizeof(it));
		if (id == NULL) {
			/* OSCAL lets a group go without an id; kijun numbers every item. The
			 * made-up number starts with '#', which no OSCAL token can, and is not
			 * written back on export. */
			snprintf(synth, sizeof(synth), "#%d", ++p->ngroups_synth);
			id = synth;
		}
		it.kind = "family";
		it.number = keep(p, id);
		it.title_en = keep(p, title);
		it.parent = parent;
		it.depth = depth;
		it.extra = extra_of(p, g, drop, &oom);
		if (oom || it.number == NULL || it.title_en == NULL ||
		    (me = kj_edition_add_item(p->ed, &it)) < 0)
			return kj_failf(p->ctx, KJ_ERR_NOMEM, "out of memory");
		m2 = kj_jpath_key(path, "groups");
		if ((r = walk_groups(p, json_object_get(g, "groups"), path, me, depth + 1)) != KJ_OK)
			return r;
		kj_jpath_pop(path, m2);
		m2 = kj_jpath_key(path, "controls");
		if ((r = walk_controls(p, json_object_get(g, "controls"), path, me, depth + 1, 0)) != KJ_OK)
			return r;
		kj_jpath_pop(path, mark);
	}
	return KJ_OK;
}

static kj_err
walk_controls(struct oparse *p, json_t *arr, struct kj_jpath *path, long parent, int depth,
	      int in_control)
{
	static const char *const drop[] = {"id", "title", "controls", NULL};
	json_t *c, *part;
	size_t i, k;
	kj_err r;

	if (arr == NULL)
		return KJ_OK;
	if (!json_is_array(arr))
		return kj_json_fail(p->ctx, KJ_ERR_INVALID, p->name, path, NULL, "expected an array");
	if (depth > 32)
		return kj_json_fail(p->ctx, KJ_ERR_TOO_LARGE, p->name, path, NULL,
				    "controls nest deeper than 32 levels");
	json_array_foreach(arr, i, c) {
		size_t mark = kj_jpath_index(path, i), m2;
		struct kj_item it;
		const char *id, *title;
		int oom = 0;
		long me;

		if (!json_is_object(c))
			return kj_json_fail(p->ctx, KJ_ERR_INVALID, p->name, path, NULL, "expected an object");
		if ((r = kj_json_str(p->ctx, p->name, path, c, "id", 1, KJ_MAX_NUMBER_BYTES, &id)) != KJ_OK ||
		    (r = kj_json_str(p->ctx, p->name, path, c, "title", 1, KJ_MAX_TITLE_BYTES, &title)) != KJ_OK)
			return r;
		if (json_object_get(c, "parts") != NULL && !json_is_array(json_object_get(c, "parts")))
			return kj_json_fail(p->ctx, KJ_ERR_INVALID, p->name, path, "parts", "expected an array");
		memset(&it, 0, sizeof(it));
		it.kind = in_control ? "enhancement" : "control";
		it.number = keep(p, id);
		it.title_en = keep(p, title);
		it.parent = parent;
		it.depth = depth;
		it.extra = extra_of(p, c, drop, &oom);
		kj_buf_reset(&p->text);
		json_array_foreach(json_object_get(c, "parts"), k, part) {
			const char *pn = json_string_value(json_object_get(part, "name"));

			if (pn != NULL && strcmp(pn, "statement") == 0)
				flatten_part(&p->text, part, 0);
		}
		if (kj_buf_failed(&p->text))
			return kj_failf(p->ctx, KJ_ERR_NOMEM, "out of memory");
		if (p->text.len > KJ_MAX_TEXT_BYTES)
			return kj_json_fail(p->ctx, KJ_ERR_TOO_LARGE, p->name, path, "parts",
					    "statement longer than %u bytes", KJ_MAX_TEXT_BYTES);
		it.text_en = p->text.len > 0 ? keep(p, kj_buf_cstr(&p->text)) : NULL;
		if (oom || it.number == NULL || it.title_en == NULL ||
		    (p->text.len > 0 && it.text_en == NULL) || (me = kj_edition_add_item(p->ed, &it)) < 0)
			return kj_failf(p->ctx, KJ_ERR_NOMEM, "out of memory");
		if (p->ed->nitems > KJ_MAX_ITEMS_PER_EDITION)
			return kj_json_fail(p->ctx, KJ_ERR_TOO_LARGE, p->name, path, NULL,
					    "more than %d items", KJ_MAX_ITEMS_PER_EDITION);
		m2 = kj_jpath_key(path, "controls");
		if ((r = walk_controls(p, json_object_get(c, "controls"), path, me, depth + 1, 1)) != KJ_OK)
			return r;
		kj_jpath_pop(path, m2);
		kj_jpath_pop(path, mark);
	}
	return KJ_OK;
}

/* An edition code from a file name: its base name without extension, lower case, with
 * anything outside [a-z0-9._-] made '-'. */
static const char *
code_from_name(struct kj_arena *a, const char *name)
{
	const char *base = strrchr(name, '/');
	char buf[KJ_MAX_CODE_BYTES + 1];
	size_t n = 0;

	base = base ? base + 1 : name;
	for (; *base != '\0' && *base != '.' && n < KJ_MAX_CODE_BYTES; base++) {
		char c = *base;

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
			c = '-';
		buf[n++] = c;
	}
	if (n == 0)
		buf[n++] = 'x';
	buf[n] = '\0';
	return kj_arena_strdup(a, buf);
}

static const char *
base_stem(const char *path, char *buf, size_t size)
{
	const char *base = strrchr(path, '/');
	char *dot;

	kj_strlcpy(buf, base ? base + 1 : path, size);
	dot = strrchr(buf, '.');
	if (dot != NULL)
		*dot = '\0';
	return buf;
}

kj_err
kj_oscal_catalog_parse(struct kj_ctx *ctx, const char *name, json_t *doc, const char *code,
		       struct kj_edition *ed)
{
	struct oparse p = {.ctx = ctx, .name = name, .ed = ed};
	struct kj_jpath path;
	json_t *cat = json_object_get(doc, "catalog"), *md, *extra;
	const char *uuid, *title, *pub;
	char stem[256];
	char *s;
	kj_err r;
	size_t m;

	kj_buf_init(&p.text, 0);
	kj_jpath_init(&path);
	kj_jpath_key(&path, "catalog");
	if ((r = kj_json_allow(ctx, name, &path, cat, catalog_keys)) != KJ_OK)
		goto out;
	if ((r = kj_json_str(ctx, name, &path, cat, "uuid", 1, 36, &uuid)) != KJ_OK)
		goto out;
	if (!kj_uuid_valid(uuid)) {
		r = kj_json_fail(ctx, KJ_ERR_INVALID, name, &path, "uuid", "expected a UUID");
		goto out;
	}
	md = json_object_get(cat, "metadata");
	if (!json_is_object(md)) {
		r = kj_json_fail(ctx, KJ_ERR_INVALID, name, &path, "metadata", "required (an object)");
		goto out;
	}
	m = kj_jpath_key(&path, "metadata");
	if ((r = kj_json_str(ctx, name, &path, md, "title", 1, KJ_MAX_TITLE_BYTES, &title)) != KJ_OK)
		goto out;
	kj_jpath_pop(&path, m);
	kj_strlcpy(ed->uuid, uuid, sizeof(ed->uuid));
	ed->code = code != NULL ? kj_arena_strdup(&ed->arena, code) : code_from_name(&ed->arena, name);
	ed->label_en = keep(&p, title);
	ed->source = "oscal-catalog";
	pub = json_string_value(json_object_get(md, "published"));
	if (pub == NULL)
		pub = json_string_value(json_object_get(md, "last-modified"));
	if (pub != NULL && strlen(pub) >= 10) {
		char d[11];

		memcpy(d, pub, 10);
		d[10] = '\0';
		if (kj_date_valid(d))
			ed->effective_on = keep(&p, d);
	}
	extra = json_pack("{s:O, s:s}", "metadata", md, "source-file", base_stem(name, stem, sizeof(stem)));
	if (extra == NULL) {
		r = kj_failf(ctx, KJ_ERR_NOMEM, "out of memory");
		goto out;
	}
	if (json_object_get(cat, "params") != NULL)
		json_object_set(extra, "params", json_object_get(cat, "params"));
	if (json_object_get(cat, "back-matter") != NULL)
		json_object_set(extra, "back-matter", json_object_get(cat, "back-matter"));
	s = json_dumps(extra, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(extra);
	ed->extra = s ? keep(&p, s) : NULL;
	free(s);
	if (ed->extra == NULL || ed->code == NULL || ed->label_en == NULL) {
		r = kj_failf(ctx, KJ_ERR_NOMEM, "out of memory");
		goto out;
	}
	m = kj_jpath_key(&path, "groups");
	if ((r = walk_groups(&p, json_object_get(cat, "groups"), &path, -1, 0)) != KJ_OK)
		goto out;
	kj_jpath_pop(&path, m);
	kj_jpath_key(&path, "controls");
	if ((r = walk_controls(&p, json_object_get(cat, "controls"), &path, -1, 0, 0)) != KJ_OK)
		goto out;
	if (ed->nitems == 0)
		r = kj_failf(ctx, KJ_ERR_INVALID, "%s: $.catalog: no groups and no controls", name);
out:
	kj_buf_free(&p.text);
	return r;
}

/* ---- Profiles ---------------------------------------------------------------------- */

struct selector {
	json_t *ids;		/* array of control ids */
	json_t *patterns;	/* array of {"pattern": glob} */
	int children;		/* with-child-controls: yes */
	int all;
};

static int
select_match(const struct selector *s, const char *id)
{
	json_t *v;
	size_t i;

	if (s->all)
		return 1;
	json_array_foreach(s->ids, i, v) {
		if (json_is_string(v) && strcmp(json_string_value(v), id) == 0)
			return 1;
	}
	json_array_foreach(s->patterns, i, v) {
		const char *pat = json_string_value(json_object_get(v, "pattern"));

		if (pat != NULL && fnmatch(pat, id, 0) == 0)
			return 1;
	}
	return 0;
}

/* Marks in sel[] the catalog items a list of selectors picks. */
static kj_err
apply_selectors(struct kj_ctx *ctx, const char *name, struct kj_jpath *path, json_t *list,
		const struct kj_edition *cat, char *sel, char mark)
{
	json_t *s;
	size_t i, k;

	if (list == NULL)
		return KJ_OK;
	if (!json_is_array(list))
		return kj_json_fail(ctx, KJ_ERR_INVALID, name, path, NULL, "expected an array");
	json_array_foreach(list, i, s) {
		struct selector sc = {0};
		const char *wcc;

		if (!json_is_object(s))
			return kj_json_fail(ctx, KJ_ERR_INVALID, name, path, NULL, "expected objects");
		sc.ids = json_object_get(s, "with-ids");
		sc.patterns = json_object_get(s, "matching");
		if ((sc.ids != NULL && !json_is_array(sc.ids)) ||
		    (sc.patterns != NULL && !json_is_array(sc.patterns)))
			return kj_json_fail(ctx, KJ_ERR_INVALID, name, path, NULL,
					    "with-ids and matching must be arrays");
		wcc = json_string_value(json_object_get(s, "with-child-controls"));
		sc.children = wcc != NULL && strcmp(wcc, "yes") == 0;
		for (k = 0; k < cat->nitems; k++) {
			const struct kj_item *it = &cat->items[k];
			long a;

			if (strcmp(it->kind, "family") == 0)
				continue;
			if (select_match(&sc, it->number)) {
				sel[k] = mark;
				continue;
			}
			if (!sc.children)
				continue;
			for (a = it->parent; a >= 0 && strcmp(cat->items[a].kind, "family") != 0;
			     a = cat->items[a].parent) {
				if (select_match(&sc, cat->items[a].number)) {
					sel[k] = mark;
					break;
				}
			}
		}
	}
	return KJ_OK;
}

/* Removes from obj's props, links and parts (recursively) the entries a remove matches. */
static void
alter_remove(json_t *obj, json_t *rm, int depth)
{
	static const char *const lists[] = {"props", "links", "parts", NULL};
	const char *by_name = json_string_value(json_object_get(rm, "by-name"));
	const char *by_class = json_string_value(json_object_get(rm, "by-class"));
	const char *by_id = json_string_value(json_object_get(rm, "by-id"));
	const char *by_ns = json_string_value(json_object_get(rm, "by-ns"));
	const char *by_item = json_string_value(json_object_get(rm, "by-item-name"));
	int l;

	if (depth > 16)
		return;
	for (l = 0; lists[l] != NULL; l++) {
		json_t *arr = json_object_get(obj, lists[l]);
		size_t i = 0;

		while (arr != NULL && i < json_array_size(arr)) {
			json_t *e = json_array_get(arr, i);
			const char *n = json_string_value(json_object_get(e, "name"));
			const char *c = json_string_value(json_object_get(e, "class"));
			const char *id = json_string_value(json_object_get(e, "id"));
			const char *ns = json_string_value(json_object_get(e, "ns"));
			int hit = 0;

			if (by_name && n && strcmp(by_name, n) == 0)
				hit = 1;
			if (by_class && c && strcmp(by_class, c) == 0)
				hit = 1;
			if (by_id && id && strcmp(by_id, id) == 0)
				hit = 1;
			if (by_ns && ns && strcmp(by_ns, ns) == 0)
				hit = 1;
			if (by_item && strcmp(lists[l], "parts") != 0 && strcmp(by_item, lists[l]) == 0)
				hit = 1;
			if (hit) {
				json_array_remove(arr, i);
				continue;
			}
			if (strcmp(lists[l], "parts") == 0)
				alter_remove(e, rm, depth + 1);
			i++;
		}
		if (arr != NULL && json_array_size(arr) == 0)
			json_object_del(obj, lists[l]);
	}
}

/* Finds the part with id (and the array holding it) under obj. */
static json_t *
find_part(json_t *obj, const char *id, json_t **holder, size_t *index, int depth)
{
	json_t *parts = json_object_get(obj, "parts"), *p, *f;
	size_t i;

	if (depth > 16)
		return NULL;
	json_array_foreach(parts, i, p) {
		const char *pid = json_string_value(json_object_get(p, "id"));

		if (pid != NULL && strcmp(pid, id) == 0) {
			*holder = parts;
			*index = i;
			return p;
		}
		if ((f = find_part(p, id, holder, index, depth + 1)) != NULL)
			return f;
	}
	return NULL;
}

static void
append_list(json_t *target, const char *key, json_t *add, int at_start)
{
	json_t *arr = json_object_get(target, key), *v;
	size_t i;

	if (!json_is_array(add))
		return;
	if (arr == NULL) {
		arr = json_array();
		json_object_set_new(target, key, arr);
	}
	json_array_foreach(add, i, v) {
		if (at_start)
			json_array_insert(arr, i, v);
		else
			json_array_append(arr, v);
	}
}

static void
alter_add(json_t *ctl, json_t *add)
{
	static const char *const lists[] = {"params", "props", "links", "parts", NULL};
	const char *pos = json_string_value(json_object_get(add, "position"));
	const char *by_id = json_string_value(json_object_get(add, "by-id"));
	json_t *target = ctl, *holder = NULL;
	size_t idx = 0;
	int l;

	if (pos == NULL)
		pos = "ending";
	if (by_id != NULL && strcmp(by_id, json_string_value(json_object_get(ctl, "id"))) != 0) {
		target = find_part(ctl, by_id, &holder, &idx, 0);
		if (target == NULL)
			return;
	}
	if (json_object_get(add, "title") != NULL)
		json_object_set(target, "title", json_object_get(add, "title"));
	if ((strcmp(pos, "before") == 0 || strcmp(pos, "after") == 0) && holder != NULL) {
		/* Parts go beside the target part; anything else into the target itself. */
		json_t *parts = json_object_get(add, "parts"), *v;
		size_t i, at = strcmp(pos, "before") == 0 ? idx : idx + 1;

		json_array_foreach(parts, i, v)
			json_array_insert(holder, at + i, v);
		for (l = 0; lists[l] != NULL; l++) {
			if (strcmp(lists[l], "parts") != 0)
				append_list(target, lists[l], json_object_get(add, lists[l]), 0);
		}
		return;
	}
	for (l = 0; lists[l] != NULL; l++)
		append_list(target, lists[l], json_object_get(add, lists[l]), strcmp(pos, "starting") == 0);
}

/* Applies set-parameters to a params array (of a control or the catalog). */
static void
set_params(json_t *params, json_t *sets)
{
	json_t *prm, *sp;
	size_t i, k;

	json_array_foreach(params, i, prm) {
		const char *id = json_string_value(json_object_get(prm, "id"));

		json_array_foreach(sets, k, sp) {
			const char *pid = json_string_value(json_object_get(sp, "param-id"));
			const char *key;
			json_t *v;

			if (id == NULL || pid == NULL || strcmp(id, pid) != 0)
				continue;
			json_object_foreach(sp, key, v) {
				if (strcmp(key, "param-id") != 0)
					json_object_set(prm, key, v);
			}
		}
	}
}

kj_err
kj_oscal_profile_resolve(struct kj_ctx *ctx, const char *name, json_t *doc,
			 const struct kj_edition *cat, const char *code, struct kj_edition *ed)
{
	struct oparse p = {.ctx = ctx, .name = name, .ed = ed};
	struct kj_jpath path;
	json_t *prof = json_object_get(doc, "profile"), *imports, *imp, *md, *modify, *sets = NULL,
	       *alters = NULL, *catextra = NULL, *extra = NULL;
	static const char *const prof_keys[] = {"uuid", "metadata", "imports", "merge", "modify",
						"back-matter", NULL};
	const char *title;
	char *sel = NULL, *s;
	long *map = NULL;
	size_t i;
	kj_err r;

	kj_buf_init(&p.text, 0);
	kj_jpath_init(&path);
	kj_jpath_key(&path, "profile");
	if ((r = kj_json_allow(ctx, name, &path, prof, prof_keys)) != KJ_OK)
		goto out;
	md = json_object_get(prof, "metadata");
	if (!json_is_object(md)) {
		r = kj_json_fail(ctx, KJ_ERR_INVALID, name, &path, "metadata", "required (an object)");
		goto out;
	}
	{
		size_t m = kj_jpath_key(&path, "metadata");

		if ((r = kj_json_str(ctx, name, &path, md, "title", 1, KJ_MAX_TITLE_BYTES, &title)) != KJ_OK)
			goto out;
		kj_jpath_pop(&path, m);
	}
	imports = json_object_get(prof, "imports");
	if (!json_is_array(imports) || json_array_size(imports) == 0) {
		r = kj_json_fail(ctx, KJ_ERR_INVALID, name, &path, "imports", "required (a non-empty array)");
		goto out;
	}
	sel = calloc(cat->nitems + 1, 1);
	map = malloc((cat->nitems + 1) * sizeof(long));
	if (sel == NULL || map == NULL) {
		r = kj_failf(ctx, KJ_ERR_NOMEM, "out of memory");
		goto out;
	}
	json_array_foreach(imports, i, imp) {
		size_t m = kj_jpath_key(&path, "imports"), m2;

		kj_jpath_index(&path, i);
		if (!json_is_object(imp)) {
			r = kj_json_fail(ctx, KJ_ERR_INVALID, name, &path, NULL, "expected an object");
			goto out;
		}
		if (json_object_get(imp, "include-all") != NULL) {
			size_t k;

			for (k = 0; k < cat->nitems; k++)
				if (strcmp(cat->items[k].kind, "family") != 0)
					sel[k] = 1;
		}
		m2 = kj_jpath_key(&path, "include-controls");
		if ((r = apply_selectors(ctx, name, &path, json_object_get(imp, "include-controls"), cat, sel,
					 1)) != KJ_OK)
			goto out;
		kj_jpath_pop(&path, m2);
		kj_jpath_key(&path, "exclude-controls");
		if ((r = apply_selectors(ctx, name, &path, json_object_get(imp, "exclude-controls"), cat, sel,
					 0)) != KJ_OK)
			goto out;
		kj_jpath_pop(&path, m);
	}
	modify = json_object_get(prof, "modify");
	if (modify != NULL) {
		sets = json_object_get(modify, "set-parameters");
		alters = json_object_get(modify, "alters");
	}

	/* The baseline keeps the catalog's order and families; a selected control whose
	 * parent control is not selected hangs from the nearest kept ancestor. */
	for (i = 0; i < cat->nitems; i++) {
		const struct kj_item *src = &cat->items[i];
		struct kj_item it = *src;
		int keepit = sel[i];

		map[i] = -1;
		if (strcmp(src->kind, "family") == 0) {
			size_t k;

			/* Kept when anything under it is selected: items after it in document
			 * order with it as an ancestor. */
			for (k = i + 1; k < cat->nitems && !keepit; k++) {
				long a;

				for (a = cat->items[k].parent; a >= 0 && a != (long)i; a = cat->items[a].parent)
					;
				if (a == (long)i && sel[k])
					keepit = 1;
			}
		}
		if (!keepit)
			continue;
		it.parent = -1;
		for (long a = src->parent; a >= 0; a = cat->items[a].parent) {
			if (map[a] >= 0) {
				it.parent = map[a];
				break;
			}
		}
		it.depth = it.parent >= 0 ? ed->items[it.parent].depth + 1 : 0;
		if (it.extra != NULL && (sets != NULL || alters != NULL)) {
			json_t *x = json_loads(it.extra, 0, NULL), *al;
			size_t k;

			if (x == NULL) {
				r = kj_failf(ctx, KJ_ERR_INTERNAL, "stored control %s is not JSON", it.number);
				goto out;
			}
			if (sets != NULL)
				set_params(json_object_get(x, "params"), sets);
			json_object_set_new(x, "id", json_string(it.number));
			json_array_foreach(alters, k, al) {
				const char *cid = json_string_value(json_object_get(al, "control-id"));
				json_t *v;
				size_t q;

				if (cid == NULL || strcmp(cid, it.number) != 0)
					continue;
				json_array_foreach(json_object_get(al, "removes"), q, v)
					alter_remove(x, v, 0);
				json_array_foreach(json_object_get(al, "adds"), q, v)
					alter_add(x, v);
			}
			json_object_del(x, "id");
			if (json_object_get(x, "title") != NULL) {
				it.title_en = keep(&p, json_string_value(json_object_get(x, "title")));
				json_object_del(x, "title");
			}
			s = json_dumps(x, JSON_COMPACT | JSON_SORT_KEYS);
			json_decref(x);
			it.extra = s ? keep(&p, s) : NULL;
			free(s);
			if (it.extra == NULL) {
				r = kj_failf(ctx, KJ_ERR_NOMEM, "out of memory");
				goto out;
			}
		} else {
			it.extra = keep(&p, src->extra);
		}
		/* The catalog is freed after resolving: every string moves to ed's arena. */
		it.kind = keep(&p, src->kind);
		it.number = keep(&p, src->number);
		it.title_ja = keep(&p, src->title_ja);
		it.title_en = keep(&p, it.title_en);
		it.text_ja = keep(&p, src->text_ja);
		it.text_en = keep(&p, src->text_en);
		it.level = keep(&p, src->level);
		it.role = keep(&p, src->role);
		it.applies_to = keep(&p, src->applies_to);
		if ((map[i] = kj_edition_add_item(ed, &it)) < 0) {
			r = kj_failf(ctx, KJ_ERR_NOMEM, "out of memory");
			goto out;
		}
	}
	if (ed->nitems == 0) {
		r = kj_failf(ctx, KJ_ERR_INVALID, "%s: the profile selects no control of %s", name, cat->code);
		goto out;
	}

	kj_uuid_v4(ed->uuid);
	ed->code = code != NULL ? kj_arena_strdup(&ed->arena, code) : code_from_name(&ed->arena, name);
	ed->label_en = keep(&p, title);
	ed->source = "oscal-profile";
	ed->supersedes = NULL;
	ed->effective_on = keep(&p, cat->effective_on);
	catextra = cat->extra ? json_loads(cat->extra, 0, NULL) : json_object();
	if (catextra == NULL) {
		r = kj_failf(ctx, KJ_ERR_INTERNAL, "the stored catalog's data is not JSON");
		goto out;
	}
	extra = json_pack("{s:O, s:{s:s?, s:s}}", "metadata", md, "profile", "uuid",
			  json_string_value(json_object_get(prof, "uuid")), "catalog", cat->code);
	if (extra == NULL) {
		r = kj_failf(ctx, KJ_ERR_NOMEM, "out of memory");
		goto out;
	}
	if (json_object_get(catextra, "back-matter") != NULL)
		json_object_set(extra, "back-matter", json_object_get(catextra, "back-matter"));
	if (json_object_get(catextra, "params") != NULL) {
		json_t *cp = json_deep_copy(json_object_get(catextra, "params"));

		if (sets != NULL)
			set_params(cp, sets);
		json_object_set_new(extra, "params", cp);
	}
	s = json_dumps(extra, JSON_COMPACT | JSON_SORT_KEYS);
	ed->extra = s ? keep(&p, s) : NULL;
	free(s);
	if (ed->extra == NULL || ed->code == NULL)
		r = kj_failf(ctx, KJ_ERR_NOMEM, "out of memory");
out:
	json_decref(catextra);
	json_decref(extra);
	free(sel);
	free(map);
	kj_buf_free(&p.text);
	return r;
}

/* ---- Export ------------------------------------------------------------------------ */

/* An OSCAL token for a kijun number: "2.1.1(1)(a)" → "kj-2.1.1_1_a". Letters of any
 * script are allowed in tokens, so Japanese sub-item marks survive. */
static json_t *
token_for(const char *number, struct kj_strmap *used, struct kj_arena *a)
{
	struct kj_buf b;
	const char *c;
	char *t;
	int n = 1;

	kj_buf_init(&b, 0);
	kj_buf_puts(&b, "kj-");
	for (c = number; *c != '\0'; c++) {
		unsigned char u = (unsigned char)*c;

		if ((u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') ||
		    u == '.' || u == '-' || u >= 0x80)
			kj_buf_putc(&b, (char)u);
		else if (u == '(' || u == ' ' || u == '_')
			kj_buf_putc(&b, '_');
		/* ')' and other marks are dropped */
	}
	while (kj_strmap_get(used, kj_buf_cstr(&b)) >= 0 && n < 1000) {
		size_t len = b.len;

		kj_buf_printf(&b, "-%d", ++n);
		if (kj_strmap_get(used, kj_buf_cstr(&b)) < 0)
			break;
		b.len = len;
		b.data[len] = '\0';
	}
	t = kj_arena_strdup(a, kj_buf_cstr(&b));
	kj_buf_free(&b);
	if (t == NULL)
		return NULL;
	kj_strmap_put(used, t, 1);
	return json_string(t);
}

void
kj_oscal_token(const char *number, char *out, size_t size)
{
	const unsigned char *c = (const unsigned char *)number;
	size_t n = 0;
	int token = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || *c == '_';

	for (; token && *c; c++)
		token = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '.' ||
			*c == '-' || *c == '_';
	if (token) {
		kj_strlcpy(out, number, size);
		return;
	}
	if (size < 4)
		return;
	memcpy(out, "kj-", 3);
	n = 3;
	for (c = (const unsigned char *)number; *c && n + 1 < size; c++) {
		if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '.' ||
		    *c == '-' || *c >= 0x80)
			out[n++] = (char)*c;
		else if (*c == '(' || *c == ' ' || *c == '_')
			out[n++] = '_';
	}
	out[n] = '\0';
}

static json_t *
kj_prop(const char *name, const char *value)
{
	return json_pack("{s:s, s:s, s:s}", "name", name, "ns", KJ_NS, "value", value);
}

struct export {
	const struct kj_edition *ed;
	long *first, *next;
	struct kj_strmap used;
	struct kj_arena arena;
	const char **ids;
};

static json_t *export_kijun_item(struct export *x, long i);

static void
add_subitems(struct export *x, long i, json_t *stmt, int depth)
{
	long c;
	json_t *parts = NULL;

	for (c = x->first[i]; c >= 0; c = x->next[c]) {
		const struct kj_item *it = &x->ed->items[c];
		json_t *part, *props;

		if (strcmp(it->kind, "subitem") != 0 || depth > 8)
			continue;
		if (parts == NULL)
			parts = json_array();
		props = json_array();
		json_array_append_new(props, json_pack("{s:s, s:s}", "name", "label", "value", it->number));
		part = json_pack("{s:o, s:s, s:o}", "id", token_for(it->number, &x->used, &x->arena), "name",
				 "item", "props", props);
		json_object_set_new(part, "prose", json_string(it->text_en ? it->text_en : it->text_ja));
		if (it->text_ja != NULL && it->text_en != NULL) {
			json_t *tr = json_pack("{s:s, s:s, s:[o], s:s}", "name", "translation", "ns", KJ_NS,
					       "props", json_pack("{s:s, s:s}", "name", "lang", "value", "ja"),
					       "prose", it->text_ja);

			json_object_set_new(part, "parts", json_pack("[o]", tr));
		}
		add_subitems(x, c, part, depth + 1);
		json_array_append_new(parts, part);
	}
	if (parts != NULL) {
		json_t *have = json_object_get(stmt, "parts");

		if (have != NULL) {
			json_array_extend(have, parts);
			json_decref(parts);
		} else {
			json_object_set_new(stmt, "parts", parts);
		}
	}
}

static json_t *
export_kijun_item(struct export *x, long i)
{
	const struct kj_item *it = &x->ed->items[i];
	json_t *o, *props = json_array(), *kids = json_array();
	int req = kj_item_is_requirement(it->kind);
	const char *title;
	long c;

	title = it->title_en ? it->title_en : it->title_ja ? it->title_ja : it->number;
	o = json_pack("{s:s, s:s}", "id", x->ids[i], "title", title);
	if (!req)
		json_object_set_new(o, "class", json_string(it->kind));
	else
		json_object_set_new(o, "class", json_string(strcmp(it->kind, "measure") == 0
								   ? "example-measure" : "requirement"));
	json_array_append_new(props, json_pack("{s:s, s:s}", "name", "label", "value", it->number));
	json_array_append_new(props, kj_prop("kind", it->kind));
	if (it->title_ja != NULL)
		json_array_append_new(props, kj_prop("title-ja", it->title_ja));
	if (it->level != NULL)
		json_array_append_new(props, kj_prop("level", it->level));
	if (it->role != NULL)
		json_array_append_new(props, kj_prop("role", it->role));
	if (it->applies_to != NULL)
		json_array_append_new(props, kj_prop("applies-to", it->applies_to));
	json_object_set_new(o, "props", props);
	if (req && (it->text_en != NULL || it->text_ja != NULL)) {
		char sid[256];
		json_t *stmt, *parts = json_array();

		snprintf(sid, sizeof(sid), "%s_smt", x->ids[i]);
		stmt = json_pack("{s:s, s:s, s:s}", "id", sid, "name", "statement", "prose",
				 it->text_en ? it->text_en : it->text_ja);
		add_subitems(x, i, stmt, 0);
		json_array_append_new(parts, stmt);
		if (it->text_ja != NULL && it->text_en != NULL)
			json_array_append_new(parts, json_pack("{s:s, s:s, s:[o], s:s}", "name", "translation",
								"ns", KJ_NS, "props",
								json_pack("{s:s, s:s}", "name", "lang", "value", "ja"),
								"prose", it->text_ja));
		json_object_set_new(o, "parts", parts);
	}
	for (c = x->first[i]; c >= 0; c = x->next[c]) {
		if (strcmp(x->ed->items[c].kind, "subitem") == 0)
			continue;
		json_array_append_new(kids, export_kijun_item(x, c));
	}
	if (json_array_size(kids) > 0) {
		/* Headings hold groups or controls; OSCAL groups may not mix freely with
		 * controls at one level in kijun's reading, so controls go under "controls"
		 * and headings under "groups". */
		json_t *groups = json_array(), *ctls = json_array(), *k;
		size_t q;

		json_array_foreach(kids, q, k) {
			const char *cls = json_string_value(json_object_get(k, "class"));

			if (strcmp(cls, "requirement") == 0 || strcmp(cls, "example-measure") == 0)
				json_array_append(ctls, k);
			else
				json_array_append(groups, k);
		}
		if (json_array_size(groups) > 0)
			json_object_set(o, "groups", groups);
		if (json_array_size(ctls) > 0)
			json_object_set(o, "controls", ctls);
		json_decref(groups);
		json_decref(ctls);
	}
	json_decref(kids);
	return o;
}

/* Rebuilds an OSCAL group or control from what import kept. */
static json_t *
export_oscal_item(const struct kj_edition *ed, long i, const long *first, const long *next)
{
	const struct kj_item *it = &ed->items[i];
	json_t *o = it->extra ? json_loads(it->extra, 0, NULL) : json_object();
	json_t *groups = json_array(), *ctls = json_array();
	long c;

	if (o == NULL)
		o = json_object();
	if (it->number[0] != '#')
		json_object_set_new(o, "id", json_string(it->number));
	json_object_set_new(o, "title", json_string(it->title_en ? it->title_en : it->number));
	for (c = first[i]; c >= 0; c = next[c]) {
		json_t *k = export_oscal_item(ed, c, first, next);

		json_array_append_new(strcmp(ed->items[c].kind, "family") == 0 ? groups : ctls, k);
	}
	if (json_array_size(groups) > 0)
		json_object_set(o, "groups", groups);
	if (json_array_size(ctls) > 0)
		json_object_set(o, "controls", ctls);
	json_decref(groups);
	json_decref(ctls);
	return o;
}

json_t *
kj_oscal_catalog_write(const struct kj_edition *ed, const char *now)
{
	struct export x = {.ed = ed};
	json_t *doc = NULL, *cat, *md, *extra = NULL, *groups = json_array(), *ctls = json_array();
	int from_oscal = strcmp(ed->source, "kijun") != 0;
	long *first = malloc((ed->nitems + 1) * sizeof(long));
	long *next = malloc((ed->nitems + 1) * sizeof(long));
	long *last = malloc((ed->nitems + 1) * sizeof(long));
	size_t i;

	kj_strmap_init(&x.used);
	kj_arena_init(&x.arena);
	x.ids = calloc(ed->nitems + 1, sizeof(*x.ids));
	if (first == NULL || next == NULL || last == NULL || x.ids == NULL)
		goto out;
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
	x.first = first;
	x.next = next;
	extra = ed->extra ? json_loads(ed->extra, 0, NULL) : NULL;
	if (extra == NULL)
		extra = json_object();
	if (from_oscal && json_is_object(json_object_get(extra, "metadata"))) {
		md = json_deep_copy(json_object_get(extra, "metadata"));
	} else {
		md = json_pack("{s:s, s:s}", "title", ed->label_en ? ed->label_en : ed->label_ja, "version",
			       ed->code);
		if (!from_oscal) {
			json_t *props = json_array();

			if (ed->label_ja != NULL)
				json_array_append_new(props, kj_prop("title-ja", ed->label_ja));
			if (ed->decided_on != NULL)
				json_array_append_new(props, kj_prop("decided-on", ed->decided_on));
			if (ed->effective_on != NULL)
				json_array_append_new(props, kj_prop("effective-on", ed->effective_on));
			if (ed->supersedes != NULL)
				json_array_append_new(props, kj_prop("supersedes", ed->supersedes));
			if (json_array_size(props) > 0)
				json_object_set_new(md, "props", props);
			else
				json_decref(props);
		}
	}
	json_object_set_new(md, "last-modified", json_string(now));
	json_object_set_new(md, "oscal-version", json_string("1.0.6"));
	if (!from_oscal) {
		for (i = 0; i < ed->nitems; i++) {
			json_t *t = token_for(ed->items[i].number, &x.used, &x.arena);

			x.ids[i] = t ? kj_arena_strdup(&x.arena, json_string_value(t)) : "kj-x";
			json_decref(t);
		}
	}
	for (i = 0; i < ed->nitems; i++) {
		json_t *k;

		if (ed->items[i].parent >= 0)
			continue;
		k = from_oscal ? export_oscal_item(ed, (long)i, first, next) : export_kijun_item(&x, (long)i);
		if (from_oscal)
			json_array_append_new(strcmp(ed->items[i].kind, "family") == 0 ? groups : ctls, k);
		else
			json_array_append_new(kj_item_is_requirement(ed->items[i].kind) ? ctls : groups, k);
	}
	cat = json_pack("{s:s, s:o}", "uuid", ed->uuid, "metadata", md);
	if (cat == NULL)
		goto out;
	if (from_oscal && json_object_get(extra, "params") != NULL)
		json_object_set(cat, "params", json_object_get(extra, "params"));
	if (json_array_size(ctls) > 0)
		json_object_set(cat, "controls", ctls);
	if (json_array_size(groups) > 0)
		json_object_set(cat, "groups", groups);
	if (from_oscal && json_object_get(extra, "back-matter") != NULL)
		json_object_set(cat, "back-matter", json_object_get(extra, "back-matter"));
	doc = json_pack("{s:o}", "catalog", cat);
out:
	json_decref(extra);
	json_decref(groups);
	json_decref(ctls);
	free(first);
	free(next);
	free(last);
	free(x.ids);
	kj_strmap_free(&x.used);
	kj_arena_free(&x.arena);
	return doc;
}
