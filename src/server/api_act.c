/*
 * api_act.c: improving the standard over HTTP (model/act.h): proposals for the next
 * edition (/api/v1/proposals), publishing an edition and reading its impact per
 * organisation (/api/v1/editions/{edition}/publish and /impact), and emergency directives
 * (/api/v1/directives, /api/v1/overdue-directives). Bodies are checked for their members
 * here; the rules are the model's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "base/limits.h"
#include "model/act.h"

/* Replies 400 with "field: why" and frees j. */
static void
bad_member(struct kj_req *rq, json_t *j, const char *field, const char *why)
{
	char msg[160];

	snprintf(msg, sizeof(msg), "%s: %s", field, why);
	json_decref(j);
	kj_reply_error(rq, KJ_ERR_INVALID, msg);
}

/* The members of j named in strings that are present and not strings (null counts as
 * absent), or NULL when all are fine. */
static const char *
not_string(json_t *j, const char *const *strings)
{
	size_t i;

	for (i = 0; strings[i] != NULL; i++) {
		json_t *v = json_object_get(j, strings[i]);

		if (v != NULL && !json_is_null(v) && !json_is_string(v))
			return strings[i];
	}
	return NULL;
}

/* The array member key of j as borrowed strings in a fresh array (*n of them; NULL when
 * absent or empty); -1 when it is present but not an array of strings. */
static int
string_list(json_t *j, const char *key, const char ***out, size_t *n)
{
	json_t *a = json_object_get(j, key), *v;
	size_t i;

	*out = NULL;
	*n = 0;
	if (a == NULL || json_is_null(a))
		return 0;
	if (!json_is_array(a) || json_array_size(a) > KJ_MAX_CAMPAIGN_ITEMS)
		return -1;
	json_array_foreach(a, i, v) {
		if (!json_is_string(v))
			return -1;
	}
	if (json_array_size(a) == 0)
		return 0;
	if ((*out = calloc(json_array_size(a), sizeof(**out))) == NULL)
		return -1;
	json_array_foreach(a, i, v) (*out)[i] = json_string_value(v);
	*n = json_array_size(a);
	return 0;
}

/* When r is KJ_OK, reads code back with get and replies it with status, with a Location of
 * prefix and code when prefix is given; else replies the failure. */
static void
read_back(struct kj_req *rq, kj_err r, kj_err (*get)(struct kj_ctx *, const char *, json_t **), const char *code,
	  int status, const char *prefix)
{
	json_t *out = NULL;
	char loc[160];

	if (r == KJ_OK)
		r = get(&rq->ctx, code, &out);
	if (r != KJ_OK) {
		kj_reply_fail(rq, r);
		return;
	}
	kj_reply_json(rq, status, out);
	if (prefix != NULL) {
		snprintf(loc, sizeof(loc), "%s%s", prefix, code);
		kj_reply_header(rq, "Location", loc);
	}
}

/* ---- Proposals ------------------------------------------------------------------------- */

void
api_proposal_list(struct kj_req *rq)
{
	const char *after;
	json_t *items = NULL;
	int limit, more = 0;
	kj_err r;

	if (api_code_page_args(rq, &after, &limit) != 0)
		return;
	r = kj_proposal_list(&rq->ctx, kj_req_query(rq, "status"), kj_req_query(rq, "edition"), after, limit, &items, &more);
	api_reply_code_page(rq, r, items, more);
}

