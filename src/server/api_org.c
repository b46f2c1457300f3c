/*
 * api_org.c: organisations over HTTP.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "base/util.h"
#include "model/org.h"

static void
reply_org(struct kj_req *rq, int status, const struct kj_org *o)
{
	char path[1024], loc[256];
	struct kj_org_state *h = NULL;
	size_t nh = 0, i;
	json_t *j = kj_org_to_json(o), *a;
	kj_err r;

	if ((r = kj_org_path(&rq->ctx, o, path, sizeof(path))) != KJ_OK ||
	    (r = kj_org_history(&rq->ctx, o, &h, &nh)) != KJ_OK) {
		json_decref(j);
		kj_reply_fail(rq, r);
		return;
	}
	json_object_set_new(j, "path", json_string(path));
	a = json_array();
	for (i = 0; i < nh; i++)
		json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s?, s:s?}", "change", h[i].change,
						   "valid_from", h[i].valid_from, "valid_to", h[i].valid_to, "code",
						   h[i].code, "name_ja", h[i].name_ja, "name_en", h[i].name_en, "parent",
						   h[i].parent_code[0] ? h[i].parent_code : NULL, "supervisor",
						   h[i].supervisor_code[0] ? h[i].supervisor_code : NULL));
	free(h);
	json_object_set_new(j, "history", a);
	kj_reply_json(rq, status, j);
	kj_reply_etag(rq, o->version);
	if (status == 201) {
		snprintf(loc, sizeof(loc), "/api/v1/orgs/%s", o->code);
		kj_reply_header(rq, "Location", loc);
	}
}

void
api_org_list(struct kj_req *rq)
{
	struct kj_org_list l;
	const char *under = kj_req_query(rq, "under");
	const char *kind = kj_req_query(rq, "kind");
	const char *q = kj_req_query(rq, "q");
	const char *all = kj_req_query(rq, "include_abolished");
	const char *cursor = kj_req_query(rq, "cursor");
	int64_t start = 0;
	int limit, n = 0;
	size_t i;
	json_t *items;
	char next[32];
	kj_err r;

	if (kj_req_limit(rq, &limit) != 0)
		return;
	if (cursor != NULL && kj_cursor_decode(cursor, &start) != 0) {
		kj_reply_error(rq, KJ_ERR_INVALID, "cursor: not one this server gave");
		return;
	}
	if (kind != NULL && !kj_org_kind_valid(kind)) {
		kj_reply_error(rq, KJ_ERR_INVALID, "kind: expected centre, ministry, bureau, division, agency or corporation");
		return;
	}
	if (all != NULL && strcmp(all, "true") != 0 && strcmp(all, "false") != 0) {
		kj_reply_error(rq, KJ_ERR_INVALID, "include_abolished: expected true or false");
		return;
	}
	r = kj_org_list(&rq->ctx, under, all != NULL && strcmp(all, "true") == 0, &l);
	if (r != KJ_OK) {
		kj_reply_fail(rq, r);
		return;
	}
	/* The cursor is the position in the tree-ordered listing. */
	items = json_array();
	for (i = (size_t)start; i < l.n && n < limit; i++) {
		json_t *j;

		if (kind != NULL && strcmp(l.v[i].kind, kind) != 0)
			continue;
		if (q != NULL && strstr(l.v[i].name_ja, q) == NULL && strstr(l.v[i].name_en, q) == NULL &&
		    strstr(l.v[i].code, q) == NULL)
			continue;
		j = kj_org_to_json(&l.v[i]);
		json_object_set_new(j, "depth", json_integer(l.v[i].depth));
		json_array_append_new(items, j);
		n++;
	}
	/* Skip to the next match, so the cursor is null exactly when nothing follows. */
	for (; i < l.n; i++) {
		if ((kind == NULL || strcmp(l.v[i].kind, kind) == 0) &&
		    (q == NULL || strstr(l.v[i].name_ja, q) || strstr(l.v[i].name_en, q) || strstr(l.v[i].code, q)))
			break;
	}
	kj_cursor_encode((int64_t)i, next);
	kj_reply_json(rq, 200, json_pack("{s:o, s:s?}", "items", items, "next_cursor", i < l.n ? next : NULL));
	kj_org_list_free(&l);
}

