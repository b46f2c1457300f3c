/*
 * server.c: the HTTP layer of `kijun serve` on libmicrohttpd.
 *
 * Owns: the daemon (epoll, a pool of worker threads), one database connection per worker
 * thread, request bodies (accumulated up to a per-route cap, and only once the request is
 * authenticated), authentication (session cookie with CSRF token, or bearer token),
 * routing, the reply, security headers, the access log, and the clean stop on SIGTERM.
 * The head deadline and the head checks are frontdoor.c's; PDF printing, pdfjobs.c's.
 * Must not: decide access (the model does), or print secrets.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdint.h>

#include <microhttpd.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "base/jsonin.h"
#include "base/limits.h"
#include "base/util.h"
#include "db/db.h"
#include "db/migrate.h"
#include "model/account.h"
#include "api.h"
#include "checkpoint.h"
#include "frontdoor.h"
#include "pdfjobs.h"
#include "server.h"
#include "static.h"

#define COOKIE "kijun_session"
#define STOP_WAIT_MS 10000	/* how long a stop waits for the requests in hand */

/* Requests begun and not yet completed, and whether a stop has begun: kj_server_stop waits
 * for the first to reach zero, so that every request in hand gets its reply. A request
 * counts itself in before it looks at stopping, and the stop sets stopping before it
 * counts: so each request is either waited for or sees the stop and changes nothing. */
static atomic_int in_flight;
static atomic_int stopping;

/* The DSN for the log: a password in it is not shown. */
static const char *
kj_server_dsn_shown(const char *dsn)
{
	static char shown[256];
	const char *at = strchr(dsn, '@'), *scheme = strstr(dsn, "://");
	const char *pw = strstr(dsn, "password=");

	if (pw != NULL)
		return "postgresql (password hidden)";
	if (at != NULL && scheme != NULL && memchr(scheme + 3, ':', (size_t)(at - scheme - 3)) != NULL) {
		snprintf(shown, sizeof(shown), "%.*s***%s", (int)(scheme + 3 - dsn), dsn, at);
		return shown;
	}
	return dsn;
}

void
kj_server_defaults(struct kj_server_config *cfg)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->listen, sizeof(cfg->listen), "127.0.0.1:8080");
	snprintf(cfg->dsn, sizeof(cfg->dsn), "sqlite:kijun.db");
	cfg->threads = n > 0 && n < 64 ? (unsigned)n : 2;
	cfg->max_connections = 1024;
	cfg->max_per_address = 64;
	cfg->timeout = 30;
	cfg->max_body = 1u << 20;
	cfg->header_timeout = 10;
	cfg->pdf_jobs = 1;
	cfg->pdf_queue = 4;
}

static const char *const config_keys[] = {"listen", "db", "threads", "tls_cert", "tls_key",
					  "max_connections", "max_per_address", "timeout", "max_body",
					  "header_timeout", "pdf_jobs", "pdf_queue", "checkpoint_key", "checkpoint_dir",
					  "checkpoint_interval", NULL};
_Static_assert(sizeof(config_keys) / sizeof(config_keys[0]) == KJ_SERVER_CONFIG_KEYS + 1,
	       "KJ_SERVER_CONFIG_KEYS in server.h counts the keys of config_keys");

static int
set_key(struct kj_server_config *cfg, int k, const char *v)
{
	int64_t n;

	switch (k) {
	case 0:
		kj_strlcpy(cfg->listen, v, sizeof(cfg->listen));
		return 0;
	case 1:
		kj_strlcpy(cfg->dsn, v, sizeof(cfg->dsn));
		return 0;
	case 3:
		kj_strlcpy(cfg->tls_cert, v, sizeof(cfg->tls_cert));
		return 0;
	case 4:
		kj_strlcpy(cfg->tls_key, v, sizeof(cfg->tls_key));
		return 0;
	case 12:
		kj_strlcpy(cfg->checkpoint_key, v, sizeof(cfg->checkpoint_key));
		return 0;
	case 13:
		kj_strlcpy(cfg->checkpoint_dir, v, sizeof(cfg->checkpoint_dir));
		return 0;
	}
	if (kj_parse_int64(v, 1, k == 8 ? (int64_t)KJ_MAX_CATALOG_BYTES : 1000000, &n) != 0)
		return -1;
	if (k == 2)
		cfg->threads = (unsigned)n;
	else if (k == 5)
		cfg->max_connections = (unsigned)n;
	else if (k == 6)
		cfg->max_per_address = (unsigned)n;
	else if (k == 7)
		cfg->timeout = (unsigned)n;
	else if (k == 8)
		cfg->max_body = (size_t)n;
	else if (k == 9)
		cfg->header_timeout = (unsigned)n;
	else if (k == 10)
		cfg->pdf_jobs = n > 16 ? 16 : (unsigned)n;
	else if (k == 11)
		cfg->pdf_queue = (unsigned)n;
	else if (k == 14)
		cfg->checkpoint_interval = (unsigned)n;
	return 0;
}

