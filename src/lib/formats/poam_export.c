/*
 * poam_export.c: improvement plans as an OSCAL plan of action and milestones
 * (poam_export.h). Plans are read through the model (kj_plan_get) under the principal's
 * scope; the cited findings' titles and texts come from the audit tables.
 */
#include "poam_export.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/util.h"
#include "../db/db.h"
#include "../model/access.h"
#include "../model/org.h"
#include "../model/plan.h"

#define KJ_OSCAL_NS "urn:kijun:oscal"

/* A uuid for measure n of the plan whose uuid is base: the plan's with its last eight hex
 * digits xor'ed with n, so the same measure keeps its id from one export to the next. */
static void
measure_uuid(const char *base, int n, char out[37])
{
	unsigned long tail;

	memcpy(out, base, 37);
	tail = strtoul(base + 28, NULL, 16) ^ (unsigned long)n;
	snprintf(out + 28, 9, "%08lx", tail & 0xffffffffUL);
}

static json_t *
prop(const char *name, const char *value)
{
	return json_pack("{s:s, s:s, s:s}", "name", name, "ns", KJ_OSCAL_NS, "value", value);
}

/* The plans' codes in scope (and under org's subtree when subtree is not NULL), in code
 * order, as a JSON array. */
static kj_err
plan_codes(struct kj_ctx *ctx, const struct kj_org_list *subtree, json_t *codes)
{
	struct kj_stmt *st = NULL;
	int row;
	size_t i;
	kj_err r;

	if ((r = kj_db_prepare(ctx, "SELECT code, org_id FROM improvement_plan ORDER BY code", &st)) != KJ_OK)
		return r;
	while ((r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row) {
		int64_t org_id = kj_stmt_int(st, 1);
		int in = subtree == NULL;

		if (!kj_access_org_visible(ctx, org_id))
			continue;
		for (i = 0; !in && i < subtree->n; i++)
			in = subtree->v[i].id == org_id;
		if (in)
			json_array_append_new(codes, json_string(kj_stmt_text(st, 0)));
	}
	kj_stmt_free(st);
	return r;
}

/* Adds (or updates) the risk for finding uuid in risks (an object by uuid). */
static kj_err
add_risk(struct kj_ctx *ctx, json_t *risks, const char *uuid, int closed)
{
	struct kj_stmt *st = NULL;
	json_t *risk = json_object_get(risks, uuid);
	int row = 0;
	kj_err r;

	if (risk != NULL) {
		if (closed)
			json_object_set_new(risk, "status", json_string("closed"));
		return KJ_OK;
	}
	if ((r = kj_db_prepare(ctx, "SELECT title, text, category, severity, item_number FROM audit_finding WHERE uuid = ?",
			       &st)) == KJ_OK &&
	    (r = kj_stmt_bind_text(ctx, st, 1, uuid)) == KJ_OK && (r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row) {
		json_t *props = json_array();

		json_array_append_new(props, prop("category", kj_stmt_text(st, 2)));
		if (!kj_stmt_is_null(st, 3))
			json_array_append_new(props, prop("severity", kj_stmt_text(st, 3)));
		json_array_append_new(props, prop("requirement", kj_stmt_text(st, 4)));
		json_object_set_new(risks, uuid,
				    json_pack("{s:s, s:s, s:s, s:s, s:o, s:s}", "uuid", uuid, "title", kj_stmt_text(st, 0),
					      "description", kj_stmt_text(st, 1), "statement", kj_stmt_text(st, 1), "props", props,
					      "status", closed ? "closed" : "open"));
	}
	kj_stmt_free(st);
	return r;
}

/* Appends the plan's POA&M items (one per measure, or one for a plan without measures)
 * to items and its findings' risks to risks. */
static kj_err
add_plan(struct kj_ctx *ctx, const json_t *plan, json_t *items, json_t *risks)
{
	const char *code = json_string_value(json_object_get(plan, "code"));
	const char *status = json_string_value(json_object_get(plan, "status"));
	json_t *related = json_array(), *f, *m;
	size_t i;
	kj_err r = KJ_OK;

	json_array_foreach(json_object_get(plan, "findings"), i, f) {
		if ((r = add_risk(ctx, risks, json_string_value(f), strcmp(status, "verified") == 0)) != KJ_OK)
			break;
		if (json_object_get(risks, json_string_value(f)) != NULL)
			json_array_append_new(related, json_pack("{s:O}", "risk-uuid", f));
	}
	if (r != KJ_OK) {
		json_decref(related);
		return r;
	}
	json_array_foreach(json_object_get(plan, "measures"), i, m) {
		int n = (int)json_integer_value(json_object_get(m, "n"));
		char uuid[37], title[200], num[16];
		json_t *item;

		measure_uuid(json_string_value(json_object_get(plan, "id")), n, uuid);
		snprintf(title, sizeof(title), "%s #%d", code, n);
		snprintf(num, sizeof(num), "%d", n);
		item = json_pack("{s:s, s:s, s:O, s:[o, o, o, o, o, o, o]}", "uuid", uuid, "title", title, "description",
				 json_object_get(m, "text"), "props", prop("plan", code), prop("plan-status", status),
				 prop("measure", num), prop("owner", json_string_value(json_object_get(m, "owner"))),
				 prop("due-date", json_string_value(json_object_get(m, "due_on"))),
				 prop("status", json_string_value(json_object_get(m, "status"))),
				 prop("org", json_string_value(json_object_get(plan, "org"))));
		if (json_array_size(related) > 0)
			json_object_set(item, "related-risks", related);
		json_array_append_new(items, item);
	}
	if (json_array_size(json_object_get(plan, "measures")) == 0) {
		json_t *item = json_pack("{s:O, s:s, s:O, s:[o, o, o, o]}", "uuid", json_object_get(plan, "id"), "title", code,
					 "description", json_object_get(plan, "text"), "props", prop("plan", code),
					 prop("plan-status", status),
					 prop("due-date", json_string_value(json_object_get(plan, "due_on"))),
					 prop("org", json_string_value(json_object_get(plan, "org"))));

		if (json_array_size(related) > 0)
			json_object_set(item, "related-risks", related);
		json_array_append_new(items, item);
	}
	json_decref(related);
	return KJ_OK;
}

kj_err
kj_plans_export_oscal(struct kj_ctx *ctx, const char *org, json_t **out)
{
	struct kj_org_list sub = {NULL, 0};
	struct kj_org o;
	json_t *codes = json_array(), *items = json_array(), *risks = json_object(), *riska, *c, *v, *doc, *poam;
	const char *k;
	char now[21], uuid[37], title[120];
	size_t i;
	kj_err r = KJ_OK;

	if (org != NULL) {
		if ((r = kj_org_get(ctx, org, &o)) == KJ_OK && !kj_access_org_visible(ctx, o.id))
			r = kj_failf(ctx, KJ_ERR_NOT_FOUND, "org: no organisation \"%.64s\"", org);
		if (r == KJ_OK)
			r = kj_org_list(ctx, org, 1, &sub);
	}
	if (r == KJ_OK)
		r = plan_codes(ctx, org != NULL ? &sub : NULL, codes);
	json_array_foreach(codes, i, c) {
		json_t *plan = NULL;

		if (r != KJ_OK)
			break;
		if ((r = kj_plan_get(ctx, json_string_value(c), &plan)) == KJ_OK)
			r = add_plan(ctx, plan, items, risks);
		json_decref(plan);
	}
	kj_org_list_free(&sub);
	json_decref(codes);
	if (r != KJ_OK) {
		json_decref(items);
		json_decref(risks);
		return r;
	}
	if (json_array_size(items) == 0)
		json_array_append_new(items, json_pack("{s:s, s:s}", "title", "No improvement plans",
						       "description", "No improvement plan is in the reader's scope."));
	riska = json_array();
	json_object_foreach(risks, k, v)
		json_array_append(riska, v);
	json_decref(risks);
	kj_time_format(kj_now(ctx), now);
	kj_uuid_v4(uuid);
	snprintf(title, sizeof(title), "Improvement plans%s%.64s", org != NULL ? " of " : "", org != NULL ? org : "");
	poam = json_pack("{s:s, s:{s:s, s:s, s:s, s:s}, s:{s:s, s:s}, s:{s:s, s:s}, s:o}", "uuid", uuid, "metadata", "title",
			 title, "last-modified", now, "version", now, "oscal-version", "1.0.6",
			 "import-ssp", "href", "#kijun-ssp", "remarks",
			 "kijun keeps no system security plan; the organisations' plans stand in for one.", "system-id",
			 "identifier-type", "https://ietf.org/rfc/rfc4122", "id", "kijun", "poam-items", items);
	if (poam == NULL) {
		json_decref(riska);
		return kj_failf(ctx, KJ_ERR_NOMEM, "out of memory");
	}
	if (json_array_size(riska) > 0)
		json_object_set_new(poam, "risks", riska);
	else
		json_decref(riska);
	doc = json_pack("{s:o}", "plan-of-action-and-milestones", poam);
	if (doc == NULL)
		return kj_failf(ctx, KJ_ERR_NOMEM, "out of memory");
	*out = doc;
	return KJ_OK;
}
