/*
 * account.c: accounts, sessions, API tokens, throttling, engagements (account.h).
 *
 * Owns the tables app_user, session, api_token, login_failure and engagement.
 */
#include "account.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "../base/util.h"
#include "../db/db.h"
#include "access.h"
#include "auditlog.h"
#include "org.h"
#include "state.h"

/* argon2id at the cost OWASP suggests for interactive logins (19 MiB, two passes): about a
 * tenth of a second here, and small enough that logins under load stay within the
 * server's memory budget. The parameters are stored in each hash, so they can be raised
 * later without breaking existing passwords. */
#define PW_OPSLIMIT 2
#define PW_MEMLIMIT (19u * 1024u * 1024u)

#define SESSION_SECONDS (12 * 3600)	/* idle lifetime; each use extends it */
#define SESSION_ABSOLUTE (24 * 3600)	/* no session lives longer, however much it is used */
#define SESSION_TOUCH_SECONDS 300	/* write the extension at most this often */
#define TOKEN_TOUCH_SECONDS 60

#define USER_COLUMNS                                                                      \
	"u.id, u.uuid, u.name, u.display_name, u.org_id, o.code, u.role, u.disabled, "    \
	"u.version, u.created_at FROM app_user u JOIN org o ON o.id = u.org_id "

static const char *
nz(const char *s)
{
	return s ? s : "";
}

static void
read_user(struct kj_stmt *st, struct kj_user *u)
{
	memset(u, 0, sizeof(*u));
	u->id = kj_stmt_int(st, 0);
	kj_strlcpy(u->uuid, nz(kj_stmt_text(st, 1)), sizeof(u->uuid));
	kj_strlcpy(u->name, nz(kj_stmt_text(st, 2)), sizeof(u->name));
	kj_strlcpy(u->display_name, nz(kj_stmt_text(st, 3)), sizeof(u->display_name));
	u->org_id = kj_stmt_int(st, 4);
	kj_strlcpy(u->org_code, nz(kj_stmt_text(st, 5)), sizeof(u->org_code));
	u->role = kj_role_parse(kj_stmt_text(st, 6));
	u->disabled = (int)kj_stmt_int(st, 7);
	u->version = kj_stmt_int(st, 8);
	kj_strlcpy(u->created_at, nz(kj_stmt_text(st, 9)), sizeof(u->created_at));
}

static kj_err
user_by(struct kj_ctx *ctx, const char *where, const char *key, int64_t id, struct kj_user *out)
{
	char sql[512];
	struct kj_stmt *st = NULL;
	int row;
	kj_err r;

	snprintf(sql, sizeof(sql), "SELECT " USER_COLUMNS "%s", where);
	if ((r = kj_db_prepare(ctx, sql, &st)) != KJ_OK)
		return r;
	r = key != NULL ? kj_stmt_bind_text(ctx, st, 1, key) : kj_stmt_bind_int(ctx, st, 1, id);
	if (r == KJ_OK)
		r = kj_stmt_step(ctx, st, &row);
	if (r == KJ_OK && !row)
		r = kj_failf(ctx, KJ_ERR_NOT_FOUND, "no account \"%.64s\"", key ? key : "?");
	if (r == KJ_OK)
		read_user(st, out);
	kj_stmt_free(st);
	return r;
}

json_t *
kj_user_to_json(const struct kj_user *u)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s?, s:b, s:I, s:s}", "id", u->uuid, "name", u->name,
			 "display_name", u->display_name, "org", u->org_code, "role", kj_role_name(u->role),
			 "disabled", u->disabled, "version", (json_int_t)u->version, "created_at",
			 u->created_at);
}

/* The record carries the account's canonical state, read back from its row (state.h). */
static kj_err
audit_user(struct kj_ctx *ctx, const char *op, const struct kj_user *u)
{
	return kj_state_log(ctx, KJ_STATE_USER, u->uuid, op);
}

static int
name_valid(const char *s)
{
	return kj_code_ok(s, "abcdefghijklmnopqrstuvwxyz0123456789._-", 64);
}

void
kj_password_generate(char *out, size_t size, size_t n)
{
	static const char alphabet[] = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
	size_t i;

	if (size == 0)
		return;
	if (n >= size)
		n = size - 1;
	for (i = 0; i < n; i++)
		out[i] = alphabet[randombytes_uniform(sizeof(alphabet) - 1)];
	out[n] = '\0';
}

/* Words that make a password guessable however they are dressed up with digits and
 * symbols: the first ones any guesser tries. */
static const char *const weak_words[] = {
	"password", "passwort", "passwd", "pass", "qwerty", "qwertyuiop", "asdf", "asdfgh", "zxcv", "zxcvbn",
	"letmein", "welcome", "admin", "administrator", "root", "login", "secret", "changeme", "default",
	"iloveyou", "monkey", "dragon", "master", "sunshine", "princess", "football", "baseball", "trustno",
	"abc", "abcd", "test", "guest", "user", "kijun", "security", "government", "ministry", "centre",
	"center", "tokyo", "japan", "nippon", NULL};

/* 1 when letters (lower case) is one or more weak words one after another. */
static int
only_weak_words(const char *letters)
{
	size_t n = strlen(letters), i, j;
	unsigned char ok[KJ_MAX_PASSWORD + 1];

	if (n == 0)
		return 1;
	memset(ok, 0, sizeof(ok));
	ok[0] = 1;
	for (i = 0; i < n; i++) {
		if (!ok[i])
			continue;
		for (j = 0; weak_words[j] != NULL; j++) {
			size_t w = strlen(weak_words[j]);

			if (i + w <= n && strncmp(letters + i, weak_words[j], w) == 0)
				ok[i + w] = 1;
		}
	}
	return ok[n];
}

/* 1 when pw is a shorter string said again and again ("passwordpassword"). */
static int
repeats(const char *pw, size_t n)
{
	size_t p, i;

	for (p = 1; p <= n / 2; p++) {
		if (n % p != 0)
			continue;
		for (i = p; i < n && pw[i] == pw[i - p]; i++)
			;
		if (i == n)
			return 1;
	}
	return 0;
}

/* What makes a password refused beyond its length: the account's own name in it, a
 * string repeated, too few different characters, a run along the keyboard's digits or the
 * alphabet, digits alone, or nothing but well-known words with digits and symbols. The
 * message says which, so that the person can choose better. */
static const char *
password_weakness(const char *pw, const char *name)
{
	char lower[KJ_MAX_PASSWORD + 1], letters[KJ_MAX_PASSWORD + 1];
	unsigned char seen[256];
	size_t n = strlen(pw), i, nl = 0, distinct = 0, runs = 0, digits = 0;

	memset(seen, 0, sizeof(seen));
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)pw[i];

		lower[i] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
		distinct += !seen[c];
		seen[c] = 1;
		digits += c >= '0' && c <= '9';
		if (i > 0 && (c == (unsigned char)pw[i - 1] + 1 || c + 1 == (unsigned char)pw[i - 1]))
			runs++;
		if (lower[i] >= 'a' && lower[i] <= 'z')
			letters[nl++] = lower[i];
	}
	lower[n] = '\0';
	letters[nl] = '\0';
	if (name != NULL && strlen(name) >= 3 && strstr(lower, name) != NULL)
		return "contains the account's name";
	if (repeats(pw, n))
		return "is one string repeated";
	if (distinct < 5)
		return "has fewer than 5 different characters";
	if (runs * 4 >= (n - 1) * 3)
		return "is mostly a run of consecutive characters";
	if (digits == n)
		return "is digits alone";
	if (only_weak_words(letters))
		return "is made of well-known words, digits and symbols";
	return NULL;
}