kj_err
kj_server_config_file(struct kj_ctx *ctx, const char *path, struct kj_server_config *cfg,
		      const unsigned char *set)
{
	char *data = NULL, *line, *next;
	size_t len;
	int lineno = 0;
	kj_err r;

	if ((r = kj_file_read(ctx, path, 1u << 20, &data, &len)) != KJ_OK)
		return r;
	for (line = data; line != NULL && r == KJ_OK; line = next) {
		char *eq, *k, *v, *end;
		int i;

		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		lineno++;
		while (*line == ' ' || *line == '\t')
			line++;
		if (*line == '#' || *line == '\0' || *line == '\r')
			continue;
		eq = strchr(line, '=');
		if (eq == NULL) {
			r = kj_failf(ctx, KJ_ERR_INVALID, "%s:%d: expected key = value", path, lineno);
			break;
		}
		*eq = '\0';
		k = line;
		v = eq + 1;
		for (end = eq; end > k && (end[-1] == ' ' || end[-1] == '\t'); end--)
			end[-1] = '\0';
		while (*v == ' ' || *v == '\t')
			v++;
		for (end = v + strlen(v); end > v && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'); end--)
			end[-1] = '\0';
		for (i = 0; config_keys[i] != NULL && strcmp(config_keys[i], k) != 0; i++)
			;
		if (config_keys[i] == NULL) {
			r = kj_failf(ctx, KJ_ERR_INVALID, "%s:%d: unknown key \"%.40s\"", path, lineno, k);
			break;
		}
		if (set != NULL && set[i])
			continue;	/* a flag or the environment said otherwise */
		if (set_key(cfg, i, v) != 0)
			r = kj_failf(ctx, KJ_ERR_INVALID, "%s:%d: %s: expected a positive whole number", path,
				     lineno, k);
	}
	free(data);
	return r;
}

/* ---- Per-thread database connections -------------------------------------------------- */

static pthread_mutex_t dbs_lock = PTHREAD_MUTEX_INITIALIZER;
static struct kj_db *dbs[256];
static size_t ndbs;
static __thread struct kj_db *thread_db;

static struct kj_db *
db_for_thread(const struct kj_server_config *cfg, struct kj_ctx *scratch)
{
	struct kj_db *db;

	if (thread_db != NULL)
		return thread_db;
	if (kj_db_open(scratch, cfg->dsn, &db) != KJ_OK)
		return NULL;
	pthread_mutex_lock(&dbs_lock);
	if (ndbs < sizeof(dbs) / sizeof(dbs[0]))
		dbs[ndbs++] = db;
	pthread_mutex_unlock(&dbs_lock);
	thread_db = db;
	return db;
}

/* ---- Replies -------------------------------------------------------------------------- */

void
kj_reply_header(struct kj_req *rq, const char *name, const char *value)
{
	if (rq->nheaders >= 8)
		return;
	kj_strlcpy(rq->headers[rq->nheaders][0], name, sizeof(rq->headers[0][0]));
	kj_strlcpy(rq->headers[rq->nheaders][1], value, sizeof(rq->headers[0][1]));
	rq->nheaders++;
}

int
kj_req_leave_read(struct kj_req *rq)
{
	int had = kj_tx_active(&rq->ctx);

	if (had) {
		struct kj_ctx scratch = rq->ctx;

		kj_tx_end(&scratch, KJ_OK);
	}
	return had;
}

void
kj_req_resume_read(struct kj_req *rq, int had)
{
	if (had) {
		struct kj_ctx scratch = rq->ctx;

		kj_tx_begin_read(&scratch);
	}
}

void
kj_reply_raw(struct kj_req *rq, int status, const char *type, char *data, size_t len)
{
	free(rq->resp);
	rq->status = status;
	rq->resp = data;
	rq->resp_len = len;
	rq->resp_type = type;
}

void
kj_reply_file(struct kj_req *rq, const char *media_type, unsigned char *data, size_t len)
{
	/* The reply keeps the type's pointer: one of these fixed strings. */
	static const char *const types[] = {"application/pdf", "image/png", "image/jpeg", "text/csv", "text/plain", NULL};
	int i;

	for (i = 0; types[i] != NULL && (media_type == NULL || strcmp(types[i], media_type) != 0); i++)
		;
	kj_reply_header(rq, "Content-Disposition", "attachment");
	kj_reply_raw(rq, 200, types[i] != NULL ? types[i] : "application/octet-stream", (char *)data, len);
}

void
kj_reply_json(struct kj_req *rq, int status, json_t *j)
{
	char *s;

	if (j == NULL) {
		kj_reply_error(rq, KJ_ERR_NOMEM, NULL);
		return;
	}
	s = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	if (s == NULL) {
		kj_reply_error(rq, KJ_ERR_NOMEM, NULL);
		return;
	}
	kj_reply_raw(rq, status, "application/json; charset=utf-8", s, strlen(s));
}

static int
status_of(kj_err e)
{
	switch (e) {
	case KJ_OK:
		return 200;
	case KJ_ERR_INVALID:
	case KJ_ERR_USAGE:
		return 400;
	case KJ_ERR_AUTH:
		return 401;
	case KJ_ERR_DENIED:
		return 403;
	case KJ_ERR_NOT_FOUND:
		return 404;
	case KJ_ERR_EXISTS:
	case KJ_ERR_STATE:
		return 409;
	case KJ_ERR_CONFLICT:
		return 412;
	case KJ_ERR_TOO_LARGE:
		return 413;
	case KJ_ERR_THROTTLED:
		return 429;
	case KJ_ERR_NOMEM:
	case KJ_ERR_UNAVAILABLE:
		return 503;
	default:
		return 500;
	}
}

/* message, with every byte that is not part of valid UTF-8 replaced by U+FFFD. Messages
 * quote what the client sent ("no account \"...\""), and jansson refuses invalid UTF-8:
 * without this, a name of stray bytes turned a 404 into a 503 "out of memory". */
static const char *
utf8_clean(const char *message, char *out, size_t size)
{
	const unsigned char *s = (const unsigned char *)message;
	size_t o = 0;

	if (kj_utf8_valid(message, strlen(message)))
		return message;
	while (*s != '\0' && o + 4 < size) {
		size_t n = *s < 0x80 ? 1 : *s >= 0xc2 && *s <= 0xdf ? 2 : *s >= 0xe0 && *s <= 0xef ? 3
			 : *s >= 0xf0 && *s <= 0xf4 ? 4 : 0;

		if (n > 0 && strnlen((const char *)s, n) == n && kj_utf8_valid((const char *)s, n)) {
			memcpy(out + o, s, n);
			o += n;
			s += n;
		} else {
			memcpy(out + o, "\xef\xbf\xbd", 3);
			o += 3;
			s++;
		}
	}
	out[o] = '\0';
	return out;
}

/* s for a log line: control bytes (a decoded %0a in the path, say) shown as \xNN, so that
 * a request cannot write lines of its own into the log. Truncated to fit out. */
static const char *
log_safe(const char *s, char *out, size_t size)
{
	size_t o = 0;

	for (; *s != '\0' && o + 5 < size; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c == 0x7f) {
			snprintf(out + o, size - o, "\\x%02x", c);
			o += 4;
		} else {
			out[o++] = (char)c;
		}
	}
	out[o] = '\0';
	return out;
}

