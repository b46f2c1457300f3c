/*
 * cli_req.c: one request per subcommand, run through a server or on the database
 * (cli_req.h).
 */
#include "cli_req.h"

#include <stdio.h>
#include <string.h>

void
cli_req_init(struct cli_req *q, struct cli *c, const char **pos, const char *method, const char *path)
{
	memset(q, 0, sizeof(*q));
	q->c = c;
	q->pos = pos;
	q->method = method;
	kj_buf_init(&q->path, 0);
	kj_buf_puts(&q->path, path);
	q->body = json_object();
}

void
cli_req_set(struct cli_req *q, const char *key, json_t *v)
{
	if (q->rc == 0 && (q->body == NULL || v == NULL || json_object_set(q->body, key, v) != 0)) {
		fprintf(stderr, "kijun %s: out of memory\n", q->c->cmd);
		q->rc = 1;
	}
	json_decref(v);
}

void
cli_req_put(struct cli_req *q, const char *key, const char *v)
{
	if (q->rc == 0 && q->body != NULL)
		q->rc = cli_put(q->c, q->body, key, v);
}

void
cli_req_at(struct cli_req *q, struct cli *c, const char **pos, const char *method, const char *prefix, int seg,
	   const char *tail)
{
	cli_req_init(q, c, pos, method, prefix);
	if (seg)
		cli_url_seg(&q->path, pos[0]);
	if (tail != NULL)
		kj_buf_puts(&q->path, tail);
}

int
cli_req_run(struct cli_req *q, int json, kj_err (*local)(struct cli_req *q, json_t **out), void (*printer)(json_t *))
{
	struct cli *c = q->c;
	json_t *out = NULL, *body = strcmp(q->method, "GET") == 0 ? NULL : q->body;
	kj_err r = KJ_OK;
	int rc = 0;

	if (q->rc != 0) {
		rc = q->rc;
	} else if (kj_buf_failed(&q->path) || q->body == NULL) {
		fprintf(stderr, "kijun %s: out of memory\n", c->cmd);
		rc = 1;
	} else if (c->server != NULL && q->all_pages) {
		rc = cli_get_all(c, kj_buf_cstr(&q->path), 0, &out);
	} else if (c->server != NULL && q->raw != NULL) {
		struct cli_call call = {.method = q->method, .path = kj_buf_cstr(&q->path), .body = q->raw,
					.body_len = q->raw_len, .content_type = q->raw_type};

		rc = cli_request(c, &call, &out);
	} else if (c->server != NULL) {
		rc = cli_send(c, q->method, kj_buf_cstr(&q->path), body, NULL, &out);
	} else if ((rc = cli_open(c, 0)) == 0) {
		r = local(q, &out);
		cli_close(c);
	}
	kj_buf_free(&q->path);
	json_decref(q->body);
	if (rc == 0 && r == KJ_OK && out == NULL)
		r = kj_failf(&c->ctx, KJ_ERR_NOMEM, "out of memory");
	if (rc != 0 || r != KJ_OK) {
		json_decref(out);
		return rc != 0 ? rc : cli_fail(c, r);
	}
	if (json)
		return cli_print_json(out);
	printer(out);
	json_decref(out);
	return 0;
}

json_t *
cli_split_list(struct cli *c, const char *opt, const char *s)
{
	json_t *a = json_array();
	size_t n;

	while (a != NULL && s != NULL) {
		n = strcspn(s, ",");
		if (json_array_append_new(a, json_stringn(s, n)) != 0) {
			fprintf(stderr, "kijun %s: --%s: not valid UTF-8\n", c->cmd, opt);
			json_decref(a);
			return NULL;
		}
		s = s[n] == ',' ? s + n + 1 : NULL;
	}
	return a;
}

int
cli_subcommand(struct cli *c, const char *cmd, const char *const *names, int argc, char **argv, struct opt *opts,
	       const char **pos, int maxpos, int *npos)
{
	static char cmdname[48];
	int i;

	if (argc < 1) {
		cli_usage(c, "expected a subcommand");
		return -1;
	}
	for (i = 0; names[i] != NULL && strcmp(names[i], argv[0]) != 0; i++)
		;
	if (names[i] == NULL) {
		cli_usage(c, "unknown subcommand \"%s\"", argv[0]);
		return -1;
	}
	snprintf(cmdname, sizeof(cmdname), "%s %s", cmd, names[i]);
	c->cmd = cmdname;
	if ((*npos = cli_parse(c, argc - 1, argv + 1, opts, pos, maxpos)) < 0)
		return -1;
	return i;
}
