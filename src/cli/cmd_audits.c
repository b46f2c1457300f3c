/*
 * cmd_audits.c: kijun programme, kijun engagement and kijun finding: audit programmes,
 * their engagements (team, scope, status, sign-off) and findings (model/audit.h), on the
 * database or (with --server) through /api/v1/audit-programmes and
 * /api/v1/audit-engagements. Each subcommand builds the API's request body once (struct cli_req);
 * locally the model is called with the values read back from that body, and its result is
 * shaped as the API's reply, so that one printer per subcommand prints both modes alike.
 * Not the audit log: that is cmd_audit.c.
 *
 * Locally the command acts as the local administrator, as every local command does: it
 * plans every programme and may add findings, but is on no team, so it cannot sign off
 * (only the lead auditor does; through a server, with the lead's token).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/limits.h"
#include "base/util.h"
#include "cli.h"
#include "cli_req.h"
#include "model/audit.h"

/* ---- Printers ---------------------------------------------------------------------------- */

static void
print_programmes(json_t *a)
{
	json_t *p;
	size_t i;

	printf("%-20s %-10s %4s  %-17s %s\n", "PROGRAMME", "ORG", "FY", "KIND", "TITLE");
	json_array_foreach(a, i, p)
		printf("%-20s %-10s %4lld  %-17s %s\n", cli_str(p, "code"), cli_str(p, "org"), (long long)cli_int(p, "fiscal_year"),
		       cli_str(p, "kind"), cli_str(p, "title_en"));
}

static void
print_programme_added(json_t *p)
{
	printf("added programme %s of %s for fiscal year %lld (%s): %s / %s\n", cli_str(p, "code"), cli_str(p, "org"),
	       (long long)cli_int(p, "fiscal_year"), cli_str(p, "kind"), cli_str(p, "title_ja"), cli_str(p, "title_en"));
}

static void
print_engagements(json_t *a)
{
	json_t *e;
	size_t i;

	printf("%-22s %-16s %-10s %-10s %-10s %-10s %-12s %s\n", "ENGAGEMENT", "PROGRAMME", "ORG", "STATUS", "FROM", "TO", "LEAD",
	       "TITLE");
	json_array_foreach(a, i, e)
		printf("%-22s %-16s %-10s %-10s %-10s %-10s %-12s %s\n", cli_str(e, "code"), cli_str(e, "programme"),
		       cli_str(e, "org"), cli_str(e, "status"), cli_str(e, "starts_on"), cli_str(e, "ends_on"),
		       cli_strn(e, "lead") ? cli_str(e, "lead") : "-", cli_str(e, "title_en"));
}

/* The criteria of an engagement: its edition and, when it has one, the policy. */
static void
print_criteria(json_t *e)
{
	printf("%s against %s", cli_str(e, "org"), cli_str(e, "edition"));
	if (cli_strn(e, "policy") != NULL)
		printf(" and policy %s", cli_str(e, "policy"));
}

static void
print_engagement(json_t *e)
{
	json_t *m, *s;
	size_t i;

	printf("%s  %s / %s\n", cli_str(e, "code"), cli_str(e, "title_ja"), cli_str(e, "title_en"));
	printf("programme %s (%s, fiscal year %lld) audits ", cli_str(e, "programme"), cli_str(e, "kind"),
	       (long long)cli_int(e, "fiscal_year"));
	print_criteria(e);
	printf("\n%s to %s, %s", cli_str(e, "starts_on"), cli_str(e, "ends_on"), cli_str(e, "status"));
	if (cli_strn(e, "signed_off_by") != NULL)
		printf(" (by %s at %s)", cli_str(e, "signed_off_by"), cli_str(e, "signed_off_at"));
	printf("\nteam:%s\n", json_array_size(json_object_get(e, "team")) == 0 ? " none yet" : "");
	json_array_foreach(json_object_get(e, "team"), i, m)
		printf("  %-7s %-16s %s\n", cli_str(m, "role"), cli_str(m, "user"), cli_str(m, "org"));
	printf("scope: %zu requirement(s)%s\n", json_array_size(json_object_get(e, "requirements")),
	       json_array_size(json_object_get(e, "requirements")) == 0 ? ", none yet" : "");
	json_array_foreach(json_object_get(e, "requirements"), i, s)
		printf("  %s\n", json_string_value(s));
	if (json_array_size(json_object_get(e, "units")) > 0) {
		printf("units:");
		json_array_foreach(json_object_get(e, "units"), i, s)
			printf(" %s", json_string_value(s));
		printf("\n");
	}
}

