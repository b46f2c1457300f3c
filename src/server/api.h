/*
 * api.h: the handlers of the JSON API, one family per file (api_<resource>.c).
 */
#ifndef KJ_API_H
#define KJ_API_H

#include "server.h"

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
void api_diff(struct kj_req *rq);

void api_user_list(struct kj_req *rq);
void api_user_create(struct kj_req *rq);
void api_user_get(struct kj_req *rq);
void api_user_patch(struct kj_req *rq);
void api_token_list(struct kj_req *rq);
void api_token_create(struct kj_req *rq);
void api_token_revoke(struct kj_req *rq);
void api_engagement_create(struct kj_req *rq);

void api_audit_list(struct kj_req *rq);
void api_audit_verify(struct kj_req *rq);

#endif
