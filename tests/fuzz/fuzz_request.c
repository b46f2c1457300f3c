/*
 * fuzz_request.c: drives `kijun serve`'s request handling (routing, authentication, query
 * parameters, body accumulation and validation, every handler) with arbitrary requests,
 * sent as raw HTTP/1.1 over real TCP connections to an in-process server on loopback.
 *
 * Setup, once per process: a fresh SQLite database in a mkdtemp directory with the demo
 * government and the demo FY2025 edition, a centre_admin account with an API token, two
 * accounts for the seeds to act on ("victim", an org_admin whose password the seeds know,
 * and "auditor", an external auditor), an org_admin of MHA with a random name and a
 * logged-in session (cookie and CSRF token), and the server on 127.0.0.1:0 (one thread, no
 * access log, benchmark routes on). When the session stops working (an input logged it
 * out), the harness logs in again, so that later inputs still reach the routes behind it. The database is not reset between inputs: whatever
 * one input creates, the next may see. KIJUN_FUZZ_VERBOSE=1 prints the status, request
 * line and start of the reply of every request (to check what the seeds reach).
 *
 * An input is one or more request templates (at most MAX_REQUESTS), separated by a line
 * "~~~", each sent on a connection of its own, in order, so that one seed can hold a valid
 * and an invalid request, or a create and a change of what it created. A template is text,
 * so that the seeds in corpus/request are readable:
 *
 *   byte 0        'S': the harness sends the session's cookie and its X-CSRF-Token (the
 *                 input's Authorization, Cookie and X-CSRF-Token headers are dropped);
 *                 other odd: "Authorization: Bearer TOKEN" (any Authorization header of
 *                 the input is dropped); even: no credentials but the input's own
 *   rest of line  METHOD TARGET (TARGET is path and query; empty method means GET)
 *   next lines    header lines, up to an empty line
 *   the rest      the body (at most 64 KiB are sent)
 *
 * The harness owns the framing: the HTTP version, Host, Content-Length, Connection: close;
 * Content-Length, Transfer-Encoding, Connection, Expect and Host lines of the input are
 * dropped, so that every request is complete and must get an answer. Bytes that would
 * break the request line (controls, space, DEL) are percent-encoded in the target and
 * removed from the method; CR and NUL are removed from header lines (before the harness
 * looks for the names it owns).
 *
 * Findings (abort): a crash or sanitizer report in the server; no reply within the time
 * limit; a reply that is not well-formed HTTP (status line, header lines, a body the length
 * its Content-Length says); a 5xx status (a 503, "short of memory", only counts when
 * KIJUN_FUZZ_LOW_MEMORY is not set, see below); a JSON reply without a body or whose body
 * is not JSON.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

#include "base/embedded.h"
#include "db/db.h"
#include "db/migrate.h"
#include "formats/catalog.h"
#include "formats/government.h"
#include "model/account.h"
#include "server/server.h"

#define MAX_BODY (64u * 1024u)		/* bytes of body sent per input */
#define MAX_REPLY (64u * 1024u * 1024u)	/* a larger reply is a finding too */
#define REPLY_MS 8000			/* libFuzzer's -timeout in fuzz.sh is 10 s */
#define MAX_REQUESTS 8			/* per input */
#define SEPARATOR "\n~~~\n"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct kj_server_config cfg;	/* must outlive the server */
static struct kj_server *srv;
static unsigned port;
static char token[KJ_TOKEN_CHARS];
static struct kj_db *own_db;	/* the harness's connection, for logging in again */
static struct kj_user sess_user;
static char session[KJ_TOKEN_CHARS], csrf[KJ_TOKEN_CHARS];
static char dir[64];
static int warned_token;
static int low_memory;	/* KIJUN_FUZZ_LOW_MEMORY set: a 503 (short of memory) is no finding */
static int verbose;	/* KIJUN_FUZZ_VERBOSE set: one line per request, for checking seeds */

static void
die(const char *what, const struct kj_ctx *ctx)
{
	fprintf(stderr, "fuzz_request: setup: %s: %s\n", what, ctx != NULL ? ctx->msg : "");
	abort();
}

