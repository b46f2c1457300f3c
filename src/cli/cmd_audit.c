/*
 * cmd_audit.c: kijun audit verify|log, on the database or (with --server) through
 * /api/v1/audit. Both modes build the API's JSON (the verdict; the records) and print
 * from it. kijun audit keygen|checkpoint and verify --checkpoints|--state work on the
 * database and the files themselves only (docs/AUDITLOG.md).
 */
#include <inttypes.h>
#include <string.h>

#include "base/util.h"
#include "cli.h"
#include "model/auditlog.h"
#include "model/checkpoint.h"
#include "model/state.h"

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

/* Prints what verify --checkpoints and --state found; v (stolen) is {"ok", "chain",
 * "checkpoints", "state"}. Exits 1 when anything failed. */
static int
print_deep(struct cli *c, int json, json_t *v)
{
	json_t *chain = json_object_get(v, "chain"), *cp = json_object_get(v, "checkpoints");
	json_t *st = json_object_get(v, "state"), *p;
	int ok = json_is_true(json_object_get(v, "ok"));
	const char *k;
	size_t i;

	if (json) {
		cli_print_json(v);
		return ok ? 0 : 1;
	}
	if (json_is_true(json_object_get(chain, "ok")))
		printf("chain: %" PRId64 " record(s) linked\n", cli_int(chain, "records"));
	else
		fprintf(stderr, "kijun %s: chain: record %" PRId64 ": %s\n", c->cmd, cli_int(chain, "first_bad"),
			cli_str(chain, "why"));
	if (cp != NULL) {
		json_array_foreach(json_object_get(cp, "problems"), i, p) {
			if (json_is_string(json_object_get(p, "checkpoint")))
				fprintf(stderr, "kijun %s: checkpoint %s: record %" PRId64 ": %s\n", c->cmd, cli_str(p, "checkpoint"),
					cli_int(p, "seq"), cli_str(p, "why"));
			else
				fprintf(stderr, "kijun %s: checkpoints: %s\n", c->cmd, cli_str(p, "why"));
		}
		printf("checkpoints: %" PRId64 " of %" PRId64 " verified against %s key %s; the log holds %" PRId64 " record(s)\n",
		       cli_int(cp, "verified"), cli_int(cp, "checkpoints"), json_is_true(json_object_get(cp, "key_pinned")) ? "the given" :
		       "the checkpoints' own (not pinned: pass --pubkey)", json_is_string(json_object_get(cp, "key")) ? cli_str(cp, "key") : "-",
		       cli_int(cp, "records"));
	}
	if (st != NULL) {
		json_t *n;

		json_array_foreach(json_object_get(st, "problems"), i, p)
			fprintf(stderr, "kijun %s: %s %s: %s\n", c->cmd, cli_str(p, "table"), cli_str(p, "id"), cli_str(p, "why"));
		if (cli_int(st, "more") > 0)
			fprintf(stderr, "kijun %s: and %" PRId64 " more problem(s) not listed\n", c->cmd, cli_int(st, "more"));
		printf("state checked:");
		json_object_foreach(json_object_get(st, "checked"), k, n)
			printf(" %s %" JSON_INTEGER_FORMAT, k, json_integer_value(n));
		printf("\n");
	}
	printf("%s\n", ok ? "audit log verified" : "audit log NOT verified");
	json_decref(v);
	return ok ? 0 : 1;
}

static int
audit_verify_deep(struct cli *c, struct opt *opts)
{
	const char *dir = cli_opt(opts, "checkpoints")->val;
	struct kj_audit_verdict v;
	json_t *res, *cp = NULL, *st = NULL;
	int ok;
	kj_err r;

	if (c->server != NULL && dir == NULL && !cli_opt(opts, "pubkey")->set) {
		/* --state through the server: the same verdict, read by the API. */
		if ((ok = cli_get(c, "/api/v1/audit/verify?state=1", &res, NULL)) != 0)
			return ok;
		st = json_incref(json_object_get(res, "state"));
		cp = json_pack("{s:O, s:{s:O, s:O, s:O, s:O}}", "ok", json_object_get(res, "ok"), "chain", "ok",
			       json_boolean(json_integer_value(json_object_get(res, "first_bad")) == 0), "records",
			       json_object_get(res, "records"), "first_bad", json_object_get(res, "first_bad"), "why",
			       json_object_get(res, "why"));
		json_decref(res);
		if (cp == NULL || st == NULL) {
			json_decref(cp);
			json_decref(st);
			return cli_usage(c, "the server's verdict has no state (an older kijun?)");
		}
		json_object_set_new(cp, "state", st);
		return print_deep(c, cli_opt(opts, "json")->set, cp);
	}
	if (c->server != NULL)
		return cli_usage(c, "--checkpoints reads the checkpoint files here and the database itself, not through --server");
	if (cli_opt(opts, "pubkey")->set && dir == NULL)
		return cli_usage(c, "--pubkey goes with --checkpoints DIR");
	if ((ok = cli_open(c, 0)) != 0)
		return ok;
	r = kj_auditlog_verify(&c->ctx, &v);
	if (r == KJ_OK && dir != NULL)
		r = kj_checkpoint_verify(&c->ctx, dir, cli_opt(opts, "pubkey")->val, &cp);
	if (r == KJ_OK && cli_opt(opts, "state")->set)
		r = kj_state_verify(&c->ctx, &st);
	cli_close(c);
	if (r != KJ_OK) {
		json_decref(cp);
		return cli_fail(c, r);
	}
	ok = v.first_bad == 0 && (cp == NULL || json_is_true(json_object_get(cp, "ok"))) &&
	     (st == NULL || json_is_true(json_object_get(st, "ok")));
	res = json_pack("{s:b, s:{s:b, s:I, s:I, s:s}}", "ok", ok, "chain", "ok", v.first_bad == 0, "records",
			(json_int_t)v.nrecords, "first_bad", (json_int_t)v.first_bad, "why", v.why);
	if (cp != NULL)
		json_object_set_new(res, "checkpoints", cp);
	if (st != NULL)
		json_object_set_new(res, "state", st);
	return print_deep(c, cli_opt(opts, "json")->set, res);
}

