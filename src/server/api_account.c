/*
 * api_account.c: accounts, API tokens and external-audit engagements over HTTP.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "api.h"
#include "model/account.h"

struct users_state {
	json_t *items;
	int limit, more;
	char last[65];
};

static int
one_user(void *arg, const struct kj_user *u)
{
	struct users_state *us = arg;

	if ((int)json_array_size(us->items) >= us->limit) {
		us->more = 1;
		return 1;
	}
	json_array_append_new(us->items, kj_user_to_json(u));
	snprintf(us->last, sizeof(us->last), "%s", u->name);
	return 0;
}

void
api_user_list(struct kj_req *rq)
{
	struct users_state us = {0};
	const char *cursor = kj_req_query(rq, "cursor");
	kj_err r;

	if (kj_req_limit(rq, &us.limit) != 0)
		return;
	/* The cursor is the last name of the page before: names are unique and sorted. */
	if (cursor != NULL && (strlen(cursor) > 64 || cursor[0] == '\0')) {
		kj_reply_error(rq, KJ_ERR_INVALID, "cursor: not one this server gave");
		return;
	}
	us.items = json_array();
	r = kj_user_list(&rq->ctx, kj_req_query(rq, "org"), cursor, us.limit + 1, one_user, &us);
	if (r != KJ_OK) {
		json_decref(us.items);
		kj_reply_fail(rq, r);
		return;
	}
	kj_reply_json(rq, 200, json_pack("{s:o, s:s?}", "items", us.items, "next_cursor", us.more ? us.last : NULL));
}

void
api_user_create(struct kj_req *rq)
{
	static const char *const allowed[] = {"name", "org", "role", "display_name", "password", NULL};
	struct kj_user_new in;
	struct kj_user u;
	char generated[64], loc[128];
	json_t *j = kj_req_json(rq, allowed), *out;
	kj_err r;

	if (j == NULL)
		return;
	/* A password that is not a string must not fall through to "make one up", nor a
	 * display name to "use the name". */
	if ((json_object_get(j, "display_name") && !json_is_string(json_object_get(j, "display_name"))) ||
	    (json_object_get(j, "password") && !json_is_string(json_object_get(j, "password")))) {
		json_decref(j);
		kj_reply_error(rq, KJ_ERR_INVALID, "body: display_name and password, when given, are strings");
		return;
	}
	memset(&in, 0, sizeof(in));
	in.name = json_string_value(json_object_get(j, "name"));
	in.org = json_string_value(json_object_get(j, "org"));
	in.role = json_string_value(json_object_get(j, "role"));
	in.display_name = json_string_value(json_object_get(j, "display_name"));
	in.password = json_string_value(json_object_get(j, "password"));
	if (in.name == NULL || in.org == NULL || in.role == NULL) {
		json_decref(j);
		kj_reply_error(rq, KJ_ERR_INVALID, "body: name, org and role are required strings");
		return;
	}
	generated[0] = '\0';
	r = kj_user_create(&rq->ctx, &in, &u, generated, sizeof(generated));
	json_decref(j);
	if (r != KJ_OK) {
		kj_reply_fail(rq, r);
		return;
	}
	out = kj_user_to_json(&u);
	if (generated[0] != '\0')
		json_object_set_new(out, "password", json_string(generated));
	sodium_memzero(generated, sizeof(generated));
	kj_reply_json(rq, 201, out);
	kj_reply_etag(rq, u.version);
	snprintf(loc, sizeof(loc), "/api/v1/users/%s", u.name);
	kj_reply_header(rq, "Location", loc);
}

void
api_user_get(struct kj_req *rq)
{
	struct kj_user u;
	kj_err r = kj_user_get(&rq->ctx, rq->params[0], &u);

	if (r != KJ_OK) {
		kj_reply_fail(rq, r);
		return;
	}
	kj_reply_json(rq, 200, kj_user_to_json(&u));
	kj_reply_etag(rq, u.version);
}

void
api_user_patch(struct kj_req *rq)
{
	static const char *const allowed[] = {"role", "display_name", "disabled", NULL};
	struct kj_user u;
	json_t *j, *dis;
	int disabled = -1;
	kj_err r;

	if ((r = kj_user_get(&rq->ctx, rq->params[0], &u)) != KJ_OK) {
		kj_reply_fail(rq, r);
		return;
	}
	if ((j = kj_req_json(rq, allowed)) == NULL)
		return;
	dis = json_object_get(j, "disabled");
	if ((dis != NULL && !json_is_boolean(dis)) ||
	    (json_object_get(j, "role") && !json_is_string(json_object_get(j, "role"))) ||
	    (json_object_get(j, "display_name") && !json_is_string(json_object_get(j, "display_name")))) {
		json_decref(j);
		kj_reply_error(rq, KJ_ERR_INVALID, "body: role and display_name are strings, disabled a boolean");
		return;
	}
	if (dis != NULL)
		disabled = json_is_true(dis);
	if (kj_req_if_match(rq, u.version) != 0) {
		json_decref(j);
		return;
	}
	r = kj_user_update(&rq->ctx, u.name, u.version, json_string_value(json_object_get(j, "role")),
			   json_string_value(json_object_get(j, "display_name")), disabled, &u);
	json_decref(j);
	if (r != KJ_OK) {
		kj_reply_fail(rq, r);
		return;
	}
	kj_reply_json(rq, 200, kj_user_to_json(&u));
	kj_reply_etag(rq, u.version);
}

