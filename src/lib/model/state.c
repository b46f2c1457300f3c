/*
 * state.c: the canonical state of covered entities, recorded by their writers and checked
 * against the live rows (state.h).
 *
 * One query per kind reads the row (or every row) and one function turns it into the state;
 * the writer and the verifier share both, so a state recorded by kijun always recomputes to
 * the same digest until the row changes. References to other rows are by uuid, which never
 * changes, so renaming an organisation does not change the state of its accounts. Reads
 * app_user, org, audit_engagement, audit_finding, checklist, campaign, campaign_item,
 * answer, rollup and audit_log; writes only through kj_auditlog_append.
 */
#include "state.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/buf.h"
#include "../base/strmap.h"
#include "../base/util.h"
#include "../db/db.h"
#include "access.h"
#include "auditlog.h"
#include "eval.h"

#define MAX_LISTED 1000		/* problems listed in a verdict; the rest are counted */

static const char *
nz(const char *s)
{
	return s ? s : "";
}

static json_t *
text_or_null(struct kj_stmt *st, int col)
{
	return kj_stmt_is_null(st, col) ? json_null() : json_string(nz(kj_stmt_text(st, col)));
}

/* An account: who it is, where, with which role, whether it may log in, and which password
 * hash it holds (a digest of it, so a hash swapped in the database shows). */
static json_t *
user_state(struct kj_stmt *st)
{
	json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:b}", "id", nz(kj_stmt_text(st, 0)), "name",
			      nz(kj_stmt_text(st, 2)), "display_name", nz(kj_stmt_text(st, 3)), "org",
			      nz(kj_stmt_text(st, 4)), "role", nz(kj_stmt_text(st, 5)), "disabled",
			      kj_stmt_int(st, 6) != 0);

	if (j != NULL) {
		char d[65];

		if (kj_stmt_is_null(st, 7)) {
			json_object_set_new(j, "password", json_null());
		} else {
			kj_auditlog_state_digest(nz(kj_stmt_text(st, 7)), d);
			json_object_set_new(j, "password", json_string(d));
		}
	}
	return j;
}

static json_t *
org_state(struct kj_stmt *st)
{
	json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "id", nz(kj_stmt_text(st, 0)), "kind",
			      nz(kj_stmt_text(st, 2)), "code", nz(kj_stmt_text(st, 3)), "name_ja",
			      nz(kj_stmt_text(st, 4)), "name_en", nz(kj_stmt_text(st, 5)), "valid_from",
			      nz(kj_stmt_text(st, 8)), "state_from", nz(kj_stmt_text(st, 10)));

	if (j != NULL) {
		json_object_set_new(j, "parent", text_or_null(st, 6));
		json_object_set_new(j, "supervisor", text_or_null(st, 7));
		json_object_set_new(j, "valid_to", text_or_null(st, 9));
		json_object_set_new(j, "successor", text_or_null(st, 11));
	}
	return j;
}

static json_t *
finding_state(struct kj_stmt *st)
{
	json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:b, s:s, s:s}", "id", nz(kj_stmt_text(st, 0)), "engagement",
			      nz(kj_stmt_text(st, 2)), "requirement", nz(kj_stmt_text(st, 3)), "category",
			      nz(kj_stmt_text(st, 4)), "urgent", kj_stmt_int(st, 6) != 0, "title",
			      nz(kj_stmt_text(st, 7)), "text", nz(kj_stmt_text(st, 8)));

	if (j != NULL)
		json_object_set_new(j, "severity", text_or_null(st, 5));
	return j;
}

/* Each query yields the public id (column 0), the organisation the record belongs to
 * (column 1), then what the state function reads. Bound twice with the public id, or
 * with NULL for every row. */
