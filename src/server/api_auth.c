/*
 * api_auth.c: logging in and out, the current session, changing one's password.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "api.h"
#include "model/access.h"
#include "model/account.h"

static json_t *
principal_json(struct kj_req *rq, const struct kj_user *u)
{
	json_t *j = kj_user_to_json(u);

	if (j != NULL && rq->ctx.who.read_only)
		json_object_set_new(j, "read_only", json_true());
	return j;
}

static void
set_cookie(struct kj_req *rq, const char *token, int max_age)
{
	char v[256];

	snprintf(v, sizeof(v), "kijun_session=%s; Path=/; Max-Age=%d; HttpOnly; SameSite=Strict%s", token, max_age,
		 rq->tls ? "; Secure" : "");
	kj_reply_header(rq, "Set-Cookie", v);
	sodium_memzero(v, sizeof(v));
}

/* 1 when the origin named in Origin is this server's own: the scheme it serves and the
 * host and port the request was sent to. */
static int
same_origin(struct kj_req *rq, const char *origin)
{
	const char *host = kj_req_header(rq, "Host");
	const char *scheme = rq->tls ? "https://" : "http://";
	size_t n = strlen(scheme);

	return host != NULL && strncmp(origin, scheme, n) == 0 && strcmp(origin + n, host) == 0;
}

/* Login takes only JSON, which a form on another site cannot send without the browser
 * asking this server first, and refuses a request that a page of another origin sent:
 * no one is logged in to an account of someone else's choosing (login CSRF). A client
 * that is not a browser sends no Origin and is let through. Replies 415 or 403 and
 * returns 1 when refused. */
static int
login_request_refused(struct kj_req *rq)
{
	const char *type = kj_req_header(rq, "Content-Type");
	const char *origin = kj_req_header(rq, "Origin");
	size_t n = strlen("application/json");

	if (type == NULL || strncasecmp(type, "application/json", n) != 0 || (type[n] != '\0' && type[n] != ';' && type[n] != ' ')) {
		kj_reply_json(rq, 415, json_pack("{s:s, s:s}", "error", "unsupported_media_type", "message",
						 "Content-Type: expected application/json"));
		return 1;
	}
	if (origin != NULL && !same_origin(rq, origin)) {
		kj_reply_error(rq, KJ_ERR_DENIED, "Origin: a login is accepted only from this server's own pages");
		return 1;
	}
	return 0;
}

void
api_login(struct kj_req *rq)
{
	static const char *const allowed[] = {"name", "password", NULL};
	struct kj_session s;
	struct kj_user u;
	const char *name, *password;
	json_t *j;
	int retry = 0;
	kj_err r;

	if (login_request_refused(rq))
		return;
	j = kj_req_json(rq, allowed);
	if (j == NULL)
		return;
	name = json_string_value(json_object_get(j, "name"));
	password = json_string_value(json_object_get(j, "password"));
	if (name == NULL || password == NULL) {
		json_decref(j);
		kj_reply_error(rq, KJ_ERR_INVALID, "body: expected {\"name\": string, \"password\": string}");
		return;
	}
	r = kj_login(&rq->ctx, name, password, rq->address, &u, &retry);
	if (r == KJ_OK)
		r = kj_session_create(&rq->ctx, &u, rq->address, &s);
	json_decref(j);	/* the password goes with it */
	if (r != KJ_OK) {
		if (r == KJ_ERR_THROTTLED) {
			char v[16];

			snprintf(v, sizeof(v), "%d", retry);
			kj_reply_fail(rq, r);
			kj_reply_header(rq, "Retry-After", v);
			return;
		}
		kj_reply_fail(rq, r);
		return;
	}
	kj_reply_json(rq, 200, json_pack("{s:o, s:s, s:s}", "user", principal_json(rq, &u), "csrf_token", s.csrf,
					 "expires_at", s.expires_at));
	set_cookie(rq, s.token, 12 * 3600);
	sodium_memzero(&s, sizeof(s));
}

void
api_session_get(struct kj_req *rq)
{
	struct kj_user u;
	kj_err r;
	json_t *j;

	if ((r = kj_user_get(&rq->ctx, rq->ctx.who.name, &u)) != KJ_OK) {
		kj_reply_fail(rq, r);
		return;
	}
	j = json_pack("{s:o, s:s}", "user", principal_json(rq, &u), "via", rq->by_cookie ? "session" : "token");
	if (rq->by_cookie)
		json_object_set_new(j, "csrf_token", json_string(rq->csrf));
	kj_reply_json(rq, 200, j);
}

void
api_logout(struct kj_req *rq)
{
	kj_err r = rq->by_cookie ? kj_session_end(&rq->ctx, rq->session) : KJ_OK;

	if (r != KJ_OK) {
		kj_reply_fail(rq, r);
		return;
	}
	kj_reply_json(rq, 200, json_pack("{s:b}", "logged_out", 1));
	set_cookie(rq, "", 0);
}

void
api_password(struct kj_req *rq)
{
	static const char *const allowed[] = {"current", "new", NULL};
	json_t *j = kj_req_json(rq, allowed);
	const char *cur, *nw;
	kj_err r;

	if (j == NULL)
		return;
	cur = json_string_value(json_object_get(j, "current"));
	nw = json_string_value(json_object_get(j, "new"));
	if (cur == NULL || nw == NULL) {
		json_decref(j);
		kj_reply_error(rq, KJ_ERR_INVALID, "body: expected {\"current\": string, \"new\": string}");
		return;
	}
	r = kj_user_set_password(&rq->ctx, rq->ctx.who.name, cur, nw, 1);
	json_decref(j);
	if (r != KJ_OK) {
		/* A wrong current password is a bad request here, not a lost session. */
		kj_reply_error(rq, r == KJ_ERR_AUTH ? KJ_ERR_INVALID : r, rq->ctx.msg);
		return;
	}
	kj_reply_json(rq, 200, json_pack("{s:b}", "changed", 1));
}