void
kj_reply_error(struct kj_req *rq, kj_err e, const char *message)
{
	int status = status_of(e);
	const char *name = kj_err_name(e);
	char clean[3 * sizeof(rq->ctx.msg) + 4];

	if (message != NULL)
		message = utf8_clean(message, clean, sizeof(clean));
	if (status >= 500) {
		/* The detail is for the operator, not the client. */
		if (message != NULL && *message != '\0') {
			char m[64], p[1024], d[3 * sizeof(rq->ctx.msg) + 4];

			fprintf(stderr, "kijun serve: %s %s: %s: %s\n", log_safe(rq->method, m, sizeof(m)),
				log_safe(rq->path, p, sizeof(p)), name, log_safe(message, d, sizeof(d)));
		}
		message = status != 503 ? "internal error"
			: e == KJ_ERR_UNAVAILABLE ? "the database is unavailable (down, restarting or out of space); try again shortly"
			: "the server is short of memory; try again";
		if (e == KJ_ERR_UNAVAILABLE)
			kj_reply_header(rq, "Retry-After", "5");
	}
	kj_reply_json(rq, status, json_pack("{s:s, s:s}", "error", name, "message", message ? message : name));
	if (rq->status != status) {
		/* json_pack failed: say something all the same. */
		static const char fallback[] = "{\"error\":\"no_memory\",\"message\":\"out of memory\"}";
		char *s = strdup(fallback);

		kj_reply_raw(rq, 503, "application/json; charset=utf-8", s, s ? strlen(s) : 0);
	}
}

void
kj_reply_fail(struct kj_req *rq, kj_err e)
{
	kj_reply_error(rq, e, rq->ctx.msg[0] ? rq->ctx.msg : NULL);
}

int
api_code_page_args(struct kj_req *rq, const char **cursor, int *limit)
{
	*cursor = kj_req_query(rq, "cursor");
	if (kj_req_limit(rq, limit) != 0)
		return -1;
	if (*cursor != NULL && ((*cursor)[0] == '\0' || strlen(*cursor) > KJ_MAX_CODE_BYTES)) {
		kj_reply_error(rq, KJ_ERR_INVALID, "cursor: not one this server gave");
		return -1;
	}
	return 0;
}

void
api_reply_code_page(struct kj_req *rq, kj_err r, json_t *items, int more)
{
	const char *next = NULL;
	json_t *j = NULL;

	if (r == KJ_OK) {
		if (more && json_array_size(items) > 0)
			next = json_string_value(json_object_get(json_array_get(items, json_array_size(items) - 1), "code"));
		j = json_pack("{s:O, s:s?}", "items", items, "next_cursor", next);
	}
	json_decref(items);
	api_reply_result(rq, r, 200, j);
}

void
api_reply_result(struct kj_req *rq, kj_err r, int status, json_t *j)
{
	if (r != KJ_OK) {
		json_decref(j);
		kj_reply_fail(rq, r);
		return;
	}
	kj_reply_json(rq, status, j);
}

const char *
api_json_str(json_t *j, const char *k)
{
	return json_string_value(json_object_get(j, k));
}

