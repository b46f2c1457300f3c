/*
 * api_audits.c: audit programmes, engagements, their teams, scopes and status, and
 * findings over HTTP (model/audit.h). Not the audit log: that is api_audit.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "base/util.h"
#include "model/audit.h"

/* 1 when each of the named members of j is, if present, a string (or null where nullable). */
static int
strings_or_absent(json_t *j, const char *const *keys, int nullable)
{
	json_t *v;
	size_t i;

	for (i = 0; keys[i] != NULL; i++) {
		v = json_object_get(j, keys[i]);
		if (v != NULL && !json_is_string(v) && !(nullable && json_is_null(v)))
			return 0;
	}
	return 1;
}

/* ---- Programmes ------------------------------------------------------------------------ */

void
api_audit_programme_list(struct kj_req *rq)
{
	const char *fy = kj_req_query(rq, "fiscal_year"), *cursor;
	int64_t year = 0;
	json_t *items = NULL;
	int limit, more = 0;
	kj_err r;

	if (fy != NULL && kj_parse_int64(fy, 1900, 2999, &year) != 0) {
		kj_reply_error(rq, KJ_ERR_INVALID, "fiscal_year: expected a year such as 2025");
		return;
	}
	if (api_code_page_args(rq, &cursor, &limit) != 0)
		return;
	r = kj_audit_programme_list(&rq->ctx, kj_req_query(rq, "org"), (int)year, cursor, limit, &items, &more);
	api_reply_code_page(rq, r, items, more);
}

void
api_audit_programme_create(struct kj_req *rq)
{
	static const char *const allowed[] = {"code", "org", "fiscal_year", "kind", "title_ja", "title_en", NULL};
	static const char *const strings[] = {"code", "org", "kind", "title_ja", "title_en", NULL};
	struct kj_audit_programme_new in;
	json_t *j = kj_req_json(rq, allowed), *fy;
	char uuid[37];
	kj_err r;

	if (j == NULL)
		return;
	memset(&in, 0, sizeof(in));
	fy = json_object_get(j, "fiscal_year");
	if (!strings_or_absent(j, strings, 0)) {
		json_decref(j);
		kj_reply_error(rq, KJ_ERR_INVALID, "body: code, org, kind, title_ja and title_en are strings");
		return;
	}
	if (!json_is_integer(fy) || json_integer_value(fy) < 1900 || json_integer_value(fy) > 2999) {
		json_decref(j);
		kj_reply_error(rq, KJ_ERR_INVALID, "fiscal_year: expected a year such as 2025 (the year of its April)");
		return;
	}
	in.code = api_json_str(j, "code");
	in.org = api_json_str(j, "org");
	in.fiscal_year = (int)json_integer_value(fy);
	in.kind = api_json_str(j, "kind");
	in.title_ja = api_json_str(j, "title_ja");
	in.title_en = api_json_str(j, "title_en");
	r = kj_audit_programme_create(&rq->ctx, &in, uuid);
	api_reply_result(rq, r, 201,
		      r == KJ_OK ? json_pack("{s:s, s:s, s:s, s:i, s:s, s:s, s:s}", "id", uuid, "code", in.code, "org", in.org,
					     "fiscal_year", in.fiscal_year, "kind", in.kind, "title_ja", in.title_ja,
					     "title_en", in.title_en)
				 : NULL);
	json_decref(j);
}

/* ---- Engagements ----------------------------------------------------------------------- */

void
api_audit_engagement_list(struct kj_req *rq)
{
	const char *cursor;
	json_t *items = NULL;
	int limit, more = 0;
	kj_err r;

	if (api_code_page_args(rq, &cursor, &limit) != 0)
		return;
	r = kj_audit_engagement_list(&rq->ctx, kj_req_query(rq, "programme"), cursor, limit, &items, &more);
	api_reply_code_page(rq, r, items, more);
}

void
api_audit_engagement_create(struct kj_req *rq)
{
	static const char *const allowed[] = {"code", "programme", "org", "edition", "policy", "title_ja", "title_en",
					      "starts_on", "ends_on", NULL};
	struct kj_audit_engagement_new in;
	json_t *j = kj_req_json(rq, allowed), *out = NULL;
	char uuid[37], loc[160];
	kj_err r;

	if (j == NULL)
		return;
	if (!strings_or_absent(j, allowed, 0)) {
		json_decref(j);
		kj_reply_error(rq, KJ_ERR_INVALID, "body: every field is a string");
		return;
	}
	memset(&in, 0, sizeof(in));
	in.code = api_json_str(j, "code");
	in.programme = api_json_str(j, "programme");
	in.org = api_json_str(j, "org");
	in.edition = api_json_str(j, "edition");
	in.policy = api_json_str(j, "policy");
	in.title_ja = api_json_str(j, "title_ja");
	in.title_en = api_json_str(j, "title_en");
	in.starts_on = api_json_str(j, "starts_on");
	in.ends_on = api_json_str(j, "ends_on");
	if (in.code == NULL || in.programme == NULL) {
		json_decref(j);
		kj_reply_error(rq, KJ_ERR_INVALID, "body: code and programme are required strings");
		return;
	}
	r = kj_audit_engagement_create(&rq->ctx, &in, uuid);
	if (r == KJ_OK)
		r = kj_audit_engagement_get(&rq->ctx, in.code, &out);
	if (r == KJ_OK) {
		snprintf(loc, sizeof(loc), "/api/v1/audit-engagements/%s", in.code);
		kj_reply_json(rq, 201, out);
		kj_reply_header(rq, "Location", loc);
	} else {
		kj_reply_fail(rq, r);
	}
	json_decref(j);
}

