/*
 * static.c: the web interface's files, served from the binary.
 *
 * Owns: mapping / and /static/NAME to the embedded files of web/, their Content-Type, the
 * page's Content-Security-Policy, ETags and conditional GET.
 * Must not: touch /api/ (the router's), read the file system, or serve anything not
 * built in. The files are flat (web/NAME): a NAME with a slash or a leading dot is
 * not one of them.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "base/util.h"
#include "static.h"

#define MAX_FILES 64

/* One ETag per embedded file, computed once: a BLAKE2b digest of the content. */
static char etags[MAX_FILES][40];
static pthread_once_t etags_once = PTHREAD_ONCE_INIT;

static void
compute_etags(void)
{
	static const char hex[] = "0123456789abcdef";
	int i;

	for (i = 0; i < MAX_FILES && kj_embedded_web[i].name != NULL; i++) {
		unsigned char d[16];
		size_t k;

		crypto_generichash(d, sizeof(d), (const unsigned char *)kj_embedded_web[i].data,
				   kj_embedded_web[i].len, NULL, 0);
		etags[i][0] = '"';
		for (k = 0; k < sizeof(d); k++) {
			etags[i][1 + 2 * k] = hex[d[k] >> 4];
			etags[i][2 + 2 * k] = hex[d[k] & 15];
		}
		etags[i][1 + 2 * sizeof(d)] = '"';
		etags[i][2 + 2 * sizeof(d)] = '\0';
	}
}

static const char *
type_of(const char *name)
{
	static const char *const types[][2] = {
		{".html", "text/html; charset=utf-8"},
		{".js", "text/javascript; charset=utf-8"},
		{".css", "text/css; charset=utf-8"},
		{".json", "application/json; charset=utf-8"},
		{".svg", "image/svg+xml"},
		{".png", "image/png"},
		{".ico", "image/x-icon"},
	};
	const char *dot = strrchr(name, '.');
	size_t i;

	for (i = 0; dot != NULL && i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(dot, types[i][0]) == 0)
			return types[i][1];
	return "application/octet-stream";
}

/* Whether the If-None-Match header names etag (a list, or *). */
static int
not_modified(struct kj_req *rq, const char *etag)
{
	const char *h = kj_req_header(rq, "If-None-Match");

	if (h == NULL)
		return 0;
	return strcmp(h, "*") == 0 || strstr(h, etag) != NULL;
}

int
kj_static_serve(struct kj_req *rq)
{
	const char *name;
	char *copy;
	int i;

	if (strcmp(rq->method, "GET") != 0 && strcmp(rq->method, "HEAD") != 0)
		return 0;
	if (strcmp(rq->path, "/") == 0 || strcmp(rq->path, "/index.html") == 0)
		name = "index.html";
	else if (strncmp(rq->path, "/static/", 8) == 0)
		name = rq->path + 8;
	else
		return 0;
	pthread_once(&etags_once, compute_etags);
	for (i = 0; i < MAX_FILES && kj_embedded_web[i].name != NULL; i++)
		if (name[0] != '.' && strchr(name, '/') == NULL && strcmp(kj_embedded_web[i].name, name) == 0)
			break;
	if (i == MAX_FILES || kj_embedded_web[i].name == NULL) {
		kj_reply_error(rq, KJ_ERR_NOT_FOUND, "no such file");
		return 1;
	}
	/* Every use asks again (cheap with the ETag), so a new binary's files show at once. */
	kj_reply_header(rq, "Cache-Control", "no-cache");
	kj_reply_header(rq, "ETag", etags[i]);
	if (strcmp(name, "index.html") == 0)
		kj_reply_header(rq, "Content-Security-Policy", KJ_STATIC_CSP);
	if (not_modified(rq, etags[i])) {
		kj_reply_raw(rq, 304, type_of(name), calloc(1, 1), 0);
		return 1;
	}
	copy = malloc(kj_embedded_web[i].len + 1);
	if (copy == NULL) {
		kj_reply_error(rq, KJ_ERR_NOMEM, NULL);
		return 1;
	}
	memcpy(copy, kj_embedded_web[i].data, kj_embedded_web[i].len + 1);
	kj_reply_raw(rq, 200, type_of(name), copy, kj_embedded_web[i].len);
	return 1;
}
