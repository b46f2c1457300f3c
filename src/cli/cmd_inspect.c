/*
 * cmd_inspect.c: kijun inspect: self-inspection campaigns, checklists, answers, results,
 * notes, imports and exports, on the database or (with --server) through
 * /api/v1/campaigns, /api/v1/checklists and /api/v1/notes. The model and the API give the
 * same JSON; one printer per subcommand prints from it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/jsonin.h"
#include "base/limits.h"
#include "base/outfile.h"
#include "base/util.h"
#include "cli.h"
#include "formats/inspection_export.h"
#include "model/inspection.h"
#include "term.h"

static double
rate_pct(json_t *o)
{
	json_t *r = json_object_get(o, "rate");

	return json_is_number(r) ? 100.0 * json_number_value(r) : -1.0;
}

static void
print_campaigns(json_t *a)
{
	json_t *cp;
	size_t i;

	printf("%-24s %-8s %4s %-7s %-10s %5s %6s  %s\n", "CAMPAIGN", "ORG", "FY", "STATUS", "DUE", "ITEMS", "SUBMIT", "TITLE");
	json_array_foreach(a, i, cp)
		printf("%-24s %-8s %4lld %-7s %-10s %5lld %3lld/%-3lld %s\n", cli_str(cp, "code"), cli_str(cp, "org"),
		       (long long)cli_int(cp, "fiscal_year"), cli_str(cp, "status"), cli_str(cp, "due_on"),
		       (long long)cli_int(cp, "items"), (long long)cli_int(cp, "submitted"), (long long)cli_int(cp, "checklists"),
		       cli_str(cp, "title_en"));
}

static void
print_campaign(json_t *cp)
{
	json_t *it;
	size_t i;

	printf("%s  %s / %s\n", cli_str(cp, "code"), cli_str(cp, "title_ja"), cli_str(cp, "title_en"));
	printf("organisation %s, fiscal year %lld, edition %s, %s, %s to %s%s%s\n", cli_str(cp, "org"),
	       (long long)cli_int(cp, "fiscal_year"), cli_str(cp, "edition"), cli_str(cp, "status"), cli_str(cp, "opens_on"),
	       cli_str(cp, "due_on"), cli_str(cp, "mandated_by")[0] ? "; mandated by " : "", cli_str(cp, "mandated_by"));
	printf("%lld checklists, %lld submitted\n", (long long)cli_int(cp, "checklists"), (long long)cli_int(cp, "submitted"));
	json_array_foreach(json_object_get(cp, "item_list"), i, it)
		printf("  %-16s %-14s %s\n", cli_str(it, "requirement"), cli_str(it, "role"), cli_str(it, "question_en"));
}

static void
print_checklists(json_t *a)
{
	json_t *k;
	size_t i;

	json_array_foreach(a, i, k)
		printf("%s  %-22s %-10s %-9s due %s  %lld/%lld answered\n", cli_str(k, "id"), cli_str(k, "campaign"),
		       cli_str(k, "unit"), cli_str(k, "status"), cli_str(k, "due_on"), (long long)cli_int(k, "answered"),
		       (long long)cli_int(k, "total"));
}

static void
print_checklist(json_t *k)
{
	json_t *it;
	size_t i;

	printf("checklist %s in %s (%s), %s, due %s: %lld of %lld answered\n", cli_str(k, "id"), cli_str(k, "campaign"),
	       cli_str(k, "role"), cli_str(k, "status"), cli_str(k, "due_on"), (long long)cli_int(k, "answered"),
	       (long long)cli_int(k, "total"));
	json_array_foreach(json_object_get(k, "items"), i, it)
		printf("  %-16s %-16s %s\n", cli_str(it, "requirement"), cli_str(it, "value")[0] ? cli_str(it, "value") : "-",
		       cli_str(it, "question_en"));
}

static void
print_results(json_t *j)
{
	json_t *row, *t = json_object_get(j, "total");
	size_t i;

	printf("results of %s by %s%s%s: %lld answers, rate %.1f%%", cli_str(j, "campaign"), cli_str(j, "by"),
	       cli_str(j, "under")[0] ? " under " : "", cli_str(j, "under"), (long long)cli_int(t, "answers"), rate_pct(t));
	if (json_object_get(j, "previous"))
		printf(" (previous %s: %.1f%%)", cli_str(json_object_get(j, "previous"), "campaign"),
		       rate_pct(json_object_get(json_object_get(j, "previous"), "total")));
	printf("\n  %-20s %6s %6s %6s %6s %7s %7s\n", "KEY", "DONE", "PART", "NOT", "N/A", "RATE", "BEFORE");
	json_array_foreach(json_object_get(j, "rows"), i, row) {
		json_t *p = json_object_get(row, "previous_rate");

		printf("  %-20s %6lld %6lld %6lld %6lld %6.1f%%", cli_str(row, "key"), (long long)cli_int(row, "done"),
		       (long long)cli_int(row, "partial"), (long long)cli_int(row, "not_done"), (long long)cli_int(row, "excluded"),
		       rate_pct(row));
		if (json_is_number(p))
			printf(" %6.1f%%", 100.0 * json_number_value(p));
		printf("\n");
	}
	printf("  weakest:");
	json_array_foreach(json_object_get(j, "weakest"), i, row)
		printf(" %s (%.0f%%)", cli_str(row, "requirement"), rate_pct(row));
	printf("\n");
}

static void
print_overdue(json_t *j)
{
	json_t *o;
	size_t i;

	json_array_foreach(json_object_get(j, "items"), i, o)
		printf("%-22s %-16s %-10s due %s  %lld answered  %s\n", cli_str(o, "campaign"), cli_str(o, "user"), cli_str(o, "unit"),
		       cli_str(o, "due_on"), (long long)cli_int(o, "answered"), cli_str(o, "checklist"));
}

static void
print_notes(json_t *j)
{
	json_t *o;
	size_t i;

	json_array_foreach(json_object_get(j, "items"), i, o)
		printf("%s  %-11s %-10s %-6s %-12s %s\n", cli_str(o, "id"), cli_str(o, "kind"), cli_str(o, "org"), cli_str(o, "status"),
		       cli_str(o, "requirement"), cli_str(o, "text"));
}

static int
show(int json, json_t *j, void (*printer)(json_t *))
{
	if (json)
		return cli_print_json(j);
	printer(j);
	json_decref(j);
	return 0;
}

static long
file_read(void *arg, char *buf, size_t size)
{
	size_t n = fread(buf, 1, size, arg);

	return n == 0 && ferror((FILE *)arg) ? -1 : (long)n;
}

static int
out_write(void *arg, const char *data, size_t len)
{
	return fwrite(data, 1, len, arg) == len ? 0 : -1;
}

/* The campaign's results as an .xlsx file in memory (*data_out, free with free()). The
 * spreadsheet library writes to a path: it gets one in a directory of this process's own
 * (mode 0700), removed afterwards. */
