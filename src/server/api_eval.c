/*
 * api_eval.c: the centre's evaluation over HTTP (model/eval.h): the government-wide view,
 * one organisation's, the PDCA board, and a refresh, all under /api/v1/evaluations/{fy}.
 *
 * A read may compute a stale snapshot first, which writes. On SQLite the server wraps a GET
 * in a read transaction; writing from inside it could fail when another writer committed
 * since it began, so these handlers end that transaction before calling the model and open
 * a new one after, which keeps the server's begin and end paired.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "base/util.h"
#include "db/db.h"
#include "model/eval.h"

/* The fiscal year of the path, or 0 having replied 400. */
static int
path_year(struct kj_req *rq)
{
	int64_t v;

	if (kj_parse_int64(rq->params[0], 1990, 2999, &v) != 0) {
		kj_reply_error(rq, KJ_ERR_INVALID, "fiscal year: expected a year such as 2025 in the path");
		return 0;
	}
	return (int)v;
}

enum view { GOVERNMENT, ORG, BOARD };

/* One of the three reads, outside the server's read transaction. */
static void
read_view(struct kj_req *rq, enum view v)
{
	json_t *j = NULL;
	int fy = path_year(rq), had;
	kj_err r;

	if (fy == 0)
		return;
	had = kj_req_leave_read(rq);
	if (v == GOVERNMENT)
		r = kj_eval_government(&rq->ctx, fy, &j);
	else if (v == ORG)
		r = kj_eval_org(&rq->ctx, rq->params[1], fy, &j);
	else
		r = kj_eval_board(&rq->ctx, fy, &j);
	kj_req_resume_read(rq, had);
	api_reply_result(rq, r, 200, j);
}

void
api_eval_government(struct kj_req *rq)
{
	read_view(rq, GOVERNMENT);
}

void
api_eval_org(struct kj_req *rq)
{
	read_view(rq, ORG);
}

void
api_eval_board(struct kj_req *rq)
{
	read_view(rq, BOARD);
}

void
api_eval_refresh(struct kj_req *rq)
{
	json_t *j = NULL;
	int fy = path_year(rq);
	kj_err r;

	if (fy == 0)
		return;
	r = kj_eval_refresh(&rq->ctx, fy);
	if (r == KJ_OK)
		r = kj_eval_board(&rq->ctx, fy, &j);
	if (r == KJ_OK) {
		json_t *out = json_pack("{s:i, s:O}", "fiscal_year", fy, "computed_at", json_object_get(j, "computed_at"));

		json_decref(j);
		j = out;
	}
	api_reply_result(rq, r, 200, j);
}
