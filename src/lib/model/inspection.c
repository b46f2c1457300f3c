/*
 * inspection.c: campaigns, checklists, answers, evidence, roll-ups and notes
 * (inspection.h).
 *
 * Owns the tables campaign, campaign_item, checklist, answer, evidence,
 * rollup and inspection_note. Every single answer updates the roll-up counters in its own
 * transaction; a bulk import upserts its rows in one transaction and recounts
 * the campaign's roll-ups once.
 */
#include "inspection.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "../base/buf.h"
#include "../base/limits.h"
#include "../base/strmap.h"
#include "../base/util.h"
#include "../db/db.h"
#include "access.h"
#include "account.h"
#include "auditlog.h"
#include "kit.h"
#include "org.h"
#include "standard.h"
#include "state.h"

static const char *const std_roles[] = {"ciso", "chief_officer", "unit_officer", "division_officer",
					"system_owner", "audit_officer", "staff", "csirt", NULL};
static const char *const buckets[] = {"done", "partial", "not_done", "excluded", NULL};

static int
in_list(const char *const *l, const char *s)
{
	for (; s != NULL && *l != NULL; l++) {
		if (strcmp(*l, s) == 0)
			return 1;
	}
	return 0;
}

static const char *
nz(const char *s)
{
	return s ? s : "";
}

