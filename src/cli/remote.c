/*
 * remote.c: the command line as a client of `kijun serve` (cli.h). One libcurl handle per
 * run, kept alive across the pages of a listing; the bearer token from KIJUN_TOKEN (or,
 * for `kijun login`, a session cookie with its CSRF token); replies read up to a cap and
 * parsed as JSON; a failed request turned into the same "kijun CMD: message" and exit 1
 * as a failure in local mode.
 *
 * Must not: print the token (not in messages, not in a verbose trace), follow redirects
 * (a redirect would take the request, and with it the token, somewhere else), or read a
 * reply without a cap.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>
#include <sodium.h>

#include "base/util.h"
#include "cli.h"

/* The largest reply read. An OSCAL export of the largest catalogue the server accepts
 * (64 MiB in) stays well below it. */
#define MAX_REPLY_BYTES (256u << 20)
/* Items per page of a listing: the most the API gives. KIJUN_PAGE_SIZE (1 to 1000) asks
 * for smaller pages, so that tests can make every listing take many pages. */
#define PAGE_LIMIT 1000
/* A listing that has not ended after this many pages is a server bug, not data. */
#define MAX_PAGES 100000

/* The server's URL for messages: any user:password@ in it is left out. */
static void
shown_url(const char *url, char *out, size_t size)
{
	const char *scheme = strstr(url, "://"), *at, *host;

	host = scheme != NULL ? scheme + 3 : url;
	at = strchr(host, '@');
	if (at != NULL && (strchr(host, '/') == NULL || at < strchr(host, '/')))
		snprintf(out, size, "%.*s%s", (int)(host - url), url, at + 1);
	else
		snprintf(out, size, "%s", url);
}

static int
url_ok(const char *url)
{
	return (strncasecmp(url, "http://", 7) == 0 && url[7] != '\0') ||
	       (strncasecmp(url, "https://", 8) == 0 && url[8] != '\0');
}

/* Prints a message from the server with control characters replaced: a reply is
 * untrusted input, and must not drive the terminal. */
static void
put_clean(const char *s)
{
	for (; *s != '\0'; s++)
		fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, stderr);
}

static size_t
on_body(char *p, size_t size, size_t n, void *arg)
{
	struct kj_buf *b = arg;

	kj_buf_append(b, p, size * n);
	return kj_buf_failed(b) ? 0 : size * n;
}

/* The value of header name in the header line p (len bytes), trimmed, or NULL. */
static const char *
header_value(const char *p, size_t len, const char *name, size_t *vlen)
{
	size_t n = strlen(name);

	if (len <= n || strncasecmp(p, name, n) != 0 || p[n] != ':')
		return NULL;
	p += n + 1;
	len -= n + 1;
	while (len > 0 && (*p == ' ' || *p == '\t')) {
		p++;
		len--;
	}
	while (len > 0 && (p[len - 1] == '\r' || p[len - 1] == '\n' || p[len - 1] == ' '))
		len--;
	*vlen = len;
	return p;
}

static size_t
on_header(char *p, size_t size, size_t n, void *arg)
{
	struct cli_call *call = arg;
	size_t len = size * n, vlen;
	const char *v;

	if ((v = header_value(p, len, "ETag", &vlen)) != NULL && vlen < sizeof(call->etag)) {
		memcpy(call->etag, v, vlen);
		call->etag[vlen] = '\0';
	} else if ((v = header_value(p, len, "Set-Cookie", &vlen)) != NULL && vlen > 14 &&
		   strncmp(v, "kijun_session=", 14) == 0) {
		size_t k = 0;

		for (v += 14, vlen -= 14; k < vlen && v[k] != ';' && k + 1 < sizeof(call->set_session); k++)
			call->set_session[k] = v[k];
		call->set_session[k] = '\0';
	}
	return len;
}

/* Appends "Name: value" to the header list; the list is wiped and freed by the caller. */
static int
add_header(struct curl_slist **hdrs, const char *name, const char *value)
{
	struct kj_buf b;
	struct curl_slist *n;

	kj_buf_init(&b, 0);
	kj_buf_puts(&b, name);
	kj_buf_puts(&b, ": ");
	kj_buf_puts(&b, value);
	n = kj_buf_failed(&b) ? NULL : curl_slist_append(*hdrs, kj_buf_cstr(&b));
	sodium_memzero(b.data, b.cap);
	kj_buf_free(&b);
	if (n == NULL)
		return -1;
	*hdrs = n;
	return 0;
}

