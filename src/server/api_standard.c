/*
 * api_standard.c: editions of the standard, their items, exports and diffs over HTTP.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "base/util.h"
#include "engine/diff.h"
#include "formats/catalog.h"
#include "model/access.h"
#include "model/standard.h"

static json_t *
info_json(const struct kj_edition_info *e)
{
	return json_pack("{s:s, s:s, s:s?, s:s?, s:s?, s:s?, s:s?, s:s, s:I, s:I, s:s}", "id", e->code, "uuid",
			 e->uuid, "label_ja", e->label_ja, "label_en", e->label_en, "decided_on", e->decided_on,
			 "effective_on", e->effective_on, "supersedes", e->supersedes, "source", e->source, "items",
			 (json_int_t)e->nitems, "requirements", (json_int_t)e->nrequirements, "imported_at",
			 e->imported_at);
}

struct list_state {
	json_t *items;
	const char *want;	/* one edition, or NULL for all */
	int64_t skip, seen;
	int limit;
	int more;
};

static int
one_edition(void *arg, const struct kj_edition_info *e)
{
	struct list_state *ls = arg;

	if (ls->want != NULL) {
		if (strcmp(e->code, ls->want) == 0 || strcmp(e->uuid, ls->want) == 0) {
			ls->items = info_json(e);
			return 1;
		}
		return 0;
	}
	if (ls->seen++ < ls->skip)
		return 0;
	if ((int)json_array_size(ls->items) >= ls->limit) {
		ls->more = 1;
		return 1;
	}
	json_array_append_new(ls->items, info_json(e));
	return 0;
}

void
api_edition_list(struct kj_req *rq)
{
	struct list_state ls = {0};
	const char *cursor = kj_req_query(rq, "cursor");
	char next[32];
	kj_err r;

	if (kj_req_limit(rq, &ls.limit) != 0)
		return;
	if (cursor != NULL && kj_cursor_decode(cursor, &ls.skip) != 0) {
		kj_reply_error(rq, KJ_ERR_INVALID, "cursor: not one this server gave");
		return;
	}
	ls.items = json_array();
	if ((r = kj_edition_list(&rq->ctx, one_edition, &ls)) != KJ_OK) {
		json_decref(ls.items);
		kj_reply_fail(rq, r);
		return;
	}
	kj_cursor_encode(ls.skip + (int64_t)json_array_size(ls.items), next);
	kj_reply_json(rq, 200, json_pack("{s:o, s:s?}", "items", ls.items, "next_cursor", ls.more ? next : NULL));
}

void
api_edition_get(struct kj_req *rq)
{
	struct list_state ls = {0};
	kj_err r;

	ls.want = rq->params[0];
	if ((r = kj_edition_list(&rq->ctx, one_edition, &ls)) != KJ_OK) {
		kj_reply_fail(rq, r);
		return;
	}
	if (ls.items == NULL) {
		kj_reply_error(rq, KJ_ERR_NOT_FOUND, "no such edition");
		return;
	}
	kj_reply_json(rq, 200, ls.items);
}

void
api_edition_import(struct kj_req *rq)
{
	struct kj_import_opts io;
	char code[128], loc[256];
	size_t nitems = 0;
	kj_err r;

	io.code = kj_req_query(rq, "id");
	io.catalog = kj_req_query(rq, "catalog");
	if (rq->body.len == 0) {
		kj_reply_error(rq, KJ_ERR_INVALID, "body: expected a catalogue (kijun JSON, OSCAL catalog or profile)");
		return;
	}
	r = kj_standard_import_mem(&rq->ctx, "body", kj_buf_cstr(&rq->body), rq->body.len, &io, code, sizeof(code),
				   &nitems);
	if (r != KJ_OK) {
		kj_reply_fail(rq, r);
		return;
	}
	snprintf(loc, sizeof(loc), "/api/v1/editions/%s", code);
	kj_reply_json(rq, 201, json_pack("{s:s, s:I}", "id", code, "items", (json_int_t)nitems));
	kj_reply_header(rq, "Location", loc);
}

