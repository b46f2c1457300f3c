/*
 * cmd_audit.c: kijun audit verify|log.
 */
#include <inttypes.h>
#include <string.h>

#include "base/util.h"
#include "cli.h"
#include "model/auditlog.h"

static int
print_record(void *arg, const struct kj_audit_record *rec)
{
	json_t *a = arg;

	if (a != NULL) {
		json_array_append_new(a, json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s}", "seq",
						   (json_int_t)rec->seq, "at", rec->at, "actor", rec->actor,
						   "op", rec->op, "entity", rec->entity, "entity_id",
						   rec->entity_id, "digest", rec->digest));
		return 0;
	}
	printf("%6" PRId64 "  %s  %-18s %-16s %s %s\n", rec->seq, rec->at, rec->op, rec->actor,
	       rec->entity, rec->entity_id);
	return 0;
}

int
cmd_audit(struct cli *c, int argc, char **argv)
{
	struct opt opts[] = {{"json", 0, NULL, 0},  {"limit", 1, NULL, 0}, {"entity", 1, NULL, 0},
			     {"org", 1, NULL, 0},   {"user", 1, NULL, 0},  {"since", 1, NULL, 0},
			     {"until", 1, NULL, 0}, {NULL, 0, NULL, 0}};
	const char *pos[1];
	int rc;
	kj_err r;

	if (argc < 1)
		return cli_usage(c, "expected verify or log");
	if (strcmp(argv[0], "verify") == 0) {
		struct kj_audit_verdict v;

		c->cmd = "audit verify";
		if (cli_parse(c, argc - 1, argv + 1, opts, pos, 0) < 0)
			return EXIT_USAGE;
		if ((rc = cli_open(c, 0)) != 0)
			return rc;
		r = kj_auditlog_verify(&c->ctx, &v);
		cli_close(c);
		if (r != KJ_OK)
			return cli_fail(c, r);
		if (cli_opt(opts, "json")->set) {
			cli_print_json(json_pack("{s:b, s:I, s:I, s:s}", "ok", v.first_bad == 0, "records",
						 (json_int_t)v.nrecords, "first_bad", (json_int_t)v.first_bad,
						 "why", v.why));
		} else if (v.first_bad == 0) {
			printf("audit log intact: %" PRId64 " record(s)\n", v.nrecords);
		} else {
			fprintf(stderr, "kijun audit verify: record %" PRId64 ": %s\n", v.first_bad, v.why);
		}
		return v.first_bad == 0 ? 0 : 1;
	}
	if (strcmp(argv[0], "log") == 0) {
		struct kj_audit_filter f;
		json_t *a = NULL;

		c->cmd = "audit log";
		if (cli_parse(c, argc - 1, argv + 1, opts, pos, 0) < 0)
			return EXIT_USAGE;
		memset(&f, 0, sizeof(f));
		f.limit = 50;
		if (cli_opt(opts, "limit")->val &&
		    kj_parse_int64(cli_opt(opts, "limit")->val, 0, 1000000000, &f.limit) != 0)
			return cli_usage(c, "--limit: expected a whole number");
		f.entity = cli_opt(opts, "entity")->val;
		f.org = cli_opt(opts, "org")->val;
		f.user = cli_opt(opts, "user")->val;
		f.since = cli_opt(opts, "since")->val;
		f.until = cli_opt(opts, "until")->val;
		if ((rc = cli_open(c, 0)) != 0)
			return rc;
		if (cli_opt(opts, "json")->set)
			a = json_array();
		r = kj_auditlog_list(&c->ctx, &f, print_record, a);
		cli_close(c);
		if (r != KJ_OK) {
			json_decref(a);
			return cli_fail(c, r);
		}
		return a != NULL ? cli_print_json(a) : 0;
	}
	return cli_usage(c, "unknown subcommand \"%s\" (expected verify or log)", argv[0]);
}
