/*
 * cmd_plan.c: kijun recommendation and kijun plan: recommendations and improvement plans
 * (model/plan.h), on the database or (with --server) through /api/v1/recommendations and
 * /api/v1/plans; and the export of the plans in scope as an OSCAL plan of action and
 * milestones (GET /api/v1/poam). As in cmd_audits.c, each subcommand builds the API's
 * request body once (struct cli_req); locally the model is called with the values read back
 * from that body, and its result is shaped as the API's reply, so that one printer per
 * subcommand prints both modes alike.
 *
 * Locally the command acts as the local administrator, as every local command does; a step
 * the library keeps for the reviewer's, the issuer's or the organisation's officers may be
 * refused locally, and is then taken through a server with their token.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "cli.h"
#include "cli_req.h"
#include "formats/poam_export.h"
#include "model/plan.h"
#include "term.h"

/* ---- Printers ---------------------------------------------------------------------------- */

static void
print_recommendations(json_t *a)
{
	json_t *r;
	size_t i;

	printf("%-24s %-10s %-10s %-10s %-10s %-9s %s\n", "RECOMMENDATION", "ISSUER", "ORG", "ISSUED", "DUE", "STATUS", "PLAN");
	json_array_foreach(a, i, r)
		printf("%-24s %-10s %-10s %-10s %-10s %-9s %s\n", cli_str(r, "code"), cli_str(r, "issuer"), cli_str(r, "org"),
		       cli_str(r, "issued_on"), cli_str(r, "due_on"), cli_str(r, "status"),
		       cli_strn(r, "plan") ? cli_str(r, "plan") : "-");
}

static void
print_recommendation_added(json_t *r)
{
	printf("issued recommendation %s from %s%s to %s, due %s, citing %zu finding(s)\n", cli_str(r, "code"),
	       cli_str(r, "issuer"), strcmp(cli_str(r, "authority"), "council") == 0 ? " for the council" : "", cli_str(r, "org"),
	       cli_str(r, "due_on"), json_array_size(json_object_get(r, "findings")));
}

static void
print_status(json_t *j)
{
	printf("%s is %s\n", cli_str(j, "code"), cli_str(j, "status"));
}

static void
print_plan(json_t *p)
{
	json_t *m;
	size_t i;

	printf("%s  plan of %s, %s, due %s\n", cli_str(p, "code"), cli_str(p, "org"), cli_str(p, "status"), cli_str(p, "due_on"));
	printf("recommendation %s, reviewer %s\n", cli_strn(p, "recommendation") ? cli_str(p, "recommendation") : "none",
	       cli_str(p, "reviewer"));
	printf("%s\n", cli_str(p, "text"));
	printf("measures:%s\n", json_array_size(json_object_get(p, "measures")) == 0 ? " none yet" : "");
	json_array_foreach(json_object_get(p, "measures"), i, m)
		printf("  %2lld %-4s %-10s %-16s %s%s\n", (long long)cli_int(m, "n"), cli_str(m, "status"), cli_str(m, "due_on"),
		       cli_str(m, "owner"), cli_str(m, "text"), json_is_true(json_object_get(m, "overdue")) ? " (overdue)" : "");
	printf("reports:%s\n", json_array_size(json_object_get(p, "reports")) == 0 ? " none yet" : "");
	json_array_foreach(json_object_get(p, "reports"), i, m)
		printf("  %s %3lld%%  %s\n", cli_str(m, "reported_on"), (long long)cli_int(m, "percent"), cli_str(m, "text"));
}

static void
print_plan_added(json_t *p)
{
	printf("added plan %s of %s (%s), due %s\n", cli_str(p, "code"), cli_str(p, "org"), cli_str(p, "status"),
	       cli_str(p, "due_on"));
}

static void
print_measure(json_t *m)
{
	printf("measure %lld of %s is %s\n", (long long)cli_int(m, "n"), cli_str(m, "plan"), cli_str(m, "status"));
}

static void
print_report(json_t *r)
{
	printf("reported %lld%% on %s for %s\n", (long long)cli_int(r, "percent"), cli_str(r, "reported_on"), cli_str(r, "plan"));
}