const char *
kj_req_query(struct kj_req *rq, const char *name)
{
	return MHD_lookup_connection_value(rq->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *
kj_req_header(struct kj_req *rq, const char *name)
{
	return MHD_lookup_connection_value(rq->conn, MHD_HEADER_KIND, name);
}

json_t *
kj_req_json(struct kj_req *rq, const char *const *allowed)
{
	struct kj_jpath p;
	json_t *j = NULL;
	kj_err r;

	if (rq->body.len == 0) {
		kj_reply_error(rq, KJ_ERR_INVALID, "body: expected a JSON object");
		return NULL;
	}
	if ((r = kj_json_parse(&rq->ctx, "body", kj_buf_cstr(&rq->body), rq->body.len, &j)) != KJ_OK) {
		kj_reply_fail(rq, r);
		return NULL;
	}
	kj_jpath_init(&p);
	if ((r = kj_json_allow(&rq->ctx, "body", &p, j, allowed)) != KJ_OK) {
		json_decref(j);
		kj_reply_fail(rq, r);
		return NULL;
	}
	return j;
}

int
kj_req_limit(struct kj_req *rq, int *limit_out)
{
	const char *v = kj_req_query(rq, "limit");
	int64_t n = 100;

	if (v != NULL && kj_parse_int64(v, 1, 1000, &n) != 0) {
		kj_reply_error(rq, KJ_ERR_INVALID, "limit: expected a whole number from 1 to 1000");
		return -1;
	}
	*limit_out = (int)n;
	return 0;
}

void
kj_cursor_encode(int64_t v, char out[32])
{
	/* Base-36 with a prefix: opaque to clients, cheap to check. */
	static const char digits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
	char tmp[32];
	int n = 0, i;
	uint64_t u = (uint64_t)v;

	do {
		tmp[n++] = digits[u % 36];
		u /= 36;
	} while (u > 0 && n < 30);
	out[0] = 'c';
	for (i = 0; i < n; i++)
		out[1 + i] = tmp[n - 1 - i];
	out[1 + n] = '\0';
}

int
kj_cursor_decode(const char *s, int64_t *out)
{
	uint64_t v = 0;

	if (s == NULL || s[0] != 'c' || s[1] == '\0' || strlen(s) > 14)
		return -1;
	for (s++; *s; s++) {
		int d;

		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (*s >= 'a' && *s <= 'z')
			d = *s - 'a' + 10;
		else
			return -1;
		/* Thirteen digits can pass INT64_MAX and wrap around to a small position. */
		if (v > ((uint64_t)INT64_MAX - (uint64_t)d) / 36)
			return -1;
		v = v * 36 + (uint64_t)d;
	}
	if (v > INT64_MAX)
		return -1;
	*out = (int64_t)v;
	return 0;
}

void
kj_reply_etag(struct kj_req *rq, int64_t version)
{
	char tag[40];

	snprintf(tag, sizeof(tag), "\"v%lld\"", (long long)version);
	kj_reply_header(rq, "ETag", tag);
}

int
kj_req_if_match(struct kj_req *rq, int64_t version)
{
	const char *h = kj_req_header(rq, "If-Match");
	char tag[40];

	if (h == NULL) {
		kj_reply_json(rq, 428, json_pack("{s:s, s:s}", "error", "precondition_required", "message",
						 "If-Match: required (send the ETag you read)"));
		return -1;
	}
	snprintf(tag, sizeof(tag), "\"v%lld\"", (long long)version);
	if (strcmp(h, tag) != 0 && strcmp(h, "*") != 0) {
		kj_reply_error(rq, KJ_ERR_CONFLICT, "If-Match: the resource changed since you read it");
		kj_reply_etag(rq, version);
		return -1;
	}
	return 0;
}

/* ---- Routing -------------------------------------------------------------------------- */

/* Matches path against pattern, capturing {params} (at most 4) into the buffer. */
static int
match(const char *pattern, const char *path, const char **params, char *buf, size_t size)
{
	size_t used = 0;
	int np = 0;

	while (*pattern != '\0' && *path != '\0') {
		if (*pattern == '{') {
			const char *end = strchr(path, '/');
			size_t n = end ? (size_t)(end - path) : strlen(path);

			if (n == 0 || np >= 4 || used + n + 1 > size)
				return 0;
			memcpy(buf + used, path, n);
			buf[used + n] = '\0';
			params[np++] = buf + used;
			used += n + 1;
			path += n;
			pattern = strchr(pattern, '}');
			if (pattern == NULL)
				return 0;
			pattern++;
			continue;
		}
		if (*pattern != *path)
			return 0;
		pattern++;
		path++;
	}
	return *pattern == '\0' && *path == '\0';
}

struct conn_state {
	struct kj_req rq;
	const struct kj_route *route;
	char parambuf[512];
	int allowed;		/* a route matched: 0 none, 1 path but not method, 2 both */
	char allow[64];		/* with allowed == 1: the methods the path takes, for Allow */
	int late;		/* begun after the stop began: refused */
	int refused;		/* refused on its head: the body is not kept, the reply is set */
	int must_close;		/* the reply ends the connection (the body was not read) */
	int sent;		/* the reply is queued */
	struct timespec start;
};

static void
find_route(struct conn_state *cs, const struct kj_server_config *cfg, const char *method, const char *path)
{
	const struct kj_route *r;
	/* HEAD is GET without the body, which libmicrohttpd leaves out by itself. */
	const char *want = strcmp(method, "HEAD") == 0 ? "GET" : method;

	cs->allowed = 0;
	cs->allow[0] = '\0';
	for (r = kj_routes; r->method != NULL; r++) {
		const char *params[4] = {0};

		if ((r->flags & KJ_ROUTE_BENCH) && !cfg->bench_routes)
			continue;
		if (!match(r->pattern, path, params, cs->parambuf, sizeof(cs->parambuf)))
			continue;
		if (strcmp(r->method, want) != 0) {
			if (cs->allowed == 0)
				cs->allowed = 1;
			if (strstr(cs->allow, r->method) == NULL) {
				size_t n = strlen(cs->allow);

				snprintf(cs->allow + n, sizeof(cs->allow) - n, "%s%s%s", n ? ", " : "", r->method,
					 strcmp(r->method, "GET") == 0 ? ", HEAD" : "");
			}
			continue;
		}
		cs->allowed = 2;
		cs->route = r;
		memcpy(cs->rq.params, params, sizeof(params));
		return;
	}
}

/* ---- Authentication ------------------------------------------------------------------- */

static int
authenticate(struct kj_req *rq)
{
	const char *auth = kj_req_header(rq, "Authorization");
	const char *cookie = MHD_lookup_connection_value(rq->conn, MHD_COOKIE_KIND, COOKIE);
	kj_err r;

	if (auth != NULL) {
		if (strncmp(auth, "Bearer ", 7) != 0) {
			kj_reply_error(rq, KJ_ERR_AUTH, "Authorization: expected Bearer TOKEN");
			return -1;
		}
		if ((r = kj_token_resume(&rq->ctx, auth + 7)) != KJ_OK) {
			kj_reply_fail(rq, r);
			return -1;
		}
		return 0;
	}
	if (cookie != NULL) {
		if ((r = kj_session_resume(&rq->ctx, cookie, rq->csrf)) != KJ_OK) {
			kj_reply_fail(rq, r);
			return -1;
		}
		rq->by_cookie = 1;
		kj_strlcpy(rq->session, cookie, sizeof(rq->session));
		return 0;
	}
	kj_reply_error(rq, KJ_ERR_AUTH, "not logged in: log in at POST /api/v1/session or send a bearer token");
	return -1;
}

/* A change made with the session cookie must carry the session's CSRF token, so that
 * another site cannot make the browser act on the user's behalf. */
static int
check_csrf(struct kj_req *rq)
{
	const char *h;

	if (!rq->by_cookie || strcmp(rq->method, "GET") == 0 || strcmp(rq->method, "HEAD") == 0)
		return 0;
	h = kj_req_header(rq, "X-CSRF-Token");
	if (h == NULL || strlen(h) != strlen(rq->csrf) || sodium_memcmp(h, rq->csrf, strlen(h)) != 0) {
		kj_reply_error(rq, KJ_ERR_DENIED, "X-CSRF-Token: missing or wrong (it comes with the login reply)");
		return -1;
	}
	return 0;
}

/* ---- libmicrohttpd glue ----------------------------------------------------------------- */

static void
add_headers(struct MHD_Response *resp, const struct conn_state *cs)
{
	const struct kj_req *rq = &cs->rq;
	int i, own_csp = 0, own_cache = 0;

	/* A handler may set the policy its document needs (the HTML report's inline style),
	 * and its caching (the web interface's files). */
	for (i = 0; i < rq->nheaders; i++) {
		own_csp |= strcmp(rq->headers[i][0], "Content-Security-Policy") == 0;
		own_cache |= strcmp(rq->headers[i][0], "Cache-Control") == 0;
	}
	MHD_add_response_header(resp, "Content-Type", rq->resp_type ? rq->resp_type : "application/json; charset=utf-8");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	if (!own_cache)
		MHD_add_response_header(resp, "Cache-Control", "no-store");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	if (!own_csp)
		MHD_add_response_header(resp, "Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'");
	if (rq->tls)
		MHD_add_response_header(resp, "Strict-Transport-Security", "max-age=31536000; includeSubDomains");
	if (atomic_load(&stopping) || cs->must_close)
		MHD_add_response_header(resp, "Connection", "close");	/* no next request to wait for */
	for (i = 0; i < rq->nheaders; i++)
		MHD_add_response_header(resp, rq->headers[i][0], rq->headers[i][1]);
}

static enum MHD_Result
send_reply(struct MHD_Connection *conn, struct conn_state *cs)
{
	struct kj_req *rq = &cs->rq;
	struct MHD_Response *resp;
	enum MHD_Result ret;
	struct timespec end;

	if (rq->resp == NULL)
		kj_reply_error(rq, KJ_ERR_INTERNAL, "the handler gave no reply");
	resp = MHD_create_response_from_buffer(rq->resp_len, rq->resp, MHD_RESPMEM_MUST_FREE);
	if (resp == NULL)
		return MHD_NO;
	rq->resp = NULL;	/* the response owns it now */
	add_headers(resp, cs);
	ret = MHD_queue_response(conn, (unsigned)rq->status, resp);
	cs->sent = 1;
	MHD_destroy_response(resp);
	if (!rq->cfg->quiet) {
		char m[64], p[1024];

		clock_gettime(CLOCK_MONOTONIC, &end);
		fprintf(stderr, "%s %s %s %d %.1fms\n", rq->address, log_safe(rq->method, m, sizeof(m)),
			log_safe(rq->path, p, sizeof(p)), rq->status,
			(double)(end.tv_sec - cs->start.tv_sec) * 1e3 + (double)(end.tv_nsec - cs->start.tv_nsec) / 1e6);
	}
	return ret;
}

static void
client_address(struct MHD_Connection *conn, char *out, size_t size)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);

	kj_strlcpy(out, "-", size);
	if (ci == NULL || ci->client_addr == NULL)
		return;
	if (ci->client_addr->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)ci->client_addr)->sin_addr, out, (socklen_t)size);
	else if (ci->client_addr->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)ci->client_addr)->sin6_addr, out, (socklen_t)size);
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes %XX in the path and the query as libmicrohttpd would, except %00. A decoded NUL
 * ends the C string early, so "/api/v1/orgs/MHA%00.json" would be served as
 * "/api/v1/orgs/MHA". Left as the three characters, it matches no route, code or name. */