static kj_err
export_xlsx(struct kj_ctx *ctx, const char *campaign, char **data_out, size_t *len_out)
{
	char dir[] = "/tmp/kijun-xlsx.XXXXXX", path[64];
	kj_err r;

	*data_out = NULL;
	if (mkdtemp(dir) == NULL)
		return kj_failf(ctx, KJ_ERR_IO, "cannot make a temporary directory: %s", strerror(errno));
	snprintf(path, sizeof(path), "%s/export.xlsx", dir);
	r = kj_campaign_export_xlsx(ctx, campaign, path);
	if (r == KJ_OK)
		r = kj_file_read(ctx, path, 256u << 20, data_out, len_out);
	unlink(path);
	rmdir(dir);
	return r;
}

static void
campaign_path(struct kj_buf *b, const char *code, const char *tail)
{
	kj_buf_puts(b, "/api/v1/campaigns/");
	cli_url_seg(b, code);
	if (tail)
		kj_buf_puts(b, tail);
}

/* A JSON option: inline JSON, or @FILE. */
static json_t *
json_opt(struct cli *c, const char *v, const char *what, kj_err *r)
{
	json_t *j = NULL;
	char *data = NULL;
	size_t len;

	*r = KJ_OK;
	if (v == NULL)
		return NULL;
	if (v[0] == '@') {
		if ((*r = kj_file_read(&c->ctx, v + 1, 1u << 20, &data, &len)) != KJ_OK)
			return NULL;
		*r = kj_json_parse(&c->ctx, v + 1, data, len, &j);
		free(data);
		return j;
	}
	*r = kj_json_parse(&c->ctx, what, v, strlen(v), &j);
	return j;
}