void
api_audit_engagement_get(struct kj_req *rq)
{
	json_t *j = NULL;
	kj_err r = kj_audit_engagement_get(&rq->ctx, rq->params[0], &j);

	api_reply_result(rq, r, 200, j);
}

void
api_audit_member_add(struct kj_req *rq)
{
	static const char *const allowed[] = {"user", "role", NULL};
	json_t *j = kj_req_json(rq, allowed);
	kj_err r;

	if (j == NULL)
		return;
	if (api_json_str(j, "user") == NULL || api_json_str(j, "role") == NULL) {
		json_decref(j);
		kj_reply_error(rq, KJ_ERR_INVALID, "body: user and role (lead or member) are required strings");
		return;
	}
	r = kj_audit_member_add(&rq->ctx, rq->params[0], api_json_str(j, "user"), api_json_str(j, "role"));
	api_reply_result(rq, r, 201,
		      r == KJ_OK ? json_pack("{s:s, s:O, s:O}", "engagement", rq->params[0], "user", json_object_get(j, "user"),
					     "role", json_object_get(j, "role"))
				 : NULL);
	json_decref(j);
}

/* The strings of the array a (NULL or absent: none) into *out; -1 when a is not an array
 * of strings. */
static int
string_array(json_t *a, const char ***out, size_t *n)
{
	size_t i;

	*out = NULL;
	*n = 0;
	if (a == NULL || json_is_null(a))
		return 0;
	if (!json_is_array(a))
		return -1;
	*n = json_array_size(a);
	if (*n == 0)
		return 0;
	if ((*out = calloc(*n, sizeof(**out))) == NULL)
		return -1;
	for (i = 0; i < *n; i++) {
		if (((*out)[i] = json_string_value(json_array_get(a, i))) == NULL) {
			free(*out);
			*out = NULL;
			return -1;
		}
	}
	return 0;
}

void
api_audit_scope_put(struct kj_req *rq)
{
	static const char *const allowed[] = {"requirements", "units", NULL};
	json_t *j = kj_req_json(rq, allowed);
	const char **reqs = NULL, **units = NULL;
	size_t nreqs = 0, nunits = 0;
	kj_err r;

	if (j == NULL)
		return;
	if (!json_is_array(json_object_get(j, "requirements")) ||
	    string_array(json_object_get(j, "requirements"), &reqs, &nreqs) != 0 ||
	    string_array(json_object_get(j, "units"), &units, &nunits) != 0) {
		free(reqs);
		json_decref(j);
		kj_reply_error(rq, KJ_ERR_INVALID, "body: requirements is an array of requirement numbers; units, when given, "
						   "an array of organisation codes");
		return;
	}
	r = kj_audit_scope_set(&rq->ctx, rq->params[0], reqs, nreqs, units, nunits);
	free(reqs);
	free(units);
	api_reply_result(rq, r, 200,
		      r == KJ_OK ? json_pack("{s:s, s:O, s:o}", "engagement", rq->params[0], "requirements",
					     json_object_get(j, "requirements"), "units",
					     json_is_array(json_object_get(j, "units")) ? json_incref(json_object_get(j, "units"))
											  : json_array())
				 : NULL);
	json_decref(j);
}

void
api_audit_engagement_status(struct kj_req *rq)
{
	static const char *const allowed[] = {"status", NULL};
	json_t *j = kj_req_json(rq, allowed);
	kj_err r;

	if (j == NULL)
		return;
	if (api_json_str(j, "status") == NULL) {
		json_decref(j);
		kj_reply_error(rq, KJ_ERR_INVALID, "status: expected fieldwork, reporting or signed_off");
		return;
	}
	r = kj_audit_engagement_advance(&rq->ctx, rq->params[0], api_json_str(j, "status"));
	api_reply_result(rq, r, 200,
		      r == KJ_OK ? json_pack("{s:s, s:O}", "code", rq->params[0], "status", json_object_get(j, "status")) : NULL);
	json_decref(j);
}

