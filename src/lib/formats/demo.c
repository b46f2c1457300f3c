/*
 * demo.c: fills the demo government with accounts, policies and self-inspection
 * (demo.h). The numbers vary between organisations by a fixed pseudo-random sequence, so
 * every demo database tells the same story; only the passwords differ.
 */
#include "demo.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/buf.h"
#include "../base/util.h"
#include "../db/db.h"
#include "../model/access.h"
#include "../model/account.h"
#include "../model/inspection.h"
#include "../model/org.h"
#include "../model/policy.h"
#include "../model/standard.h"

static uint64_t
next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* A number in [0, 1). */
static double
uniform(uint64_t *s)
{
	return (double)(next(s) >> 11) / 9007199254740992.0;
}

/* How well an organisation does, from its code: stable across databases. */
static double
quality(const char *code)
{
	uint64_t h = 1469598103934665603ull;

	for (; *code; code++)
		h = (h ^ (unsigned char)*code) * 1099511628211ull;
	return 0.55 + 0.43 * ((double)(h % 1000) / 1000.0);
}

static void
lower(char *dst, const char *src, size_t size)
{
	size_t i;

	for (i = 0; src[i] && i + 1 < size; i++)
		dst[i] = (char)(src[i] >= 'A' && src[i] <= 'Z' ? src[i] - 'A' + 'a' : src[i]);
	dst[i] = '\0';
}

static kj_err
account(struct kj_ctx *ctx, json_t *out, const char *name, const char *org, const char *role)
{
	struct kj_user_new in = {.name = name, .org = org, .role = role};
	char pw[64];
	kj_err r = kj_user_create(ctx, &in, NULL, pw, sizeof(pw));

	if (r == KJ_OK)
		json_array_append_new(out, json_pack("{s:s, s:s, s:s, s:s}", "name", name, "role", role, "org", org, "password", pw));
	return r;
}

static void
act_as(struct kj_ctx *ctx, const char *name)
{
	struct kj_principal saved = ctx->who;
	struct kj_user u;

	ctx->who.role = KJ_ROLE_LOCAL_ADMIN;
	if (kj_user_get(ctx, name, &u) != KJ_OK) {
		ctx->who = saved;
		return;
	}
	memset(&ctx->who, 0, sizeof(ctx->who));
	ctx->who.user_id = u.id;
	ctx->who.role = u.role;
	ctx->who.org_id = u.org_id;
	kj_strlcpy(ctx->who.name, u.name, sizeof(ctx->who.name));
}

static void
act_local(struct kj_ctx *ctx)
{
	memset(&ctx->who, 0, sizeof(ctx->who));
	ctx->who.role = KJ_ROLE_LOCAL_ADMIN;
	kj_strlcpy(ctx->who.name, "demo", sizeof(ctx->who.name));
}

/* The first division under an organisation's general-affairs bureau, or any division. */
static const char *
a_division(const struct kj_org_list *l, const char *org, int nth)
{
	size_t i, len = strlen(org);
	int seen = 0;

	for (i = 0; i < l->n; i++) {
		if (strcmp(l->v[i].kind, "division") == 0 && strncmp(l->v[i].code, org, len) == 0 && l->v[i].code[len] == '-') {
			if (seen++ == nth)
				return l->v[i].code;
		}
	}
	return NULL;
}

static const char *
a_bureau(const struct kj_org_list *l, const char *org)
{
	size_t i, len = strlen(org);

	for (i = 0; i < l->n; i++) {
		if (strcmp(l->v[i].kind, "bureau") == 0 && strncmp(l->v[i].code, org, len) == 0 && l->v[i].code[len] == '-')
			return l->v[i].code;
	}
	return NULL;
}

/* A policy answering edition, covering each requirement with probability q. */
static kj_err
policy_version(struct kj_ctx *ctx, const char *org, const struct kj_edition *ed, double q, uint64_t *rng, int *vno)
{
	json_t *clauses = json_array(), *clause = NULL, *maps = NULL, *content;
	size_t i;
	kj_err r;

	for (i = 0; i < ed->nitems; i++) {
		const struct kj_item *it = &ed->items[i];
		double u;

		if (strcmp(it->kind, "group") == 0) {
			char text[256];

			snprintf(text, sizeof(text), "統一基準 %s に対応する本府省の規定", it->number);
			clause = json_pack("{s:s, s:s?, s:s, s:[]}", "number", it->number, "title", it->title_ja, "text_ja", text,
					   "mappings");
			json_array_append_new(clauses, clause);
			maps = json_object_get(clause, "mappings");
			continue;
		}
		if (strcmp(it->kind, "requirement") != 0 || maps == NULL || uniform(rng) > q)
			continue;
		u = uniform(rng);
		if (u < 0.10)
			json_array_append_new(maps, json_pack("{s:s, s:s}", "requirement", it->number, "status", "stricter"));
		else if (u < 0.13)
			json_array_append_new(maps, json_pack("{s:s, s:s, s:s}", "requirement", it->number, "status", "alternative",
							      "justification", "同等以上の代替措置として、既存の業務手順で管理する。"));
		else if (u < 0.15)
			json_array_append_new(maps, json_pack("{s:s, s:s, s:s}", "requirement", it->number, "status",
							      "not_applicable", "justification", "該当する情報システムを保有しない。"));
		else
			json_array_append_new(maps, json_pack("{s:s, s:s}", "requirement", it->number, "status", "adopted"));
	}
	content = json_pack("{s:s, s:o}", "edition", ed->code, "clauses", clauses);
	r = kj_policy_version_add(ctx, org, "STD", "demo", content, vno);
	json_decref(content);
	return r;
}

