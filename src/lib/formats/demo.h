/*
 * demo.h: the living part of the demo government. After the demo organisations and both
 * demo editions are loaded, kj_demo_populate adds accounts for every role, each
 * organisation's policy (some with gaps, some left stale by the newer edition), and two
 * fiscal years of government-wide self-inspection with realistic differences between
 * organisations: FY2024 finished, FY2025 in progress. The same two years hold audits: the
 * centre's management audits of several ministries and a penetration test a year, and two
 * ministries' internal audits of their own units, with teams independent of what they
 * audit and bilingual findings of every category and severity; FY2024's are all signed
 * off, FY2025's stand in draft, fieldwork and reporting. FY2024's management audits are
 * followed up: recommendations to three ministries and their improvement plans (verified,
 * in progress with an overdue measure, submitted), and a ministry's plan for its own
 * internal audit.
 */
#ifndef KJ_DEMO_H
#define KJ_DEMO_H

#include <jansson.h>

#include "../base/err.h"

/* The accounts it made, with their passwords (made now, for this database only), go to
 * *accounts_out as [{name, role, org, password}], to be shown once. */
kj_err kj_demo_populate(struct kj_ctx *ctx, json_t **accounts_out);

#endif