static kj_err
audit_json(struct kj_ctx *ctx, const char *entity, const char *id, int64_t org_id, const char *op, json_t *state)
{
	char *s = state ? json_dumps(state, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	kj_err r;

	json_decref(state);
	if (s == NULL)
		return kj_failf(ctx, KJ_ERR_NOMEM, "out of memory");
	r = kj_auditlog_append(ctx, entity, id, org_id, op, s);
	free(s);
	return r;
}

json_t *
kj_scale_default(void)
{
	return json_pack("[{s:s, s:s, s:s, s:s}, {s:s, s:s, s:s, s:s}, {s:s, s:s, s:s, s:s}, {s:s, s:s, s:s, s:s}]",
			 "value", "implemented", "label_ja", "実施している", "label_en", "Implemented", "counts", "done",
			 "value", "partial", "label_ja", "一部実施している", "label_en", "Partially implemented", "counts",
			 "partial", "value", "not_implemented", "label_ja", "実施していない", "label_en",
			 "Not implemented", "counts", "not_done", "value", "not_applicable", "label_ja", "該当しない",
			 "label_en", "Not applicable", "counts", "excluded");
}

static kj_err
check_scale(struct kj_ctx *ctx, json_t *scale)
{
	struct kj_strmap seen;
	json_t *e;
	size_t i;
	int done = 0, not_done = 0;
	kj_err r = KJ_OK;

	if (!json_is_array(scale) || json_array_size(scale) < 2 || json_array_size(scale) > 16)
		return kj_failf(ctx, KJ_ERR_INVALID, "scale: expected 2 to 16 values");
	kj_strmap_init(&seen);
	json_array_foreach(scale, i, e) {
		const char *v = json_string_value(json_object_get(e, "value"));
		const char *c = json_string_value(json_object_get(e, "counts"));

		if (v == NULL || *v == '\0' || strlen(v) > 32 || !in_list(buckets, c) ||
		    !json_is_string(json_object_get(e, "label_ja")) || !json_is_string(json_object_get(e, "label_en"))) {
			r = kj_failf(ctx, KJ_ERR_INVALID,
				     "scale[%zu]: expected {value, label_ja, label_en, counts: done|partial|not_done|excluded}", i);
			break;
		}
		if (kj_strmap_put(&seen, v, 1) == 0) {
			r = kj_failf(ctx, KJ_ERR_INVALID, "scale[%zu]: the value \"%s\" appears twice", i, v);
			break;
		}
		done |= strcmp(c, "done") == 0;
		not_done |= strcmp(c, "not_done") == 0;
	}
	kj_strmap_free(&seen);
	if (r == KJ_OK && (!done || !not_done))
		r = kj_failf(ctx, KJ_ERR_INVALID, "scale: needs a value that counts as done and one as not_done");
	return r;
}

/* The bucket a value of the scale counts in, or NULL. */
static const char *
bucket_of(json_t *scale, const char *value)
{
	json_t *e;
	size_t i;

	json_array_foreach(scale, i, e) {
		const char *v = json_string_value(json_object_get(e, "value"));

		if (v != NULL && value != NULL && strcmp(v, value) == 0) {
			const char *c = json_string_value(json_object_get(e, "counts"));
			int k;

			for (k = 0; buckets[k] != NULL; k++) {
				if (strcmp(buckets[k], c) == 0)
					return buckets[k];
			}
		}
	}
	return NULL;
}

static char *
scale_values(json_t *scale, char *buf, size_t size)
{
	json_t *e;
	size_t i, n = 0;

	buf[0] = '\0';
	json_array_foreach(scale, i, e) {
		int w = snprintf(buf + n, size - n, "%s%s", i ? ", " : "", nz(json_string_value(json_object_get(e, "value"))));

		if (w < 0 || (size_t)w >= size - n)
			break;
		n += (size_t)w;
	}
	return buf;
}

/* 1 when the principal's organisation lies within org_id's subtree. */
static int
takes_part(struct kj_ctx *ctx, int64_t org_id)
{
	struct kj_ctx within = *ctx;

	/* Only the organisation's own people take part; an auditor reads by engagement. */
	if (ctx->who.org_id == 0 || (ctx->who.role != KJ_ROLE_ORG_ADMIN && ctx->who.role != KJ_ROLE_UNIT_OFFICER &&
				     ctx->who.role != KJ_ROLE_STAFF))
		return 0;
	within.who.role = KJ_ROLE_ORG_ADMIN;
	within.who.org_id = org_id;
	within.who.read_only = 0;
	return kj_access_org_visible(&within, ctx->who.org_id);
}

int
kj_campaign_visible(struct kj_ctx *ctx, int64_t org_id)
{
	return kj_access_org_visible(ctx, org_id) || takes_part(ctx, org_id);
}

/* r, the answer of access to a change of a campaign of org_id: someone who can see the
 * campaign because their unit takes part, but is out of the scope that change needs, is
 * refused rather than told it does not exist (access.h: a write to something visible). */
static kj_err
refuse_participant(struct kj_ctx *ctx, kj_err r, int64_t org_id)
{
	if (r == KJ_ERR_NOT_FOUND && takes_part(ctx, org_id))
		return kj_failf(ctx, KJ_ERR_DENIED, "not allowed to manage this campaign");
	return r;
}

/* Managing a campaign of org_id. */
static kj_err
require_manage(struct kj_ctx *ctx, int64_t org_id)
{
	return refuse_participant(ctx, kj_access_require(ctx, KJ_PERM_INSPECTION_MANAGE, org_id), org_id);
}

struct campaign {
	int64_t id, org_id, edition_id, mandate_id;
	int fiscal_year;
	char code[KJ_MAX_CODE_BYTES + 1];
	char uuid[37];
	char status[8];
	char due_on[11], opens_on[11];
	json_t *scale;
};

static kj_err
campaign_by_code(struct kj_ctx *ctx, const char *code, struct campaign *c)
{
	struct kj_stmt *st = NULL;
	int row;
	kj_err r;

	memset(c, 0, sizeof(*c));
	r = kj_db_prepare(ctx, "SELECT id, uuid, code, org_id, fiscal_year, edition_id, mandate_id, status, opens_on, "
			       "due_on, scale FROM campaign WHERE code = ?", &st);
	if (r != KJ_OK)
		return r;
	if ((r = kj_stmt_bind_text(ctx, st, 1, code)) == KJ_OK && (r = kj_stmt_step(ctx, st, &row)) == KJ_OK) {
		if (!row) {
			r = kj_failf(ctx, KJ_ERR_NOT_FOUND, "no campaign \"%.64s\"", code);
		} else {
			c->id = kj_stmt_int(st, 0);
			kj_strlcpy(c->uuid, kj_stmt_text(st, 1), sizeof(c->uuid));
			kj_strlcpy(c->code, kj_stmt_text(st, 2), sizeof(c->code));
			c->org_id = kj_stmt_int(st, 3);
			c->fiscal_year = (int)kj_stmt_int(st, 4);
			c->edition_id = kj_stmt_int(st, 5);
			c->mandate_id = kj_stmt_int(st, 6);
			kj_strlcpy(c->status, kj_stmt_text(st, 7), sizeof(c->status));
			kj_strlcpy(c->opens_on, kj_stmt_text(st, 8), sizeof(c->opens_on));
			kj_strlcpy(c->due_on, kj_stmt_text(st, 9), sizeof(c->due_on));
			c->scale = json_loads(kj_stmt_text(st, 10), 0, NULL);
			if (c->scale == NULL)
				r = kj_failf(ctx, KJ_ERR_INTERNAL, "campaign %s: stored scale is not JSON", code);
		}
	}
	kj_stmt_free(st);
	/* A campaign out of scope reads as absent, except to the people of the units that
	 * take part in it: a campaign of a ministry concerns every unit below it. */
	if (r == KJ_OK && !kj_access_org_visible(ctx, c->org_id) && !takes_part(ctx, c->org_id)) {
		json_decref(c->scale);
		c->scale = NULL;
		r = kj_failf(ctx, KJ_ERR_NOT_FOUND, "no campaign \"%.64s\"", code);
	}
	return r;
}

static int
code_ok(const char *s)
{
	return kj_code_ok(s, KJ_CODE_CHARS, KJ_MAX_CODE_BYTES);
}

/* 1 when number lies under the heading prefix (a part "2", a chapter "2.1.1"). */
static int
under_heading(const char *number, const char *prefix)
{
	size_t n = strlen(prefix);

	return strncmp(number, prefix, n) == 0 && (number[n] == '.' || number[n] == '(' || number[n] == '\0');
}

static int
json_has_string(json_t *arr, const char *s)
{
	json_t *v;
	size_t i;

	json_array_foreach(arr, i, v) {
		if (json_is_string(v) && strcmp(json_string_value(v), s) == 0)
			return 1;
	}
	return 0;
}

/* Rates per requirement number in a campaign (and its mandated children). */
static kj_err rates_by_requirement(struct kj_ctx *ctx, int64_t campaign_id, struct kj_strmap *map, double **rates,
				   char ***keys, size_t *n);

static kj_err
insert_items(struct kj_ctx *ctx, int64_t cid, json_t *items)
{
	struct kj_stmt *st = NULL;
	json_t *it;
	size_t i;
	kj_err r;

	r = kj_db_prepare(ctx, "INSERT INTO campaign_item (campaign_id, seq, item_number, role, question_ja, question_en) "
			       "VALUES (?, ?, ?, ?, ?, ?)", &st);
	if (r != KJ_OK)
		return r;
	json_array_foreach(items, i, it) {
		kj_stmt_reset(st);
		if ((r = kj_stmt_bind_int(ctx, st, 1, cid)) != KJ_OK || (r = kj_stmt_bind_int(ctx, st, 2, (int64_t)i + 1)) != KJ_OK ||
		    (r = kj_stmt_bind_text(ctx, st, 3, json_string_value(json_object_get(it, "number")))) != KJ_OK ||
		    (r = kj_stmt_bind_text(ctx, st, 4, json_string_value(json_object_get(it, "role")))) != KJ_OK ||
		    (r = kj_stmt_bind_text(ctx, st, 5, json_string_value(json_object_get(it, "ja")))) != KJ_OK ||
		    (r = kj_stmt_bind_text(ctx, st, 6, json_string_value(json_object_get(it, "en")))) != KJ_OK ||
		    (r = kj_stmt_run(ctx, st)) != KJ_OK)
			break;
	}
	kj_stmt_free(st);
	return r;
}

static kj_err
insert_campaign(struct kj_ctx *ctx, const char *code, int64_t org_id, int fy, const char *tja, const char *ten,
		int64_t eid, int64_t mandate, const char *opens, const char *due, const char *scale, char uuid[37],
		int64_t *id_out)
{
	struct kj_stmt *st = NULL;
	char now[21];
	int row;
	kj_err r;

	kj_uuid_v4(uuid);
	kj_time_format(kj_now(ctx), now);
	r = kj_db_prepare(ctx, "INSERT INTO campaign (uuid, code, org_id, fiscal_year, title_ja, title_en, edition_id, "
			       "mandate_id, status, opens_on, due_on, scale, created_at) "
			       "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'draft', ?, ?, ?, ?) RETURNING id", &st);
	if (r != KJ_OK)
		return r;
	if ((r = kj_stmt_bind_text(ctx, st, 1, uuid)) == KJ_OK && (r = kj_stmt_bind_text(ctx, st, 2, code)) == KJ_OK &&
	    (r = kj_stmt_bind_int(ctx, st, 3, org_id)) == KJ_OK && (r = kj_stmt_bind_int(ctx, st, 4, fy)) == KJ_OK &&
	    (r = kj_stmt_bind_text(ctx, st, 5, tja)) == KJ_OK && (r = kj_stmt_bind_text(ctx, st, 6, ten)) == KJ_OK &&
	    (r = kj_stmt_bind_int(ctx, st, 7, eid)) == KJ_OK &&
	    (r = mandate ? kj_stmt_bind_int(ctx, st, 8, mandate) : kj_stmt_bind_null(ctx, st, 8)) == KJ_OK &&
	    (r = kj_stmt_bind_text(ctx, st, 9, opens)) == KJ_OK && (r = kj_stmt_bind_text(ctx, st, 10, due)) == KJ_OK &&
	    (r = kj_stmt_bind_text(ctx, st, 11, scale)) == KJ_OK && (r = kj_stmt_bind_text(ctx, st, 12, now)) == KJ_OK)
		r = kj_stmt_step(ctx, st, &row);
	if (r == KJ_ERR_EXISTS)
		r = kj_failf(ctx, r, "code: a campaign \"%s\" already exists", code);
	if (r == KJ_OK)
		*id_out = kj_stmt_int(st, 0);
	kj_stmt_free(st);
	return r;
}

/* Frees a map whose keys were strdup'ed, and the keys. */
static void
free_keys(struct kj_strmap *m)
{
	size_t i;

	for (i = 0; i < m->cap; i++)
		free((char *)m->keys[i]);	/* an empty slot is NULL */
	kj_strmap_free(m);
}

/* The requirement numbers named in open audit findings about org_id or what lies below it:
 * findings (not advice) of signed-off engagements that no verified improvement plan has
 * dealt with. Numbers are those of the engagement's edition. */
static kj_err
open_findings(struct kj_ctx *ctx, int64_t org_id, struct kj_strmap *out)
{
	struct kj_stmt *st = NULL;
	struct kj_ctx below = *ctx;
	int row;
	kj_err r;

	/* "Below org_id" by the rule of access.h: as that organisation's administrator sees. */
	below.who.user_id = 0;
	below.who.role = KJ_ROLE_ORG_ADMIN;
	below.who.org_id = org_id;
	below.who.read_only = 0;
	r = kj_db_prepare(ctx, "SELECT DISTINCT f.item_number, e.org_id FROM audit_finding f JOIN audit_engagement e ON "
			       "e.id = f.engagement_id WHERE f.category = 'finding' AND e.status = 'signed_off' AND NOT EXISTS "
			       "(SELECT 1 FROM plan_finding pf JOIN improvement_plan p ON p.id = pf.plan_id WHERE "
			       "pf.finding_id = f.id AND p.status = 'verified') ORDER BY f.item_number", &st);
	while (r == KJ_OK && (r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row) {
		const char *number = kj_stmt_text(st, 0);
		char *k;

		if (!kj_access_org_visible(&below, kj_stmt_int(st, 1)) || kj_strmap_get(out, number) >= 0)
			continue;
		if ((k = strdup(number)) == NULL || kj_strmap_put(out, k, 1) < 0) {
			free(k);
			r = kj_failf(ctx, KJ_ERR_NOMEM, "out of memory");
		}
	}
	kj_stmt_free(st);
	return r;
}

kj_err
kj_campaign_create(struct kj_ctx *ctx, const struct kj_campaign_new *in, size_t *nitems_out)
{
	struct kj_edition ed;
	struct kj_org o;
	struct kj_strmap low, found;
	json_t *scale = in->scale ? json_incref(in->scale) : kj_scale_default(), *items = json_array(), *sel = in->select;
	double *rates = NULL;
	char **keys = NULL, uuid[37];
	size_t nrates = 0, i;
	char *scale_s = NULL;
	int64_t cid = 0;
	int base, any_filter;
	kj_err r;

	kj_edition_init(&ed);
	kj_strmap_init(&low);
	kj_strmap_init(&found);
	if (!code_ok(in->code)) {
		r = kj_failf(ctx, KJ_ERR_INVALID, "code: expected 1 to %d of A-Z a-z 0-9 . _ -, not beginning with -", KJ_MAX_CODE_BYTES);
		goto done;
	}
	if (in->title_ja == NULL || in->title_en == NULL || !*in->title_ja || !*in->title_en) {
		r = kj_failf(ctx, KJ_ERR_INVALID, "title_ja, title_en: both required");
		goto done;
	}
	if (in->opens_on == NULL || in->due_on == NULL || !kj_date_valid(in->opens_on) || !kj_date_valid(in->due_on) ||
	    strcmp(in->opens_on, in->due_on) > 0) {
		r = kj_failf(ctx, KJ_ERR_INVALID, "opens_on, due_on: two dates YYYY-MM-DD, the opening not after the due date");
		goto done;
	}
	if ((r = check_scale(ctx, scale)) != KJ_OK)
		goto done;
	if (sel != NULL && !json_is_object(sel)) {
		r = kj_failf(ctx, KJ_ERR_INVALID, "select: expected an object");
		goto done;
	}
	if ((r = kj_org_get(ctx, in->org, &o)) != KJ_OK || (r = kj_access_require(ctx, KJ_PERM_INSPECTION_MANAGE, o.id)) != KJ_OK)
		goto done;
	if ((r = kj_edition_load(ctx, in->edition, &ed)) != KJ_OK)
		goto done;
	if (sel != NULL && json_is_string(json_object_get(sel, "low_from"))) {
		struct campaign prev;
		double below = json_is_number(json_object_get(sel, "low_below")) ? json_number_value(json_object_get(sel, "low_below")) : 0.8;

		if ((r = campaign_by_code(ctx, json_string_value(json_object_get(sel, "low_from")), &prev)) != KJ_OK) {
			kj_failf_prefix(ctx, r, "select.low_from");
			goto done;
		}
		json_decref(prev.scale);
		if ((r = rates_by_requirement(ctx, prev.id, &low, &rates, &keys, &nrates)) != KJ_OK)
			goto done;
		for (i = 0; i < nrates; i++) {
			if (rates[i] >= below)
				kj_strmap_put(&low, keys[i], -1);	/* not low: forget it */
		}
	}
	if (sel != NULL && json_object_get(sel, "findings") != NULL && !json_is_boolean(json_object_get(sel, "findings"))) {
		r = kj_failf(ctx, KJ_ERR_INVALID, "select.findings: expected true or false");
		goto done;
	}
	if (sel != NULL && json_is_true(json_object_get(sel, "findings")) && (r = open_findings(ctx, o.id, &found)) != KJ_OK)
		goto done;
	any_filter = sel != NULL && (json_object_get(sel, "parts") || json_object_get(sel, "chapters") ||
				     json_object_get(sel, "numbers") || json_object_get(sel, "level") ||
				     json_object_get(sel, "role"));
	base = sel == NULL || (!json_is_string(json_object_get(sel, "low_from")) && !json_is_true(json_object_get(sel, "findings"))) ||
	       any_filter;
	for (i = 0; i < ed.nitems; i++) {
		const struct kj_item *it = &ed.items[i];
		int take = base;

		if (strcmp(it->kind, "requirement") != 0 && strcmp(it->kind, "control") != 0 &&
		    strcmp(it->kind, "enhancement") != 0)
			continue;
		if (take && any_filter) {
			json_t *parts = json_object_get(sel, "parts"), *chapters = json_object_get(sel, "chapters"), *v;
			const char *level = json_string_value(json_object_get(sel, "level"));
			const char *role = json_string_value(json_object_get(sel, "role"));
			size_t k;
			int in_heading = parts == NULL && chapters == NULL;

			json_array_foreach(parts, k, v)
				in_heading |= json_is_string(v) && under_heading(it->number, json_string_value(v));
			json_array_foreach(chapters, k, v)
				in_heading |= json_is_string(v) && under_heading(it->number, json_string_value(v));
			if (json_object_get(sel, "numbers") != NULL)
				in_heading = (parts || chapters ? in_heading : 0) ||
					     json_has_string(json_object_get(sel, "numbers"), it->number);
			take = in_heading && (level == NULL || (it->level && strcmp(it->level, level) == 0)) &&
			       (role == NULL || (it->role && strcmp(it->role, role) == 0));
		}
		if (!take && kj_strmap_get(&low, it->number) >= 0)
			take = 1;	/* suggested: low in the campaign before */
		if (!take && kj_strmap_get(&found, it->number) >= 0)
			take = 1;	/* named in an open audit finding */
		if (!take)
			continue;
		if (json_array_size(items) >= KJ_MAX_CAMPAIGN_ITEMS) {
			r = kj_failf(ctx, KJ_ERR_TOO_LARGE, "select: more than %d items", KJ_MAX_CAMPAIGN_ITEMS);
			goto done;
		}
		json_array_append_new(items, json_pack("{s:s, s:s?, s:s?, s:s?}", "number", it->number, "role", it->role,
						       "ja", it->text_ja, "en", it->text_en ? it->text_en : it->title_en));
	}
	if (json_array_size(items) == 0) {
		r = kj_failf(ctx, KJ_ERR_INVALID, "select: chooses no requirement of %s", ed.code);
		goto done;
	}
	scale_s = json_dumps(scale, JSON_COMPACT);
	if ((r = kj_tx_begin(ctx)) != KJ_OK)
		goto done;
	r = insert_campaign(ctx, in->code, o.id, kj_fiscal_year(in->opens_on), in->title_ja, in->title_en, ed.id, 0,
			    in->opens_on, in->due_on, scale_s, uuid, &cid);
	if (r == KJ_OK)
		r = insert_items(ctx, cid, items);
	if (r == KJ_OK)
		r = audit_json(ctx, "campaign", uuid, o.id, "campaign.create",
			       json_pack("{s:s, s:s, s:i, s:s, s:I}", "code", in->code, "org", o.code, "fiscal_year",
					 kj_fiscal_year(in->opens_on), "edition", ed.code, "items", (json_int_t)json_array_size(items)));
	r = kj_tx_end(ctx, r);
	if (r == KJ_OK && nitems_out != NULL)
		*nitems_out = json_array_size(items);
done:
	for (i = 0; i < nrates; i++)
		free(keys[i]);
	free(keys);
	free(rates);
	free(scale_s);
	kj_strmap_free(&low);
	free_keys(&found);
	kj_edition_free(&ed);
	json_decref(items);
	json_decref(scale);
	return r;
}

kj_err
kj_campaign_mandate(struct kj_ctx *ctx, const char *code, const char *const *kinds, size_t *n_out)
{
	static const char *const default_kinds[] = {"ministry", "agency", "corporation", NULL};
	struct campaign c;
	struct kj_org centre;
	struct kj_org_list l;
	struct kj_stmt *st = NULL;
	char tja[KJ_MAX_TITLE_BYTES + 1], ten[KJ_MAX_TITLE_BYTES + 1];
	char *scale_s = NULL;
	size_t i, n = 0;
	int row;
	kj_err r;

	if (kinds == NULL)
		kinds = default_kinds;
	if ((r = campaign_by_code(ctx, code, &c)) != KJ_OK)
		return r;
	memset(&l, 0, sizeof(l));
	/* Seen only by taking part: refused before its organisation, out of scope, is read
	 * (which would answer as if the campaign were absent). */
	if (!kj_access_org_visible(ctx, c.org_id) && (r = require_manage(ctx, c.org_id)) != KJ_OK)
		goto done;
	if ((r = kj_tx_begin(ctx)) != KJ_OK)
		goto done;
	r = kj_db_prepare(ctx, "SELECT o.code, c.title_ja, c.title_en FROM campaign c JOIN org o ON o.id = c.org_id WHERE c.id = ?", &st);
	if (r == KJ_OK && (r = kj_stmt_bind_int(ctx, st, 1, c.id)) == KJ_OK && (r = kj_stmt_step(ctx, st, &row)) == KJ_OK) {
		r = kj_org_get(ctx, kj_stmt_text(st, 0), &centre);
		kj_strlcpy(tja, kj_stmt_text(st, 1), sizeof(tja));
		kj_strlcpy(ten, kj_stmt_text(st, 2), sizeof(ten));
	}
	kj_stmt_free(st);
	st = NULL;
	if (r != KJ_OK)
		goto out;
	if (strcmp(centre.kind, "centre") != 0) {
		r = kj_failf(ctx, KJ_ERR_INVALID, "only a campaign of the centre can be mandated to other organisations");
		goto out;
	}
	if ((r = require_manage(ctx, centre.id)) != KJ_OK ||
	    (r = kj_access_require(ctx, KJ_PERM_ORG_TOP, 0)) != KJ_OK)
		goto out;
	if ((r = kj_org_list(ctx, NULL, 0, &l)) != KJ_OK)
		goto out;
	scale_s = json_dumps(c.scale, JSON_COMPACT);
	for (i = 0; i < l.n && r == KJ_OK; i++) {
		char child[KJ_MAX_CODE_BYTES * 2 + 2], uuid[37];
		int64_t cid;

		if (!in_list(kinds, l.v[i].kind))
			continue;
		snprintf(child, sizeof(child), "%s-%s", c.code, l.v[i].code);
		if (strlen(child) > KJ_MAX_CODE_BYTES) {
			r = kj_failf(ctx, KJ_ERR_INVALID, "code: %s is too long for child campaigns", c.code);
			break;
		}
		r = insert_campaign(ctx, child, l.v[i].id, c.fiscal_year, tja, ten, c.edition_id, c.id, c.opens_on, c.due_on,
				    scale_s, uuid, &cid);
		if (r != KJ_OK)
			break;
		if ((r = kj_db_prepare(ctx, "INSERT INTO campaign_item (campaign_id, seq, item_number, role, question_ja, "
					    "question_en) SELECT ?, seq, item_number, role, question_ja, question_en "
					    "FROM campaign_item WHERE campaign_id = ?", &st)) == KJ_OK &&
		    (r = kj_stmt_bind_int(ctx, st, 1, cid)) == KJ_OK && (r = kj_stmt_bind_int(ctx, st, 2, c.id)) == KJ_OK)
			r = kj_stmt_run(ctx, st);
		kj_stmt_free(st);
		st = NULL;
		n++;
	}
	if (r == KJ_OK)
		r = audit_json(ctx, "campaign", c.uuid, centre.id, "campaign.mandate",
			       json_pack("{s:s, s:I}", "code", c.code, "organisations", (json_int_t)n));
out:
	r = kj_tx_end(ctx, r);
	if (r == KJ_OK && n_out != NULL)
		*n_out = n;
done:
	kj_org_list_free(&l);
	free(scale_s);
	json_decref(c.scale);
	return r;
}

kj_err
kj_campaign_set_status(struct kj_ctx *ctx, const char *code, const char *status)
{
	struct campaign c;
	struct kj_stmt *st = NULL;
	kj_err r;

	if ((r = campaign_by_code(ctx, code, &c)) != KJ_OK)
		return r;
	json_decref(c.scale);
	if ((r = require_manage(ctx, c.org_id)) != KJ_OK)
		return r;
	if (!((strcmp(c.status, "draft") == 0 && strcmp(status, "open") == 0) ||
	      (strcmp(c.status, "open") == 0 && strcmp(status, "closed") == 0)))
		return kj_failf(ctx, KJ_ERR_INVALID, "status: a %s campaign cannot become %s (draft, open, closed, in that order)",
				c.status, status);
	if ((r = kj_tx_begin(ctx)) != KJ_OK)
		return r;
	r = kj_db_prepare(ctx, "UPDATE campaign SET status = ?, version = version + 1 WHERE id = ? OR mandate_id = ?", &st);
	if (r == KJ_OK && (r = kj_stmt_bind_text(ctx, st, 1, status)) == KJ_OK && (r = kj_stmt_bind_int(ctx, st, 2, c.id)) == KJ_OK &&
	    (r = kj_stmt_bind_int(ctx, st, 3, c.id)) == KJ_OK)
		r = kj_stmt_run(ctx, st);
	kj_stmt_free(st);
	if (r == KJ_OK)
		r = audit_json(ctx, "campaign", c.uuid, c.org_id, "campaign.status", json_pack("{s:s, s:s}", "code", code, "status", status));
	return kj_tx_end(ctx, r);
}

static json_t *
campaign_row_json(struct kj_stmt *st)
{
	return json_pack("{s:s, s:s, s:s, s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s?, s:I, s:I, s:I}", "id", kj_stmt_text(st, 0),
			 "code", kj_stmt_text(st, 1), "org", kj_stmt_text(st, 2), "fiscal_year", (json_int_t)kj_stmt_int(st, 3),
			 "title_ja", kj_stmt_text(st, 4), "title_en", kj_stmt_text(st, 5), "edition", kj_stmt_text(st, 6),
			 "status", kj_stmt_text(st, 7), "opens_on", kj_stmt_text(st, 8), "due_on", kj_stmt_text(st, 9),
			 "mandated_by", kj_stmt_text(st, 10), "items", (json_int_t)kj_stmt_int(st, 11), "checklists",
			 (json_int_t)kj_stmt_int(st, 12), "submitted", (json_int_t)kj_stmt_int(st, 13));
}

#define CAMPAIGN_COLUMNS                                                                                        \
	"c.uuid, c.code, o.code, c.fiscal_year, c.title_ja, c.title_en, e.code, c.status, c.opens_on, c.due_on, "   \
	"m.code, (SELECT COUNT(*) FROM campaign_item i WHERE i.campaign_id = c.id), "                               \
	"(SELECT COUNT(*) FROM checklist k WHERE k.campaign_id = c.id), "                                           \
	"(SELECT COUNT(*) FROM checklist k WHERE k.campaign_id = c.id AND k.status = 'submitted'), c.org_id "        \
	"FROM campaign c JOIN org o ON o.id = c.org_id JOIN edition e ON e.id = c.edition_id "                       \
	"LEFT JOIN campaign m ON m.id = c.mandate_id "

kj_err
kj_campaign_list(struct kj_ctx *ctx, const char *org, int fiscal_year, const struct kj_campaign_pos *after, int limit,
		 json_t **out, int *more_out)
{
	struct kj_stmt *st = NULL;
	struct kj_org o;
	json_t *a = json_array();
	int row;
	kj_err r;

	if (org != NULL && (r = kj_org_get(ctx, org, &o)) != KJ_OK) {
		json_decref(a);
		return r;
	}
	if (more_out != NULL)
		*more_out = 0;
	/* Keyset paging on (fiscal year descending, code): what sorts after the last row of
	 * the page before. Rows out of scope are skipped here, so a page is read until it holds
	 * limit visible rows and one more shows that others follow. */
	r = kj_db_prepare(ctx, "SELECT " CAMPAIGN_COLUMNS "WHERE (? = 0 OR c.org_id = ?) AND (? = 0 OR c.fiscal_year = ?) "
			       "AND (? = 0 OR c.fiscal_year < ? OR (c.fiscal_year = ? AND c.code > ?)) "
			       "ORDER BY c.fiscal_year DESC, c.code", &st);
	if (r == KJ_OK && (r = kj_stmt_bind_int(ctx, st, 1, org ? o.id : 0)) == KJ_OK &&
	    (r = kj_stmt_bind_int(ctx, st, 2, org ? o.id : 0)) == KJ_OK && (r = kj_stmt_bind_int(ctx, st, 3, fiscal_year)) == KJ_OK &&
	    (r = kj_stmt_bind_int(ctx, st, 4, fiscal_year)) == KJ_OK &&
	    (r = kj_stmt_bind_int(ctx, st, 5, after ? 1 : 0)) == KJ_OK &&
	    (r = kj_stmt_bind_int(ctx, st, 6, after ? after->fiscal_year : 0)) == KJ_OK &&
	    (r = kj_stmt_bind_int(ctx, st, 7, after ? after->fiscal_year : 0)) == KJ_OK &&
	    (r = kj_stmt_bind_text(ctx, st, 8, after ? after->code : "")) == KJ_OK) {
		while ((r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row) {
			if (!kj_access_org_visible(ctx, kj_stmt_int(st, 14)))
				continue;
			if (limit > 0 && json_array_size(a) == (size_t)limit) {
				if (more_out != NULL)
					*more_out = 1;
				break;
			}
			json_array_append_new(a, campaign_row_json(st));
		}
	}
	kj_stmt_free(st);
	if (r != KJ_OK) {
		json_decref(a);
		return r;
	}
	*out = a;
	return KJ_OK;
}

kj_err
kj_campaign_get(struct kj_ctx *ctx, const char *code, json_t **out)
{
	struct campaign c;
	struct kj_stmt *st = NULL;
	json_t *j = NULL, *items;
	int row;
	kj_err r;

	if ((r = campaign_by_code(ctx, code, &c)) != KJ_OK)
		return r;
	r = kj_db_prepare(ctx, "SELECT " CAMPAIGN_COLUMNS "WHERE c.id = ?", &st);
	if (r == KJ_OK && (r = kj_stmt_bind_int(ctx, st, 1, c.id)) == KJ_OK && (r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row)
		j = campaign_row_json(st);
	kj_stmt_free(st);
	st = NULL;
	if (r == KJ_OK && j == NULL)
		r = kj_failf(ctx, KJ_ERR_NOT_FOUND, "no campaign \"%.64s\"", code);
	if (r != KJ_OK) {
		json_decref(c.scale);
		return r;
	}
	json_object_set_new(j, "scale", c.scale);
	items = json_array();
	r = kj_db_prepare(ctx, "SELECT item_number, role, question_ja, question_en FROM campaign_item WHERE campaign_id = ? "
			       "ORDER BY seq", &st);
	if (r == KJ_OK && (r = kj_stmt_bind_int(ctx, st, 1, c.id)) == KJ_OK) {
		while ((r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row)
			json_array_append_new(items, json_pack("{s:s, s:s?, s:s?, s:s?}", "requirement", kj_stmt_text(st, 0),
							       "role", kj_stmt_text(st, 1), "question_ja", kj_stmt_text(st, 2),
							       "question_en", kj_stmt_text(st, 3)));
	}
	kj_stmt_free(st);
	json_object_set_new(j, "item_list", items);
	if (r != KJ_OK) {
		json_decref(j);
		return r;
	}
	*out = j;
	return KJ_OK;
}

/* ---- Checklists and answers ------------------------------------------------------------ */

static const char *
std_role_of(enum kj_role r)
{
	switch (r) {
	case KJ_ROLE_ORG_ADMIN:
		return "ciso";
	case KJ_ROLE_UNIT_OFFICER:
		return "unit_officer";
	case KJ_ROLE_EXTERNAL_AUDITOR:
		return "audit_officer";
	default:
		return "staff";
	}
}

kj_err
kj_checklist_assign(struct kj_ctx *ctx, const char *campaign, const char *user, const char *unit, const char *role,
		    const char *due_on, char uuid_out[37])
{
	struct campaign c;
	struct kj_user u;
	struct kj_org o;
	struct kj_stmt *st = NULL;
	struct kj_ctx within;
	kj_err r;

	if (role != NULL && !in_list(std_roles, role))
		return kj_failf(ctx, KJ_ERR_INVALID, "role: expected ciso, chief_officer, unit_officer, division_officer, "
						     "system_owner, audit_officer, staff or csirt");
	if (due_on != NULL && !kj_date_valid(due_on))
		return kj_failf(ctx, KJ_ERR_INVALID, "due_on: expected YYYY-MM-DD");
	if ((r = campaign_by_code(ctx, campaign, &c)) != KJ_OK)
		return r;
	if ((r = kj_tx_begin(ctx)) != KJ_OK)
		goto done;
	if ((r = kj_user_get(ctx, user, &u)) != KJ_OK || (r = kj_org_get(ctx, unit ? unit : u.org_code, &o)) != KJ_OK)
		goto out;
	if ((r = kj_access_require(ctx, KJ_PERM_INSPECTION_MANAGE, o.id)) != KJ_OK)
		goto out;
	/* The unit answered for lies within the campaign's organisation. */
	within = *ctx;
	within.who.role = KJ_ROLE_ORG_ADMIN;
	within.who.org_id = c.org_id;
	within.who.read_only = 0;
	if (!kj_access_org_visible(&within, o.id)) {
		r = kj_failf(ctx, KJ_ERR_INVALID, "unit: %s is not part of the campaign's organisation", o.code);
		goto out;
	}
	if (strcmp(c.status, "closed") == 0) {
		r = kj_failf(ctx, KJ_ERR_INVALID, "campaign %s is closed", c.code);
		goto out;
	}
	kj_uuid_v4(uuid_out);
	r = kj_db_prepare(ctx, "INSERT INTO checklist (uuid, campaign_id, user_id, org_id, role, status, due_on) "
			       "VALUES (?, ?, ?, ?, ?, 'open', ?)", &st);
	if (r == KJ_OK && (r = kj_stmt_bind_text(ctx, st, 1, uuid_out)) == KJ_OK && (r = kj_stmt_bind_int(ctx, st, 2, c.id)) == KJ_OK &&
	    (r = kj_stmt_bind_int(ctx, st, 3, u.id)) == KJ_OK && (r = kj_stmt_bind_int(ctx, st, 4, o.id)) == KJ_OK &&
	    (r = kj_stmt_bind_text(ctx, st, 5, role ? role : std_role_of(u.role))) == KJ_OK &&
	    (r = kj_stmt_bind_text(ctx, st, 6, due_on ? due_on : c.due_on)) == KJ_OK)
		r = kj_stmt_run(ctx, st);
	if (r == KJ_ERR_EXISTS)
		r = kj_failf(ctx, r, "user: %s already has a checklist in %s", u.name, c.code);
	if (r == KJ_OK)
		r = audit_json(ctx, "checklist", uuid_out, o.id, "checklist.assign",
			       json_pack("{s:s, s:s, s:s}", "campaign", c.code, "user", u.name, "unit", o.code));
out:
	kj_stmt_free(st);
	r = kj_tx_end(ctx, r);
done:
	json_decref(c.scale);
	return r;
}

struct checklist {
	int64_t id, campaign_id, user_id, org_id;
	char uuid[37], role[20], status[12], due_on[11];
	struct campaign c;
};

static kj_err
checklist_by_uuid(struct kj_ctx *ctx, const char *uuid, struct checklist *k)
{
	struct kj_stmt *st = NULL;
	char code[KJ_MAX_CODE_BYTES + 1];
	int row;
	kj_err r;

	memset(k, 0, sizeof(*k));
	if (uuid == NULL || !kj_uuid_valid(uuid))
		return kj_failf(ctx, KJ_ERR_NOT_FOUND, "no checklist \"%.40s\"", uuid ? uuid : "");
	r = kj_db_prepare(ctx, "SELECT k.id, k.campaign_id, k.user_id, k.org_id, k.role, k.status, k.due_on, c.code "
			       "FROM checklist k JOIN campaign c ON c.id = k.campaign_id WHERE k.uuid = ?", &st);
	if (r != KJ_OK)
		return r;
	if ((r = kj_stmt_bind_text(ctx, st, 1, uuid)) == KJ_OK && (r = kj_stmt_step(ctx, st, &row)) == KJ_OK) {
		if (!row) {
			r = kj_failf(ctx, KJ_ERR_NOT_FOUND, "no checklist \"%.40s\"", uuid);
		} else {
			k->id = kj_stmt_int(st, 0);
			k->campaign_id = kj_stmt_int(st, 1);
			k->user_id = kj_stmt_int(st, 2);
			k->org_id = kj_stmt_int(st, 3);
			kj_strlcpy(k->role, kj_stmt_text(st, 4), sizeof(k->role));
			kj_strlcpy(k->status, kj_stmt_text(st, 5), sizeof(k->status));
			kj_strlcpy(k->due_on, kj_stmt_text(st, 6), sizeof(k->due_on));
			kj_strlcpy(k->uuid, uuid, sizeof(k->uuid));
			kj_strlcpy(code, kj_stmt_text(st, 7), sizeof(code));
		}
	}
	kj_stmt_free(st);
	if (r != KJ_OK)
		return r;
	/* Its holder, the local administrator, and officers with the unit in scope see it. */
	if (k->user_id != ctx->who.user_id && ctx->who.role != KJ_ROLE_LOCAL_ADMIN &&
	    kj_access_require(ctx, KJ_PERM_INSPECTION_READ, k->org_id) != KJ_OK)
		return kj_failf(ctx, KJ_ERR_NOT_FOUND, "no checklist \"%.40s\"", uuid);
	{
		/* The campaign as the system sees it: a holder may not see the campaign's org. */
		struct kj_principal saved = ctx->who;

		ctx->who.role = KJ_ROLE_LOCAL_ADMIN;
		r = campaign_by_code(ctx, code, &k->c);
		ctx->who = saved;
	}
	return r;
}

kj_err
kj_checklist_get(struct kj_ctx *ctx, const char *uuid, json_t **out)
{
	struct checklist k;
	struct kj_stmt *st = NULL;
	json_t *items, *j;
	int row, answered = 0, total = 0;
	kj_err r;

	if ((r = checklist_by_uuid(ctx, uuid, &k)) != KJ_OK)
		return r;
	items = json_array();
	r = kj_db_prepare(ctx, "SELECT i.item_number, i.role, i.question_ja, i.question_en, a.value, a.comment, a.evidence, "
			       "a.answered_at FROM campaign_item i LEFT JOIN answer a ON a.item_id = i.id AND a.checklist_id = ? "
			       "WHERE i.campaign_id = ? AND (i.role IS NULL OR i.role = ?) ORDER BY i.seq", &st);
	if (r == KJ_OK && (r = kj_stmt_bind_int(ctx, st, 1, k.id)) == KJ_OK && (r = kj_stmt_bind_int(ctx, st, 2, k.campaign_id)) == KJ_OK &&
	    (r = kj_stmt_bind_text(ctx, st, 3, k.role)) == KJ_OK) {
		while ((r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row) {
			total++;
			answered += !kj_stmt_is_null(st, 4);
			json_array_append_new(items, json_pack("{s:s, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?}", "requirement",
							       kj_stmt_text(st, 0), "role", kj_stmt_text(st, 1), "question_ja",
							       kj_stmt_text(st, 2), "question_en", kj_stmt_text(st, 3), "value",
							       kj_stmt_text(st, 4), "comment", kj_stmt_text(st, 5), "evidence",
							       kj_stmt_text(st, 6), "answered_at", kj_stmt_text(st, 7)));
		}
	}
	kj_stmt_free(st);
	if (r != KJ_OK) {
		json_decref(items);
		json_decref(k.c.scale);
		return r;
	}
	j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:i, s:o, s:o}", "id", k.uuid, "campaign", k.c.code, "role", k.role,
		      "status", k.status, "due_on", k.due_on, "answered", answered, "total", total, "scale", k.c.scale,
		      "items", items);
	*out = j;
	return KJ_OK;
}

kj_err
kj_checklist_mine(struct kj_ctx *ctx, json_t **out)
{
	struct kj_stmt *st = NULL;
	json_t *a = json_array();
	int row;
	kj_err r;

	r = kj_db_prepare(ctx, "SELECT k.uuid, c.code, c.title_ja, c.title_en, k.role, k.status, k.due_on, o.code, "
			       "(SELECT COUNT(*) FROM answer a WHERE a.checklist_id = k.id), "
			       "(SELECT COUNT(*) FROM campaign_item i WHERE i.campaign_id = c.id AND (i.role IS NULL OR i.role = k.role)) "
			       "FROM checklist k JOIN campaign c ON c.id = k.campaign_id JOIN org o ON o.id = k.org_id "
			       "WHERE k.user_id = ? ORDER BY CASE WHEN k.status = 'open' THEN 0 ELSE 1 END, k.due_on", &st);
	if (r == KJ_OK && (r = kj_stmt_bind_int(ctx, st, 1, ctx->who.user_id)) == KJ_OK) {
		while ((r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row)
			json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:I}", "id",
							   kj_stmt_text(st, 0), "campaign", kj_stmt_text(st, 1), "title_ja",
							   kj_stmt_text(st, 2), "title_en", kj_stmt_text(st, 3), "role",
							   kj_stmt_text(st, 4), "status", kj_stmt_text(st, 5), "due_on",
							   kj_stmt_text(st, 6), "unit", kj_stmt_text(st, 7), "answered",
							   (json_int_t)kj_stmt_int(st, 8), "total", (json_int_t)kj_stmt_int(st, 9)));
	}
	kj_stmt_free(st);
	if (r != KJ_OK) {
		json_decref(a);
		return r;
	}
	*out = a;
	return KJ_OK;
}

static kj_err
rollup_add(struct kj_ctx *ctx, int64_t campaign_id, int64_t item_id, int64_t org_id, const char *bucket, int delta)
{
	struct kj_stmt *st = NULL;
	int64_t d[4] = {0, 0, 0, 0};
	int k;
	kj_err r;

	for (k = 0; buckets[k] != NULL; k++) {
		if (strcmp(buckets[k], bucket) == 0)
			d[k] = delta;
	}
	r = kj_db_prepare(ctx, "INSERT INTO rollup (campaign_id, item_id, org_id, n_done, n_partial, n_not_done, n_excluded) "
			       "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (campaign_id, item_id, org_id) DO UPDATE SET "
			       "n_done = rollup.n_done + excluded.n_done, n_partial = rollup.n_partial + excluded.n_partial, "
			       "n_not_done = rollup.n_not_done + excluded.n_not_done, "
			       "n_excluded = rollup.n_excluded + excluded.n_excluded", &st);
	if (r == KJ_OK && (r = kj_stmt_bind_int(ctx, st, 1, campaign_id)) == KJ_OK && (r = kj_stmt_bind_int(ctx, st, 2, item_id)) == KJ_OK &&
	    (r = kj_stmt_bind_int(ctx, st, 3, org_id)) == KJ_OK && (r = kj_stmt_bind_int(ctx, st, 4, d[0])) == KJ_OK &&
	    (r = kj_stmt_bind_int(ctx, st, 5, d[1])) == KJ_OK && (r = kj_stmt_bind_int(ctx, st, 6, d[2])) == KJ_OK &&
	    (r = kj_stmt_bind_int(ctx, st, 7, d[3])) == KJ_OK)
		r = kj_stmt_run(ctx, st);
	kj_stmt_free(st);
	return r;
}

static kj_err evidence_readable(struct kj_ctx *ctx, const char *sha, int *ok_out);

kj_err
kj_answer_put(struct kj_ctx *ctx, const char *checklist, const char *item, const char *value, const char *comment,
	      const char *evidence)
{
	struct checklist k;
	struct kj_stmt *st = NULL;
	const char *bucket;
	char old_bucket[12] = "", now[21], vals[256];
	int64_t item_id = 0;
	int row;
	kj_err r;

	if ((r = checklist_by_uuid(ctx, checklist, &k)) != KJ_OK)
		return r;
	if (k.user_id != ctx->who.user_id && ctx->who.role != KJ_ROLE_LOCAL_ADMIN) {
		r = kj_failf(ctx, KJ_ERR_DENIED, "only the holder of a checklist answers it");
		goto done;
	}
	if (ctx->who.read_only) {
		r = kj_failf(ctx, KJ_ERR_DENIED, "not allowed with a read-only token");
		goto done;
	}
	if (strcmp(k.status, "open") != 0) {
		r = kj_failf(ctx, KJ_ERR_STATE, "the checklist is submitted and locked; an officer can reopen it");
		goto done;
	}
	if (strcmp(k.c.status, "open") != 0) {
		r = kj_failf(ctx, KJ_ERR_INVALID, "campaign %s is %s, not open", k.c.code, k.c.status);
		goto done;
	}
	if ((bucket = bucket_of(k.c.scale, value)) == NULL) {
		r = kj_failf(ctx, KJ_ERR_INVALID, "value: \"%.40s\" is not on the campaign's scale (expected %s)", value ? value : "",
			     scale_values(k.c.scale, vals, sizeof(vals)));
		goto done;
	}
	if (comment != NULL && (strlen(comment) > KJ_MAX_COMMENT_BYTES || !kj_utf8_valid(comment, strlen(comment)))) {
		r = kj_failf(ctx, KJ_ERR_INVALID, "comment: at most %d bytes of UTF-8", KJ_MAX_COMMENT_BYTES);
		goto done;
	}
	if ((r = kj_tx_begin(ctx)) != KJ_OK)
		goto done;
	r = kj_db_prepare(ctx, "SELECT i.id, a.bucket FROM campaign_item i LEFT JOIN answer a ON a.item_id = i.id AND "
			       "a.checklist_id = ? WHERE i.campaign_id = ? AND i.item_number = ? AND (i.role IS NULL OR i.role = ?)",
			  &st);
	if (r == KJ_OK && (r = kj_stmt_bind_int(ctx, st, 1, k.id)) == KJ_OK && (r = kj_stmt_bind_int(ctx, st, 2, k.campaign_id)) == KJ_OK &&
	    (r = kj_stmt_bind_text(ctx, st, 3, item)) == KJ_OK && (r = kj_stmt_bind_text(ctx, st, 4, k.role)) == KJ_OK &&
	    (r = kj_stmt_step(ctx, st, &row)) == KJ_OK) {
		if (!row) {
			r = kj_failf(ctx, KJ_ERR_INVALID, "item: \"%.64s\" is not on this checklist", item ? item : "");
		} else {
			item_id = kj_stmt_int(st, 0);
			kj_strlcpy(old_bucket, nz(kj_stmt_text(st, 1)), sizeof(old_bucket));
		}
	}
	kj_stmt_free(st);
	st = NULL;
	if (r != KJ_OK)
		goto out;
	if (evidence != NULL) {
		int readable = 0;

		/* Naming a file's digest is not enough: the holder must already be able to read
		 * it. A file that does not exist and one that is not the holder's get the same
		 * answer, so that the reply tells nothing about other organisations' files. */
		if ((r = evidence_readable(ctx, evidence, &readable)) != KJ_OK)
			goto out;
		if (!readable) {
			r = kj_failf(ctx, KJ_ERR_INVALID, "evidence: no file %.64s that you uploaded or may read", evidence);
			goto out;
		}
	}
	kj_time_format(kj_now(ctx), now);
	r = kj_db_prepare(ctx, "INSERT INTO answer (checklist_id, item_id, value, bucket, comment, evidence, answered_at) "
			       "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (checklist_id, item_id) DO UPDATE SET value = excluded.value, "
			       "bucket = excluded.bucket, comment = excluded.comment, evidence = excluded.evidence, "
			       "answered_at = excluded.answered_at", &st);
	if (r == KJ_OK && (r = kj_stmt_bind_int(ctx, st, 1, k.id)) == KJ_OK && (r = kj_stmt_bind_int(ctx, st, 2, item_id)) == KJ_OK &&
	    (r = kj_stmt_bind_text(ctx, st, 3, value)) == KJ_OK && (r = kj_stmt_bind_text(ctx, st, 4, bucket)) == KJ_OK &&
	    (r = kj_stmt_bind_text(ctx, st, 5, comment)) == KJ_OK && (r = kj_stmt_bind_text(ctx, st, 6, evidence)) == KJ_OK &&
	    (r = kj_stmt_bind_text(ctx, st, 7, now)) == KJ_OK)
		r = kj_stmt_run(ctx, st);
	if (r == KJ_OK && old_bucket[0] != '\0')
		r = rollup_add(ctx, k.campaign_id, item_id, k.org_id, old_bucket, -1);
	if (r == KJ_OK)
		r = rollup_add(ctx, k.campaign_id, item_id, k.org_id, bucket, 1);
	if (r == KJ_OK)
		r = kj_state_log_answers(ctx, k.uuid, item, "answer.put");
out:
	kj_stmt_free(st);
	r = kj_tx_end(ctx, r);
done:
	json_decref(k.c.scale);
	return r;
}

static kj_err
set_checklist_status(struct kj_ctx *ctx, const char *uuid, int submit)
{
	struct checklist k;
	struct kj_stmt *st = NULL;
	char now[21];
	int row;
	kj_err r;

	if ((r = checklist_by_uuid(ctx, uuid, &k)) != KJ_OK)
		return r;
	if (submit) {
		if (k.user_id != ctx->who.user_id && ctx->who.role != KJ_ROLE_LOCAL_ADMIN)
			r = kj_failf(ctx, KJ_ERR_DENIED, "only the holder of a checklist submits it");
		else if (strcmp(k.status, "open") != 0)
			r = kj_failf(ctx, KJ_ERR_STATE, "the checklist is already submitted");
		else if (strcmp(k.c.status, "open") != 0)
			r = kj_failf(ctx, KJ_ERR_INVALID, "campaign %s is %s, not open", k.c.code, k.c.status);
	} else {
		r = kj_access_require(ctx, KJ_PERM_INSPECTION_MANAGE, k.org_id);
		/* The checklist was found, so the principal sees it: out of scope of its unit
		 * only its holder does, who is refused, not told it does not exist. */
		if (r == KJ_ERR_NOT_FOUND)
			r = kj_failf(ctx, KJ_ERR_DENIED, "not allowed to reopen this checklist");
		if (r == KJ_OK && strcmp(k.status, "submitted") != 0)
			r = kj_failf(ctx, KJ_ERR_STATE, "the checklist is open already");
		/* Its holder could not answer again: a campaign that is not open takes no answers. */
		if (r == KJ_OK && strcmp(k.c.status, "open") != 0)
			r = kj_failf(ctx, KJ_ERR_STATE, "campaign %s is %s: its checklists are reopened only while it is open",
				     k.c.code, k.c.status);
	}
	if (r == KJ_OK && ctx->who.read_only)
		r = kj_failf(ctx, KJ_ERR_DENIED, "not allowed with a read-only token");
	if (r != KJ_OK)
		goto done;
	if ((r = kj_tx_begin(ctx)) != KJ_OK)
		goto done;
	if (submit) {
		r = kj_db_prepare(ctx, "SELECT COUNT(*) FROM campaign_item i WHERE i.campaign_id = ? AND (i.role IS NULL OR i.role = ?) "
				       "AND NOT EXISTS (SELECT 1 FROM answer a WHERE a.checklist_id = ? AND a.item_id = i.id)", &st);
		if (r == KJ_OK && (r = kj_stmt_bind_int(ctx, st, 1, k.campaign_id)) == KJ_OK && (r = kj_stmt_bind_text(ctx, st, 2, k.role)) == KJ_OK &&
		    (r = kj_stmt_bind_int(ctx, st, 3, k.id)) == KJ_OK && (r = kj_stmt_step(ctx, st, &row)) == KJ_OK && kj_stmt_int(st, 0) > 0)
			r = kj_failf(ctx, KJ_ERR_INVALID, "%" PRId64 " item(s) are not answered yet", kj_stmt_int(st, 0));
		kj_stmt_free(st);
		st = NULL;
		if (r != KJ_OK)
			goto out;
	}
	kj_time_format(kj_now(ctx), now);
	r = kj_db_prepare(ctx, "UPDATE checklist SET status = ?, submitted_at = ?, version = version + 1 WHERE id = ?", &st);
	if (r == KJ_OK && (r = kj_stmt_bind_text(ctx, st, 1, submit ? "submitted" : "open")) == KJ_OK &&
	    (r = submit ? kj_stmt_bind_text(ctx, st, 2, now) : kj_stmt_bind_null(ctx, st, 2)) == KJ_OK &&
	    (r = kj_stmt_bind_int(ctx, st, 3, k.id)) == KJ_OK)
		r = kj_stmt_run(ctx, st);
	if (r == KJ_OK)
		r = audit_json(ctx, "checklist", k.uuid, k.org_id, submit ? "checklist.submit" : "checklist.reopen",
			       json_pack("{s:s, s:s}", "campaign", k.c.code, "status", submit ? "submitted" : "open"));
out:
	kj_stmt_free(st);
	r = kj_tx_end(ctx, r);
done:
	json_decref(k.c.scale);
	return r;
}

kj_err
kj_checklist_submit(struct kj_ctx *ctx, const char *checklist)
{
	return set_checklist_status(ctx, checklist, 1);
}

kj_err
kj_checklist_reopen(struct kj_ctx *ctx, const char *checklist)
{
	return set_checklist_status(ctx, checklist, 0);
}

/* The checklists of campaign (NULL: every campaign) in the principal's scope: with
 * overdue, only those still open after their due date, earliest due first; otherwise those
 * of status (NULL: any), by unit and holder. */
static kj_err
list_checklists(struct kj_ctx *ctx, const char *campaign, int overdue, const char *status, json_t **out)
{
	struct kj_stmt *st = NULL;
	json_t *a;
	char today[11];
	int row;
	kj_err r;

	if (ctx->who.role == KJ_ROLE_STAFF)
		return kj_failf(ctx, KJ_ERR_DENIED, "not allowed");
	if (status != NULL && strcmp(status, "open") != 0 && strcmp(status, "submitted") != 0)
		return kj_failf(ctx, KJ_ERR_INVALID, "status: expected open or submitted");
	if (campaign != NULL) {
		struct campaign c;

		if ((r = campaign_by_code(ctx, campaign, &c)) != KJ_OK)
			return r;
		json_decref(c.scale);
	}
	kj_date_format(kj_now(ctx), today);
	r = kj_db_prepare(ctx, overdue ? "SELECT k.uuid, c.code, u.name, o.code, k.role, k.due_on, k.org_id, "
					 "(SELECT COUNT(*) FROM answer a WHERE a.checklist_id = k.id), k.status, k.submitted_at "
					 "FROM checklist k JOIN campaign c ON c.id = k.campaign_id JOIN app_user u ON u.id = k.user_id "
					 "JOIN org o ON o.id = k.org_id WHERE k.status = 'open' AND k.due_on < ? "
					 "AND (CAST(? AS TEXT) IS NULL OR c.code = ?) ORDER BY k.due_on, c.code, u.name"
				       : "SELECT k.uuid, c.code, u.name, o.code, k.role, k.due_on, k.org_id, "
					 "(SELECT COUNT(*) FROM answer a WHERE a.checklist_id = k.id), k.status, k.submitted_at "
					 "FROM checklist k JOIN campaign c ON c.id = k.campaign_id JOIN app_user u ON u.id = k.user_id "
					 "JOIN org o ON o.id = k.org_id WHERE (CAST(? AS TEXT) IS NULL OR k.status = ?) "
					 "AND (CAST(? AS TEXT) IS NULL OR c.code = ?) ORDER BY o.code, u.name",
			  &st);
	if (r != KJ_OK)
		return r;
	a = json_array();
	if (overdue)
		r = kj_stmt_bind_text(ctx, st, 1, today);
	else if ((r = kj_stmt_bind_text(ctx, st, 1, status)) == KJ_OK)
		r = kj_stmt_bind_text(ctx, st, 2, status);
	if (r == KJ_OK && (r = kj_stmt_bind_text(ctx, st, overdue ? 2 : 3, campaign)) == KJ_OK &&
	    (r = kj_stmt_bind_text(ctx, st, overdue ? 3 : 4, campaign)) == KJ_OK) {
		while ((r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row) {
			if (!kj_access_org_visible(ctx, kj_stmt_int(st, 6)))
				continue;
			json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:s?}", "checklist",
							   kj_stmt_text(st, 0), "campaign", kj_stmt_text(st, 1), "user",
							   kj_stmt_text(st, 2), "unit", kj_stmt_text(st, 3), "role",
							   kj_stmt_text(st, 4), "due_on", kj_stmt_text(st, 5), "answered",
							   (json_int_t)kj_stmt_int(st, 7), "status", kj_stmt_text(st, 8),
							   "submitted_at", kj_stmt_text(st, 9)));
		}
	}
	kj_stmt_free(st);
	return kj_hand_over(r, a, out);
}