static const struct kind {
	const char *entity, *table, *sql;
	json_t *(*state)(struct kj_stmt *st);
} kinds[] = {
	[KJ_STATE_USER] = {"user", "app_user",
			   "SELECT u.uuid, u.org_id, u.name, u.display_name, o.uuid, u.role, u.disabled, u.password_hash "
			   "FROM app_user u JOIN org o ON o.id = u.org_id WHERE CAST(? AS TEXT) IS NULL OR u.uuid = ?",
			   user_state},
	[KJ_STATE_ORG] = {"org", "org",
			  "SELECT o.uuid, o.id, o.kind, o.code, o.name_ja, o.name_en, p.uuid, s.uuid, o.valid_from, "
			  "o.valid_to, o.state_from, x.uuid FROM org o LEFT JOIN org p ON p.id = o.parent_id "
			  "LEFT JOIN org s ON s.id = o.supervisor_id LEFT JOIN org x ON x.id = o.successor_id "
			  "WHERE CAST(? AS TEXT) IS NULL OR o.uuid = ?",
			  org_state},
	[KJ_STATE_FINDING] = {"audit_finding", "audit_finding",
			      "SELECT f.uuid, e.org_id, e.uuid, f.item_number, f.category, f.severity, f.urgent, f.title, "
			      "f.text FROM audit_finding f JOIN audit_engagement e ON e.id = f.engagement_id "
			      "WHERE CAST(? AS TEXT) IS NULL OR f.uuid = ?",
			      finding_state},
};

static char *
dump(json_t *j)
{
	char *s = j != NULL ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;

	json_decref(j);
	return s;
}

/* Calls fn with the public id, organisation and state (compact JSON, sorted keys) of the
 * row id, or of every row when id is NULL. fn returning non-zero stops the walk with r. */