static void
print_engagement_added(json_t *e)
{
	printf("added engagement %s of %s: audits ", cli_str(e, "code"), cli_str(e, "programme"));
	print_criteria(e);
	printf(", %s to %s (%s)\n", cli_str(e, "starts_on"), cli_str(e, "ends_on"), cli_str(e, "status"));
}

static void
print_member(json_t *j)
{
	printf("%s is %s of engagement %s\n", cli_str(j, "user"),
	       strcmp(cli_str(j, "role"), "lead") == 0 ? "the lead auditor" : "a member of the team", cli_str(j, "engagement"));
}

static void
print_scope(json_t *j)
{
	printf("scope of %s: %zu requirement(s), %zu unit(s)\n", cli_str(j, "engagement"),
	       json_array_size(json_object_get(j, "requirements")), json_array_size(json_object_get(j, "units")));
}

static void
print_status(json_t *j)
{
	printf("%s is %s\n", cli_str(j, "code"), cli_str(j, "status"));
}

/* "finding (high, urgent)", "advice". */
static void
print_kind(json_t *f)
{
	printf("%s", cli_str(f, "category"));
	if (cli_strn(f, "severity") != NULL)
		printf(" (%s%s)", cli_str(f, "severity"), json_is_true(json_object_get(f, "urgent")) ? ", urgent" : "");
}

static void
print_finding_added(json_t *f)
{
	printf("added ");
	print_kind(f);
	printf(" on %s: %s\n", cli_str(f, "requirement"), cli_str(f, "title"));
}

static void
print_findings(json_t *j)
{
	json_t *f;
	size_t i;

	printf("%-16s %-13s %-8s %-6s %s\n", "REQUIREMENT", "CATEGORY", "SEVERITY", "URGENT", "TITLE");
	json_array_foreach(json_object_get(j, "items"), i, f)
		printf("%-16s %-13s %-8s %-6s %s\n", cli_str(f, "requirement"), cli_str(f, "category"),
		       cli_strn(f, "severity") ? cli_str(f, "severity") : "-",
		       json_is_true(json_object_get(f, "urgent")) ? "yes" : "-", cli_str(f, "title"));
}

static void
print_papers(json_t *j)
{
	json_t *p;
	size_t i;

	json_array_foreach(json_object_get(j, "items"), i, p)
		printf("%s  %-40s %8lld  %-16s %s %s\n", cli_str(p, "id"), cli_str(p, "name"), (long long)cli_int(p, "size"),
		       cli_str(p, "media_type"), cli_str(p, "added_by"), cli_str(p, "added_at"));
	if (json_array_size(json_object_get(j, "items")) == 0)
		printf("no working papers\n");
}

static void
print_paper_added(json_t *j)
{
	printf("filed working paper %s (%s) under %s\n", cli_str(j, "name"), cli_str(j, "id"), cli_str(j, "engagement"));
}