static size_t
unescape(void *cls, struct MHD_Connection *conn, char *s)
{
	char *r = s, *w = s;
	int hi, lo;

	(void)cls;
	(void)conn;
	while (*r != '\0') {
		if (r[0] == '%' && (hi = hexval(r[1])) >= 0 && (lo = hexval(r[2])) >= 0 && (hi | lo) != 0) {
			*w++ = (char)(hi * 16 + lo);
			r += 3;
		} else {
			*w++ = *r++;
		}
	}
	*w = '\0';
	return (size_t)(w - s);
}

static enum MHD_Result
arg_utf8(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	int *ok = cls;

	(void)kind;
	if (!kj_utf8_valid(key, strlen(key)) || (value != NULL && !kj_utf8_valid(value, strlen(value)))) {
		*ok = 0;
		return MHD_NO;
	}
	return MHD_YES;
}

/* Path segments and query values reach the model as text, and PostgreSQL refuses text that
 * is not UTF-8 with an error that would surface as a 500: refuse it here, as the client's
 * mistake it is. */
static int
request_utf8(struct MHD_Connection *conn, const char *url)
{
	int ok = 1;

	if (!kj_utf8_valid(url, strlen(url)))
		return 0;
	MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, arg_utf8, &ok);
	return ok;
}

/* Opens the thread's database connection for rq; on failure sets the reply, returns -1. */
static int
attach_db(struct kj_req *rq)
{
	struct kj_ctx scratch;

	if (rq->ctx.db != NULL)
		return 0;
	kj_ctx_init(&scratch);
	rq->ctx.db = db_for_thread(rq->cfg, &scratch);
	if (rq->ctx.db == NULL) {
		kj_reply_error(rq, scratch.err == KJ_ERR_UNAVAILABLE ? KJ_ERR_UNAVAILABLE : KJ_ERR_DB, scratch.msg);
		return -1;
	}
	return 0;
}

/* Marks cs refused (its reply is set). A request with a body gets the reply now, before
 * the body is read: libmicrohttpd then reads no more of it and closes the connection after
 * the reply. One without waits for the usual last call, which keeps the connection. */
static enum MHD_Result
refuse_on_head(struct MHD_Connection *conn, struct conn_state *cs)
{
	cs->refused = 1;
	return kj_frontdoor_has_body(&cs->rq) ? send_reply(conn, cs) : MHD_YES;
}