static void
teardown(void)
{
	static const char *const files[] = {"fuzz.db", "fuzz.db-wal", "fuzz.db-shm", "fuzz.db-journal", NULL};
	char p[128];
	int i;

	kj_server_stop(srv);
	srv = NULL;
	kj_db_close(own_db);
	own_db = NULL;
	for (i = 0; files[i] != NULL; i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, files[i]);
		unlink(p);
	}
	rmdir(dir);
	sodium_memzero(token, sizeof(token));
	sodium_memzero(session, sizeof(session));
	sodium_memzero(csrf, sizeof(csrf));
}

/* Logs the session account in (again). */
static void
new_session(void)
{
	struct kj_ctx ctx;
	struct kj_session s;

	kj_ctx_init(&ctx);
	ctx.db = own_db;
	if (kj_session_create(&ctx, &sess_user, "127.0.0.1", &s) != KJ_OK)
		die("session", &ctx);
	snprintf(session, sizeof(session), "%s", s.token);
	snprintf(csrf, sizeof(csrf), "%s", s.csrf);
	sodium_memzero(&s, sizeof(s));
}

static void
setup(void)
{
	static const char *const demo[] = {"government.json", "standard-fy2025.json", NULL};
	struct kj_ctx ctx;
	struct kj_db *db = NULL;
	struct kj_user_new un;
	struct kj_user u;
	struct kj_token t;
	unsigned char rnd[6];
	char name[32], pw[64];
	size_t n;
	int i;
	kj_err r;

	if (sodium_init() < 0)
		die("sodium_init", NULL);
	snprintf(dir, sizeof(dir), "/tmp/kijun-fuzz-request.XXXXXX");
	if (mkdtemp(dir) == NULL)
		die("mkdtemp", NULL);
	kj_server_defaults(&cfg);
	snprintf(cfg.dsn, sizeof(cfg.dsn), "sqlite:%s/fuzz.db", dir);
	snprintf(cfg.listen, sizeof(cfg.listen), "127.0.0.1:0");
	cfg.threads = 1;
	cfg.quiet = 1;
	cfg.bench_routes = 1;
	cfg.timeout = 10;

	kj_ctx_init(&ctx);	/* the local administrator */
	if (kj_db_open(&ctx, cfg.dsn, &db) != KJ_OK || kj_db_migrate(&ctx, NULL) != KJ_OK)
		die("database", &ctx);
	if ((r = kj_tx_begin(&ctx)) != KJ_OK)
		die("begin", &ctx);
	for (i = 0; r == KJ_OK && demo[i] != NULL; i++) {
		const struct kj_embedded *e = kj_embedded_find(kj_embedded_demo, demo[i]);

		if (e == NULL)
			die(demo[i], NULL);
		if (i == 0)
			r = kj_government_import_mem(&ctx, e->name, e->data, e->len, &n);
		else
			r = kj_standard_import_mem(&ctx, e->name, e->data, e->len, NULL, NULL, 0, &n);
	}
	if (kj_tx_end(&ctx, r) != KJ_OK)
		die("demo data", &ctx);

	/* The harness's own account has a random name, so that no input can disable it or
	 * change its role and leave the rest of the run unauthenticated. */
	randombytes_buf(rnd, sizeof(rnd));
	snprintf(name, sizeof(name), "fz-%02x%02x%02x%02x%02x%02x", rnd[0], rnd[1], rnd[2], rnd[3], rnd[4], rnd[5]);
	memset(&un, 0, sizeof(un));
	un.name = name;
	un.org = "NCO";
	un.role = "centre_admin";
	if (kj_user_create(&ctx, &un, &u, pw, sizeof(pw)) != KJ_OK)
		die("admin account", &ctx);
	if (kj_token_create(&ctx, name, "fuzz", "write", 366, &t) != KJ_OK)
		die("token", &ctx);
	snprintf(token, sizeof(token), "%s", t.secret);
	sodium_memzero(&t, sizeof(t));
	/* The account the seeds read, change and log in as. */
	un.name = "victim";
	un.org = "MHA";
	un.role = "org_admin";
	un.password = "correct horse battery staple";
	if (kj_user_create(&ctx, &un, &u, pw, sizeof(pw)) != KJ_OK)
		die("victim account", &ctx);
	un.name = "auditor";
	un.org = "NCO";
	un.role = "external_auditor";
	if (kj_user_create(&ctx, &un, &u, pw, sizeof(pw)) != KJ_OK)
		die("auditor account", &ctx);
	/* The session's account: random too, for the same reason. */
	snprintf(name, sizeof(name), "fz-%02x%02x%02x%02x%02x%02x-s", rnd[5], rnd[4], rnd[3], rnd[2], rnd[1], rnd[0]);
	un.name = name;
	un.org = "MHA";
	un.role = "org_admin";
	un.password = NULL;
	if (kj_user_create(&ctx, &un, &sess_user, pw, sizeof(pw)) != KJ_OK)
		die("session account", &ctx);
	sodium_memzero(pw, sizeof(pw));
	own_db = db;
	new_session();

	kj_ctx_init(&ctx);
	if (kj_server_start(&ctx, &cfg, &srv) != KJ_OK)
		die("server", &ctx);
	port = kj_server_port(srv);
	if (port == 0)
		die("server port", NULL);
	atexit(teardown);
	verbose = getenv("KIJUN_FUZZ_VERBOSE") != NULL;
	low_memory = getenv("KIJUN_FUZZ_LOW_MEMORY") != NULL;
}