static void
print_plans(json_t *a)
{
	json_t *p;
	size_t i;

	printf("%-20s %-10s %-11s %-10s %8s %4s %7s %s\n", "PLAN", "ORG", "STATUS", "DUE", "MEASURES", "OPEN", "OVERDUE",
	       "RECOMMENDATION");
	json_array_foreach(a, i, p)
		printf("%-20s %-10s %-11s %-10s %8lld %4lld %7lld %s\n", cli_str(p, "code"), cli_str(p, "org"), cli_str(p, "status"),
		       cli_str(p, "due_on"), (long long)cli_int(p, "measures"), (long long)cli_int(p, "open"),
		       (long long)cli_int(p, "overdue"), cli_strn(p, "recommendation") ? cli_str(p, "recommendation") : "-");
}

static void
print_overdue(json_t *j)
{
	json_t *m;
	size_t i;

	printf("%-20s %-10s %3s %-10s %-16s %s\n", "PLAN", "ORG", "N", "DUE", "OWNER", "MEASURE");
	json_array_foreach(json_object_get(j, "items"), i, m)
		printf("%-20s %-10s %3lld %-10s %-16s %s\n", cli_str(m, "plan"), cli_str(m, "org"), (long long)cli_int(m, "n"),
		       cli_str(m, "due_on"), cli_str(m, "owner"), cli_str(m, "text"));
}

/* ---- Running a subcommand (as in cmd_audits.c) ------------------------------------------- */

/* Sets the body's "findings" to the comma-separated list s (when given). */
static void
put_findings(struct cli_req *q, const char *s)
{
	json_t *a;

	if (s == NULL || q->rc != 0)
		return;
	if ((a = cli_split_list(q->c, "findings", s)) == NULL) {
		q->rc = 1;
		return;
	}
	cli_req_set(q, "findings", a);
}

/* The body's findings as a fresh array of strings (*n of them); NULL when there are none. */
static const char **
body_findings(struct cli_req *q, size_t *n)
{
	json_t *a = json_object_get(q->body, "findings");
	const char **v;
	size_t i;

	*n = json_array_size(a);
	if (*n == 0 || (v = calloc(*n, sizeof(*v))) == NULL)
		return NULL;
	for (i = 0; i < *n; i++)
		v[i] = json_string_value(json_array_get(a, i));
	return v;
}

/* ---- kijun recommendation ---------------------------------------------------------------- */

static kj_err
recommendation_add_local(struct cli_req *q, json_t **out)
{
	struct kj_recommendation_new in;
	json_t *all = NULL, *x;
	char uuid[37];
	size_t i;
	kj_err r;

	memset(&in, 0, sizeof(in));
	in.code = cli_strn(q->body, "code");
	in.issuer = cli_strn(q->body, "issuer");
	in.authority = cli_strn(q->body, "authority");
	in.org = cli_strn(q->body, "org");
	in.findings = body_findings(q, &in.nfindings);
	in.text = cli_strn(q->body, "text");
	in.due_on = cli_strn(q->body, "due_on");
	r = kj_recommendation_create(&q->c->ctx, &in, uuid);
	free((void *)in.findings);
	if (r != KJ_OK || (r = kj_recommendation_list(&q->c->ctx, in.org, in.issuer, NULL, 0, &all, NULL)) != KJ_OK)
		return r;
	json_array_foreach(all, i, x) {
		if (*out == NULL && strcmp(cli_str(x, "code"), in.code) == 0)
			*out = json_incref(x);
	}
	json_decref(all);
	return *out != NULL ? KJ_OK : kj_failf(&q->c->ctx, KJ_ERR_INTERNAL, "recommendation %s could not be read back", in.code);
}

static kj_err
recommendation_list_local(struct cli_req *q, json_t **out)
{
	return kj_recommendation_list(&q->c->ctx, cli_strn(q->body, "org"), cli_strn(q->body, "issuer"), NULL, 0, out, NULL);
}

static kj_err
recommendation_status_local(struct cli_req *q, json_t **out)
{
	kj_err r = kj_recommendation_set_status(&q->c->ctx, q->pos[0], cli_strn(q->body, "status"));

	if (r == KJ_OK)
		*out = json_pack("{s:s, s:s}", "code", q->pos[0], "status", cli_str(q->body, "status"));
	return r;
}

