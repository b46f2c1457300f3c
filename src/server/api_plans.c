/*
 * api_plans.c: recommendations and improvement plans over HTTP (model/plan.h): issuing and
 * moving recommendations, writing plans with their measures and progress reports, moving
 * plans through their steps, the plans in scope a page at a time, and the overdue
 * measures.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "base/util.h"
#include "model/plan.h"

/* The public ids in the member "findings" of j (absent or null: none) as a fresh array of
 * borrowed strings in *ids; -1 when it is neither absent nor an array of strings. */
static int
finding_ids(json_t *j, const char ***ids, size_t *count)
{
	json_t *a = json_object_get(j, "findings"), *v;
	size_t i;

	*ids = NULL;
	*count = 0;
	if (a == NULL || json_is_null(a))
		return 0;
	if (!json_is_array(a))
		return -1;
	json_array_foreach(a, i, v) {
		if (!json_is_string(v))
			return -1;
	}
	if (json_array_size(a) == 0)
		return 0;
	*ids = calloc(json_array_size(a), sizeof(**ids));
	if (*ids == NULL)
		return -1;
	json_array_foreach(a, i, v) (*ids)[i] = json_string_value(v);
	*count = json_array_size(a);
	return 0;
}

/* Reads a creation body with the members allowed: "findings" an array of finding ids,
 * "recommendation" a string or null, the others strings, those in required present. Returns
 * the body (the caller frees it and *ids), or NULL having replied. */
static json_t *
creation_body(struct kj_req *rq, const char *const *allowed, const char *const *required, const char ***ids, size_t *n)
{
	json_t *j = kj_req_json(rq, allowed), *v;
	const char *bad = NULL, *why = "expected a string";
	char msg[96];
	size_t i;

	if (j == NULL)
		return NULL;
	for (i = 0; bad == NULL && allowed[i] != NULL; i++) {
		v = json_object_get(j, allowed[i]);
		if (strcmp(allowed[i], "findings") != 0 && v != NULL && !json_is_string(v) &&
		    !(json_is_null(v) && strcmp(allowed[i], "recommendation") == 0))
			bad = allowed[i];
	}
	for (i = 0; bad == NULL && required[i] != NULL; i++) {
		if (api_json_str(j, required[i]) == NULL) {
			bad = required[i];
			why = "required, as a string";
		}
	}
	if (bad == NULL && finding_ids(j, ids, n) == 0)
		return j;
	if (bad == NULL) {
		bad = "findings";
		why = "expected an array of finding ids";
	}
	snprintf(msg, sizeof(msg), "%s: %s", bad, why);
	json_decref(j);
	kj_reply_error(rq, KJ_ERR_INVALID, msg);
	return NULL;
}

/* Replies out (stolen) with 201, and a Location of prefix and code unless prefix is NULL,
 * when r is KJ_OK; else the failure. */
static void
reply_created(struct kj_req *rq, kj_err r, json_t *out, const char *prefix, const char *code)
{
	char loc[160];

	if (r != KJ_OK) {
		json_decref(out);
		kj_reply_fail(rq, r);
		return;
	}
	kj_reply_json(rq, 201, out);
	if (prefix != NULL) {
		snprintf(loc, sizeof(loc), "%s%s", prefix, code);
		kj_reply_header(rq, "Location", loc);
	}
}

/* The status of a {status} body into *status (borrowed from *j, which the caller frees);
 * -1, having replied with expected, when there is none. */
static int
status_body(struct kj_req *rq, const char *expected, json_t **j, const char **status)
{
	static const char *const allowed[] = {"status", NULL};

	if ((*j = kj_req_json(rq, allowed)) == NULL)
		return -1;
	if ((*status = api_json_str(*j, "status")) == NULL) {
		json_decref(*j);
		kj_reply_error(rq, KJ_ERR_INVALID, expected);
		return -1;
	}
	return 0;
}

/* Replies {code, status} for the path's code when r is KJ_OK, else the failure. */
static void
reply_moved(struct kj_req *rq, kj_err r, const char *status)
{
	api_reply_result(rq, r, 200, r == KJ_OK ? json_pack("{s:s, s:s}", "code", rq->params[0], "status", status) : NULL);
}

/* ---- Recommendations ------------------------------------------------------------------- */

void
api_recommendation_list(struct kj_req *rq)
{
	const char *after;
	json_t *items = NULL;
	int limit, more = 0;
	kj_err r;

	if (api_code_page_args(rq, &after, &limit) != 0)
		return;
	r = kj_recommendation_list(&rq->ctx, kj_req_query(rq, "org"), kj_req_query(rq, "issuer"), after, limit, &items, &more);
	api_reply_code_page(rq, r, items, more);
}

