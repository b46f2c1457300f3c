/*
 * answers_csv.c: self-inspection answers in and out as CSV (inspection.h).
 *
 * Import streams: the file is read in blocks through a reader, every row is checked (the
 * checklist belongs to the campaign, or to a campaign it mandated, and is open; the item is
 * on it; the value is on the scale; the importer may manage the unit), good rows go
 * straight into answer through the bulk upsert of the db layer, and at the end one
 * statement recounts the campaign's roll-ups. Any bad row makes the whole import fail with
 * a report of every bad row and column; nothing stays (one transaction).
 */
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
#include "../model/access.h"
#include "../model/auditlog.h"
#include "../model/inspection.h"
#include "../model/state.h"

#define FIELD_MAX 8192		/* the longest field: a comment of KJ_MAX_COMMENT_BYTES and room */
#define MAX_REPORT 1000

/* ---- A streaming CSV reader (RFC 4180: quotes, doubled quotes, CRLF or LF) ------------ */

struct csv {
	kj_reader read;
	void *arg;
	char buf[65536];
	size_t len, pos;
	int eof, failed;
	int64_t line;		/* line where the current record started */
	int64_t cur_line;
	size_t total;		/* bytes read */
	crypto_generichash_state digest;
};

static int
csv_getc(struct csv *c)
{
	if (c->pos == c->len) {
		long n;

		if (c->eof)
			return -1;
		n = c->read(c->arg, c->buf, sizeof(c->buf));
		if (n < 0) {
			c->failed = 1;
			c->eof = 1;
			return -1;
		}
		if (n == 0) {
			c->eof = 1;
			return -1;
		}
		crypto_generichash_update(&c->digest, (const unsigned char *)c->buf, (size_t)n);
		c->len = (size_t)n;
		c->pos = 0;
		c->total += (size_t)n;
	}
	return (unsigned char)c->buf[c->pos++];
}

static void
csv_ungetc(struct csv *c)
{
	c->pos--;
}

/* Reads one record into fields (each NUL-terminated in bufs[i], at most nf). Returns the
 * number of fields, 0 at the end of the file, -1 for a field too long or a stray quote
 * (with *why set). */
static int
csv_record(struct csv *c, char bufs[][FIELD_MAX + 1], int nf, int *nfields_total, const char **why)
{
	int f = 0, ch, quoted, started = 0;
	size_t n;

	*nfields_total = 0;
	c->line = c->cur_line;
	for (;;) {
		n = 0;
		quoted = 0;
		ch = csv_getc(c);
		if (ch < 0 && !started)
			return 0;
		started = 1;
		if (ch == '"') {
			quoted = 1;
			for (;;) {
				ch = csv_getc(c);
				if (ch < 0) {
					*why = "a quoted field is not closed";
					return -1;
				}
				if (ch == '"') {
					ch = csv_getc(c);
					if (ch != '"') {
						break;	/* the closing quote */
					}
				}
				if (ch == '\n')
					c->cur_line++;
				if (n >= FIELD_MAX) {
					*why = "a field is longer than 8192 bytes";
					return -1;
				}
				if (f < nf)
					bufs[f][n] = (char)ch;
				n++;
			}
		} else {
			while (ch >= 0 && ch != ',' && ch != '\n' && ch != '\r') {
				if (ch == '"') {
					*why = "a quote inside an unquoted field";
					return -1;
				}
				if (n >= FIELD_MAX) {
					*why = "a field is longer than 8192 bytes";
					return -1;
				}
				if (f < nf)
					bufs[f][n] = (char)ch;
				n++;
				ch = csv_getc(c);
			}
		}
		(void)quoted;
		if (f < nf)
			bufs[f][n] = '\0';
		f++;
		if (ch == ',')
			continue;
		if (ch == '\r') {
			ch = csv_getc(c);
			if (ch != '\n' && ch >= 0)
				csv_ungetc(c);
		}
		if (ch == '\n' || ch == '\r' || ch < 0) {
			c->cur_line++;
			break;
		}
		*why = "text after a closing quote";
		return -1;
	}
	*nfields_total = f;
	return f < nf ? f : nf;
}

/* ---- Import ---------------------------------------------------------------------------- */

struct cl_ref {
	int64_t id, org_id, campaign_id;
	char role[20];
	int open;
	unsigned char *seen;	/* one bit per campaign item: answered in this file */
};