/* The report as the CISO reads it: the engagement, the counts, then the findings. */
static void
print_report(json_t *j)
{
	static const char *const cats[] = {"finding", "advice", "good_practice", NULL};
	json_t *s = json_object_get(j, "summary"), *bc = json_object_get(s, "by_category"), *bs = json_object_get(s, "by_severity");
	int k;

	printf("%s report: %s / %s\n", json_is_true(json_object_get(j, "final")) ? "Audit" : "DRAFT audit", cli_str(j, "title_ja"), cli_str(j, "title_en"));
	printf("engagement %s (%s, FY%lld), audited %s, %s to %s, status %s\n", cli_str(j, "code"), cli_str(j, "programme"),
	       (long long)cli_int(j, "fiscal_year"), cli_str(j, "org"), cli_str(j, "starts_on"), cli_str(j, "ends_on"),
	       cli_str(j, "status"));
	printf("findings %lld (critical %lld, high %lld, medium %lld, low %lld; urgent %lld), advice %lld, good practice %lld\n",
	       (long long)cli_int(s, "findings"),
	       (long long)cli_int(bs, "critical"), (long long)cli_int(bs, "high"), (long long)cli_int(bs, "medium"),
	       (long long)cli_int(bs, "low"), (long long)cli_int(s, "urgent"), (long long)cli_int(bc, "advice"),
	       (long long)cli_int(bc, "good_practice"));
	for (k = 0; cats[k] != NULL; k++) {
		json_t *f;
		size_t i;

		json_array_foreach(json_object_get(json_object_get(j, "findings"), cats[k]), i, f)
			printf("  %-13s %-8s %-14s %s\n", cats[k], json_is_string(json_object_get(f, "severity")) ? cli_str(f, "severity") : "-",
			       cli_str(f, "requirement"), cli_str(f, "title"));
	}
}

/* ---- Running a subcommand ---------------------------------------------------------------- */

/* The request for the engagement pos[0]: "/api/v1/audit-engagements/CODE" and tail. */
static void
req_engagement(struct cli_req *q, struct cli *c, const char **pos, const char *method, const char *tail)
{
	cli_req_init(q, c, pos, method, "/api/v1/audit-engagements/");
	cli_url_seg(&q->path, pos[0]);
	if (tail != NULL)
		kj_buf_puts(&q->path, tail);
}

/* req_put of the value of option name, for each {key, name} pair of map (ended by NULL). */
static void
put_opts(struct cli_req *q, struct opt *opts, const char *const *map)
{
	for (; map[0] != NULL; map += 2)
		cli_req_put(q, map[0], cli_opt(opts, map[1])->val);
}

/* What the API replies to a change: key (set to the string v) first, then the body. */
static json_t *
body_with(struct cli_req *q, const char *key, const char *v)
{
	json_t *j = json_pack("{s:s}", key, v);

	if (j != NULL && json_object_update(j, q->body) != 0) {
		json_decref(j);
		j = NULL;
	}
	return j;
}

/* 1 when every option named in names (NULL-terminated) was given a value. */
static int
given(struct opt *opts, const char *const *names)
{
	for (; *names != NULL; names++) {
		if (cli_opt(opts, *names)->val == NULL)
			return 0;
	}
	return 1;
}

/* ---- kijun programme --------------------------------------------------------------------- */

static kj_err
programme_add_local(struct cli_req *q, json_t **out)
{
	struct kj_audit_programme_new in;
	char uuid[37];
	kj_err r;

	memset(&in, 0, sizeof(in));
	in.code = cli_strn(q->body, "code");
	in.org = cli_strn(q->body, "org");
	in.fiscal_year = (int)cli_int(q->body, "fiscal_year");
	in.kind = cli_strn(q->body, "kind");
	in.title_ja = cli_strn(q->body, "title_ja");
	in.title_en = cli_strn(q->body, "title_en");
	if ((r = kj_audit_programme_create(&q->c->ctx, &in, uuid)) == KJ_OK)
		*out = body_with(q, "id", uuid);
	return r;
}

static kj_err
programme_list_local(struct cli_req *q, json_t **out)
{
	return kj_audit_programme_list(&q->c->ctx, q->pos[0], (int)cli_int(q->body, "fiscal_year"), NULL, 0, out, NULL);
}