/* The recommendation code (to org, from issuer) as the list shows it, or NULL (r holds why). */
static json_t *
recommendation_read_back(struct kj_req *rq, const char *code, const char *org, const char *issuer, kj_err *r)
{
	json_t *items = NULL, *found = NULL, *x;
	int more = 0;
	size_t i;

	*r = kj_recommendation_list(&rq->ctx, org, issuer, NULL, 0, &items, &more);
	if (*r != KJ_OK)
		return NULL;
	json_array_foreach(items, i, x) {
		if (found == NULL && strcmp(json_string_value(json_object_get(x, "code")), code) == 0)
			found = json_incref(x);
	}
	json_decref(items);
	if (found == NULL)
		*r = kj_failf(&rq->ctx, KJ_ERR_INTERNAL, "recommendation %s could not be read back", code);
	return found;
}

void
api_recommendation_create(struct kj_req *rq)
{
	static const char *const allowed[] = {"code", "issuer", "org", "findings", "text", "due_on", "authority", NULL};
	static const char *const required[] = {"code", "issuer", "org", NULL};
	struct kj_recommendation_new in;
	json_t *j, *out = NULL;
	const char **ids = NULL;
	char uuid[37];
	kj_err r;

	memset(&in, 0, sizeof(in));
	if ((j = creation_body(rq, allowed, required, &ids, &in.nfindings)) == NULL)
		return;
	in.code = api_json_str(j, "code");
	in.issuer = api_json_str(j, "issuer");
	in.org = api_json_str(j, "org");
	in.findings = ids;
	in.text = api_json_str(j, "text");
	in.due_on = api_json_str(j, "due_on");
	in.authority = api_json_str(j, "authority");
	if (json_object_get(j, "authority") != NULL && in.authority == NULL) {
		free(ids);
		json_decref(j);
		kj_reply_error(rq, KJ_ERR_INVALID, "body: authority is a string, issuer or council");
		return;
	}
	r = kj_recommendation_create(&rq->ctx, &in, uuid);
	free(ids);
	if (r == KJ_OK)
		out = recommendation_read_back(rq, in.code, in.org, in.issuer, &r);
	reply_created(rq, r, out, NULL, in.code);	/* no route reads one recommendation */
	json_decref(j);
}

void
api_recommendation_status(struct kj_req *rq)
{
	const char *status;
	json_t *j;

	if (status_body(rq, "status: expected accepted, closed or withdrawn", &j, &status) != 0)
		return;
	reply_moved(rq, kj_recommendation_set_status(&rq->ctx, rq->params[0], status), status);
	json_decref(j);
}

/* ---- Plans ----------------------------------------------------------------------------- */

void
api_plan_create(struct kj_req *rq)
{
	static const char *const allowed[] = {"code", "recommendation", "org", "findings", "text", "due_on", NULL};
	static const char *const required[] = {"code", NULL};
	const char **ids = NULL;
	size_t n = 0;
	json_t *j = creation_body(rq, allowed, required, &ids, &n), *out = NULL;
	char uuid[37];
	kj_err r;

	if (j == NULL)
		return;
	/* Without a recommendation, org and findings name what the plan answers. */
	r = kj_plan_create(&rq->ctx,
			   &(struct kj_plan_new){.code = api_json_str(j, "code"), .recommendation = api_json_str(j, "recommendation"),
						 .org = api_json_str(j, "org"), .findings = ids, .nfindings = n,
						 .text = api_json_str(j, "text"), .due_on = api_json_str(j, "due_on")},
			   uuid);
	free(ids);
	if (r == KJ_OK)
		r = kj_plan_get(&rq->ctx, api_json_str(j, "code"), &out);
	reply_created(rq, r, out, "/api/v1/plans/", api_json_str(j, "code"));
	json_decref(j);
}

void
api_plan_list(struct kj_req *rq)
{
	const char *after;
	json_t *items = NULL;
	int limit, more = 0;
	kj_err r;

	if (api_code_page_args(rq, &after, &limit) != 0)
		return;
	r = kj_plan_list(&rq->ctx, kj_req_query(rq, "org"), kj_req_query(rq, "status"), kj_req_query(rq, "reviewer"), after,
			 limit, &items, &more);
	api_reply_code_page(rq, r, items, more);
}

void
api_plan_get(struct kj_req *rq)
{
	json_t *j = NULL;
	kj_err r = kj_plan_get(&rq->ctx, rq->params[0], &j);

	api_reply_result(rq, r, 200, j);
}

