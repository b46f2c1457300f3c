/*
 * inspection_export.c: campaign results as XLSX (libxlsxwriter) and as OSCAL
 * assessment results (inspection_export.h). Both read the roll-ups and the answers
 * through the model, under the principal's access.
 */
#include "inspection_export.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xlsxwriter.h>

#include "../base/util.h"
#include "../model/inspection.h"
#include "catalog.h"

struct sheet_writer {
	lxw_worksheet *ws;
	lxw_format *head;
	lxw_row_t row;
	char *pending;	/* a partial CSV line between writes */
	size_t plen;
	int failed;
};

/* Answers come as CSV from the model; each line becomes a row. The CSV is kijun's own
 * (quoted fields, doubled quotes), so a small splitter is enough. */
static void
put_csv_line(struct sheet_writer *sw, const char *line, size_t len)
{
	lxw_col_t col = 0;
	char field[8200];
	size_t i = 0, n;
	int q;

	while (i <= len) {
		n = 0;
		q = i < len && line[i] == '"';
		if (q)
			i++;
		while (i < len) {
			if (q && line[i] == '"') {
				if (i + 1 < len && line[i + 1] == '"') {
					if (n < sizeof(field) - 1)
						field[n++] = '"';
					i += 2;
					continue;
				}
				i++;
				q = 0;
				continue;
			}
			if (!q && line[i] == ',')
				break;
			if (n < sizeof(field) - 1)
				field[n++] = line[i];
			i++;
		}
		field[n] = '\0';
		worksheet_write_string(sw->ws, sw->row, col++, field, sw->row == 0 ? sw->head : NULL);
		i++;
	}
	sw->row++;
}

static int
sheet_write(void *arg, const char *data, size_t len)
{
	struct sheet_writer *sw = arg;
	char *all;
	size_t total, start = 0, i;

	total = sw->plen + len;
	all = malloc(total + 1);
	if (all == NULL)
		return -1;
	if (sw->plen)
		memcpy(all, sw->pending, sw->plen);
	memcpy(all + sw->plen, data, len);
	all[total] = '\0';
	/* A newline inside quotes belongs to the field: track quotes across the buffer. */
	{
		int q = 0;

		for (i = 0; i < total; i++) {
			if (all[i] == '"')
				q = !q;
			else if (all[i] == '\n' && !q) {
				put_csv_line(sw, all + start, i - start);
				start = i + 1;
			}
		}
	}
	free(sw->pending);
	sw->plen = total - start;
	sw->pending = malloc(sw->plen + 1);
	if (sw->pending == NULL) {
		free(all);
		return -1;
	}
	memcpy(sw->pending, all + start, sw->plen);
	free(all);
	return 0;
}