static const char *const rec_statuses[] = {"accepted", "closed", "withdrawn", NULL};
static const char *const plan_statuses[] = {"submitted", "accepted", "in_progress", "done", "verified", NULL};

/* 1 when s is one of names (NULL-terminated). */
static int
one_of(const char *s, const char *const *names)
{
	for (; *names != NULL; names++) {
		if (strcmp(s, *names) == 0)
			return 1;
	}
	return 0;
}

int
cmd_recommendation(struct cli *c, int argc, char **argv)
{
	static const char *const subs[] = {"add", "list", "status", NULL};
	struct opt opts[] = {{"json", 0, NULL, 0}, {"council", 0, NULL, 0}, {"org", 1, NULL, 0},
			     {"issuer", 1, NULL, 0}, {"findings", 1, NULL, 0}, {"text", 1, NULL, 0},
			     {"due", 1, NULL, 0}, {NULL, 0, NULL, 0}};
	const char *pos[2] = {NULL, NULL};
	struct cli_req q;
	int i, n, json;

	if ((i = cli_subcommand(c, "recommendation", subs, argc, argv, opts, pos, 2, &n)) < 0)
		return EXIT_USAGE;
	json = cli_opt(opts, "json")->set;
	if (i == 0) {
		if (n != 1 || cli_opt(opts, "org")->val == NULL || cli_opt(opts, "issuer")->val == NULL ||
		    cli_opt(opts, "findings")->val == NULL || cli_opt(opts, "text")->val == NULL || cli_opt(opts, "due")->val == NULL)
			return cli_usage(c, "expected CODE --org ORG --issuer ORG --findings ID,ID --text TEXT --due DATE");
		cli_req_at(&q, c, pos, "POST", "/api/v1/recommendations", 0, NULL);
		cli_req_put(&q, "code", pos[0]);
		cli_req_put(&q, "issuer", cli_opt(opts, "issuer")->val);
		cli_req_put(&q, "authority", cli_opt(opts, "council")->set ? "council" : NULL);
		cli_req_put(&q, "org", cli_opt(opts, "org")->val);
		put_findings(&q, cli_opt(opts, "findings")->val);
		cli_req_put(&q, "text", cli_opt(opts, "text")->val);
		cli_req_put(&q, "due_on", cli_opt(opts, "due")->val);
		return cli_req_run(&q, json, recommendation_add_local, print_recommendation_added);
	}
	if (i == 1) {
		if (n != 0)
			return cli_usage(c, "list takes --org and --issuer, no arguments");
		/* The filters, for the model, in a body that is never sent. */
		cli_req_at(&q, c, pos, "GET", "/api/v1/recommendations", 0, NULL);
		q.all_pages = 1;
		cli_req_put(&q, "org", cli_opt(opts, "org")->val);
		cli_req_put(&q, "issuer", cli_opt(opts, "issuer")->val);
		cli_url_query(&q.path, "org", cli_opt(opts, "org")->val);
		cli_url_query(&q.path, "issuer", cli_opt(opts, "issuer")->val);
		return cli_req_run(&q, json, recommendation_list_local, print_recommendations);
	}
	if (n != 2 || !one_of(pos[1], rec_statuses))
		return cli_usage(c, "expected RECOMMENDATION accepted|closed|withdrawn");
	cli_req_at(&q, c, pos, "POST", "/api/v1/recommendations/", 1, "/status");
	cli_req_put(&q, "status", pos[1]);
	return cli_req_run(&q, json, recommendation_status_local, print_status);
}

/* ---- kijun plan -------------------------------------------------------------------------- */

static kj_err
plan_add_local(struct cli_req *q, json_t **out)
{
	struct kj_plan_new in;
	char uuid[37];
	kj_err r;

	memset(&in, 0, sizeof(in));
	in.code = cli_strn(q->body, "code");
	in.recommendation = cli_strn(q->body, "recommendation");
	in.org = cli_strn(q->body, "org");
	in.findings = body_findings(q, &in.nfindings);
	in.text = cli_strn(q->body, "text");
	in.due_on = cli_strn(q->body, "due_on");
	r = kj_plan_create(&q->c->ctx, &in, uuid);
	free((void *)in.findings);
	if (r == KJ_OK)
		r = kj_plan_get(&q->c->ctx, in.code, out);
	return r;
}

