/*
 * audit.c: audit programmes, engagements, their teams and scopes, findings and sign-off
 * (audit.h).
 *
 * Owns the tables audit_programme, audit_engagement, engagement_member, engagement_scope
 * and audit_finding. Must not touch the table engagement (an external auditor's read
 * grant, account.c). Every change checks access first, then its rules, then writes with its
 * audit record in one transaction.
 */
#include "audit.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "../base/limits.h"
#include "../base/util.h"
#include "../db/db.h"
#include "access.h"
#include "account.h"
#include "auditlog.h"
#include "inspection.h"
#include "kit.h"
#include "notify.h"
#include "org.h"
#include "standard.h"
#include "state.h"

static const char *const programme_kinds[] = {"management_audit", "penetration_test", "internal_audit",
					      "external_firm", NULL};
static const char *const statuses[] = {"draft", "fieldwork", "reporting", "signed_off", NULL};
static const char *const categories[] = {"finding", "advice", "good_practice", NULL};
static const char *const severities[] = {"low", "medium", "high", "critical", NULL};

/* The index of s in the NULL-terminated list l, or -1. */
static int
list_index(const char *const *l, const char *s)
{
	int i;

	for (i = 0; s != NULL && l[i] != NULL; i++) {
		if (strcmp(l[i], s) == 0)
			return i;
	}
	return -1;
}