/* ---- Building the request ------------------------------------------------------------- */

struct out {
	char *p;
	size_t len, cap;
};

static void
put(struct out *o, const void *s, size_t n)
{
	if (o->len + n > o->cap) {
		size_t cap = (o->len + n) * 2 + 256;
		char *p = realloc(o->p, cap);

		if (p == NULL)
			abort();
		o->p = p;
		o->cap = cap;
	}
	memcpy(o->p + o->len, s, n);
	o->len += n;
}

static void
puts_(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

static int
bad_in_line(unsigned char c)
{
	return c <= 0x20 || c == 0x7f;
}

enum { AUTH_NONE, AUTH_TOKEN, AUTH_SESSION };

static int
name_is(const char *line, size_t k, const char *name)
{
	return strlen(name) == k && strncasecmp(line, name, k) == 0;
}

/* Header names the harness owns (with credentials of its own, those too). */
static int
framing_header(const char *line, size_t n, int auth)
{
	static const char *const owned[] = {"content-length", "transfer-encoding", "connection", "expect", "host", NULL};
	size_t k = 0;
	int i;

	while (k < n && line[k] != ':')
		k++;
	if (k == n)
		return 0;
	while (k > 0 && (line[k - 1] == ' ' || line[k - 1] == '\t'))
		k--;
	for (i = 0; owned[i] != NULL; i++)
		if (name_is(line, k, owned[i]))
			return 1;
	if (auth == AUTH_SESSION && (name_is(line, k, "cookie") || name_is(line, k, "x-csrf-token")))
		return 1;
	return auth != AUTH_NONE && name_is(line, k, "authorization");
}

/* Where the body of a template starts: after the first empty line that follows the
 * request line (end when there is none). */
static const char *
header_end(const char *s, const char *end)
{
	const char *nl = memchr(s, '\n', (size_t)(end - s));

	while (nl != NULL) {
		s = nl + 1;
		if (s < end && *s == '\n')
			return s + 1;
		if (s + 1 < end && s[0] == '\r' && s[1] == '\n')
			return s + 2;
		nl = memchr(s, '\n', (size_t)(end - s));
	}
	return end;
}

/* Turns the input into a request; *method_out is a malloc'd copy of the method sent. */
static void
build_request(const uint8_t *data, size_t size, struct out *o, char **method_out, int *auth_out)
{
	const char *s = (const char *)data, *end = s + size, *nl, *p, *body;
	char hdr[64];
	size_t blen;
	int auth = size == 0 ? AUTH_NONE : data[0] == 'S' ? AUTH_SESSION : (data[0] & 1) ? AUTH_TOKEN : AUTH_NONE;
	struct out m = {0};

	if (size > 0)
		s++;
	while (s < end && *s == ' ')
		s++;
	nl = memchr(s, '\n', (size_t)(end - s));
	if (nl == NULL)
		nl = end;
	/* The method: up to the first space. */
	for (p = s; p < nl && *p != ' '; p++)
		if (!bad_in_line((unsigned char)*p))
			put(&m, p, 1);
	if (m.len == 0)
		put(&m, "GET", 3);
	put(&m, "", 1);
	put(o, m.p, m.len - 1);
	put(o, " ", 1);
	/* The target. */
	while (p < nl && *p == ' ')
		p++;
	if (p == nl || *p == '\r')
		put(o, "/", 1);
	for (; p < nl; p++) {
		unsigned char c = (unsigned char)*p;

		if (c == '\r' && p + 1 == nl)
			break;
		if (bad_in_line(c)) {
			char esc[4];

			snprintf(esc, sizeof(esc), "%%%02X", c);
			put(o, esc, 3);
		} else {
			put(o, p, 1);
		}
	}
	puts_(o, " HTTP/1.1\r\n");
	/* The harness's headers come first: libmicrohttpd 0.9.75 loses the headers that
	 * follow a line with an empty name (": x" after another header). The last of them is
	 * X-Fuzz, for a first input line that starts with white space (obsolete line folding)
	 * to continue, rather than Connection or Authorization. */
	body = header_end(s, end);
	blen = (size_t)(end - body);
	if (blen > MAX_BODY)
		blen = MAX_BODY;
	snprintf(hdr, sizeof(hdr), "Host: 127.0.0.1:%u\r\nConnection: close\r\n", port);
	puts_(o, hdr);
	if (auth == AUTH_TOKEN) {
		puts_(o, "Authorization: Bearer ");
		puts_(o, token);
		puts_(o, "\r\n");
	} else if (auth == AUTH_SESSION) {
		puts_(o, "Cookie: kijun_session=");
		puts_(o, session);
		puts_(o, "\r\nX-CSRF-Token: ");
		puts_(o, csrf);
		puts_(o, "\r\n");
	}
	if (blen > 0 || strcmp(m.p, "POST") == 0 || strcmp(m.p, "PUT") == 0 || strcmp(m.p, "PATCH") == 0) {
		snprintf(hdr, sizeof(hdr), "Content-Length: %zu\r\n", blen);
		puts_(o, hdr);
	}
	puts_(o, "X-Fuzz: 1\r\n");
	/* The input's header lines, up to an empty one. */
	s = nl < end ? nl + 1 : end;
	while (s < body) {
		size_t n;

		nl = memchr(s, '\n', (size_t)(end - s));
		if (nl == NULL)
			nl = end;
		n = (size_t)(nl - s);
		if (n > 0 && s[n - 1] == '\r')
			n--;
		if (n == 0)
			break;
		/* Cleaned before it is judged: a NUL inside "Transfer-Encoding" must not smuggle
		 * the name past framing_header. */
		{
			struct out line = {0};

			for (p = s; p < s + n; p++)
				if (*p != '\r' && *p != '\0')
					put(&line, p, 1);
			/* An empty line would end the headers. */
			if (line.len > 0 && !framing_header(line.p, line.len, auth)) {
				put(o, line.p, line.len);
				puts_(o, "\r\n");
			}
			free(line.p);
		}
		s = nl < end ? nl + 1 : end;
	}
	puts_(o, "\r\n");
	put(o, body, blen);
	*method_out = m.p;
	*auth_out = auth;
}

/* ---- Talking to the server ------------------------------------------------------------- */

static int64_t
ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static char why_buf[160];

/* How many file descriptors this process holds, for a message. */
static int
open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	if (d == NULL)
		return -1;
	while (readdir(d) != NULL)
		n++;
	closedir(d);
	return n - 3;	/* ".", ".." and d's own */
}