/* The evidence of a proposal's body into a fresh array (*n entries), or -1 having replied. */
static int
evidence_body(struct kj_req *rq, json_t *j, struct kj_evidence_new **out, size_t *n)
{
	static const char *const allowed[] = {"kind", "ref", "fiscal_year", "note", NULL};
	static const char *const strings[] = {"kind", "ref", "note", NULL};
	json_t *a = json_object_get(j, "evidence"), *e, *fy;
	char field[48];
	size_t i, k;

	*out = NULL;
	*n = 0;
	if (a == NULL || json_is_null(a))
		return 0;
	if (!json_is_array(a) || json_array_size(a) > 1000) {
		bad_member(rq, j, "evidence", "expected an array of {kind, ref, fiscal_year, note}");
		return -1;
	}
	if (json_array_size(a) == 0)
		return 0;
	if ((*out = calloc(json_array_size(a), sizeof(**out))) == NULL) {
		json_decref(j);
		kj_reply_error(rq, KJ_ERR_NOMEM, "out of memory");
		return -1;
	}
	json_array_foreach(a, i, e) {
		const char *key, *bad = NULL;
		json_t *v;

		snprintf(field, sizeof(field), "evidence[%zu]", i);
		if (!json_is_object(e)) {
			free(*out);
			bad_member(rq, j, field, "expected an object {kind, ref, fiscal_year, note}");
			return -1;
		}
		json_object_foreach(e, key, v) {
			for (k = 0; allowed[k] != NULL && strcmp(allowed[k], key) != 0; k++)
				;
			if (allowed[k] == NULL && bad == NULL)
				bad = "unknown member; expected kind, ref, fiscal_year, note";
		}
		fy = json_object_get(e, "fiscal_year");
		if (bad == NULL && not_string(e, strings) != NULL)
			bad = "kind, ref and note are strings";
		if (bad == NULL && fy != NULL && !json_is_null(fy) &&
		    (!json_is_integer(fy) || json_integer_value(fy) < 1 || json_integer_value(fy) > 9999))
			bad = "fiscal_year is a year such as 2024";
		if (bad != NULL) {
			free(*out);
			bad_member(rq, j, field, bad);
			return -1;
		}
		(*out)[i] = (struct kj_evidence_new){.kind = api_json_str(e, "kind"), .ref = api_json_str(e, "ref"),
						     .note = api_json_str(e, "note"),
						     .fiscal_year = json_is_integer(fy) ? (int)json_integer_value(fy) : 0};
	}
	*n = json_array_size(a);
	return 0;
}

void
api_proposal_create(struct kj_req *rq)
{
	static const char *const allowed[] = {"code", "org", "edition", "kind", "item", "text_ja", "text_en",
					      "rationale", "evidence", NULL};
	static const char *const strings[] = {"code", "org", "edition", "kind", "item", "text_ja", "text_en", "rationale", NULL};
	struct kj_proposal_new in;
	json_t *j = kj_req_json(rq, allowed);
	struct kj_evidence_new *ev = NULL;
	const char *bad;
	char uuid[37];
	kj_err r;

	if (j == NULL)
		return;
	if ((bad = not_string(j, strings)) != NULL) {
		bad_member(rq, j, bad, "expected a string");
		return;
	}
	memset(&in, 0, sizeof(in));
	if (evidence_body(rq, j, &ev, &in.nevidence) != 0)
		return;
	in.code = api_json_str(j, "code");
	in.org = api_json_str(j, "org");
	in.edition = api_json_str(j, "edition");
	in.kind = api_json_str(j, "kind");
	in.item = api_json_str(j, "item");
	in.text_ja = api_json_str(j, "text_ja");
	in.text_en = api_json_str(j, "text_en");
	in.rationale = api_json_str(j, "rationale");
	in.evidence = ev;
	r = kj_proposal_create(&rq->ctx, &in, uuid);
	free(ev);
	read_back(rq, r, kj_proposal_get, in.code, 201, "/api/v1/proposals/");
	json_decref(j);
}

void
api_proposal_get(struct kj_req *rq)
{
	read_back(rq, KJ_OK, kj_proposal_get, rq->params[0], 200, NULL);
}

void
api_proposal_status(struct kj_req *rq)
{
	static const char *const allowed[] = {"status", "edition", "note", NULL};
	json_t *j = kj_req_json(rq, allowed);
	const char *bad;
	kj_err r;

	if (j == NULL)
		return;
	if ((bad = not_string(j, allowed)) != NULL || api_json_str(j, "status") == NULL) {
		bad_member(rq, j, bad != NULL ? bad : "status", "expected submitted, accepted, rejected or adopted");
		return;
	}
	r = kj_proposal_set_status(&rq->ctx, rq->params[0], api_json_str(j, "status"), api_json_str(j, "edition"),
				   api_json_str(j, "note"));
	read_back(rq, r, kj_proposal_get, rq->params[0], 200, NULL);
	json_decref(j);
}

/* ---- Publishing an edition ------------------------------------------------------------- */

void
api_edition_publish(struct kj_req *rq)
{
	static const char *const allowed[] = {"revise_by", NULL};
	json_t *j = kj_req_json(rq, allowed), *out = NULL;
	kj_err r;

	if (j == NULL)
		return;
	if (api_json_str(j, "revise_by") == NULL) {
		bad_member(rq, j, "revise_by", "required, a date YYYY-MM-DD");
		return;
	}
	r = kj_edition_publish(&rq->ctx, rq->params[0], api_json_str(j, "revise_by"), &out);
	api_reply_result(rq, r, 201, out);
	json_decref(j);
}

void
api_edition_impact(struct kj_req *rq)
{
	json_t *j = NULL;
	kj_err r = kj_edition_impact(&rq->ctx, rq->params[0], kj_req_query(rq, "org"), &j);

	api_reply_result(rq, r, 200, j);
}