kj_err
kj_campaign_export_xlsx(struct kj_ctx *ctx, const char *campaign, const char *path)
{
	lxw_workbook *wb = NULL;
	lxw_worksheet *ws;
	lxw_format *head, *pct;
	json_t *camp = NULL, *roll = NULL, *row, *e;
	struct sheet_writer sw;
	size_t i;
	kj_err r;

	if ((r = kj_campaign_get(ctx, campaign, &camp)) != KJ_OK)
		return r;
	if ((r = kj_rollup(ctx, campaign, "requirement", NULL, &roll)) != KJ_OK)
		goto out;
	wb = workbook_new(path);
	if (wb == NULL) {
		r = kj_failf(ctx, KJ_ERR_IO, "%s: cannot write", path);
		goto out;
	}
	head = workbook_add_format(wb);
	format_set_bold(head);
	pct = workbook_add_format(wb);
	format_set_num_format(pct, "0.0%");

	ws = workbook_add_worksheet(wb, "Results");
	worksheet_write_string(ws, 0, 0, json_string_value(json_object_get(camp, "title_ja")), head);
	worksheet_write_string(ws, 1, 0, json_string_value(json_object_get(camp, "title_en")), head);
	{
		static const char *const cols[] = {"要件 / Requirement", "実施 / Done", "一部 / Partial", "未実施 / Not done",
						   "対象外 / Excluded", "実施率 / Rate", "前回 / Previous"};

		for (i = 0; i < 7; i++)
			worksheet_write_string(ws, 3, (lxw_col_t)i, cols[i], head);
	}
	json_array_foreach(json_object_get(roll, "rows"), i, row) {
		lxw_row_t rr = (lxw_row_t)(4 + i);

		worksheet_write_string(ws, rr, 0, json_string_value(json_object_get(row, "key")), NULL);
		worksheet_write_number(ws, rr, 1, (double)json_integer_value(json_object_get(row, "done")), NULL);
		worksheet_write_number(ws, rr, 2, (double)json_integer_value(json_object_get(row, "partial")), NULL);
		worksheet_write_number(ws, rr, 3, (double)json_integer_value(json_object_get(row, "not_done")), NULL);
		worksheet_write_number(ws, rr, 4, (double)json_integer_value(json_object_get(row, "excluded")), NULL);
		if (json_is_real(json_object_get(row, "rate")))
			worksheet_write_number(ws, rr, 5, json_real_value(json_object_get(row, "rate")), pct);
		if (json_is_real(json_object_get(row, "previous_rate")))
			worksheet_write_number(ws, rr, 6, json_real_value(json_object_get(row, "previous_rate")), pct);
	}
	worksheet_set_column(ws, 0, 0, 22, NULL);
	worksheet_set_column(ws, 1, 6, 14, NULL);

	ws = workbook_add_worksheet(wb, "Scale");
	worksheet_write_string(ws, 0, 0, "value", head);
	worksheet_write_string(ws, 0, 1, "label_ja", head);
	worksheet_write_string(ws, 0, 2, "label_en", head);
	worksheet_write_string(ws, 0, 3, "counts", head);
	json_array_foreach(json_object_get(camp, "scale"), i, e) {
		worksheet_write_string(ws, (lxw_row_t)(i + 1), 0, json_string_value(json_object_get(e, "value")), NULL);
		worksheet_write_string(ws, (lxw_row_t)(i + 1), 1, json_string_value(json_object_get(e, "label_ja")), NULL);
		worksheet_write_string(ws, (lxw_row_t)(i + 1), 2, json_string_value(json_object_get(e, "label_en")), NULL);
		worksheet_write_string(ws, (lxw_row_t)(i + 1), 3, json_string_value(json_object_get(e, "counts")), NULL);
	}

	memset(&sw, 0, sizeof(sw));
	sw.ws = workbook_add_worksheet(wb, "Answers");
	sw.head = head;
	r = kj_answers_export_csv(ctx, campaign, sheet_write, &sw);
	free(sw.pending);
	if (r != KJ_OK)
		goto out;
	if (workbook_close(wb) != LXW_NO_ERROR) {
		wb = NULL;
		r = kj_failf(ctx, KJ_ERR_IO, "%s: cannot write the workbook", path);
		goto out;
	}
	wb = NULL;
out:
	if (wb != NULL)
		workbook_close(wb);
	json_decref(camp);
	json_decref(roll);
	return r;
}