struct it_ref {
	int64_t id;
	long seq;		/* position in its campaign: the same in every mandated copy */
	char role[20];		/* "" for every role */
};

struct report {
	json_t *rows;
	size_t n;
};

static void
report_add(struct report *rp, int64_t line, const char *column, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void
report_add(struct report *rp, int64_t line, const char *column, const char *fmt, ...)
{
	char msg[300];
	va_list ap;

	rp->n++;
	if (json_array_size(rp->rows) >= MAX_REPORT)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	kj_utf8_repair(msg);
	json_array_append_new(rp->rows, json_pack("{s:I, s:s, s:s}", "row", (json_int_t)line, "column", column, "message", msg));
}

/* The scale read once: values and the buckets they count in. */
struct scale_map {
	const char *value[16];
	const char *bucket[16];
	int n;
};

static void
scale_map_init(struct scale_map *m, json_t *scale);

static const char *
scale_lookup(const struct scale_map *m, const char *value)
{
	int i;

	for (i = 0; i < m->n; i++) {
		if (strcmp(m->value[i], value) == 0)
			return m->bucket[i];
	}
	return NULL;
}

static const char *
bucket_for(json_t *scale, const char *value)
{
	static const char *const buckets[] = {"done", "partial", "not_done", "excluded", NULL};
	json_t *e;
	size_t i;

	json_array_foreach(scale, i, e) {
		const char *v = json_string_value(json_object_get(e, "value"));
		const char *cnt = json_string_value(json_object_get(e, "counts"));
		int k;

		if (v == NULL || strcmp(v, value) != 0 || cnt == NULL)
			continue;
		for (k = 0; buckets[k] != NULL; k++) {
			if (strcmp(buckets[k], cnt) == 0)
				return buckets[k];
		}
	}
	return NULL;
}

static void
scale_map_init(struct scale_map *m, json_t *scale)
{
	json_t *e;
	size_t i;

	m->n = 0;
	json_array_foreach(scale, i, e) {
		const char *v = json_string_value(json_object_get(e, "value"));
		const char *b = v ? bucket_for(scale, v) : NULL;

		if (v != NULL && b != NULL && m->n < 16) {
			m->value[m->n] = v;
			m->bucket[m->n] = b;
			m->n++;
		}
	}
}

kj_err
kj_answers_import_csv(struct kj_ctx *ctx, const char *campaign, const char *name, kj_reader read, void *arg,
		      size_t *nrows_out, json_t **report_out)
{
	static const char *const cols[] = {"checklist_id", "item_id", "value", "bucket", "comment", "answered_at"};
	char (*f)[FIELD_MAX + 1] = NULL;	/* four fields of a record */
	struct csv *c = NULL;
	struct kj_stmt *st = NULL;
	struct kj_bulk *bulk = NULL;
	struct kj_strmap clmap, itmap, allowed;
	size_t ndenied = 0;
	struct cl_ref *cls = NULL;
	struct it_ref *its = NULL;
	struct report rp = {0};
	char **clkeys = NULL, **itkeys = NULL, **orgkeys = NULL;
	size_t ncl = 0, nit = 0, norgk = 0, capcl = 0, i, nrows = 0;
	long maxseq = 0;
	int64_t cid = 0;
	char now[21], cstatus[8] = "", digest_hex[65];
	unsigned char digest[32];
	json_t *scale = NULL;
	struct scale_map smap = {.n = 0};
	int row, nf, total, header = 1, has_comment = 0, in_tx = 0;
	const char *why;
	kj_err r;

	kj_strmap_init(&clmap);
	kj_strmap_init(&itmap);
	kj_strmap_init(&allowed);
	rp.rows = json_array();
	if (report_out != NULL)
		*report_out = NULL;
	if (ctx->who.read_only) {
		r = kj_failf(ctx, KJ_ERR_DENIED, "not allowed with a read-only token");
		goto out;
	}

	/* The campaign, its scale, items and checklists. */
	r = kj_db_prepare(ctx, "SELECT id, status, scale, org_id FROM campaign WHERE code = ?", &st);
	if (r == KJ_OK && (r = kj_stmt_bind_text(ctx, st, 1, campaign)) == KJ_OK && (r = kj_stmt_step(ctx, st, &row)) == KJ_OK) {
		if (!row || !kj_campaign_visible(ctx, kj_stmt_int(st, 3))) {
			r = kj_failf(ctx, KJ_ERR_NOT_FOUND, "no campaign \"%.64s\"", campaign);
		} else {
			cid = kj_stmt_int(st, 0);
			kj_strlcpy(cstatus, kj_stmt_text(st, 1), sizeof(cstatus));
			scale = json_loads(kj_stmt_text(st, 2), 0, NULL);
		}
	}
	kj_stmt_free(st);
	st = NULL;
	if (r != KJ_OK)
		goto out;
	/* Seen, but not for everyone to fill in: a campaign out of scope was "not found"
	 * above; here only officers go on. */
	if (ctx->who.role != KJ_ROLE_LOCAL_ADMIN && ctx->who.role != KJ_ROLE_CENTRE_ADMIN &&
	    ctx->who.role != KJ_ROLE_ORG_ADMIN && ctx->who.role != KJ_ROLE_UNIT_OFFICER) {
		r = kj_failf(ctx, KJ_ERR_DENIED, "not allowed: answers are imported by officers");
		goto out;
	}
	if (strcmp(cstatus, "open") != 0) {
		r = kj_failf(ctx, KJ_ERR_INVALID, "campaign %s is %s; answers are taken while it is open", campaign, cstatus);
		goto out;
	}
	/* A mandated campaign takes the answers of all its children: items are keyed by
	 * campaign and number. */
	r = kj_db_prepare(ctx, "SELECT id, campaign_id, item_number, role, seq FROM campaign_item WHERE campaign_id = ? OR "
			       "campaign_id IN (SELECT id FROM campaign WHERE mandate_id = ?) ORDER BY campaign_id, seq", &st);
	if (r == KJ_OK && (r = kj_stmt_bind_int(ctx, st, 1, cid)) == KJ_OK && (r = kj_stmt_bind_int(ctx, st, 2, cid)) == KJ_OK) {
		size_t cap = 0;

		while ((r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row) {
			if (nit == cap) {
				cap = cap ? cap * 2 : 64;
				its = realloc(its, cap * sizeof(*its));
				itkeys = realloc(itkeys, cap * sizeof(*itkeys));
				if (its == NULL || itkeys == NULL) {
					r = kj_failf(ctx, KJ_ERR_NOMEM, "out of memory");
					break;
				}
			}
			its[nit].id = kj_stmt_int(st, 0);
			its[nit].seq = (long)kj_stmt_int(st, 4) - 1;
			kj_strlcpy(its[nit].role, kj_stmt_text(st, 3) ? kj_stmt_text(st, 3) : "", sizeof(its[nit].role));
			if (its[nit].seq + 1 > maxseq)
				maxseq = its[nit].seq + 1;
			{
				char key[160];

				snprintf(key, sizeof(key), "%" PRId64 ":%s", kj_stmt_int(st, 1), kj_stmt_text(st, 2));
				itkeys[nit] = strdup(key);
			}
			if (itkeys[nit] == NULL || kj_strmap_put(&itmap, itkeys[nit], (long)nit) < 0) {
				r = kj_failf(ctx, KJ_ERR_NOMEM, "out of memory");
				break;
			}
			nit++;
		}
	}
	kj_stmt_free(st);
	st = NULL;
	if (r != KJ_OK)
		goto out;
	r = kj_db_prepare(ctx, "SELECT id, uuid, org_id, role, status, campaign_id FROM checklist WHERE campaign_id = ? OR "
			       "campaign_id IN (SELECT id FROM campaign WHERE mandate_id = ?)", &st);
	if (r == KJ_OK && (r = kj_stmt_bind_int(ctx, st, 1, cid)) == KJ_OK && (r = kj_stmt_bind_int(ctx, st, 2, cid)) == KJ_OK) {
		while ((r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row) {
			if (ncl == capcl) {
				capcl = capcl ? capcl * 2 : 1024;
				cls = realloc(cls, capcl * sizeof(*cls));
				clkeys = realloc(clkeys, capcl * sizeof(*clkeys));
				if (cls == NULL || clkeys == NULL) {
					r = kj_failf(ctx, KJ_ERR_NOMEM, "out of memory");
					break;
				}
			}
			cls[ncl].id = kj_stmt_int(st, 0);
			cls[ncl].org_id = kj_stmt_int(st, 2);
			kj_strlcpy(cls[ncl].role, kj_stmt_text(st, 3), sizeof(cls[ncl].role));
			cls[ncl].open = strcmp(kj_stmt_text(st, 4), "open") == 0;
			cls[ncl].campaign_id = kj_stmt_int(st, 5);
			cls[ncl].seen = NULL;
			clkeys[ncl] = strdup(kj_stmt_text(st, 1));
			if (clkeys[ncl] == NULL || kj_strmap_put(&clmap, clkeys[ncl], (long)ncl) < 0) {
				r = kj_failf(ctx, KJ_ERR_NOMEM, "out of memory");
				break;
			}
			ncl++;
		}
	}
	kj_stmt_free(st);
	st = NULL;
	if (r != KJ_OK)
		goto out;

	/* Who may answer for which unit is settled before the load starts: on PostgreSQL
	 * no other statement can run while COPY is open. */
	for (i = 0; i < ncl; i++) {
		char key[24];
		char *k;
		int ok;

		snprintf(key, sizeof(key), "%" PRId64, cls[i].org_id);
		if (kj_strmap_get(&allowed, key) >= 0)
			continue;
		ok = kj_access_require(ctx, KJ_PERM_INSPECTION_MANAGE, cls[i].org_id) == KJ_OK;
		if ((k = strdup(key)) == NULL || kj_strmap_put(&allowed, k, ok) < 0 ||
		    (orgkeys = realloc(orgkeys, (norgk + 1) * sizeof(*orgkeys))) == NULL) {
			free(k);
			r = kj_failf(ctx, KJ_ERR_NOMEM, "out of memory");
			goto out;
		}
		orgkeys[norgk++] = k;
	}
	kj_ctx_clear(ctx);

	c = calloc(1, sizeof(*c));
	f = malloc(4 * sizeof(*f));
	if (c == NULL || f == NULL) {
		r = kj_failf(ctx, KJ_ERR_NOMEM, "out of memory");
		goto out;
	}
	scale_map_init(&smap, scale);
	c->read = read;
	c->arg = arg;
	c->cur_line = 1;
	crypto_generichash_init(&c->digest, NULL, 0, sizeof(digest));
	kj_time_format(kj_now(ctx), now);
	if ((r = kj_tx_begin(ctx)) != KJ_OK)
		goto out;
	in_tx = 1;
	/* Later answers replace earlier ones: an upsert keyed by checklist and item. */
	if ((r = kj_bulk_begin_upsert(ctx, "answer", cols, 6, 2, &bulk)) != KJ_OK) {
		bulk = NULL;
		goto out;
	}
	while ((nf = csv_record(c, f, 4, &total, &why)) != 0) {
		const char *value, *bucket, *comment;
		long ci, ii;
		struct cl_ref *cl;

		if (nf < 0) {
			report_add(&rp, c->line, "-", "%s", why);
			break;	/* the reader cannot find the next record reliably */
		}
		if (c->total > KJ_MAX_ANSWERS_CSV_BYTES) {
			r = kj_failf(ctx, KJ_ERR_TOO_LARGE, "%s: more than %u bytes; split the file", name, KJ_MAX_ANSWERS_CSV_BYTES);
			goto out;
		}
		if (header) {
			header = 0;
			/* A byte-order mark from a spreadsheet is fine. */
			if ((unsigned char)f[0][0] == 0xef && (unsigned char)f[0][1] == 0xbb && (unsigned char)f[0][2] == 0xbf)
				memmove(f[0], f[0] + 3, strlen(f[0] + 3) + 1);
			if (total < 3 || total > 4 || strcmp(f[0], "checklist") != 0 || strcmp(f[1], "item") != 0 ||
			    strcmp(f[2], "value") != 0 || (total == 4 && strcmp(f[3], "comment") != 0)) {
				report_add(&rp, c->line, "-", "the header must be checklist,item,value[,comment]");
				break;
			}
			has_comment = total == 4;
			continue;
		}
		nrows++;
		if (total == 1 && f[0][0] == '\0')
			continue;	/* an empty line */
		if (total != (has_comment ? 4 : 3)) {
			report_add(&rp, c->line, "-", "%d fields, expected %d", total, has_comment ? 4 : 3);
			continue;
		}
		for (i = 0; i < (size_t)total; i++) {
			if (!kj_utf8_valid(f[i], strlen(f[i]))) {
				report_add(&rp, c->line, i == 0 ? "checklist" : i == 1 ? "item" : i == 2 ? "value" : "comment",
					   "not UTF-8 (save the file as UTF-8, not Shift_JIS)");
				goto next;
			}
		}
		if ((ci = kj_strmap_get(&clmap, f[0])) < 0) {
			report_add(&rp, c->line, "checklist", "no checklist \"%.40s\" in campaign %s", f[0], campaign);
			continue;
		}
		cl = &cls[ci];
		{
			char key[160];

			snprintf(key, sizeof(key), "%" PRId64 ":%.100s", cl->campaign_id, f[1]);
			ii = kj_strmap_get(&itmap, key);
		}
		if (ii < 0) {
			report_add(&rp, c->line, "item", "\"%.64s\" is not an item of campaign %s", f[1], campaign);
			continue;
		}
		if (its[ii].role[0] != '\0' && strcmp(its[ii].role, cl->role) != 0) {
			report_add(&rp, c->line, "item", "\"%.64s\" is for the %s's checklist, not the %s's", f[1], its[ii].role,
				   cl->role);
			continue;
		}
		value = f[2];
		if ((bucket = scale_lookup(&smap, value)) == NULL) {
			report_add(&rp, c->line, "value", "\"%.40s\" is not on the campaign's scale", value);
			continue;
		}
		comment = has_comment && f[3][0] ? f[3] : NULL;
		if (comment != NULL && strlen(comment) > KJ_MAX_COMMENT_BYTES) {
			report_add(&rp, c->line, "comment", "longer than %d bytes", KJ_MAX_COMMENT_BYTES);
			continue;
		}
		if (!cl->open) {
			report_add(&rp, c->line, "checklist", "the checklist is submitted and locked");
			continue;
		}
		{
			char key[24];

			snprintf(key, sizeof(key), "%" PRId64, cl->org_id);
			if (kj_strmap_get(&allowed, key) != 1) {
				report_add(&rp, c->line, "checklist", "not allowed to answer for this checklist's unit");
				ndenied++;
				continue;
			}
		}
		if (cl->seen == NULL && (cl->seen = calloc((size_t)maxseq / 8 + 1, 1)) == NULL) {
			r = kj_failf(ctx, KJ_ERR_NOMEM, "out of memory");
			goto out;
		}
		{
			long bit = its[ii].seq;

			if (cl->seen[bit / 8] & (1u << (bit % 8))) {
				report_add(&rp, c->line, "item", "answers the same checklist and item as an earlier row");
				continue;
			}
			cl->seen[bit / 8] |= (unsigned char)(1u << (bit % 8));
		}
		if (rp.n == 0) {
			char cid_s[24], iid_s[24];
			const char *vals[6];

			snprintf(cid_s, sizeof(cid_s), "%" PRId64, cl->id);
			snprintf(iid_s, sizeof(iid_s), "%" PRId64, its[ii].id);
			vals[0] = cid_s;
			vals[1] = iid_s;
			vals[2] = value;
			vals[3] = bucket;
			vals[4] = comment;
			vals[5] = now;
			if ((r = kj_bulk_row(ctx, bulk, vals)) != KJ_OK)
				goto out;
		}
		if (ctx->progress != NULL && nrows % 100000 == 0)
			ctx->progress(ctx->progress_arg, "answers", nrows, 0);
next:;
	}
	if (c->failed) {
		r = kj_failf(ctx, KJ_ERR_IO, "%s: read error", name);
		goto out;
	}
	if (header)
		report_add(&rp, 1, "-", "the file is empty (expected the header checklist,item,value[,comment])");
	if (rp.n > 0) {
		/* A row for a unit the importer may not manage refuses the whole file: the
		 * request is not allowed, whatever else is wrong with it. */
		r = kj_failf(ctx, ndenied > 0 ? KJ_ERR_DENIED : KJ_ERR_INVALID, "%s: %zu bad row(s); nothing was imported (first: row %" PRId64 ", %s: %s)", name,
			     rp.n, (int64_t)json_integer_value(json_object_get(json_array_get(rp.rows, 0), "row")),
			     json_string_value(json_object_get(json_array_get(rp.rows, 0), "column")),
			     json_string_value(json_object_get(json_array_get(rp.rows, 0), "message")));
		goto out;
	}
	r = kj_bulk_end(ctx, bulk, KJ_OK);
	bulk = NULL;
	if (r != KJ_OK)
		goto out;
	/* Recount the campaign's roll-ups once, from the answers. */
	if ((r = kj_db_prepare(ctx, "DELETE FROM rollup WHERE campaign_id = ? OR campaign_id IN "
				    "(SELECT id FROM campaign WHERE mandate_id = ?)", &st)) != KJ_OK ||
	    (r = kj_stmt_bind_int(ctx, st, 1, cid)) != KJ_OK || (r = kj_stmt_bind_int(ctx, st, 2, cid)) != KJ_OK ||
	    (r = kj_stmt_run(ctx, st)) != KJ_OK)
		goto out;
	kj_stmt_free(st);
	st = NULL;
	if ((r = kj_db_prepare(ctx, "INSERT INTO rollup (campaign_id, item_id, org_id, n_done, n_partial, n_not_done, n_excluded) "
				    "SELECT k.campaign_id, a.item_id, k.org_id, "
				    "SUM(CASE WHEN a.bucket = 'done' THEN 1 ELSE 0 END), "
				    "SUM(CASE WHEN a.bucket = 'partial' THEN 1 ELSE 0 END), "
				    "SUM(CASE WHEN a.bucket = 'not_done' THEN 1 ELSE 0 END), "
				    "SUM(CASE WHEN a.bucket = 'excluded' THEN 1 ELSE 0 END) "
				    "FROM answer a JOIN checklist k ON k.id = a.checklist_id WHERE k.campaign_id = ? OR "
				    "k.campaign_id IN (SELECT id FROM campaign WHERE mandate_id = ?) "
				    "GROUP BY k.campaign_id, a.item_id, k.org_id", &st)) != KJ_OK ||
	    (r = kj_stmt_bind_int(ctx, st, 1, cid)) != KJ_OK || (r = kj_stmt_bind_int(ctx, st, 2, cid)) != KJ_OK ||
	    (r = kj_stmt_run(ctx, st)) != KJ_OK)
		goto out;
	crypto_generichash_final(&c->digest, digest, sizeof(digest));
	sodium_bin2hex(digest_hex, sizeof(digest_hex), digest, sizeof(digest));
	{
		char state[256];

		snprintf(state, sizeof(state), "{\"campaign\":\"%s\",\"rows\":%zu,\"file_digest\":\"%s\"}", campaign, nrows,
			 digest_hex);
		r = kj_auditlog_append(ctx, "campaign", campaign, 0, "answers.import", state);
	}
	/* And the state of every checklist's answers, which kijun audit verify --state checks. */
	if (r == KJ_OK)
		r = kj_state_log_campaign_answers(ctx, cid, "answers.import");
out:
	if (bulk != NULL)
		kj_bulk_end(ctx, bulk, r != KJ_OK ? r : KJ_ERR_INVALID);
	kj_stmt_free(st);
	if (in_tx)
		r = kj_tx_end(ctx, r);
	if (r == KJ_OK && nrows_out != NULL)
		*nrows_out = nrows;
	if (r != KJ_OK && report_out != NULL && rp.n > 0) {
		*report_out = json_pack("{s:I, s:O}", "bad_rows", (json_int_t)rp.n, "rows", rp.rows);
	}
	for (i = 0; i < ncl; i++) {
		free(clkeys[i]);
		free(cls[i].seen);
	}
	for (i = 0; i < nit; i++)
		free(itkeys[i]);
	for (i = 0; i < norgk; i++)
		free(orgkeys[i]);
	free(orgkeys);
	free(clkeys);
	free(itkeys);
	free(cls);
	free(its);
	free(c);
	free(f);
	json_decref(rp.rows);
	json_decref(scale);
	kj_strmap_free(&clmap);
	kj_strmap_free(&itmap);
	kj_strmap_free(&allowed);
	return r;
}

/* ---- Export ---------------------------------------------------------------------------- */

/* 1 when a spreadsheet could take the cell s for a formula: it begins with = + - @, or
 * with their full-width forms (U+FF1D, U+FF0B, U+FF0D, U+FF20, which spreadsheets in
 * Japanese locales may read as the ASCII ones), after any spaces (an import that trims
 * them leaves the formula); or it begins with TAB or CR, which some imports drop before
 * looking. A leading space alone is harmless and left as it is. */
static int
formula_like(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	if (*p == '\t' || *p == '\r')
		return 1;
	while (*p == ' ')
		p++;
	if (*p == '=' || *p == '+' || *p == '-' || *p == '@')
		return 1;
	return p[0] == 0xef && p[1] == 0xbc && (p[2] == 0x9d || p[2] == 0x8b || p[2] == 0x8d || p[2] == 0xa0);
}

static void
csv_field(struct kj_buf *b, const char *s, int last)
{
	const char *p;
	int formula;

	if (s == NULL)
		s = "";
	formula = formula_like(s);
	if (strpbrk(s, ",\"\r\n") != NULL || formula) {
		/* Quoted; and a cell that could be read as a formula is defused with a leading
		 * quote mark, so a spreadsheet shows the text instead of running it. */
		kj_buf_putc(b, '"');
		if (formula)
			kj_buf_putc(b, '\'');
		for (p = s; *p; p++) {
			if (*p == '"')
				kj_buf_putc(b, '"');
			kj_buf_putc(b, *p);
		}
		kj_buf_putc(b, '"');
	} else {
		kj_buf_puts(b, s);
	}
	kj_buf_putc(b, last ? '\n' : ',');
}

kj_err
kj_answers_export_csv(struct kj_ctx *ctx, const char *campaign, kj_writer write, void *arg)
{
	struct kj_stmt *st = NULL;
	struct kj_buf b;
	int64_t cid = 0, org_id = 0;
	int row;
	kj_err r;

	r = kj_db_prepare(ctx, "SELECT id, org_id FROM campaign WHERE code = ?", &st);
	if (r == KJ_OK && (r = kj_stmt_bind_text(ctx, st, 1, campaign)) == KJ_OK && (r = kj_stmt_step(ctx, st, &row)) == KJ_OK) {
		if (row) {
			cid = kj_stmt_int(st, 0);
			org_id = kj_stmt_int(st, 1);
		} else {
			r = kj_failf(ctx, KJ_ERR_NOT_FOUND, "no campaign \"%.64s\"", campaign);
		}
	}
	kj_stmt_free(st);
	st = NULL;
	/* As for the results: staff who take part are refused, anyone else reads the
	 * campaigns of the organisations in scope. */
	if (r == KJ_OK && !kj_campaign_visible(ctx, org_id))
		r = kj_failf(ctx, KJ_ERR_NOT_FOUND, "no campaign \"%.64s\"", campaign);
	if (r == KJ_OK && ctx->who.role == KJ_ROLE_STAFF)
		r = kj_failf(ctx, KJ_ERR_DENIED, "not allowed: staff see their own checklists");
	if (r == KJ_OK && kj_access_require(ctx, KJ_PERM_INSPECTION_READ, org_id) != KJ_OK)
		r = kj_failf(ctx, KJ_ERR_NOT_FOUND, "no campaign \"%.64s\"", campaign);
	if (r != KJ_OK)
		return r;
	kj_buf_init(&b, 0);
	kj_buf_puts(&b, "checklist,item,value,comment,unit,role,user,answered_at\n");
	r = kj_db_prepare(ctx, "SELECT k.uuid, i.item_number, a.value, a.comment, o.code, k.role, u.name, a.answered_at, k.org_id "
			       "FROM answer a JOIN checklist k ON k.id = a.checklist_id JOIN campaign_item i ON i.id = a.item_id "
			       "JOIN org o ON o.id = k.org_id JOIN app_user u ON u.id = k.user_id WHERE k.campaign_id = ? "
			       "ORDER BY o.code, u.name, i.seq", &st);
	if (r == KJ_OK && (r = kj_stmt_bind_int(ctx, st, 1, cid)) == KJ_OK) {
		while ((r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row) {
			int c;

			if (!kj_access_org_visible(ctx, kj_stmt_int(st, 8)))
				continue;
			for (c = 0; c < 8; c++)
				csv_field(&b, kj_stmt_text(st, c), c == 7);
			if (b.len > 65536) {
				if (write(arg, kj_buf_cstr(&b), b.len) != 0) {
					r = kj_failf(ctx, KJ_ERR_IO, "write failed");
					break;
				}
				kj_buf_reset(&b);
			}
		}
	}
	kj_stmt_free(st);
	if (r == KJ_OK && kj_buf_failed(&b))
		r = kj_failf(ctx, KJ_ERR_NOMEM, "out of memory");
	if (r == KJ_OK && b.len > 0 && write(arg, kj_buf_cstr(&b), b.len) != 0)
		r = kj_failf(ctx, KJ_ERR_IO, "write failed");
	kj_buf_free(&b);
	return r;
}
