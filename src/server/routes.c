/*
 * routes.c: every route of the API in one table. docs/openapi.json describes exactly
 * these; a test fails when the two disagree.
 */
#include <stddef.h>

#include "api.h"

const struct kj_route kj_routes[] = {
	{"GET", "/api/v1/health", api_health, KJ_ROUTE_PUBLIC},
	{"GET", "/api/v1/openapi.json", api_openapi, KJ_ROUTE_PUBLIC},
	{"GET", "/api/v1/_bench/trivial", api_bench_trivial, KJ_ROUTE_PUBLIC | KJ_ROUTE_BENCH},

	{"POST", "/api/v1/session", api_login, KJ_ROUTE_PUBLIC},
	{"GET", "/api/v1/session", api_session_get, 0},
	{"DELETE", "/api/v1/session", api_logout, 0},
	{"POST", "/api/v1/session/password", api_password, 0},

	{"GET", "/api/v1/orgs", api_org_list, 0},
	{"POST", "/api/v1/orgs", api_org_create, 0},
	{"GET", "/api/v1/orgs/{code}", api_org_get, 0},
	{"PATCH", "/api/v1/orgs/{code}", api_org_patch, 0},
	{"POST", "/api/v1/orgs/{code}/abolish", api_org_abolish, 0},

	{"GET", "/api/v1/editions", api_edition_list, 0},
	{"POST", "/api/v1/editions", api_edition_import, KJ_ROUTE_BIG_BODY},
	{"GET", "/api/v1/editions/{edition}", api_edition_get, 0},
	{"GET", "/api/v1/editions/{edition}/export", api_edition_export, 0},
	{"GET", "/api/v1/editions/{edition}/items", api_item_list, 0},
	{"GET", "/api/v1/editions/{edition}/items/{number}", api_item_get, 0},
	{"GET", "/api/v1/diff", api_diff, 0},

	{"GET", "/api/v1/users", api_user_list, 0},
	{"POST", "/api/v1/users", api_user_create, 0},
	{"GET", "/api/v1/users/{name}", api_user_get, 0},
	{"PATCH", "/api/v1/users/{name}", api_user_patch, 0},
	{"GET", "/api/v1/tokens", api_token_list, 0},
	{"POST", "/api/v1/tokens", api_token_create, 0},
	{"DELETE", "/api/v1/tokens/{id}", api_token_revoke, 0},
	{"POST", "/api/v1/engagements", api_engagement_create, 0},

	{"GET", "/api/v1/orgs/{code}/policies", api_policy_list, 0},
	{"POST", "/api/v1/orgs/{code}/policies", api_policy_create, 0},
	{"POST", "/api/v1/orgs/{code}/policies/{doc}/versions", api_policy_version_add, 0},
	{"GET", "/api/v1/orgs/{code}/policies/{doc}/versions/{version}", api_policy_version_get, 0},
	{"POST", "/api/v1/orgs/{code}/policies/{doc}/versions/{version}/approve", api_policy_approve, 0},
	{"POST", "/api/v1/orgs/{code}/policies/{doc}/versions/{version}/enforce", api_policy_enforce, 0},
	{"GET", "/api/v1/orgs/{code}/policy-review", api_policy_review, 0},
	{"GET", "/api/v1/policy-review", api_policy_review_all, 0},

	{"GET", "/api/v1/campaigns", api_campaign_list, 0},
	{"POST", "/api/v1/campaigns", api_campaign_create, 0},
	{"GET", "/api/v1/campaigns/{code}", api_campaign_get, 0},
	{"POST", "/api/v1/campaigns/{code}/status", api_campaign_status, 0},
	{"POST", "/api/v1/campaigns/{code}/mandate", api_campaign_mandate, 0},
	{"POST", "/api/v1/campaigns/{code}/checklists", api_checklist_assign, 0},
	{"GET", "/api/v1/campaigns/{code}/results", api_campaign_results, 0},
	{"GET", "/api/v1/campaigns/{code}/overdue", api_campaign_overdue, 0},
	{"GET", "/api/v1/campaigns/{code}/export", api_campaign_export, 0},
	{"POST", "/api/v1/campaigns/{code}/answers", api_answers_import, KJ_ROUTE_BIG_BODY},
	{"GET", "/api/v1/campaigns/{code}/notes", api_note_list, 0},
	{"POST", "/api/v1/campaigns/{code}/notes", api_note_add, 0},
	{"POST", "/api/v1/notes/{id}/done", api_note_done, 0},
	{"GET", "/api/v1/checklists", api_checklist_mine, 0},
	{"GET", "/api/v1/checklists/{id}", api_checklist_get, 0},
	{"PUT", "/api/v1/checklists/{id}/answers/{requirement}", api_answer_put, 0},
	{"POST", "/api/v1/checklists/{id}/submit", api_checklist_submit, 0},
	{"POST", "/api/v1/checklists/{id}/reopen", api_checklist_reopen, 0},
	{"POST", "/api/v1/evidence", api_evidence_put, KJ_ROUTE_BIG_BODY},

	{"GET", "/api/v1/audit-programmes", api_audit_programme_list, 0},
	{"POST", "/api/v1/audit-programmes", api_audit_programme_create, 0},
	{"GET", "/api/v1/audit-engagements", api_audit_engagement_list, 0},
	{"POST", "/api/v1/audit-engagements", api_audit_engagement_create, 0},
	{"GET", "/api/v1/audit-engagements/{code}", api_audit_engagement_get, 0},
	{"POST", "/api/v1/audit-engagements/{code}/members", api_audit_member_add, 0},
	{"PUT", "/api/v1/audit-engagements/{code}/scope", api_audit_scope_put, 0},
	{"POST", "/api/v1/audit-engagements/{code}/status", api_audit_engagement_status, 0},
	{"POST", "/api/v1/audit-engagements/{code}/sign-off", api_audit_sign_off, 0},
	{"GET", "/api/v1/audit-engagements/{code}/findings", api_audit_finding_list, 0},
	{"POST", "/api/v1/audit-engagements/{code}/findings", api_audit_finding_add, 0},
	{"GET", "/api/v1/notifications", api_notification_list, 0},
	{"POST", "/api/v1/notifications/{id}/read", api_notification_read, 0},

	{"GET", "/api/v1/audit", api_audit_list, 0},
	{"GET", "/api/v1/audit/verify", api_audit_verify, 0},
	{NULL, NULL, NULL, 0},
};
