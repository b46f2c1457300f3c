/*
 * cmd_act.c: kijun proposal, kijun edition and kijun directive: improving the standard
 * (model/act.h), on the database or (with --server) through /api/v1/proposals,
 * /api/v1/editions/{edition}/publish and /impact, and /api/v1/directives. As in
 * cmd_plan.c, each subcommand builds the API's request once (struct cli_req); locally the
 * model is called with the values read back from that body and its result shaped like the
 * API's reply, so one printer serves both modes.
 *
 * Locally the command acts as the local administrator: it may do what the centre's
 * administrator does, and a proposal needs --org to say who proposes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "cli.h"
#include "cli_req.h"
#include "model/act.h"

/* ---- Printers ---------------------------------------------------------------------------- */

static void
print_proposals(json_t *a)
{
	json_t *p;
	size_t i;

	printf("%-20s %-8s %-14s %-7s %-16s %-10s %s\n", "PROPOSAL", "ORG", "EDITION", "KIND", "ITEM", "STATUS", "EVIDENCE");
	json_array_foreach(a, i, p)
		printf("%-20s %-8s %-14s %-7s %-16s %-10s %lld\n", cli_str(p, "code"), cli_str(p, "org"), cli_str(p, "edition"),
		       cli_str(p, "kind"), cli_strn(p, "item") ? cli_str(p, "item") : "(new)", cli_str(p, "status"),
		       (long long)cli_int(p, "nevidence"));
}

static void
print_proposal(json_t *p)
{
	json_t *e;
	size_t i;

	printf("%s  %s of %s by %s, %s\n", cli_str(p, "code"), cli_str(p, "kind"),
	       cli_strn(p, "item") ? cli_str(p, "item") : "a new requirement", cli_str(p, "org"), cli_str(p, "status"));
	printf("edition %s%s%s\n", cli_str(p, "edition"), cli_strn(p, "adopted_edition") ? ", adopted in " : "",
	       cli_str(p, "adopted_edition"));
	if (cli_strn(p, "text_ja"))
		printf("ja: %s\n", cli_str(p, "text_ja"));
	if (cli_strn(p, "text_en"))
		printf("en: %s\n", cli_str(p, "text_en"));
	printf("rationale: %s\n", cli_str(p, "rationale"));
	if (cli_strn(p, "decision_note"))
		printf("decision (%s): %s\n", cli_str(p, "decided_by"), cli_str(p, "decision_note"));
	printf("evidence:\n");
	json_array_foreach(json_object_get(p, "evidence"), i, e) {
		json_t *rate = json_object_get(e, "rate");

		printf("  %-16s %s", cli_str(e, "kind"), cli_str(e, "ref"));
		if (cli_strn(e, "engagement"))
			printf(" (%s, %s)", cli_str(e, "engagement"), cli_str(e, "item"));
		if (json_is_integer(json_object_get(e, "fiscal_year")))
			printf(" FY%lld", (long long)cli_int(e, "fiscal_year"));
		if (json_is_number(rate))
			printf(" rate %.1f%%", json_number_value(rate) * 100.0);
		if (cli_strn(e, "note"))
			printf(": %s", cli_str(e, "note"));
		printf("\n");
	}
}

static void
print_publication(json_t *j)
{
	printf("published %s (superseding %s) on %s; %lld organisation(s) touched, %lld row(s); revise by %s\n",
	       cli_str(j, "edition"), cli_str(j, "supersedes"), cli_str(j, "published_on"), (long long)cli_int(j, "organisations"),
	       (long long)cli_int(j, "rows"), cli_str(j, "revise_by"));
}

static void
print_impact(json_t *j)
{
	json_t *o, *it, *n;
	size_t i, k, m;

	printf("%s supersedes %s; published %s, revise by %s\n", cli_str(j, "edition"), cli_str(j, "supersedes"),
	       cli_str(j, "published_on"), cli_str(j, "revise_by"));
	printf("%-10s %6s %7s %9s %5s %-12s %-10s %s\n", "ORG", "ROWS", "CLAUSES", "CAMPAIGNS", "PLANS", "STATUS", "REVISED",
	       "OVERDUE");
	json_array_foreach(json_object_get(j, "organisations"), i, o) {
		printf("%-10s %6lld %7lld %9lld %5lld %-12s %-10s %s\n", cli_str(o, "org"), (long long)cli_int(o, "rows"),
		       (long long)cli_int(o, "policy_clauses"), (long long)cli_int(o, "campaign_items"),
		       (long long)cli_int(o, "plan_findings"), cli_str(o, "status"),
		       cli_strn(o, "revised_on") ? cli_str(o, "revised_on") : "-",
		       json_is_true(json_object_get(o, "overdue")) ? "overdue" : "");
		json_array_foreach(json_object_get(o, "items"), k, it) {
			printf("  %-13s %-18s %-20s %-16s %-10s ", cli_str(it, "what"), cli_str(it, "ref"),
			       cli_strn(it, "detail") ? cli_str(it, "detail") : "", cli_str(it, "old"), cli_str(it, "change"));
			json_array_foreach(json_object_get(it, "new"), m, n) printf("%s%s", m ? "," : "→ ", json_string_value(n));
			printf("\n");
		}
	}
}

