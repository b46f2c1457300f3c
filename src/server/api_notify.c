/*
 * api_notify.c: the caller's own notifications over HTTP (model/notify.h).
 */
#include <string.h>

#include "api.h"
#include "model/notify.h"

void
api_notification_list(struct kj_req *rq)
{
	const char *unread = kj_req_query(rq, "unread");
	const char *cursor = kj_req_query(rq, "cursor");
	int64_t before = 0, next = 0;
	char next_s[32];
	json_t *j = NULL;
	int limit;
	kj_err r;

	if (kj_req_limit(rq, &limit) != 0)
		return;
	if (unread != NULL && strcmp(unread, "0") != 0 && strcmp(unread, "1") != 0) {
		kj_reply_error(rq, KJ_ERR_INVALID, "unread: expected 0 or 1");
		return;
	}
	if (cursor != NULL && (kj_cursor_decode(cursor, &before) != 0 || before <= 0)) {
		kj_reply_error(rq, KJ_ERR_INVALID, "cursor: not one this server gave");
		return;
	}
	r = kj_notification_list(&rq->ctx, unread != NULL && strcmp(unread, "1") == 0, before, limit, &j, &next);
	if (r == KJ_OK) {
		kj_cursor_encode(next, next_s);
		j = json_pack("{s:o, s:s?}", "items", j, "next_cursor", next > 0 ? next_s : NULL);
	}
	api_reply_result(rq, r, 200, j);
}

void
api_notification_read(struct kj_req *rq)
{
	kj_err r = kj_notification_read(&rq->ctx, rq->params[0]);

	api_reply_result(rq, r, 200, r == KJ_OK ? json_pack("{s:s, s:b}", "id", rq->params[0], "read", 1) : NULL);
}
