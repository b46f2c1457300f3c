/*
 * policy.c: policy documents, versions, clauses and mappings, their workflow, and the
 * policy review (policy.h).
 *
 * Owns the tables policy_doc, policy_version, policy_clause and clause_mapping.
 */
#include "policy.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/jsonin.h"
#include "../base/limits.h"
#include "../base/strmap.h"
#include "../base/util.h"
#include "../db/db.h"
#include "../engine/diff.h"
#include "access.h"
#include "auditlog.h"
#include "org.h"
#include "standard.h"

static const char *const statuses[] = {"adopted", "stricter", "alternative", "not_applicable", NULL};

static int
in_list(const char *const *l, const char *s)
{
	for (; s != NULL && *l != NULL; l++) {
		if (strcmp(*l, s) == 0)
			return 1;
	}
	return 0;
}

static kj_err
audit_json(struct kj_ctx *ctx, const char *entity, const char *id, int64_t org_id, const char *op, json_t *state)
{
	char *s = json_dumps(state, JSON_COMPACT | JSON_SORT_KEYS);
	kj_err r;

	json_decref(state);
	if (s == NULL)
		return kj_failf(ctx, KJ_ERR_NOMEM, "out of memory");
	r = kj_auditlog_append(ctx, entity, id, org_id, op, s);
	free(s);
	return r;
}

static kj_err
edition_by_code(struct kj_ctx *ctx, const char *code, int64_t *id_out)
{
	struct kj_stmt *st = NULL;
	int row;
	kj_err r;

	if ((r = kj_db_prepare(ctx, "SELECT id FROM edition WHERE code = ?", &st)) != KJ_OK)
		return r;
	if ((r = kj_stmt_bind_text(ctx, st, 1, code)) == KJ_OK && (r = kj_stmt_step(ctx, st, &row)) == KJ_OK) {
		if (row)
			*id_out = kj_stmt_int(st, 0);
		else
			r = kj_failf(ctx, KJ_ERR_NOT_FOUND, "edition: no edition \"%.64s\"", code);
	}
	kj_stmt_free(st);
	return r;
}

kj_err
kj_policy_doc_create(struct kj_ctx *ctx, const char *org, const char *code, const char *kind,
		     const char *title_ja, const char *title_en, char uuid_out[37])
{
	static const char *const kinds[] = {"standard", "rules", "procedure", NULL};
	struct kj_stmt *st = NULL;
	struct kj_org o;
	char now[21];
	kj_err r;

	if (code == NULL || *code == '\0' || strlen(code) > 32)
		return kj_failf(ctx, KJ_ERR_INVALID, "code: 1 to 32 characters");
	if (!in_list(kinds, kind))
		return kj_failf(ctx, KJ_ERR_INVALID, "kind: expected standard, rules or procedure");
	if (title_ja == NULL || title_en == NULL || !*title_ja || !*title_en)
		return kj_failf(ctx, KJ_ERR_INVALID, "title_ja, title_en: both required");
	if ((r = kj_tx_begin(ctx)) != KJ_OK)
		return r;
	if ((r = kj_org_get(ctx, org, &o)) != KJ_OK || (r = kj_access_require(ctx, KJ_PERM_POLICY_WRITE, o.id)) != KJ_OK)
		goto out;
	kj_uuid_v4(uuid_out);
	kj_time_format(kj_now(ctx), now);
	r = kj_db_prepare(ctx, "INSERT INTO policy_doc (uuid, org_id, code, kind, title_ja, title_en, created_at) "
			       "VALUES (?, ?, ?, ?, ?, ?, ?)", &st);
	if (r == KJ_OK && (r = kj_stmt_bind_text(ctx, st, 1, uuid_out)) == KJ_OK &&
	    (r = kj_stmt_bind_int(ctx, st, 2, o.id)) == KJ_OK && (r = kj_stmt_bind_text(ctx, st, 3, code)) == KJ_OK &&
	    (r = kj_stmt_bind_text(ctx, st, 4, kind)) == KJ_OK && (r = kj_stmt_bind_text(ctx, st, 5, title_ja)) == KJ_OK &&
	    (r = kj_stmt_bind_text(ctx, st, 6, title_en)) == KJ_OK && (r = kj_stmt_bind_text(ctx, st, 7, now)) == KJ_OK)
		r = kj_stmt_run(ctx, st);
	if (r == KJ_ERR_EXISTS)
		r = kj_failf(ctx, r, "code: %s already has a policy document \"%s\"", o.code, code);
	if (r == KJ_OK)
		r = audit_json(ctx, "policy", uuid_out, o.id, "policy.create",
			       json_pack("{s:s, s:s, s:s, s:s}", "org", o.code, "code", code, "kind", kind, "title_en", title_en));
out:
	kj_stmt_free(st);
	return kj_tx_end(ctx, r);
}

struct doc_ref {
	int64_t id, org_id;
	char uuid[37];
	struct kj_org org;
};