static int
strings_only(struct kj_req *rq, json_t *j)
{
	const char *k;
	json_t *v;

	json_object_foreach(j, k, v) {
		if (!json_is_string(v)) {
			char m[128];

			snprintf(m, sizeof(m), "%.60s: expected a string", k);
			kj_reply_error(rq, KJ_ERR_INVALID, m);
			return -1;
		}
	}
	return 0;
}

void
api_org_create(struct kj_req *rq)
{
	static const char *const allowed[] = {"kind", "code", "name_ja", "name_en", "parent", "supervisor",
					      "valid_from", NULL};
	struct kj_org_new in;
	struct kj_org o;
	json_t *j = kj_req_json(rq, allowed);
	kj_err r;

	if (j == NULL || strings_only(rq, j) != 0) {
		json_decref(j);
		return;
	}
	memset(&in, 0, sizeof(in));
	in.kind = api_json_str(j, "kind");
	in.code = api_json_str(j, "code");
	in.name_ja = api_json_str(j, "name_ja");
	in.name_en = api_json_str(j, "name_en");
	in.parent = api_json_str(j, "parent");
	in.supervisor = api_json_str(j, "supervisor");
	in.valid_from = api_json_str(j, "valid_from");
	r = kj_org_create(&rq->ctx, &in, &o);
	json_decref(j);
	if (r != KJ_OK) {
		kj_reply_fail(rq, r);
		return;
	}
	reply_org(rq, 201, &o);
}

void
api_org_get(struct kj_req *rq)
{
	struct kj_org o;
	kj_err r = kj_org_get(&rq->ctx, rq->params[0], &o);

	if (r != KJ_OK) {
		kj_reply_fail(rq, r);
		return;
	}
	reply_org(rq, 200, &o);
}

void
api_org_patch(struct kj_req *rq)
{
	static const char *const allowed[] = {"code", "name_ja", "name_en", "parent", "supervisor", "date", NULL};
	struct kj_org o;
	json_t *j;
	int renames, moves;
	kj_err r;

	if ((r = kj_org_get(&rq->ctx, rq->params[0], &o)) != KJ_OK) {
		kj_reply_fail(rq, r);
		return;
	}
	if ((j = kj_req_json(rq, allowed)) == NULL)
		return;
	if (strings_only(rq, j) != 0) {
		json_decref(j);
		return;
	}
	renames = api_json_str(j, "code") || api_json_str(j, "name_ja") || api_json_str(j, "name_en");
	moves = api_json_str(j, "parent") || api_json_str(j, "supervisor");
	if (renames == moves) {
		json_decref(j);
		kj_reply_error(rq, KJ_ERR_INVALID,
			       "body: either a rename (code, name_ja, name_en) or a move (parent, supervisor), with a date");
		return;
	}
	if (kj_req_if_match(rq, o.version) != 0) {
		json_decref(j);
		return;
	}
	if (renames)
		r = kj_org_rename(&rq->ctx, o.code, api_json_str(j, "code"), api_json_str(j, "name_ja"), api_json_str(j, "name_en"), api_json_str(j, "date"), &o);
	else
		r = kj_org_move(&rq->ctx, o.code, api_json_str(j, "parent"), api_json_str(j, "supervisor"), api_json_str(j, "date"), &o);
	json_decref(j);
	if (r != KJ_OK) {
		kj_reply_fail(rq, r);
		return;
	}
	reply_org(rq, 200, &o);
}

void
api_org_abolish(struct kj_req *rq)
{
	static const char *const allowed[] = {"date", "successor", NULL};
	struct kj_org o;
	json_t *j;
	kj_err r;

	if ((r = kj_org_get(&rq->ctx, rq->params[0], &o)) != KJ_OK) {
		kj_reply_fail(rq, r);
		return;
	}
	if (rq->body.len > 0) {
		if ((j = kj_req_json(rq, allowed)) == NULL)
			return;
		if (strings_only(rq, j) != 0) {
			json_decref(j);
			return;
		}
	} else {
		j = json_object();
	}
	if (kj_req_if_match(rq, o.version) != 0) {
		json_decref(j);
		return;
	}
	r = kj_org_abolish(&rq->ctx, o.code, api_json_str(j, "date"), api_json_str(j, "successor"), &o);
	json_decref(j);
	if (r != KJ_OK) {
		kj_reply_fail(rq, r);
		return;
	}
	reply_org(rq, 200, &o);
}
