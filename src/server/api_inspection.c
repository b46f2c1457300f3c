/*
 * api_inspection.c: self-inspection campaigns, checklists, answers, evidence, results,
 * notes and exports over HTTP.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api.h"
#include "base/buf.h"
#include "base/limits.h"
#include "base/util.h"
#include "formats/inspection_export.h"
#include "model/inspection.h"

void
api_campaign_list(struct kj_req *rq)
{
	const char *fy = kj_req_query(rq, "fiscal_year");
	const char *cursor = kj_req_query(rq, "cursor");
	struct kj_campaign_pos after;
	int64_t year = 0, cyear = 0;
	json_t *j = NULL, *last;
	char next[96];
	int limit, more = 0;
	kj_err r;

	if (fy != NULL && kj_parse_int64(fy, 1900, 2999, &year) != 0) {
		kj_reply_error(rq, KJ_ERR_INVALID, "fiscal_year: expected a year such as 2025");
		return;
	}
	if (kj_req_limit(rq, &limit) != 0)
		return;
	/* The cursor is the last campaign of the page before: its fiscal year, a dot, its code. */
	if (cursor != NULL) {
		const char *dot = strchr(cursor, '.');
		char ybuf[8];

		if (dot == NULL || dot - cursor > 4 || dot[1] == '\0' || strlen(dot + 1) >= sizeof(after.code)) {
			kj_reply_error(rq, KJ_ERR_INVALID, "cursor: not one this server gave");
			return;
		}
		memcpy(ybuf, cursor, (size_t)(dot - cursor));
		ybuf[dot - cursor] = '\0';
		if (kj_parse_int64(ybuf, 1900, 2999, &cyear) != 0) {
			kj_reply_error(rq, KJ_ERR_INVALID, "cursor: not one this server gave");
			return;
		}
		after.fiscal_year = (int)cyear;
		kj_strlcpy(after.code, dot + 1, sizeof(after.code));
	}
	r = kj_campaign_list(&rq->ctx, kj_req_query(rq, "org"), (int)year, cursor ? &after : NULL, limit, &j, &more);
	if (r == KJ_OK) {
		last = json_array_get(j, json_array_size(j) - 1);
		if (more && last != NULL)
			snprintf(next, sizeof(next), "%d.%s", (int)json_integer_value(json_object_get(last, "fiscal_year")),
				 json_string_value(json_object_get(last, "code")));
		j = json_pack("{s:o, s:s?}", "items", j, "next_cursor", more && last != NULL ? next : NULL);
	}
	api_reply_result(rq, r, 200, j);
}

void
api_campaign_create(struct kj_req *rq)
{
	static const char *const allowed[] = {"code", "org", "title_ja", "title_en", "edition", "opens_on", "due_on",
					      "scale", "select", NULL};
	struct kj_campaign_new in;
	json_t *j = kj_req_json(rq, allowed);
	size_t n = 0;
	kj_err r;

	if (j == NULL)
		return;
	memset(&in, 0, sizeof(in));
	in.code = api_json_str(j, "code");
	in.org = api_json_str(j, "org");
	in.title_ja = api_json_str(j, "title_ja");
	in.title_en = api_json_str(j, "title_en");
	in.edition = api_json_str(j, "edition");
	in.opens_on = api_json_str(j, "opens_on");
	in.due_on = api_json_str(j, "due_on");
	in.scale = json_object_get(j, "scale");
	in.select = json_object_get(j, "select");
	if (in.code == NULL || in.org == NULL || in.edition == NULL) {
		json_decref(j);
		kj_reply_error(rq, KJ_ERR_INVALID, "body: code, org and edition are required strings");
		return;
	}
	r = kj_campaign_create(&rq->ctx, &in, &n);
	if (r == KJ_OK) {
		char loc[160];

		snprintf(loc, sizeof(loc), "/api/v1/campaigns/%s", in.code);
		kj_reply_json(rq, 201, json_pack("{s:s, s:I, s:s}", "code", in.code, "items", (json_int_t)n, "status", "draft"));
		kj_reply_header(rq, "Location", loc);
	} else {
		kj_reply_fail(rq, r);
	}
	json_decref(j);
}