/* Sends req and reads until the server closes. Returns 0, or -1 with why set. */
static int
exchange(const struct out *req, struct out *reply, const char **why)
{
	struct sockaddr_in a;
	size_t sent = 0;
	int64_t deadline = ms_now() + REPLY_MS;
	int fd, rc = -1;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (;;) {
		if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0) {
			snprintf(why_buf, sizeof(why_buf), "socket: %s (%d descriptors open)", strerror(errno),
				 open_fds());
			*why = why_buf;
			return -1;
		}
		if (connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0)
			break;
		/* Out of local ports for a moment: wait for some to be free again. */
		if ((errno == EADDRNOTAVAIL || errno == EAGAIN || errno == EINTR) && ms_now() < deadline) {
			close(fd);
			usleep(10000);
			continue;
		}
		snprintf(why_buf, sizeof(why_buf), "connect: %s (%d descriptors open)", strerror(errno), open_fds());
		*why = why_buf;
		goto out;
	}
	/* Send everything while reading: the server may answer (413, 431) before the end. */
	for (;;) {
		struct pollfd pf = {.fd = fd, .events = POLLIN | (sent < req->len ? POLLOUT : 0)};
		int64_t left = deadline - ms_now();
		int n;

		if (left <= 0) {
			*why = "no complete reply within the time limit";
			goto out;
		}
		n = poll(&pf, 1, (int)left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			*why = "poll";
			goto out;
		}
		if (pf.revents & POLLIN || pf.revents & (POLLHUP | POLLERR)) {
			char buf[16384];
			ssize_t got = recv(fd, buf, sizeof(buf), 0);

			if (got == 0)
				break;
			if (got < 0) {
				if (errno == EINTR || errno == EAGAIN)
					continue;
				if (errno == ECONNRESET && reply->len > 0)
					break;	/* closed with our unsent rest in its buffer */
				*why = "connection reset before any reply";
				goto out;
			}
			if (reply->len + (size_t)got > MAX_REPLY) {
				*why = "reply larger than 64 MiB";
				goto out;
			}
			put(reply, buf, (size_t)got);
			continue;
		}
		if ((pf.revents & POLLOUT) && sent < req->len) {
			ssize_t w = send(fd, req->p + sent, req->len - sent, MSG_NOSIGNAL);

			if (w < 0 && (errno == EPIPE || errno == ECONNRESET))
				sent = req->len;	/* the server stopped reading: read what it said */
			else if (w > 0)
				sent += (size_t)w;
		}
	}
	rc = 0;
