/*
 * api_poam.c: the improvement plans in the principal's scope as an OSCAL plan of action
 * and milestones (GET /api/v1/poam, ?org= narrows to an organisation's subtree).
 */
#include "api.h"
#include "formats/poam_export.h"

void
api_poam(struct kj_req *rq)
{
	json_t *j = NULL;
	kj_err r = kj_plans_export_oscal(&rq->ctx, kj_req_query(rq, "org"), &j);

	api_reply_result(rq, r, 200, j);
}