static void
free_headers(struct curl_slist *hdrs)
{
	struct curl_slist *h;

	for (h = hdrs; h != NULL; h = h->next)
		sodium_memzero(h->data, strlen(h->data));
	curl_slist_free_all(hdrs);
}

/* The token of KIJUN_TOKEN, or NULL after saying what to do. */
static const char *
token(struct cli *c)
{
	const char *t = getenv("KIJUN_TOKEN"), *p;
	char shown[512];

	if (t == NULL || *t == '\0') {
		shown_url(c->server, shown, sizeof(shown));
		fprintf(stderr,
			"kijun %s: no API token: set KIJUN_TOKEN to a token from `kijun token create`, or log in "
			"with: eval \"$(kijun --server %s login NAME)\"\n",
			c->cmd, shown);
		return NULL;
	}
	/* Anything else could split the header; the value itself is never echoed. */
	for (p = t; *p != '\0'; p++) {
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f) {
			fprintf(stderr, "kijun %s: KIJUN_TOKEN: not a token (it holds spaces or control characters)\n",
				c->cmd);
			return NULL;
		}
	}
	return t;
}

static void
report(struct cli *c, struct cli_call *call, json_t *j)
{
	const char *msg = json_is_object(j) ? cli_strn(j, "message") : NULL;
	char shown[512];

	if (msg == NULL) {
		shown_url(c->server, shown, sizeof(shown));
		fprintf(stderr, "kijun %s: %s: HTTP %ld from the server\n", c->cmd, shown, call->status);
		return;
	}
	fprintf(stderr, "kijun %s: ", c->cmd);
	/* The body of the request was a file: name the file where the server says "body". */
	if (call->body_name != NULL && strncmp(msg, "body", 4) == 0 && (msg[4] == ':' || msg[4] == '\0')) {
		put_clean(call->body_name);
		msg += 4;
	}
	put_clean(msg);
	fputc('\n', stderr);
}