void
api_plan_measure_add(struct kj_req *rq)
{
	static const char *const allowed[] = {"text", "owner", "due_on", NULL};
	json_t *j = kj_req_json(rq, allowed);
	int n = 0;
	kj_err r;

	if (j == NULL)
		return;
	if (api_json_str(j, "text") == NULL || api_json_str(j, "owner") == NULL || api_json_str(j, "due_on") == NULL) {
		json_decref(j);
		kj_reply_error(rq, KJ_ERR_INVALID, "body: text, owner (an account name) and due_on are required strings");
		return;
	}
	r = kj_plan_measure_add(&rq->ctx, rq->params[0], api_json_str(j, "text"), api_json_str(j, "owner"),
				api_json_str(j, "due_on"), &n);
	api_reply_result(rq, r, 201,
		      r == KJ_OK ? json_pack("{s:s, s:i, s:O, s:O, s:O, s:s}", "plan", rq->params[0], "n", n, "text",
					     json_object_get(j, "text"), "owner", json_object_get(j, "owner"), "due_on",
					     json_object_get(j, "due_on"), "status", "open")
				 : NULL);
	json_decref(j);
}

void
api_plan_measure_done(struct kj_req *rq)
{
	int64_t n = 0;
	kj_err r;

	if (kj_parse_int64(rq->params[1], 1, 1000000, &n) != 0) {
		kj_reply_error(rq, KJ_ERR_INVALID, "n: expected the number of a measure (1, 2, ...)");
		return;
	}
	r = kj_plan_measure_done(&rq->ctx, rq->params[0], (int)n);
	api_reply_result(rq, r, 200, r == KJ_OK ? json_pack("{s:s, s:i, s:s}", "plan", rq->params[0], "n", (int)n, "status", "done") : NULL);
}

void
api_plan_status(struct kj_req *rq)
{
	static const char *const expected = "status: expected submitted, accepted, in_progress, done or verified";
	static const struct {
		const char *status;
		kj_err (*step)(struct kj_ctx *, const char *);
	} steps[] = {
		{"submitted", kj_plan_submit}, {"accepted", kj_plan_accept}, {"in_progress", kj_plan_start},
		{"done", kj_plan_complete},    {"verified", kj_plan_verify},
	};
	const size_t nsteps = sizeof(steps) / sizeof(steps[0]);
	const char *status;
	json_t *j;
	size_t i = 0;

	if (status_body(rq, expected, &j, &status) != 0)
		return;
	while (i < nsteps && strcmp(steps[i].status, status) != 0)
		i++;
	if (i == nsteps)
		kj_reply_error(rq, KJ_ERR_INVALID, expected);
	else
		reply_moved(rq, steps[i].step(&rq->ctx, rq->params[0]), steps[i].status);
	json_decref(j);
}

void
api_plan_send_back(struct kj_req *rq)
{
	static const char *const allowed[] = {"reason", NULL};
	json_t *j = kj_req_json(rq, allowed);
	char to[16] = "";
	kj_err r;

	if (j == NULL)
		return;
	if (api_json_str(j, "reason") == NULL) {
		json_decref(j);
		kj_reply_error(rq, KJ_ERR_INVALID, "body: reason (why the plan goes back) is a required string");
		return;
	}
	r = kj_plan_send_back(&rq->ctx, rq->params[0], api_json_str(j, "reason"), to);
	reply_moved(rq, r, to);
	json_decref(j);
}

void
api_plan_report_add(struct kj_req *rq)
{
	static const char *const allowed[] = {"reported_on", "percent", "text", NULL};
	json_t *j = kj_req_json(rq, allowed), *pc;
	kj_err r;

	if (j == NULL)
		return;
	pc = json_object_get(j, "percent");
	if (api_json_str(j, "reported_on") == NULL || api_json_str(j, "text") == NULL || !json_is_integer(pc) ||
	    json_integer_value(pc) < 0 || json_integer_value(pc) > 100) {
		json_decref(j);
		kj_reply_error(rq, KJ_ERR_INVALID, "body: reported_on (YYYY-MM-DD) and text are required strings; percent an "
						   "integer from 0 to 100");
		return;
	}
	r = kj_plan_report_add(&rq->ctx, rq->params[0], api_json_str(j, "reported_on"), (int)json_integer_value(pc),
			       api_json_str(j, "text"));
	api_reply_result(rq, r, 201,
		      r == KJ_OK ? json_pack("{s:s, s:O, s:O, s:O}", "plan", rq->params[0], "reported_on",
					     json_object_get(j, "reported_on"), "percent", pc, "text", json_object_get(j, "text"))
				 : NULL);
	json_decref(j);
}

void
api_overdue_measures(struct kj_req *rq)
{
	json_t *j = NULL;
	kj_err r = kj_plan_overdue_list(&rq->ctx, kj_req_query(rq, "org"), &j);

	if (r == KJ_OK)
		j = json_pack("{s:o}", "items", j);
	api_reply_result(rq, r, 200, j);
}