static kj_err
check_password(struct kj_ctx *ctx, const char *pw, const char *name)
{
	size_t n = pw ? strlen(pw) : 0;
	const char *weak;

	if (n < KJ_MIN_PASSWORD)
		return kj_failf(ctx, KJ_ERR_INVALID, "password: at least %d characters", KJ_MIN_PASSWORD);
	if (n > KJ_MAX_PASSWORD)
		return kj_failf(ctx, KJ_ERR_INVALID, "password: at most %d characters", KJ_MAX_PASSWORD);
	if (!kj_utf8_valid(pw, n))
		return kj_failf(ctx, KJ_ERR_INVALID, "password: not valid UTF-8");
	if ((weak = password_weakness(pw, name)) != NULL)
		return kj_failf(ctx, KJ_ERR_INVALID, "password: too easy to guess: it %s", weak);
	return KJ_OK;
}

static kj_err
hash_password(struct kj_ctx *ctx, const char *pw, char out[crypto_pwhash_STRBYTES])
{
	if (crypto_pwhash_str_alg(out, pw, strlen(pw), PW_OPSLIMIT, PW_MEMLIMIT,
				  crypto_pwhash_ALG_ARGON2ID13) != 0)
		return kj_failf(ctx, KJ_ERR_NOMEM, "out of memory hashing a password");
	return KJ_OK;
}

/* Which roles the principal may give. The centre's roles and external auditors are the
 * centre administrator's to grant. */
static int
role_assignable(struct kj_ctx *ctx, enum kj_role role)
{
	if (ctx->who.role == KJ_ROLE_LOCAL_ADMIN || ctx->who.role == KJ_ROLE_CENTRE_ADMIN)
		return 1;
	return ctx->who.role == KJ_ROLE_ORG_ADMIN &&
	       (role == KJ_ROLE_ORG_ADMIN || role == KJ_ROLE_UNIT_OFFICER || role == KJ_ROLE_STAFF);
}

kj_err
kj_user_create(struct kj_ctx *ctx, const struct kj_user_new *in, struct kj_user *out,
	       char *password_out, size_t password_size)
{
	char hash[crypto_pwhash_STRBYTES], pw[33], uuid[37], now[21];
	struct kj_stmt *st = NULL;
	struct kj_org org;
	struct kj_user u;
	enum kj_role role = kj_role_parse(in->role);
	const char *password = in->password;
	int row;
	kj_err r;

	if (!name_valid(in->name))
		return kj_failf(ctx, KJ_ERR_INVALID, "name: expected 1 to 64 of a-z 0-9 . _ -, not beginning with -");
	if (role == KJ_ROLE_NONE)
		return kj_failf(ctx, KJ_ERR_INVALID,
				"role: expected centre_admin, centre_analyst, org_admin, unit_officer, staff "
				"or external_auditor");
	if (in->display_name != NULL && (strlen(in->display_name) > KJ_MAX_ORG_NAME_BYTES ||
					 !kj_utf8_valid(in->display_name, strlen(in->display_name))))
		return kj_failf(ctx, KJ_ERR_INVALID, "display_name: at most %d bytes of UTF-8",
				KJ_MAX_ORG_NAME_BYTES);
	if (password == NULL) {
		if (password_out == NULL || password_size < 21)
			return kj_failf(ctx, KJ_ERR_INTERNAL, "nowhere to return the new password");
		kj_password_generate(pw, sizeof(pw), 20);
		password = pw;
	} else if ((r = check_password(ctx, password, in->name)) != KJ_OK) {
		return r;
	}
	if (in->org == NULL)
		return kj_failf(ctx, KJ_ERR_INVALID, "org: required");
	if ((r = kj_tx_begin(ctx)) != KJ_OK)
		goto wipe;
	if ((r = kj_org_get(ctx, in->org, &org)) != KJ_OK) {
		kj_failf_prefix(ctx, r, "org");
		goto out;
	}
	if (org.valid_to[0] != '\0') {
		r = kj_failf(ctx, KJ_ERR_INVALID, "org: %s no longer exists", org.code);
		goto out;
	}
	if ((r = kj_access_require(ctx, KJ_PERM_USER_WRITE, org.id)) != KJ_OK)
		goto out;
	if (!role_assignable(ctx, role)) {
		r = kj_failf(ctx, KJ_ERR_DENIED, "role: not allowed to give the role %s", in->role);
		goto out;
	}
	if ((role == KJ_ROLE_CENTRE_ADMIN || role == KJ_ROLE_CENTRE_ANALYST) && strcmp(org.kind, "centre") != 0) {
		r = kj_failf(ctx, KJ_ERR_INVALID, "role: %s belongs to the centre, and %s is a %s", in->role,
			     org.code, org.kind);
		goto out;
	}
	if ((r = hash_password(ctx, password, hash)) != KJ_OK)
		goto out;
	kj_uuid_v4(uuid);
	kj_time_format(kj_now(ctx), now);
	r = kj_db_prepare(ctx, "INSERT INTO app_user (uuid, name, display_name, org_id, role, password_hash, "
			       "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id", &st);
	if (r != KJ_OK)
		goto out;
	if ((r = kj_stmt_bind_text(ctx, st, 1, uuid)) != KJ_OK ||
	    (r = kj_stmt_bind_text(ctx, st, 2, in->name)) != KJ_OK ||
	    (r = kj_stmt_bind_text(ctx, st, 3, in->display_name ? in->display_name : in->name)) != KJ_OK ||
	    (r = kj_stmt_bind_int(ctx, st, 4, org.id)) != KJ_OK ||
	    (r = kj_stmt_bind_text(ctx, st, 5, kj_role_name(role))) != KJ_OK ||
	    (r = kj_stmt_bind_text(ctx, st, 6, hash)) != KJ_OK ||
	    (r = kj_stmt_bind_text(ctx, st, 7, now)) != KJ_OK ||
	    (r = kj_stmt_bind_text(ctx, st, 8, now)) != KJ_OK)
		goto out;
	r = kj_stmt_step(ctx, st, &row);
	if (r == KJ_ERR_EXISTS)
		r = kj_failf(ctx, r, "name: an account \"%s\" already exists", in->name);
	if (r != KJ_OK)
		goto out;
	if ((r = user_by(ctx, "WHERE u.id = ?", NULL, kj_stmt_int(st, 0), &u)) != KJ_OK)
		goto out;
	if ((r = audit_user(ctx, "user.create", &u)) != KJ_OK)
		goto out;
	if (out != NULL)
		*out = u;
out:
	kj_stmt_free(st);
	r = kj_tx_end(ctx, r);
	if (r == KJ_OK && in->password == NULL)
		kj_strlcpy(password_out, pw, password_size);
wipe:
	sodium_memzero(pw, sizeof(pw));
	return r;
}

kj_err
kj_user_get(struct kj_ctx *ctx, const char *name, struct kj_user *out)
{
	kj_err r = user_by(ctx, "WHERE u.name = ?", name, 0, out);

	if (r != KJ_OK)
		return r;
	if (out->id != ctx->who.user_id && kj_access_require(ctx, KJ_PERM_USER_READ, out->org_id) != KJ_OK)
		return kj_failf(ctx, KJ_ERR_NOT_FOUND, "no account \"%.64s\"", name);
	return KJ_OK;
}