/* Fills cs's request from what libmicrohttpd has parsed of the head. */
static void
init_request(struct conn_state *cs, const struct kj_server_config *cfg, struct MHD_Connection *conn,
	     const char *url, const char *method)
{
	struct kj_req *rq = &cs->rq;

	cs->late = atomic_load(&stopping);
	clock_gettime(CLOCK_MONOTONIC, &cs->start);
	kj_ctx_init(&rq->ctx);
	rq->ctx.who.role = KJ_ROLE_NONE;
	rq->ctx.who.name[0] = '\0';
	rq->cfg = cfg;
	rq->conn = conn;
	rq->method = method;
	rq->path = url;
	rq->tls = cfg->tls_cert[0] != '\0';
	client_address(conn, rq->address, sizeof(rq->address));
}

/* The first call for a request, with its head in and no byte of its body read: sets up
 * the request, and refuses at once what needs no body to refuse. A malformed head, and a
 * request to a route that needs a login without a valid one (or a session change without
 * its CSRF token), are answered before the body is read, so that nobody can make the
 * server hold a large body without logging in first. */
static enum MHD_Result
on_head(const struct kj_server_config *cfg, struct MHD_Connection *conn, const char *url, const char *method,
	const char *version, void **con_cls)
{
	struct conn_state *cs = calloc(1, sizeof(*cs));
	struct kj_req *rq;
	const char *cl;
	int64_t clen;
	size_t cap;

	if (cs == NULL)
		return MHD_NO;
	*con_cls = cs;
	atomic_fetch_add(&in_flight, 1);	/* on_completed takes it off */
	init_request(cs, cfg, conn, url, method);
	rq = &cs->rq;
	if (kj_frontdoor_check_head(rq, version) != 0) {
		kj_frontdoor_head_done(conn);
		cs->must_close = 1;
		return refuse_on_head(conn, cs);
	}
	find_route(cs, cfg, method, url);
	cap = cs->route && (cs->route->flags & KJ_ROUTE_BIG_BODY) ? KJ_MAX_CATALOG_BYTES : cfg->max_body;
	kj_buf_init(&rq->body, cap);
	/* Refuse an oversized body before reading it. */
	cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
	if (cl != NULL && kj_parse_int64(cl, 0, INT64_MAX, &clen) == 0 && (uint64_t)clen > cap)
		rq->body.failed = 1;
	/* Nobody logged in: the body, if any, is due by the head's deadline too (a login is
	 * small), so that it cannot be trickled to hold the connection. */
	if (cs->late || cs->allowed != 2 || (cs->route->flags & KJ_ROUTE_PUBLIC))
		return MHD_YES;
	kj_frontdoor_head_done(conn);
	if (attach_db(rq) != 0 || authenticate(rq) != 0 || check_csrf(rq) != 0) {
		cs->must_close = kj_frontdoor_has_body(rq);
		return refuse_on_head(conn, cs);
	}
	return MHD_YES;
}

