/*
 * api_audit.c: reading and verifying the audit log over HTTP.
 */
#include <string.h>

#include "api.h"
#include "base/util.h"
#include "model/auditlog.h"
#include "model/state.h"

struct audit_state {
	json_t *items;
	int limit, more;
	int64_t last;
};

static int
one_record(void *arg, const struct kj_audit_record *rec)
{
	struct audit_state *as = arg;

	if ((int)json_array_size(as->items) >= as->limit) {
		as->more = 1;
		return 1;
	}
	json_array_append_new(as->items, json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s}", "seq", (json_int_t)rec->seq,
						   "at", rec->at, "actor", rec->actor, "op", rec->op, "entity",
						   rec->entity, "entity_id", rec->entity_id, "digest", rec->digest));
	as->last = rec->seq;
	return 0;
}

/* since and until are compared with the stored times as text, so anything but a date or a
 * UTC time in the stored form (2025-07-01T09:30:00Z) would match all or nothing without a
 * word: refuse it instead. */
static int
time_valid(const char *s)
{
	static const int max[] = {23, 59, 59};
	char date[11];
	int i;

	if (s == NULL)
		return 1;
	if (strlen(s) != 10 && strlen(s) != 20)
		return 0;
	memcpy(date, s, 10);
	date[10] = '\0';
	if (!kj_date_valid(date))
		return 0;
	if (s[10] == '\0')
		return 1;
	if (s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[19] != 'Z')
		return 0;
	for (i = 0; i < 3; i++) {
		const char *p = s + 11 + 3 * i;

		if (p[0] < '0' || p[0] > '9' || p[1] < '0' || p[1] > '9' || (p[0] - '0') * 10 + (p[1] - '0') > max[i])
			return 0;
	}
	return 1;
}

void
api_audit_list(struct kj_req *rq)
{
	struct kj_audit_filter f;
	struct audit_state as = {0};
	const char *cursor = kj_req_query(rq, "cursor");
	char next[32];
	kj_err r;

	memset(&f, 0, sizeof(f));
	if (kj_req_limit(rq, &as.limit) != 0)
		return;
	if (cursor != NULL && kj_cursor_decode(cursor, &f.before) != 0) {
		kj_reply_error(rq, KJ_ERR_INVALID, "cursor: not one this server gave");
		return;
	}
	f.org = kj_req_query(rq, "org");
	f.user = kj_req_query(rq, "user");
	f.entity = kj_req_query(rq, "entity");
	f.since = kj_req_query(rq, "since");
	f.until = kj_req_query(rq, "until");
	if (!time_valid(f.since) || !time_valid(f.until)) {
		kj_reply_error(rq, KJ_ERR_INVALID, !time_valid(f.since) ?
			       "since: expected a date YYYY-MM-DD or a UTC time YYYY-MM-DDTHH:MM:SSZ" :
			       "until: expected a date YYYY-MM-DD or a UTC time YYYY-MM-DDTHH:MM:SSZ");
		return;
	}
	f.limit = as.limit + 1;
	as.items = json_array();
	if ((r = kj_auditlog_list(&rq->ctx, &f, one_record, &as)) != KJ_OK) {
		json_decref(as.items);
		kj_reply_fail(rq, r);
		return;
	}
	kj_cursor_encode(as.last, next);
	kj_reply_json(rq, 200, json_pack("{s:o, s:s?}", "items", as.items, "next_cursor", as.more ? next : NULL));
}

void
api_audit_verify(struct kj_req *rq)
{
	const char *state = kj_req_query(rq, "state");
	struct kj_audit_verdict v;
	json_t *st = NULL, *res;
	kj_err r;

	/* ?state=1 also compares the covered rows with their last records (state.h). */
	if (state != NULL && strcmp(state, "0") != 0 && strcmp(state, "1") != 0) {
		kj_reply_fail(rq, kj_failf(&rq->ctx, KJ_ERR_INVALID, "state: expected 1 or 0"));
		return;
	}
	r = kj_auditlog_verify(&rq->ctx, &v);
	if (r == KJ_OK && state != NULL && state[0] == '1')
		r = kj_state_verify(&rq->ctx, &st);
	if (r != KJ_OK) {
		kj_reply_fail(rq, r);
		return;
	}
	res = json_pack("{s:b, s:I, s:I, s:s}", "ok", v.first_bad == 0 && (st == NULL || json_is_true(json_object_get(st, "ok"))),
			"records", (json_int_t)v.nrecords, "first_bad", (json_int_t)v.first_bad, "why", v.why);
	if (res != NULL && st != NULL)
		json_object_set_new(res, "state", st);
	else
		json_decref(st);
	kj_reply_json(rq, 200, res);
}