kj_err
kj_user_list(struct kj_ctx *ctx, const char *org, const char *after, int limit,
	     int (*fn)(void *arg, const struct kj_user *u), void *arg)
{
	struct kj_stmt *st = NULL;
	struct kj_org within;
	struct kj_user u;
	int row, n = 0;
	kj_err r;

	if ((r = kj_access_require(ctx, KJ_PERM_USER_READ, 0)) != KJ_OK)
		return r;
	if (ctx->who.role == KJ_ROLE_STAFF || ctx->who.role == KJ_ROLE_UNIT_OFFICER ||
	    ctx->who.role == KJ_ROLE_EXTERNAL_AUDITOR) {
		/* These roles see their own account only; an organisation out of scope is
		 * still not found. */
		if (org != NULL && (r = kj_org_get(ctx, org, &within)) != KJ_OK)
			return r;
		if ((r = user_by(ctx, "WHERE u.id = ?", NULL, ctx->who.user_id, &u)) != KJ_OK)
			return r;
		if (org != NULL) {
			struct kj_ctx sub = *ctx;

			/* org= narrows the listing to that subtree, the own account included:
			 * an account kept elsewhere is not one of org's. */
			sub.who.role = KJ_ROLE_ORG_ADMIN;
			sub.who.org_id = within.id;
			if (!kj_access_org_visible(&sub, u.org_id))
				return KJ_OK;
		}
		if ((after == NULL || strcmp(u.name, after) > 0) && limit > 0)
			fn(arg, &u);
		return KJ_OK;
	}
	if (org != NULL && (r = kj_org_get(ctx, org, &within)) != KJ_OK)
		return r;
	r = kj_db_prepare(ctx, "SELECT " USER_COLUMNS "WHERE u.name > ? ORDER BY u.name", &st);
	if (r != KJ_OK)
		return r;
	if ((r = kj_stmt_bind_text(ctx, st, 1, after ? after : "")) != KJ_OK)
		goto out;
	while (n < limit && (r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row) {
		read_user(st, &u);
		if (!kj_access_org_visible(ctx, u.org_id))
			continue;
		if (org != NULL) {
			struct kj_ctx sub = *ctx;

			/* Narrow to the subtree of org, as that organisation's own view. */
			sub.who.role = KJ_ROLE_ORG_ADMIN;
			sub.who.org_id = within.id;
			if (!kj_access_org_visible(&sub, u.org_id))
				continue;
		}
		n++;
		if (fn(arg, &u) != 0)
			break;
	}
out:
	kj_stmt_free(st);
	return r;
}

/* Ends the account's sessions and revokes its tokens, all but keep_session and keep_token
 * (0: none kept). */
static kj_err
end_sessions_and_tokens(struct kj_ctx *ctx, int64_t user_id, int64_t keep_session, int64_t keep_token)
{
	struct kj_stmt *st = NULL;
	char now[21];
	kj_err r;

	kj_time_format(kj_now(ctx), now);
	if ((r = kj_db_prepare(ctx, "DELETE FROM session WHERE user_id = ? AND id <> ?", &st)) != KJ_OK)
		return r;
	if ((r = kj_stmt_bind_int(ctx, st, 1, user_id)) == KJ_OK && (r = kj_stmt_bind_int(ctx, st, 2, keep_session)) == KJ_OK)
		r = kj_stmt_run(ctx, st);
	kj_stmt_free(st);
	if (r != KJ_OK)
		return r;
	if ((r = kj_db_prepare(ctx, "UPDATE api_token SET revoked_at = ? WHERE user_id = ? AND id <> ? AND "
			       "revoked_at IS NULL", &st)) != KJ_OK)
		return r;
	if ((r = kj_stmt_bind_text(ctx, st, 1, now)) == KJ_OK && (r = kj_stmt_bind_int(ctx, st, 2, user_id)) == KJ_OK &&
	    (r = kj_stmt_bind_int(ctx, st, 3, keep_token)) == KJ_OK)
		r = kj_stmt_run(ctx, st);
	kj_stmt_free(st);
	return r;
}

kj_err
kj_user_update(struct kj_ctx *ctx, const char *name, int64_t version, const char *role,
	       const char *display_name, int disabled, struct kj_user *out)
{
	struct kj_stmt *st = NULL;
	struct kj_user u;
	enum kj_role nrole = KJ_ROLE_NONE;
	char now[21];
	kj_err r;

	if (role != NULL && (nrole = kj_role_parse(role)) == KJ_ROLE_NONE)
		return kj_failf(ctx, KJ_ERR_INVALID, "role: \"%.40s\" is not a role", role);
	if (display_name != NULL && (*display_name == '\0' || strlen(display_name) > KJ_MAX_ORG_NAME_BYTES ||
				     !kj_utf8_valid(display_name, strlen(display_name))))
		return kj_failf(ctx, KJ_ERR_INVALID, "display_name: 1 to %d bytes of UTF-8", KJ_MAX_ORG_NAME_BYTES);
	if ((r = kj_tx_begin(ctx)) != KJ_OK)
		return r;
	if ((r = kj_user_get(ctx, name, &u)) != KJ_OK)
		goto out;
	if ((r = kj_access_require(ctx, KJ_PERM_USER_WRITE, u.org_id)) != KJ_OK)
		goto out;
	if (!role_assignable(ctx, u.role) || (role != NULL && !role_assignable(ctx, nrole))) {
		r = kj_failf(ctx, KJ_ERR_DENIED, "not allowed to change this account's role or state");
		goto out;
	}
	if ((nrole == KJ_ROLE_CENTRE_ADMIN || nrole == KJ_ROLE_CENTRE_ANALYST) && role != NULL) {
		struct kj_org o;
		struct kj_principal saved = ctx->who;

		/* The centre's roles belong to accounts of the centre, as at creation. */
		ctx->who.role = KJ_ROLE_LOCAL_ADMIN;
		r = kj_org_get(ctx, u.org_code, &o);
		ctx->who = saved;
		if (r == KJ_OK && strcmp(o.kind, "centre") != 0)
			r = kj_failf(ctx, KJ_ERR_INVALID, "role: %s belongs to the centre, and %s is a %s", role, o.code, o.kind);
		if (r != KJ_OK)
			goto out;
	}
	if (version != 0 && version != u.version) {
		r = kj_failf(ctx, KJ_ERR_CONFLICT, "the account changed since version %" PRId64
						   " (now %" PRId64 ")", version, u.version);
		goto out;
	}
	kj_time_format(kj_now(ctx), now);
	r = kj_db_prepare(ctx, "UPDATE app_user SET role = ?, display_name = ?, disabled = ?, "
			       "version = version + 1, updated_at = ? WHERE id = ?", &st);
	if (r != KJ_OK)
		goto out;
	if ((r = kj_stmt_bind_text(ctx, st, 1, role ? kj_role_name(nrole) : kj_role_name(u.role))) != KJ_OK ||
	    (r = kj_stmt_bind_text(ctx, st, 2, display_name ? display_name : u.display_name)) != KJ_OK ||
	    (r = kj_stmt_bind_int(ctx, st, 3, disabled >= 0 ? disabled : u.disabled)) != KJ_OK ||
	    (r = kj_stmt_bind_text(ctx, st, 4, now)) != KJ_OK ||
	    (r = kj_stmt_bind_int(ctx, st, 5, u.id)) != KJ_OK || (r = kj_stmt_run(ctx, st)) != KJ_OK)
		goto out;
	if (disabled > 0 && (r = end_sessions_and_tokens(ctx, u.id, 0, 0)) != KJ_OK)
		goto out;
	if ((r = user_by(ctx, "WHERE u.id = ?", NULL, u.id, &u)) != KJ_OK)
		goto out;
	r = audit_user(ctx, disabled > 0 ? "user.disable" : "user.update", &u);
	if (r == KJ_OK && out != NULL)
		*out = u;
out:
	kj_stmt_free(st);
	return kj_tx_end(ctx, r);
}

static kj_err
stored_hash(struct kj_ctx *ctx, int64_t user_id, char out[crypto_pwhash_STRBYTES])
{
	struct kj_stmt *st = NULL;
	int row;
	kj_err r;

	out[0] = '\0';
	if ((r = kj_db_prepare(ctx, "SELECT password_hash FROM app_user WHERE id = ?", &st)) != KJ_OK)
		return r;
	if ((r = kj_stmt_bind_int(ctx, st, 1, user_id)) == KJ_OK && (r = kj_stmt_step(ctx, st, &row)) == KJ_OK &&
	    row && kj_stmt_text(st, 0) != NULL)
		kj_strlcpy(out, kj_stmt_text(st, 0), crypto_pwhash_STRBYTES);
	kj_stmt_free(st);
	return r;
}

kj_err
kj_user_set_password(struct kj_ctx *ctx, const char *name, const char *current, const char *password,
		     int check_current)
{
	char hash[crypto_pwhash_STRBYTES], old[crypto_pwhash_STRBYTES], now[21];
	struct kj_stmt *st = NULL;
	struct kj_user u;
	kj_err r;

	if ((r = check_password(ctx, password, name)) != KJ_OK)
		return r;
	/* A read-only token reads: it must not change even its own account's password, which
	 * would hand whoever holds the token the account itself. */
	if (ctx->who.read_only)
		return kj_failf(ctx, KJ_ERR_DENIED, "not allowed with a read-only token");
	if ((r = kj_tx_begin(ctx)) != KJ_OK)
		return r;
	if ((r = kj_user_get(ctx, name, &u)) != KJ_OK)
		goto out;
	if (check_current) {
		if (u.id != ctx->who.user_id) {
			r = kj_failf(ctx, KJ_ERR_DENIED, "not allowed");
			goto out;
		}
		if ((r = stored_hash(ctx, u.id, old)) != KJ_OK)
			goto out;
		if (current == NULL || old[0] == '\0' ||
		    crypto_pwhash_str_verify(old, current, strlen(current)) != 0) {
			r = kj_failf(ctx, KJ_ERR_AUTH, "current password: does not match");
			goto out;
		}
		/* A change that changes nothing would still end every other session: refuse it. */
		if (strcmp(current, password) == 0) {
			r = kj_failf(ctx, KJ_ERR_INVALID, "password: the new password is the current one");
			goto out;
		}
	} else if ((r = kj_access_require(ctx, KJ_PERM_USER_WRITE, u.org_id)) != KJ_OK ||
		   !role_assignable(ctx, u.role)) {
		if (r == KJ_OK)
			r = kj_failf(ctx, KJ_ERR_DENIED, "not allowed");
		goto out;
	}
	if ((r = hash_password(ctx, password, hash)) != KJ_OK)
		goto out;
	kj_time_format(kj_now(ctx), now);
	r = kj_db_prepare(ctx, "UPDATE app_user SET password_hash = ?, version = version + 1, updated_at = ? "
			       "WHERE id = ?", &st);
	if (r == KJ_OK && (r = kj_stmt_bind_text(ctx, st, 1, hash)) == KJ_OK &&
	    (r = kj_stmt_bind_text(ctx, st, 2, now)) == KJ_OK && (r = kj_stmt_bind_int(ctx, st, 3, u.id)) == KJ_OK)
		r = kj_stmt_run(ctx, st);
	/* Whoever held the old password may hold a session or have made a token with it: a
	 * new password ends them all. Changing one's own keeps the session or the token it is
	 * made through, which its holder is using. */
	if (r == KJ_OK)
		r = end_sessions_and_tokens(ctx, u.id, u.id == ctx->who.user_id ? ctx->who.session_id : 0,
					    u.id == ctx->who.user_id ? ctx->who.token_id : 0);
	if (r == KJ_OK)
		r = audit_user(ctx, "user.password", &u);
out:
	kj_stmt_free(st);
	sodium_memzero(hash, sizeof(hash));
	return kj_tx_end(ctx, r);
}

/* ---- Login and throttling ------------------------------------------------------------ */

/*
 * Throttling. Every attempt is counted before the password is checked, under three keys:
 * the account and address pair, the address, and the account. A key lets a number of
 * attempts through in its window; after that each attempt sets a wait before the next,
 * doubling up to a ceiling. Counting first, in one transaction that also checks the wait,
 * means parallel attempts are let through one at a time: none slips past the limit. A key
 * that must wait is not counted again, so hammering a waiting key does not lengthen the
 * wait. An anonymous client that guesses at someone's account makes its own pair and its
 * own address wait; the account as a whole waits only after many more attempts, and for
 * minutes, not for good, so that it cannot lock the holder out from elsewhere.
 */
struct throttle_rule {
	const char *prefix;
	const char *which;	/* for the refusal: "too many failed logins ..." */
	int free;		/* attempts in the window before each one sets a wait */
	int base;		/* the first wait, in seconds; it doubles with each attempt */
	int ceiling;		/* the longest wait */
	int window;		/* seconds after the window's first attempt that it starts over */
};

static const struct throttle_rule pair_rule = {"pair:", "for this account from this address", 5, 30, 900, 900};
static const struct throttle_rule address_rule = {"addr:", "from this address", 20, 30, 900, 900};
static const struct throttle_rule account_rule = {"user:", "for this account", 30, 60, 3600, 3600};

static int64_t
parse_time(const char *s)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	if (s == NULL || strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm) == NULL)
		return 0;
	return (int64_t)timegm(&tm);
}