out:
	close(fd);
	return rc;
}

/* ---- Judging the reply ---------------------------------------------------------------- */

struct reply {
	int status;
	const char *type;	/* Content-Type value, not NUL-terminated */
	size_t type_len;
	const char *body;
	size_t body_len;
};

static int
header_is(const char *line, size_t n, const char *name, const char **value, size_t *vlen)
{
	size_t k = strlen(name);

	if (n <= k || strncasecmp(line, name, k) != 0 || line[k] != ':')
		return 0;
	line += k + 1;
	n -= k + 1;
	while (n > 0 && (*line == ' ' || *line == '\t')) {
		line++;
		n--;
	}
	while (n > 0 && (line[n - 1] == ' ' || line[n - 1] == '\t'))
		n--;
	*value = line;
	*vlen = n;
	return 1;
}

/* Parses an HTTP/1.x reply. Returns 0, or -1 with why set. */
static int
parse_reply(const char *p, size_t len, int head, struct reply *r, const char **why)
{
	const char *end = p + len, *line, *hend = NULL, *v;
	size_t i, vlen;
	int64_t clen = -1;

	memset(r, 0, sizeof(*r));
	if (len < 12 || (memcmp(p, "HTTP/1.1 ", 9) != 0 && memcmp(p, "HTTP/1.0 ", 9) != 0)) {
		*why = len == 0 ? "the connection closed without a reply" : "no HTTP/1.x status line";
		return -1;
	}
	for (i = 9; i < 12; i++)
		if (p[i] < '0' || p[i] > '9') {
			*why = "the status is not three digits";
			return -1;
		}
	r->status = (p[9] - '0') * 100 + (p[10] - '0') * 10 + (p[11] - '0');
	if (r->status < 100 || (len > 12 && p[12] != ' ' && p[12] != '\r')) {
		*why = "malformed status line";
		return -1;
	}
	for (i = 0; i + 3 < len; i++)
		if (memcmp(p + i, "\r\n\r\n", 4) == 0) {
			hend = p + i;
			break;
		}
	if (hend == NULL) {
		*why = "the header section does not end";
		return -1;
	}
	line = memchr(p, '\n', (size_t)(hend - p));
	line = line != NULL ? line + 1 : hend;
	while (line < hend) {
		const char *nl = memchr(line, '\r', (size_t)(hend + 2 - line));
		size_t n = (size_t)(nl - line);

		if (nl[1] != '\n' || memchr(line, ':', n) == NULL || memchr(line, '\n', n) != NULL) {
			*why = "a header line is malformed";
			return -1;
		}
		if (header_is(line, n, "Content-Length", &v, &vlen)) {
			char num[24];

			if (vlen == 0 || vlen >= sizeof(num) || strspn(v, "0123456789") < vlen) {
				*why = "Content-Length is not a number";
				return -1;
			}
			memcpy(num, v, vlen);
			num[vlen] = '\0';
			clen = strtoll(num, NULL, 10);
		} else if (header_is(line, n, "Content-Type", &v, &vlen)) {
			r->type = v;
			r->type_len = vlen;
		}
		line = nl + 2;
	}
	r->body = hend + 4;
	r->body_len = (size_t)(end - r->body);
	if (head || r->status < 200 || r->status == 204 || r->status == 304) {
		if (r->body_len != 0) {
			*why = "a body where none belongs";
			return -1;
		}
		return 0;
	}
	if (clen >= 0 && (uint64_t)clen != r->body_len) {
		*why = "the body is not as long as Content-Length says";
		return -1;
	}
	return 0;
}