int
cmd_inspect(struct cli *c, int argc, char **argv)
{
	static const char *const subs[] = {"list", "create", "show", "open", "close", "mandate", "assign", "checklists",
					   "checklist", "answer", "submit", "reopen", "results", "overdue", "import",
					   "export", "note", "notes", "done", NULL};
	struct opt opts[] = {{"json", 0, NULL, 0},	{"org", 1, NULL, 0},	 {"fy", 1, NULL, 0},
			     {"code", 1, NULL, 0},	{"title-ja", 1, NULL, 0}, {"title-en", 1, NULL, 0},
			     {"edition", 1, NULL, 0},	{"opens", 1, NULL, 0},	 {"due", 1, NULL, 0},
			     {"select", 1, NULL, 0},	{"scale", 1, NULL, 0},	 {"user", 1, NULL, 0},
			     {"unit", 1, NULL, 0},	{"role", 1, NULL, 0},	 {"comment", 1, NULL, 0},
			     {"by", 1, NULL, 0},	{"under", 1, NULL, 0},	 {"format", 1, NULL, 0},
			     {"out", 1, NULL, 0},	{"kind", 1, NULL, 0},	 {"text", 1, NULL, 0},
			     {"requirement", 1, NULL, 0}, {NULL, 0, NULL, 0}};
	static char cmdname[32];
	const char *pos[4];
	struct kj_buf path;
	json_t *out = NULL, *body = NULL;
	int n, i, rc = 0, json;
	kj_err r = KJ_OK;

	if (argc < 1)
		return cli_usage(c, "expected a subcommand (see kijun help inspect)");
	for (i = 0; subs[i] != NULL && strcmp(subs[i], argv[0]) != 0; i++)
		;
	if (subs[i] == NULL)
		return cli_usage(c, "unknown subcommand \"%s\"", argv[0]);
	snprintf(cmdname, sizeof(cmdname), "inspect %s", subs[i]);
	c->cmd = cmdname;
	if ((n = cli_parse(c, argc - 1, argv + 1, opts, pos, 4)) < 0)
		return EXIT_USAGE;
	json = cli_opt(opts, "json")->set;
	kj_buf_init(&path, 0);
#define NEED(k, msg)                                   \
	if (n != (k)) {                                \
		kj_buf_free(&path);                    \
		return cli_usage(c, "%s", msg);        \
	}
	if (!c->server && (rc = cli_open(c, 0)) != 0)
		return rc;
	switch (i) {
	case 0: { /* list */
		int64_t fy = 0;

		NEED(0, "list takes --org and --fy, no arguments");
		if (cli_opt(opts, "fy")->val && kj_parse_int64(cli_opt(opts, "fy")->val, 1900, 2999, &fy) != 0) {
			rc = cli_usage(c, "--fy: expected a fiscal year such as 2025");
			break;
		}
		if (c->server) {
			kj_buf_puts(&path, "/api/v1/campaigns");
			cli_url_query(&path, "org", cli_opt(opts, "org")->val);
			cli_url_query(&path, "fiscal_year", cli_opt(opts, "fy")->val);
			rc = cli_get_all(c, kj_buf_cstr(&path), 0, &out);
		} else {
			r = kj_campaign_list(&c->ctx, cli_opt(opts, "org")->val, (int)fy, NULL, 0, &out, NULL);
		}
		if (rc == 0 && r == KJ_OK)
			rc = show(json, out, print_campaigns), out = NULL;
		break;
	}
	case 1: { /* create */
		struct kj_campaign_new in;
		json_t *sel, *scale;

		NEED(0, "create takes options only: --code --org --title-ja --title-en --edition --opens --due [--select] [--scale]");
		memset(&in, 0, sizeof(in));
		in.code = cli_opt(opts, "code")->val;
		in.org = cli_opt(opts, "org")->val;
		in.title_ja = cli_opt(opts, "title-ja")->val;
		in.title_en = cli_opt(opts, "title-en")->val;
		in.edition = cli_opt(opts, "edition")->val;
		in.opens_on = cli_opt(opts, "opens")->val;
		in.due_on = cli_opt(opts, "due")->val;
		if (!in.code || !in.org || !in.title_ja || !in.title_en || !in.edition || !in.opens_on || !in.due_on) {
			rc = cli_usage(c, "--code, --org, --title-ja, --title-en, --edition, --opens and --due are required");
			break;
		}
		sel = json_opt(c, cli_opt(opts, "select")->val, "--select", &r);
		if (r != KJ_OK)
			break;
		scale = json_opt(c, cli_opt(opts, "scale")->val, "--scale", &r);
		if (r != KJ_OK) {
			json_decref(sel);
			break;
		}
		in.select = sel;
		in.scale = scale;
		if (c->server) {
			body = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "code", in.code, "org", in.org, "title_ja", in.title_ja,
					 "title_en", in.title_en, "edition", in.edition, "opens_on", in.opens_on, "due_on", in.due_on);
			if (sel)
				json_object_set(body, "select", sel);
			if (scale)
				json_object_set(body, "scale", scale);
			rc = cli_send(c, "POST", "/api/v1/campaigns", body, NULL, &out);
		} else {
			size_t nitems = 0;

			r = kj_campaign_create(&c->ctx, &in, &nitems);
			if (r == KJ_OK)
				out = json_pack("{s:s, s:I, s:s}", "code", in.code, "items", (json_int_t)nitems, "status", "draft");
		}
		json_decref(sel);
		json_decref(scale);
		if (rc == 0 && r == KJ_OK && !json) {
			printf("created campaign %s with %lld items (draft)\n", cli_str(out, "code"), (long long)cli_int(out, "items"));
			json_decref(out);
			out = NULL;
		}
		break;
	}
	case 2: /* show */
		NEED(1, "expected a campaign");
		if (c->server) {
			campaign_path(&path, pos[0], NULL);
			rc = cli_get(c, kj_buf_cstr(&path), &out, NULL);
		} else {
			r = kj_campaign_get(&c->ctx, pos[0], &out);
		}
		if (rc == 0 && r == KJ_OK)
			rc = show(json, out, print_campaign), out = NULL;
		break;
	case 3: /* open */
	case 4: /* close */
	case 5: /* mandate */
		NEED(1, "expected a campaign");
		if (c->server) {
			campaign_path(&path, pos[0], i == 5 ? "/mandate" : "/status");
			body = i == 5 ? json_object() : json_pack("{s:s}", "status", i == 3 ? "open" : "closed");
			rc = cli_send(c, "POST", kj_buf_cstr(&path), body, NULL, &out);
		} else if (i == 5) {
			size_t k = 0;

			r = kj_campaign_mandate(&c->ctx, pos[0], NULL, &k);
			if (r == KJ_OK)
				out = json_pack("{s:s, s:I}", "code", pos[0], "organisations", (json_int_t)k);
		} else {
			r = kj_campaign_set_status(&c->ctx, pos[0], i == 3 ? "open" : "closed");
			if (r == KJ_OK)
				out = json_pack("{s:s, s:s}", "code", pos[0], "status", i == 3 ? "open" : "closed");
		}
		if (rc == 0 && r == KJ_OK && !json) {
			if (i == 5)
				printf("mandated %s to %lld organisations\n", pos[0], (long long)cli_int(out, "organisations"));
			else
				printf("%s is %s\n", pos[0], cli_str(out, "status"));
			json_decref(out);
			out = NULL;
		}
		break;
	case 6: /* assign CAMPAIGN --user */
		NEED(1, "expected a campaign and --user NAME");
		if (cli_opt(opts, "user")->val == NULL) {
			rc = cli_usage(c, "--user is required");
			break;
		}
		if (c->server) {
			body = json_object();
			cli_put(c, body, "user", cli_opt(opts, "user")->val);
			cli_put(c, body, "unit", cli_opt(opts, "unit")->val);
			cli_put(c, body, "role", cli_opt(opts, "role")->val);
			cli_put(c, body, "due_on", cli_opt(opts, "due")->val);
			campaign_path(&path, pos[0], "/checklists");
			rc = cli_send(c, "POST", kj_buf_cstr(&path), body, NULL, &out);
		} else {
			char uuid[37];

			r = kj_checklist_assign(&c->ctx, pos[0], cli_opt(opts, "user")->val, cli_opt(opts, "unit")->val,
						cli_opt(opts, "role")->val, cli_opt(opts, "due")->val, uuid);
			if (r == KJ_OK)
				out = json_pack("{s:s}", "id", uuid);
		}
		if (rc == 0 && r == KJ_OK && !json) {
			printf("checklist %s\n", cli_str(out, "id"));
			json_decref(out);
			out = NULL;
		}
		break;
	case 7: /* checklists (mine) */
		NEED(0, "checklists takes no arguments");
		if (c->server) {
			rc = cli_get_all(c, "/api/v1/checklists", 0, &out);
		} else {
			r = kj_checklist_mine(&c->ctx, &out);
		}
		if (rc == 0 && r == KJ_OK)
			rc = show(json, out, print_checklists), out = NULL;
		break;
	case 8: /* checklist ID */
		NEED(1, "expected a checklist id");
		if (c->server) {
			kj_buf_puts(&path, "/api/v1/checklists/");
			cli_url_seg(&path, pos[0]);
			rc = cli_get(c, kj_buf_cstr(&path), &out, NULL);
		} else {
			r = kj_checklist_get(&c->ctx, pos[0], &out);
		}
		if (rc == 0 && r == KJ_OK)
			rc = show(json, out, print_checklist), out = NULL;
		break;
	case 9: /* answer ID REQUIREMENT VALUE */
		NEED(3, "expected CHECKLIST REQUIREMENT VALUE [--comment TEXT]");
		if (c->server) {
			body = json_pack("{s:s}", "value", pos[2]);
			cli_put(c, body, "comment", cli_opt(opts, "comment")->val);
			kj_buf_puts(&path, "/api/v1/checklists/");
			cli_url_seg(&path, pos[0]);
			kj_buf_puts(&path, "/answers/");
			cli_url_seg(&path, pos[1]);
			rc = cli_send(c, "PUT", kj_buf_cstr(&path), body, NULL, &out);
		} else {
			r = kj_answer_put(&c->ctx, pos[0], pos[1], pos[2], cli_opt(opts, "comment")->val, NULL);
			if (r == KJ_OK)
				out = json_pack("{s:s, s:s}", "requirement", pos[1], "value", pos[2]);
		}
		if (rc == 0 && r == KJ_OK && !json) {
			printf("%s: %s\n", cli_str(out, "requirement"), cli_str(out, "value"));
			json_decref(out);
			out = NULL;
		}
		break;
	case 10: /* submit */
	case 11: /* reopen */
		NEED(1, "expected a checklist id");
		if (c->server) {
			kj_buf_puts(&path, "/api/v1/checklists/");
			cli_url_seg(&path, pos[0]);
			kj_buf_puts(&path, i == 10 ? "/submit" : "/reopen");
			body = json_object();
			rc = cli_send(c, "POST", kj_buf_cstr(&path), body, NULL, &out);
		} else {
			r = i == 10 ? kj_checklist_submit(&c->ctx, pos[0]) : kj_checklist_reopen(&c->ctx, pos[0]);
			if (r == KJ_OK)
				out = json_pack("{s:s, s:s}", "id", pos[0], "status", i == 10 ? "submitted" : "open");
		}
		if (rc == 0 && r == KJ_OK && !json) {
			printf("checklist %s is %s\n", pos[0], cli_str(out, "status"));
			json_decref(out);
			out = NULL;
		}
		break;
	case 12: /* results */
		NEED(1, "expected a campaign [--by item|requirement|unit|org|role] [--under ORG]");
		if (c->server) {
			campaign_path(&path, pos[0], "/results");
			cli_url_query(&path, "by", cli_opt(opts, "by")->val);
			cli_url_query(&path, "under", cli_opt(opts, "under")->val);
			rc = cli_get(c, kj_buf_cstr(&path), &out, NULL);
		} else {
			r = kj_rollup(&c->ctx, pos[0], cli_opt(opts, "by")->val, cli_opt(opts, "under")->val, &out);
		}
		if (rc == 0 && r == KJ_OK)
			rc = show(json, out, print_results), out = NULL;
		break;
	case 13: /* overdue */
		NEED(1, "expected a campaign");
		if (c->server) {
			campaign_path(&path, pos[0], "/overdue");
			rc = cli_get(c, kj_buf_cstr(&path), &out, NULL);
		} else {
			json_t *a = NULL;

			r = kj_checklist_overdue(&c->ctx, pos[0], &a);
			if (r == KJ_OK)
				out = json_pack("{s:o}", "items", a);
		}
		if (rc == 0 && r == KJ_OK)
			rc = show(json, out, print_overdue), out = NULL;
		break;
	case 14: { /* import CAMPAIGN FILE */
		json_t *report = NULL;
		size_t rows = 0;

		NEED(2, "expected CAMPAIGN FILE.csv");
		if (c->server) {
			char *data = NULL;
			size_t len = 0;
			struct cli_call call = {0};

			if ((r = kj_file_read(&c->ctx, pos[1], KJ_MAX_CATALOG_BYTES, &data, &len)) != KJ_OK)
				break;
			campaign_path(&path, pos[0], "/answers");
			call.method = "POST";
			call.path = kj_buf_cstr(&path);
			call.body = data;
			call.body_len = len;
			call.content_type = "text/csv";
			call.body_name = pos[1];
			rc = cli_request(c, &call, &out);
			free(data);
		} else {
			FILE *f = fopen(pos[1], "rb");

			if (f == NULL) {
				r = kj_failf(&c->ctx, KJ_ERR_IO, "%s: cannot open", pos[1]);
				break;
			}
			r = kj_answers_import_csv(&c->ctx, pos[0], pos[1], file_read, f, &rows, &report);
			fclose(f);
			if (r == KJ_OK)
				out = json_pack("{s:s, s:I}", "campaign", pos[0], "rows", (json_int_t)rows);
			if (r != KJ_OK && report != NULL) {
				json_t *row;
				size_t k;

				json_array_foreach(json_object_get(report, "rows"), k, row)
					fprintf(stderr, "%s:%lld: %s: %s\n", pos[1], (long long)cli_int(row, "row"), cli_str(row, "column"),
						cli_str(row, "message"));
				json_decref(report);
			}
		}
		if (rc == 0 && r == KJ_OK && !json) {
			printf("imported %lld row(s) into %s\n", (long long)cli_int(out, "rows"), cli_str(out, "campaign"));
			json_decref(out);
			out = NULL;
		}
		break;
	}
	case 15: { /* export --format csv|xlsx|oscal CAMPAIGN [--out FILE] */
		const char *fmt = cli_opt(opts, "format")->val ? cli_opt(opts, "format")->val : "csv";
		const char *to = cli_opt(opts, "out")->val;
		struct kj_outfile of = {0};
		FILE *f = cli_raw_stdout();

		NEED(1, "expected --format csv|xlsx|oscal CAMPAIGN [--out FILE]");
		if (strcmp(fmt, "csv") != 0 && strcmp(fmt, "xlsx") != 0 && strcmp(fmt, "oscal") != 0) {
			rc = cli_usage(c, "--format: expected csv, xlsx or oscal");
			break;
		}
		if (strcmp(fmt, "xlsx") == 0 && to == NULL && isatty(STDOUT_FILENO)) {
			rc = cli_usage(c, "an .xlsx file is binary: give --out FILE or redirect standard output");
			break;
		}
		if (c->server) {
			struct kj_buf raw;
			struct cli_call call = {0};

			kj_buf_init(&raw, 0);
			campaign_path(&path, pos[0], "/export");
			cli_url_query(&path, "format", fmt);
			call.method = "GET";
			call.path = kj_buf_cstr(&path);
			call.raw_out = &raw;
			rc = cli_request(c, &call, &out);
			if (rc == 0)
				r = cli_write_bytes(&c->ctx, to, kj_buf_cstr(&raw), raw.len);
			kj_buf_free(&raw);
			break;
		}
		if (strcmp(fmt, "xlsx") == 0) {
			char *data = NULL;
			size_t len = 0;

			r = export_xlsx(&c->ctx, pos[0], &data, &len);
			if (r == KJ_OK)
				r = cli_write_bytes(&c->ctx, to, data, len);
			free(data);
			break;
		}
		if (strcmp(fmt, "csv") == 0) {
			if (to != NULL && (r = kj_outfile_open(&c->ctx, to, &of)) != KJ_OK)
				break;
			r = kj_answers_export_csv(&c->ctx, pos[0], out_write, of.f != NULL ? of.f : f);
			if (r == KJ_OK && to != NULL)
				r = kj_outfile_commit(&c->ctx, &of);
			else if (r == KJ_OK && fflush(f) != 0)
				r = kj_failf(&c->ctx, KJ_ERR_IO, "standard output: write failed");
			kj_outfile_abort(&of);
		} else {
			char now[21];
			json_t *doc = NULL;

			kj_time_format(kj_now(&c->ctx), now);
			r = kj_campaign_export_oscal(&c->ctx, pos[0], now, &doc);
			if (r == KJ_OK)
				r = cli_write_json(&c->ctx, to, doc);
			json_decref(doc);
		}
		break;
	}
	case 16: /* note CAMPAIGN --org --kind --text [--requirement] [--due] */
		NEED(1, "expected CAMPAIGN --org ORG --kind analysis|instruction --text TEXT");
		if (!cli_opt(opts, "org")->val || !cli_opt(opts, "kind")->val || !cli_opt(opts, "text")->val) {
			rc = cli_usage(c, "--org, --kind and --text are required");
			break;
		}
		if (c->server) {
			body = json_object();
			cli_put(c, body, "org", cli_opt(opts, "org")->val);
			cli_put(c, body, "kind", cli_opt(opts, "kind")->val);
			cli_put(c, body, "text", cli_opt(opts, "text")->val);
			cli_put(c, body, "requirement", cli_opt(opts, "requirement")->val);
			cli_put(c, body, "due_on", cli_opt(opts, "due")->val);
			campaign_path(&path, pos[0], "/notes");
			rc = cli_send(c, "POST", kj_buf_cstr(&path), body, NULL, &out);
		} else {
			char uuid[37];

			r = kj_note_add(&c->ctx, pos[0], cli_opt(opts, "org")->val, cli_opt(opts, "kind")->val,
					cli_opt(opts, "requirement")->val, cli_opt(opts, "text")->val, cli_opt(opts, "due")->val, uuid);
			if (r == KJ_OK)
				out = json_pack("{s:s}", "id", uuid);
		}
		if (rc == 0 && r == KJ_OK && !json) {
			printf("note %s\n", cli_str(out, "id"));
			json_decref(out);
			out = NULL;
		}
		break;
	case 17: /* notes CAMPAIGN */
		NEED(1, "expected a campaign");
		if (c->server) {
			campaign_path(&path, pos[0], "/notes");
			rc = cli_get(c, kj_buf_cstr(&path), &out, NULL);
		} else {
			json_t *a = NULL;

			r = kj_note_list(&c->ctx, pos[0], &a);
			if (r == KJ_OK)
				out = json_pack("{s:o}", "items", a);
		}
		if (rc == 0 && r == KJ_OK)
			rc = show(json, out, print_notes), out = NULL;
		break;
	case 18: /* done NOTE */
		NEED(1, "expected an instruction's id");
		if (c->server) {
			kj_buf_puts(&path, "/api/v1/notes/");
			cli_url_seg(&path, pos[0]);
			kj_buf_puts(&path, "/done");
			body = json_object();
			rc = cli_send(c, "POST", kj_buf_cstr(&path), body, NULL, &out);
		} else {
			r = kj_note_done(&c->ctx, pos[0]);
			if (r == KJ_OK)
				out = json_pack("{s:s, s:s}", "id", pos[0], "status", "done");
		}
		if (rc == 0 && r == KJ_OK && !json) {
			printf("instruction %s is done\n", pos[0]);
			json_decref(out);
			out = NULL;
		}
		break;
	}
#undef NEED
	if (!c->server)
		cli_close(c);
	json_decref(body);
	kj_buf_free(&path);
	if (rc != 0) {
		json_decref(out);
		return rc;
	}
	if (r != KJ_OK) {
		json_decref(out);
		return cli_fail(c, r);
	}
	if (out != NULL)
		return cli_print_json(out);
	return 0;
}
