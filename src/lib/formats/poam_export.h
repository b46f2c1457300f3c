/*
 * poam_export.h: improvement plans for OSCAL tools.
 */
#ifndef KJ_POAM_EXPORT_H
#define KJ_POAM_EXPORT_H

#include <jansson.h>

#include "../base/err.h"

/* The improvement plans the principal may read (as kj_plan_get: plans of organisations in
 * its scope) as one OSCAL 1.0.6 plan-of-action-and-milestones document. org (a code; NULL:
 * every organisation in scope) narrows to that organisation and its subtree; one out of
 * scope is KJ_ERR_NOT_FOUND. Each cited audit finding becomes an observation and a risk
 * (closed once a plan citing it is verified, else open), each measure a POA&M item citing
 * its plan's risks, with props for its plan, owner, due date and status. Findings keep
 * their public ids as uuids; a plan's measures get stable ids derived from the plan's. */
kj_err kj_plans_export_oscal(struct kj_ctx *ctx, const char *org, json_t **out);

#endif