/* Runs the route's handler (authenticated already, when the route needs it). */
static void
run_handler(struct conn_state *cs)
{
	struct kj_req *rq = &cs->rq;

	/* On SQLite a request that reads takes its snapshot once, not once per statement:
	 * one read transaction around the whole GET. (On PostgreSQL that would cost two more
	 * round trips, so each statement stands alone there.) */
	if ((strcmp(rq->method, "GET") == 0 || strcmp(rq->method, "HEAD") == 0) &&
	    kj_db_kind(rq->ctx.db) == KJ_DB_SQLITE && kj_tx_begin_read(&rq->ctx) == KJ_OK) {
		struct kj_ctx end;

		cs->route->handler(rq);
		end = rq->ctx;
		kj_tx_end(&end, KJ_OK);
	} else {
		cs->route->handler(rq);
	}
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
	   const char *version, const char *upload_data, size_t *upload_size, void **con_cls)
{
	const struct kj_server_config *cfg = cls;
	struct conn_state *cs = *con_cls;
	struct kj_req *rq;

	if (cs == NULL)
		return on_head(cfg, conn, url, method, version, con_cls);
	rq = &cs->rq;
	if (rq->suspended) {
		/* Resumed: a PDF job has set the reply. */
		rq->suspended = 0;
		return send_reply(conn, cs);
	}
	if (*upload_size > 0) {
		if (!kj_buf_failed(&rq->body) && !cs->refused)
			kj_buf_append(&rq->body, upload_data, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}

	/* The whole request is here. */
	kj_frontdoor_head_done(conn);
	if (cs->refused)
		return cs->sent ? MHD_YES : send_reply(conn, cs);
	if (cs->late) {
		kj_reply_json(rq, 503, json_pack("{s:s, s:s}", "error", "unavailable", "message",
						 "the server is stopping; send the request again"));
		return send_reply(conn, cs);
	}
	if (kj_buf_failed(&rq->body)) {
		kj_reply_error(rq, KJ_ERR_TOO_LARGE, "body: larger than this route accepts");
		return send_reply(conn, cs);
	}
	if (!request_utf8(conn, url)) {
		kj_reply_error(rq, KJ_ERR_INVALID, "path or query: not valid UTF-8 (percent-encode UTF-8 bytes)");
		return send_reply(conn, cs);
	}
	/* No API route: / and /static/ are the web interface's files. */
	if (cs->allowed == 0 && kj_static_serve(rq))
		return send_reply(conn, cs);
	if (cs->allowed == 0) {
		kj_reply_error(rq, KJ_ERR_NOT_FOUND, "no such resource");
		return send_reply(conn, cs);
	}
	if (cs->allowed == 1) {
		kj_reply_header(rq, "Allow", cs->allow);
		kj_reply_json(rq, 405, json_pack("{s:s, s:s}", "error", "method_not_allowed", "message",
						 "this resource does not take that method"));
		return send_reply(conn, cs);
	}
	if (attach_db(rq) != 0)
		return send_reply(conn, cs);
	run_handler(cs);
	/* A handler that queued a PDF job has its reply sent when the job resumes it. */
	return rq->suspended ? MHD_YES : send_reply(conn, cs);
}

static void
on_completed(void *cls, struct MHD_Connection *conn, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	struct conn_state *cs = *con_cls;

	(void)cls;
	(void)toe;
	kj_frontdoor_reply_done(conn);
	if (cs == NULL)
		return;
	free(cs->rq.resp);
	kj_buf_free(&cs->rq.body);
	sodium_memzero(cs->rq.session, sizeof(cs->rq.session));
	sodium_memzero(cs->rq.csrf, sizeof(cs->rq.csrf));
	free(cs);
	*con_cls = NULL;
	atomic_fetch_sub(&in_flight, 1);
}

static kj_err
parse_listen(struct kj_ctx *ctx, const char *s, struct sockaddr_storage *ss, socklen_t *len)
{
	char host[128];
	const char *colon;
	int64_t port;

	memset(ss, 0, sizeof(*ss));
	if (s[0] == '[') {
		const char *end = strchr(s, ']');
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;

		if (end == NULL || end[1] != ':' || (size_t)(end - s - 1) >= sizeof(host))
			goto bad;
		memcpy(host, s + 1, (size_t)(end - s - 1));
		host[end - s - 1] = '\0';
		if (kj_parse_int64(end + 2, 1, 65535, &port) != 0 || inet_pton(AF_INET6, host, &a->sin6_addr) != 1)
			goto bad;
		a->sin6_family = AF_INET6;
		a->sin6_port = htons((uint16_t)port);
		*len = sizeof(*a);
		return KJ_OK;
	}
	colon = strrchr(s, ':');
	if (colon == NULL || (size_t)(colon - s) >= sizeof(host))
		goto bad;
	memcpy(host, s, (size_t)(colon - s));
	host[colon - s] = '\0';
	if (strcmp(host, "localhost") == 0)
		kj_strlcpy(host, "127.0.0.1", sizeof(host));
	{
		struct sockaddr_in *a = (struct sockaddr_in *)ss;

		if (kj_parse_int64(colon + 1, 0, 65535, &port) != 0 || inet_pton(AF_INET, host, &a->sin_addr) != 1)
			goto bad;
		a->sin_family = AF_INET;
		a->sin_port = htons((uint16_t)port);
		*len = sizeof(*a);
	}
	return KJ_OK;
bad:
	return kj_failf(ctx, KJ_ERR_USAGE, "listen: \"%.100s\" is not ADDRESS:PORT (such as 127.0.0.1:8080)", s);
}

/* What a server needs before its daemon starts, read while signals still reach us. */
struct start_plan {
	struct sockaddr_storage ss;
	socklen_t slen;
	char *cert, *key;	/* PEM, malloc'ed, or NULL without TLS; the key is wiped when freed */
};

static void
plan_free(struct start_plan *p)
{
	if (p->key != NULL) {
		sodium_memzero(p->key, strlen(p->key));
		free(p->key);
	}
	free(p->cert);
	p->cert = p->key = NULL;
}

/* Reads the PEM file path (what: "tls_cert" or "tls_key") into *out (malloc'ed, NUL
 * ended). Only a regular file is read: a FIFO or a device could make the start wait for
 * ever, and neither holds a certificate. */
static kj_err
read_pem(struct kj_ctx *ctx, const char *what, const char *path, char **out)
{
	size_t cap = 1u << 20, len = 0;
	struct stat st;
	char *data;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);

	if (fd < 0)
		return kj_failf(ctx, KJ_ERR_IO, "%s: %s: cannot open: %s", what, path, strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return kj_failf(ctx, KJ_ERR_IO, "%s: %s: not a regular file (expected a PEM file)", what, path);
	}
	if ((data = malloc(cap + 1)) == NULL) {
		close(fd);
		return kj_failf(ctx, KJ_ERR_NOMEM, "%s: out of memory", what);
	}
	while (len < cap && ((n = read(fd, data + len, cap - len)) > 0 || (n < 0 && errno == EINTR)))
		len += n > 0 ? (size_t)n : 0;
	close(fd);
	data[len] = '\0';
	if (len == 0 || len >= cap || memchr(data, '\0', len) != NULL) {
		sodium_memzero(data, len);
		free(data);
		return kj_failf(ctx, KJ_ERR_INVALID, "%s: %s: expected a PEM file of under 1 MiB", what, path);
	}
	*out = data;
	return KJ_OK;
}

/* Parses the address, checks that the schema is current, and reads the TLS files. On
 * failure nothing is left to free. */
static kj_err
start_prepare(struct kj_ctx *ctx, const struct kj_server_config *cfg, struct start_plan *p)
{
	struct kj_db *db;
	kj_err r;

	memset(p, 0, sizeof(*p));
	if ((r = parse_listen(ctx, cfg->listen, &p->ss, &p->slen)) != KJ_OK)
		return r;
	/* The schema must be current before anyone is let in. */
	if ((r = kj_db_open(ctx, cfg->dsn, &db)) != KJ_OK)
		return r;
	r = kj_db_require_current(ctx);
	kj_db_close(db);
	ctx->db = NULL;
	if (r != KJ_OK)
		return r;
	if (cfg->tls_cert[0] == '\0' && cfg->tls_key[0] == '\0')
		return KJ_OK;
	if (cfg->tls_cert[0] == '\0' || cfg->tls_key[0] == '\0')
		return kj_failf(ctx, KJ_ERR_USAGE, "TLS needs both a certificate and a key");
	if ((r = read_pem(ctx, "tls_cert", cfg->tls_cert, &p->cert)) != KJ_OK ||
	    (r = read_pem(ctx, "tls_key", cfg->tls_key, &p->key)) != KJ_OK)
		plan_free(p);
	return r;
}

/* TLS 1.2 and 1.3 only; on TLS 1.2, ECDHE key exchange with AES-GCM or ChaCha20-Poly1305
 * only (forward secret, authenticated encryption). TLS 1.3's suites are all both; the
 * cipher list keeps its AES-CCM ones out too. */