static kj_err
plan_show_local(struct cli_req *q, json_t **out)
{
	return kj_plan_get(&q->c->ctx, q->pos[0], out);
}

static kj_err
plan_measure_local(struct cli_req *q, json_t **out)
{
	int n = 0;
	kj_err r = kj_plan_measure_add(&q->c->ctx, q->pos[0], cli_strn(q->body, "text"), cli_strn(q->body, "owner"),
				       cli_strn(q->body, "due_on"), &n);

	if (r == KJ_OK)
		*out = json_pack("{s:s, s:i, s:s, s:s, s:s, s:s}", "plan", q->pos[0], "n", n, "text", cli_str(q->body, "text"),
				 "owner", cli_str(q->body, "owner"), "due_on", cli_str(q->body, "due_on"), "status", "open");
	return r;
}

static kj_err
plan_done_local(struct cli_req *q, json_t **out)
{
	int n = (int)cli_int(q->body, "n");
	kj_err r = kj_plan_measure_done(&q->c->ctx, q->pos[0], n);

	if (r == KJ_OK)
		*out = json_pack("{s:s, s:i, s:s}", "plan", q->pos[0], "n", n, "status", "done");
	return r;
}

static kj_err
plan_status_local(struct cli_req *q, json_t **out)
{
	static const struct {
		const char *status;
		kj_err (*step)(struct kj_ctx *ctx, const char *plan);
	} steps[] = {
		{"submitted", kj_plan_submit}, {"accepted", kj_plan_accept}, {"in_progress", kj_plan_start},
		{"done", kj_plan_complete},    {"verified", kj_plan_verify},
	};
	const char *status = cli_str(q->body, "status");
	size_t i = 0;
	kj_err r;

	while (i < sizeof(steps) / sizeof(steps[0]) && strcmp(steps[i].status, status) != 0)
		i++;
	if (i == sizeof(steps) / sizeof(steps[0]))
		return kj_failf(&q->c->ctx, KJ_ERR_INVALID, "status: expected submitted, accepted, in_progress, done or verified");
	if ((r = steps[i].step(&q->c->ctx, q->pos[0])) == KJ_OK)
		*out = json_pack("{s:s, s:s}", "code", q->pos[0], "status", status);
	return r;
}

static kj_err
plan_report_local(struct cli_req *q, json_t **out)
{
	kj_err r = kj_plan_report_add(&q->c->ctx, q->pos[0], cli_strn(q->body, "reported_on"), (int)cli_int(q->body, "percent"),
				      cli_strn(q->body, "text"));

	if (r == KJ_OK)
		*out = json_pack("{s:s, s:s, s:I, s:s}", "plan", q->pos[0], "reported_on", cli_str(q->body, "reported_on"),
				 "percent", (json_int_t)cli_int(q->body, "percent"), "text", cli_str(q->body, "text"));
	return r;
}

static kj_err
plan_send_back_local(struct cli_req *q, json_t **out)
{
	char to[16] = "";
	kj_err r = kj_plan_send_back(&q->c->ctx, q->pos[0], cli_strn(q->body, "reason"), to);

	if (r == KJ_OK)
		*out = json_pack("{s:s, s:s}", "code", q->pos[0], "status", to);
	return r;
}

static kj_err
plan_overdue_local(struct cli_req *q, json_t **out)
{
	json_t *a = NULL;
	kj_err r = kj_plan_overdue_list(&q->c->ctx, cli_strn(q->body, "org"), &a);

	if (r == KJ_OK)
		*out = json_pack("{s:o}", "items", a);
	return r;
}

static kj_err
plan_list_local(struct cli_req *q, json_t **out)
{
	return kj_plan_list(&q->c->ctx, cli_strn(q->body, "org"), cli_strn(q->body, "status"), NULL, NULL, 0, out, NULL);
}