int
cmd_programme(struct cli *c, int argc, char **argv)
{
	static const char *const subs[] = {"add", "list", NULL};
	static const char *const needed[] = {"org", "fy", "kind", "title-ja", "title-en", NULL};
	static const char *const map[] = {"kind", "kind", "title_ja", "title-ja", "title_en", "title-en", NULL};
	struct opt opts[] = {{"json", 0, NULL, 0},	  {"org", 1, NULL, 0},	    {"fy", 1, NULL, 0},
			     {"kind", 1, NULL, 0},	  {"title-ja", 1, NULL, 0}, {"title-en", 1, NULL, 0},
			     {NULL, 0, NULL, 0}};
	const char *pos[2] = {NULL, NULL}, *fys;
	struct cli_req q;
	int64_t fy = 0;
	int i, n, json;

	if ((i = cli_subcommand(c, "programme", subs, argc, argv, opts, pos, 2, &n)) < 0)
		return EXIT_USAGE;
	json = cli_opt(opts, "json")->set;
	fys = cli_opt(opts, "fy")->val;
	if (i == 0 && (n != 1 || !given(opts, needed)))
		return cli_usage(c, "expected CODE --org ORG --fy YEAR --kind KIND --title-ja TITLE --title-en TITLE");
	if (i == 1 && n != 0)
		return cli_usage(c, "list takes --org and --fy, no arguments");
	if (fys != NULL && kj_parse_int64(fys, 1900, 2999, &fy) != 0)
		return cli_usage(c, "--fy: expected a fiscal year such as 2025 (the year of its April)");
	if (i == 0) {
		cli_req_init(&q, c, pos, "POST", "/api/v1/audit-programmes");
		/* In the order of the API's reply. */
		cli_req_put(&q, "code", pos[0]);
		cli_req_put(&q, "org", cli_opt(opts, "org")->val);
		cli_req_set(&q, "fiscal_year", json_integer(fy));
		put_opts(&q, opts, map);
		return cli_req_run(&q, json, programme_add_local, print_programme_added);
	}
	/* The list's filters, for the model: the organisation in pos[0], the year in a body
	 * that is never sent. */
	pos[0] = cli_opt(opts, "org")->val;
	cli_req_init(&q, c, pos, "GET", "/api/v1/audit-programmes");
	q.all_pages = 1;
	cli_req_set(&q, "fiscal_year", json_integer(fy));
	cli_url_query(&q.path, "org", pos[0]);
	cli_url_query(&q.path, "fiscal_year", fys);
	return cli_req_run(&q, json, programme_list_local, print_programmes);
}

/* ---- kijun engagement -------------------------------------------------------------------- */

static kj_err
engagement_add_local(struct cli_req *q, json_t **out)
{
	struct kj_audit_engagement_new in;
	char uuid[37];
	kj_err r;

	memset(&in, 0, sizeof(in));
	in.code = cli_strn(q->body, "code");
	in.programme = cli_strn(q->body, "programme");
	in.org = cli_strn(q->body, "org");
	in.edition = cli_strn(q->body, "edition");
	in.policy = cli_strn(q->body, "policy");
	in.title_ja = cli_strn(q->body, "title_ja");
	in.title_en = cli_strn(q->body, "title_en");
	in.starts_on = cli_strn(q->body, "starts_on");
	in.ends_on = cli_strn(q->body, "ends_on");
	if ((r = kj_audit_engagement_create(&q->c->ctx, &in, uuid)) == KJ_OK)
		r = kj_audit_engagement_get(&q->c->ctx, in.code, out);
	return r;
}

static kj_err
engagement_list_local(struct cli_req *q, json_t **out)
{
	return kj_audit_engagement_list(&q->c->ctx, q->pos[0], NULL, 0, out, NULL);
}

static kj_err
engagement_show_local(struct cli_req *q, json_t **out)
{
	return kj_audit_engagement_get(&q->c->ctx, q->pos[0], out);
}

static kj_err
engagement_member_local(struct cli_req *q, json_t **out)
{
	kj_err r = kj_audit_member_add(&q->c->ctx, q->pos[0], cli_strn(q->body, "user"), cli_strn(q->body, "role"));

	if (r == KJ_OK)
		*out = body_with(q, "engagement", q->pos[0]);
	return r;
}