kj_err
kj_checklist_overdue(struct kj_ctx *ctx, const char *campaign, json_t **out)
{
	return list_checklists(ctx, campaign, 1, NULL, out);
}

kj_err
kj_checklist_list(struct kj_ctx *ctx, const char *campaign, const char *status, json_t **out)
{
	if (campaign == NULL)
		return kj_failf(ctx, KJ_ERR_INVALID, "campaign: required");
	return list_checklists(ctx, campaign, 0, status, out);
}

kj_err
kj_evidence_put(struct kj_ctx *ctx, const void *data, size_t len, const char *media_type, char sha_out[65])
{
	const unsigned char *p = data;
	const char *detected = NULL;
	unsigned char d[crypto_hash_sha256_BYTES];
	struct kj_stmt *st = NULL;
	char now[21], *b64;
	size_t b64len;
	kj_err r;

	if (ctx->who.role == KJ_ROLE_NONE || ctx->who.read_only)
		return kj_failf(ctx, KJ_ERR_DENIED, "not allowed");
	if (len == 0)
		return kj_failf(ctx, KJ_ERR_INVALID, "evidence: the file is empty");
	if (len > KJ_MAX_EVIDENCE_BYTES)
		return kj_failf(ctx, KJ_ERR_TOO_LARGE, "evidence: %zu bytes, more than the limit of %u", len, KJ_MAX_EVIDENCE_BYTES);
	/* The type is what the bytes are, not what the name or the header says. */
	if (len >= 5 && memcmp(p, "%PDF-", 5) == 0)
		detected = "application/pdf";
	else if (len >= 8 && memcmp(p, "\x89PNG\r\n\x1a\n", 8) == 0)
		detected = "image/png";
	else if (len >= 3 && memcmp(p, "\xff\xd8\xff", 3) == 0)
		detected = "image/jpeg";
	else if (kj_utf8_valid(data, len))
		detected = media_type != NULL && strcmp(media_type, "text/csv") == 0 ? "text/csv" : "text/plain";
	if (detected == NULL)
		return kj_failf(ctx, KJ_ERR_INVALID, "evidence: not a PDF, PNG, JPEG or UTF-8 text file");
	if (media_type != NULL && strcmp(media_type, detected) != 0)
		return kj_failf(ctx, KJ_ERR_INVALID, "evidence: declared as %.60s but the content is %s", media_type, detected);
	crypto_hash_sha256(d, p, len);
	sodium_bin2hex(sha_out, 65, d, sizeof(d));
	b64len = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL);
	if ((b64 = malloc(b64len)) == NULL)
		return kj_failf(ctx, KJ_ERR_NOMEM, "out of memory");
	sodium_bin2base64(b64, b64len, p, len, sodium_base64_VARIANT_ORIGINAL);
	kj_time_format(kj_now(ctx), now);
	if ((r = kj_tx_begin(ctx)) != KJ_OK) {
		free(b64);
		return r;
	}
	r = kj_db_prepare(ctx, "INSERT INTO evidence (sha256, size, media_type, data, created_at) VALUES (?, ?, ?, ?, ?) "
			       "ON CONFLICT (sha256) DO NOTHING", &st);
	if (r == KJ_OK && (r = kj_stmt_bind_text(ctx, st, 1, sha_out)) == KJ_OK && (r = kj_stmt_bind_int(ctx, st, 2, (int64_t)len)) == KJ_OK &&
	    (r = kj_stmt_bind_text(ctx, st, 3, detected)) == KJ_OK && (r = kj_stmt_bind_text(ctx, st, 4, b64)) == KJ_OK &&
	    (r = kj_stmt_bind_text(ctx, st, 5, now)) == KJ_OK)
		r = kj_stmt_run(ctx, st);
	kj_stmt_free(st);
	st = NULL;
	free(b64);
	if (r == KJ_OK && ctx->who.user_id != 0) {
		r = kj_db_prepare(ctx, "INSERT INTO evidence_holder (sha256, user_id, at) VALUES (?, ?, ?) "
				       "ON CONFLICT (sha256, user_id) DO NOTHING", &st);
		if (r == KJ_OK && (r = kj_stmt_bind_text(ctx, st, 1, sha_out)) == KJ_OK &&
		    (r = kj_stmt_bind_int(ctx, st, 2, ctx->who.user_id)) == KJ_OK && (r = kj_stmt_bind_text(ctx, st, 3, now)) == KJ_OK)
			r = kj_stmt_run(ctx, st);
		kj_stmt_free(st);
	}
	if (r == KJ_OK)
		r = audit_json(ctx, "evidence", sha_out, ctx->who.org_id, "evidence.put",
			       json_pack("{s:I, s:s}", "size", (json_int_t)len, "media_type", detected));
	return kj_tx_end(ctx, r);
}

