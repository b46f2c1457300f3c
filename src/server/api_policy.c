/*
 * api_policy.c: organisations' policy documents, their versions and the policy review.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "base/util.h"
#include "model/policy.h"

void
api_policy_list(struct kj_req *rq)
{
	json_t *j = NULL;
	kj_err r = kj_policy_list(&rq->ctx, rq->params[0], &j);

	api_reply_result(rq, r, 200, j);
}

void
api_policy_create(struct kj_req *rq)
{
	static const char *const allowed[] = {"code", "kind", "title_ja", "title_en", NULL};
	json_t *j = kj_req_json(rq, allowed);
	char uuid[37];
	kj_err r;

	if (j == NULL)
		return;
	r = kj_policy_doc_create(&rq->ctx, rq->params[0], json_string_value(json_object_get(j, "code")),
				 json_string_value(json_object_get(j, "kind")), json_string_value(json_object_get(j, "title_ja")),
				 json_string_value(json_object_get(j, "title_en")), uuid);
	if (r == KJ_OK)
		kj_reply_json(rq, 201, json_pack("{s:s, s:O}", "id", uuid, "code", json_object_get(j, "code")));
	else
		kj_reply_fail(rq, r);
	json_decref(j);
}

static int
version_param(struct kj_req *rq, const char *s, int *out)
{
	int64_t v;

	if (kj_parse_int64(s, 1, 100000, &v) != 0) {
		kj_reply_error(rq, KJ_ERR_NOT_FOUND, "no such version");
		return -1;
	}
	*out = (int)v;
	return 0;
}

void
api_policy_version_get(struct kj_req *rq)
{
	json_t *j = NULL;
	int v;

	if (version_param(rq, rq->params[2], &v) != 0)
		return;
	kj_err r = kj_policy_get(&rq->ctx, rq->params[0], rq->params[1], v, &j);

	api_reply_result(rq, r, 200, j);
}

void
api_policy_version_add(struct kj_req *rq)
{
	static const char *const allowed[] = {"edition", "clauses", NULL};
	json_t *j = kj_req_json(rq, allowed);
	int vno = 0;
	kj_err r;

	if (j == NULL)
		return;
	r = kj_policy_version_add(&rq->ctx, rq->params[0], rq->params[1], "body", j, &vno);
	json_decref(j);
	if (r != KJ_OK) {
		kj_reply_fail(rq, r);
		return;
	}
	kj_reply_json(rq, 201, json_pack("{s:i, s:s}", "version_no", vno, "status", "draft"));
}

static void
transition(struct kj_req *rq, const char *action)
{
	static const char *const allowed[] = {"date", NULL};
	json_t *j = NULL;
	int v;
	kj_err r;

	if (version_param(rq, rq->params[2], &v) != 0)
		return;
	if (rq->body.len > 0 && (j = kj_req_json(rq, allowed)) == NULL)
		return;
	if (j != NULL && json_object_get(j, "date") != NULL && !json_is_string(json_object_get(j, "date"))) {
		json_decref(j);
		kj_reply_error(rq, KJ_ERR_INVALID, "date: expected a date YYYY-MM-DD");
		return;
	}
	r = kj_policy_transition(&rq->ctx, rq->params[0], rq->params[1], v, action,
				 j ? json_string_value(json_object_get(j, "date")) : NULL);
	json_decref(j);
	if (r != KJ_OK) {
		kj_reply_fail(rq, r);
		return;
	}
	kj_reply_json(rq, 200, json_pack("{s:i, s:s}", "version_no", v, "status", strcmp(action, "approve") == 0 ? "approved" : "in_force"));
}

void
api_policy_approve(struct kj_req *rq)
{
	transition(rq, "approve");
}

void
api_policy_enforce(struct kj_req *rq)
{
	transition(rq, "enforce");
}

void
api_policy_review(struct kj_req *rq)
{
	json_t *j = NULL;

	kj_err r = kj_policy_review(&rq->ctx, rq->params[0], kj_req_query(rq, "edition"), &j);

	api_reply_result(rq, r, 200, j);
}

void
api_policy_review_all(struct kj_req *rq)
{
	const char *ed = kj_req_query(rq, "edition");
	json_t *j = NULL;

	if (ed == NULL) {
		kj_reply_error(rq, KJ_ERR_INVALID, "edition: required (the edition the policies answer)");
		return;
	}
	kj_err r = kj_policy_review_all(&rq->ctx, ed, &j);

	api_reply_result(rq, r, 200, j);
}