static void
print_directives(json_t *a)
{
	json_t *d, *c;
	size_t i;

	printf("%-20s %-10s %-10s %-9s %7s %5s %4s  %s\n", "DIRECTIVE", "ISSUED", "DUE", "STATUS", "TARGETS", "ACKED", "DONE",
	       "TITLE");
	json_array_foreach(a, i, d) {
		c = json_object_get(d, "counts");
		printf("%-20s %-10s %-10s %-9s %7lld %5lld %4lld  %s\n", cli_str(d, "code"), cli_str(d, "issued_on"),
		       cli_str(d, "due_on"), cli_str(d, "status"), (long long)cli_int(c, "targets"),
		       (long long)cli_int(c, "acknowledged"), (long long)cli_int(c, "completed"), cli_str(d, "title_en"));
	}
}

static void
print_directive(json_t *d)
{
	json_t *t;
	size_t i;

	printf("%s  %s, issued %s, due %s\n", cli_str(d, "code"), cli_str(d, "status"), cli_str(d, "issued_on"),
	       cli_str(d, "due_on"));
	printf("%s / %s\n%s\n%s\n", cli_str(d, "title_ja"), cli_str(d, "title_en"), cli_str(d, "text_ja"), cli_str(d, "text_en"));
	printf("%-10s %-20s %-20s %s\n", "TARGET", "ACKNOWLEDGED", "COMPLETED", "NOTE");
	json_array_foreach(json_object_get(d, "targets"), i, t)
		printf("%-10s %-20s %-20s %s%s\n", cli_str(t, "org"), cli_strn(t, "acknowledged_at") ? cli_str(t, "acknowledged_at") : "-",
		       cli_strn(t, "completed_at") ? cli_str(t, "completed_at") : "-", cli_str(t, "note"),
		       json_is_true(json_object_get(t, "overdue")) ? " (overdue)" : "");
}

static void
print_overdue(json_t *j)
{
	json_t *x;
	size_t i;

	printf("%-20s %-10s %-10s %-12s %s\n", "DIRECTIVE", "ORG", "DUE", "ACKNOWLEDGED", "TITLE");
	json_array_foreach(json_object_get(j, "items"), i, x)
		printf("%-20s %-10s %-10s %-12s %s\n", cli_str(x, "directive"), cli_str(x, "org"), cli_str(x, "due_on"),
		       cli_strn(x, "acknowledged_at") ? "yes" : "no", cli_str(x, "title_en"));
}

/* ---- Building requests ------------------------------------------------------------------- */

/* Appends to the body's "evidence" one entry per item of the comma-separated list s: for
 * kind weak_requirement each item is FY:NUMBER. */
static void
put_evidence(struct cli_req *q, const char *opt, const char *kind, const char *s)
{
	json_t *list, *ev, *x;
	size_t i;

	if (s == NULL || q->rc != 0)
		return;
	if ((list = cli_split_list(q->c, opt, s)) == NULL) {
		q->rc = 1;
		return;
	}
	if ((ev = json_object_get(q->body, "evidence")) == NULL) {
		cli_req_set(q, "evidence", json_array());
		ev = json_object_get(q->body, "evidence");
	}
	json_array_foreach(list, i, x) {
		const char *v = json_string_value(x), *colon = strchr(v, ':');
		json_t *e;

		if (strcmp(kind, "weak_requirement") != 0) {
			e = json_pack("{s:s, s:s}", "kind", kind, "ref", v);
		} else {
			char fy[8] = "";
			int64_t year = 0;

			if (colon != NULL && (size_t)(colon - v) < sizeof(fy))
				memcpy(fy, v, (size_t)(colon - v));
			if (colon == NULL || kj_parse_int64(fy, 1900, 2999, &year) != 0) {
				fprintf(stderr, "kijun %s: --%s: expected FY:NUMBER such as 2024:8.1.1(2)(a), not \"%s\"\n", q->c->cmd,
					opt, v);
				q->rc = EXIT_USAGE;
				break;
			}
			e = json_pack("{s:s, s:s, s:I}", "kind", kind, "ref", colon + 1, "fiscal_year", (json_int_t)year);
		}
		if (ev == NULL || e == NULL || json_array_append_new(ev, e) != 0) {
			fprintf(stderr, "kijun %s: out of memory\n", q->c->cmd);
			q->rc = 1;
			break;
		}
	}
	json_decref(list);
}

