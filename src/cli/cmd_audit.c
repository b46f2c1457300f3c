/*
 * cmd_audit.c: kijun audit verify|log, on the database or (with --server) through
 * /api/v1/audit. Both modes build the API's JSON (the verdict; the records) and print
 * from it.
 */
#include <inttypes.h>
#include <string.h>

#include "base/util.h"
#include "cli.h"
#include "model/auditlog.h"

/* v (stolen): {"ok", "records", "first_bad", "why"}. Exits 1 when the chain is broken. */
static int
print_verdict(struct cli *c, int json, json_t *v)
{
	int ok = json_is_true(json_object_get(v, "ok"));

	if (json) {
		cli_print_json(v);
		return ok ? 0 : 1;
	}
	if (ok)
		printf("audit log intact: %" PRId64 " record(s)\n", cli_int(v, "records"));
	else
		fprintf(stderr, "kijun %s: record %" PRId64 ": %s\n", c->cmd, cli_int(v, "first_bad"), cli_str(v, "why"));
	json_decref(v);
	return ok ? 0 : 1;
}

/* a (stolen): the records, newest first. */
static int
print_log(int json, json_t *a)
{
	size_t i;
	json_t *rec;

	if (json)
		return cli_print_json(a);
	json_array_foreach(a, i, rec)
		printf("%6" PRId64 "  %s  %-18s %-16s %s %s\n", cli_int(rec, "seq"), cli_str(rec, "at"),
		       cli_str(rec, "op"), cli_str(rec, "actor"), cli_str(rec, "entity"), cli_str(rec, "entity_id"));
	json_decref(a);
	return 0;
}

static int
collect(void *arg, const struct kj_audit_record *rec)
{
	return json_array_append_new(arg, json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s}", "seq", (json_int_t)rec->seq,
						    "at", rec->at, "actor", rec->actor, "op", rec->op, "entity",
						    rec->entity, "entity_id", rec->entity_id, "digest", rec->digest)) != 0;
}

static int
audit_verify(struct cli *c, struct opt *opts)
{
	struct kj_audit_verdict v;
	json_t *res;
	int rc;
	kj_err r;

	if (c->server != NULL) {
		if ((rc = cli_get(c, "/api/v1/audit/verify", &res, NULL)) != 0)
			return rc;
		return print_verdict(c, cli_opt(opts, "json")->set, res);
	}
	if ((rc = cli_open(c, 0)) != 0)
		return rc;
	r = kj_auditlog_verify(&c->ctx, &v);
	cli_close(c);
	if (r != KJ_OK)
		return cli_fail(c, r);
	return print_verdict(c, cli_opt(opts, "json")->set,
			     json_pack("{s:b, s:I, s:I, s:s}", "ok", v.first_bad == 0, "records", (json_int_t)v.nrecords,
				       "first_bad", (json_int_t)v.first_bad, "why", v.why));
}

static int
audit_log(struct cli *c, struct opt *opts)
{
	struct kj_audit_filter f;
	json_t *a;
	int rc;
	kj_err r;

	memset(&f, 0, sizeof(f));
	f.limit = 50;
	if (cli_opt(opts, "limit")->val && kj_parse_int64(cli_opt(opts, "limit")->val, 0, 1000000000, &f.limit) != 0)
		return cli_usage(c, "--limit: expected a whole number");
	f.entity = cli_opt(opts, "entity")->val;
	f.org = cli_opt(opts, "org")->val;
	f.user = cli_opt(opts, "user")->val;
	f.since = cli_opt(opts, "since")->val;
	f.until = cli_opt(opts, "until")->val;
	if (c->server != NULL) {
		struct kj_buf p;

		kj_buf_init(&p, 0);
		kj_buf_puts(&p, "/api/v1/audit");
		cli_url_query(&p, "entity", f.entity);
		cli_url_query(&p, "org", f.org);
		cli_url_query(&p, "user", f.user);
		cli_url_query(&p, "since", f.since);
		cli_url_query(&p, "until", f.until);
		rc = cli_get_all(c, kj_buf_cstr(&p), f.limit, &a);	/* limit 0: all, as locally */
		kj_buf_free(&p);
		if (rc != 0)
			return rc;
		return print_log(cli_opt(opts, "json")->set, a);
	}
	if ((rc = cli_open(c, 0)) != 0)
		return rc;
	a = json_array();
	r = kj_auditlog_list(&c->ctx, &f, collect, a);
	cli_close(c);
	if (r != KJ_OK) {
		json_decref(a);
		return cli_fail(c, r);
	}
	return print_log(cli_opt(opts, "json")->set, a);
}

int
cmd_audit(struct cli *c, int argc, char **argv)
{
	struct opt opts[] = {{"json", 0, NULL, 0},  {"limit", 1, NULL, 0}, {"entity", 1, NULL, 0},
			     {"org", 1, NULL, 0},   {"user", 1, NULL, 0},  {"since", 1, NULL, 0},
			     {"until", 1, NULL, 0}, {NULL, 0, NULL, 0}};
	const char *pos[1];

	if (argc < 1)
		return cli_usage(c, "expected verify or log");
	if (strcmp(argv[0], "verify") == 0) {
		c->cmd = "audit verify";
		if (cli_parse(c, argc - 1, argv + 1, opts, pos, 0) < 0)
			return EXIT_USAGE;
		return audit_verify(c, opts);
	}
	if (strcmp(argv[0], "log") == 0) {
		c->cmd = "audit log";
		if (cli_parse(c, argc - 1, argv + 1, opts, pos, 0) < 0)
			return EXIT_USAGE;
		return audit_log(c, opts);
	}
	return cli_usage(c, "unknown subcommand \"%s\" (expected verify or log)", argv[0]);
}