static kj_err
find_doc(struct kj_ctx *ctx, const char *org, const char *doc, struct doc_ref *d)
{
	struct kj_stmt *st = NULL;
	int row;
	kj_err r;

	if ((r = kj_org_get(ctx, org, &d->org)) != KJ_OK)
		return r;
	if ((r = kj_db_prepare(ctx, "SELECT id, uuid FROM policy_doc WHERE org_id = ? AND code = ?", &st)) != KJ_OK)
		return r;
	if ((r = kj_stmt_bind_int(ctx, st, 1, d->org.id)) == KJ_OK && (r = kj_stmt_bind_text(ctx, st, 2, doc)) == KJ_OK &&
	    (r = kj_stmt_step(ctx, st, &row)) == KJ_OK) {
		if (row) {
			d->id = kj_stmt_int(st, 0);
			kj_strlcpy(d->uuid, kj_stmt_text(st, 1), sizeof(d->uuid));
			d->org_id = d->org.id;
		} else {
			r = kj_failf(ctx, KJ_ERR_NOT_FOUND, "%s has no policy document \"%.64s\"", d->org.code, doc);
		}
	}
	kj_stmt_free(st);
	return r;
}

kj_err
kj_policy_version_add(struct kj_ctx *ctx, const char *org, const char *doc, const char *name, json_t *content,
		      int *version_no_out)
{
	static const char *const top_keys[] = {"edition", "clauses", NULL};
	static const char *const clause_keys[] = {"number", "title", "text_ja", "text_en", "mappings", NULL};
	static const char *const map_keys[] = {"requirement", "status", "justification", NULL};
	struct kj_stmt *ver = NULL, *cl = NULL, *mp = NULL, *req = NULL;
	struct kj_jpath p;
	struct doc_ref d;
	const char *ecode;
	json_t *clauses, *c;
	int64_t eid = 0, vid;
	char uuid[37], now[21];
	size_t i;
	int row, vno = 1;
	kj_err r;

	kj_jpath_init(&p);
	if ((r = kj_json_allow(ctx, name, &p, content, top_keys)) != KJ_OK ||
	    (r = kj_json_str(ctx, name, &p, content, "edition", 1, KJ_MAX_CODE_BYTES, &ecode)) != KJ_OK)
		return r;
	clauses = json_object_get(content, "clauses");
	if (!json_is_array(clauses))
		return kj_json_fail(ctx, KJ_ERR_INVALID, name, &p, "clauses", "expected an array");
	if ((r = kj_tx_begin(ctx)) != KJ_OK)
		return r;
	if ((r = find_doc(ctx, org, doc, &d)) != KJ_OK ||
	    (r = kj_access_require(ctx, KJ_PERM_POLICY_WRITE, d.org_id)) != KJ_OK ||
	    (r = edition_by_code(ctx, ecode, &eid)) != KJ_OK)
		goto out;
	if ((r = kj_db_prepare(ctx, "SELECT COALESCE(MAX(version_no), 0) + 1 FROM policy_version WHERE doc_id = ?",
			       &ver)) != KJ_OK ||
	    (r = kj_stmt_bind_int(ctx, ver, 1, d.id)) != KJ_OK || (r = kj_stmt_step(ctx, ver, &row)) != KJ_OK)
		goto out;
	vno = (int)kj_stmt_int(ver, 0);
	kj_stmt_free(ver);
	ver = NULL;
	kj_uuid_v4(uuid);
	kj_time_format(kj_now(ctx), now);
	r = kj_db_prepare(ctx, "INSERT INTO policy_version (uuid, doc_id, version_no, status, edition_id, author_id, "
			       "created_at) VALUES (?, ?, ?, 'draft', ?, ?, ?) RETURNING id", &ver);
	if (r != KJ_OK || (r = kj_stmt_bind_text(ctx, ver, 1, uuid)) != KJ_OK ||
	    (r = kj_stmt_bind_int(ctx, ver, 2, d.id)) != KJ_OK || (r = kj_stmt_bind_int(ctx, ver, 3, vno)) != KJ_OK ||
	    (r = kj_stmt_bind_int(ctx, ver, 4, eid)) != KJ_OK)
		goto out;
	r = ctx->who.user_id ? kj_stmt_bind_int(ctx, ver, 5, ctx->who.user_id) : kj_stmt_bind_null(ctx, ver, 5);
	if (r != KJ_OK || (r = kj_stmt_bind_text(ctx, ver, 6, now)) != KJ_OK || (r = kj_stmt_step(ctx, ver, &row)) != KJ_OK)
		goto out;
	vid = kj_stmt_int(ver, 0);
	if ((r = kj_db_prepare(ctx, "INSERT INTO policy_clause (version_id, seq, number, title, text_ja, text_en) "
				    "VALUES (?, ?, ?, ?, ?, ?) RETURNING id", &cl)) != KJ_OK ||
	    (r = kj_db_prepare(ctx, "INSERT INTO clause_mapping (clause_id, item_number, status, justification) "
				    "VALUES (?, ?, ?, ?)", &mp)) != KJ_OK ||
	    (r = kj_db_prepare(ctx, "SELECT kind FROM item WHERE edition_id = ? AND number = ?", &req)) != KJ_OK)
		goto out;
	kj_jpath_key(&p, "clauses");
	json_array_foreach(clauses, i, c) {
		size_t m1 = kj_jpath_index(&p, i), k;
		const char *num, *title, *tja, *ten;
		json_t *maps, *m;
		int64_t cid;

		if ((r = kj_json_allow(ctx, name, &p, c, clause_keys)) != KJ_OK ||
		    (r = kj_json_str(ctx, name, &p, c, "number", 1, KJ_MAX_NUMBER_BYTES, &num)) != KJ_OK ||
		    (r = kj_json_str(ctx, name, &p, c, "title", 0, KJ_MAX_TITLE_BYTES, &title)) != KJ_OK ||
		    (r = kj_json_str(ctx, name, &p, c, "text_ja", 0, KJ_MAX_TEXT_BYTES, &tja)) != KJ_OK ||
		    (r = kj_json_str(ctx, name, &p, c, "text_en", 0, KJ_MAX_TEXT_BYTES, &ten)) != KJ_OK)
			goto out;
		kj_stmt_reset(cl);
		if ((r = kj_stmt_bind_int(ctx, cl, 1, vid)) != KJ_OK || (r = kj_stmt_bind_int(ctx, cl, 2, (int64_t)i + 1)) != KJ_OK ||
		    (r = kj_stmt_bind_text(ctx, cl, 3, num)) != KJ_OK || (r = kj_stmt_bind_text(ctx, cl, 4, title)) != KJ_OK ||
		    (r = kj_stmt_bind_text(ctx, cl, 5, tja)) != KJ_OK || (r = kj_stmt_bind_text(ctx, cl, 6, ten)) != KJ_OK)
			goto out;
		r = kj_stmt_step(ctx, cl, &row);
		if (r == KJ_ERR_EXISTS)
			r = kj_json_fail(ctx, r, name, &p, "number", "clause \"%s\" appears twice", num);
		if (r != KJ_OK)
			goto out;
		cid = kj_stmt_int(cl, 0);
		maps = json_object_get(c, "mappings");
		if (maps != NULL && !json_is_array(maps)) {
			r = kj_json_fail(ctx, KJ_ERR_INVALID, name, &p, "mappings", "expected an array");
			goto out;
		}
		kj_jpath_key(&p, "mappings");
		json_array_foreach(maps, k, m) {
			size_t m2 = kj_jpath_index(&p, k);
			const char *rn, *stt, *just;

			if ((r = kj_json_allow(ctx, name, &p, m, map_keys)) != KJ_OK ||
			    (r = kj_json_str(ctx, name, &p, m, "requirement", 1, KJ_MAX_NUMBER_BYTES, &rn)) != KJ_OK ||
			    (r = kj_json_str(ctx, name, &p, m, "status", 1, 32, &stt)) != KJ_OK ||
			    (r = kj_json_str(ctx, name, &p, m, "justification", 0, KJ_MAX_TEXT_BYTES, &just)) != KJ_OK)
				goto out;
			if (!in_list(statuses, stt)) {
				r = kj_json_fail(ctx, KJ_ERR_INVALID, name, &p, "status",
						 "expected adopted, stricter, alternative or not_applicable");
				goto out;
			}
			kj_stmt_reset(req);
			if ((r = kj_stmt_bind_int(ctx, req, 1, eid)) != KJ_OK || (r = kj_stmt_bind_text(ctx, req, 2, rn)) != KJ_OK ||
			    (r = kj_stmt_step(ctx, req, &row)) != KJ_OK)
				goto out;
			if (!row || !kj_item_is_requirement(kj_stmt_text(req, 0))) {
				r = kj_json_fail(ctx, KJ_ERR_INVALID, name, &p, "requirement",
						 "\"%s\" is not a requirement of %s", rn, ecode);
				goto out;
			}
			kj_stmt_reset(mp);
			if ((r = kj_stmt_bind_int(ctx, mp, 1, cid)) != KJ_OK || (r = kj_stmt_bind_text(ctx, mp, 2, rn)) != KJ_OK ||
			    (r = kj_stmt_bind_text(ctx, mp, 3, stt)) != KJ_OK ||
			    (r = kj_stmt_bind_text(ctx, mp, 4, just && *just ? just : NULL)) != KJ_OK)
				goto out;
			r = kj_stmt_run(ctx, mp);
			if (r == KJ_ERR_EXISTS)
				r = kj_json_fail(ctx, r, name, &p, "requirement", "\"%s\" is mapped twice by this clause", rn);
			if (r != KJ_OK)
				goto out;
			kj_jpath_pop(&p, m2);
		}
		kj_jpath_pop(&p, m1);
	}
	r = audit_json(ctx, "policy", d.uuid, d.org_id, "policy.version",
		       json_pack("{s:s, s:i, s:s, s:I}", "version", uuid, "version_no", vno, "edition", ecode, "clauses",
				 (json_int_t)json_array_size(clauses)));
out:
	kj_stmt_free(ver);
	kj_stmt_free(cl);
	kj_stmt_free(mp);
	kj_stmt_free(req);
	r = kj_tx_end(ctx, r);
	if (r == KJ_OK && version_no_out != NULL)
		*version_no_out = vno;
	return r;
}