/* Sets the body's key to the comma-separated list s as an array (when given). */
static void
put_list(struct cli_req *q, const char *opt, const char *key, const char *s)
{
	json_t *a;

	if (s == NULL || q->rc != 0)
		return;
	if ((a = cli_split_list(q->c, opt, s)) == NULL) {
		q->rc = 1;
		return;
	}
	cli_req_set(q, key, a);
}

/* The body's array key as a fresh array of strings (*n of them), or NULL. */
static const char **
body_list(struct cli_req *q, const char *key, size_t *n)
{
	json_t *a = json_object_get(q->body, key);
	const char **v;
	size_t i;

	*n = json_array_size(a);
	if (*n == 0 || (v = calloc(*n, sizeof(*v))) == NULL)
		return NULL;
	for (i = 0; i < *n; i++)
		v[i] = json_string_value(json_array_get(a, i));
	return v;
}

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

/* ---- kijun proposal ---------------------------------------------------------------------- */

static kj_err
proposal_add_local(struct cli_req *q, json_t **out)
{
	json_t *a = json_object_get(q->body, "evidence"), *e;
	struct kj_evidence_new *ev = NULL;
	struct kj_proposal_new in;
	char uuid[37];
	size_t i;
	kj_err r;

	memset(&in, 0, sizeof(in));
	if (json_array_size(a) > 0 && (ev = calloc(json_array_size(a), sizeof(*ev))) == NULL)
		return kj_failf(&q->c->ctx, KJ_ERR_NOMEM, "out of memory");
	json_array_foreach(a, i, e) ev[i] = (struct kj_evidence_new){.kind = cli_strn(e, "kind"), .ref = cli_strn(e, "ref"),
								     .fiscal_year = (int)cli_int(e, "fiscal_year"),
								     .note = cli_strn(e, "note")};
	in.code = cli_strn(q->body, "code");
	in.org = cli_strn(q->body, "org");
	in.edition = cli_strn(q->body, "edition");
	in.kind = cli_strn(q->body, "kind");
	in.item = cli_strn(q->body, "item");
	in.text_ja = cli_strn(q->body, "text_ja");
	in.text_en = cli_strn(q->body, "text_en");
	in.rationale = cli_strn(q->body, "rationale");
	in.evidence = ev;
	in.nevidence = json_array_size(a);
	r = kj_proposal_create(&q->c->ctx, &in, uuid);
	free(ev);
	if (r == KJ_OK)
		r = kj_proposal_get(&q->c->ctx, in.code, out);
	return r;
}

static kj_err
proposal_list_local(struct cli_req *q, json_t **out)
{
	return kj_proposal_list(&q->c->ctx, cli_strn(q->body, "status"), cli_strn(q->body, "edition"), NULL, 0, out, NULL);
}

static kj_err
proposal_show_local(struct cli_req *q, json_t **out)
{
	return kj_proposal_get(&q->c->ctx, q->pos[0], out);
}

static kj_err
proposal_status_local(struct cli_req *q, json_t **out)
{
	kj_err r = kj_proposal_set_status(&q->c->ctx, q->pos[0], cli_strn(q->body, "status"), cli_strn(q->body, "edition"),
					  cli_strn(q->body, "note"));

	return r == KJ_OK ? kj_proposal_get(&q->c->ctx, q->pos[0], out) : r;
}