/* Appends to the audit log the state built by json_pack from fmt. */
static kj_err
log_change(struct kj_ctx *ctx, const char *entity, const char *id, int64_t org_id, const char *op, const char *fmt, ...)
{
	va_list ap;
	json_t *state;
	char *s;
	kj_err r;

	va_start(ap, fmt);
	state = json_vpack_ex(NULL, 0, fmt, ap);
	va_end(ap);
	s = state != NULL ? json_dumps(state, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(state);
	r = s != NULL ? kj_auditlog_append(ctx, entity, id, org_id, op, s) : kj_failf(ctx, KJ_ERR_NOMEM, "out of memory");
	free(s);
	return r;
}

static int
audit_code_ok(const char *s)
{
	return kj_code_ok(s, KJ_CODE_CHARS, KJ_MAX_CODE_BYTES);
}

/* Planning the programmes of an organisation of the given kind: the centre's are the
 * centre administrator's; an organisation's are its administrator's (CISO), not its unit
 * officers'. */
static kj_err
require_plan(struct kj_ctx *ctx, int64_t owner_id, const char *owner_kind)
{
	kj_err r;

	if (strcmp(owner_kind, "centre") == 0)
		return kj_access_require(ctx, KJ_PERM_ENGAGEMENT_WRITE, owner_id);
	if ((r = kj_access_require(ctx, KJ_PERM_INSPECTION_MANAGE, owner_id)) != KJ_OK)
		return r;
	if (ctx->who.role == KJ_ROLE_UNIT_OFFICER)
		return kj_failf(ctx, KJ_ERR_DENIED, "only the organisation's administrator plans its audits");
	return KJ_OK;
}

/* Runs sql with text (when not NULL) and then id (when not 0) bound to its parameters in
 * that order, and hands its first row, if there is one, to read. *row_out is 0 when there
 * is no row. */
static kj_err
one_row(struct kj_ctx *ctx, const char *sql, const char *text, int64_t id, void (*read)(struct kj_stmt *st, void *out),
	void *out, int *row_out)
{
	struct kj_stmt *st = NULL;
	int idx = 1;
	kj_err r;

	*row_out = 0;
	if ((r = kj_db_prepare(ctx, sql, &st)) == KJ_OK && (text == NULL || (r = kj_stmt_bind_text(ctx, st, idx++, text)) == KJ_OK) &&
	    (id == 0 || (r = kj_stmt_bind_int(ctx, st, idx, id)) == KJ_OK) && (r = kj_stmt_step(ctx, st, row_out)) == KJ_OK &&
	    *row_out)
		read(st, out);
	kj_stmt_free(st);
	return r;
}

static void
read_number(struct kj_stmt *st, void *out)
{
	*(int64_t *)out = kj_stmt_int(st, 0);
}

/* A requirement number, into a buffer of KJ_MAX_NUMBER_BYTES + 1. */
static void
read_item_number(struct kj_stmt *st, void *out)
{
	kj_strlcpy(out, kj_stmt_text(st, 0), KJ_MAX_NUMBER_BYTES + 1);
}

/* ---- Programmes ------------------------------------------------------------------------ */

kj_err
kj_audit_programme_create(struct kj_ctx *ctx, const struct kj_audit_programme_new *in, char uuid_out[37])
{
	struct kj_stmt *st = NULL;
	struct kj_org o;
	char now[21], uuid[37];
	int centre, kind;
	kj_err r;

	if (!audit_code_ok(in->code))
		return kj_failf(ctx, KJ_ERR_INVALID, "code: expected 1 to %d of A-Z a-z 0-9 . _ -, not beginning with -", KJ_MAX_CODE_BYTES);
	if ((kind = list_index(programme_kinds, in->kind)) < 0)
		return kj_failf(ctx, KJ_ERR_INVALID,
				"kind: expected management_audit, penetration_test, internal_audit or external_firm");
	if (in->fiscal_year < 2000 || in->fiscal_year > 2200)
		return kj_failf(ctx, KJ_ERR_INVALID, "fiscal_year: expected a year from 2000 to 2200, not %d", in->fiscal_year);
	if ((r = kj_need_text(ctx, "title_ja", in->title_ja, KJ_MAX_TITLE_BYTES, 0)) != KJ_OK ||
	    (r = kj_need_text(ctx, "title_en", in->title_en, KJ_MAX_TITLE_BYTES, 0)) != KJ_OK)
		return r;
	if (in->org == NULL)
		return kj_failf(ctx, KJ_ERR_INVALID, "org: required");
	if ((r = kj_org_get(ctx, in->org, &o)) != KJ_OK)
		return kj_failf_prefix(ctx, r, "org");
	if ((r = require_plan(ctx, o.id, o.kind)) != KJ_OK)
		return r;
	if (o.valid_to[0] != '\0')
		return kj_failf(ctx, KJ_ERR_INVALID, "org: %s was abolished on %s", o.code, o.valid_to);
	centre = strcmp(o.kind, "centre") == 0;
	if (!centre && strcmp(o.kind, "ministry") != 0 && strcmp(o.kind, "agency") != 0 && strcmp(o.kind, "corporation") != 0)
		return kj_failf(ctx, KJ_ERR_INVALID,
				"org: %s is a %s; audit programmes belong to the centre or to a ministry, agency or "
				"corporation", o.code, o.kind);
	if (centre && strcmp(in->kind, "internal_audit") == 0)
		return kj_failf(ctx, KJ_ERR_INVALID, "kind: internal_audit is an organisation's programme, not the centre's "
						     "(expected management_audit, penetration_test or external_firm)");
	if (!centre && (strcmp(in->kind, "management_audit") == 0 || strcmp(in->kind, "penetration_test") == 0))
		return kj_failf(ctx, KJ_ERR_INVALID, "kind: %s is the centre's programme (expected internal_audit or external_firm "
						     "for %s)", in->kind, o.code);
	if ((r = kj_tx_begin(ctx)) != KJ_OK)
		return r;
	kj_uuid_v4(uuid);
	kj_time_format(kj_now(ctx), now);
	r = kj_db_prepare(ctx, "INSERT INTO audit_programme (uuid, code, org_id, fiscal_year, kind, title_ja, title_en, "
			       "created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", &st);
	if (r == KJ_OK && (r = kj_stmt_bind_text(ctx, st, 1, uuid)) == KJ_OK && (r = kj_stmt_bind_text(ctx, st, 2, in->code)) == KJ_OK &&
	    (r = kj_stmt_bind_int(ctx, st, 3, o.id)) == KJ_OK && (r = kj_stmt_bind_int(ctx, st, 4, in->fiscal_year)) == KJ_OK &&
	    (r = kj_stmt_bind_text(ctx, st, 5, in->kind)) == KJ_OK && (r = kj_stmt_bind_text(ctx, st, 6, in->title_ja)) == KJ_OK &&
	    (r = kj_stmt_bind_text(ctx, st, 7, in->title_en)) == KJ_OK &&
	    (r = ctx->who.user_id ? kj_stmt_bind_int(ctx, st, 8, ctx->who.user_id) : kj_stmt_bind_null(ctx, st, 8)) == KJ_OK &&
	    (r = kj_stmt_bind_text(ctx, st, 9, now)) == KJ_OK)
		r = kj_stmt_run(ctx, st);
	kj_stmt_free(st);
	if (r == KJ_ERR_EXISTS)
		r = kj_failf(ctx, r, "code: an audit programme \"%s\" already exists", in->code);
	if (r == KJ_OK)
		r = log_change(ctx, "audit_programme", uuid, o.id, "audit_programme.create", "{s:s, s:s, s:i, s:s, s:s, s:s}",
			       "code", in->code, "org", o.code, "fiscal_year", in->fiscal_year, "kind", in->kind,
			       "title_ja", in->title_ja, "title_en", in->title_en);
	r = kj_tx_end(ctx, r);
	if (r == KJ_OK)
		memcpy(uuid_out, uuid, sizeof(uuid));
	return r;
}

struct programme {
	int64_t id, org_id;
	int fiscal_year;
	char code[KJ_MAX_CODE_BYTES + 1], org_code[KJ_MAX_CODE_BYTES + 1];
	char uuid[37], kind[20], org_kind[16];
};

static void
read_programme(struct kj_stmt *st, void *out)
{
	struct programme *p = out;

	p->id = kj_stmt_int(st, 0);
	kj_strlcpy(p->uuid, kj_stmt_text(st, 1), sizeof(p->uuid));
	kj_strlcpy(p->code, kj_stmt_text(st, 2), sizeof(p->code));
	p->org_id = kj_stmt_int(st, 3);
	p->fiscal_year = (int)kj_stmt_int(st, 4);
	kj_strlcpy(p->kind, kj_stmt_text(st, 5), sizeof(p->kind));
	kj_strlcpy(p->org_code, kj_stmt_text(st, 6), sizeof(p->org_code));
	kj_strlcpy(p->org_kind, kj_stmt_text(st, 7), sizeof(p->org_kind));
}

/* The programme with code, if the principal plans it (others are told it does not exist,
 * or, when it is in their scope, that they may not). */
static kj_err
programme_by_code(struct kj_ctx *ctx, const char *code, struct programme *p)
{
	int row;
	kj_err r;

	memset(p, 0, sizeof(*p));
	if (code == NULL)
		return kj_failf(ctx, KJ_ERR_INVALID, "programme: required");
	r = one_row(ctx, "SELECT p.id, p.uuid, p.code, p.org_id, p.fiscal_year, p.kind, o.code, o.kind "
			 "FROM audit_programme p JOIN org o ON o.id = p.org_id WHERE p.code = ?", code, 0, read_programme, p, &row);
	if (r == KJ_OK && row)
		r = require_plan(ctx, p->org_id, p->org_kind);
	if ((r == KJ_OK && !row) || r == KJ_ERR_NOT_FOUND)
		r = kj_failf(ctx, KJ_ERR_NOT_FOUND, "programme: no audit programme \"%.64s\"", code);
	return r;
}

/* ---- Engagements ----------------------------------------------------------------------- */

struct engagement {
	int64_t id, org_id, edition_id, programme_org_id;
	int fiscal_year;
	char uuid[37], code[KJ_MAX_CODE_BYTES + 1], status[16];
	char org_code[KJ_MAX_CODE_BYTES + 1], programme_org_kind[16];
	char lead[65];		/* the lead auditor's account name, "" when none */
	int64_t lead_id;
	char my_role[8];	/* the principal's role on the team, "" when not on it */
};

/* 1 when the principal plans the engagement's programme, whether or not it acts through a
 * read-only token (changes refuse those first, with refuse_read_only). Leaves no message
 * behind. */
static int
plans(struct kj_ctx *ctx, const struct engagement *e)
{
	struct kj_ctx probe = *ctx;

	probe.who.read_only = 0;
	return require_plan(&probe, e->programme_org_id, e->programme_org_kind) == KJ_OK;
}

static int
visible(struct kj_ctx *ctx, const struct engagement *e)
{
	if (kj_access_sees_all(ctx) || e->my_role[0] != '\0' || plans(ctx, e))
		return 1;
	/* The audited organisation's officers read the engagement once it is signed off. */
	return strcmp(e->status, "signed_off") == 0 && ctx->who.role != KJ_ROLE_STAFF &&
	       ctx->who.role != KJ_ROLE_EXTERNAL_AUDITOR && kj_access_org_visible(ctx, e->org_id);
}

static kj_err
read_team(struct kj_ctx *ctx, struct engagement *e)
{
	struct kj_stmt *st = NULL;
	int row;
	kj_err r;

	char today[21];

	/* An external auditor is on the team only over the engagement's dates, as its read
	 * grant on the organisation is: before and after, it is as if it never was. */
	kj_time_format(kj_now(ctx), today);
	today[10] = '\0';
	r = kj_db_prepare(ctx, "SELECT m.user_id, m.role, u.name, CASE WHEN u.role <> 'external_auditor' OR "
			       "(e.starts_on <= ? AND ? <= e.ends_on) THEN 1 ELSE 0 END FROM engagement_member m "
			       "JOIN app_user u ON u.id = m.user_id JOIN audit_engagement e ON e.id = m.engagement_id "
			       "WHERE m.engagement_id = ? AND (m.role = 'lead' OR m.user_id = ?)", &st);
	if (r == KJ_OK && (r = kj_stmt_bind_text(ctx, st, 1, today)) == KJ_OK && (r = kj_stmt_bind_text(ctx, st, 2, today)) == KJ_OK &&
	    (r = kj_stmt_bind_int(ctx, st, 3, e->id)) == KJ_OK && (r = kj_stmt_bind_int(ctx, st, 4, ctx->who.user_id)) == KJ_OK) {
		while ((r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row) {
			if (ctx->who.user_id != 0 && kj_stmt_int(st, 0) == ctx->who.user_id && kj_stmt_int(st, 3) == 1)
				kj_strlcpy(e->my_role, kj_stmt_text(st, 1), sizeof(e->my_role));
			if (strcmp(kj_stmt_text(st, 1), "lead") == 0) {
				e->lead_id = kj_stmt_int(st, 0);
				kj_strlcpy(e->lead, kj_stmt_text(st, 2), sizeof(e->lead));
			}
		}
	}
	kj_stmt_free(st);
	return r;
}

static void
read_engagement(struct kj_stmt *st, void *out)
{
	struct engagement *e = out;

	e->id = kj_stmt_int(st, 0);
	kj_strlcpy(e->uuid, kj_stmt_text(st, 1), sizeof(e->uuid));
	kj_strlcpy(e->code, kj_stmt_text(st, 2), sizeof(e->code));
	kj_strlcpy(e->status, kj_stmt_text(st, 3), sizeof(e->status));
	e->org_id = kj_stmt_int(st, 4);
	kj_strlcpy(e->org_code, kj_stmt_text(st, 5), sizeof(e->org_code));
	e->edition_id = kj_stmt_int(st, 6);
	e->fiscal_year = (int)kj_stmt_int(st, 7);
	e->programme_org_id = kj_stmt_int(st, 8);
	kj_strlcpy(e->programme_org_kind, kj_stmt_text(st, 9), sizeof(e->programme_org_kind));
}

/* The engagement with code, as far as the principal may see it. */
static kj_err
engagement_by_code(struct kj_ctx *ctx, const char *code, struct engagement *e)
{
	int row = 0;
	kj_err r = KJ_OK;

	memset(e, 0, sizeof(*e));
	if (code != NULL)
		r = one_row(ctx, "SELECT e.id, e.uuid, e.code, e.status, e.org_id, o.code, e.edition_id, p.fiscal_year, p.org_id, "
				 "po.kind FROM audit_engagement e JOIN org o ON o.id = e.org_id JOIN audit_programme p ON "
				 "p.id = e.programme_id JOIN org po ON po.id = p.org_id WHERE e.code = ?", code, 0, read_engagement, e, &row);
	if (r == KJ_OK && row)
		r = read_team(ctx, e);
	if (r == KJ_OK && (!row || !visible(ctx, e)))
		return kj_failf(ctx, KJ_ERR_NOT_FOUND, "engagement: no audit engagement \"%.64s\"", code ? code : "");
	return r;
}

/* Changing what the programme's planners decide (team, scope, status before sign-off). */
static kj_err
require_planner(struct kj_ctx *ctx, const struct engagement *e, int lead_too)
{
	if (plans(ctx, e) || (lead_too && strcmp(e->my_role, "lead") == 0))
		return KJ_OK;
	return kj_failf(ctx, KJ_ERR_DENIED, "only the programme's planners%s change engagement %s",
			lead_too ? " or the lead auditor" : "", e->code);
}

static kj_err
refuse_signed_off(struct kj_ctx *ctx, const struct engagement *e, const char *what)
{
	if (strcmp(e->status, "signed_off") == 0)
		return kj_failf(ctx, KJ_ERR_STATE, "engagement %s is signed off: %s no longer", e->code, what);
	return KJ_OK;
}

/* The criteria of an engagement of organisation o: the edition with code edition, and o's
 * policy document named policy, or (policy NULL) its security standard if it has one
 * (*policy_out 0 when it has none). */
static kj_err
criteria(struct kj_ctx *ctx, const struct kj_org *o, const char *edition, const char *policy, int64_t *edition_out,
	 int64_t *policy_out)
{
	int row;
	kj_err r;

	*policy_out = 0;
	if (edition == NULL)
		return kj_failf(ctx, KJ_ERR_INVALID, "edition: required");
	if ((r = one_row(ctx, "SELECT id FROM edition WHERE code = ?", edition, 0, read_number, edition_out, &row)) != KJ_OK)
		return r;
	if (!row)
		return kj_failf(ctx, KJ_ERR_NOT_FOUND, "edition: no edition \"%.64s\"", edition);
	if (policy == NULL)
		return one_row(ctx, "SELECT id FROM policy_doc WHERE org_id = ? AND kind = 'standard' ORDER BY id LIMIT 1", NULL,
			       o->id, read_number, policy_out, &row);
	if ((r = one_row(ctx, "SELECT id FROM policy_doc WHERE code = ? AND org_id = ?", policy, o->id, read_number, policy_out,
			 &row)) == KJ_OK && !row)
		r = kj_failf(ctx, KJ_ERR_NOT_FOUND, "policy: %s has no policy document \"%.64s\"", o->code, policy);
	return r;
}

/* The first and last day of fiscal year fy (April to March). */
static void
fiscal_bounds(int fy, char from[24], char to[24])
{
	snprintf(from, 24, "%04d-04-01", fy);
	snprintf(to, 24, "%04d-03-31", fy + 1);
}

kj_err
kj_audit_engagement_create(struct kj_ctx *ctx, const struct kj_audit_engagement_new *in, char uuid_out[37])
{
	struct programme p;
	struct kj_org o;
	struct kj_stmt *st = NULL;
	char now[21], uuid[37], fy_from[24], fy_to[24];
	int64_t eid = 0, pid = 0;
	kj_err r;

	if (!audit_code_ok(in->code))
		return kj_failf(ctx, KJ_ERR_INVALID, "code: expected 1 to %d of A-Z a-z 0-9 . _ -, not beginning with -", KJ_MAX_CODE_BYTES);
	if ((r = kj_need_text(ctx, "title_ja", in->title_ja, KJ_MAX_TITLE_BYTES, 0)) != KJ_OK ||
	    (r = kj_need_text(ctx, "title_en", in->title_en, KJ_MAX_TITLE_BYTES, 0)) != KJ_OK)
		return r;
	if (in->starts_on == NULL || in->ends_on == NULL || !kj_date_valid(in->starts_on) || !kj_date_valid(in->ends_on))
		return kj_failf(ctx, KJ_ERR_INVALID, "starts_on, ends_on: expected two dates YYYY-MM-DD");
	if (strcmp(in->starts_on, in->ends_on) > 0)
		return kj_failf(ctx, KJ_ERR_INVALID, "ends_on: %s is before starts_on %s (expected the end on or after the start)",
				in->ends_on, in->starts_on);
	if ((r = programme_by_code(ctx, in->programme, &p)) != KJ_OK)
		return r;
	fiscal_bounds(p.fiscal_year, fy_from, fy_to);
	if (kj_fiscal_year(in->starts_on) != p.fiscal_year || kj_fiscal_year(in->ends_on) != p.fiscal_year)
		return kj_failf(ctx, KJ_ERR_INVALID, "starts_on, ends_on: %s to %s is not within fiscal year %d of programme %s "
						     "(%s to %s)", in->starts_on, in->ends_on, p.fiscal_year, p.code, fy_from, fy_to);
	if (in->org == NULL)
		return kj_failf(ctx, KJ_ERR_INVALID, "org: required");
	if ((r = kj_org_get(ctx, in->org, &o)) != KJ_OK)
		return kj_failf_prefix(ctx, r, "org");
	if (o.valid_to[0] != '\0')
		return kj_failf(ctx, KJ_ERR_INVALID, "org: %s was abolished on %s", o.code, o.valid_to);
	if (strcmp(p.org_kind, "centre") != 0 && !kj_org_below(ctx, o.id, p.org_id))
		return kj_failf(ctx, KJ_ERR_INVALID, "org: %s is not %s or one of its units or agencies (programme %s is %s's own)",
				o.code, p.org_code, p.code, p.org_code);
	if ((r = criteria(ctx, &o, in->edition, in->policy, &eid, &pid)) != KJ_OK)
		return r;
	if ((r = kj_tx_begin(ctx)) != KJ_OK)
		return r;
	kj_uuid_v4(uuid);
	kj_time_format(kj_now(ctx), now);
	r = kj_db_prepare(ctx, "INSERT INTO audit_engagement (uuid, code, programme_id, org_id, edition_id, policy_doc_id, "
			       "title_ja, title_en, starts_on, ends_on, status, created_at) "
			       "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'draft', ?)", &st);
	if (r == KJ_OK && (r = kj_stmt_bind_text(ctx, st, 1, uuid)) == KJ_OK && (r = kj_stmt_bind_text(ctx, st, 2, in->code)) == KJ_OK &&
	    (r = kj_stmt_bind_int(ctx, st, 3, p.id)) == KJ_OK && (r = kj_stmt_bind_int(ctx, st, 4, o.id)) == KJ_OK &&
	    (r = kj_stmt_bind_int(ctx, st, 5, eid)) == KJ_OK &&
	    (r = pid ? kj_stmt_bind_int(ctx, st, 6, pid) : kj_stmt_bind_null(ctx, st, 6)) == KJ_OK &&
	    (r = kj_stmt_bind_text(ctx, st, 7, in->title_ja)) == KJ_OK && (r = kj_stmt_bind_text(ctx, st, 8, in->title_en)) == KJ_OK &&
	    (r = kj_stmt_bind_text(ctx, st, 9, in->starts_on)) == KJ_OK && (r = kj_stmt_bind_text(ctx, st, 10, in->ends_on)) == KJ_OK &&
	    (r = kj_stmt_bind_text(ctx, st, 11, now)) == KJ_OK)
		r = kj_stmt_run(ctx, st);
	kj_stmt_free(st);
	if (r == KJ_ERR_EXISTS)
		r = kj_failf(ctx, r, "code: an audit engagement \"%s\" already exists", in->code);
	if (r == KJ_OK)
		r = log_change(ctx, "audit_engagement", uuid, o.id, "audit_engagement.create",
			       "{s:s, s:s, s:s, s:s, s:b, s:s, s:s, s:s}", "code", in->code, "programme", p.code, "org", o.code,
			       "edition", in->edition, "policy", pid != 0, "starts_on", in->starts_on, "ends_on", in->ends_on,
			       "status", "draft");
	r = kj_tx_end(ctx, r);
	if (r == KJ_OK)
		memcpy(uuid_out, uuid, sizeof(uuid));
	return r;
}

/* ---- Team ------------------------------------------------------------------------------ */

kj_err
kj_audit_member_add(struct kj_ctx *ctx, const char *engagement, const char *user, const char *role)
{
	struct engagement e;
	struct kj_user u;
	struct kj_stmt *st = NULL;
	char now[21], holder[65] = "";
	int row;
	kj_err r;

	if (role == NULL || (strcmp(role, "lead") != 0 && strcmp(role, "member") != 0))
		return kj_failf(ctx, KJ_ERR_INVALID, "role: expected lead or member");
	if ((r = kj_refuse_read_only(ctx)) != KJ_OK || (r = engagement_by_code(ctx, engagement, &e)) != KJ_OK ||
	    (r = require_planner(ctx, &e, 0)) != KJ_OK ||
	    (r = refuse_signed_off(ctx, &e, "its team changes")) != KJ_OK)
		return r;
	if (user == NULL)
		return kj_failf(ctx, KJ_ERR_INVALID, "user: required");
	if ((r = kj_user_get(ctx, user, &u)) != KJ_OK)
		return kj_failf_prefix(ctx, r, "user");
	if (u.disabled)
		return kj_failf(ctx, KJ_ERR_INVALID, "user: the account %s is disabled", u.name);
	/* Independence: nobody audits the organisation or unit they belong to. */
	if (kj_org_below(ctx, u.org_id, e.org_id))
		return kj_failf(ctx, KJ_ERR_INVALID, "user: %s belongs to %s, which engagement %s audits (%s); an auditor must "
						     "be independent of the audited organisation and its units",
				u.name, u.org_code, e.code, e.org_code);
	if ((r = kj_tx_begin(ctx)) != KJ_OK)
		return r;
	r = kj_db_prepare(ctx, "SELECT u.name, m.role FROM engagement_member m JOIN app_user u ON u.id = m.user_id "
			       "WHERE m.engagement_id = ? AND (m.user_id = ? OR m.role = ?) ORDER BY m.role = 'lead'", &st);
	if (r == KJ_OK && (r = kj_stmt_bind_int(ctx, st, 1, e.id)) == KJ_OK && (r = kj_stmt_bind_int(ctx, st, 2, u.id)) == KJ_OK &&
	    (r = kj_stmt_bind_text(ctx, st, 3, strcmp(role, "lead") == 0 ? "lead" : "-")) == KJ_OK &&
	    (r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row)
		kj_strlcpy(holder, kj_stmt_text(st, 0), sizeof(holder));
	kj_stmt_free(st);
	st = NULL;
	if (r == KJ_OK && strcmp(holder, u.name) == 0)
		r = kj_failf(ctx, KJ_ERR_EXISTS, "user: %s is on the team of %s already", u.name, e.code);
	else if (r == KJ_OK && holder[0] != '\0')
		r = kj_failf(ctx, KJ_ERR_EXISTS, "role: %s has a lead auditor already (%s); expected member", e.code, holder);
	kj_time_format(kj_now(ctx), now);
	if (r == KJ_OK && (r = kj_db_prepare(ctx, "INSERT INTO engagement_member (engagement_id, user_id, role, added_at) "
						  "VALUES (?, ?, ?, ?)", &st)) == KJ_OK &&
	    (r = kj_stmt_bind_int(ctx, st, 1, e.id)) == KJ_OK && (r = kj_stmt_bind_int(ctx, st, 2, u.id)) == KJ_OK &&
	    (r = kj_stmt_bind_text(ctx, st, 3, role)) == KJ_OK && (r = kj_stmt_bind_text(ctx, st, 4, now)) == KJ_OK)
		r = kj_stmt_run(ctx, st);
	kj_stmt_free(st);
	st = NULL;
	/* An external auditor reads what the engagement covers, while it runs: a read grant
	 * for the audited organisation over the engagement's dates (see account.h). */
	if (r == KJ_OK && u.role == KJ_ROLE_EXTERNAL_AUDITOR) {
		char uuid[37];

		kj_uuid_v4(uuid);
		if ((r = kj_db_prepare(ctx, "INSERT INTO engagement (uuid, user_id, org_id, valid_from, valid_to, created_at) "
					    "SELECT ?, ?, org_id, starts_on, ends_on, ? FROM audit_engagement WHERE id = ?",
				       &st)) == KJ_OK &&
		    (r = kj_stmt_bind_text(ctx, st, 1, uuid)) == KJ_OK && (r = kj_stmt_bind_int(ctx, st, 2, u.id)) == KJ_OK &&
		    (r = kj_stmt_bind_text(ctx, st, 3, now)) == KJ_OK && (r = kj_stmt_bind_int(ctx, st, 4, e.id)) == KJ_OK)
			r = kj_stmt_run(ctx, st);
		kj_stmt_free(st);
		if (r == KJ_OK)
			r = log_change(ctx, "engagement", uuid, e.org_id, "engagement.create", "{s:s, s:s, s:s}", "user", u.name,
				       "org", e.org_code, "audit_engagement", e.code);
	}
	if (r == KJ_OK)
		r = log_change(ctx, "audit_engagement", e.uuid, e.org_id, "audit_engagement.member", "{s:s, s:s, s:s}",
			       "code", e.code, "user", u.name, "role", role);
	return kj_tx_end(ctx, r);
}

/* ---- Scope ----------------------------------------------------------------------------- */

static kj_err
insert_scope(struct kj_ctx *ctx, const struct engagement *e, const char *const *reqs, size_t nreqs,
	     const int64_t *units, size_t nunits)
{
	struct kj_stmt *st = NULL, *item = NULL;
	size_t i;
	int row;
	kj_err r;

	r = kj_db_prepare(ctx, "DELETE FROM engagement_scope WHERE engagement_id = ?", &st);
	if (r == KJ_OK && (r = kj_stmt_bind_int(ctx, st, 1, e->id)) == KJ_OK)
		r = kj_stmt_run(ctx, st);
	kj_stmt_free(st);
	st = NULL;
	if (r != KJ_OK)
		return r;
	if ((r = kj_db_prepare(ctx, "INSERT INTO engagement_scope (engagement_id, item_number, org_id) VALUES (?, ?, ?)", &st)) != KJ_OK ||
	    (r = kj_db_prepare(ctx, "SELECT kind FROM item WHERE edition_id = ? AND number = ?", &item)) != KJ_OK)
		goto out;
	for (i = 0; i < nreqs + nunits && r == KJ_OK; i++) {
		if (i < nreqs) {
			kj_stmt_reset(item);
			if ((r = kj_stmt_bind_int(ctx, item, 1, e->edition_id)) != KJ_OK ||
			    (r = kj_stmt_bind_text(ctx, item, 2, reqs[i])) != KJ_OK || (r = kj_stmt_step(ctx, item, &row)) != KJ_OK)
				break;
			if (!row || !kj_item_is_requirement(kj_stmt_text(item, 0))) {
				r = kj_failf(ctx, KJ_ERR_INVALID, "requirements[%zu]: \"%.64s\" is not a requirement of the "
								  "engagement's edition", i, reqs[i]);
				break;
			}
		}
		kj_stmt_reset(st);
		if ((r = kj_stmt_bind_int(ctx, st, 1, e->id)) != KJ_OK ||
		    (r = i < nreqs ? kj_stmt_bind_text(ctx, st, 2, reqs[i]) : kj_stmt_bind_null(ctx, st, 2)) != KJ_OK ||
		    (r = i < nreqs ? kj_stmt_bind_null(ctx, st, 3) : kj_stmt_bind_int(ctx, st, 3, units[i - nreqs])) != KJ_OK)
			break;
		r = kj_stmt_run(ctx, st);
		if (r == KJ_ERR_EXISTS && i < nreqs)
			r = kj_failf(ctx, KJ_ERR_INVALID, "requirements[%zu]: \"%.64s\" is named twice", i, reqs[i]);
		else if (r == KJ_ERR_EXISTS)
			r = kj_failf(ctx, KJ_ERR_INVALID, "units[%zu]: named twice", i - nreqs);
	}
out:
	kj_stmt_free(item);
	kj_stmt_free(st);
	return r;
}

/* Refuses a scope that leaves out a requirement that already has findings. */
static kj_err
findings_in_scope(struct kj_ctx *ctx, const struct engagement *e)
{
	char number[KJ_MAX_NUMBER_BYTES + 1];
	int row;
	kj_err r;

	r = one_row(ctx, "SELECT f.item_number FROM audit_finding f WHERE f.engagement_id = ? AND NOT EXISTS "
			 "(SELECT 1 FROM engagement_scope s WHERE s.engagement_id = f.engagement_id AND "
			 "s.item_number = f.item_number) ORDER BY f.id LIMIT 1", NULL, e->id, read_item_number, number, &row);
	if (r == KJ_OK && row)
		r = kj_failf(ctx, KJ_ERR_INVALID, "requirements: %s has findings in engagement %s and must stay in its scope",
			     number, e->code);
	return r;
}

kj_err
kj_audit_scope_set(struct kj_ctx *ctx, const char *engagement, const char *const *requirements, size_t nrequirements,
		   const char *const *units, size_t nunits)
{
	struct engagement e;
	struct kj_org u;
	int64_t *unit_ids = NULL;
	size_t i;
	kj_err r;

	if (nrequirements == 0)
		return kj_failf(ctx, KJ_ERR_INVALID, "requirements: expected at least one requirement");
	if (nrequirements > KJ_MAX_CAMPAIGN_ITEMS || nunits > KJ_MAX_CAMPAIGN_ITEMS)
		return kj_failf(ctx, KJ_ERR_TOO_LARGE, "requirements, units: at most %d each", KJ_MAX_CAMPAIGN_ITEMS);
	if ((r = kj_refuse_read_only(ctx)) != KJ_OK || (r = engagement_by_code(ctx, engagement, &e)) != KJ_OK ||
	    (r = require_planner(ctx, &e, 1)) != KJ_OK)
		return r;
	if (strcmp(e.status, "draft") != 0 && strcmp(e.status, "fieldwork") != 0)
		return kj_failf(ctx, KJ_ERR_STATE, "engagement %s is in %s: its scope is set in draft or fieldwork only",
				e.code, e.status);
	for (i = 0; i < nrequirements; i++) {
		if (requirements[i] == NULL || *requirements[i] == '\0')
			return kj_failf(ctx, KJ_ERR_INVALID, "requirements[%zu]: expected a requirement number", i);
	}
	if (nunits > 0 && (unit_ids = calloc(nunits, sizeof(*unit_ids))) == NULL)
		return kj_failf(ctx, KJ_ERR_NOMEM, "out of memory");
	for (i = 0; i < nunits && r == KJ_OK; i++) {
		if (units[i] == NULL || (r = kj_org_get(ctx, units[i], &u)) != KJ_OK) {
			r = units[i] == NULL ? kj_failf(ctx, KJ_ERR_INVALID, "units[%zu]: expected an organisation code", i)
					     : kj_failf_prefix(ctx, r, "units[%zu]", i);
		} else if (u.id == e.org_id || !kj_org_below(ctx, u.id, e.org_id)) {
			r = kj_failf(ctx, KJ_ERR_INVALID, "units[%zu]: %s is not a unit of %s, which engagement %s audits", i,
				     u.code, e.org_code, e.code);
		}
		if (r == KJ_OK)
			unit_ids[i] = u.id;
	}
	if (r == KJ_OK && (r = kj_tx_begin(ctx)) == KJ_OK) {
		r = insert_scope(ctx, &e, requirements, nrequirements, unit_ids, nunits);
		if (r == KJ_OK)
			r = findings_in_scope(ctx, &e);
		if (r == KJ_OK)
			r = log_change(ctx, "audit_engagement", e.uuid, e.org_id, "audit_engagement.scope", "{s:s, s:I, s:I}",
				       "code", e.code, "requirements", (json_int_t)nrequirements, "units", (json_int_t)nunits);
		r = kj_tx_end(ctx, r);
	}
	free(unit_ids);
	return r;
}

/* ---- Findings -------------------------------------------------------------------------- */

#define SCOPE_SIZE "SELECT COUNT(*) FROM engagement_scope WHERE engagement_id = ? AND item_number IS NOT NULL"

static kj_err
require_in_scope(struct kj_ctx *ctx, const struct engagement *e, const char *requirement)
{
	int64_t n = 0, total = 0;
	int row;
	kj_err r;

	r = one_row(ctx, "SELECT COUNT(*) FROM engagement_scope WHERE item_number = ? AND engagement_id = ?", requirement,
		    e->id, read_number, &n, &row);
	if (r == KJ_OK && n == 0 && (r = one_row(ctx, SCOPE_SIZE, NULL, e->id, read_number, &total, &row)) == KJ_OK)
		r = kj_failf(ctx, KJ_ERR_INVALID, "requirement: %.64s is not in the scope of engagement %s (expected one of its %lld "
						  "requirements)", requirement, e->code, (long long)total);
	return r;
}

kj_err
kj_audit_finding_add(struct kj_ctx *ctx, const struct kj_audit_finding_new *in, char uuid_out[37])
{
	struct engagement e;
	struct kj_stmt *st = NULL;
	char now[21], uuid[37];
	kj_err r;

	if (list_index(categories, in->category) < 0)
		return kj_failf(ctx, KJ_ERR_INVALID, "category: expected finding, advice or good_practice");
	if (in->severity != NULL && list_index(severities, in->severity) < 0)
		return kj_failf(ctx, KJ_ERR_INVALID, "severity: expected low, medium, high or critical");
	if (in->severity == NULL && strcmp(in->category, "finding") == 0)
		return kj_failf(ctx, KJ_ERR_INVALID, "severity: required for a finding (low, medium, high or critical)");
	if (in->urgent && strcmp(in->category, "finding") != 0)
		return kj_failf(ctx, KJ_ERR_INVALID, "urgent: only a finding is urgent, not %s", in->category);
	if (in->requirement == NULL || *in->requirement == '\0')
		return kj_failf(ctx, KJ_ERR_INVALID, "requirement: required");
	if ((r = kj_need_text(ctx, "title", in->title, KJ_MAX_TITLE_BYTES, 0)) != KJ_OK ||
	    (r = kj_need_text(ctx, "text", in->text, KJ_MAX_TEXT_BYTES, 0)) != KJ_OK)
		return r;
	if ((r = kj_refuse_read_only(ctx)) != KJ_OK || (r = engagement_by_code(ctx, in->engagement, &e)) != KJ_OK)
		return r;
	if (e.my_role[0] == '\0' && ctx->who.role != KJ_ROLE_LOCAL_ADMIN)
		return kj_failf(ctx, KJ_ERR_DENIED, "only the auditors of engagement %s add its findings", e.code);
	if ((r = refuse_signed_off(ctx, &e, "findings are added")) != KJ_OK)
		return r;
	if (strcmp(e.status, "draft") == 0)
		return kj_failf(ctx, KJ_ERR_STATE, "engagement %s is in draft: findings are added from fieldwork on", e.code);
	if ((r = kj_tx_begin(ctx)) != KJ_OK)
		return r;
	r = require_in_scope(ctx, &e, in->requirement);
	kj_uuid_v4(uuid);
	kj_time_format(kj_now(ctx), now);
	if (r == KJ_OK && (r = kj_db_prepare(ctx, "INSERT INTO audit_finding (uuid, engagement_id, item_number, category, severity, "
						  "urgent, title, text, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
					     &st)) == KJ_OK &&
	    (r = kj_stmt_bind_text(ctx, st, 1, uuid)) == KJ_OK && (r = kj_stmt_bind_int(ctx, st, 2, e.id)) == KJ_OK &&
	    (r = kj_stmt_bind_text(ctx, st, 3, in->requirement)) == KJ_OK && (r = kj_stmt_bind_text(ctx, st, 4, in->category)) == KJ_OK &&
	    (r = kj_stmt_bind_text(ctx, st, 5, in->severity)) == KJ_OK && (r = kj_stmt_bind_int(ctx, st, 6, in->urgent ? 1 : 0)) == KJ_OK &&
	    (r = kj_stmt_bind_text(ctx, st, 7, in->title)) == KJ_OK && (r = kj_stmt_bind_text(ctx, st, 8, in->text)) == KJ_OK &&
	    (r = ctx->who.user_id ? kj_stmt_bind_int(ctx, st, 9, ctx->who.user_id) : kj_stmt_bind_null(ctx, st, 9)) == KJ_OK &&
	    (r = kj_stmt_bind_text(ctx, st, 10, now)) == KJ_OK)
		r = kj_stmt_run(ctx, st);
	kj_stmt_free(st);
	if (r == KJ_OK)
		r = kj_state_log(ctx, KJ_STATE_FINDING, uuid, "audit_finding.add");
	/* An urgent finding is known at once to the audited organisation's administrators and
	 * the centre's, before sign-off lets them read the engagement: the notice carries what
	 * to act on. */
	if (r == KJ_OK && in->urgent) {
		size_t tlen = strlen(in->title) + 64, blen = strlen(in->text) + 256;
		char *title = malloc(tlen), *body = malloc(blen);
		struct kj_notice n = {.kind = "urgent_finding", .entity = "audit_finding", .entity_id = uuid,
				      .org_id = e.org_id, .title = title, .body = body};

		if (title == NULL || body == NULL) {
			r = kj_failf(ctx, KJ_ERR_NOMEM, "out of memory");
		} else {
			snprintf(title, tlen, "緊急の監査所見 / Urgent audit finding: %s", in->title);
			snprintf(body, blen, "%s (%s), %s, %s\n\n%s", e.code, e.org_code, in->requirement, in->severity,
				 in->text);
			r = kj_notify_org_and_centre(ctx, &n, NULL);
		}
		free(title);
		free(body);
	}
	r = kj_tx_end(ctx, r);
	if (r == KJ_OK)
		memcpy(uuid_out, uuid, sizeof(uuid));
	return r;
}

/* ---- Status ---------------------------------------------------------------------------- */

/* What fieldwork needs: a lead auditor and a scope of requirements. */
static kj_err
ready_for_fieldwork(struct kj_ctx *ctx, const struct engagement *e)
{
	int64_t n = 0;
	int row;
	kj_err r;

	if (e->lead_id == 0)
		return kj_failf(ctx, KJ_ERR_INVALID, "status: engagement %s has no lead auditor yet; fieldwork needs one", e->code);
	if ((r = one_row(ctx, SCOPE_SIZE, NULL, e->id, read_number, &n, &row)) == KJ_OK && n == 0)
		r = kj_failf(ctx, KJ_ERR_INVALID, "status: engagement %s has no requirements in scope yet; fieldwork needs them", e->code);
	return r;
}

/* Counts of the engagement's findings: by category (finding, advice, good_practice) and,
 * for findings, by severity (low, medium, high, critical). */
struct finding_counts {
	int64_t category[3], severity[4], urgent;
};

static kj_err
count_findings(struct kj_ctx *ctx, int64_t engagement_id, struct finding_counts *c)
{
	struct kj_stmt *st = NULL;
	int row, i;
	kj_err r;

	memset(c, 0, sizeof(*c));
	r = kj_db_prepare(ctx, "SELECT category, severity, urgent, COUNT(*) FROM audit_finding WHERE engagement_id = ? "
			       "GROUP BY category, severity, urgent", &st);
	if (r == KJ_OK && (r = kj_stmt_bind_int(ctx, st, 1, engagement_id)) == KJ_OK) {
		while ((r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row) {
			int64_t n = kj_stmt_int(st, 3);

			if ((i = list_index(categories, kj_stmt_text(st, 0))) >= 0)
				c->category[i] += n;
			if (i == 0 && (i = list_index(severities, kj_stmt_text(st, 1))) >= 0)
				c->severity[i] += n;
			if (kj_stmt_int(st, 2))
				c->urgent += n;
		}
	}
	kj_stmt_free(st);
	return r;
}

/* At sign-off the report goes to the audited organisation's CISO: its administrators (and
 * the centre's) are told it is ready, with the counts, in the same transaction. */
static kj_err
notify_report(struct kj_ctx *ctx, const struct engagement *e)
{
	struct finding_counts c;
	char title[160], body[512];
	struct kj_notice n = {.kind = "audit_report", .entity = "audit_engagement", .entity_id = e->uuid,
			      .org_id = e->org_id, .title = title, .body = body};
	kj_err r;

	if ((r = count_findings(ctx, e->id, &c)) != KJ_OK)
		return r;
	snprintf(title, sizeof(title), "監査報告 / Audit report: %s", e->code);
	snprintf(body, sizeof(body),
		 "%s (%s) は署名済みです。指摘 %lld 件（重大 %lld、高 %lld、中 %lld、低 %lld）、助言 %lld 件、良好事例 %lld 件。\n"
		 "Engagement %s (%s) is signed off: %lld findings (critical %lld, high %lld, medium %lld, low %lld), "
		 "%lld advice, %lld good practice.",
		 e->code, e->org_code, (long long)c.category[0], (long long)c.severity[3], (long long)c.severity[2],
		 (long long)c.severity[1], (long long)c.severity[0], (long long)c.category[1], (long long)c.category[2], e->code,
		 e->org_code, (long long)c.category[0], (long long)c.severity[3], (long long)c.severity[2],
		 (long long)c.severity[1], (long long)c.severity[0], (long long)c.category[1], (long long)c.category[2]);
	return kj_notify_org_and_centre(ctx, &n, NULL);
}

kj_err
kj_audit_engagement_advance(struct kj_ctx *ctx, const char *engagement, const char *status)
{
	struct engagement e;
	struct kj_stmt *st = NULL;
	char now[21];
	int from, to, row = 0, sign = 0;
	kj_err r;

	if ((to = list_index(statuses, status)) < 0)
		return kj_failf(ctx, KJ_ERR_INVALID, "status: expected fieldwork, reporting or signed_off");
	if ((r = kj_refuse_read_only(ctx)) != KJ_OK || (r = engagement_by_code(ctx, engagement, &e)) != KJ_OK)
		return r;
	sign = to == 3;
	if (sign && strcmp(e.my_role, "lead") != 0)
		return kj_failf(ctx, KJ_ERR_DENIED, "only the lead auditor of engagement %s (%s) signs it off", e.code,
				e.lead[0] ? e.lead : "none yet");
	if (!sign && (r = require_planner(ctx, &e, 1)) != KJ_OK)
		return r;
	from = list_index(statuses, e.status);
	if (to != from + 1)
		return kj_failf(ctx, KJ_ERR_STATE, "status: engagement %s is in %s and cannot move to %s (expected %s; draft, "
						     "fieldwork, reporting, signed_off, one step at a time)",
				e.code, e.status, status, from + 1 < 4 ? statuses[from + 1] : "no further step");
	if (to == 1 && (r = ready_for_fieldwork(ctx, &e)) != KJ_OK)
		return r;
	if ((r = kj_tx_begin(ctx)) != KJ_OK)
		return r;
	kj_time_format(kj_now(ctx), now);
	/* The status read above must still hold: two steps at once must not both succeed. */
	r = kj_db_prepare(ctx, "UPDATE audit_engagement SET status = ?, version = version + 1, "
			       "signed_off_by = CASE WHEN ? = 1 THEN ? ELSE signed_off_by END, "
			       "signed_off_at = CASE WHEN ? = 1 THEN ? ELSE signed_off_at END "
			       "WHERE id = ? AND status = ? RETURNING id", &st);
	if (r == KJ_OK && (r = kj_stmt_bind_text(ctx, st, 1, status)) == KJ_OK && (r = kj_stmt_bind_int(ctx, st, 2, sign)) == KJ_OK &&
	    (r = sign ? kj_stmt_bind_int(ctx, st, 3, ctx->who.user_id) : kj_stmt_bind_null(ctx, st, 3)) == KJ_OK &&
	    (r = kj_stmt_bind_int(ctx, st, 4, sign)) == KJ_OK && (r = kj_stmt_bind_text(ctx, st, 5, now)) == KJ_OK &&
	    (r = kj_stmt_bind_int(ctx, st, 6, e.id)) == KJ_OK && (r = kj_stmt_bind_text(ctx, st, 7, e.status)) == KJ_OK)
		r = kj_stmt_step(ctx, st, &row);
	kj_stmt_free(st);
	if (r == KJ_OK && !row)
		r = kj_failf(ctx, KJ_ERR_CONFLICT, "engagement %s changed meanwhile; read it again", e.code);
	if (r == KJ_OK)
		r = log_change(ctx, "audit_engagement", e.uuid, e.org_id, sign ? "audit_engagement.sign_off" : "audit_engagement.status",
			       "{s:s, s:s, s:s}", "code", e.code, "status", status, "by", ctx->who.name);
	if (r == KJ_OK && sign)
		r = notify_report(ctx, &e);
	return kj_tx_end(ctx, r);
}

kj_err
kj_audit_sign_off(struct kj_ctx *ctx, const char *engagement)
{
	return kj_audit_engagement_advance(ctx, engagement, "signed_off");
}

/* ---- Reading --------------------------------------------------------------------------- */

static kj_err
append_rows(struct kj_ctx *ctx, const char *sql, int64_t id, json_t *a, json_t *(*row_json)(struct kj_stmt *st))
{
	struct kj_stmt *st = NULL;
	int row;
	kj_err r;

	r = kj_db_prepare(ctx, sql, &st);
	if (r == KJ_OK && (r = kj_stmt_bind_int(ctx, st, 1, id)) == KJ_OK) {
		while ((r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row)
			json_array_append_new(a, row_json(st));
	}
	kj_stmt_free(st);
	return r;
}

static json_t *
member_json(struct kj_stmt *st)
{
	return json_pack("{s:s, s:s, s:s}", "user", kj_stmt_text(st, 0), "org", kj_stmt_text(st, 1), "role", kj_stmt_text(st, 2));
}

static json_t *
scope_json(struct kj_stmt *st)
{
	return json_string(kj_stmt_text(st, 0));
}

static json_t *
finding_json(struct kj_stmt *st)
{
	return json_pack("{s:s, s:s, s:s, s:s?, s:b, s:s, s:s, s:s?, s:s}", "id", kj_stmt_text(st, 0), "requirement",
			 kj_stmt_text(st, 1), "category", kj_stmt_text(st, 2), "severity", kj_stmt_text(st, 3), "urgent",
			 (int)kj_stmt_int(st, 4), "title", kj_stmt_text(st, 5), "text", kj_stmt_text(st, 6), "created_by",
			 kj_stmt_text(st, 7), "created_at", kj_stmt_text(st, 8));
}

kj_err
kj_audit_engagement_get(struct kj_ctx *ctx, const char *engagement, json_t **out)
{
	struct engagement e;
	struct kj_stmt *st = NULL;
	json_t *j = NULL, *team = json_array(), *reqs = json_array(), *units = json_array();
	int row;
	kj_err r;

	if ((r = engagement_by_code(ctx, engagement, &e)) != KJ_OK)
		goto fail;
	r = kj_db_prepare(ctx, "SELECT e.uuid, e.code, p.code, p.kind, p.fiscal_year, o.code, ed.code, d.code, e.title_ja, "
			       "e.title_en, e.starts_on, e.ends_on, e.status, s.name, e.signed_off_at, e.version "
			       "FROM audit_engagement e JOIN audit_programme p ON p.id = e.programme_id JOIN org o ON o.id = e.org_id "
			       "JOIN edition ed ON ed.id = e.edition_id LEFT JOIN policy_doc d ON d.id = e.policy_doc_id "
			       "LEFT JOIN app_user s ON s.id = e.signed_off_by WHERE e.id = ?", &st);
	if (r == KJ_OK && (r = kj_stmt_bind_int(ctx, st, 1, e.id)) == KJ_OK && (r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row)
		j = json_pack("{s:s, s:s, s:s, s:s, s:I, s:s, s:s, s:s?, s:s, s:s, s:s, s:s, s:s, s:s?, s:s?, s:I}", "id",
			      kj_stmt_text(st, 0), "code", kj_stmt_text(st, 1), "programme", kj_stmt_text(st, 2), "kind",
			      kj_stmt_text(st, 3), "fiscal_year", (json_int_t)kj_stmt_int(st, 4), "org", kj_stmt_text(st, 5),
			      "edition", kj_stmt_text(st, 6), "policy", kj_stmt_text(st, 7), "title_ja", kj_stmt_text(st, 8),
			      "title_en", kj_stmt_text(st, 9), "starts_on", kj_stmt_text(st, 10), "ends_on", kj_stmt_text(st, 11),
			      "status", kj_stmt_text(st, 12), "signed_off_by", kj_stmt_text(st, 13), "signed_off_at",
			      kj_stmt_text(st, 14), "version", (json_int_t)kj_stmt_int(st, 15));
	kj_stmt_free(st);
	if (r == KJ_OK && j == NULL)
		r = kj_failf(ctx, KJ_ERR_INTERNAL, "engagement %s could not be read", e.code);
	if (r == KJ_OK)
		r = append_rows(ctx, "SELECT u.name, o.code, m.role FROM engagement_member m JOIN app_user u ON u.id = m.user_id "
				     "JOIN org o ON o.id = u.org_id WHERE m.engagement_id = ? ORDER BY m.role, u.name", e.id, team,
				member_json);
	if (r == KJ_OK)
		r = append_rows(ctx, "SELECT item_number FROM engagement_scope WHERE engagement_id = ? AND item_number IS NOT NULL "
				     "ORDER BY id", e.id, reqs, scope_json);
	if (r == KJ_OK)
		r = append_rows(ctx, "SELECT o.code FROM engagement_scope s JOIN org o ON o.id = s.org_id WHERE s.engagement_id = ? "
				     "ORDER BY s.id", e.id, units, scope_json);
	if (r != KJ_OK)
		goto fail;
	json_object_set_new(j, "team", team);
	json_object_set_new(j, "requirements", reqs);
	json_object_set_new(j, "units", units);
	*out = j;
	return KJ_OK;
fail:
	json_decref(j);
	json_decref(team);
	json_decref(reqs);
	json_decref(units);
	return r;
}

kj_err
kj_audit_finding_list(struct kj_ctx *ctx, const char *engagement, json_t **out)
{
	struct engagement e;
	json_t *a = json_array();
	kj_err r;

	if ((r = engagement_by_code(ctx, engagement, &e)) == KJ_OK)
		r = append_rows(ctx, "SELECT f.uuid, f.item_number, f.category, f.severity, f.urgent, f.title, f.text, u.name, "
				     "f.created_at FROM audit_finding f LEFT JOIN app_user u ON u.id = f.created_by "
				     "WHERE f.engagement_id = ? ORDER BY f.created_at, f.id", e.id, a, finding_json);
	if (r != KJ_OK) {
		json_decref(a);
		return r;
	}
	*out = a;
	return KJ_OK;
}

/* ---- Lists ----------------------------------------------------------------------------- */

/* Appends the row to a page of at most limit (0: no limit); 0 once the page is full and
 * *more_out is set. */
static int
page_add(json_t *a, json_t *row, int limit, int *more_out)
{
	if (limit > 0 && json_array_size(a) == (size_t)limit) {
		json_decref(row);
		if (more_out != NULL)
			*more_out = 1;
		return 0;
	}
	json_array_append_new(a, row);
	return 1;
}

kj_err
kj_audit_programme_list(struct kj_ctx *ctx, const char *org, int fiscal_year, const char *after, int limit, json_t **out,
			int *more_out)
{
	struct kj_stmt *st = NULL;
	struct kj_org o;
	json_t *a;
	int row;
	kj_err r;

	if (more_out != NULL)
		*more_out = 0;
	if (org != NULL && (r = kj_org_get(ctx, org, &o)) != KJ_OK)
		return kj_failf_prefix(ctx, r, "org");
	a = json_array();
	/* Keyset paging on the code; rows out of sight are skipped, so a page is read until it
	 * holds limit visible rows and one more shows that others follow. */
	r = kj_db_prepare(ctx, "SELECT p.uuid, p.code, o.code, p.fiscal_year, p.kind, p.title_ja, p.title_en, p.created_at, "
			       "p.org_id FROM audit_programme p JOIN org o ON o.id = p.org_id WHERE (? = 0 OR p.org_id = ?) "
			       "AND (? = 0 OR p.fiscal_year = ?) AND p.code > ? ORDER BY p.code", &st);
	if (r == KJ_OK && (r = kj_stmt_bind_int(ctx, st, 1, org ? o.id : 0)) == KJ_OK &&
	    (r = kj_stmt_bind_int(ctx, st, 2, org ? o.id : 0)) == KJ_OK && (r = kj_stmt_bind_int(ctx, st, 3, fiscal_year)) == KJ_OK &&
	    (r = kj_stmt_bind_int(ctx, st, 4, fiscal_year)) == KJ_OK && (r = kj_stmt_bind_text(ctx, st, 5, after ? after : "")) == KJ_OK) {
		while ((r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row) {
			if (!kj_access_sees_all(ctx) &&
			    (ctx->who.role == KJ_ROLE_EXTERNAL_AUDITOR || !kj_access_org_visible(ctx, kj_stmt_int(st, 8))))
				continue;
			if (!page_add(a, json_pack("{s:s, s:s, s:s, s:I, s:s, s:s, s:s, s:s}", "id", kj_stmt_text(st, 0), "code",
						   kj_stmt_text(st, 1), "org", kj_stmt_text(st, 2), "fiscal_year",
						   (json_int_t)kj_stmt_int(st, 3), "kind", kj_stmt_text(st, 4), "title_ja",
						   kj_stmt_text(st, 5), "title_en", kj_stmt_text(st, 6), "created_at",
						   kj_stmt_text(st, 7)), limit, more_out))
				break;
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
kj_audit_engagement_list(struct kj_ctx *ctx, const char *programme, const char *after, int limit, json_t **out,
			 int *more_out)
{
	struct kj_stmt *st = NULL;
	struct engagement e;
	json_t *a = json_array();
	int row;
	kj_err r;

	if (more_out != NULL)
		*more_out = 0;
	/* The columns engagement_by_code reads, then what the list shows. */
	r = kj_db_prepare(ctx, "SELECT e.id, e.uuid, e.code, e.status, e.org_id, o.code, e.edition_id, p.fiscal_year, p.org_id, "
			       "po.kind, p.code, e.title_ja, e.title_en, e.starts_on, e.ends_on FROM audit_engagement e "
			       "JOIN org o ON o.id = e.org_id JOIN audit_programme p ON p.id = e.programme_id "
			       "JOIN org po ON po.id = p.org_id WHERE (? = '' OR p.code = ?) AND e.code > ? ORDER BY e.code", &st);
	if (r == KJ_OK && (r = kj_stmt_bind_text(ctx, st, 1, programme ? programme : "")) == KJ_OK &&
	    (r = kj_stmt_bind_text(ctx, st, 2, programme ? programme : "")) == KJ_OK &&
	    (r = kj_stmt_bind_text(ctx, st, 3, after ? after : "")) == KJ_OK) {
		while ((r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row) {
			memset(&e, 0, sizeof(e));
			read_engagement(st, &e);
			if ((r = read_team(ctx, &e)) != KJ_OK)
				break;
			if (!visible(ctx, &e))
				continue;
			if (!page_add(a, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s?}", "id", e.uuid, "code",
						   e.code, "programme", kj_stmt_text(st, 10), "org", e.org_code, "title_ja",
						   kj_stmt_text(st, 11), "title_en", kj_stmt_text(st, 12), "starts_on",
						   kj_stmt_text(st, 13), "ends_on", kj_stmt_text(st, 14), "status", e.status,
						   "lead", e.lead[0] ? e.lead : NULL), limit, more_out))
				break;
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

/* ---- Working papers and the report ----------------------------------------------------- */

/* Papers are the auditors' own: the team, the planners and the centre's roles. */
static kj_err
require_paper_reader(struct kj_ctx *ctx, const struct engagement *e)
{
	if (kj_access_sees_all(ctx) || e->my_role[0] != '\0' || plans(ctx, e))
		return KJ_OK;
	return kj_failf(ctx, KJ_ERR_DENIED, "the working papers of engagement %s are the auditors' own; the report is at "
					    "its report", e->code);
}

kj_err
kj_audit_paper_add(struct kj_ctx *ctx, const char *engagement, const char *name, const void *data, size_t len,
		   const char *media_type, char uuid_out[37])
{
	struct engagement e;
	struct kj_stmt *st = NULL;
	char now[21], uuid[37], sha[65];
	kj_err r;

	if ((r = kj_refuse_read_only(ctx)) != KJ_OK || (r = engagement_by_code(ctx, engagement, &e)) != KJ_OK)
		return r;
	if (e.my_role[0] == '\0' && !plans(ctx, &e))
		return kj_failf(ctx, KJ_ERR_DENIED, "only the team and the programme's planners file working papers of "
						    "engagement %s", e.code);
	if ((r = refuse_signed_off(ctx, &e, "it takes working papers")) != KJ_OK ||
	    (r = kj_need_text(ctx, "name", name, KJ_MAX_TITLE_BYTES, 0)) != KJ_OK)
		return r;
	if ((r = kj_tx_begin(ctx)) != KJ_OK)
		return r;
	kj_uuid_v4(uuid);
	kj_time_format(kj_now(ctx), now);
	r = kj_evidence_put(ctx, data, len, media_type, sha);
	if (r == KJ_OK && (r = kj_db_prepare(ctx, "INSERT INTO engagement_paper (uuid, engagement_id, name, sha256, added_by, "
						  "added_at) VALUES (?, ?, ?, ?, ?, ?)", &st)) == KJ_OK &&
	    (r = kj_stmt_bind_text(ctx, st, 1, uuid)) == KJ_OK && (r = kj_stmt_bind_int(ctx, st, 2, e.id)) == KJ_OK &&
	    (r = kj_stmt_bind_text(ctx, st, 3, name)) == KJ_OK && (r = kj_stmt_bind_text(ctx, st, 4, sha)) == KJ_OK &&
	    (r = ctx->who.user_id ? kj_stmt_bind_int(ctx, st, 5, ctx->who.user_id) : kj_stmt_bind_null(ctx, st, 5)) == KJ_OK &&
	    (r = kj_stmt_bind_text(ctx, st, 6, now)) == KJ_OK)
		r = kj_stmt_run(ctx, st);
	kj_stmt_free(st);
	if (r == KJ_OK)
		r = log_change(ctx, "engagement_paper", uuid, e.org_id, "engagement_paper.add", "{s:s, s:s, s:s}", "engagement",
			       e.code, "name", name, "sha256", sha);
	if ((r = kj_tx_end(ctx, r)) == KJ_OK)
		memcpy(uuid_out, uuid, sizeof(uuid));
	return r;
}

static json_t *
paper_json(struct kj_stmt *st)
{
	return json_pack("{s:s, s:s, s:s, s:I, s:s, s:s?, s:s}", "id", kj_stmt_text(st, 0), "name", kj_stmt_text(st, 1),
			 "sha256", kj_stmt_text(st, 2), "size", (json_int_t)kj_stmt_int(st, 3), "media_type",
			 kj_stmt_text(st, 4), "added_by", kj_stmt_text(st, 5), "added_at", kj_stmt_text(st, 6));
}

#define PAPER_COLUMNS                                                                                                  \
	"SELECT p.uuid, p.name, p.sha256, v.size, v.media_type, u.name, p.added_at, v.data FROM engagement_paper p "   \
	"JOIN evidence v ON v.sha256 = p.sha256 LEFT JOIN app_user u ON u.id = p.added_by "

kj_err
kj_audit_paper_list(struct kj_ctx *ctx, const char *engagement, json_t **out)
{
	struct engagement e;
	json_t *a;
	kj_err r;

	if ((r = engagement_by_code(ctx, engagement, &e)) != KJ_OK || (r = require_paper_reader(ctx, &e)) != KJ_OK)
		return r;
	a = json_array();
	if ((r = append_rows(ctx, PAPER_COLUMNS "WHERE p.engagement_id = ? ORDER BY p.added_at, p.id", e.id, a, paper_json)) !=
	    KJ_OK) {
		json_decref(a);
		return r;
	}
	*out = a;
	return KJ_OK;
}

kj_err
kj_audit_paper_get(struct kj_ctx *ctx, const char *engagement, const char *paper, json_t **meta_out,
		   unsigned char **data_out, size_t *len_out)
{
	struct engagement e;
	struct kj_stmt *st = NULL;
	unsigned char *bin = NULL;
	json_t *meta = NULL;
	size_t len = 0;
	int row = 0;
	kj_err r;

	if ((r = engagement_by_code(ctx, engagement, &e)) != KJ_OK || (r = require_paper_reader(ctx, &e)) != KJ_OK)
		return r;
	r = kj_db_prepare(ctx, PAPER_COLUMNS "WHERE p.engagement_id = ? AND p.uuid = ?", &st);
	if (r == KJ_OK && (r = kj_stmt_bind_int(ctx, st, 1, e.id)) == KJ_OK &&
	    (r = kj_stmt_bind_text(ctx, st, 2, paper != NULL ? paper : "")) == KJ_OK &&
	    (r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row) {
		const char *b64 = kj_stmt_text(st, 7);
		size_t cap = (size_t)kj_stmt_int(st, 3) + 1;

		meta = paper_json(st);
		if ((bin = malloc(cap)) == NULL || meta == NULL)
			r = kj_failf(ctx, KJ_ERR_NOMEM, "out of memory");
		else if (sodium_base642bin(bin, cap, b64, strlen(b64), NULL, &len, NULL, sodium_base64_VARIANT_ORIGINAL) != 0)
			r = kj_failf(ctx, KJ_ERR_INTERNAL, "working paper %s: stored content is damaged", paper);
	}
	kj_stmt_free(st);
	if (r == KJ_OK && !row)
		r = kj_failf(ctx, KJ_ERR_NOT_FOUND, "paper: engagement %s has no working paper \"%.64s\"", e.code,
			     paper != NULL ? paper : "");
	if (r != KJ_OK) {
		free(bin);
		json_decref(meta);
		return r;
	}
	*meta_out = meta;
	*data_out = bin;
	*len_out = len;
	return KJ_OK;
}

kj_err
kj_audit_report(struct kj_ctx *ctx, const char *engagement, json_t **out)
{
	static const char *const sev_order[] = {"critical", "high", "medium", "low"};
	struct finding_counts c;
	json_t *rep = NULL, *findings = NULL, *groups, *bycat, *bysev;
	size_t i, k;
	int j;
	kj_err r;

	if ((r = kj_audit_engagement_get(ctx, engagement, &rep)) != KJ_OK)
		return r;
	if ((r = kj_audit_finding_list(ctx, engagement, &findings)) != KJ_OK) {
		json_decref(rep);
		json_decref(findings);
		return r;
	}
	/* The counts come from the list itself, so report and list never disagree. */
	memset(&c, 0, sizeof(c));
	groups = json_object();
	for (j = 0; categories[j] != NULL; j++)
		json_object_set_new(groups, categories[j], json_array());
	for (j = 0; j < 4; j++) {
		json_t *f;

		json_array_foreach(findings, i, f) {
			const char *cat = json_string_value(json_object_get(f, "category"));
			const char *sev = json_string_value(json_object_get(f, "severity"));
			int ci = list_index(categories, cat), si = list_index(severities, sev);

			/* Findings go most severe first; advice and good practice (whatever their
			 * severity) once, on the first pass. */
			if (ci == 0 ? (sev == NULL || strcmp(sev, sev_order[j]) != 0) : j != 0)
				continue;
			json_array_append(json_object_get(groups, cat), f);
			if (ci >= 0)
				c.category[ci]++;
			if (ci == 0 && si >= 0)
				c.severity[si]++;
			if (json_is_true(json_object_get(f, "urgent")))
				c.urgent++;
		}
	}
	bycat = json_object();
	for (j = 0; j < 3; j++)
		json_object_set_new(bycat, categories[j], json_integer(c.category[j]));
	bysev = json_object();
	for (j = 0; j < 4; j++)
		json_object_set_new(bysev, severities[j], json_integer(c.severity[j]));
	k = json_array_size(findings);
	json_object_set_new(rep, "summary", json_pack("{s:I, s:I, s:o, s:o, s:I}", "total", (json_int_t)k, "findings",
						      (json_int_t)c.category[0], "by_category", bycat,
						      "by_severity", bysev, "urgent", (json_int_t)c.urgent));
	json_object_set_new(rep, "findings", groups);
	json_object_set_new(rep, "final", json_boolean(strcmp(json_string_value(json_object_get(rep, "status")), "signed_off") == 0));
	json_decref(findings);
	*out = rep;
	return KJ_OK;
}
