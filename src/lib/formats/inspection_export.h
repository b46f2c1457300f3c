/*
 * inspection_export.h: a campaign's results for spreadsheets and for OSCAL tools.
 */
#ifndef KJ_INSPECTION_EXPORT_H
#define KJ_INSPECTION_EXPORT_H

#include <jansson.h>

#include "../base/err.h"

/* Writes the campaign as an .xlsx workbook to path: sheets Results (by requirement, with
 * the previous campaign's rate), Checklists, Answers and Scale, in Japanese and English. */
kj_err kj_campaign_export_xlsx(struct kj_ctx *ctx, const char *campaign, const char *path);

/* The campaign's results as an OSCAL 1.0.6 assessment-results document: one result, an
 * observation and a finding per requirement (satisfied when every answer counting for it
 * says done), control ids as in kijun's OSCAL catalog export. now is the export time. */
kj_err kj_campaign_export_oscal(struct kj_ctx *ctx, const char *campaign, const char *now, json_t **out);

#endif