int
cmd_proposal(struct cli *c, int argc, char **argv)
{
	static const char *const subs[] = {"add", "list", "show", "status", NULL};
	static const char *const statuses[] = {"submitted", "accepted", "rejected", "adopted", NULL};
	struct opt opts[] = {{"json", 0, NULL, 0},      {"org", 1, NULL, 0},	  {"edition", 1, NULL, 0},
			     {"kind", 1, NULL, 0},      {"item", 1, NULL, 0},	  {"text-ja", 1, NULL, 0},
			     {"text-en", 1, NULL, 0},   {"rationale", 1, NULL, 0}, {"findings", 1, NULL, 0},
			     {"weak", 1, NULL, 0},      {"incidents", 1, NULL, 0}, {"status", 1, NULL, 0},
			     {"note", 1, NULL, 0},      {NULL, 0, NULL, 0}};
	const char *pos[2] = {NULL, NULL};
	struct cli_req q;
	int i, n, json;

	if ((i = cli_subcommand(c, "proposal", subs, argc, argv, opts, pos, 2, &n)) < 0)
		return EXIT_USAGE;
	json = cli_opt(opts, "json")->set;
	if (i == 0) {
		if (n != 1 || cli_opt(opts, "edition")->val == NULL || cli_opt(opts, "kind")->val == NULL ||
		    cli_opt(opts, "rationale")->val == NULL ||
		    (cli_opt(opts, "findings")->val == NULL && cli_opt(opts, "weak")->val == NULL &&
		     cli_opt(opts, "incidents")->val == NULL))
			return cli_usage(c, "expected CODE --edition EDITION|next --kind add|change|remove [--item N] --rationale T "
					    "and evidence: --findings ID,.. --weak FY:N,.. --incidents REF,..");
		cli_req_at(&q, c, pos, "POST", "/api/v1/proposals", 0, NULL);
		cli_req_put(&q, "code", pos[0]);
		cli_req_put(&q, "org", cli_opt(opts, "org")->val);
		cli_req_put(&q, "edition", cli_opt(opts, "edition")->val);
		cli_req_put(&q, "kind", cli_opt(opts, "kind")->val);
		cli_req_put(&q, "item", cli_opt(opts, "item")->val);
		cli_req_put(&q, "text_ja", cli_opt(opts, "text-ja")->val);
		cli_req_put(&q, "text_en", cli_opt(opts, "text-en")->val);
		cli_req_put(&q, "rationale", cli_opt(opts, "rationale")->val);
		put_evidence(&q, "findings", "finding", cli_opt(opts, "findings")->val);
		put_evidence(&q, "weak", "weak_requirement", cli_opt(opts, "weak")->val);
		put_evidence(&q, "incidents", "incident", cli_opt(opts, "incidents")->val);
		return cli_req_run(&q, json, proposal_add_local, print_proposal);
	}
	if (i == 1) {
		if (n != 0)
			return cli_usage(c, "list takes --status and --edition, no arguments");
		cli_req_at(&q, c, pos, "GET", "/api/v1/proposals", 0, NULL);
		q.all_pages = 1;
		cli_req_put(&q, "status", cli_opt(opts, "status")->val);
		cli_req_put(&q, "edition", cli_opt(opts, "edition")->val);
		cli_url_query(&q.path, "status", cli_opt(opts, "status")->val);
		cli_url_query(&q.path, "edition", cli_opt(opts, "edition")->val);
		return cli_req_run(&q, json, proposal_list_local, print_proposals);
	}
	if (i == 2) {
		if (n != 1)
			return cli_usage(c, "expected PROPOSAL");
		cli_req_at(&q, c, pos, "GET", "/api/v1/proposals/", 1, NULL);
		return cli_req_run(&q, json, proposal_show_local, print_proposal);
	}
	if (n != 2 || !one_of(pos[1], statuses))
		return cli_usage(c, "expected PROPOSAL submitted|accepted|rejected|adopted [--edition E] [--note T]");
	cli_req_at(&q, c, pos, "POST", "/api/v1/proposals/", 1, "/status");
	cli_req_put(&q, "status", pos[1]);
	cli_req_put(&q, "edition", cli_opt(opts, "edition")->val);
	cli_req_put(&q, "note", cli_opt(opts, "note")->val);
	return cli_req_run(&q, json, proposal_status_local, print_proposal);
}

/* ---- kijun edition ----------------------------------------------------------------------- */

static kj_err
edition_publish_local(struct cli_req *q, json_t **out)
{
	return kj_edition_publish(&q->c->ctx, q->pos[0], cli_strn(q->body, "revise_by"), out);
}

static kj_err
edition_impact_local(struct cli_req *q, json_t **out)
{
	return kj_edition_impact(&q->c->ctx, q->pos[0], cli_strn(q->body, "org"), out);
}

static kj_err
edition_ack_local(struct cli_req *q, json_t **out)
{
	kj_err r = kj_edition_impact_ack(&q->c->ctx, q->pos[0], q->pos[1]);

	return r == KJ_OK ? kj_edition_impact(&q->c->ctx, q->pos[0], q->pos[1], out) : r;
}