void
api_campaign_get(struct kj_req *rq)
{
	json_t *j = NULL;

	kj_err r = kj_campaign_get(&rq->ctx, rq->params[0], &j);

	api_reply_result(rq, r, 200, j);
}

void
api_campaign_status(struct kj_req *rq)
{
	static const char *const allowed[] = {"status", NULL};
	json_t *j = kj_req_json(rq, allowed);
	kj_err r;

	if (j == NULL)
		return;
	if (api_json_str(j, "status") == NULL) {
		json_decref(j);
		kj_reply_error(rq, KJ_ERR_INVALID, "status: expected open or closed");
		return;
	}
	r = kj_campaign_set_status(&rq->ctx, rq->params[0], api_json_str(j, "status"));
	api_reply_result(rq, r, 200, r == KJ_OK ? json_pack("{s:s, s:O}", "code", rq->params[0], "status", json_object_get(j, "status")) : NULL);
	json_decref(j);
}

void
api_campaign_mandate(struct kj_req *rq)
{
	size_t n = 0;
	kj_err r = kj_campaign_mandate(&rq->ctx, rq->params[0], NULL, &n);

	api_reply_result(rq, r, 200, r == KJ_OK ? json_pack("{s:s, s:I}", "code", rq->params[0], "organisations", (json_int_t)n) : NULL);
}

void
api_checklist_assign(struct kj_req *rq)
{
	static const char *const allowed[] = {"user", "unit", "role", "due_on", NULL};
	json_t *j = kj_req_json(rq, allowed);
	char uuid[37];
	kj_err r;

	if (j == NULL)
		return;
	if (api_json_str(j, "user") == NULL) {
		json_decref(j);
		kj_reply_error(rq, KJ_ERR_INVALID, "user: required");
		return;
	}
	r = kj_checklist_assign(&rq->ctx, rq->params[0], api_json_str(j, "user"), api_json_str(j, "unit"), api_json_str(j, "role"), api_json_str(j, "due_on"), uuid);
	json_decref(j);
	api_reply_result(rq, r, 201, r == KJ_OK ? json_pack("{s:s}", "id", uuid) : NULL);
}

void
api_campaign_results(struct kj_req *rq)
{
	json_t *j = NULL;

	kj_err r = kj_rollup(&rq->ctx, rq->params[0], kj_req_query(rq, "by"), kj_req_query(rq, "under"), &j);

	api_reply_result(rq, r, 200, j);
}

void
api_campaign_overdue(struct kj_req *rq)
{
	json_t *j = NULL;
	kj_err r = kj_checklist_overdue(&rq->ctx, rq->params[0], &j);

	if (r == KJ_OK)
		j = json_pack("{s:o}", "items", j);
	api_reply_result(rq, r, 200, j);
}

void
api_campaign_checklists(struct kj_req *rq)
{
	json_t *j = NULL;
	kj_err r = kj_checklist_list(&rq->ctx, rq->params[0], kj_req_query(rq, "status"), &j);

	if (r == KJ_OK)
		j = json_pack("{s:o}", "items", j);
	api_reply_result(rq, r, 200, j);
}

static int
buf_write(void *arg, const char *data, size_t len)
{
	kj_buf_append(arg, data, len);
	return kj_buf_failed(arg) ? -1 : 0;
}

/* Names the download after the campaign (a code is [A-Za-z0-9._-], safe in the header). */
static void
attachment(struct kj_req *rq, const char *ext)
{
	char v[160];

	snprintf(v, sizeof(v), "attachment; filename=\"%.64s%s\"", rq->params[0], ext);
	kj_reply_header(rq, "Content-Disposition", v);
}