void
api_edition_export(struct kj_req *rq)
{
	const char *fmt = kj_req_query(rq, "format");
	struct kj_edition ed;
	char now[21];
	json_t *doc;
	kj_err r;

	if (fmt == NULL)
		fmt = "kijun";
	if (strcmp(fmt, "kijun") != 0 && strcmp(fmt, "oscal") != 0) {
		kj_reply_error(rq, KJ_ERR_INVALID, "format: expected kijun or oscal");
		return;
	}
	kj_edition_init(&ed);
	if ((r = kj_edition_load(&rq->ctx, rq->params[0], &ed)) != KJ_OK) {
		kj_edition_free(&ed);
		kj_reply_fail(rq, r);
		return;
	}
	kj_time_format(kj_now(&rq->ctx), now);
	doc = strcmp(fmt, "oscal") == 0 ? kj_oscal_catalog_write(&ed, now) : kj_kijun_catalog_write(&ed);
	kj_edition_free(&ed);
	kj_reply_json(rq, 200, doc);
}

static json_t *
item_json(const struct kj_item *it)
{
	json_t *j = json_pack("{s:s, s:s, s:i}", "kind", it->kind, "number", it->number, "depth", it->depth);

	if (j == NULL)
		return NULL;
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
	json_object_set_new(j, "parent", it->parent_number ? json_string(it->parent_number) : json_null());
	if (it->applies_to != NULL)
		json_object_set_new(j, "applies_to", json_loads(it->applies_to, 0, NULL));
	return j;
}

struct items_state {
	json_t *items;
	int64_t last;
	int limit, more;
};

static int
one_item(void *arg, const struct kj_item *it, int64_t seq)
{
	struct items_state *is = arg;

	if ((int)json_array_size(is->items) >= is->limit) {
		is->more = 1;
		return 1;
	}
	json_array_append_new(is->items, item_json(it));
	is->last = seq;
	return 0;
}

void
api_item_list(struct kj_req *rq)
{
	struct kj_item_filter f;
	struct items_state is = {0};
	const char *cursor = kj_req_query(rq, "cursor");
	char next[32];
	kj_err r;

	memset(&f, 0, sizeof(f));
	if (kj_req_limit(rq, &is.limit) != 0)
		return;
	if (cursor != NULL && kj_cursor_decode(cursor, &f.after) != 0) {
		kj_reply_error(rq, KJ_ERR_INVALID, "cursor: not one this server gave");
		return;
	}
	f.kind = kj_req_query(rq, "kind");
	f.parent = kj_req_query(rq, "parent");
	f.level = kj_req_query(rq, "level");
	f.role = kj_req_query(rq, "role");
	f.q = kj_req_query(rq, "q");
	if (f.q != NULL && strlen(f.q) > 200) {
		kj_reply_error(rq, KJ_ERR_INVALID, "q: at most 200 bytes");
		return;
	}
	f.limit = is.limit + 1;	/* one more, to know whether a next page exists */
	is.items = json_array();
	if ((r = kj_item_list(&rq->ctx, rq->params[0], &f, one_item, &is)) != KJ_OK) {
		json_decref(is.items);
		kj_reply_fail(rq, r);
		return;
	}
	kj_cursor_encode(is.last, next);
	kj_reply_json(rq, 200, json_pack("{s:o, s:s?}", "items", is.items, "next_cursor", is.more ? next : NULL));
}

/* Editions never change once imported, and their codes are never reused, so the reply for
 * an item can be kept: each worker thread holds a small direct-mapped cache of item
 * replies, which every server of a cluster may hold alike without disagreeing. Only
 * found items are kept; access is still decided per request. */
#define ITEM_CACHE 512

struct item_cached {
	char *key;		/* "EDITION\nNUMBER" */
	char *body;
	size_t len;
};

/* Each worker thread's cache, registered so that the server's stop can free them all
 * (the threads end with the server and have no hook of their own). */
static pthread_mutex_t caches_lock = PTHREAD_MUTEX_INITIALIZER;
static struct item_cached *caches[256];
static size_t ncaches;
static __thread struct item_cached *item_cache;

static struct item_cached *
thread_cache(void)
{
	if (item_cache != NULL)
		return item_cache;
	pthread_mutex_lock(&caches_lock);
	if (ncaches < sizeof(caches) / sizeof(caches[0]) && (item_cache = calloc(ITEM_CACHE, sizeof(*item_cache))) != NULL)
		caches[ncaches++] = item_cache;
	pthread_mutex_unlock(&caches_lock);
	return item_cache;
}