/* Writes doc (stolen) indented to the file to, or stdout when to is NULL. */
static int
write_doc(struct cli *c, json_t *doc, const char *to)
{
	kj_err r = cli_write_json(&c->ctx, to, doc);

	json_decref(doc);
	return r == KJ_OK ? 0 : cli_fail(c, r);
}

static int
plan_export(struct cli *c, struct opt *opts)
{
	const char *fmt = cli_opt(opts, "format")->val ? cli_opt(opts, "format")->val : "oscal";
	const char *org = cli_opt(opts, "org")->val;
	json_t *doc = NULL;
	int rc;
	kj_err r;

	if (strcmp(fmt, "oscal") != 0)
		return cli_usage(c, "--format: expected oscal");
	if (c->server != NULL) {
		struct kj_buf p;

		kj_buf_init(&p, 0);
		kj_buf_puts(&p, "/api/v1/poam");
		cli_url_query(&p, "org", org);
		rc = cli_get(c, kj_buf_cstr(&p), &doc, NULL);
		kj_buf_free(&p);
		if (rc != 0)
			return rc;
		return write_doc(c, doc, cli_opt(opts, "out")->val);
	}
	if ((rc = cli_open(c, 0)) != 0)
		return rc;
	r = kj_plans_export_oscal(&c->ctx, org, &doc);
	cli_close(c);
	if (r != KJ_OK)
		return cli_fail(c, r);
	return write_doc(c, doc, cli_opt(opts, "out")->val);
}

/* The subcommands of plan after export, by index: how many arguments, the usage, the
 * model's side and the printer. */
static const struct {
	int nargs;
	const char *usage;
	kj_err (*local)(struct cli_req *q, json_t **out);
	void (*printer)(json_t *);
} plan_subs[] = {
	{0, NULL, NULL, NULL},
	{1, "expected CODE (--recommendation R | --org ORG --findings ID,ID) --text TEXT --due DATE", plan_add_local,
	 print_plan_added},
	{1, "expected a plan's code", plan_show_local, print_plan},
	{1, "expected PLAN --text TEXT --owner USER --due DATE", plan_measure_local, print_measure},
	{2, "expected PLAN N (the number of a measure)", plan_done_local, print_measure},
	{2, "expected PLAN submitted|accepted|in_progress|done|verified", plan_status_local, print_status},
	{1, "expected PLAN --percent P --text TEXT [--date DATE]", plan_report_local, print_report},
	{0, "overdue takes --org, no arguments", plan_overdue_local, print_overdue},
	{1, "expected PLAN --reason TEXT", plan_send_back_local, print_status},
	{0, "list takes --org and --status, no arguments", plan_list_local, print_plans},
};