static kj_err
engagement_scope_local(struct cli_req *q, json_t **out)
{
	json_t *reqs = json_object_get(q->body, "requirements"), *units = json_object_get(q->body, "units");
	size_t nr = json_array_size(reqs), nu = json_array_size(units), i;
	const char **v = calloc(nr + nu + 1, sizeof(*v));
	kj_err r;

	if (v == NULL)
		return kj_failf(&q->c->ctx, KJ_ERR_NOMEM, "out of memory");
	for (i = 0; i < nr + nu; i++)
		v[i] = json_string_value(i < nr ? json_array_get(reqs, i) : json_array_get(units, i - nr));
	r = kj_audit_scope_set(&q->c->ctx, q->pos[0], v, nr, v + nr, nu);
	free(v);
	if (r == KJ_OK)
		*out = body_with(q, "engagement", q->pos[0]);
	return r;
}

static kj_err
engagement_status_local(struct cli_req *q, json_t **out)
{
	kj_err r = kj_audit_engagement_advance(&q->c->ctx, q->pos[0], cli_strn(q->body, "status"));

	if (r == KJ_OK)
		*out = body_with(q, "code", q->pos[0]);
	return r;
}

static kj_err
engagement_sign_off_local(struct cli_req *q, json_t **out)
{
	kj_err r = kj_audit_sign_off(&q->c->ctx, q->pos[0]);

	if (r == KJ_OK)
		*out = json_pack("{s:s, s:s}", "code", q->pos[0], "status", "signed_off");
	return r;
}

static kj_err
engagement_papers_local(struct cli_req *q, json_t **out)
{
	json_t *a = NULL;
	kj_err r = kj_audit_paper_list(&q->c->ctx, q->pos[0], &a);

	if (r == KJ_OK)
		*out = json_pack("{s:o}", "items", a);
	return r;
}

static kj_err
engagement_paper_local(struct cli_req *q, json_t **out)
{
	char uuid[37];
	const char *name = cli_strn(q->body, "name");
	kj_err r = kj_audit_paper_add(&q->c->ctx, q->pos[0], name, q->raw, q->raw_len, NULL, uuid);

	if (r == KJ_OK)
		*out = json_pack("{s:s, s:s, s:s}", "id", uuid, "engagement", q->pos[0], "name", name);
	return r;
}

static kj_err
engagement_report_local(struct cli_req *q, json_t **out)
{
	return kj_audit_report(&q->c->ctx, q->pos[0], out);
}

/* The body of scope: the two lists. */
static void
scope_body(struct cli_req *q, struct opt *opts)
{
	json_t *reqs = cli_split_list(q->c, "requirements", cli_opt(opts, "requirements")->val), *units = NULL;

	if (reqs == NULL || (units = cli_split_list(q->c, "units", cli_opt(opts, "units")->val)) == NULL) {
		json_decref(reqs);
		q->rc = 1;
		return;
	}
	cli_req_set(q, "requirements", reqs);
	cli_req_set(q, "units", units);
}

/* The subcommands of engagement, by index: how many arguments and which options they need
 * (and what to say when they are not there), the model's side and the printer. */
static const struct {
	int nargs;
	const char *const needed[9];
	const char *usage;
	kj_err (*local)(struct cli_req *q, json_t **out);
	void (*printer)(json_t *);
} engagement_subs[] = {
	{1, {"programme", "org", "edition", "title-ja", "title-en", "from", "to", NULL},
	 "expected CODE --programme P --org ORG --edition E [--policy DOC] --title-ja TITLE --title-en TITLE --from DATE "
	 "--to DATE", engagement_add_local, print_engagement_added},
	{0, {NULL}, "list takes --programme, no arguments", engagement_list_local, print_engagements},
	{1, {NULL}, "expected an engagement's code", engagement_show_local, print_engagement},
	{2, {"role", NULL}, "expected ENGAGEMENT USER --role lead|member", engagement_member_local, print_member},
	{1, {"requirements", NULL}, "expected ENGAGEMENT --requirements A,B,C [--units U1,U2]", engagement_scope_local,
	 print_scope},
	{2, {NULL}, "expected ENGAGEMENT fieldwork|reporting|signed_off", engagement_status_local, print_status},
	{1, {NULL}, "expected an engagement's code", engagement_sign_off_local, print_status},
	{1, {NULL}, "expected an engagement's code", engagement_papers_local, print_papers},
	{2, {NULL}, "expected ENGAGEMENT FILE [--name NAME]", engagement_paper_local, print_paper_added},
	{1, {NULL}, "expected an engagement's code", engagement_report_local, print_report},
};