struct mem {
	const char *p;
	size_t len, off;
};

static long
mem_read(void *arg, char *buf, size_t size)
{
	struct mem *m = arg;
	size_t n = m->len - m->off < size ? m->len - m->off : size;

	memcpy(buf, m->p + m->off, n);
	m->off += n;
	return (long)n;
}

/* Answers every item of every checklist in campaign (skipping holders in skip), done with
 * probability q, the rest partial, not done or not applicable; fill is the share of items
 * answered. */
static kj_err
answer_campaign(struct kj_ctx *ctx, const char *campaign, double q, double fill, uint64_t *rng, const char *skip)
{
	struct kj_stmt *st = NULL;
	struct kj_buf csv;
	struct mem m;
	int row;
	kj_err r;

	kj_buf_init(&csv, 0);
	kj_buf_puts(&csv, "checklist,item,value,comment\n");
	r = kj_db_prepare(ctx, "SELECT k.uuid, i.item_number, u.name FROM checklist k JOIN campaign c ON c.id = k.campaign_id "
			       "JOIN campaign_item i ON i.campaign_id = c.id AND (i.role IS NULL OR i.role = k.role) "
			       "JOIN app_user u ON u.id = k.user_id WHERE c.code = ? ORDER BY k.id, i.seq", &st);
	if (r == KJ_OK && (r = kj_stmt_bind_text(ctx, st, 1, campaign)) == KJ_OK) {
		while ((r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row) {
			double u = uniform(rng);
			const char *v;

			if ((skip != NULL && strcmp(kj_stmt_text(st, 2), skip) == 0) || uniform(rng) > fill)
				continue;
			v = u < q ? "implemented" : u < q + (1 - q) * 0.4 ? "partial" : u < 0.97 ? "not_implemented" : "not_applicable";
			kj_buf_printf(&csv, "%s,%s,%s,\n", kj_stmt_text(st, 0), kj_stmt_text(st, 1), v);
		}
	}
	kj_stmt_free(st);
	if (r == KJ_OK && kj_buf_failed(&csv))
		r = kj_failf(ctx, KJ_ERR_NOMEM, "out of memory");
	if (r == KJ_OK) {
		m = (struct mem){kj_buf_cstr(&csv), csv.len, 0};
		r = kj_answers_import_csv(ctx, campaign, "demo", mem_read, &m, NULL, NULL);
	}
	kj_buf_free(&csv);
	return r;
}

static kj_err
submit_all(struct kj_ctx *ctx, const char *campaign, const char *skip)
{
	struct kj_stmt *st = NULL;
	char uuids[64][37];
	int n = 0, row, i;
	kj_err r;

	r = kj_db_prepare(ctx, "SELECT k.uuid FROM checklist k JOIN campaign c ON c.id = k.campaign_id JOIN app_user u ON u.id = k.user_id "
			       "WHERE c.code = ? AND u.name <> ? AND k.status = 'open' AND NOT EXISTS (SELECT 1 FROM campaign_item i "
			       "WHERE i.campaign_id = c.id AND (i.role IS NULL OR i.role = k.role) AND NOT EXISTS "
			       "(SELECT 1 FROM answer a WHERE a.checklist_id = k.id AND a.item_id = i.id))", &st);
	if (r == KJ_OK && (r = kj_stmt_bind_text(ctx, st, 1, campaign)) == KJ_OK &&
	    (r = kj_stmt_bind_text(ctx, st, 2, skip ? skip : "")) == KJ_OK) {
		while ((r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row && n < 64)
			kj_strlcpy(uuids[n++], kj_stmt_text(st, 0), sizeof(uuids[0]));
	}
	kj_stmt_free(st);
	for (i = 0; i < n && r == KJ_OK; i++)
		r = kj_checklist_submit(ctx, uuids[i]);
	return r;
}

kj_err
kj_demo_populate(struct kj_ctx *ctx, json_t **accounts_out)
{
	struct kj_org_list l;
	struct kj_edition e23, e25;
	json_t *acc = json_array();
	uint64_t rng = 20050915;	/* the first unified standard's date */
	struct kj_principal saved = ctx->who;
	size_t i;
	kj_err r;

	memset(&l, 0, sizeof(l));
	kj_edition_init(&e23);
	kj_edition_init(&e25);
	act_local(ctx);
	if ((r = kj_tx_begin(ctx)) != KJ_OK)
		goto done;
	if ((r = kj_org_list(ctx, NULL, 0, &l)) != KJ_OK || (r = kj_edition_load(ctx, "demo-fy2023", &e23)) != KJ_OK ||
	    (r = kj_edition_load(ctx, "demo-fy2025", &e25)) != KJ_OK)
		goto out;

	/* Accounts: the centre, and three people in every ministry, one in every agency. */
	if ((r = account(ctx, acc, "centre-admin", "NCO", "centre_admin")) != KJ_OK ||
	    (r = account(ctx, acc, "analyst", "NCO", "centre_analyst")) != KJ_OK ||
	    (r = account(ctx, acc, "auditor", "NCO", "external_auditor")) != KJ_OK)
		goto out;
	for (i = 0; i < l.n && r == KJ_OK; i++) {
		const struct kj_org *o = &l.v[i];
		char low[40], name[64];

		lower(low, o->code, sizeof(low));
		if (strcmp(o->kind, "ministry") == 0) {
			const char *b = a_bureau(&l, o->code), *d1 = a_division(&l, o->code, 0), *d2 = a_division(&l, o->code, 2);

			snprintf(name, sizeof(name), "%s-ciso", low);
			if ((r = account(ctx, acc, name, o->code, "org_admin")) != KJ_OK)
				break;
			snprintf(name, sizeof(name), "%s-chief", low);
			if ((r = account(ctx, acc, name, o->code, "org_admin")) != KJ_OK)
				break;
			if (b != NULL) {
				snprintf(name, sizeof(name), "%s-officer", low);
				if ((r = account(ctx, acc, name, b, "unit_officer")) != KJ_OK)
					break;
			}
			if (d1 != NULL) {
				snprintf(name, sizeof(name), "%s-staff", low);
				if ((r = account(ctx, acc, name, d1, "staff")) != KJ_OK)
					break;
			}
			if (d2 != NULL) {
				snprintf(name, sizeof(name), "%s-staff2", low);
				if ((r = account(ctx, acc, name, d2, "staff")) != KJ_OK)
					break;
			}
		} else if (strcmp(o->kind, "agency") == 0 || strcmp(o->kind, "corporation") == 0) {
			snprintf(name, sizeof(name), "%s-ciso", low);
			if ((r = account(ctx, acc, name, o->code, "org_admin")) != KJ_OK)
				break;
			snprintf(name, sizeof(name), "%s-staff", low);
			if ((r = account(ctx, acc, name, o->code, "staff")) != KJ_OK)
				break;
		}
	}
	if (r != KJ_OK)
		goto out;
	{
		char uuid[37];

		if ((r = kj_engagement_create(ctx, "auditor", "MHA", "2025-04-01", "2026-03-31", uuid)) != KJ_OK)
			goto out;
	}

	/* Policies: each written against FY2023; a third brought up to FY2025. */
	for (i = 0; i < l.n && r == KJ_OK; i++) {
		const struct kj_org *o = &l.v[i];
		char uuid[37], tja[400], ten[400];
		double q = quality(o->code);
		int vno = 0;

		if (strcmp(o->kind, "ministry") != 0 && strcmp(o->kind, "agency") != 0 && strcmp(o->kind, "corporation") != 0)
			continue;
		snprintf(tja, sizeof(tja), "%s情報セキュリティ対策基準", o->name_ja);
		snprintf(ten, sizeof(ten), "%s security standard", o->name_en);
		if ((r = kj_policy_doc_create(ctx, o->code, "STD", "standard", tja, ten, uuid)) != KJ_OK ||
		    (r = policy_version(ctx, o->code, &e23, q, &rng, &vno)) != KJ_OK ||
		    (r = kj_policy_transition(ctx, o->code, "STD", vno, "approve", NULL)) != KJ_OK ||
		    (r = kj_policy_transition(ctx, o->code, "STD", vno, "enforce", "2023-10-01")) != KJ_OK)
			break;
		if (uniform(&rng) < 0.33) {
			if ((r = policy_version(ctx, o->code, &e25, q + 0.03, &rng, &vno)) != KJ_OK ||
			    (r = kj_policy_transition(ctx, o->code, "STD", vno, "approve", NULL)) != KJ_OK ||
			    (r = kj_policy_transition(ctx, o->code, "STD", vno, "enforce", "2025-10-01")) != KJ_OK)
				break;
		} else if (uniform(&rng) < 0.5) {
			/* A revision in the works: a draft against the newer edition. */
			r = policy_version(ctx, o->code, &e25, q, &rng, &vno);
		}
	}
	if (r != KJ_OK)
		goto out;

	/* Self-inspection: the centre mandates one campaign a year for everyone. */
	{
		static const char *const codes[] = {"GOV-FY2024", "GOV-FY2025"};
		static const char *const editions[] = {"demo-fy2023", "demo-fy2025"};
		static const char *const opens[] = {"2024-06-03", "2025-06-02"};
		static const char *const dues[] = {"2024-07-31", "2025-12-19"};
		int y;

		for (y = 0; y < 2 && r == KJ_OK; y++) {
			struct kj_campaign_new in;
			json_t *sel = json_pack("{s:[s, s, s]}", "parts", "2", "3", "8");
			size_t n;

			memset(&in, 0, sizeof(in));
			in.code = codes[y];
			in.org = "NCO";
			in.title_ja = y == 0 ? "令和6年度 政府統一自己点検" : "令和7年度 政府統一自己点検";
			in.title_en = y == 0 ? "FY2024 government-wide self-inspection" : "FY2025 government-wide self-inspection";
			in.edition = editions[y];
			in.opens_on = opens[y];
			in.due_on = dues[y];
			in.select = sel;
			r = kj_campaign_create(ctx, &in, &n);
			json_decref(sel);
			if (r == KJ_OK)
				r = kj_campaign_mandate(ctx, codes[y], NULL, &n);
			/* Checklists: the staff answer the staff items, the officers and CISOs theirs. */
			for (i = 0; i < l.n && r == KJ_OK; i++) {
				const struct kj_org *o = &l.v[i];
				static const char *const who[] = {"staff", "staff2", "officer", "ciso"};
				char child[96], low[40], name[64], uuid[37];
				int k;

				if (strcmp(o->kind, "ministry") != 0 && strcmp(o->kind, "agency") != 0 &&
				    strcmp(o->kind, "corporation") != 0)
					continue;
				snprintf(child, sizeof(child), "%s-%s", codes[y], o->code);
				lower(low, o->code, sizeof(low));
				for (k = 0; k < 4 && r == KJ_OK; k++) {
					struct kj_user u;

					snprintf(name, sizeof(name), "%s-%s", low, who[k]);
					if (kj_user_get(ctx, name, &u) != KJ_OK)
						continue;
					r = kj_checklist_assign(ctx, child, name, NULL, NULL, NULL, uuid);
				}
			}
			if (r == KJ_OK)
				r = kj_campaign_set_status(ctx, codes[y], "open");
			for (i = 0; i < l.n && r == KJ_OK; i++) {
				const struct kj_org *o = &l.v[i];
				char child[96];
				double q = quality(o->code);

				if (strcmp(o->kind, "ministry") != 0 && strcmp(o->kind, "agency") != 0 &&
				    strcmp(o->kind, "corporation") != 0)
					continue;
				snprintf(child, sizeof(child), "%s-%s", codes[y], o->code);
				/* Most improve a little from one year to the next; a few slip. */
				if (y == 1)
					q = q + (uniform(&rng) < 0.2 ? -0.08 : 0.06);
				if (q > 0.99)
					q = 0.99;
				r = answer_campaign(ctx, child, q, y == 0 ? 1.0 : 0.55 + 0.4 * uniform(&rng), &rng,
						    y == 1 && strcmp(o->code, "MHA") == 0 ? "mha-staff" : NULL);
				if (r == KJ_OK)
					r = submit_all(ctx, child, y == 1 ? "mha-staff" : NULL);
			}
			if (r == KJ_OK && y == 0)
				r = kj_campaign_set_status(ctx, codes[y], "closed");
		}
	}
	if (r != KJ_OK)
		goto out;
	/* The loop inside a ministry: the officer's analysis, the CISO's instruction. */
	{
		char uuid[37];

		act_as(ctx, "mha-officer");
		r = kj_note_add(ctx, "GOV-FY2024-MHA", "MHA-EL", "analysis", "8.1.1(2)(a)",
				"外部記録媒体の持ち出し手続が一部の課室で徹底されていない。", NULL, uuid);
		act_as(ctx, "mha-ciso");
		if (r == KJ_OK)
			r = kj_note_add(ctx, "GOV-FY2024-MHA", "MHA", "instruction", "8.1.1(2)(a)",
					"全課室で持ち出し手続を再周知し、次回点検で実施率を確認すること。", "2025-03-31", uuid);
		act_local(ctx);
	}
out:
	r = kj_tx_end(ctx, r);
done:
	ctx->who = saved;
	kj_org_list_free(&l);
	kj_edition_free(&e23);
	kj_edition_free(&e25);
	if (r == KJ_OK)
		*accounts_out = acc;
	else
		json_decref(acc);
	return r;
}