/* 1 when the principal may read a checklist of user_id answering for org_id. */
static int
reads_checklist(struct kj_ctx *ctx, int64_t user_id, int64_t org_id)
{
	struct kj_ctx probe = *ctx;

	if (user_id == ctx->who.user_id || ctx->who.role == KJ_ROLE_LOCAL_ADMIN)
		return 1;
	return kj_access_require(&probe, KJ_PERM_INSPECTION_READ, org_id) == KJ_OK;
}

/* *ok_out: 1 when the principal may read the evidence file sha: it uploaded the file, or
 * an answer on a checklist it reads names it. 0 for a file that does not exist. */
static kj_err
evidence_readable(struct kj_ctx *ctx, const char *sha, int *ok_out)
{
	struct kj_stmt *st = NULL;
	int row = 0;
	kj_err r;

	*ok_out = 0;
	if (sha == NULL || strlen(sha) != 64 || strspn(sha, "0123456789abcdef") != 64)
		return KJ_OK;
	if (ctx->who.role == KJ_ROLE_LOCAL_ADMIN) {
		r = kj_db_prepare(ctx, "SELECT 1 FROM evidence WHERE sha256 = ?", &st);
		if (r == KJ_OK && (r = kj_stmt_bind_text(ctx, st, 1, sha)) == KJ_OK && (r = kj_stmt_step(ctx, st, &row)) == KJ_OK)
			*ok_out = row;
		kj_stmt_free(st);
		return r;
	}
	r = kj_db_prepare(ctx, "SELECT 1 FROM evidence_holder WHERE sha256 = ? AND user_id = ?", &st);
	if (r == KJ_OK && (r = kj_stmt_bind_text(ctx, st, 1, sha)) == KJ_OK &&
	    (r = kj_stmt_bind_int(ctx, st, 2, ctx->who.user_id)) == KJ_OK && (r = kj_stmt_step(ctx, st, &row)) == KJ_OK)
		*ok_out = row;
	kj_stmt_free(st);
	st = NULL;
	if (r != KJ_OK || *ok_out)
		return r;
	r = kj_db_prepare(ctx, "SELECT k.user_id, k.org_id FROM answer a JOIN checklist k ON k.id = a.checklist_id "
			       "WHERE a.evidence = ?", &st);
	if (r == KJ_OK && (r = kj_stmt_bind_text(ctx, st, 1, sha)) == KJ_OK) {
		while (!*ok_out && (r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row)
			*ok_out = reads_checklist(ctx, kj_stmt_int(st, 0), kj_stmt_int(st, 1));
	}
	kj_stmt_free(st);
	return r;
}

kj_err
kj_evidence_get(struct kj_ctx *ctx, const char *sha, char media_type_out[64], unsigned char **data_out, size_t *len_out)
{
	struct kj_stmt *st = NULL;
	unsigned char *bin = NULL;
	size_t len = 0;
	int row = 0, allowed = 0;
	kj_err r;

	if (ctx->who.role == KJ_ROLE_NONE)
		return kj_failf(ctx, KJ_ERR_AUTH, "not logged in");
	if ((r = evidence_readable(ctx, sha, &allowed)) != KJ_OK)
		return r;
	if (!allowed)
		return kj_failf(ctx, KJ_ERR_NOT_FOUND, "evidence: no evidence file \"%.64s\"", sha ? sha : "");
	r = kj_db_prepare(ctx, "SELECT media_type, size, data FROM evidence WHERE sha256 = ?", &st);
	if (r == KJ_OK && (r = kj_stmt_bind_text(ctx, st, 1, sha)) == KJ_OK && (r = kj_stmt_step(ctx, st, &row)) == KJ_OK) {
		if (!row) {
			r = kj_failf(ctx, KJ_ERR_NOT_FOUND, "evidence: no evidence file \"%.64s\"", sha);
		} else {
			const char *b64 = kj_stmt_text(st, 2);
			size_t cap = (size_t)kj_stmt_int(st, 1) + 1;

			kj_strlcpy(media_type_out, kj_stmt_text(st, 0), 64);
			if ((bin = malloc(cap)) == NULL)
				r = kj_failf(ctx, KJ_ERR_NOMEM, "out of memory");
			else if (sodium_base642bin(bin, cap, b64, strlen(b64), NULL, &len, NULL, sodium_base64_VARIANT_ORIGINAL) != 0)
				r = kj_failf(ctx, KJ_ERR_INTERNAL, "evidence %.12s: stored content is damaged", sha);
		}
	}
	kj_stmt_free(st);
	if (r != KJ_OK) {
		free(bin);
		return r;
	}
	*data_out = bin;
	*len_out = len;
	return KJ_OK;
}

/* ---- Roll-ups --------------------------------------------------------------------------- */

struct agg {
	int64_t done, partial, not_done, excluded;
};

static double
rate_of(const struct agg *a)
{
	int64_t d = a->done + a->partial + a->not_done;

	return d > 0 ? ((double)a->done + (double)a->partial / 2.0) / (double)d : -1.0;
}

struct rollup_row {
	int64_t campaign_id, org_id;
	const char *number, *role;
	struct agg a;
};

/* Reads the roll-up counters of a campaign and the campaigns it mandated. fn gets each
 * row. */
static kj_err
read_rollup(struct kj_ctx *ctx, int64_t campaign_id, int (*fn)(void *arg, const struct rollup_row *row), void *arg)
{
	struct kj_stmt *st = NULL;
	struct rollup_row rr;
	int row;
	kj_err r;

	r = kj_db_prepare(ctx, "SELECT r.campaign_id, r.org_id, i.item_number, i.role, r.n_done, r.n_partial, r.n_not_done, "
			       "r.n_excluded FROM rollup r JOIN campaign_item i ON i.id = r.item_id "
			       "WHERE r.campaign_id = ? OR r.campaign_id IN (SELECT id FROM campaign WHERE mandate_id = ?)", &st);
	if (r != KJ_OK)
		return r;
	if ((r = kj_stmt_bind_int(ctx, st, 1, campaign_id)) == KJ_OK && (r = kj_stmt_bind_int(ctx, st, 2, campaign_id)) == KJ_OK) {
		while ((r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row) {
			rr.campaign_id = kj_stmt_int(st, 0);
			rr.org_id = kj_stmt_int(st, 1);
			rr.number = kj_stmt_text(st, 2);
			rr.role = kj_stmt_text(st, 3);
			rr.a.done = kj_stmt_int(st, 4);
			rr.a.partial = kj_stmt_int(st, 5);
			rr.a.not_done = kj_stmt_int(st, 6);
			rr.a.excluded = kj_stmt_int(st, 7);
			if (fn(arg, &rr) != 0)
				break;
		}
	}
	kj_stmt_free(st);
	return r;
}

/* Groups: a key string -> index into arrays of counters. */
struct groups {
	struct kj_strmap map;
	char **keys;
	struct agg *a;
	size_t n, cap;
};

static void
groups_free(struct groups *g)
{
	size_t i;

	for (i = 0; i < g->n; i++)
		free(g->keys[i]);
	free(g->keys);
	free(g->a);
	kj_strmap_free(&g->map);
	memset(g, 0, sizeof(*g));
}

static int
groups_add(struct groups *g, const char *key, const struct agg *a)
{
	long i = kj_strmap_get(&g->map, key);

	if (i < 0) {
		if (g->n == g->cap) {
			size_t ncap = g->cap ? g->cap * 2 : 64;
			char **k = realloc(g->keys, ncap * sizeof(*k));
			struct agg *v;

			if (k == NULL)
				return -1;
			g->keys = k;
			v = realloc(g->a, ncap * sizeof(*v));
			if (v == NULL)
				return -1;
			g->a = v;
			g->cap = ncap;
		}
		if ((g->keys[g->n] = strdup(key)) == NULL)
			return -1;
		memset(&g->a[g->n], 0, sizeof(g->a[0]));
		i = (long)g->n++;
		if (kj_strmap_put(&g->map, g->keys[i], i) < 0)
			return -1;
	}
	g->a[i].done += a->done;
	g->a[i].partial += a->partial;
	g->a[i].not_done += a->not_done;
	g->a[i].excluded += a->excluded;
	return 0;
}

struct by_req {
	struct groups g;
};

static int
collect_req(void *arg, const struct rollup_row *row)
{
	struct groups *g = arg;

	return groups_add(g, row->number, &row->a);
}

static kj_err
rates_by_requirement(struct kj_ctx *ctx, int64_t campaign_id, struct kj_strmap *map, double **rates, char ***keys, size_t *n)
{
	struct groups g;
	size_t i;
	kj_err r;

	memset(&g, 0, sizeof(g));
	kj_strmap_init(&g.map);
	if ((r = read_rollup(ctx, campaign_id, collect_req, &g)) != KJ_OK) {
		groups_free(&g);
		return r;
	}
	*rates = calloc(g.n + 1, sizeof(double));
	*keys = calloc(g.n + 1, sizeof(char *));
	if (*rates == NULL || *keys == NULL) {
		groups_free(&g);
		return kj_failf(ctx, KJ_ERR_NOMEM, "out of memory");
	}
	for (i = 0; i < g.n; i++) {
		(*rates)[i] = rate_of(&g.a[i]);
		(*keys)[i] = g.keys[i];
		g.keys[i] = NULL;
		kj_strmap_put(map, (*keys)[i], (long)i);
	}
	*n = g.n;
	g.n = 0;	/* the keys moved to the caller */
	groups_free(&g);
	return KJ_OK;
}

struct rollup_walk {
	struct kj_ctx *ctx;
	const char *by;
	struct groups g, req;
	struct agg total;
	struct kj_org *orgs;	/* the organisations that count (scope and under), sorted by id */
	size_t norgs;
	int all;
	int64_t *top;		/* per orgs[i]: the id of the campaign organisation it rolls up to */
	struct kj_strmap campaign_org;	/* unused when by != org */
};

static int
cmp_org_id(const void *a, const void *b)
{
	const struct kj_org *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

static const struct kj_org *
org_by_id(struct rollup_walk *w, int64_t id)
{
	struct kj_org key;

	key.id = id;
	return bsearch(&key, w->orgs, w->norgs, sizeof(*w->orgs), cmp_org_id);
}

static int
walk_row(void *arg, const struct rollup_row *row)
{
	struct rollup_walk *w = arg;
	const struct kj_org *o = org_by_id(w, row->org_id);
	char key[160];

	if (o == NULL)
		return 0;	/* outside the scope or the subtree asked for */
	if (strcmp(w->by, "unit") == 0)
		snprintf(key, sizeof(key), "%s", o->code);
	else if (strcmp(w->by, "org") == 0)
		snprintf(key, sizeof(key), "%" PRId64, row->campaign_id);
	else if (strcmp(w->by, "role") == 0)
		snprintf(key, sizeof(key), "%s", row->role ? row->role : "-");
	else
		snprintf(key, sizeof(key), "%s", row->number);
	if (groups_add(&w->g, key, &row->a) != 0 || groups_add(&w->req, row->number, &row->a) != 0)
		return -1;
	w->total.done += row->a.done;
	w->total.partial += row->a.partial;
	w->total.not_done += row->a.not_done;
	w->total.excluded += row->a.excluded;
	return 0;
}

static json_t *
agg_json(const struct agg *a)
{
	double rate = rate_of(a);
	json_t *j = json_pack("{s:I, s:I, s:I, s:I, s:I}", "done", (json_int_t)a->done, "partial", (json_int_t)a->partial,
			      "not_done", (json_int_t)a->not_done, "excluded", (json_int_t)a->excluded, "answers",
			      (json_int_t)(a->done + a->partial + a->not_done + a->excluded));

	json_object_set_new(j, "rate", rate >= 0 ? json_real((double)(int64_t)(rate * 10000 + 0.5) / 10000.0) : json_null());
	return j;
}

static int
cmp_weak(const void *a, const void *b, void *arg)
{
	const double *x = a, *y = b;
	char *const *keys = arg;

	if (x[0] != y[0])
		return x[0] < y[0] ? -1 : 1;
	/* Equal rates by requirement number, so the list reads the same on every database
	 * (the rows come in no set order). */
	return strcmp(keys[(size_t)x[1]], keys[(size_t)y[1]]);
}

/* The campaign a year before: the same organisation's (or the same mandate's). */
static kj_err
previous_campaign(struct kj_ctx *ctx, const struct campaign *c, int64_t *id_out, char *code, size_t size)
{
	struct kj_stmt *st = NULL;
	int row;
	kj_err r;

	*id_out = 0;
	code[0] = '\0';
	/* A mandated campaign compares with the one mandated the year before; an
	 * organisation's own with its own. */
	r = kj_db_prepare(ctx, "SELECT id, code FROM campaign WHERE org_id = ? AND fiscal_year < ? AND "
			       "(CASE WHEN mandate_id IS NULL THEN 0 ELSE 1 END) = ? "
			       "ORDER BY fiscal_year DESC, id DESC LIMIT 1", &st);
	if (r == KJ_OK && (r = kj_stmt_bind_int(ctx, st, 1, c->org_id)) == KJ_OK && (r = kj_stmt_bind_int(ctx, st, 2, c->fiscal_year)) == KJ_OK &&
	    (r = kj_stmt_bind_int(ctx, st, 3, c->mandate_id ? 1 : 0)) == KJ_OK &&
	    (r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row) {
		*id_out = kj_stmt_int(st, 0);
		kj_strlcpy(code, kj_stmt_text(st, 1), size);
	}
	kj_stmt_free(st);
	return r;
}

kj_err
kj_rollup(struct kj_ctx *ctx, const char *campaign, const char *by, const char *under, json_t **out)
{
	static const char *const bys[] = {"item", "requirement", "unit", "org", "role", NULL};
	struct rollup_walk w, pw;
	struct kj_org_list l;
	struct campaign c;
	struct kj_strmap prev_map;
	double *prev_rates = NULL, *weak = NULL;
	char **prev_keys = NULL, prev_code[KJ_MAX_CODE_BYTES + 1];
	size_t nprev = 0, i, nweak = 0;
	int64_t prev_id = 0;
	json_t *rows = NULL, *j = NULL;
	kj_err r;

	if (by == NULL)
		by = "requirement";
	if (!in_list(bys, by))
		return kj_failf(ctx, KJ_ERR_INVALID, "by: expected item, requirement, unit, org or role");
	if ((r = campaign_by_code(ctx, campaign, &c)) != KJ_OK)
		return r;
	memset(&w, 0, sizeof(w));
	memset(&pw, 0, sizeof(pw));
	memset(&l, 0, sizeof(l));
	kj_strmap_init(&w.g.map);
	kj_strmap_init(&w.req.map);
	kj_strmap_init(&prev_map);
	if (ctx->who.role == KJ_ROLE_STAFF) {
		r = kj_failf(ctx, KJ_ERR_DENIED, "not allowed: staff see their own checklists");
		goto out;
	}
	/* The organisations that count: the subtree asked for, within the scope. */
	if ((r = kj_org_list(ctx, under, 1, &l)) != KJ_OK)
		goto out;
	if (under == NULL && !kj_access_sees_all(ctx) && kj_access_require(ctx, KJ_PERM_INSPECTION_READ, c.org_id) != KJ_OK &&
	    c.mandate_id == 0) {
		r = kj_failf(ctx, KJ_ERR_NOT_FOUND, "no campaign \"%.64s\"", campaign);
		goto out;
	}
	qsort(l.v, l.n, sizeof(*l.v), cmp_org_id);
	w.ctx = ctx;
	w.by = by;
	w.orgs = l.v;
	w.norgs = l.n;
	if ((r = read_rollup(ctx, c.id, walk_row, &w)) != KJ_OK)
		goto out;
	if ((r = previous_campaign(ctx, &c, &prev_id, prev_code, sizeof(prev_code))) != KJ_OK)
		goto out;
	if (prev_id != 0 && (r = rates_by_requirement(ctx, prev_id, &prev_map, &prev_rates, &prev_keys, &nprev)) != KJ_OK)
		goto out;
	rows = json_array();
	for (i = 0; i < w.g.n; i++) {
		json_t *row = agg_json(&w.g.a[i]);

		if (strcmp(by, "org") == 0) {
			/* The key is a campaign id: name it by its organisation. */
			struct kj_stmt *st = NULL;
			int ok;

			if (kj_db_prepare(ctx, "SELECT c.code, o.code, o.name_ja, o.name_en FROM campaign c JOIN org o ON o.id = c.org_id "
					       "WHERE c.id = ?", &st) == KJ_OK &&
			    kj_stmt_bind_int(ctx, st, 1, (int64_t)strtoll(w.g.keys[i], NULL, 10)) == KJ_OK &&
			    kj_stmt_step(ctx, st, &ok) == KJ_OK && ok) {
				json_object_set_new(row, "campaign", json_string(kj_stmt_text(st, 0)));
				json_object_set_new(row, "key", json_string(kj_stmt_text(st, 1)));
				json_object_set_new(row, "name_ja", json_string(kj_stmt_text(st, 2)));
				json_object_set_new(row, "name_en", json_string(kj_stmt_text(st, 3)));
			}
			kj_stmt_free(st);
		} else {
			json_object_set_new(row, "key", json_string(w.g.keys[i]));
		}
		if ((strcmp(by, "requirement") == 0 || strcmp(by, "item") == 0) && prev_id != 0) {
			long p = kj_strmap_get(&prev_map, w.g.keys[i]);

			if (p >= 0 && prev_rates[p] >= 0)
				json_object_set_new(row, "previous_rate", json_real((double)(int64_t)(prev_rates[p] * 10000 + 0.5) / 10000.0));
		}
		json_array_append_new(rows, row);
	}
	/* The weakest requirements: the lowest rates among those answered. */
	weak = calloc(w.req.n + 1, 2 * sizeof(double));
	if (weak == NULL) {
		r = kj_failf(ctx, KJ_ERR_NOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < w.req.n; i++) {
		double rt = rate_of(&w.req.a[i]);

		if (rt < 0)
			continue;
		weak[2 * nweak] = rt;
		weak[2 * nweak + 1] = (double)i;
		nweak++;
	}
	qsort_r(weak, nweak, 2 * sizeof(double), cmp_weak, w.req.keys);
	j = json_pack("{s:s, s:s, s:s?, s:o, s:o}", "campaign", c.code, "by", by, "under", under, "total", agg_json(&w.total),
		      "rows", rows);
	rows = NULL;
	{
		json_t *wa = json_array();

		for (i = 0; i < nweak && i < 10; i++) {
			size_t k = (size_t)weak[2 * i + 1];

			json_array_append_new(wa, json_pack("{s:s, s:f}", "requirement", w.req.keys[k], "rate",
							    (double)(int64_t)(weak[2 * i] * 10000 + 0.5) / 10000.0));
		}
		json_object_set_new(j, "weakest", wa);
	}
	if (prev_id != 0) {
		/* The previous campaign's total over the same organisations. */
		memset(&pw, 0, sizeof(pw));
		kj_strmap_init(&pw.g.map);
		kj_strmap_init(&pw.req.map);
		pw.ctx = ctx;
		pw.by = "requirement";
		pw.orgs = l.v;
		pw.norgs = l.n;
		if ((r = read_rollup(ctx, prev_id, walk_row, &pw)) != KJ_OK)
			goto out;
		json_object_set_new(j, "previous", json_pack("{s:s, s:o}", "campaign", prev_code, "total", agg_json(&pw.total)));
	}
	*out = j;
	j = NULL;
out:
	for (i = 0; i < nprev; i++)
		free(prev_keys[i]);
	free(prev_keys);
	free(prev_rates);
	free(weak);
	kj_strmap_free(&prev_map);
	groups_free(&w.g);
	groups_free(&w.req);
	groups_free(&pw.g);
	groups_free(&pw.req);
	kj_org_list_free(&l);
	json_decref(rows);
	json_decref(j);
	json_decref(c.scale);
	return r;
}

/* ---- Notes ---------------------------------------------------------------------------- */

kj_err
kj_note_add(struct kj_ctx *ctx, const char *campaign, const char *org, const char *kind, const char *item,
	    const char *text, const char *due_on, char uuid_out[37])
{
	struct campaign c;
	struct kj_org o;
	struct kj_stmt *st = NULL;
	char now[21];
	kj_err r;

	if (kind == NULL || (strcmp(kind, "analysis") != 0 && strcmp(kind, "instruction") != 0))
		return kj_failf(ctx, KJ_ERR_INVALID, "kind: expected analysis or instruction");
	if (text == NULL || *text == '\0' || strlen(text) > KJ_MAX_TEXT_BYTES || !kj_utf8_valid(text, strlen(text)))
		return kj_failf(ctx, KJ_ERR_INVALID, "text: required, UTF-8");
	if (due_on != NULL && !kj_date_valid(due_on))
		return kj_failf(ctx, KJ_ERR_INVALID, "due_on: expected YYYY-MM-DD");
	if ((r = campaign_by_code(ctx, campaign, &c)) != KJ_OK)
		return r;
	if ((r = kj_org_get(ctx, org, &o)) != KJ_OK)
		goto done;
	/* Unit officers write analyses; instructions are the CISO's. */
	r = kj_access_require(ctx, strcmp(kind, "instruction") == 0 ? KJ_PERM_POLICY_APPROVE : KJ_PERM_INSPECTION_MANAGE,
			      strcmp(kind, "instruction") == 0 ? c.org_id : o.id);
	if ((r = refuse_participant(ctx, r, c.org_id)) != KJ_OK)
		goto done;
	if ((r = kj_tx_begin(ctx)) != KJ_OK)
		goto done;
	kj_uuid_v4(uuid_out);
	kj_time_format(kj_now(ctx), now);
	r = kj_db_prepare(ctx, "INSERT INTO inspection_note (uuid, campaign_id, org_id, kind, item_number, text, status, "
			       "author_id, due_on, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", &st);
	if (r == KJ_OK && (r = kj_stmt_bind_text(ctx, st, 1, uuid_out)) == KJ_OK && (r = kj_stmt_bind_int(ctx, st, 2, c.id)) == KJ_OK &&
	    (r = kj_stmt_bind_int(ctx, st, 3, o.id)) == KJ_OK && (r = kj_stmt_bind_text(ctx, st, 4, kind)) == KJ_OK &&
	    (r = kj_stmt_bind_text(ctx, st, 5, item)) == KJ_OK && (r = kj_stmt_bind_text(ctx, st, 6, text)) == KJ_OK &&
	    (r = kj_stmt_bind_text(ctx, st, 7, strcmp(kind, "instruction") == 0 ? "open" : "noted")) == KJ_OK &&
	    (r = ctx->who.user_id ? kj_stmt_bind_int(ctx, st, 8, ctx->who.user_id) : kj_stmt_bind_null(ctx, st, 8)) == KJ_OK &&
	    (r = kj_stmt_bind_text(ctx, st, 9, due_on)) == KJ_OK && (r = kj_stmt_bind_text(ctx, st, 10, now)) == KJ_OK)
		r = kj_stmt_run(ctx, st);
	kj_stmt_free(st);
	if (r == KJ_OK)
		r = audit_json(ctx, "note", uuid_out, o.id, "note.add",
			       json_pack("{s:s, s:s, s:s?, s:s}", "campaign", c.code, "kind", kind, "item", item, "text", text));
	r = kj_tx_end(ctx, r);
done:
	json_decref(c.scale);
	return r;
}

kj_err
kj_note_done(struct kj_ctx *ctx, const char *uuid)
{
	struct kj_stmt *st = NULL;
	int64_t org_id = 0;
	char now[21], status[8] = "";
	int row;
	kj_err r;

	if ((r = kj_tx_begin(ctx)) != KJ_OK)
		return r;
	r = kj_db_prepare(ctx, "SELECT org_id, status FROM inspection_note WHERE uuid = ? AND kind = 'instruction'", &st);
	if (r == KJ_OK && (r = kj_stmt_bind_text(ctx, st, 1, uuid)) == KJ_OK && (r = kj_stmt_step(ctx, st, &row)) == KJ_OK) {
		if (row) {
			org_id = kj_stmt_int(st, 0);
			kj_strlcpy(status, kj_stmt_text(st, 1), sizeof(status));
		} else {
			r = kj_failf(ctx, KJ_ERR_NOT_FOUND, "no instruction \"%.40s\"", uuid);
		}
	}
	kj_stmt_free(st);
	st = NULL;
	if (r == KJ_OK && kj_access_require(ctx, KJ_PERM_INSPECTION_MANAGE, org_id) != KJ_OK)
		r = ctx->err == KJ_ERR_NOT_FOUND ? kj_failf(ctx, KJ_ERR_NOT_FOUND, "no instruction \"%.40s\"", uuid) : ctx->err;
	if (r == KJ_OK && strcmp(status, "open") != 0)
		r = kj_failf(ctx, KJ_ERR_STATE, "the instruction is done already");
	kj_time_format(kj_now(ctx), now);
	if (r == KJ_OK && (r = kj_db_prepare(ctx, "UPDATE inspection_note SET status = 'done', done_at = ? WHERE uuid = ?", &st)) == KJ_OK &&
	    (r = kj_stmt_bind_text(ctx, st, 1, now)) == KJ_OK && (r = kj_stmt_bind_text(ctx, st, 2, uuid)) == KJ_OK)
		r = kj_stmt_run(ctx, st);
	kj_stmt_free(st);
	if (r == KJ_OK)
		r = audit_json(ctx, "note", uuid, org_id, "note.done", json_pack("{s:s}", "status", "done"));
	return kj_tx_end(ctx, r);
}

kj_err
kj_note_list(struct kj_ctx *ctx, const char *campaign, json_t **out)
{
	struct campaign c;
	struct kj_stmt *st = NULL;
	json_t *a = json_array();
	int row;
	kj_err r;

	if ((r = campaign_by_code(ctx, campaign, &c)) != KJ_OK) {
		json_decref(a);
		return r;
	}
	json_decref(c.scale);
	r = kj_db_prepare(ctx, "SELECT n.uuid, n.kind, o.code, n.item_number, n.text, n.status, n.due_on, n.done_at, n.created_at, "
			       "n.org_id FROM inspection_note n JOIN org o ON o.id = n.org_id WHERE n.campaign_id = ? "
			       "ORDER BY n.created_at, n.id", &st);
	if (r == KJ_OK && (r = kj_stmt_bind_int(ctx, st, 1, c.id)) == KJ_OK) {
		while ((r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row) {
			if (!kj_access_org_visible(ctx, kj_stmt_int(st, 9)))
				continue;
			json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:s?, s:s, s:s, s:s?, s:s?, s:s}", "id",
							   kj_stmt_text(st, 0), "kind", kj_stmt_text(st, 1), "org",
							   kj_stmt_text(st, 2), "requirement", kj_stmt_text(st, 3), "text",
							   kj_stmt_text(st, 4), "status", kj_stmt_text(st, 5), "due_on",
							   kj_stmt_text(st, 6), "done_at", kj_stmt_text(st, 7), "created_at",
							   kj_stmt_text(st, 8)));
		}
	}
	kj_stmt_free(st);
	if (r != KJ_OK) {
		json_decref(a);
		return r;
	}
	*out = a;
	return KJ_OK;
}
