/*
 * cmd_policy.c: kijun policy list|add|version|show|approve|enforce|review, on the database
 * or (with --server) through /api/v1/orgs/ORG/policies and /api/v1/policy-review. The model
 * and the API give the same JSON; one printer per subcommand prints from it.
 */
#include <stdlib.h>
#include <string.h>

#include "base/jsonin.h"
#include "base/util.h"
#include "cli.h"
#include "model/policy.h"

static void
print_list(json_t *j)
{
	json_t *d, *v;
	size_t i, k;

	printf("policies of %s\n", cli_str(j, "org"));
	json_array_foreach(json_object_get(j, "documents"), i, d) {
		printf("  %-10s %-10s %s / %s\n", cli_str(d, "code"), cli_str(d, "kind"), cli_str(d, "title_ja"),
		       cli_str(d, "title_en"));
		json_array_foreach(json_object_get(d, "versions"), k, v)
			printf("    v%-3lld %-11s answers %-14s %s%s\n", (long long)cli_int(v, "version_no"), cli_str(v, "status"),
			       cli_str(v, "edition"), cli_str(v, "in_force_from")[0] ? "in force from " : "",
			       cli_str(v, "in_force_from"));
	}
}

static void
print_version(json_t *j)
{
	json_t *cl, *m;
	size_t i, k;

	printf("%s/%s v%lld (%s), answering %s\n", cli_str(j, "org"), cli_str(j, "document"), (long long)cli_int(j, "version_no"),
	       cli_str(j, "status"), cli_str(j, "edition"));
	json_array_foreach(json_object_get(j, "clauses"), i, cl) {
		printf("  %s  %s\n", cli_str(cl, "number"), cli_str(cl, "title"));
		json_array_foreach(json_object_get(cl, "mappings"), k, m)
			printf("      -> %-16s %s%s%s\n", cli_str(m, "requirement"), cli_str(m, "status"),
			       cli_str(m, "justification")[0] ? ": " : "", cli_str(m, "justification"));
	}
}

static void
print_review(json_t *j)
{
	json_t *c = json_object_get(j, "counts"), *e;
	size_t i;

	printf("policy review of %s against %s%s%s%s\n", cli_str(j, "org"), cli_str(j, "edition"),
	       cli_str(j, "newer_edition")[0] ? " (newer edition: " : "", cli_str(j, "newer_edition"),
	       cli_str(j, "newer_edition")[0] ? ")" : "");
	printf("  %lld applicable requirements, %lld covered (%.1f%%), %lld gaps, %lld stale, %lld without a reason\n",
	       (long long)cli_int(c, "applicable"), (long long)cli_int(c, "covered"),
	       100.0 * json_number_value(json_object_get(c, "coverage")), (long long)cli_int(c, "gaps"),
	       (long long)cli_int(c, "stale"), (long long)cli_int(c, "missing_reason"));
	json_array_foreach(json_object_get(j, "gaps"), i, e)
		printf("  gap      %-16s %s\n", cli_str(e, "requirement"), cli_str(e, "text_en"));
	json_array_foreach(json_object_get(j, "stale"), i, e)
		printf("  stale    %-16s %s (%s/%s)\n", cli_str(e, "requirement"), cli_str(e, "change"), cli_str(e, "document"),
		       cli_str(json_array_get(json_object_get(e, "new"), 0), ""));
	json_array_foreach(json_object_get(j, "missing_reason"), i, e)
		printf("  reason?  %-16s %s in %s clause %s\n", cli_str(e, "requirement"), cli_str(e, "status"),
		       cli_str(e, "document"), cli_str(e, "clause"));
}

static void
print_review_all(json_t *j)
{
	json_t *o;
	size_t i;

	printf("policy review against %s%s%s\n", cli_str(j, "edition"), cli_str(j, "newer_edition")[0] ? "; newer: " : "",
	       cli_str(j, "newer_edition"));
	printf("  %-8s %-12s %9s %6s %6s %7s  %s\n", "ORG", "KIND", "COVERAGE", "GAPS", "STALE", "REASON?", "NAME");
	json_array_foreach(json_object_get(j, "organisations"), i, o)
		printf("  %-8s %-12s %8.1f%% %6lld %6lld %7lld  %s\n", cli_str(o, "org"), cli_str(o, "kind"),
		       100.0 * json_number_value(json_object_get(o, "coverage")), (long long)cli_int(o, "gaps"),
		       (long long)cli_int(o, "stale"), (long long)cli_int(o, "missing_reason"), cli_str(o, "name_en"));
}

/* Prints j (stolen) as JSON or with printer. */
static int
show(int json, json_t *j, void (*printer)(json_t *))
{
	if (json)
		return cli_print_json(j);
	printer(j);
	json_decref(j);
	return 0;
}