int
cmd_edition(struct cli *c, int argc, char **argv)
{
	static const char *const subs[] = {"publish", "impact", "ack", NULL};
	struct opt opts[] = {{"json", 0, NULL, 0}, {"revise-by", 1, NULL, 0}, {"org", 1, NULL, 0}, {NULL, 0, NULL, 0}};
	const char *pos[2] = {NULL, NULL};
	struct cli_req q;
	int i, n, json;

	if ((i = cli_subcommand(c, "edition", subs, argc, argv, opts, pos, 2, &n)) < 0)
		return EXIT_USAGE;
	json = cli_opt(opts, "json")->set;
	if (i == 0) {
		if (n != 1 || cli_opt(opts, "revise-by")->val == NULL)
			return cli_usage(c, "expected EDITION --revise-by DATE");
		cli_req_at(&q, c, pos, "POST", "/api/v1/editions/", 1, "/publish");
		cli_req_put(&q, "revise_by", cli_opt(opts, "revise-by")->val);
		return cli_req_run(&q, json, edition_publish_local, print_publication);
	}
	if (i == 1) {
		if (n != 1)
			return cli_usage(c, "expected EDITION [--org ORG]");
		cli_req_at(&q, c, pos, "GET", "/api/v1/editions/", 1, "/impact");
		cli_req_put(&q, "org", cli_opt(opts, "org")->val);
		cli_url_query(&q.path, "org", cli_opt(opts, "org")->val);
		return cli_req_run(&q, json, edition_impact_local, print_impact);
	}
	if (n != 2)
		return cli_usage(c, "expected EDITION ORG");
	cli_req_at(&q, c, pos, "POST", "/api/v1/editions/", 1, "/impact/");
	cli_url_seg(&q.path, pos[1]);
	kj_buf_puts(&q.path, "/ack");
	return cli_req_run(&q, json, edition_ack_local, print_impact);
}

/* ---- kijun directive --------------------------------------------------------------------- */

static kj_err
directive_issue_local(struct cli_req *q, json_t **out)
{
	struct kj_directive_new in;
	char uuid[37];
	kj_err r;

	memset(&in, 0, sizeof(in));
	in.code = cli_strn(q->body, "code");
	in.title_ja = cli_strn(q->body, "title_ja");
	in.title_en = cli_strn(q->body, "title_en");
	in.text_ja = cli_strn(q->body, "text_ja");
	in.text_en = cli_strn(q->body, "text_en");
	in.due_on = cli_strn(q->body, "due_on");
	in.orgs = body_list(q, "orgs", &in.norgs);
	in.kinds = body_list(q, "kinds", &in.nkinds);
	r = kj_directive_issue(&q->c->ctx, &in, uuid, NULL);
	free((void *)in.orgs);
	free((void *)in.kinds);
	return r == KJ_OK ? kj_directive_get(&q->c->ctx, in.code, out) : r;
}

static kj_err
directive_list_local(struct cli_req *q, json_t **out)
{
	return kj_directive_list(&q->c->ctx, NULL, 0, out, NULL);
}

static kj_err
directive_show_local(struct cli_req *q, json_t **out)
{
	return kj_directive_get(&q->c->ctx, q->pos[0], out);
}

static kj_err
directive_ack_local(struct cli_req *q, json_t **out)
{
	kj_err r = kj_directive_ack(&q->c->ctx, q->pos[0], q->pos[1]);

	return r == KJ_OK ? kj_directive_get(&q->c->ctx, q->pos[0], out) : r;
}

static kj_err
directive_complete_local(struct cli_req *q, json_t **out)
{
	kj_err r = kj_directive_complete(&q->c->ctx, q->pos[0], q->pos[1], cli_strn(q->body, "note"));

	return r == KJ_OK ? kj_directive_get(&q->c->ctx, q->pos[0], out) : r;
}

static kj_err
directive_status_local(struct cli_req *q, json_t **out)
{
	kj_err r = kj_directive_set_status(&q->c->ctx, q->pos[0], cli_strn(q->body, "status"));

	return r == KJ_OK ? kj_directive_get(&q->c->ctx, q->pos[0], out) : r;
}

static kj_err
directive_overdue_local(struct cli_req *q, json_t **out)
{
	json_t *a = NULL;
	kj_err r = kj_directive_overdue(&q->c->ctx, cli_strn(q->body, "org"), &a);

	if (r == KJ_OK)
		*out = json_pack("{s:o}", "items", a);
	return r;
}