void
api_campaign_export(struct kj_req *rq)
{
	const char *fmt = kj_req_query(rq, "format");
	kj_err r;

	if (fmt == NULL || strcmp(fmt, "csv") == 0) {
		struct kj_buf b;

		kj_buf_init(&b, 0);
		r = kj_answers_export_csv(&rq->ctx, rq->params[0], buf_write, &b);
		if (r != KJ_OK) {
			kj_buf_free(&b);
			kj_reply_fail(rq, r);
			return;
		}
		{
			size_t len = b.len;

			attachment(rq, ".csv");
			kj_reply_raw(rq, 200, "text/csv; charset=utf-8", kj_buf_take(&b), len);
		}
		return;
	}
	if (strcmp(fmt, "oscal") == 0) {
		char now[21];
		json_t *j = NULL;

		kj_time_format(kj_now(&rq->ctx), now);
		r = kj_campaign_export_oscal(&rq->ctx, rq->params[0], now, &j);
		api_reply_result(rq, r, 200, j);
		return;
	}
	if (strcmp(fmt, "xlsx") == 0) {
		char path[] = "/tmp/kijun-xlsx.XXXXXX";
		int fd = mkstemp(path);
		char *data = NULL;
		size_t len = 0;

		if (fd < 0) {
			kj_reply_error(rq, KJ_ERR_IO, "cannot make a temporary file");
			return;
		}
		close(fd);
		r = kj_campaign_export_xlsx(&rq->ctx, rq->params[0], path);
		if (r == KJ_OK)
			r = kj_file_read(&rq->ctx, path, 256u << 20, &data, &len);
		unlink(path);
		if (r != KJ_OK) {
			kj_reply_fail(rq, r);
			return;
		}
		attachment(rq, ".xlsx");
		kj_reply_raw(rq, 200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", data, len);
		return;
	}
	kj_reply_error(rq, KJ_ERR_INVALID, "format: expected csv, xlsx or oscal");
}

struct mem_reader {
	const char *p;
	size_t len, off;
};

static long
mem_read(void *arg, char *buf, size_t size)
{
	struct mem_reader *m = arg;
	size_t n = m->len - m->off < size ? m->len - m->off : size;

	memcpy(buf, m->p + m->off, n);
	m->off += n;
	return (long)n;
}

void
api_answers_import(struct kj_req *rq)
{
	struct mem_reader m = {kj_buf_cstr(&rq->body), rq->body.len, 0};
	json_t *report = NULL;
	size_t n = 0;
	kj_err r;

	r = kj_answers_import_csv(&rq->ctx, rq->params[0], "body", mem_read, &m, &n, &report);
	if (r != KJ_OK) {
		/* The rows' report goes with a 400; a refusal (403) names its first row in
		 * the message and says no more. */
		if (report != NULL && r == KJ_ERR_INVALID) {
			kj_reply_json(rq, 400, json_pack("{s:s, s:s, s:o}", "error", "invalid", "message", rq->ctx.msg, "report", report));
			return;
		}
		json_decref(report);
		kj_reply_fail(rq, r);
		return;
	}
	kj_reply_json(rq, 200, json_pack("{s:s, s:I}", "campaign", rq->params[0], "rows", (json_int_t)n));
}

void
api_note_list(struct kj_req *rq)
{
	json_t *j = NULL;
	kj_err r = kj_note_list(&rq->ctx, rq->params[0], &j);

	if (r == KJ_OK)
		j = json_pack("{s:o}", "items", j);
	api_reply_result(rq, r, 200, j);
}

void
api_note_add(struct kj_req *rq)
{
	static const char *const allowed[] = {"org", "kind", "requirement", "text", "due_on", NULL};
	json_t *j = kj_req_json(rq, allowed);
	char uuid[37];
	kj_err r;

	if (j == NULL)
		return;
	if (api_json_str(j, "org") == NULL) {
		json_decref(j);
		kj_reply_error(rq, KJ_ERR_INVALID, "org: required");
		return;
	}
	r = kj_note_add(&rq->ctx, rq->params[0], api_json_str(j, "org"), api_json_str(j, "kind"), api_json_str(j, "requirement"), api_json_str(j, "text"),
			api_json_str(j, "due_on"), uuid);
	json_decref(j);
	api_reply_result(rq, r, 201, r == KJ_OK ? json_pack("{s:s}", "id", uuid) : NULL);
}

void
api_note_done(struct kj_req *rq)
{
	kj_err r = kj_note_done(&rq->ctx, rq->params[0]);

	api_reply_result(rq, r, 200, r == KJ_OK ? json_pack("{s:s, s:s}", "id", rq->params[0], "status", "done") : NULL);
}

void
api_checklist_mine(struct kj_req *rq)
{
	json_t *j = NULL;
	kj_err r = kj_checklist_mine(&rq->ctx, &j);

	if (r == KJ_OK)
		j = json_pack("{s:o, s:n}", "items", j, "next_cursor");
	api_reply_result(rq, r, 200, j);
}

void
api_checklist_get(struct kj_req *rq)
{
	json_t *j = NULL;

	kj_err r = kj_checklist_get(&rq->ctx, rq->params[0], &j);

	api_reply_result(rq, r, 200, j);
}

void
api_answer_put(struct kj_req *rq)
{
	static const char *const allowed[] = {"value", "comment", "evidence", NULL};
	json_t *j = kj_req_json(rq, allowed);
	kj_err r;

	if (j == NULL)
		return;
	if (!json_is_string(json_object_get(j, "value")) ||
	    (json_object_get(j, "comment") && !json_is_string(json_object_get(j, "comment")) && !json_is_null(json_object_get(j, "comment"))) ||
	    (json_object_get(j, "evidence") && !json_is_string(json_object_get(j, "evidence")) && !json_is_null(json_object_get(j, "evidence")))) {
		json_decref(j);
		kj_reply_error(rq, KJ_ERR_INVALID, "body: value is a string; comment and evidence strings or null");
		return;
	}
	r = kj_answer_put(&rq->ctx, rq->params[0], rq->params[1], api_json_str(j, "value"), api_json_str(j, "comment"), api_json_str(j, "evidence"));
	api_reply_result(rq, r, 200,
		      r == KJ_OK ? json_pack("{s:s, s:O}", "requirement", rq->params[1], "value", json_object_get(j, "value")) : NULL);
	json_decref(j);
}

void
api_checklist_submit(struct kj_req *rq)
{
	kj_err r = kj_checklist_submit(&rq->ctx, rq->params[0]);

	api_reply_result(rq, r, 200, r == KJ_OK ? json_pack("{s:s, s:s}", "id", rq->params[0], "status", "submitted") : NULL);
}

void
api_checklist_reopen(struct kj_req *rq)
{
	kj_err r = kj_checklist_reopen(&rq->ctx, rq->params[0]);

	api_reply_result(rq, r, 200, r == KJ_OK ? json_pack("{s:s, s:s}", "id", rq->params[0], "status", "open") : NULL);
}

void
api_evidence_get(struct kj_req *rq)
{
	unsigned char *data = NULL;
	size_t len = 0;
	char mt[64];
	kj_err r = kj_evidence_get(&rq->ctx, rq->params[0], mt, &data, &len);

	if (r != KJ_OK)
		kj_reply_fail(rq, r);
	else
		kj_reply_file(rq, mt, data, len);
}

void
api_evidence_put(struct kj_req *rq)
{
	const char *type = kj_req_header(rq, "Content-Type");
	char sha[65], mt[64];
	kj_err r;

	/* The media type without parameters such as charset. */
	kj_strlcpy(mt, type ? type : "", sizeof(mt));
	mt[strcspn(mt, "; ")] = '\0';
	r = kj_evidence_put(&rq->ctx, kj_buf_cstr(&rq->body), rq->body.len, mt[0] ? mt : NULL, sha);
	api_reply_result(rq, r, 201, r == KJ_OK ? json_pack("{s:s, s:I}", "sha256", sha, "size", (json_int_t)rq->body.len) : NULL);
}