int
cmd_plan(struct cli *c, int argc, char **argv)
{
	static const char *const subs[] = {"export", "add",	"show",	  "measure",   "done",
					   "status", "report", "overdue", "send-back", "list", NULL};
	struct opt opts[] = {{"json", 0, NULL, 0},	  {"format", 1, NULL, 0}, {"org", 1, NULL, 0},
			     {"out", 1, NULL, 0},	  {"recommendation", 1, NULL, 0}, {"findings", 1, NULL, 0},
			     {"text", 1, NULL, 0},	  {"due", 1, NULL, 0},	  {"owner", 1, NULL, 0},
			     {"percent", 1, NULL, 0},	  {"date", 1, NULL, 0},	  {"reason", 1, NULL, 0},
			     {"status", 1, NULL, 0},	  {NULL, 0, NULL, 0}};
	const char *pos[2] = {NULL, NULL}, *text = NULL, *due = NULL;
	char today[11] = "";
	int64_t num = 0;
	struct cli_req q;
	int i, n;

	if ((i = cli_subcommand(c, "plan", subs, argc, argv, opts, pos, 2, &n)) < 0)
		return EXIT_USAGE;
	if (i == 0)
		return n != 0 ? cli_usage(c, "export takes --format, --org and --out, no arguments") : plan_export(c, opts);
	text = cli_opt(opts, "text")->val;
	due = cli_opt(opts, "due")->val;
	if (n != plan_subs[i].nargs || ((i == 1 || i == 3) && (text == NULL || due == NULL)) ||
	    (i == 1 && (cli_opt(opts, "recommendation")->val == NULL) ==
			       (cli_opt(opts, "org")->val == NULL || cli_opt(opts, "findings")->val == NULL)) ||
	    (i == 3 && cli_opt(opts, "owner")->val == NULL) || (i == 5 && !one_of(pos[1], plan_statuses)) ||
	    (i == 6 && (text == NULL || cli_opt(opts, "percent")->val == NULL)) || (i == 8 && cli_opt(opts, "reason")->val == NULL))
		return cli_usage(c, "%s", plan_subs[i].usage);
	if (i == 4 && kj_parse_int64(pos[1], 1, 1000000, &num) != 0)
		return cli_usage(c, "expected the number of a measure (1, 2, ...)");
	if (i == 6 && kj_parse_int64(cli_opt(opts, "percent")->val, 0, 100, &num) != 0)
		return cli_usage(c, "--percent: expected an integer from 0 to 100");
	switch (i) {
	case 1: /* add CODE ... */
		cli_req_at(&q, c, pos, "POST", "/api/v1/plans", 0, NULL);
		cli_req_put(&q, "code", pos[0]);
		cli_req_put(&q, "recommendation", cli_opt(opts, "recommendation")->val);
		cli_req_put(&q, "org", cli_opt(opts, "org")->val);
		put_findings(&q, cli_opt(opts, "findings")->val);
		cli_req_put(&q, "text", text);
		cli_req_put(&q, "due_on", due);
		break;
	case 2: /* show CODE */
		cli_req_at(&q, c, pos, "GET", "/api/v1/plans/", 1, NULL);
		break;
	case 3: /* measure CODE --text --owner --due */
		cli_req_at(&q, c, pos, "POST", "/api/v1/plans/", 1, "/measures");
		cli_req_put(&q, "text", text);
		cli_req_put(&q, "owner", cli_opt(opts, "owner")->val);
		cli_req_put(&q, "due_on", due);
		break;
	case 4: /* done CODE N: the number in the path; locally in a body that is never sent */
		cli_req_at(&q, c, pos, "POST", "/api/v1/plans/", 1, "/measures/");
		cli_url_seg(&q.path, pos[1]);
		kj_buf_puts(&q.path, "/done");
		cli_req_set(&q, "n", json_integer(num));
		break;
	case 5: /* status CODE STATUS */
		cli_req_at(&q, c, pos, "POST", "/api/v1/plans/", 1, "/status");
		cli_req_put(&q, "status", pos[1]);
		break;
	case 6: /* report CODE --percent --text [--date] */
		cli_req_at(&q, c, pos, "POST", "/api/v1/plans/", 1, "/reports");
		if (cli_opt(opts, "date")->val == NULL)
			kj_date_format(kj_now(&c->ctx), today);	/* the library's clock, as its checks */
		cli_req_put(&q, "reported_on", cli_opt(opts, "date")->val ? cli_opt(opts, "date")->val : today);
		cli_req_set(&q, "percent", json_integer(num));
		cli_req_put(&q, "text", text);
		break;
	case 7: /* overdue [--org ORG] */
		cli_req_at(&q, c, pos, "GET", "/api/v1/overdue-measures", 0, NULL);
		cli_req_put(&q, "org", cli_opt(opts, "org")->val);
		cli_url_query(&q.path, "org", cli_opt(opts, "org")->val);
		break;
	case 8: /* send-back CODE --reason TEXT */
		cli_req_at(&q, c, pos, "POST", "/api/v1/plans/", 1, "/send-back");
		cli_req_put(&q, "reason", cli_opt(opts, "reason")->val);
		break;
	default: /* list [--org ORG] [--status S]: the filters, for the model, in a body never sent */
		cli_req_at(&q, c, pos, "GET", "/api/v1/plans", 0, NULL);
		q.all_pages = 1;
		cli_req_put(&q, "org", cli_opt(opts, "org")->val);
		cli_req_put(&q, "status", cli_opt(opts, "status")->val);
		cli_url_query(&q.path, "org", cli_opt(opts, "org")->val);
		cli_url_query(&q.path, "status", cli_opt(opts, "status")->val);
		break;
	}
	return cli_req_run(&q, cli_opt(opts, "json")->set, plan_subs[i].local, plan_subs[i].printer);
}