int
cmd_engagement(struct cli *c, int argc, char **argv)
{
	static const char *const subs[] = {"add",    "list",   "show",  "member", "scope", "status",
					   "sign-off", "papers", "paper", "report", NULL};
	static const char *const map[] = {"programme", "programme", "org", "org", "edition", "edition", "policy", "policy",
					  "title_ja", "title-ja", "title_en", "title-en", "starts_on", "from", "ends_on", "to",
					  NULL};
	struct opt opts[] = {{"json", 0, NULL, 0},	     {"programme", 1, NULL, 0}, {"org", 1, NULL, 0},
			     {"edition", 1, NULL, 0},	     {"policy", 1, NULL, 0},	{"title-ja", 1, NULL, 0},
			     {"title-en", 1, NULL, 0},	     {"from", 1, NULL, 0},	{"to", 1, NULL, 0},
			     {"role", 1, NULL, 0},	     {"requirements", 1, NULL, 0}, {"units", 1, NULL, 0},
			     {"name", 1, NULL, 0},	     {NULL, 0, NULL, 0}};
	char *file = NULL;
	size_t file_len = 0;
	kj_err fr;
	const char *pos[3] = {NULL, NULL, NULL};
	struct cli_req q;
	int i, n;

	if ((i = cli_subcommand(c, "engagement", subs, argc, argv, opts, pos, 3, &n)) < 0)
		return EXIT_USAGE;
	if (n != engagement_subs[i].nargs || !given(opts, engagement_subs[i].needed))
		return cli_usage(c, "%s", engagement_subs[i].usage);
	switch (i) {
	case 0: /* add CODE --programme ... */
		cli_req_init(&q, c, pos, "POST", "/api/v1/audit-engagements");
		cli_req_put(&q, "code", pos[0]);
		put_opts(&q, opts, map);
		break;
	case 1: /* list [--programme P] */
		pos[0] = cli_opt(opts, "programme")->val;
		cli_req_init(&q, c, pos, "GET", "/api/v1/audit-engagements");
		q.all_pages = 1;
		cli_url_query(&q.path, "programme", pos[0]);
		break;
	case 2: /* show CODE */
		req_engagement(&q, c, pos, "GET", NULL);
		break;
	case 3: /* member CODE USER --role R */
		req_engagement(&q, c, pos, "POST", "/members");
		cli_req_put(&q, "user", pos[1]);
		cli_req_put(&q, "role", cli_opt(opts, "role")->val);
		break;
	case 4: /* scope CODE --requirements ... [--units ...] */
		req_engagement(&q, c, pos, "PUT", "/scope");
		scope_body(&q, opts);
		break;
	case 5: /* status CODE STATUS */
		req_engagement(&q, c, pos, "POST", "/status");
		cli_req_put(&q, "status", pos[1]);
		break;
	case 6: /* sign-off CODE */
		req_engagement(&q, c, pos, "POST", "/sign-off");
		break;
	case 7: /* papers CODE */
		req_engagement(&q, c, pos, "GET", "/papers");
		break;
	case 8: { /* paper CODE FILE [--name NAME]: the file's own name unless named */
		const char *name = cli_opt(opts, "name")->val, *slash = strrchr(pos[1], '/');

		if ((fr = kj_file_read(&c->ctx, pos[1], KJ_MAX_EVIDENCE_BYTES + 1, &file, &file_len)) != KJ_OK)
			return cli_fail(c, fr);
		if (name == NULL)
			name = slash != NULL ? slash + 1 : pos[1];
		req_engagement(&q, c, pos, "POST", "/papers");
		cli_url_query(&q.path, "name", name);
		cli_req_put(&q, "name", name);
		q.raw = file;
		q.raw_len = file_len;
		q.raw_type = "application/octet-stream";
		break;
	}
	default: /* report CODE */
		req_engagement(&q, c, pos, "GET", "/report");
		break;
	}
	i = cli_req_run(&q, cli_opt(opts, "json")->set, engagement_subs[i].local, engagement_subs[i].printer);
	free(file);
	return i;
}