void
api_item_cache_free(void)
{
	size_t i, k;

	pthread_mutex_lock(&caches_lock);
	for (i = 0; i < ncaches; i++) {
		for (k = 0; k < ITEM_CACHE; k++) {
			free(caches[i][k].key);
			free(caches[i][k].body);
		}
		free(caches[i]);
	}
	ncaches = 0;
	pthread_mutex_unlock(&caches_lock);
}

static uint64_t
key_hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

void
api_item_get(struct kj_req *rq)
{
	struct kj_edition ed;
	struct item_cached *slot;
	json_t *j, *kids;
	char key[300], *copy;
	size_t i;
	kj_err r;

	if ((r = kj_access_require(&rq->ctx, KJ_PERM_STANDARD_READ, 0)) != KJ_OK) {
		kj_reply_fail(rq, r);
		return;
	}
	snprintf(key, sizeof(key), "%.140s\n%.140s", rq->params[0], rq->params[1]);
	slot = thread_cache() ? &item_cache[key_hash(key) % ITEM_CACHE] : NULL;
	if (slot != NULL && slot->key != NULL && strcmp(slot->key, key) == 0 && (copy = malloc(slot->len + 1)) != NULL) {
		memcpy(copy, slot->body, slot->len + 1);
		kj_reply_raw(rq, 200, "application/json; charset=utf-8", copy, slot->len);
		return;
	}
	kj_edition_init(&ed);
	if ((r = kj_item_get(&rq->ctx, rq->params[0], rq->params[1], &ed)) != KJ_OK) {
		kj_edition_free(&ed);
		kj_reply_fail(rq, r);
		return;
	}
	j = item_json(&ed.items[0]);
	json_object_set_new(j, "edition", json_string(ed.code));
	kids = json_array();
	for (i = 1; i < ed.nitems; i++)
		json_array_append_new(kids, json_pack("{s:s, s:s}", "kind", ed.items[i].kind, "number", ed.items[i].number));
	json_object_set_new(j, "children", kids);
	kj_edition_free(&ed);
	kj_reply_json(rq, 200, j);
	if (slot != NULL && rq->status == 200 && rq->resp != NULL) {
		char *k = strdup(key), *b = malloc(rq->resp_len + 1);

		if (k != NULL && b != NULL) {
			memcpy(b, rq->resp, rq->resp_len);
			b[rq->resp_len] = '\0';
			free(slot->key);
			free(slot->body);
			slot->key = k;
			slot->body = b;
			slot->len = rq->resp_len;
		} else {
			free(k);
			free(b);
		}
	}
}

void
api_diff(struct kj_req *rq)
{
	const char *old = kj_req_query(rq, "old"), *nw = kj_req_query(rq, "new");
	const char *table = kj_req_query(rq, "table"), *same = kj_req_query(rq, "include_same");
	struct kj_edition a, b;
	struct kj_diff d;
	int use = 1;
	kj_err r;

	if (old == NULL || nw == NULL) {
		kj_reply_error(rq, KJ_ERR_INVALID, "old, new: both editions are required");
		return;
	}
	if (table != NULL) {
		if (strcmp(table, "auto") == 0)
			use = 1;
		else if (strcmp(table, "no") == 0)
			use = 0;
		else if (strcmp(table, "yes") == 0)
			use = 2;
		else {
			kj_reply_error(rq, KJ_ERR_INVALID, "table: expected auto, yes or no");
			return;
		}
	}
	kj_edition_init(&a);
	kj_edition_init(&b);
	r = kj_edition_load(&rq->ctx, old, &a);
	if (r == KJ_OK)
		r = kj_edition_load(&rq->ctx, nw, &b);
	if (r == KJ_OK)
		r = kj_diff_editions(&rq->ctx, &a, &b, use, &d);
	if (r != KJ_OK) {
		kj_edition_free(&a);
		kj_edition_free(&b);
		kj_reply_fail(rq, r);
		return;
	}
	kj_reply_json(rq, 200, kj_diff_to_json(&d, &a, &b, same != NULL && strcmp(same, "true") == 0));
	kj_diff_free(&d);
	kj_edition_free(&a);
	kj_edition_free(&b);
}