int
cli_request(struct cli *c, struct cli_call *call, json_t **out)
{
	struct curl_slist *hdrs = NULL;
	struct kj_buf url, body, cookie;
	char errbuf[CURL_ERROR_SIZE], shown[512];
	const char *tok = NULL;
	json_error_t jerr;
	json_t *j = NULL;
	CURLcode cc;
	CURL *h;
	size_t n;
	int rc = 1, hok = 0;

	*out = NULL;
	call->status = 0;
	call->etag[0] = call->set_session[0] = '\0';
	if (!url_ok(c->server)) {
		fprintf(stderr, "kijun %s: %s: expected http://HOST[:PORT] or https://HOST[:PORT]\n", c->cmd,
			c->server_from_env ? "KIJUN_SERVER" : "--server");
		return EXIT_USAGE;
	}
	if (!call->anonymous && call->session == NULL && (tok = token(c)) == NULL)
		return 1;
	if (c->http == NULL) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK || (c->http = curl_easy_init()) == NULL) {
			fprintf(stderr, "kijun %s: cannot start libcurl\n", c->cmd);
			return 1;
		}
	}
	h = c->http;
	/* A reset keeps the open connection, so the pages of a listing share one. */
	curl_easy_reset(h);
	kj_buf_init(&url, 0);
	kj_buf_init(&body, MAX_REPLY_BYTES);
	kj_buf_init(&cookie, 0);
	n = strlen(c->server);
	while (n > 0 && c->server[n - 1] == '/')
		n--;
	kj_buf_append(&url, c->server, n);
	kj_buf_puts(&url, call->path);
	hok = add_header(&hdrs, "Accept", "application/json") == 0 && add_header(&hdrs, "Expect", "") == 0;
	/* "Expect:" with nothing after it: curl's way to send no Expect header. */
	if (hok && call->body != NULL)
		hok = add_header(&hdrs, "Content-Type", call->content_type ? call->content_type : "application/json") == 0;
	if (hok && call->if_match != NULL)
		hok = add_header(&hdrs, "If-Match", call->if_match) == 0;
	if (hok && tok != NULL) {
		struct kj_buf a;

		kj_buf_init(&a, 0);
		kj_buf_puts(&a, "Bearer ");
		kj_buf_puts(&a, tok);
		hok = !kj_buf_failed(&a) && add_header(&hdrs, "Authorization", kj_buf_cstr(&a)) == 0;
		sodium_memzero(a.data, a.cap);
		kj_buf_free(&a);
	}
	if (hok && call->session != NULL) {
		kj_buf_puts(&cookie, "kijun_session=");
		kj_buf_puts(&cookie, call->session);
		if (call->csrf != NULL)
			hok = add_header(&hdrs, "X-CSRF-Token", call->csrf) == 0;
	}
	if (!hok || kj_buf_failed(&url) || kj_buf_failed(&cookie)) {
		fprintf(stderr, "kijun %s: out of memory\n", c->cmd);
		goto out;
	}
	errbuf[0] = '\0';
	curl_easy_setopt(h, CURLOPT_URL, kj_buf_cstr(&url));
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
#endif
	curl_easy_setopt(h, CURLOPT_PATH_AS_IS, 1L);	/* a name like ".." stays a name */
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "kijun/" KIJUN_VERSION);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &body);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, call);
	if (call->session != NULL)
		curl_easy_setopt(h, CURLOPT_COOKIE, kj_buf_cstr(&cookie));
	if (strcmp(call->method, "GET") == 0)
		curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
	else
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, call->method);
	if (call->body != NULL) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)call->body_len);
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, call->body);
	}
	cc = curl_easy_perform(h);
	/* The options point at buffers about to go; a later reuse sets them again. */
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
	curl_easy_setopt(h, CURLOPT_COOKIE, NULL);
	shown_url(c->server, shown, sizeof(shown));
	if (cc == CURLE_WRITE_ERROR && kj_buf_failed(&body)) {
		fprintf(stderr, "kijun %s: %s: the reply is larger than %u MiB\n", c->cmd, shown, MAX_REPLY_BYTES >> 20);
		goto out;
	}
	if (cc != CURLE_OK) {
		fprintf(stderr, "kijun %s: cannot reach %s: %s\n", c->cmd, shown,
			errbuf[0] != '\0' ? errbuf : curl_easy_strerror(cc));
		goto out;
	}
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &call->status);
	if (call->raw_out != NULL && call->status >= 200 && call->status < 300) {
		kj_buf_append(call->raw_out, body.data ? body.data : "", body.len);
		rc = kj_buf_failed(call->raw_out) ? 1 : 0;
		goto out;
	}
	if (body.len > 0)
		j = json_loadb(body.data, body.len, JSON_REJECT_DUPLICATES, &jerr);
	if (call->status >= 200 && call->status < 300) {
		if (j == NULL) {
			fprintf(stderr, "kijun %s: %s: the reply (HTTP %ld) is not JSON\n", c->cmd, shown, call->status);
			goto out;
		}
		*out = j;
		j = NULL;
		rc = 0;
		goto out;
	}
	report(c, call, j);
out:
	json_decref(j);
	/* Replies and headers may carry a password, a token or a session. */
	if (body.data != NULL)
		sodium_memzero(body.data, body.cap);
	if (cookie.data != NULL)
		sodium_memzero(cookie.data, cookie.cap);
	kj_buf_free(&body);
	kj_buf_free(&cookie);
	kj_buf_free(&url);
	free_headers(hdrs);
	return rc;
}

int
cli_get(struct cli *c, const char *path, json_t **out, char etag_out[64])
{
	struct cli_call call;
	int rc;

	memset(&call, 0, sizeof(call));
	call.method = "GET";
	call.path = path;
	rc = cli_request(c, &call, out);
	if (rc == 0 && etag_out != NULL)
		kj_strlcpy(etag_out, call.etag, 64);
	return rc;
}

int
cli_send(struct cli *c, const char *method, const char *path, json_t *body, const char *if_match, json_t **out)
{
	struct cli_call call;
	char *s = NULL;
	int rc;

	memset(&call, 0, sizeof(call));
	call.method = method;
	call.path = path;
	call.if_match = if_match;
	if (body != NULL) {
		if ((s = json_dumps(body, JSON_COMPACT)) == NULL) {
			fprintf(stderr, "kijun %s: out of memory\n", c->cmd);
			return 1;
		}
		call.body = s;
		call.body_len = strlen(s);
	}
	rc = cli_request(c, &call, out);
	if (s != NULL) {
		sodium_memzero(s, strlen(s));
		free(s);
	}
	return rc;
}