void
api_edition_impact_ack(struct kj_req *rq)
{
	json_t *j = NULL;
	kj_err r = kj_edition_impact_ack(&rq->ctx, rq->params[0], rq->params[1]);

	if (r == KJ_OK)
		r = kj_edition_impact(&rq->ctx, rq->params[0], rq->params[1], &j);
	api_reply_result(rq, r, 200, j);
}

/* ---- Emergency directives -------------------------------------------------------------- */

void
api_directive_list(struct kj_req *rq)
{
	const char *after;
	json_t *items = NULL;
	int limit, more = 0;
	kj_err r;

	if (api_code_page_args(rq, &after, &limit) != 0)
		return;
	r = kj_directive_list(&rq->ctx, after, limit, &items, &more);
	api_reply_code_page(rq, r, items, more);
}

void
api_directive_issue(struct kj_req *rq)
{
	static const char *const allowed[] = {"code", "title_ja", "title_en", "text_ja", "text_en", "due_on", "orgs", "kinds", NULL};
	static const char *const strings[] = {"code", "title_ja", "title_en", "text_ja", "text_en", "due_on", NULL};
	struct kj_directive_new in;
	json_t *j = kj_req_json(rq, allowed);
	const char **orgs = NULL, **kinds = NULL, *bad;
	char uuid[37];
	kj_err r;

	if (j == NULL)
		return;
	memset(&in, 0, sizeof(in));
	if ((bad = not_string(j, strings)) != NULL) {
		bad_member(rq, j, bad, "expected a string");
		return;
	}
	if (string_list(j, "orgs", &orgs, &in.norgs) != 0) {
		bad_member(rq, j, "orgs", "expected an array of organisation codes");
		return;
	}
	if (string_list(j, "kinds", &kinds, &in.nkinds) != 0) {
		free(orgs);
		bad_member(rq, j, "kinds", "expected an array of ministry, agency, corporation");
		return;
	}
	in.code = api_json_str(j, "code");
	in.title_ja = api_json_str(j, "title_ja");
	in.title_en = api_json_str(j, "title_en");
	in.text_ja = api_json_str(j, "text_ja");
	in.text_en = api_json_str(j, "text_en");
	in.due_on = api_json_str(j, "due_on");
	in.orgs = orgs;
	in.kinds = kinds;
	r = kj_directive_issue(&rq->ctx, &in, uuid, NULL);
	free(orgs);
	free(kinds);
	read_back(rq, r, kj_directive_get, in.code, 201, "/api/v1/directives/");
	json_decref(j);
}

void
api_directive_get(struct kj_req *rq)
{
	read_back(rq, KJ_OK, kj_directive_get, rq->params[0], 200, NULL);
}

void
api_directive_status(struct kj_req *rq)
{
	static const char *const allowed[] = {"status", NULL};
	json_t *j = kj_req_json(rq, allowed);
	kj_err r;

	if (j == NULL)
		return;
	if (api_json_str(j, "status") == NULL) {
		bad_member(rq, j, "status", "expected closed or withdrawn");
		return;
	}
	r = kj_directive_set_status(&rq->ctx, rq->params[0], api_json_str(j, "status"));
	read_back(rq, r, kj_directive_get, rq->params[0], 200, NULL);
	json_decref(j);
}

/* An acknowledgement (complete 0, no body) or a completion (1, body {note} optional). */
static void
target_answer(struct kj_req *rq, int complete)
{
	static const char *const allowed[] = {"note", NULL};
	json_t *j = NULL;
	kj_err r;

	if (complete && rq->body.len > 0) {
		if ((j = kj_req_json(rq, allowed)) == NULL)
			return;
		if (not_string(j, allowed) != NULL) {
			bad_member(rq, j, "note", "expected a string");
			return;
		}
	}
	r = complete ? kj_directive_complete(&rq->ctx, rq->params[0], rq->params[1], api_json_str(j, "note"))
		     : kj_directive_ack(&rq->ctx, rq->params[0], rq->params[1]);
	read_back(rq, r, kj_directive_get, rq->params[0], 200, NULL);
	json_decref(j);
}

void
api_directive_ack(struct kj_req *rq)
{
	target_answer(rq, 0);
}

void
api_directive_complete(struct kj_req *rq)
{
	target_answer(rq, 1);
}

void
api_directive_overdue(struct kj_req *rq)
{
	json_t *j = NULL;
	kj_err r = kj_directive_overdue(&rq->ctx, kj_req_query(rq, "org"), &j);

	if (r == KJ_OK)
		j = json_pack("{s:o}", "items", j);
	api_reply_result(rq, r, 200, j);
}