static int
path_of(struct kj_buf *b, const char *a, const char *seg1, const char *b2, const char *seg2, const char *tail)
{
	kj_buf_puts(b, a);
	if (seg1)
		cli_url_seg(b, seg1);
	if (b2)
		kj_buf_puts(b, b2);
	if (seg2)
		cli_url_seg(b, seg2);
	if (tail)
		kj_buf_puts(b, tail);
	return kj_buf_failed(b) ? -1 : 0;
}

int
cmd_policy(struct cli *c, int argc, char **argv)
{
	static const char *const subs[] = {"list", "add", "version", "show", "approve", "enforce", "review", NULL};
	struct opt opts[] = {{"json", 0, NULL, 0},  {"code", 1, NULL, 0},	  {"kind", 1, NULL, 0},
			     {"title-ja", 1, NULL, 0}, {"title-en", 1, NULL, 0}, {"date", 1, NULL, 0},
			     {"edition", 1, NULL, 0}, {"all", 0, NULL, 0},	  {NULL, 0, NULL, 0}};
	static char cmdname[32];
	const char *pos[4];
	struct kj_buf path;
	json_t *out = NULL;
	int n, i, rc = 0, json, vno = 0;
	int64_t v = 0;
	kj_err r = KJ_OK;

	if (argc < 1)
		return cli_usage(c, "expected list, add, version, show, approve, enforce or review");
	for (i = 0; subs[i] != NULL && strcmp(subs[i], argv[0]) != 0; i++)
		;
	if (subs[i] == NULL)
		return cli_usage(c, "unknown subcommand \"%s\"", argv[0]);
	snprintf(cmdname, sizeof(cmdname), "policy %s", subs[i]);
	c->cmd = cmdname;
	if ((n = cli_parse(c, argc - 1, argv + 1, opts, pos, 4)) < 0)
		return EXIT_USAGE;
	json = cli_opt(opts, "json")->set;
	kj_buf_init(&path, 0);
	switch (i) {
	case 0: /* list ORG */
		if (n != 1)
			return cli_usage(c, "expected an organisation code");
		if (c->server) {
			path_of(&path, "/api/v1/orgs/", pos[0], "/policies", NULL, NULL);
			rc = cli_get(c, kj_buf_cstr(&path), &out, NULL);
		} else if ((rc = cli_open(c, 0)) == 0) {
			r = kj_policy_list(&c->ctx, pos[0], &out);
			cli_close(c);
		}
		break;
	case 1: /* add ORG --code --kind --title-ja --title-en */
		if (n != 1 || !cli_opt(opts, "code")->val || !cli_opt(opts, "kind")->val || !cli_opt(opts, "title-ja")->val ||
		    !cli_opt(opts, "title-en")->val)
			return cli_usage(c, "expected ORG --code CODE --kind standard|rules|procedure --title-ja T --title-en T");
		if (c->server) {
			json_t *b = json_object();

			if ((rc = cli_put(c, b, "code", cli_opt(opts, "code")->val)) == 0 &&
			    (rc = cli_put(c, b, "kind", cli_opt(opts, "kind")->val)) == 0 &&
			    (rc = cli_put(c, b, "title_ja", cli_opt(opts, "title-ja")->val)) == 0 &&
			    (rc = cli_put(c, b, "title_en", cli_opt(opts, "title-en")->val)) == 0) {
				path_of(&path, "/api/v1/orgs/", pos[0], "/policies", NULL, NULL);
				rc = cli_send(c, "POST", kj_buf_cstr(&path), b, NULL, &out);
			}
			json_decref(b);
		} else if ((rc = cli_open(c, 0)) == 0) {
			char uuid[37];

			r = kj_policy_doc_create(&c->ctx, pos[0], cli_opt(opts, "code")->val, cli_opt(opts, "kind")->val,
						 cli_opt(opts, "title-ja")->val, cli_opt(opts, "title-en")->val, uuid);
			if (r == KJ_OK)
				out = json_pack("{s:s, s:s}", "id", uuid, "code", cli_opt(opts, "code")->val);
			cli_close(c);
		}
		if (rc == 0 && r == KJ_OK && !json) {
			printf("added policy document %s of %s\n", cli_str(out, "code"), pos[0]);
			json_decref(out);
			kj_buf_free(&path);
			return 0;
		}
		break;
	case 2: /* version ORG DOC FILE */
	{
		char *data = NULL;
		size_t len;
		json_t *content = NULL;

		if (n != 3)
			return cli_usage(c, "expected ORG DOC FILE (JSON: {\"edition\", \"clauses\": [...]})");
		if ((r = kj_file_read(&c->ctx, pos[2], 16u << 20, &data, &len)) != KJ_OK ||
		    (r = kj_json_parse(&c->ctx, pos[2], data, len, &content)) != KJ_OK) {
			free(data);
			return cli_fail(c, r);
		}
		free(data);
		if (c->server) {
			path_of(&path, "/api/v1/orgs/", pos[0], "/policies/", pos[1], "/versions");
			rc = cli_send(c, "POST", kj_buf_cstr(&path), content, NULL, &out);
		} else if ((rc = cli_open(c, 0)) == 0) {
			r = kj_policy_version_add(&c->ctx, pos[0], pos[1], pos[2], content, &vno);
			if (r == KJ_OK)
				out = json_pack("{s:i, s:s}", "version_no", vno, "status", "draft");
			cli_close(c);
		}
		json_decref(content);
		if (rc == 0 && r == KJ_OK && !json) {
			printf("added draft version %lld of %s/%s\n", (long long)cli_int(out, "version_no"), pos[0], pos[1]);
			json_decref(out);
			kj_buf_free(&path);
			return 0;
		}
		break;
	}
	case 3: /* show ORG DOC VERSION */
	case 4: /* approve ORG DOC VERSION */
	case 5: /* enforce ORG DOC VERSION [--date] */
		if (n != 3 || kj_parse_int64(pos[2], 1, 100000, &v) != 0)
			return cli_usage(c, "expected ORG DOC VERSION (a number)");
		if (c->server) {
			path_of(&path, "/api/v1/orgs/", pos[0], "/policies/", pos[1], "/versions/");
			kj_buf_puts(&path, pos[2]);
			if (i == 3) {
				rc = cli_get(c, kj_buf_cstr(&path), &out, NULL);
			} else {
				json_t *b = json_object();

				kj_buf_puts(&path, i == 4 ? "/approve" : "/enforce");
				rc = cli_put(c, b, "date", cli_opt(opts, "date")->val);
				if (rc == 0)
					rc = cli_send(c, "POST", kj_buf_cstr(&path), b, NULL, &out);
				json_decref(b);
			}
		} else if ((rc = cli_open(c, 0)) == 0) {
			if (i == 3) {
				r = kj_policy_get(&c->ctx, pos[0], pos[1], (int)v, &out);
			} else {
				r = kj_policy_transition(&c->ctx, pos[0], pos[1], (int)v, i == 4 ? "approve" : "enforce",
							 cli_opt(opts, "date")->val);
				if (r == KJ_OK)
					out = json_pack("{s:I, s:s}", "version_no", (json_int_t)v, "status", i == 4 ? "approved" : "in_force");
			}
			cli_close(c);
		}
		if (i == 3 && rc == 0 && r == KJ_OK) {
			kj_buf_free(&path);
			return show(json, out, print_version);
		}
		if (rc == 0 && r == KJ_OK && !json) {
			printf("%s/%s v%lld is %s\n", pos[0], pos[1], (long long)v, cli_str(out, "status"));
			json_decref(out);
			kj_buf_free(&path);
			return 0;
		}
		break;
	case 6: /* review ORG [--edition] | review --all --edition E */
		if (cli_opt(opts, "all")->set) {
			if (n != 0 || cli_opt(opts, "edition")->val == NULL)
				return cli_usage(c, "review --all needs --edition and no organisation");
			if (c->server) {
				kj_buf_puts(&path, "/api/v1/policy-review");
				cli_url_query(&path, "edition", cli_opt(opts, "edition")->val);
				rc = cli_get(c, kj_buf_cstr(&path), &out, NULL);
			} else if ((rc = cli_open(c, 0)) == 0) {
				r = kj_policy_review_all(&c->ctx, cli_opt(opts, "edition")->val, &out);
				cli_close(c);
			}
			if (rc == 0 && r == KJ_OK) {
				kj_buf_free(&path);
				return show(json, out, print_review_all);
			}
			break;
		}
		if (n != 1)
			return cli_usage(c, "expected an organisation code (or --all --edition E)");
		if (c->server) {
			path_of(&path, "/api/v1/orgs/", pos[0], "/policy-review", NULL, NULL);
			if (cli_opt(opts, "edition")->val)
				cli_url_query(&path, "edition", cli_opt(opts, "edition")->val);
			rc = cli_get(c, kj_buf_cstr(&path), &out, NULL);
		} else if ((rc = cli_open(c, 0)) == 0) {
			r = kj_policy_review(&c->ctx, pos[0], cli_opt(opts, "edition")->val, &out);
			cli_close(c);
		}
		if (rc == 0 && r == KJ_OK) {
			kj_buf_free(&path);
			return show(json, out, print_review);
		}
		break;
	}
	kj_buf_free(&path);
	if (rc != 0)
		return rc;
	if (r != KJ_OK)
		return cli_fail(c, r);
	if (i == 0)
		return show(json, out, print_list);
	return cli_print_json(out);
}
