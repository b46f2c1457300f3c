/*
 * api.h: the handlers of the JSON API, one family per file (api_<resource>.c).
 */
#ifndef KJ_API_H
#define KJ_API_H

#include "server.h"

/* Replies j (stolen) with status when r is KJ_OK, else the context's failure (j is freed). */
void api_reply_result(struct kj_req *rq, kj_err r, int status, json_t *j);
/* Lists paged by code: reads the cursor (the code of the last item of the page before)
 * and the limit; replies 400 and returns -1 when either is not usable. */
int api_code_page_args(struct kj_req *rq, const char **cursor, int *limit);
/* Replies {items, next_cursor} (items freed here; the cursor is the code of the page's last
 * item when more follow) when r is KJ_OK, else the failure. */
void api_reply_code_page(struct kj_req *rq, kj_err r, json_t *items, int more);
/* The string member k of the object j, or NULL. */
const char *api_json_str(json_t *j, const char *k);

void api_health(struct kj_req *rq);
void api_openapi(struct kj_req *rq);
void api_bench_trivial(struct kj_req *rq);

void api_login(struct kj_req *rq);
void api_session_get(struct kj_req *rq);
void api_logout(struct kj_req *rq);
void api_password(struct kj_req *rq);

void api_org_list(struct kj_req *rq);
void api_org_create(struct kj_req *rq);
void api_org_get(struct kj_req *rq);
void api_org_patch(struct kj_req *rq);
void api_org_abolish(struct kj_req *rq);

void api_edition_list(struct kj_req *rq);
void api_edition_import(struct kj_req *rq);
void api_edition_get(struct kj_req *rq);
void api_edition_export(struct kj_req *rq);
void api_item_list(struct kj_req *rq);
void api_item_get(struct kj_req *rq);
/* Frees the item replies every worker thread kept (at the server's stop). */
void api_item_cache_free(void);
void api_diff(struct kj_req *rq);

void api_user_list(struct kj_req *rq);
void api_user_create(struct kj_req *rq);
void api_user_get(struct kj_req *rq);
void api_user_patch(struct kj_req *rq);
void api_token_list(struct kj_req *rq);
void api_token_create(struct kj_req *rq);
void api_token_revoke(struct kj_req *rq);
void api_engagement_create(struct kj_req *rq);

void api_policy_list(struct kj_req *rq);
void api_policy_create(struct kj_req *rq);
void api_policy_version_get(struct kj_req *rq);
void api_policy_version_add(struct kj_req *rq);
void api_policy_approve(struct kj_req *rq);
void api_policy_enforce(struct kj_req *rq);
void api_policy_review(struct kj_req *rq);
void api_policy_review_all(struct kj_req *rq);

void api_campaign_list(struct kj_req *rq);
void api_campaign_create(struct kj_req *rq);
void api_campaign_get(struct kj_req *rq);
void api_campaign_status(struct kj_req *rq);
void api_campaign_mandate(struct kj_req *rq);
void api_checklist_assign(struct kj_req *rq);
void api_campaign_results(struct kj_req *rq);
void api_campaign_overdue(struct kj_req *rq);
void api_campaign_checklists(struct kj_req *rq);
void api_campaign_export(struct kj_req *rq);
void api_answers_import(struct kj_req *rq);
void api_note_list(struct kj_req *rq);
void api_note_add(struct kj_req *rq);
void api_note_done(struct kj_req *rq);
void api_checklist_mine(struct kj_req *rq);
void api_checklist_get(struct kj_req *rq);
void api_answer_put(struct kj_req *rq);
void api_checklist_submit(struct kj_req *rq);
void api_checklist_reopen(struct kj_req *rq);
void api_evidence_put(struct kj_req *rq);
void api_evidence_get(struct kj_req *rq);

void api_audit_programme_list(struct kj_req *rq);
void api_audit_programme_create(struct kj_req *rq);
void api_audit_engagement_list(struct kj_req *rq);
void api_audit_engagement_create(struct kj_req *rq);
void api_audit_engagement_get(struct kj_req *rq);
void api_audit_member_add(struct kj_req *rq);
void api_audit_scope_put(struct kj_req *rq);
void api_audit_engagement_status(struct kj_req *rq);
void api_audit_sign_off(struct kj_req *rq);
void api_audit_finding_list(struct kj_req *rq);
void api_audit_finding_add(struct kj_req *rq);
void api_audit_paper_add(struct kj_req *rq);
void api_audit_paper_list(struct kj_req *rq);
void api_audit_paper_get(struct kj_req *rq);
void api_audit_report(struct kj_req *rq);

void api_recommendation_list(struct kj_req *rq);
void api_recommendation_create(struct kj_req *rq);
void api_recommendation_status(struct kj_req *rq);
void api_plan_list(struct kj_req *rq);
void api_plan_create(struct kj_req *rq);
void api_plan_get(struct kj_req *rq);
void api_plan_measure_add(struct kj_req *rq);
void api_plan_measure_done(struct kj_req *rq);
void api_plan_status(struct kj_req *rq);
void api_plan_report_add(struct kj_req *rq);
void api_plan_send_back(struct kj_req *rq);
void api_poam(struct kj_req *rq);
void api_overdue_measures(struct kj_req *rq);
void api_report_annual(struct kj_req *rq);

void api_eval_government(struct kj_req *rq);
void api_eval_org(struct kj_req *rq);
void api_eval_board(struct kj_req *rq);
void api_eval_refresh(struct kj_req *rq);

void api_audit_list(struct kj_req *rq);
void api_audit_verify(struct kj_req *rq);

void api_notification_list(struct kj_req *rq);
void api_notification_read(struct kj_req *rq);

void api_proposal_list(struct kj_req *rq);
void api_proposal_create(struct kj_req *rq);
void api_proposal_get(struct kj_req *rq);
void api_proposal_status(struct kj_req *rq);
void api_edition_publish(struct kj_req *rq);
void api_edition_impact(struct kj_req *rq);
void api_edition_impact_ack(struct kj_req *rq);
void api_directive_list(struct kj_req *rq);
void api_directive_issue(struct kj_req *rq);
void api_directive_get(struct kj_req *rq);
void api_directive_status(struct kj_req *rq);
void api_directive_ack(struct kj_req *rq);
void api_directive_complete(struct kj_req *rq);
void api_directive_overdue(struct kj_req *rq);

#endif