static kj_err
rows_walk(struct kj_ctx *ctx, const struct kind *k, const char *id,
	  kj_err (*fn)(void *arg, const char *id, int64_t org_id, const char *state), void *arg, int *found)
{
	struct kj_stmt *st = NULL;
	int row;
	kj_err r;

	*found = 0;
	if ((r = kj_db_prepare(ctx, k->sql, &st)) != KJ_OK)
		return r;
	if ((r = kj_stmt_bind_text(ctx, st, 1, id)) != KJ_OK || (r = kj_stmt_bind_text(ctx, st, 2, id)) != KJ_OK)
		goto out;
	while ((r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row) {
		char *s = dump(k->state(st));

		if (s == NULL) {
			r = kj_failf(ctx, KJ_ERR_NOMEM, "out of memory");
			break;
		}
		(*found)++;
		r = fn(arg, nz(kj_stmt_text(st, 0)), kj_stmt_int(st, 1), s);
		free(s);
		if (r != KJ_OK)
			break;
	}
out:
	kj_stmt_free(st);
	return r;
}

/* ---- Answers: one state per checklist --------------------------------------------------- */

/*
 * A checklist's answers are many (a national campaign: millions, in one import), so their
 * state is plain text rather than JSON, built without a JSON library:
 *   answers of checklist UUID\n
 * then one line per answer, sorted bytewise (so the order owes nothing to a database's
 * collation): ITEM \t VALUE \t COMMENT \t EVIDENCE \n, each field with backslash, tab,
 * newline and carriage return escaped, and an absent comment or evidence written \N.
 */
struct sheet {
	char uuid[37];
	int64_t org_id;
	struct kj_buf lines;	/* the answer lines, unsorted */
	struct line {
		size_t off, len;
		const char *p;	/* set once every line is in */
	} *v;
	size_t n, cap;
	struct kj_buf out;
};

static void
put_field(struct kj_buf *b, const char *s, int nullable)
{
	if (s == NULL) {
		kj_buf_puts(b, nullable ? "\\N" : "");
		return;
	}
	for (; *s; s++) {
		switch (*s) {
		case '\\': kj_buf_puts(b, "\\\\"); break;
		case '\t': kj_buf_puts(b, "\\t"); break;
		case '\n': kj_buf_puts(b, "\\n"); break;
		case '\r': kj_buf_puts(b, "\\r"); break;
		default: kj_buf_putc(b, *s);
		}
	}
}

static int
sheet_add(struct sheet *sh, const char *item, const char *value, const char *comment, const char *evidence)
{
	size_t off = sh->lines.len;

	if (sh->n == sh->cap) {
		size_t cap = sh->cap ? sh->cap * 2 : 64;
		struct line *nv = realloc(sh->v, cap * sizeof(*nv));

		if (nv == NULL)
			return -1;
		sh->v = nv;
		sh->cap = cap;
	}
	put_field(&sh->lines, item, 0);
	kj_buf_putc(&sh->lines, '\t');
	put_field(&sh->lines, value, 0);
	kj_buf_putc(&sh->lines, '\t');
	put_field(&sh->lines, comment, 1);
	kj_buf_putc(&sh->lines, '\t');
	put_field(&sh->lines, evidence, 1);
	kj_buf_putc(&sh->lines, '\n');
	sh->v[sh->n].off = off;
	sh->v[sh->n++].len = sh->lines.len - off;
	return kj_buf_failed(&sh->lines) ? -1 : 0;
}

static int
cmp_line(const void *a, const void *b)
{
	const struct line *x = a, *y = b;
	int c = memcmp(x->p, y->p, x->len < y->len ? x->len : y->len);

	return c != 0 ? c : (x->len > y->len) - (x->len < y->len);
}

/* The state of the sheet's answers (owned by sh, valid until the next sheet), or NULL when
 * out of memory. Empties the sheet. */
static const char *
sheet_text(struct sheet *sh)
{
	const char *base = kj_buf_cstr(&sh->lines);
	size_t i;

	kj_buf_reset(&sh->out);
	kj_buf_printf(&sh->out, "answers of checklist %s\n", sh->uuid);
	for (i = 0; i < sh->n; i++)
		sh->v[i].p = base + sh->v[i].off;
	qsort(sh->v, sh->n, sizeof(*sh->v), cmp_line);
	for (i = 0; i < sh->n; i++)
		kj_buf_append(&sh->out, sh->v[i].p, sh->v[i].len);
	sh->n = 0;
	kj_buf_reset(&sh->lines);
	return kj_buf_failed(&sh->out) ? NULL : kj_buf_cstr(&sh->out);
}

static void
sheet_free(struct sheet *sh)
{
	kj_buf_free(&sh->lines);
	kj_buf_free(&sh->out);
	free(sh->v);
}

/* Binds the values of a where clause: b1 once, or b2 twice, or nothing. Returns the next
 * free position, or 0 on failure. */
static int
bind_where(struct kj_ctx *ctx, struct kj_stmt *st, const char *b1, int64_t b2)
{
	if (b1 != NULL)
		return kj_stmt_bind_text(ctx, st, 1, b1) == KJ_OK ? 2 : 0;
	if (b2 != 0)
		return kj_stmt_bind_int(ctx, st, 1, b2) == KJ_OK && kj_stmt_bind_int(ctx, st, 2, b2) == KJ_OK ? 3 : 0;
	return 1;
}

#define SHEET_CHUNK 2000	/* checklist ids per query: a sort that stays in memory */

/* Walks the answers matched by where (on k, the checklist; bound with b1 or b2, see
 * bind_where), one checklist at a time, calling fn with its uuid, organisation and state.
 * The rows are read by ranges of checklist ids: one query sorting millions of answers
 * would spill its sort to disk. */
static kj_err
sheets_walk(struct kj_ctx *ctx, const char *where, const char *b1, int64_t b2,
	    kj_err (*fn)(void *arg, const char *id, int64_t org_id, const char *state), void *arg)
{
	struct kj_stmt *st = NULL;
	struct sheet cur;
	char sql[640];
	int64_t cur_id = 0, lo = 0, hi = -1;
	int row, open = 0, at;
	kj_err r;

	memset(&cur, 0, sizeof(cur));
	kj_buf_init(&cur.lines, 0);
	kj_buf_init(&cur.out, 0);
	snprintf(sql, sizeof(sql), "SELECT MIN(k.id), MAX(k.id) FROM checklist k WHERE %s", where);
	if ((r = kj_db_prepare(ctx, sql, &st)) != KJ_OK)
		goto out;
	if (bind_where(ctx, st, b1, b2) == 0)
		r = ctx->err != KJ_OK ? ctx->err : KJ_ERR_INTERNAL;
	if (r == KJ_OK && (r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row && !kj_stmt_is_null(st, 0)) {
		lo = kj_stmt_int(st, 0);
		hi = kj_stmt_int(st, 1);
	}
	kj_stmt_free(st);
	st = NULL;
	snprintf(sql, sizeof(sql), "SELECT k.id, k.uuid, k.org_id, i.item_number, a.value, a.comment, a.evidence "
				   "FROM checklist k JOIN answer a ON a.checklist_id = k.id JOIN campaign_item i ON i.id = a.item_id "
				   "WHERE (%s) AND k.id BETWEEN ? AND ? ORDER BY k.id", where);
	if (r != KJ_OK || hi < lo || (r = kj_db_prepare(ctx, sql, &st)) != KJ_OK)
		goto out;
	for (; r == KJ_OK && lo <= hi; lo += SHEET_CHUNK) {
		kj_stmt_reset(st);
		if ((at = bind_where(ctx, st, b1, b2)) == 0 || kj_stmt_bind_int(ctx, st, at, lo) != KJ_OK ||
		    kj_stmt_bind_int(ctx, st, at + 1, lo + SHEET_CHUNK - 1) != KJ_OK) {
			r = ctx->err != KJ_OK ? ctx->err : KJ_ERR_INTERNAL;
			break;
		}
		while ((r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row) {
			if (open && kj_stmt_int(st, 0) != cur_id) {
				const char *text = sheet_text(&cur);

				open = 0;
				r = text != NULL ? fn(arg, cur.uuid, cur.org_id, text) : kj_failf(ctx, KJ_ERR_NOMEM, "out of memory");
				if (r != KJ_OK)
					break;
			}
			if (!open) {
				cur_id = kj_stmt_int(st, 0);
				kj_strlcpy(cur.uuid, nz(kj_stmt_text(st, 1)), sizeof(cur.uuid));
				cur.org_id = kj_stmt_int(st, 2);
				open = 1;
			}
			if (sheet_add(&cur, kj_stmt_text(st, 3), kj_stmt_text(st, 4),
				      kj_stmt_is_null(st, 5) ? NULL : kj_stmt_text(st, 5),
				      kj_stmt_is_null(st, 6) ? NULL : kj_stmt_text(st, 6)) != 0) {
				r = kj_failf(ctx, KJ_ERR_NOMEM, "out of memory");
				break;
			}
		}
	}
	if (r == KJ_OK && open) {
		const char *text = sheet_text(&cur);

		r = text != NULL ? fn(arg, cur.uuid, cur.org_id, text) : kj_failf(ctx, KJ_ERR_NOMEM, "out of memory");
	}
out:
	sheet_free(&cur);
	kj_stmt_free(st);
	return r;
}

/* The state of a checklist without answers. */
static void
empty_sheet_digest(const char *uuid, char out[65])
{
	char text[80];

	snprintf(text, sizeof(text), "answers of checklist %s\n", uuid);
	kj_auditlog_state_digest(text, out);
}

/* ---- Writers ---------------------------------------------------------------------------- */

struct log_arg {
	struct kj_ctx *ctx;
	const char *entity, *op, *item;
};

static kj_err
log_one(void *arg, const char *id, int64_t org_id, const char *state)
{
	struct log_arg *a = arg;
	char eid[160];

	if (a->item != NULL) {
		snprintf(eid, sizeof(eid), "%s/%s", id, a->item);
		id = eid;
	}
	return kj_auditlog_append(a->ctx, a->entity, id, org_id, a->op, state);
}

kj_err
kj_state_log(struct kj_ctx *ctx, enum kj_state_kind kind, const char *id, const char *op)
{
	struct log_arg a = {ctx, kinds[kind].entity, op, NULL};
	int found;
	kj_err r;

	if (id == NULL)
		return kj_failf(ctx, KJ_ERR_INTERNAL, "%s: no public id to record", kinds[kind].entity);
	if ((r = rows_walk(ctx, &kinds[kind], id, log_one, &a, &found)) == KJ_OK && found == 0)
		r = kj_failf(ctx, KJ_ERR_NOT_FOUND, "%s \"%.64s\" is gone", kinds[kind].entity, id);
	return r;
}

kj_err
kj_state_log_answers(struct kj_ctx *ctx, const char *checklist, const char *item, const char *op)
{
	struct log_arg a = {ctx, "answer", op, item};
	kj_err r;

	if (checklist == NULL)
		return kj_failf(ctx, KJ_ERR_INTERNAL, "answer: no checklist to record");
	r = sheets_walk(ctx, "k.uuid = ?", checklist, 0, log_one, &a);
	/* The record names an answer, not the checklist, so mark the evaluation's snapshots
	 * of the checklist's year stale here (eval.h). */
	if (r == KJ_OK)
		r = kj_eval_touch_id(ctx, "checklist", checklist);
	return r;
}

struct batch_arg {
	struct kj_ctx *ctx;
	struct kj_audit_batch *b;
	const char *op;
};

static kj_err
log_batched(void *arg, const char *id, int64_t org_id, const char *state)
{
	struct batch_arg *a = arg;

	return kj_auditlog_batch_add(a->ctx, a->b, "answer", id, org_id, a->op, state);
}

kj_err
kj_state_log_campaign_answers(struct kj_ctx *ctx, int64_t campaign_id, const char *op)
{
	struct batch_arg a = {ctx, NULL, op};
	kj_err r;

	/* A national import records hundreds of thousands of checklists: one statement for
	 * all, and the head written once. The import's own record marks the evaluation stale. */
	if ((r = kj_auditlog_batch_begin(ctx, &a.b)) != KJ_OK)
		return r;
	r = sheets_walk(ctx, "k.campaign_id = ? OR k.campaign_id IN (SELECT id FROM campaign WHERE mandate_id = ?)",
			NULL, campaign_id, log_batched, &a);
	return kj_auditlog_batch_end(ctx, a.b, r);
}

/* ---- Verification ----------------------------------------------------------------------- */

struct last_rec {
	char *key;		/* "entity\x1fid"; the map's key */
	int64_t seq;
	char digest[65], op[48];
	int seen;
};

struct verdict {
	struct kj_ctx *ctx;
	struct kj_strmap map;
	struct last_rec *v;
	size_t n, cap;
	json_t *problems;
	int64_t nproblems;
	const char *entity, *table;
	int64_t checked;
};

static void
add_problem(struct verdict *vd, const char *table, const char *id, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void
add_problem(struct verdict *vd, const char *table, const char *id, const char *fmt, ...)
{
	char why[400];
	va_list ap;

	if (vd->nproblems++ >= MAX_LISTED)
		return;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	json_array_append_new(vd->problems, json_pack("{s:s, s:s, s:s}", "table", table, "id", id, "why", why));
}

static kj_err
remember(struct verdict *vd, const char *entity, const char *id, int64_t seq, const char *digest, const char *op)
{
	struct kj_buf k;
	struct last_rec *r;
	long i;

	kj_buf_init(&k, 0);
	kj_buf_printf(&k, "%s\x1f%.*s", entity, (int)strcspn(id, "/"), id);
	if (kj_buf_failed(&k)) {
		kj_buf_free(&k);
		return kj_failf(vd->ctx, KJ_ERR_NOMEM, "out of memory");
	}
	if ((i = kj_strmap_get(&vd->map, kj_buf_cstr(&k))) >= 0) {
		kj_buf_free(&k);
		r = &vd->v[i];
	} else {
		if (vd->n == vd->cap) {
			size_t cap = vd->cap ? vd->cap * 2 : 1024;
			struct last_rec *nv = realloc(vd->v, cap * sizeof(*nv));

			if (nv == NULL) {
				kj_buf_free(&k);
				return kj_failf(vd->ctx, KJ_ERR_NOMEM, "out of memory");
			}
			vd->v = nv;
			vd->cap = cap;
		}
		r = &vd->v[vd->n];
		memset(r, 0, sizeof(*r));
		r->key = kj_buf_take(&k);
		if (r->key == NULL || kj_strmap_put(&vd->map, r->key, (long)vd->n) < 0) {
			free(r->key);
			return kj_failf(vd->ctx, KJ_ERR_NOMEM, "out of memory");
		}
		vd->n++;
	}
	r->seq = seq;
	kj_strlcpy(r->digest, digest, sizeof(r->digest));
	kj_strlcpy(r->op, op, sizeof(r->op));
	return KJ_OK;
}

/* The last record of every covered entity, from the log itself. */
static kj_err
load_last_records(struct verdict *vd)
{
	struct kj_stmt *st = NULL;
	int row;
	kj_err r;

	r = kj_db_prepare(vd->ctx, "SELECT entity, entity_id, seq, state_digest, op FROM audit_log "
				   "WHERE entity IN ('user', 'org', 'audit_finding', 'answer') ORDER BY seq", &st);
	while (r == KJ_OK && (r = kj_stmt_step(vd->ctx, st, &row)) == KJ_OK && row)
		r = remember(vd, nz(kj_stmt_text(st, 0)), nz(kj_stmt_text(st, 1)), kj_stmt_int(st, 2),
			     nz(kj_stmt_text(st, 3)), nz(kj_stmt_text(st, 4)));
	kj_stmt_free(st);
	return r;
}

static struct last_rec *
find_rec(struct verdict *vd, const char *entity, const char *id)
{
	char key[200];
	long i;

	snprintf(key, sizeof(key), "%s\x1f%s", entity, id);
	i = kj_strmap_get(&vd->map, key);
	return i >= 0 ? &vd->v[i] : NULL;
}

static kj_err
check_row(void *arg, const char *id, int64_t org_id, const char *state)
{
	struct verdict *vd = arg;
	struct last_rec *rec = find_rec(vd, vd->entity, id);
	char d[65];

	(void)org_id;
	vd->checked++;
	if (rec == NULL) {
		add_problem(vd, vd->table, id, "no audit record: the row was added behind kijun's back");
		return KJ_OK;
	}
	rec->seen = 1;
	kj_auditlog_state_digest(state, d);
	if (strcmp(d, rec->digest) != 0)
		add_problem(vd, vd->table, id, "differs from the state its last audit record (%" PRId64 ", %s) holds: "
					       "changed behind kijun's back", rec->seq, rec->op);
	return KJ_OK;
}

/* Records whose row is gone. The covered rows are never deleted by kijun; a checklist's
 * answers are gone only if its last state was "no answers". */
static void
check_gone(struct verdict *vd)
{
	size_t i;

	for (i = 0; i < vd->n; i++) {
		struct last_rec *rec = &vd->v[i];
		const char *sep = strchr(rec->key, '\x1f');
		char entity[32];
		const char *table;

		if (rec->seen || sep == NULL)
			continue;
		snprintf(entity, sizeof(entity), "%.*s", (int)(sep - rec->key), rec->key);
		if (strcmp(entity, "answer") == 0) {
			char d[65];

			empty_sheet_digest(sep + 1, d);
			if (strcmp(d, rec->digest) == 0)
				continue;
			table = "answer";
		} else {
			table = strcmp(entity, "user") == 0 ? "app_user" : entity;
		}
		add_problem(vd, table, sep + 1, "%s: its last audit record (%" PRId64 ", %s) says it exists: deleted "
						"behind kijun's back", strcmp(entity, "answer") == 0 ? "the checklist's answers are gone" : "the row is gone",
			    rec->seq, rec->op);
	}
}

/* Recounts the roll-up counters from the answers and names every counter that differs. */
static kj_err
check_rollup(struct verdict *vd)
{
	static const char *const names[] = {"n_done", "n_partial", "n_not_done", "n_excluded"};
	struct kj_stmt *st = NULL;
	int row;
	kj_err r;

	/* Both sides of a full outer join, spelled as a union both databases run: the stored
	 * counters, and the recount negated; the sums by key are the differences. */
	r = kj_db_prepare(vd->ctx,
			  "SELECT c.code, i.item_number, o.code, SUM(d.n0), SUM(d.n1), SUM(d.n2), SUM(d.n3) FROM ("
			  "SELECT campaign_id AS cid, item_id AS iid, org_id AS oid, n_done AS n0, n_partial AS n1, "
			  "n_not_done AS n2, n_excluded AS n3, 1 AS stored FROM rollup UNION ALL "
			  "SELECT k.campaign_id, a.item_id, k.org_id, "
			  "-SUM(CASE WHEN a.bucket = 'done' THEN 1 ELSE 0 END), -SUM(CASE WHEN a.bucket = 'partial' THEN 1 ELSE 0 END), "
			  "-SUM(CASE WHEN a.bucket = 'not_done' THEN 1 ELSE 0 END), -SUM(CASE WHEN a.bucket = 'excluded' THEN 1 ELSE 0 END), 0 "
			  "FROM answer a JOIN checklist k ON k.id = a.checklist_id GROUP BY k.campaign_id, a.item_id, k.org_id) d "
			  "LEFT JOIN campaign c ON c.id = d.cid LEFT JOIN campaign_item i ON i.id = d.iid LEFT JOIN org o ON o.id = d.oid "
			  "GROUP BY d.cid, d.iid, d.oid, c.code, i.item_number, o.code "
			  "HAVING SUM(d.n0) <> 0 OR SUM(d.n1) <> 0 OR SUM(d.n2) <> 0 OR SUM(d.n3) <> 0",
			  &st);
	while (r == KJ_OK && (r = kj_stmt_step(vd->ctx, st, &row)) == KJ_OK && row) {
		char id[300], why[300];
		size_t k, len = 0;

		snprintf(id, sizeof(id), "%s/%s/%s", nz(kj_stmt_text(st, 0)), nz(kj_stmt_text(st, 1)), nz(kj_stmt_text(st, 2)));
		why[0] = '\0';
		for (k = 0; k < 4; k++) {
			int64_t diff = kj_stmt_int(st, 3 + (int)k);

			if (diff != 0 && len < sizeof(why))
				len += (size_t)snprintf(why + len, sizeof(why) - len, "%s%s is %+" PRId64 " off the recount",
							len ? ", " : "", names[k], diff);
		}
		if (why[0] != '\0')
			add_problem(vd, "rollup", id, "%s (counters that do not add up to the answers)", why);
	}
	kj_stmt_free(st);
	return r;
}

static kj_err
count_rows(struct kj_ctx *ctx, const char *sql, int64_t *out)
{
	struct kj_stmt *st = NULL;
	int row;
	kj_err r;

	if ((r = kj_db_prepare(ctx, sql, &st)) == KJ_OK && (r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row)
		*out = kj_stmt_int(st, 0);
	kj_stmt_free(st);
	return r;
}

kj_err
kj_state_verify(struct kj_ctx *ctx, json_t **out)
{
	struct verdict vd;
	json_t *checked = json_object();
	int64_t nrollup = 0;
	size_t i;
	int found;
	kj_err r;

	*out = NULL;
	if (!kj_access_sees_all(ctx)) {
		json_decref(checked);
		return kj_failf(ctx, ctx->who.role == KJ_ROLE_NONE ? KJ_ERR_AUTH : KJ_ERR_DENIED, "not allowed");
	}
	memset(&vd, 0, sizeof(vd));
	vd.ctx = ctx;
	kj_strmap_init(&vd.map);
	vd.problems = json_array();
	/* One snapshot for the log and the rows, so a change committed meanwhile is either in
	 * both or in neither. */
	if ((r = kj_tx_begin_read(ctx)) != KJ_OK)
		goto out;
	r = load_last_records(&vd);
	for (i = 0; r == KJ_OK && i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		vd.entity = kinds[i].entity;
		vd.table = kinds[i].table;
		vd.checked = 0;
		r = rows_walk(ctx, &kinds[i], NULL, check_row, &vd, &found);
		json_object_set_new(checked, kinds[i].table, json_integer(vd.checked));
	}
	if (r == KJ_OK) {
		vd.entity = "answer";
		vd.table = "answer";
		vd.checked = 0;
		r = sheets_walk(ctx, "1 = 1", NULL, 0, check_row, &vd);
		json_object_set_new(checked, "checklist", json_integer(vd.checked));
	}
	if (r == KJ_OK) {
		int64_t n = 0;

		r = count_rows(ctx, "SELECT COUNT(*) FROM answer", &n);
		json_object_set_new(checked, "answer", json_integer(n));
	}
	if (r == KJ_OK)
		check_gone(&vd);
	if (r == KJ_OK && (r = check_rollup(&vd)) == KJ_OK)
		r = count_rows(ctx, "SELECT COUNT(*) FROM rollup", &nrollup);
	json_object_set_new(checked, "rollup", json_integer(nrollup));
	r = kj_tx_end(ctx, r);
	if (r == KJ_OK) {
		*out = json_pack("{s:b, s:O, s:O, s:I}", "ok", vd.nproblems == 0, "checked", checked, "problems", vd.problems,
				 "more", (json_int_t)(vd.nproblems > MAX_LISTED ? vd.nproblems - MAX_LISTED : 0));
		if (*out == NULL)
			r = kj_failf(ctx, KJ_ERR_NOMEM, "out of memory");
	}
out:
	json_decref(checked);
	json_decref(vd.problems);
	for (i = 0; i < vd.n; i++)
		free(vd.v[i].key);
	free(vd.v);
	kj_strmap_free(&vd.map);
	return r;
}
