/*
 * account.h: accounts, sessions, API tokens, login throttling and external-audit
 * engagements. All of it lives in the database, so any server of a cluster can serve any
 * request.
 *
 * Passwords are hashed with argon2id (libsodium's crypto_pwhash_str, at the parameters in
 * account.c). Session and API tokens are 32 random bytes shown once; only their BLAKE2b
 * digest is stored. Secrets are wiped from memory after use.
 */
#ifndef KJ_ACCOUNT_H
#define KJ_ACCOUNT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "../base/err.h"
#include "../base/limits.h"

#define KJ_TOKEN_CHARS 48	/* "kj_" and 43 characters of base64url, plus a NUL: 48 */
#define KJ_MIN_PASSWORD 12
#define KJ_MAX_PASSWORD 256

struct kj_user {
	int64_t id;
	char uuid[37];
	char name[65];
	char display_name[KJ_MAX_ORG_NAME_BYTES + 1];
	int64_t org_id;
	char org_code[KJ_MAX_CODE_BYTES + 1];
	enum kj_role role;
	int disabled;
	int64_t version;
	char created_at[21];
};

struct kj_user_new {
	const char *name;		/* [a-z0-9._-], 1 to 64 */
	const char *display_name;	/* NULL: the name */
	const char *org;		/* organisation code */
	const char *role;		/* centre_admin, ..., external_auditor */
	const char *password;		/* NULL: a random one is made and returned */
};

/* Creates an account. When in->password is NULL a random password is generated and
 * written to password_out (size at least 32), to be shown once. */
kj_err kj_user_create(struct kj_ctx *ctx, const struct kj_user_new *in, struct kj_user *out,
		      char *password_out, size_t password_size);
/* Finds an account by name, within the principal's scope. */
kj_err kj_user_get(struct kj_ctx *ctx, const char *name, struct kj_user *out);
/* The accounts in scope, ordered by name, after the name `after` (NULL: from the start),
 * at most limit; org (a code, may be NULL) narrows to one organisation's subtree. */
kj_err kj_user_list(struct kj_ctx *ctx, const char *org, const char *after, int limit,
		    int (*fn)(void *arg, const struct kj_user *u), void *arg);
/* Changes role, display name or disabled state (NULL / -1 keep). version must match the
 * stored one (0: do not check) or KJ_ERR_CONFLICT. Disabling ends the user's sessions and
 * revokes its tokens. */
kj_err kj_user_update(struct kj_ctx *ctx, const char *name, int64_t version, const char *role,
		      const char *display_name, int disabled, struct kj_user *out);
/* Sets a new password; with check_current, current must be the present one. */
kj_err kj_user_set_password(struct kj_ctx *ctx, const char *name, const char *current,
			    const char *password, int check_current);
json_t *kj_user_to_json(const struct kj_user *u);

/* Checks name and password, throttled per account and per address (address may be NULL).
 * On success *out is the account. Fails with KJ_ERR_AUTH (one message for every cause:
 * unknown account, wrong password, disabled) or KJ_ERR_THROTTLED, with *retry_after_out
 * seconds to wait. */
kj_err kj_login(struct kj_ctx *ctx, const char *name, const char *password, const char *address,
		struct kj_user *out, int *retry_after_out);

struct kj_session {
	char token[KJ_TOKEN_CHARS];	/* only when just created */
	char csrf[KJ_TOKEN_CHARS];
	char expires_at[21];
};

/* Starts a session for the account (after kj_login). */
kj_err kj_session_create(struct kj_ctx *ctx, const struct kj_user *u, const char *address,
			 struct kj_session *out);
/* Makes the session's account the principal of ctx. KJ_ERR_AUTH when the token is unknown,
 * expired or its account disabled. *csrf_out (may be NULL) gets the session's CSRF token. */
kj_err kj_session_resume(struct kj_ctx *ctx, const char *token, char csrf_out[KJ_TOKEN_CHARS]);
kj_err kj_session_end(struct kj_ctx *ctx, const char *token);

struct kj_token {
	char uuid[37];
	char name[65];
	char prefix[12];
	char scope[8];
	char user[65];
	char created_at[21], expires_at[21], used_at[21], revoked_at[21];
	char secret[KJ_TOKEN_CHARS];	/* only when just created */
};

/* Creates an API token for user (NULL: the principal) with scope read or write, valid for
 * days (1 to 366). The secret is in out->secret, once. */
kj_err kj_token_create(struct kj_ctx *ctx, const char *user, const char *name, const char *scope,
		       int days, struct kj_token *out);
/* Makes the token's account the principal of ctx (read-only for a read token). */
kj_err kj_token_resume(struct kj_ctx *ctx, const char *secret);
kj_err kj_token_list(struct kj_ctx *ctx, const char *user,
		     int (*fn)(void *arg, const struct kj_token *t), void *arg);
kj_err kj_token_revoke(struct kj_ctx *ctx, const char *uuid);
json_t *kj_token_to_json(const struct kj_token *t);

/* Grants an external auditor read access to org (and its subtree) from..to. */
kj_err kj_engagement_create(struct kj_ctx *ctx, const char *user, const char *org,
			    const char *from, const char *to, char uuid_out[37]);

/* Makes a random password of n characters (n < size) from an alphabet without look-alike
 * characters. */
void kj_password_generate(char *out, size_t size, size_t n);

#endif