static kj_err
count_missing_reasons(struct kj_ctx *ctx, int64_t vid, int64_t *n)
{
	struct kj_stmt *st = NULL;
	int row;
	kj_err r;

	r = kj_db_prepare(ctx, "SELECT COUNT(*) FROM clause_mapping m JOIN policy_clause c ON c.id = m.clause_id "
			       "WHERE c.version_id = ? AND m.status IN ('alternative', 'not_applicable') "
			       "AND (m.justification IS NULL OR m.justification = '')", &st);
	if (r == KJ_OK && (r = kj_stmt_bind_int(ctx, st, 1, vid)) == KJ_OK && (r = kj_stmt_step(ctx, st, &row)) == KJ_OK)
		*n = kj_stmt_int(st, 0);
	kj_stmt_free(st);
	return r;
}

kj_err
kj_policy_transition(struct kj_ctx *ctx, const char *org, const char *doc, int version_no, const char *action,
		     const char *date)
{
	struct kj_stmt *st = NULL;
	struct doc_ref d;
	char status[16], day[11], now[21];
	int64_t vid = 0, author = 0, missing = 0;
	int row;
	kj_err r;

	if (strcmp(action, "approve") != 0 && strcmp(action, "enforce") != 0)
		return kj_failf(ctx, KJ_ERR_USAGE, "action: expected approve or enforce");
	if (date != NULL && !kj_date_valid(date))
		return kj_failf(ctx, KJ_ERR_INVALID, "date: expected YYYY-MM-DD");
	if (date != NULL)
		kj_strlcpy(day, date, sizeof(day));
	else
		kj_date_format(kj_now(ctx), day);
	kj_time_format(kj_now(ctx), now);
	if ((r = kj_tx_begin(ctx)) != KJ_OK)
		return r;
	if ((r = find_doc(ctx, org, doc, &d)) != KJ_OK)
		goto out;
	r = kj_db_prepare(ctx, "SELECT id, status, author_id FROM policy_version WHERE doc_id = ? AND version_no = ?", &st);
	if (r == KJ_OK && (r = kj_stmt_bind_int(ctx, st, 1, d.id)) == KJ_OK &&
	    (r = kj_stmt_bind_int(ctx, st, 2, version_no)) == KJ_OK && (r = kj_stmt_step(ctx, st, &row)) == KJ_OK) {
		if (row) {
			vid = kj_stmt_int(st, 0);
			kj_strlcpy(status, kj_stmt_text(st, 1), sizeof(status));
			author = kj_stmt_int(st, 2);
		} else {
			r = kj_failf(ctx, KJ_ERR_NOT_FOUND, "%s/%s has no version %d", d.org.code, doc, version_no);
		}
	}
	kj_stmt_free(st);
	st = NULL;
	if (r != KJ_OK)
		goto out;
	if (strcmp(action, "approve") == 0) {
		if ((r = kj_access_require(ctx, KJ_PERM_POLICY_APPROVE, d.org_id)) != KJ_OK)
			goto out;
		if (strcmp(status, "draft") != 0) {
			r = kj_failf(ctx, KJ_ERR_INVALID, "version %d is %s; only a draft can be approved", version_no, status);
			goto out;
		}
		if (author != 0 && author == ctx->who.user_id) {
			r = kj_failf(ctx, KJ_ERR_DENIED, "the author of a version cannot approve it (separation of duties)");
			goto out;
		}
		if ((r = count_missing_reasons(ctx, vid, &missing)) != KJ_OK)
			goto out;
		if (missing > 0) {
			r = kj_failf(ctx, KJ_ERR_INVALID, "%" PRId64 " alternative or not-applicable mapping(s) lack a "
							  "justification", missing);
			goto out;
		}
		r = kj_db_prepare(ctx, "UPDATE policy_version SET status = 'approved', approver_id = ?, approved_at = ?, "
				       "version = version + 1 WHERE id = ?", &st);
		if (r == KJ_OK)
			r = ctx->who.user_id ? kj_stmt_bind_int(ctx, st, 1, ctx->who.user_id) : kj_stmt_bind_null(ctx, st, 1);
		if (r == KJ_OK && (r = kj_stmt_bind_text(ctx, st, 2, now)) == KJ_OK &&
		    (r = kj_stmt_bind_int(ctx, st, 3, vid)) == KJ_OK)
			r = kj_stmt_run(ctx, st);
	} else {
		if ((r = kj_access_require(ctx, KJ_PERM_POLICY_WRITE, d.org_id)) != KJ_OK)
			goto out;
		if (strcmp(status, "approved") != 0) {
			r = kj_failf(ctx, KJ_ERR_INVALID, "version %d is %s; only an approved version can come into force",
				     version_no, status);
			goto out;
		}
		r = kj_db_prepare(ctx, "UPDATE policy_version SET status = 'superseded', superseded_at = ?, "
				       "version = version + 1 WHERE doc_id = ? AND status = 'in_force'", &st);
		if (r == KJ_OK && (r = kj_stmt_bind_text(ctx, st, 1, day)) == KJ_OK && (r = kj_stmt_bind_int(ctx, st, 2, d.id)) == KJ_OK)
			r = kj_stmt_run(ctx, st);
		kj_stmt_free(st);
		st = NULL;
		if (r == KJ_OK)
			r = kj_db_prepare(ctx, "UPDATE policy_version SET status = 'in_force', in_force_from = ?, "
					       "version = version + 1 WHERE id = ?", &st);
		if (r == KJ_OK && (r = kj_stmt_bind_text(ctx, st, 1, day)) == KJ_OK && (r = kj_stmt_bind_int(ctx, st, 2, vid)) == KJ_OK)
			r = kj_stmt_run(ctx, st);
	}
	if (r == KJ_OK)
		r = audit_json(ctx, "policy", d.uuid, d.org_id, strcmp(action, "approve") == 0 ? "policy.approve" : "policy.enforce",
			       json_pack("{s:i, s:s}", "version_no", version_no, "date", day));
out:
	kj_stmt_free(st);
	return kj_tx_end(ctx, r);
}