static void
finding(const char *why, const struct out *req, const struct out *reply)
{
	fprintf(stderr, "fuzz_request: %s\n--- request (%zu bytes) ---\n%.*s\n--- reply (%zu bytes) ---\n%.*s\n", why,
		req->len, (int)(req->len < 2048 ? req->len : 2048), req->p, reply->len,
		(int)(reply->len < 2048 ? reply->len : 2048), reply->p ? reply->p : "");
	abort();
}

static void
one_request(const uint8_t *data, size_t size)
{
	struct out req = {0}, reply = {0};
	struct reply r;
	char *method = NULL;
	const char *why = NULL;
	int auth = 0, head;

	build_request(data, size, &req, &method, &auth);
	head = strcmp(method, "HEAD") == 0;
	if (exchange(&req, &reply, &why) != 0)
		finding(why, &req, &reply);
	if (parse_reply(reply.p, reply.len, head, &r, &why) != 0)
		finding(why, &req, &reply);
	/* 503 is the server's answer to a failed allocation. Under the sanitizers a failed
	 * allocation aborts instead of returning NULL, so a 503 there is a false "out of
	 * memory"; a run that really limits memory says so with KIJUN_FUZZ_LOW_MEMORY. */
	if (r.status >= 500 && (r.status != 503 || !low_memory))
		finding("a 5xx status", &req, &reply);
	if (!head && r.type_len >= 16 && strncasecmp(r.type, "application/json", 16) == 0) {
		json_error_t e;
		json_t *j;

		if (r.body_len == 0)
			finding("a JSON reply without a body", &req, &reply);
		j = json_loadb(r.body, r.body_len, JSON_DECODE_ANY, &e);
		if (j == NULL)
			finding("a JSON reply whose body is not JSON", &req, &reply);
		json_decref(j);
	}
	if (verbose) {
		const char *eol = memchr(req.p, '\r', req.len);

		fprintf(stderr, "%d %.*s %.*s\n", r.status, eol ? (int)(eol - req.p) : 0, req.p,
			(int)(r.body_len < 160 ? r.body_len : 160), r.body);
	}
	if (auth == AUTH_SESSION && r.status == 401)
		new_session();	/* logged out by this input: in again for the next */
	if (auth == AUTH_TOKEN && r.status == 401 && !warned_token) {
		/* Not a server fault, but the rest of the run would test less. */
		fprintf(stderr, "fuzz_request: the harness's token was refused (%.*s); later inputs may run "
			"unauthenticated\n", (int)(r.body_len < 200 ? r.body_len : 200), r.body);
		warned_token = 1;
	}
	free(method);
	free(req.p);
	free(reply.p);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const size_t seplen = sizeof(SEPARATOR) - 1;
	int i;

	if (srv == NULL)
		setup();
	for (i = 0; i < MAX_REQUESTS; i++) {
		const uint8_t *sep = memmem(data, size, SEPARATOR, seplen);
		size_t n = sep != NULL && i + 1 < MAX_REQUESTS ? (size_t)(sep - data) : size;

		one_request(data, n);
		if (n == size)
			break;
		data += n + seplen;
		size -= n + seplen;
	}
	return 0;
}