static int64_t
wait_after(const struct throttle_rule *rule, int64_t attempts)
{
	int64_t w = rule->base, n;

	if (attempts < rule->free)
		return 0;
	for (n = rule->free; n < attempts && w < rule->ceiling; n++)
		w *= 2;
	return w < rule->ceiling ? w : rule->ceiling;
}

/* Counts one attempt under key, inside the caller's transaction. *wait_out is 0 when the
 * attempt may go on, or the seconds left of the key's wait when it may not (and then it
 * is not counted). */
static kj_err
throttle_claim(struct kj_ctx *ctx, const struct throttle_rule *rule, const char *key, int *wait_out)
{
	struct kj_stmt *st = NULL;
	char now[21], window[21], until[21];
	int64_t attempts = 0, blocked = 0, t = kj_now(ctx);
	int row;
	kj_err r;

	*wait_out = 0;
	kj_time_format(t, now);
	kj_time_format(t - rule->window, window);
	r = kj_db_prepare(ctx, "INSERT INTO login_throttle (key, attempts, window_start, blocked_until) "
			       "VALUES (?, 0, ?, '') ON CONFLICT (key) DO NOTHING", &st);
	if (r == KJ_OK && (r = kj_stmt_bind_text(ctx, st, 1, key)) == KJ_OK && (r = kj_stmt_bind_text(ctx, st, 2, now)) == KJ_OK)
		r = kj_stmt_run(ctx, st);
	kj_stmt_free(st);
	st = NULL;
	if (r != KJ_OK)
		return r;
	/* The row is written (and so locked until the transaction ends) only when no wait
	 * holds: a second attempt waits here for the first to commit, then sees its wait. */
	r = kj_db_prepare(ctx, "UPDATE login_throttle SET "
			       "attempts = CASE WHEN window_start <= ? THEN 1 ELSE attempts + 1 END, "
			       "window_start = CASE WHEN window_start <= ? THEN ? ELSE window_start END "
			       "WHERE key = ? AND blocked_until <= ? RETURNING attempts", &st);
	if (r == KJ_OK && (r = kj_stmt_bind_text(ctx, st, 1, window)) == KJ_OK &&
	    (r = kj_stmt_bind_text(ctx, st, 2, window)) == KJ_OK && (r = kj_stmt_bind_text(ctx, st, 3, now)) == KJ_OK &&
	    (r = kj_stmt_bind_text(ctx, st, 4, key)) == KJ_OK && (r = kj_stmt_bind_text(ctx, st, 5, now)) == KJ_OK &&
	    (r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row)
		attempts = kj_stmt_int(st, 0);
	kj_stmt_free(st);
	st = NULL;
	if (r != KJ_OK)
		return r;
	if (attempts == 0) {
		/* Waiting: say how long. */
		r = kj_db_prepare(ctx, "SELECT blocked_until FROM login_throttle WHERE key = ?", &st);
		if (r == KJ_OK && (r = kj_stmt_bind_text(ctx, st, 1, key)) == KJ_OK && (r = kj_stmt_step(ctx, st, &row)) == KJ_OK &&
		    row)
			blocked = parse_time(kj_stmt_text(st, 0));
		kj_stmt_free(st);
		*wait_out = blocked > t ? (int)(blocked - t) : 1;
		return r;
	}
	if (wait_after(rule, attempts) == 0)
		return KJ_OK;
	kj_time_format(t + wait_after(rule, attempts), until);
	r = kj_db_prepare(ctx, "UPDATE login_throttle SET blocked_until = ? WHERE key = ?", &st);
	if (r == KJ_OK && (r = kj_stmt_bind_text(ctx, st, 1, until)) == KJ_OK && (r = kj_stmt_bind_text(ctx, st, 2, key)) == KJ_OK)
		r = kj_stmt_run(ctx, st);
	kj_stmt_free(st);
	return r;
}

/* After a good password: the pair and the account start over; the address gives back the
 * attempt it counted, so that a busy office behind one address is not held up by its own
 * logins. */
static void
throttle_success(struct kj_ctx *ctx, const char *pair, const char *account, const char *address)
{
	static const char *const sql[] = {
		"UPDATE login_throttle SET attempts = 0, blocked_until = '' WHERE key = ?",
		"UPDATE login_throttle SET attempts = 0, blocked_until = '' WHERE key = ?",
		"UPDATE login_throttle SET attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END WHERE key = ?",
	};
	const char *keys[] = {pair, account, address};
	struct kj_stmt *st = NULL;
	size_t i;

	if (kj_tx_begin(ctx) != KJ_OK)
		return;
	for (i = 0; i < 3; i++) {
		if (keys[i] == NULL)
			continue;
		if (kj_db_prepare(ctx, sql[i], &st) == KJ_OK && kj_stmt_bind_text(ctx, st, 1, keys[i]) == KJ_OK)
			kj_stmt_run(ctx, st);
		kj_stmt_free(st);
		st = NULL;
	}
	kj_tx_end(ctx, KJ_OK);
}

/* Counts the attempt under its keys, all or none. KJ_ERR_THROTTLED with *retry_after_out
 * when one of them must wait. */
static kj_err
throttle_attempt(struct kj_ctx *ctx, const char *pair, const char *account, const char *address,
		 int *retry_after_out)
{
	const struct throttle_rule *rules[] = {&pair_rule, &account_rule, &address_rule};
	const char *keys[] = {pair, account, address};
	int wait = 0;
	size_t i;
	kj_err r;

	if ((r = kj_tx_begin(ctx)) != KJ_OK)
		return r;
	for (i = 0; i < 3; i++) {
		if (keys[i] != NULL && (r = throttle_claim(ctx, rules[i], keys[i], &wait)) != KJ_OK)
			break;
		if (wait > 0) {
			*retry_after_out = wait;
			r = kj_failf(ctx, KJ_ERR_THROTTLED, "too many failed logins %s; try again later", rules[i]->which);
			break;
		}
	}
	return kj_tx_end(ctx, r);
}

/* The same work as checking a real password, for an unknown account, so that the time a
 * reply takes does not tell whether the account exists. The hash is made once, under a
 * lock: two threads must not fill it at once. */
static void
verify_dummy(const char *password)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	static char dummy[crypto_pwhash_STRBYTES];
	char copy[crypto_pwhash_STRBYTES];

	pthread_mutex_lock(&lock);
	if (dummy[0] == '\0' &&
	    crypto_pwhash_str_alg(dummy, "kijun-no-such-account", 21, PW_OPSLIMIT, PW_MEMLIMIT,
				  crypto_pwhash_ALG_ARGON2ID13) != 0)
		dummy[0] = '\0';
	memcpy(copy, dummy, sizeof(copy));
	pthread_mutex_unlock(&lock);
	if (copy[0] != '\0' && crypto_pwhash_str_verify(copy, password, strlen(password)) == 0)
		copy[0] = '\0';	/* cannot match: the work is what counts */
}