kj_err
kj_policy_list(struct kj_ctx *ctx, const char *org, json_t **out)
{
	struct kj_stmt *st = NULL;
	struct kj_org o;
	json_t *docs = json_array(), *cur = NULL;
	char last[33] = "";
	int row;
	kj_err r;

	if ((r = kj_org_get(ctx, org, &o)) != KJ_OK) {
		json_decref(docs);
		return r;
	}
	r = kj_db_prepare(ctx, "SELECT d.code, d.kind, d.title_ja, d.title_en, d.uuid, v.version_no, v.status, e.code, "
			       "v.approved_at, v.in_force_from, v.superseded_at, v.created_at FROM policy_doc d "
			       "LEFT JOIN policy_version v ON v.doc_id = d.id LEFT JOIN edition e ON e.id = v.edition_id "
			       "WHERE d.org_id = ? ORDER BY d.code, v.version_no", &st);
	if (r == KJ_OK && (r = kj_stmt_bind_int(ctx, st, 1, o.id)) == KJ_OK) {
		while ((r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row) {
			if (cur == NULL || strcmp(last, kj_stmt_text(st, 0)) != 0) {
				kj_strlcpy(last, kj_stmt_text(st, 0), sizeof(last));
				cur = json_pack("{s:s, s:s, s:s, s:s, s:s, s:[]}", "code", kj_stmt_text(st, 0), "kind",
						kj_stmt_text(st, 1), "title_ja", kj_stmt_text(st, 2), "title_en",
						kj_stmt_text(st, 3), "id", kj_stmt_text(st, 4), "versions");
				json_array_append_new(docs, cur);
			}
			if (!kj_stmt_is_null(st, 5))
				json_array_append_new(json_object_get(cur, "versions"),
						      json_pack("{s:I, s:s, s:s, s:s?, s:s?, s:s?, s:s}", "version_no",
								(json_int_t)kj_stmt_int(st, 5), "status", kj_stmt_text(st, 6),
								"edition", kj_stmt_text(st, 7), "approved_at", kj_stmt_text(st, 8),
								"in_force_from", kj_stmt_text(st, 9), "superseded_at",
								kj_stmt_text(st, 10), "created_at", kj_stmt_text(st, 11)));
		}
	}
	kj_stmt_free(st);
	if (r != KJ_OK) {
		json_decref(docs);
		return r;
	}
	*out = json_pack("{s:s, s:o}", "org", o.code, "documents", docs);
	return KJ_OK;
}

kj_err
kj_policy_get(struct kj_ctx *ctx, const char *org, const char *doc, int version_no, json_t **out)
{
	struct kj_stmt *st = NULL;
	struct doc_ref d;
	json_t *clauses = json_array(), *cur = NULL, *head = NULL;
	int64_t last = 0;
	int row;
	kj_err r;

	if ((r = find_doc(ctx, org, doc, &d)) != KJ_OK) {
		json_decref(clauses);
		return r;
	}
	r = kj_db_prepare(ctx, "SELECT v.version_no, v.status, e.code, c.id, c.number, c.title, c.text_ja, c.text_en, "
			       "m.item_number, m.status, m.justification FROM policy_version v "
			       "JOIN edition e ON e.id = v.edition_id LEFT JOIN policy_clause c ON c.version_id = v.id "
			       "LEFT JOIN clause_mapping m ON m.clause_id = c.id WHERE v.doc_id = ? AND v.version_no = ? "
			       "ORDER BY c.seq, m.id", &st);
	if (r == KJ_OK && (r = kj_stmt_bind_int(ctx, st, 1, d.id)) == KJ_OK && (r = kj_stmt_bind_int(ctx, st, 2, version_no)) == KJ_OK) {
		while ((r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row) {
			if (head == NULL)
				head = json_pack("{s:s, s:s, s:i, s:s, s:s}", "org", d.org.code, "document", doc, "version_no",
						 version_no, "status", kj_stmt_text(st, 1), "edition", kj_stmt_text(st, 2));
			if (kj_stmt_is_null(st, 3))
				continue;
			if (cur == NULL || last != kj_stmt_int(st, 3)) {
				last = kj_stmt_int(st, 3);
				cur = json_pack("{s:s, s:s?, s:s?, s:s?, s:[]}", "number", kj_stmt_text(st, 4), "title",
						kj_stmt_text(st, 5), "text_ja", kj_stmt_text(st, 6), "text_en",
						kj_stmt_text(st, 7), "mappings");
				json_array_append_new(clauses, cur);
			}
			if (!kj_stmt_is_null(st, 8))
				json_array_append_new(json_object_get(cur, "mappings"),
						      json_pack("{s:s, s:s, s:s?}", "requirement", kj_stmt_text(st, 8), "status",
								kj_stmt_text(st, 9), "justification", kj_stmt_text(st, 10)));
		}
	}
	kj_stmt_free(st);
	if (r == KJ_OK && head == NULL)
		r = kj_failf(ctx, KJ_ERR_NOT_FOUND, "%s/%s has no version %d", d.org.code, doc, version_no);
	if (r != KJ_OK) {
		json_decref(clauses);
		json_decref(head);
		return r;
	}
	json_object_set_new(head, "clauses", clauses);
	*out = head;
	return KJ_OK;
}

/* ---- The review -------------------------------------------------------------------------- */

struct review_ctx {
	struct kj_edition ed, newer;	/* the edition answered, and the newest after it */
	struct kj_diff diff;
	int have_newer;
	struct kj_strmap change;	/* requirement number of ed -> diff entry index */
};

static void
review_free(struct review_ctx *rc)
{
	kj_edition_free(&rc->ed);
	if (rc->have_newer) {
		kj_diff_free(&rc->diff);
		kj_edition_free(&rc->newer);
	}
	kj_strmap_free(&rc->change);
}

/* The newest edition that supersedes code, following the chain. */
static kj_err
newest_after(struct kj_ctx *ctx, const char *code, char *out, size_t size)
{
	struct kj_stmt *st = NULL;
	char cur[KJ_MAX_CODE_BYTES + 1];
	int row, hops;
	kj_err r = KJ_OK;

	out[0] = '\0';
	kj_strlcpy(cur, code, sizeof(cur));
	if ((r = kj_db_prepare(ctx, "SELECT code FROM edition WHERE supersedes = ? ORDER BY id DESC LIMIT 1", &st)) != KJ_OK)
		return r;
	for (hops = 0; hops < 64; hops++) {
		kj_stmt_reset(st);
		if ((r = kj_stmt_bind_text(ctx, st, 1, cur)) != KJ_OK || (r = kj_stmt_step(ctx, st, &row)) != KJ_OK || !row)
			break;
		kj_strlcpy(cur, kj_stmt_text(st, 0), sizeof(cur));
		kj_strlcpy(out, cur, size);
	}
	kj_stmt_free(st);
	return r;
}

static kj_err
review_prepare(struct kj_ctx *ctx, const char *edition, struct review_ctx *rc)
{
	char newer[KJ_MAX_CODE_BYTES + 1];
	size_t i, k;
	kj_err r;

	memset(rc, 0, sizeof(*rc));
	kj_edition_init(&rc->ed);
	kj_strmap_init(&rc->change);
	if ((r = kj_edition_load(ctx, edition, &rc->ed)) != KJ_OK)
		return r;
	if ((r = newest_after(ctx, rc->ed.code, newer, sizeof(newer))) != KJ_OK)
		return r;
	if (newer[0] == '\0')
		return KJ_OK;
	kj_edition_init(&rc->newer);
	rc->have_newer = 1;
	if ((r = kj_edition_load(ctx, newer, &rc->newer)) != KJ_OK)
		return r;
	/* Chained editions (A, B, C) are compared end to end with the tables of the last one
	 * when it supersedes A directly; otherwise by text similarity. */
	if ((r = kj_diff_editions(ctx, &rc->ed, &rc->newer, 1, &rc->diff)) != KJ_OK) {
		kj_edition_free(&rc->newer);
		rc->have_newer = 0;
		return r;
	}
	for (i = 0; i < rc->diff.n; i++) {
		const struct kj_diff_entry *e = &rc->diff.v[i];

		if (e->kind == KJ_CHANGE_SAME)
			continue;
		for (k = 0; k < e->nold; k++)
			kj_strmap_put(&rc->change, rc->ed.items[e->old[k]].number, (long)i);
	}
	return KJ_OK;
}

static int
applies(const struct kj_item *it, const char *org_kind)
{
	json_t *a, *kinds, *k;
	size_t i;
	int yes = 1;

	if (!kj_item_is_requirement(it->kind) || strcmp(it->kind, "subitem") == 0 || strcmp(it->kind, "measure") == 0)
		return 0;
	if (it->applies_to == NULL)
		return 1;
	a = json_loads(it->applies_to, 0, NULL);
	kinds = json_object_get(a, "org_kinds");
	if (json_is_array(kinds)) {
		yes = 0;
		json_array_foreach(kinds, i, k) {
			if (json_is_string(k) && strcmp(json_string_value(k), org_kind) == 0)
				yes = 1;
		}
	}
	json_decref(a);
	return yes;
}

struct review_counts {
	int64_t applicable, covered, gaps, stale, missing_reason;
};

/* Reviews one organisation against rc; detail (may be NULL) gets the lists. */
static kj_err
review_one(struct kj_ctx *ctx, const struct kj_org *o, struct review_ctx *rc, struct review_counts *cnt, json_t *detail)
{
	struct kj_stmt *st = NULL;
	struct kj_strmap mapped;
	json_t *gaps = NULL, *stale = NULL, *missing = NULL;
	char **keep = NULL;
	size_t nkeep = 0, i;
	int row;
	kj_err r;

	memset(cnt, 0, sizeof(*cnt));
	kj_strmap_init(&mapped);
	if (detail != NULL) {
		gaps = json_array();
		stale = json_array();
		missing = json_array();
	}
	r = kj_db_prepare(ctx, "SELECT m.item_number, m.status, m.justification, c.number, d.code FROM clause_mapping m "
			       "JOIN policy_clause c ON c.id = m.clause_id JOIN policy_version v ON v.id = c.version_id "
			       "JOIN policy_doc d ON d.id = v.doc_id WHERE d.org_id = ? AND v.status = 'in_force' "
			       "AND v.edition_id = ? ORDER BY d.code, c.seq", &st);
	if (r != KJ_OK)
		goto out;
	if ((r = kj_stmt_bind_int(ctx, st, 1, o->id)) != KJ_OK || (r = kj_stmt_bind_int(ctx, st, 2, rc->ed.id)) != KJ_OK)
		goto out;
	keep = calloc(rc->ed.nitems + 1, sizeof(char *));
	while ((r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row) {
		const char *num = kj_stmt_text(st, 0), *stt = kj_stmt_text(st, 1), *just = kj_stmt_text(st, 2);
		long ch;

		if (kj_strmap_get(&mapped, num) < 0 && keep != NULL && nkeep < rc->ed.nitems) {
			keep[nkeep] = strdup(num);
			if (keep[nkeep] != NULL)
				kj_strmap_put(&mapped, keep[nkeep++], 1);
		}
		if ((strcmp(stt, "alternative") == 0 || strcmp(stt, "not_applicable") == 0) && (just == NULL || *just == '\0')) {
			cnt->missing_reason++;
			if (missing != NULL)
				json_array_append_new(missing, json_pack("{s:s, s:s, s:s, s:s}", "document", kj_stmt_text(st, 4),
									 "clause", kj_stmt_text(st, 3), "requirement", num,
									 "status", stt));
		}
		if (rc->have_newer && (ch = kj_strmap_get(&rc->change, num)) >= 0) {
			const struct kj_diff_entry *e = &rc->diff.v[ch];

			cnt->stale++;
			if (stale != NULL) {
				json_t *nn = json_array();
				size_t k;

				for (k = 0; k < e->nnew; k++)
					json_array_append_new(nn, json_string(rc->newer.items[e->new_[k]].number));
				json_array_append_new(stale, json_pack("{s:s, s:s, s:s, s:o}", "document", kj_stmt_text(st, 4),
								       "requirement", num, "change", kj_change_name(e->kind),
								       "new", nn));
			}
		}
	}
	if (r != KJ_OK)
		goto out;
	for (i = 0; i < rc->ed.nitems; i++) {
		const struct kj_item *it = &rc->ed.items[i];

		if (!applies(it, o->kind))
			continue;
		cnt->applicable++;
		if (kj_strmap_get(&mapped, it->number) >= 0) {
			cnt->covered++;
			continue;
		}
		cnt->gaps++;
		if (gaps != NULL)
			json_array_append_new(gaps, json_pack("{s:s, s:s?, s:s?, s:s?}", "requirement", it->number, "role",
							      it->role, "text_ja", it->text_ja, "text_en", it->text_en));
	}
	if (detail != NULL) {
		json_object_set(detail, "gaps", gaps);
		json_object_set(detail, "stale", stale);
		json_object_set(detail, "missing_reason", missing);
	}
out:
	for (i = 0; i < nkeep; i++)
		free(keep[i]);
	free(keep);
	json_decref(gaps);
	json_decref(stale);
	json_decref(missing);
	kj_strmap_free(&mapped);
	kj_stmt_free(st);
	return r;
}

static json_t *
counts_json(const struct review_counts *c)
{
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:f}", "applicable", (json_int_t)c->applicable, "covered",
			 (json_int_t)c->covered, "gaps", (json_int_t)c->gaps, "stale", (json_int_t)c->stale,
			 "missing_reason", (json_int_t)c->missing_reason, "coverage",
			 c->applicable ? (double)c->covered / (double)c->applicable : 0.0);
}

/* The edition an organisation's policies in force answer (the newest effective). */
static kj_err
answered_edition(struct kj_ctx *ctx, int64_t org_id, char *out, size_t size)
{
	struct kj_stmt *st = NULL;
	int row;
	kj_err r;

	out[0] = '\0';
	r = kj_db_prepare(ctx, "SELECT e.code FROM policy_version v JOIN policy_doc d ON d.id = v.doc_id "
			       "JOIN edition e ON e.id = v.edition_id WHERE d.org_id = ? AND v.status = 'in_force' "
			       "ORDER BY COALESCE(e.effective_on, '') DESC LIMIT 1", &st);
	if (r == KJ_OK && (r = kj_stmt_bind_int(ctx, st, 1, org_id)) == KJ_OK && (r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row)
		kj_strlcpy(out, kj_stmt_text(st, 0), size);
	kj_stmt_free(st);
	return r;
}

kj_err
kj_policy_review(struct kj_ctx *ctx, const char *org, const char *edition, json_t **out)
{
	struct review_ctx rc;
	struct review_counts cnt;
	struct kj_org o;
	char code[KJ_MAX_CODE_BYTES + 1];
	json_t *j;
	kj_err r;

	if ((r = kj_org_get(ctx, org, &o)) != KJ_OK)
		return r;
	if (edition == NULL) {
		if ((r = answered_edition(ctx, o.id, code, sizeof(code))) != KJ_OK)
			return r;
		if (code[0] == '\0')
			return kj_failf(ctx, KJ_ERR_NOT_FOUND, "%s has no policy in force; name an edition to review against",
					o.code);
		edition = code;
	}
	if ((r = review_prepare(ctx, edition, &rc)) != KJ_OK) {
		review_free(&rc);
		return r;
	}
	j = json_pack("{s:s, s:s, s:s?}", "org", o.code, "edition", rc.ed.code, "newer_edition",
		      rc.have_newer ? rc.newer.code : NULL);
	if ((r = review_one(ctx, &o, &rc, &cnt, j)) == KJ_OK) {
		json_object_set_new(j, "counts", counts_json(&cnt));
		*out = j;
	} else {
		json_decref(j);
	}
	review_free(&rc);
	return r;
}

kj_err
kj_policy_review_all(struct kj_ctx *ctx, const char *edition, json_t **out)
{
	struct kj_org_list l;
	struct review_ctx rc;
	json_t *rows;
	size_t i;
	kj_err r;

	if ((r = review_prepare(ctx, edition, &rc)) != KJ_OK) {
		review_free(&rc);
		return r;
	}
	if ((r = kj_org_list(ctx, NULL, 0, &l)) != KJ_OK) {
		review_free(&rc);
		return r;
	}
	rows = json_array();
	for (i = 0; i < l.n && r == KJ_OK; i++) {
		struct review_counts cnt;
		json_t *row;

		/* Policies are kept by ministries, agencies and corporations. */
		if (strcmp(l.v[i].kind, "ministry") != 0 && strcmp(l.v[i].kind, "agency") != 0 &&
		    strcmp(l.v[i].kind, "corporation") != 0)
			continue;
		if ((r = review_one(ctx, &l.v[i], &rc, &cnt, NULL)) != KJ_OK)
			break;
		row = json_pack("{s:s, s:s, s:s, s:s}", "org", l.v[i].code, "kind", l.v[i].kind, "name_ja", l.v[i].name_ja,
				"name_en", l.v[i].name_en);
		{
			json_t *cj = counts_json(&cnt);

			json_object_update(row, cj);
			json_decref(cj);
		}
		json_array_append_new(rows, row);
	}
	if (r == KJ_OK)
		*out = json_pack("{s:s, s:s?, s:o}", "edition", rc.ed.code, "newer_edition",
				 rc.have_newer ? rc.newer.code : NULL, "organisations", rows);
	else
		json_decref(rows);
	kj_org_list_free(&l);
	review_free(&rc);
	return r;
}