int
cli_get_all(struct cli *c, const char *path, int64_t max, json_t **items_out)
{
	json_t *all = json_array(), *page = NULL;
	char cursor[256] = "", lim[24];
	const char *env = getenv("KIJUN_PAGE_SIZE");
	int64_t size = PAGE_LIMIT;
	struct kj_buf p;
	int rc = 0, npages;

	*items_out = NULL;
	if (env != NULL && *env != '\0' && kj_parse_int64(env, 1, PAGE_LIMIT, &size) != 0) {
		fprintf(stderr, "kijun %s: KIJUN_PAGE_SIZE: expected 1 to %d\n", c->cmd, PAGE_LIMIT);
		json_decref(all);
		return EXIT_USAGE;
	}
	kj_buf_init(&p, 0);
	if (all == NULL)
		rc = 1;
	for (npages = 0; rc == 0; npages++) {
		int64_t want = size, have = (int64_t)json_array_size(all);
		json_t *items, *next;

		if (max > 0 && max - have < want)
			want = max - have;
		kj_buf_reset(&p);
		kj_buf_puts(&p, path);
		snprintf(lim, sizeof(lim), "%lld", (long long)want);
		cli_url_query(&p, "limit", lim);
		if (cursor[0] != '\0')
			cli_url_query(&p, "cursor", cursor);
		if (kj_buf_failed(&p)) {
			fprintf(stderr, "kijun %s: out of memory\n", c->cmd);
			rc = 1;
			break;
		}
		if ((rc = cli_get(c, kj_buf_cstr(&p), &page, NULL)) != 0)
			break;
		items = json_object_get(page, "items");
		next = json_object_get(page, "next_cursor");
		if (!json_is_array(items) || json_array_extend(all, items) != 0) {
			fprintf(stderr, "kijun %s: the server's reply has no list of items\n", c->cmd);
			rc = 1;
			break;
		}
		if (max > 0 && (int64_t)json_array_size(all) >= max) {
			while ((int64_t)json_array_size(all) > max)
				json_array_remove(all, json_array_size(all) - 1);
			break;
		}
		if (!json_is_string(next))
			break;
		if (strcmp(cursor, json_string_value(next)) == 0 || json_string_length(next) >= sizeof(cursor) ||
		    npages >= MAX_PAGES) {
			fprintf(stderr, "kijun %s: the server's listing does not end\n", c->cmd);
			rc = 1;
			break;
		}
		kj_strlcpy(cursor, json_string_value(next), sizeof(cursor));
		json_decref(page);
		page = NULL;
	}
	json_decref(page);
	kj_buf_free(&p);
	if (rc != 0) {
		json_decref(all);
		return rc;
	}
	*items_out = all;
	return 0;
}

void
cli_remote_close(struct cli *c)
{
	if (c->http == NULL)
		return;
	curl_easy_cleanup(c->http);
	c->http = NULL;
	curl_global_cleanup();
}

void
cli_url_seg(struct kj_buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s != '\0'; s++) {
		unsigned char ch = (unsigned char)*s;

		if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' ||
		    ch == '.' || ch == '_' || ch == '~') {
			kj_buf_putc(b, (char)ch);
		} else {
			kj_buf_putc(b, '%');
			kj_buf_putc(b, hex[ch >> 4]);
			kj_buf_putc(b, hex[ch & 15]);
		}
	}
}

void
cli_url_query(struct kj_buf *b, const char *name, const char *value)
{
	if (value == NULL)
		return;
	kj_buf_putc(b, b->len > 0 && memchr(b->data, '?', b->len) != NULL ? '&' : '?');
	cli_url_seg(b, name);
	kj_buf_putc(b, '=');
	cli_url_seg(b, value);
}

int
cli_put(struct cli *c, json_t *j, const char *key, const char *v)
{
	json_t *s;

	if (v == NULL)
		return 0;
	if ((s = json_string(v)) == NULL || json_object_set_new(j, key, s) != 0) {
		fprintf(stderr, "kijun %s: %s: not valid UTF-8\n", c->cmd, key);
		return 1;
	}
	return 0;
}