static int
audit_verify(struct cli *c, struct opt *opts)
{
	struct kj_audit_verdict v;
	json_t *res;
	int rc;
	kj_err r;

	if (cli_opt(opts, "checkpoints")->set || cli_opt(opts, "state")->set || cli_opt(opts, "pubkey")->set)
		return audit_verify_deep(c, opts);
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

static int
audit_keygen(struct cli *c, struct opt *opts)
{
	char pub[65];
	kj_err r;

	if (cli_opt(opts, "key")->val == NULL)
		return cli_usage(c, "--key FILE: required (a new file, outside the database's reach)");
	if ((r = kj_checkpoint_keygen(&c->ctx, cli_opt(opts, "key")->val, pub)) != KJ_OK)
		return cli_fail(c, r);
	if (cli_opt(opts, "json")->set)
		return cli_print_json(json_pack("{s:s, s:s}", "key", cli_opt(opts, "key")->val, "public_key", pub));
	printf("%s\n", pub);
	fprintf(stderr, "kijun %s: public key also in %s.pub; keep %s where the database's administrators cannot read it\n",
		c->cmd, cli_opt(opts, "key")->val, cli_opt(opts, "key")->val);
	return 0;
}

static int
audit_checkpoint(struct cli *c, struct opt *opts)
{
	struct kj_checkpoint cp;
	int rc;
	kj_err r;

	if (cli_opt(opts, "key")->val == NULL || cli_opt(opts, "dir")->val == NULL)
		return cli_usage(c, "expected --key FILE and --dir DIR");
	if (c->server != NULL)
		return cli_usage(c, "checkpoints are signed on the database itself, not through --server");
	if ((rc = cli_open(c, 0)) != 0)
		return rc;
	r = kj_checkpoint_make(&c->ctx, cli_opt(opts, "key")->val, cli_opt(opts, "dir")->val, NULL, &cp);
	cli_close(c);
	if (r != KJ_OK)
		return cli_fail(c, r);
	if (cli_opt(opts, "json")->set)
		return cli_print_json(json_pack("{s:I, s:s, s:s, s:s, s:s, s:s}", "seq", (json_int_t)cp.seq, "digest", cp.digest,
						"at", cp.at, "public_key", cp.pubkey, "file", cp.file, "line", cp.line));
	/* The line itself, for a witness that keeps stdout (a log shipper, a printer). */
	printf("%s\n", cp.line);
	return 0;
}

int
cmd_audit(struct cli *c, int argc, char **argv)
{
	struct opt opts[] = {{"json", 0, NULL, 0},  {"limit", 1, NULL, 0}, {"entity", 1, NULL, 0},
			     {"org", 1, NULL, 0},   {"user", 1, NULL, 0},  {"since", 1, NULL, 0},
			     {"until", 1, NULL, 0}, {NULL, 0, NULL, 0}};
	struct opt vopts[] = {{"json", 0, NULL, 0},   {"checkpoints", 1, NULL, 0}, {"pubkey", 1, NULL, 0},
			      {"state", 0, NULL, 0}, {NULL, 0, NULL, 0}};
	struct opt kopts[] = {{"json", 0, NULL, 0}, {"key", 1, NULL, 0}, {"dir", 1, NULL, 0}, {NULL, 0, NULL, 0}};
	const char *pos[1];

	if (argc < 1)
		return cli_usage(c, "expected verify, log, keygen or checkpoint");
	if (strcmp(argv[0], "keygen") == 0 || strcmp(argv[0], "checkpoint") == 0) {
		int keygen = argv[0][0] == 'k';

		c->cmd = keygen ? "audit keygen" : "audit checkpoint";
		if (cli_parse(c, argc - 1, argv + 1, kopts, pos, 0) < 0)
			return EXIT_USAGE;
		if (keygen && cli_opt(kopts, "dir")->set)
			return cli_usage(c, "--dir goes with kijun audit checkpoint");
		return keygen ? audit_keygen(c, kopts) : audit_checkpoint(c, kopts);
	}
	if (strcmp(argv[0], "verify") == 0) {
		c->cmd = "audit verify";
		if (cli_parse(c, argc - 1, argv + 1, vopts, pos, 0) < 0)
			return EXIT_USAGE;
		return audit_verify(c, vopts);
	}
	if (strcmp(argv[0], "log") == 0) {
		c->cmd = "audit log";
		if (cli_parse(c, argc - 1, argv + 1, opts, pos, 0) < 0)
			return EXIT_USAGE;
		return audit_log(c, opts);
	}
	return cli_usage(c, "unknown subcommand \"%s\" (expected verify, log, keygen or checkpoint)", argv[0]);
}