void
api_audit_sign_off(struct kj_req *rq)
{
	kj_err r = kj_audit_sign_off(&rq->ctx, rq->params[0]);

	api_reply_result(rq, r, 200, r == KJ_OK ? json_pack("{s:s, s:s}", "code", rq->params[0], "status", "signed_off") : NULL);
}

/* ---- Findings -------------------------------------------------------------------------- */

void
api_audit_finding_list(struct kj_req *rq)
{
	json_t *j = NULL;
	kj_err r = kj_audit_finding_list(&rq->ctx, rq->params[0], &j);

	if (r == KJ_OK)
		j = json_pack("{s:o}", "items", j);
	api_reply_result(rq, r, 200, j);
}

void
api_audit_finding_add(struct kj_req *rq)
{
	static const char *const allowed[] = {"requirement", "category", "severity", "urgent", "title", "text", NULL};
	static const char *const strings[] = {"requirement", "category", "title", "text", NULL};
	static const char *const nullable[] = {"severity", NULL};
	struct kj_audit_finding_new in;
	json_t *j = kj_req_json(rq, allowed), *urgent, *all = NULL, *found = NULL;
	char uuid[37];
	size_t i;
	kj_err r;

	if (j == NULL)
		return;
	urgent = json_object_get(j, "urgent");
	if (!strings_or_absent(j, strings, 0) || !strings_or_absent(j, nullable, 1) || (urgent != NULL && !json_is_boolean(urgent))) {
		json_decref(j);
		kj_reply_error(rq, KJ_ERR_INVALID, "body: requirement, category, title and text are strings; severity a string "
						   "or null; urgent true or false");
		return;
	}
	memset(&in, 0, sizeof(in));
	in.engagement = rq->params[0];
	in.requirement = api_json_str(j, "requirement");
	in.category = api_json_str(j, "category");
	in.severity = api_json_str(j, "severity");
	in.urgent = json_is_true(urgent);
	in.title = api_json_str(j, "title");
	in.text = api_json_str(j, "text");
	r = kj_audit_finding_add(&rq->ctx, &in, uuid);
	/* The reply is the finding as the list shows it. */
	if (r == KJ_OK && (r = kj_audit_finding_list(&rq->ctx, rq->params[0], &all)) == KJ_OK) {
		for (i = json_array_size(all); i-- > 0 && found == NULL;) {
			if (strcmp(json_string_value(json_object_get(json_array_get(all, i), "id")), uuid) == 0)
				found = json_incref(json_array_get(all, i));
		}
		if (found == NULL)
			r = kj_failf(&rq->ctx, KJ_ERR_INTERNAL, "finding %s could not be read back", uuid);
	}
	json_decref(all);
	json_decref(j);
	api_reply_result(rq, r, 201, found);
}

/* ---- Working papers and the report ----------------------------------------------------- */

void
api_audit_paper_add(struct kj_req *rq)
{
	const char *type = kj_req_header(rq, "Content-Type"), *name = kj_req_query(rq, "name");
	char uuid[37], mt[64];
	kj_err r;

	if (name == NULL || name[0] == '\0') {
		kj_reply_error(rq, KJ_ERR_INVALID, "name: the query parameter name (the paper's name) is required");
		return;
	}
	kj_strlcpy(mt, type ? type : "", sizeof(mt));
	mt[strcspn(mt, "; ")] = '\0';
	r = kj_audit_paper_add(&rq->ctx, rq->params[0], name, kj_buf_cstr(&rq->body), rq->body.len,
			       mt[0] && strcmp(mt, "application/octet-stream") != 0 ? mt : NULL, uuid);
	api_reply_result(rq, r, 201, r == KJ_OK ? json_pack("{s:s, s:s, s:s}", "id", uuid, "engagement", rq->params[0], "name", name)
					       : NULL);
}

void
api_audit_paper_list(struct kj_req *rq)
{
	json_t *j = NULL;
	kj_err r = kj_audit_paper_list(&rq->ctx, rq->params[0], &j);

	if (r == KJ_OK)
		j = json_pack("{s:o}", "items", j);
	api_reply_result(rq, r, 200, j);
}

void
api_audit_paper_get(struct kj_req *rq)
{
	json_t *meta = NULL;
	unsigned char *data = NULL;
	size_t len = 0;
	kj_err r = kj_audit_paper_get(&rq->ctx, rq->params[0], rq->params[1], &meta, &data, &len);

	if (r != KJ_OK) {
		api_reply_result(rq, r, 200, NULL);
		return;
	}
	kj_reply_file(rq, json_string_value(json_object_get(meta, "media_type")), data, len);
	json_decref(meta);
}

void
api_audit_report(struct kj_req *rq)
{
	json_t *j = NULL;
	kj_err r = kj_audit_report(&rq->ctx, rq->params[0], &j);

	api_reply_result(rq, r, 200, j);
}