kj_err
kj_login(struct kj_ctx *ctx, const char *name, const char *password, const char *address,
	 struct kj_user *out, int *retry_after_out)
{
	char pkey[160], ukey[80], akey[80], hash[crypto_pwhash_STRBYTES];
	struct kj_user u;
	int found, ok = 0;
	kj_err r;

	*retry_after_out = 0;
	if (name == NULL || password == NULL || strlen(password) > KJ_MAX_PASSWORD || strlen(name) > 64)
		return kj_failf(ctx, KJ_ERR_AUTH, "wrong name or password");
	snprintf(ukey, sizeof(ukey), "%s%s", account_rule.prefix, name);
	snprintf(akey, sizeof(akey), "%s%.64s", address_rule.prefix, address ? address : "-");
	snprintf(pkey, sizeof(pkey), "%s%s|%.64s", pair_rule.prefix, name, address ? address : "-");
	if ((r = throttle_attempt(ctx, pkey, ukey, address ? akey : NULL, retry_after_out)) != KJ_OK)
		return r;
	/* The caller is not anyone yet: the account is looked up by the system's call. */
	found = user_by(ctx, "WHERE u.name = ?", name, 0, &u) == KJ_OK;
	hash[0] = '\0';
	if (found && (r = stored_hash(ctx, u.id, hash)) != KJ_OK)
		return r;
	if (hash[0] != '\0')
		ok = crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
	else
		verify_dummy(password);
	sodium_memzero(hash, sizeof(hash));
	if (!ok || u.disabled)
		return kj_failf(ctx, KJ_ERR_AUTH, "wrong name or password");
	throttle_success(ctx, pkey, ukey, address ? akey : NULL);
	*out = u;
	return KJ_OK;
}

/* ---- Sessions and tokens ------------------------------------------------------------- */