int
cmd_directive(struct cli *c, int argc, char **argv)
{
	static const char *const subs[] = {"issue", "list", "show", "ack", "complete", "status", "overdue", NULL};
	struct opt opts[] = {{"json", 0, NULL, 0},    {"title-ja", 1, NULL, 0}, {"title-en", 1, NULL, 0},
			     {"text-ja", 1, NULL, 0}, {"text-en", 1, NULL, 0},  {"due", 1, NULL, 0},
			     {"orgs", 1, NULL, 0},    {"kinds", 1, NULL, 0},    {"note", 1, NULL, 0},
			     {"org", 1, NULL, 0},     {NULL, 0, NULL, 0}};
	const char *pos[2] = {NULL, NULL};
	struct cli_req q;
	int i, n, json;

	if ((i = cli_subcommand(c, "directive", subs, argc, argv, opts, pos, 2, &n)) < 0)
		return EXIT_USAGE;
	json = cli_opt(opts, "json")->set;
	switch (i) {
	case 0:
		if (n != 1 || cli_opt(opts, "title-ja")->val == NULL || cli_opt(opts, "title-en")->val == NULL ||
		    cli_opt(opts, "text-ja")->val == NULL || cli_opt(opts, "text-en")->val == NULL ||
		    cli_opt(opts, "due")->val == NULL || (cli_opt(opts, "orgs")->val == NULL) == (cli_opt(opts, "kinds")->val == NULL))
			return cli_usage(c, "expected CODE --title-ja T --title-en T --text-ja T --text-en T --due DATE and either "
					    "--orgs ORG,.. or --kinds ministry,agency,corporation");
		cli_req_at(&q, c, pos, "POST", "/api/v1/directives", 0, NULL);
		cli_req_put(&q, "code", pos[0]);
		cli_req_put(&q, "title_ja", cli_opt(opts, "title-ja")->val);
		cli_req_put(&q, "title_en", cli_opt(opts, "title-en")->val);
		cli_req_put(&q, "text_ja", cli_opt(opts, "text-ja")->val);
		cli_req_put(&q, "text_en", cli_opt(opts, "text-en")->val);
		cli_req_put(&q, "due_on", cli_opt(opts, "due")->val);
		put_list(&q, "orgs", "orgs", cli_opt(opts, "orgs")->val);
		put_list(&q, "kinds", "kinds", cli_opt(opts, "kinds")->val);
		return cli_req_run(&q, json, directive_issue_local, print_directive);
	case 1:
		if (n != 0)
			return cli_usage(c, "list takes no arguments");
		cli_req_at(&q, c, pos, "GET", "/api/v1/directives", 0, NULL);
		q.all_pages = 1;
		return cli_req_run(&q, json, directive_list_local, print_directives);
	case 2:
		if (n != 1)
			return cli_usage(c, "expected DIRECTIVE");
		cli_req_at(&q, c, pos, "GET", "/api/v1/directives/", 1, NULL);
		return cli_req_run(&q, json, directive_show_local, print_directive);
	case 3:
	case 4:
		if (n != 2)
			return cli_usage(c, "expected DIRECTIVE ORG");
		cli_req_at(&q, c, pos, "POST", "/api/v1/directives/", 1, "/targets/");
		cli_url_seg(&q.path, pos[1]);
		kj_buf_puts(&q.path, i == 3 ? "/ack" : "/complete");
		if (i == 4)
			cli_req_put(&q, "note", cli_opt(opts, "note")->val);
		return cli_req_run(&q, json, i == 3 ? directive_ack_local : directive_complete_local, print_directive);
	case 5:
		if (n != 2 || (strcmp(pos[1], "closed") != 0 && strcmp(pos[1], "withdrawn") != 0))
			return cli_usage(c, "expected DIRECTIVE closed|withdrawn");
		cli_req_at(&q, c, pos, "POST", "/api/v1/directives/", 1, "/status");
		cli_req_put(&q, "status", pos[1]);
		return cli_req_run(&q, json, directive_status_local, print_directive);
	default:
		if (n != 0)
			return cli_usage(c, "overdue takes --org, no arguments");
		cli_req_at(&q, c, pos, "GET", "/api/v1/overdue-directives", 0, NULL);
		cli_req_put(&q, "org", cli_opt(opts, "org")->val);
		cli_url_query(&q.path, "org", cli_opt(opts, "org")->val);
		return cli_req_run(&q, json, directive_overdue_local, print_overdue);
	}
}