static int
one_token(void *arg, const struct kj_token *t)
{
	return json_array_append_new(arg, kj_token_to_json(t)) != 0;
}

void
api_token_list(struct kj_req *rq)
{
	json_t *a = json_array();
	kj_err r = kj_token_list(&rq->ctx, kj_req_query(rq, "user"), one_token, a);

	if (r != KJ_OK) {
		json_decref(a);
		kj_reply_fail(rq, r);
		return;
	}
	/* A person holds few tokens: one page. */
	kj_reply_json(rq, 200, json_pack("{s:o, s:n}", "items", a, "next_cursor"));
}

void
api_token_create(struct kj_req *rq)
{
	static const char *const allowed[] = {"user", "name", "scope", "days", NULL};
	struct kj_token t;
	json_t *j, *days;
	kj_err r;

	if (rq->body.len == 0)
		j = json_object();
	else if ((j = kj_req_json(rq, allowed)) == NULL)
		return;
	days = json_object_get(j, "days");
	/* Checked here, before the cast to int: 4294967297 days would otherwise become 1. */
	if (days != NULL && (!json_is_integer(days) || json_integer_value(days) < 1 || json_integer_value(days) > 366)) {
		json_decref(j);
		kj_reply_error(rq, KJ_ERR_INVALID, "days: expected a whole number from 1 to 366");
		return;
	}
	/* A scope of 5 must not quietly become the default, write; nor a user of 5 the caller. */
	if ((json_object_get(j, "user") && !json_is_string(json_object_get(j, "user"))) ||
	    (json_object_get(j, "name") && !json_is_string(json_object_get(j, "name"))) ||
	    (json_object_get(j, "scope") && !json_is_string(json_object_get(j, "scope")))) {
		json_decref(j);
		kj_reply_error(rq, KJ_ERR_INVALID, "body: user, name and scope, when given, are strings");
		return;
	}
	r = kj_token_create(&rq->ctx, json_string_value(json_object_get(j, "user")),
			    json_string_value(json_object_get(j, "name")), json_string_value(json_object_get(j, "scope")),
			    days ? (int)json_integer_value(days) : 90, &t);
	json_decref(j);
	if (r != KJ_OK) {
		kj_reply_fail(rq, r);
		return;
	}
	kj_reply_json(rq, 201, kj_token_to_json(&t));
	sodium_memzero(&t, sizeof(t));
}

void
api_token_revoke(struct kj_req *rq)
{
	kj_err r = kj_token_revoke(&rq->ctx, rq->params[0]);

	if (r != KJ_OK) {
		kj_reply_fail(rq, r);
		return;
	}
	kj_reply_json(rq, 200, json_pack("{s:s, s:b}", "id", rq->params[0], "revoked", 1));
}

void
api_engagement_create(struct kj_req *rq)
{
	static const char *const allowed[] = {"user", "org", "from", "to", NULL};
	json_t *j = kj_req_json(rq, allowed);
	char uuid[37];
	kj_err r;

	if (j == NULL)
		return;
	if (!json_is_string(json_object_get(j, "user")) || !json_is_string(json_object_get(j, "org")) ||
	    !json_is_string(json_object_get(j, "from")) || !json_is_string(json_object_get(j, "to"))) {
		json_decref(j);
		kj_reply_error(rq, KJ_ERR_INVALID, "body: user, org, from and to are required strings");
		return;
	}
	r = kj_engagement_create(&rq->ctx, json_string_value(json_object_get(j, "user")),
				 json_string_value(json_object_get(j, "org")),
				 json_string_value(json_object_get(j, "from")), json_string_value(json_object_get(j, "to")),
				 uuid);
	if (r != KJ_OK) {
		json_decref(j);
		kj_reply_fail(rq, r);
		return;
	}
	kj_reply_json(rq, 201, json_pack("{s:s, s:O, s:O, s:O, s:O}", "id", uuid, "user", json_object_get(j, "user"),
					 "org", json_object_get(j, "org"), "from", json_object_get(j, "from"), "to",
					 json_object_get(j, "to")));
	json_decref(j);
}