static void
new_secret(char out[KJ_TOKEN_CHARS])
{
	unsigned char b[32];

	randombytes_buf(b, sizeof(b));
	memcpy(out, "kj_", 3);
	sodium_bin2base64(out + 3, KJ_TOKEN_CHARS - 3, b, sizeof(b), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(b, sizeof(b));
}

static void
secret_digest(const char *secret, char out[65])
{
	unsigned char d[32];

	crypto_generichash(d, sizeof(d), (const unsigned char *)secret, strlen(secret), NULL, 0);
	sodium_bin2hex(out, 65, d, sizeof(d));
}

static void
become(struct kj_ctx *ctx, const struct kj_user *u, int read_only)
{
	memset(&ctx->who, 0, sizeof(ctx->who));
	ctx->who.user_id = u->id;
	ctx->who.role = u->role;
	ctx->who.org_id = u->org_id;
	ctx->who.read_only = read_only;
	kj_strlcpy(ctx->who.name, u->name, sizeof(ctx->who.name));
}

kj_err
kj_session_create(struct kj_ctx *ctx, const struct kj_user *u, const char *address, struct kj_session *out)
{
	struct kj_stmt *st = NULL;
	char digest[65], now[21];
	kj_err r;

	memset(out, 0, sizeof(*out));
	new_secret(out->token);
	new_secret(out->csrf);
	secret_digest(out->token, digest);
	kj_time_format(kj_now(ctx), now);
	kj_time_format(kj_now(ctx) + SESSION_SECONDS, out->expires_at);
	become(ctx, u, 0);
	if ((r = kj_tx_begin(ctx)) != KJ_OK)
		return r;
	r = kj_db_prepare(ctx, "INSERT INTO session (token_hash, user_id, csrf, created_at, expires_at, seen_at, "
			       "address) VALUES (?, ?, ?, ?, ?, ?, ?)", &st);
	if (r == KJ_OK && (r = kj_stmt_bind_text(ctx, st, 1, digest)) == KJ_OK &&
	    (r = kj_stmt_bind_int(ctx, st, 2, u->id)) == KJ_OK && (r = kj_stmt_bind_text(ctx, st, 3, out->csrf)) == KJ_OK &&
	    (r = kj_stmt_bind_text(ctx, st, 4, now)) == KJ_OK &&
	    (r = kj_stmt_bind_text(ctx, st, 5, out->expires_at)) == KJ_OK &&
	    (r = kj_stmt_bind_text(ctx, st, 6, now)) == KJ_OK && (r = kj_stmt_bind_text(ctx, st, 7, address)) == KJ_OK)
		r = kj_stmt_run(ctx, st);
	kj_stmt_free(st);
	if (r == KJ_OK)
		r = audit_user(ctx, "user.login", u);
	r = kj_tx_end(ctx, r);
	if (r != KJ_OK)
		sodium_memzero(out, sizeof(*out));
	return r;
}

kj_err
kj_session_resume(struct kj_ctx *ctx, const char *token, char csrf_out[KJ_TOKEN_CHARS])
{
	struct kj_stmt *st = NULL;
	struct kj_user u;
	char digest[65], now[21], born[21], seen[21], csrf[KJ_TOKEN_CHARS];
	int64_t sid = 0, created = 0;
	int row;
	kj_err r;

	if (token == NULL || strlen(token) >= KJ_TOKEN_CHARS)
		return kj_failf(ctx, KJ_ERR_AUTH, "not logged in");
	secret_digest(token, digest);
	kj_time_format(kj_now(ctx), now);
	kj_time_format(kj_now(ctx) - SESSION_ABSOLUTE, born);
	r = kj_db_prepare(ctx, "SELECT s.id, s.csrf, s.seen_at, s.created_at, " USER_COLUMNS
			       "JOIN session s ON s.user_id = u.id WHERE s.token_hash = ? AND s.expires_at > ? "
			       "AND s.created_at > ?", &st);
	if (r != KJ_OK)
		return r;
	if ((r = kj_stmt_bind_text(ctx, st, 1, digest)) == KJ_OK && (r = kj_stmt_bind_text(ctx, st, 2, now)) == KJ_OK &&
	    (r = kj_stmt_bind_text(ctx, st, 3, born)) == KJ_OK && (r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row) {
		sid = kj_stmt_int(st, 0);
		kj_strlcpy(csrf, nz(kj_stmt_text(st, 1)), sizeof(csrf));
		kj_strlcpy(seen, nz(kj_stmt_text(st, 2)), sizeof(seen));
		created = parse_time(kj_stmt_text(st, 3));
		/* The user columns follow the session's four. */
		memset(&u, 0, sizeof(u));
		u.id = kj_stmt_int(st, 4);
		kj_strlcpy(u.uuid, nz(kj_stmt_text(st, 5)), sizeof(u.uuid));
		kj_strlcpy(u.name, nz(kj_stmt_text(st, 6)), sizeof(u.name));
		u.org_id = kj_stmt_int(st, 8);
		u.role = kj_role_parse(kj_stmt_text(st, 10));
		u.disabled = (int)kj_stmt_int(st, 11);
	}
	kj_stmt_free(st);
	if (r != KJ_OK)
		return r;
	if (sid == 0 || u.disabled)
		return kj_failf(ctx, KJ_ERR_AUTH, "not logged in (or the session expired)");
	become(ctx, &u, 0);
	ctx->who.session_id = sid;
	if (csrf_out != NULL)
		kj_strlcpy(csrf_out, csrf, KJ_TOKEN_CHARS);
	/* Slide the expiry, but write it only now and then. */
	{
		char touch[21], expires[21];

		kj_time_format(kj_now(ctx) - SESSION_TOUCH_SECONDS, touch);
		if (strcmp(seen, touch) < 0) {
			int64_t until = kj_now(ctx) + SESSION_SECONDS;

			if (until > created + SESSION_ABSOLUTE)
				until = created + SESSION_ABSOLUTE;
			kj_time_format(until, expires);
			if (kj_db_prepare(ctx, "UPDATE session SET seen_at = ?, expires_at = ? WHERE id = ?", &st) == KJ_OK &&
			    kj_stmt_bind_text(ctx, st, 1, now) == KJ_OK && kj_stmt_bind_text(ctx, st, 2, expires) == KJ_OK &&
			    kj_stmt_bind_int(ctx, st, 3, sid) == KJ_OK)
				kj_stmt_run(ctx, st);
			kj_stmt_free(st);
		}
	}
	return KJ_OK;
}

kj_err
kj_session_end(struct kj_ctx *ctx, const char *token)
{
	struct kj_stmt *st = NULL;
	char digest[65];
	kj_err r;

	if (token == NULL)
		return KJ_OK;
	secret_digest(token, digest);
	if ((r = kj_tx_begin(ctx)) != KJ_OK)
		return r;
	r = kj_db_prepare(ctx, "DELETE FROM session WHERE token_hash = ?", &st);
	if (r == KJ_OK && (r = kj_stmt_bind_text(ctx, st, 1, digest)) == KJ_OK)
		r = kj_stmt_run(ctx, st);
	kj_stmt_free(st);
	if (r == KJ_OK && ctx->who.user_id != 0) {
		struct kj_user u;

		if ((r = user_by(ctx, "WHERE u.id = ?", NULL, ctx->who.user_id, &u)) == KJ_OK)
			r = audit_user(ctx, "user.logout", &u);
	}
	return kj_tx_end(ctx, r);
}

#define TOKEN_COLUMNS                                                                           \
	"t.uuid, t.name, t.prefix, t.scope, u.name, t.created_at, t.expires_at, t.used_at, "       \
	"t.revoked_at FROM api_token t JOIN app_user u ON u.id = t.user_id "

static void
read_token(struct kj_stmt *st, struct kj_token *t)
{
	memset(t, 0, sizeof(*t));
	kj_strlcpy(t->uuid, nz(kj_stmt_text(st, 0)), sizeof(t->uuid));
	kj_strlcpy(t->name, nz(kj_stmt_text(st, 1)), sizeof(t->name));
	kj_strlcpy(t->prefix, nz(kj_stmt_text(st, 2)), sizeof(t->prefix));
	kj_strlcpy(t->scope, nz(kj_stmt_text(st, 3)), sizeof(t->scope));
	kj_strlcpy(t->user, nz(kj_stmt_text(st, 4)), sizeof(t->user));
	kj_strlcpy(t->created_at, nz(kj_stmt_text(st, 5)), sizeof(t->created_at));
	kj_strlcpy(t->expires_at, nz(kj_stmt_text(st, 6)), sizeof(t->expires_at));
	kj_strlcpy(t->used_at, nz(kj_stmt_text(st, 7)), sizeof(t->used_at));
	kj_strlcpy(t->revoked_at, nz(kj_stmt_text(st, 8)), sizeof(t->revoked_at));
}

json_t *
kj_token_to_json(const struct kj_token *t)
{
	json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s?, s:s?}", "id", t->uuid, "name", t->name,
			      "prefix", t->prefix, "scope", t->scope, "user", t->user, "created_at",
			      t->created_at, "expires_at", t->expires_at, "used_at",
			      t->used_at[0] ? t->used_at : NULL, "revoked_at", t->revoked_at[0] ? t->revoked_at : NULL);

	if (j != NULL && t->secret[0] != '\0')
		json_object_set_new(j, "token", json_string(t->secret));
	return j;
}