kj_err
kj_campaign_export_oscal(struct kj_ctx *ctx, const char *campaign, const char *now, json_t **out)
{
	json_t *camp = NULL, *roll = NULL, *row, *controls, *obs, *findings, *doc;
	char doc_uuid[37], res_uuid[37], plan_uuid[37], start[32], href[40];
	size_t i;
	kj_err r;

	if ((r = kj_campaign_get(ctx, campaign, &camp)) != KJ_OK)
		return r;
	if ((r = kj_rollup(ctx, campaign, "requirement", NULL, &roll)) != KJ_OK) {
		json_decref(camp);
		return r;
	}
	kj_uuid_v4(doc_uuid);
	kj_uuid_v4(res_uuid);
	kj_uuid_v4(plan_uuid);
	snprintf(start, sizeof(start), "%sT00:00:00Z", json_string_value(json_object_get(camp, "opens_on")));
	snprintf(href, sizeof(href), "#%s", plan_uuid);
	controls = json_array();
	obs = json_array();
	findings = json_array();
	json_array_foreach(json_object_get(roll, "rows"), i, row) {
		const char *num = json_string_value(json_object_get(row, "key"));
		json_t *rate = json_object_get(row, "rate");
		char token[160], target[180], ouuid[37], fuuid[37], desc[300];
		int satisfied = json_is_real(rate) && json_real_value(rate) >= 0.9999;

		kj_oscal_token(num, token, sizeof(token));
		snprintf(target, sizeof(target), "%s_smt", token);
		kj_uuid_v4(ouuid);
		kj_uuid_v4(fuuid);
		snprintf(desc, sizeof(desc),
			 "Self-inspection answers for %s: %lld done, %lld partial, %lld not done, %lld not applicable.", num,
			 (long long)json_integer_value(json_object_get(row, "done")),
			 (long long)json_integer_value(json_object_get(row, "partial")),
			 (long long)json_integer_value(json_object_get(row, "not_done")),
			 (long long)json_integer_value(json_object_get(row, "excluded")));
		json_array_append_new(controls, json_pack("{s:s}", "control-id", token));
		json_array_append_new(obs, json_pack("{s:s, s:s, s:[s], s:s, s:[{s:s, s:s}, {s:s, s:s, s:s}]}", "uuid", ouuid,
						     "description", desc, "methods", "INTERVIEW", "collected", now, "props",
						     "name", "label", "value", num, "name", "implementation-rate", "ns",
						     "urn:kijun:oscal", "value",
						     "n/a"));
		if (json_is_real(rate)) {
			char v[32];

			snprintf(v, sizeof(v), "%.4f", json_real_value(rate));
			json_object_set_new(json_array_get(json_object_get(json_array_get(obs, json_array_size(obs) - 1), "props"), 1),
					    "value", json_string(v));
		}
		json_array_append_new(findings, json_pack("{s:s, s:s, s:s, s:{s:s, s:s, s:{s:s}}, s:[{s:s}]}", "uuid", fuuid,
							  "title", num, "description", desc, "target", "type", "statement-id",
							  "target-id", target, "status", "state",
							  satisfied ? "satisfied" : "not-satisfied", "related-observations",
							  "observation-uuid", ouuid));
	}
	if (json_array_size(controls) == 0) {
		json_decref(controls);
		controls = NULL;
	}
	doc = json_pack("{s:{s:s, s:{s:s, s:s, s:s, s:s}, s:{s:s}, s:[{s:s, s:s, s:s, s:s, s:s, s:{s:[{s:o}]}}], "
			"s:{s:[{s:s, s:s, s:s}]}}}",
			"assessment-results", "uuid", doc_uuid, "metadata", "title", json_string_value(json_object_get(camp, "title_en")),
			"last-modified", now, "version", campaign, "oscal-version", "1.0.6", "import-ap", "href", href, "results",
			"uuid", res_uuid, "title", json_string_value(json_object_get(camp, "title_en")), "description",
			"Results of a kijun self-inspection campaign, one finding per requirement.", "start", start, "end", now,
			"reviewed-controls", "control-selections", controls ? "include-controls" : "include-all",
			controls ? controls : json_object(), "back-matter", "resources",
			"uuid", plan_uuid, "title", "Self-inspection plan", "description",
			"The campaign's items, scale and checklists as kijun keeps them.");
	if (doc == NULL) {
		json_decref(obs);
		json_decref(findings);
		r = kj_failf(ctx, KJ_ERR_NOMEM, "out of memory");
	} else {
		json_t *res = json_array_get(json_object_get(json_object_get(doc, "assessment-results"), "results"), 0);

		if (json_array_size(obs) > 0) {
			json_object_set_new(res, "observations", obs);
			json_object_set_new(res, "findings", findings);
		} else {
			json_decref(obs);
			json_decref(findings);
		}
		*out = doc;
	}
	json_decref(camp);
	json_decref(roll);
	return r;
}