#define TLS_PRIORITIES                                                                                       \
	"NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:-KX-ALL:+ECDHE-ECDSA:+ECDHE-RSA:-CIPHER-ALL:+AES-256-GCM:" \
	"+AES-128-GCM:+CHACHA20-POLY1305:-MAC-ALL:+AEAD"

/* Starts the daemon, the head deadline's thread and the PDF job threads. */
static kj_err
start_daemon(struct kj_ctx *ctx, const struct kj_server_config *cfg, const struct start_plan *p,
	     struct kj_server **out)
{
	struct MHD_Daemon *d;
	unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG | MHD_USE_ITC | MHD_ALLOW_SUSPEND_RESUME;

	if (p->ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	if (p->cert != NULL)
		flags |= MHD_USE_TLS;
	signal(SIGPIPE, SIG_IGN);
	if (kj_frontdoor_start(cfg->header_timeout, cfg->timeout) != 0)
		return kj_failf(ctx, KJ_ERR_IO, "cannot start the thread that times request heads");
	kj_pdfjobs_start(cfg->pdf_jobs, cfg->pdf_queue);
	/* Options after the TLS ones are ignored without TLS (MHD_OPTION_END comes first). */
	d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, (void *)cfg,
			     MHD_OPTION_SOCK_ADDR, (const struct sockaddr *)&p->ss,
			     MHD_OPTION_THREAD_POOL_SIZE, cfg->threads,
			     MHD_OPTION_CONNECTION_LIMIT, cfg->max_connections,
			     MHD_OPTION_PER_IP_CONNECTION_LIMIT, cfg->max_per_address,
			     MHD_OPTION_CONNECTION_TIMEOUT, cfg->timeout,
			     MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024),
			     MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
			     MHD_OPTION_NOTIFY_CONNECTION, kj_frontdoor_notify, NULL,
			     MHD_OPTION_UNESCAPE_CALLBACK, unescape, NULL,
			     p->cert != NULL ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, p->cert,
			     MHD_OPTION_HTTPS_MEM_KEY, p->key,
			     MHD_OPTION_HTTPS_PRIORITIES, TLS_PRIORITIES,
			     MHD_OPTION_END);
	if (d == NULL) {
		kj_pdfjobs_stop();
		kj_frontdoor_stop();
		return kj_failf(ctx, KJ_ERR_IO, "cannot listen on %s (in use, or not an address of this machine)",
				cfg->listen);
	}
	*out = (struct kj_server *)d;
	return KJ_OK;
}

kj_err
kj_server_start(struct kj_ctx *ctx, const struct kj_server_config *cfg, struct kj_server **out)
{
	struct start_plan p;
	kj_err r;

	if ((r = start_prepare(ctx, cfg, &p)) != KJ_OK)
		return r;
	r = start_daemon(ctx, cfg, &p, out);
	plan_free(&p);
	return r;
}

unsigned
kj_server_port(struct kj_server *srv)
{
	const union MHD_DaemonInfo *di = MHD_get_daemon_info((struct MHD_Daemon *)srv, MHD_DAEMON_INFO_BIND_PORT);

	return di != NULL ? di->port : 0;
}

void
kj_server_stop(struct kj_server *srv)
{
	struct MHD_Daemon *d = (struct MHD_Daemon *)srv;
	size_t i;

	if (d == NULL)
		return;
	/* Stop accepting, let the workers finish what they hold, then close. Every reply
	 * was sent after its transaction committed, so nothing acknowledged is lost. And a
	 * change committed but never acknowledged would look failed to its client, who might
	 * make it again: so wait (bounded, lest a stuck client hold the stop up) until the
	 * requests in hand have had their replies sent. MHD_stop_daemon alone cuts them off. */
	MHD_quiesce_daemon(d);
	atomic_store(&stopping, 1);
	for (i = 0; i < STOP_WAIT_MS / 10 && atomic_load(&in_flight) > 0; i++) {
		struct timespec ts = {0, 10 * 1000 * 1000};

		nanosleep(&ts, NULL);
	}
	/* PDFs still printing are cancelled: their connections must be resumed before the
	 * daemon can close them. */
	kj_pdfjobs_stop();
	kj_frontdoor_stop();
	MHD_stop_daemon(d);
	pthread_mutex_lock(&dbs_lock);
	for (i = 0; i < ndbs; i++)
		kj_db_close(dbs[i]);
	ndbs = 0;
	pthread_mutex_unlock(&dbs_lock);
	api_item_cache_free();
}

kj_err
kj_server_run(struct kj_ctx *ctx, const struct kj_server_config *cfg)
{
	struct kj_server *srv;
	struct start_plan p;
	struct kj_checkpointer *cp = NULL;
	sigset_t sigs;
	int sig;
	kj_err r;

	/* Everything that may wait (the database, the TLS files) is done while SIGTERM and
	 * SIGINT still stop the process. */
	if ((r = start_prepare(ctx, cfg, &p)) != KJ_OK)
		return r;
	/* Workers inherit this mask; the main thread waits for the signals below. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	r = kj_checkpointer_start(ctx, cfg, &cp);
	if (r == KJ_OK)
		r = start_daemon(ctx, cfg, &p, &srv);
	plan_free(&p);
	if (r != KJ_OK) {
		kj_checkpointer_stop(cp);
		pthread_sigmask(SIG_UNBLOCK, &sigs, NULL);
		return r;
	}
	printf("kijun serve: listening on %s://%s (database %s, %u threads)\n", cfg->tls_cert[0] ? "https" : "http",
	       cfg->listen, kj_server_dsn_shown(cfg->dsn), cfg->threads);
	fflush(stdout);
	while (sigwait(&sigs, &sig) != 0)
		;
	fprintf(stderr, "kijun serve: %s: finishing the requests in hand\n", sig == SIGTERM ? "SIGTERM" : "SIGINT");
	kj_server_stop(srv);
	kj_checkpointer_stop(cp);
	return KJ_OK;
}