/* The account acted on: the principal's own, or another one it may manage. */
static kj_err
token_owner(struct kj_ctx *ctx, const char *user, struct kj_user *u)
{
	kj_err r;

	if (user == NULL || (ctx->who.user_id != 0 && strcmp(user, ctx->who.name) == 0)) {
		if (ctx->who.user_id == 0)
			return kj_failf(ctx, KJ_ERR_USAGE, "user: required for the local administrator");
		return user_by(ctx, "WHERE u.id = ?", NULL, ctx->who.user_id, u);
	}
	if ((r = kj_user_get(ctx, user, u)) != KJ_OK)
		return r;
	if ((r = kj_access_require(ctx, KJ_PERM_USER_WRITE, u->org_id)) != KJ_OK)
		return r;
	if (!role_assignable(ctx, u->role))
		return kj_failf(ctx, KJ_ERR_DENIED, "not allowed to manage this account's tokens");
	return KJ_OK;
}

/* Whom a new token is for. A token acts as its account, so it is minted only by that
 * account for itself: an administrator who could mint one for another account could act
 * as that account (approve its own draft as the CISO, answer a staff member's checklist)
 * with the log naming the victim. Administrators list and revoke others' tokens, never
 * hold them. The local administrator, who holds the database itself, mints tokens for
 * accounts when setting a server up; its records say so. */
static kj_err
token_holder(struct kj_ctx *ctx, const char *user, struct kj_user *u)
{
	kj_err r;

	if (ctx->who.user_id == 0 && ctx->who.role == KJ_ROLE_LOCAL_ADMIN)
		return token_owner(ctx, user, u);
	if (user != NULL && strcmp(user, ctx->who.name) != 0) {
		if ((r = kj_user_get(ctx, user, u)) != KJ_OK)
			return r;
		return kj_failf(ctx, KJ_ERR_DENIED, "user: a token is made only by its own account, for itself "
						    "(%s logs in and makes its own)", u->name);
	}
	return user_by(ctx, "WHERE u.id = ?", NULL, ctx->who.user_id, u);
}

kj_err
kj_token_create(struct kj_ctx *ctx, const char *user, const char *name, const char *scope, int days,
		struct kj_token *out)
{
	struct kj_stmt *st = NULL;
	struct kj_user u;
	char digest[65], now[21], expires[21], uuid[37], state[256];
	kj_err r;

	memset(out, 0, sizeof(*out));
	if (scope == NULL)
		scope = "write";
	if (strcmp(scope, "read") != 0 && strcmp(scope, "write") != 0)
		return kj_failf(ctx, KJ_ERR_INVALID, "scope: expected read or write");
	if (days < 1 || days > 366)
		return kj_failf(ctx, KJ_ERR_INVALID, "expires: between 1 and 366 days");
	if (name == NULL)
		name = "token";
	if (strlen(name) > 64 || !kj_utf8_valid(name, strlen(name)))
		return kj_failf(ctx, KJ_ERR_INVALID, "name: at most 64 bytes of UTF-8");
	if (ctx->who.read_only)
		return kj_failf(ctx, KJ_ERR_DENIED, "not allowed with a read-only token");
	if ((r = kj_tx_begin(ctx)) != KJ_OK)
		return r;
	if ((r = token_holder(ctx, user, &u)) != KJ_OK)
		goto out;
	if (u.disabled) {
		r = kj_failf(ctx, KJ_ERR_INVALID, "user: the account is disabled");
		goto out;
	}
	new_secret(out->secret);
	secret_digest(out->secret, digest);
	kj_uuid_v4(uuid);
	kj_time_format(kj_now(ctx), now);
	kj_time_format(kj_now(ctx) + (int64_t)days * 86400, expires);
	r = kj_db_prepare(ctx, "INSERT INTO api_token (uuid, user_id, name, prefix, token_hash, scope, created_at, "
			       "expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", &st);
	if (r != KJ_OK)
		goto out;
	{
		char prefix[12];

		kj_strlcpy(prefix, out->secret, 11);
		if ((r = kj_stmt_bind_text(ctx, st, 1, uuid)) != KJ_OK ||
		    (r = kj_stmt_bind_int(ctx, st, 2, u.id)) != KJ_OK ||
		    (r = kj_stmt_bind_text(ctx, st, 3, name)) != KJ_OK ||
		    (r = kj_stmt_bind_text(ctx, st, 4, prefix)) != KJ_OK ||
		    (r = kj_stmt_bind_text(ctx, st, 5, digest)) != KJ_OK ||
		    (r = kj_stmt_bind_text(ctx, st, 6, scope)) != KJ_OK ||
		    (r = kj_stmt_bind_text(ctx, st, 7, now)) != KJ_OK ||
		    (r = kj_stmt_bind_text(ctx, st, 8, expires)) != KJ_OK || (r = kj_stmt_run(ctx, st)) != KJ_OK)
			goto out;
		kj_strlcpy(out->uuid, uuid, sizeof(out->uuid));
		kj_strlcpy(out->name, name, sizeof(out->name));
		kj_strlcpy(out->prefix, prefix, sizeof(out->prefix));
		kj_strlcpy(out->scope, scope, sizeof(out->scope));
		kj_strlcpy(out->user, u.name, sizeof(out->user));
		kj_strlcpy(out->created_at, now, sizeof(out->created_at));
		kj_strlcpy(out->expires_at, expires, sizeof(out->expires_at));
	}
	snprintf(state, sizeof(state), "{\"id\":\"%s\",\"scope\":\"%s\",\"expires_at\":\"%s\",\"user\":\"%s\"}", uuid,
		 scope, expires, u.name);
	r = kj_auditlog_append(ctx, "token", uuid, u.org_id, "token.create", state);
out:
	kj_stmt_free(st);
	r = kj_tx_end(ctx, r);
	if (r != KJ_OK)
		sodium_memzero(out, sizeof(*out));
	return r;
}