/* ---- kijun finding ----------------------------------------------------------------------- */

/* Adds the finding, then reads it back as the list shows it (as the API replies). */
static kj_err
finding_add_local(struct cli_req *q, json_t **out)
{
	struct kj_audit_finding_new in;
	json_t *all = NULL, *f;
	char uuid[37];
	size_t i;
	kj_err r;

	memset(&in, 0, sizeof(in));
	in.engagement = q->pos[0];
	in.requirement = cli_strn(q->body, "requirement");
	in.category = cli_strn(q->body, "category");
	in.severity = cli_strn(q->body, "severity");
	in.urgent = json_is_true(json_object_get(q->body, "urgent"));
	in.title = cli_strn(q->body, "title");
	in.text = cli_strn(q->body, "text");
	if ((r = kj_audit_finding_add(&q->c->ctx, &in, uuid)) != KJ_OK ||
	    (r = kj_audit_finding_list(&q->c->ctx, q->pos[0], &all)) != KJ_OK)
		return r;
	json_array_foreach(all, i, f) {
		if (strcmp(cli_str(f, "id"), uuid) == 0)
			*out = json_incref(f);
	}
	json_decref(all);
	return *out != NULL ? KJ_OK : kj_failf(&q->c->ctx, KJ_ERR_INTERNAL, "finding %s could not be read back", uuid);
}

static kj_err
finding_list_local(struct cli_req *q, json_t **out)
{
	json_t *a = NULL;
	kj_err r = kj_audit_finding_list(&q->c->ctx, q->pos[0], &a);

	if (r == KJ_OK)
		*out = json_pack("{s:o}", "items", a);
	return r;
}

int
cmd_finding(struct cli *c, int argc, char **argv)
{
	static const char *const subs[] = {"add", "list", NULL};
	static const char *const needed[] = {"requirement", "category", "title", "text", NULL};
	static const char *const map[] = {"requirement", "requirement", "category", "category", "severity", "severity",
					  "title", "title", "text", "text", NULL};
	struct opt opts[] = {{"json", 0, NULL, 0},	{"requirement", 1, NULL, 0}, {"category", 1, NULL, 0},
			     {"severity", 1, NULL, 0}, {"urgent", 0, NULL, 0},	     {"title", 1, NULL, 0},
			     {"text", 1, NULL, 0},	{NULL, 0, NULL, 0}};
	const char *pos[2] = {NULL, NULL};
	struct cli_req q;
	int i, n, json;

	if ((i = cli_subcommand(c, "finding", subs, argc, argv, opts, pos, 2, &n)) < 0)
		return EXIT_USAGE;
	json = cli_opt(opts, "json")->set;
	if (i == 1) {
		if (n != 1)
			return cli_usage(c, "expected an engagement's code");
		req_engagement(&q, c, pos, "GET", "/findings");
		return cli_req_run(&q, json, finding_list_local, print_findings);
	}
	if (n != 1 || !given(opts, needed))
		return cli_usage(c, "expected ENGAGEMENT --requirement R --category finding|advice|good_practice [--severity S] "
				    "[--urgent] --title TITLE --text TEXT");
	req_engagement(&q, c, pos, "POST", "/findings");
	put_opts(&q, opts, map);
	cli_req_set(&q, "urgent", json_boolean(cli_opt(opts, "urgent")->set));
	return cli_req_run(&q, json, finding_add_local, print_finding_added);
}