kj_err
kj_token_resume(struct kj_ctx *ctx, const char *secret)
{
	struct kj_stmt *st = NULL;
	struct kj_user u;
	char digest[65], now[21], used[21];
	int64_t tid = 0;
	int row, read_only = 0;
	kj_err r;

	if (secret == NULL || strlen(secret) >= KJ_TOKEN_CHARS || strncmp(secret, "kj_", 3) != 0)
		return kj_failf(ctx, KJ_ERR_AUTH, "unknown or expired token");
	secret_digest(secret, digest);
	kj_time_format(kj_now(ctx), now);
	r = kj_db_prepare(ctx, "SELECT t.id, t.scope, t.used_at, u.id, u.name, u.org_id, u.role, u.disabled "
			       "FROM api_token t JOIN app_user u ON u.id = t.user_id "
			       "WHERE t.token_hash = ? AND t.revoked_at IS NULL AND t.expires_at > ?", &st);
	if (r != KJ_OK)
		return r;
	memset(&u, 0, sizeof(u));
	used[0] = '\0';
	if ((r = kj_stmt_bind_text(ctx, st, 1, digest)) == KJ_OK && (r = kj_stmt_bind_text(ctx, st, 2, now)) == KJ_OK &&
	    (r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row) {
		tid = kj_stmt_int(st, 0);
		read_only = strcmp(nz(kj_stmt_text(st, 1)), "read") == 0;
		kj_strlcpy(used, nz(kj_stmt_text(st, 2)), sizeof(used));
		u.id = kj_stmt_int(st, 3);
		kj_strlcpy(u.name, nz(kj_stmt_text(st, 4)), sizeof(u.name));
		u.org_id = kj_stmt_int(st, 5);
		u.role = kj_role_parse(kj_stmt_text(st, 6));
		u.disabled = (int)kj_stmt_int(st, 7);
	}
	kj_stmt_free(st);
	if (r != KJ_OK)
		return r;
	if (tid == 0 || u.disabled)
		return kj_failf(ctx, KJ_ERR_AUTH, "unknown or expired token");
	become(ctx, &u, read_only);
	ctx->who.token_id = tid;
	{
		char touch[21];

		kj_time_format(kj_now(ctx) - TOKEN_TOUCH_SECONDS, touch);
		if (strcmp(used, touch) < 0) {
			if (kj_db_prepare(ctx, "UPDATE api_token SET used_at = ? WHERE id = ?", &st) == KJ_OK &&
			    kj_stmt_bind_text(ctx, st, 1, now) == KJ_OK && kj_stmt_bind_int(ctx, st, 2, tid) == KJ_OK)
				kj_stmt_run(ctx, st);
			kj_stmt_free(st);
		}
	}
	return KJ_OK;
}

kj_err
kj_token_list(struct kj_ctx *ctx, const char *user, int (*fn)(void *arg, const struct kj_token *t),
	      void *arg)
{
	struct kj_stmt *st = NULL;
	struct kj_token t;
	struct kj_user u;
	int row;
	kj_err r;

	if (user == NULL && ctx->who.user_id == 0) {
		/* The local administrator sees every token. */
		r = kj_db_prepare(ctx, "SELECT " TOKEN_COLUMNS "ORDER BY t.id", &st);
	} else {
		if ((r = token_owner(ctx, user, &u)) != KJ_OK)
			return r;
		r = kj_db_prepare(ctx, "SELECT " TOKEN_COLUMNS "WHERE t.user_id = ? ORDER BY t.id", &st);
		if (r == KJ_OK)
			r = kj_stmt_bind_int(ctx, st, 1, u.id);
	}
	if (r != KJ_OK) {
		kj_stmt_free(st);
		return r;
	}
	while ((r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row) {
		read_token(st, &t);
		if (fn(arg, &t) != 0)
			break;
	}
	kj_stmt_free(st);
	return r;
}

kj_err
kj_token_revoke(struct kj_ctx *ctx, const char *uuid)
{
	struct kj_stmt *st = NULL;
	struct kj_token t;
	struct kj_user u;
	char now[21];
	int row;
	kj_err r;

	if ((r = kj_tx_begin(ctx)) != KJ_OK)
		return r;
	r = kj_db_prepare(ctx, "SELECT " TOKEN_COLUMNS "WHERE t.uuid = ?", &st);
	if (r == KJ_OK && (r = kj_stmt_bind_text(ctx, st, 1, uuid)) == KJ_OK && (r = kj_stmt_step(ctx, st, &row)) == KJ_OK) {
		if (row)
			read_token(st, &t);
		else
			r = kj_failf(ctx, KJ_ERR_NOT_FOUND, "no token %.40s", uuid);
	}
	kj_stmt_free(st);
	st = NULL;
	if (r != KJ_OK)
		goto out;
	if (ctx->who.user_id != 0 || ctx->who.role != KJ_ROLE_LOCAL_ADMIN) {
		struct kj_principal saved = ctx->who;

		/* Someone else's token is hidden unless the principal manages its account.
		 * Whether it does is asked as if the token could write: a read-only token
		 * would be refused by token_owner for every other account, and the token of
		 * an account it manages is visible to it, so that refusal must stay 403. */
		ctx->who.read_only = 0;
		r = token_owner(ctx, t.user, &u);
		ctx->who = saved;
		if (r == KJ_ERR_NOT_FOUND || r == KJ_ERR_DENIED) {
			r = kj_failf(ctx, KJ_ERR_NOT_FOUND, "no token %.40s", uuid);
			goto out;
		}
		if (r != KJ_OK)
			goto out;
		if (ctx->who.read_only) {
			r = kj_failf(ctx, KJ_ERR_DENIED, "not allowed with a read-only token");
			goto out;
		}
	} else if ((r = user_by(ctx, "WHERE u.name = ?", t.user, 0, &u)) != KJ_OK) {
		goto out;
	}
	kj_time_format(kj_now(ctx), now);
	r = kj_db_prepare(ctx, "UPDATE api_token SET revoked_at = ? WHERE uuid = ? AND revoked_at IS NULL", &st);
	if (r == KJ_OK && (r = kj_stmt_bind_text(ctx, st, 1, now)) == KJ_OK &&
	    (r = kj_stmt_bind_text(ctx, st, 2, uuid)) == KJ_OK)
		r = kj_stmt_run(ctx, st);
	if (r == KJ_OK)
		r = kj_auditlog_append(ctx, "token", uuid, u.org_id, "token.revoke", "{}");
out:
	kj_stmt_free(st);
	return kj_tx_end(ctx, r);
}

kj_err
kj_engagement_create(struct kj_ctx *ctx, const char *user, const char *org, const char *from,
		     const char *to, char uuid_out[37])
{
	struct kj_stmt *st = NULL;
	struct kj_user u;
	struct kj_org o;
	char now[21], state[256];
	kj_err r;

	if ((r = kj_access_require(ctx, KJ_PERM_ENGAGEMENT_WRITE, 0)) != KJ_OK)
		return r;
	if (from == NULL || to == NULL || !kj_date_valid(from) || !kj_date_valid(to) || strcmp(from, to) > 0)
		return kj_failf(ctx, KJ_ERR_INVALID, "from, to: expected two dates YYYY-MM-DD, from not after to");
	if ((r = kj_tx_begin(ctx)) != KJ_OK)
		return r;
	if ((r = kj_user_get(ctx, user, &u)) != KJ_OK || (r = kj_org_get(ctx, org, &o)) != KJ_OK)
		goto out;
	if (u.role != KJ_ROLE_EXTERNAL_AUDITOR) {
		r = kj_failf(ctx, KJ_ERR_INVALID, "user: %s is not an external auditor", u.name);
		goto out;
	}
	kj_uuid_v4(uuid_out);
	kj_time_format(kj_now(ctx), now);
	r = kj_db_prepare(ctx, "INSERT INTO engagement (uuid, user_id, org_id, valid_from, valid_to, created_at) "
			       "VALUES (?, ?, ?, ?, ?, ?)", &st);
	if (r == KJ_OK && (r = kj_stmt_bind_text(ctx, st, 1, uuid_out)) == KJ_OK &&
	    (r = kj_stmt_bind_int(ctx, st, 2, u.id)) == KJ_OK && (r = kj_stmt_bind_int(ctx, st, 3, o.id)) == KJ_OK &&
	    (r = kj_stmt_bind_text(ctx, st, 4, from)) == KJ_OK && (r = kj_stmt_bind_text(ctx, st, 5, to)) == KJ_OK &&
	    (r = kj_stmt_bind_text(ctx, st, 6, now)) == KJ_OK)
		r = kj_stmt_run(ctx, st);
	snprintf(state, sizeof(state), "{\"user\":\"%s\",\"org\":\"%s\",\"from\":\"%s\",\"to\":\"%s\"}", u.name,
		 o.code, from, to);
	if (r == KJ_OK)
		r = kj_auditlog_append(ctx, "engagement", uuid_out, o.id, "engagement.create", state);
out:
	kj_stmt_free(st);
	return kj_tx_end(ctx, r);
}
