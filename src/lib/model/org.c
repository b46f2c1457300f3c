/*
 * org.c: organisations and their history (org.h).
 *
 * Owns the tables org and org_history. Every change runs in one transaction with its
 * audit record. The current state is the org row; a change first copies the state it
 * ends into org_history with the dates it was in force.
 */
#include "org.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "../base/util.h"
#include "../db/db.h"
#include "access.h"
#include "auditlog.h"
#include "state.h"

static const char *const kinds[] = {"centre", "ministry", "bureau", "division", "agency",
				    "corporation", NULL};

#define ORG_COLUMNS                                                                        \
	"o.id, o.uuid, o.kind, o.code, o.name_ja, o.name_en, o.parent_id, o.supervisor_id, " \
	"o.successor_id, o.valid_from, o.valid_to, o.state_from, o.version, p.code, s.code, " \
	"x.code FROM org o LEFT JOIN org p ON p.id = o.parent_id "                           \
	"LEFT JOIN org s ON s.id = o.supervisor_id LEFT JOIN org x ON x.id = o.successor_id "

static int64_t tree_parent(const struct kj_org *o);

int
kj_org_kind_valid(const char *kind)
{
	const char *const *k;

	if (kind == NULL)
		return 0;
	for (k = kinds; *k != NULL; k++) {
		if (strcmp(*k, kind) == 0)
			return 1;
	}
	return 0;
}

static const char *
or_empty(const char *s)
{
	return s != NULL ? s : "";
}

static void
read_org(struct kj_stmt *st, struct kj_org *o)
{
	memset(o, 0, sizeof(*o));
	o->id = kj_stmt_int(st, 0);
	kj_strlcpy(o->uuid, or_empty(kj_stmt_text(st, 1)), sizeof(o->uuid));
	kj_strlcpy(o->kind, or_empty(kj_stmt_text(st, 2)), sizeof(o->kind));
	kj_strlcpy(o->code, or_empty(kj_stmt_text(st, 3)), sizeof(o->code));
	kj_strlcpy(o->name_ja, or_empty(kj_stmt_text(st, 4)), sizeof(o->name_ja));
	kj_strlcpy(o->name_en, or_empty(kj_stmt_text(st, 5)), sizeof(o->name_en));
	o->parent_id = kj_stmt_int(st, 6);
	o->supervisor_id = kj_stmt_int(st, 7);
	o->successor_id = kj_stmt_int(st, 8);
	kj_strlcpy(o->valid_from, or_empty(kj_stmt_text(st, 9)), sizeof(o->valid_from));
	kj_strlcpy(o->valid_to, or_empty(kj_stmt_text(st, 10)), sizeof(o->valid_to));
	kj_strlcpy(o->state_from, or_empty(kj_stmt_text(st, 11)), sizeof(o->state_from));
	o->version = kj_stmt_int(st, 12);
	kj_strlcpy(o->parent_code, or_empty(kj_stmt_text(st, 13)), sizeof(o->parent_code));
	kj_strlcpy(o->supervisor_code, or_empty(kj_stmt_text(st, 14)), sizeof(o->supervisor_code));
	kj_strlcpy(o->successor_code, or_empty(kj_stmt_text(st, 15)), sizeof(o->successor_code));
}

static kj_err
get_where(struct kj_ctx *ctx, const char *where, int64_t id, const char *code, struct kj_org *out)
{
	char sql[1024];
	struct kj_stmt *st = NULL;
	int row;
	kj_err r;

	snprintf(sql, sizeof(sql), "SELECT " ORG_COLUMNS "%s", where);
	if ((r = kj_db_prepare(ctx, sql, &st)) != KJ_OK)
		return r;
	r = code != NULL ? kj_stmt_bind_text(ctx, st, 1, code) : kj_stmt_bind_int(ctx, st, 1, id);
	if (r == KJ_OK)
		r = kj_stmt_step(ctx, st, &row);
	if (r == KJ_OK && !row)
		r = code != NULL ? kj_failf(ctx, KJ_ERR_NOT_FOUND, "no organisation with code \"%.64s\"", code)
				 : kj_failf(ctx, KJ_ERR_NOT_FOUND, "no organisation with id %" PRId64, id);
	if (r == KJ_OK)
		read_org(st, out);
	kj_stmt_free(st);
	return r;
}

kj_err
kj_org_get(struct kj_ctx *ctx, const char *code, struct kj_org *out)
{
	kj_err r;

	r = get_where(ctx,
		      "WHERE o.code = ? ORDER BY CASE WHEN o.valid_to IS NULL THEN 0 ELSE 1 END, "
		      "o.valid_to DESC LIMIT 1",
		      0, code, out);
	if (r != KJ_OK)
		return r;
	if (kj_access_require(ctx, KJ_PERM_ORG_READ, out->id) != KJ_OK)
		return kj_failf(ctx, KJ_ERR_NOT_FOUND, "no organisation with code \"%.64s\"", code);
	return KJ_OK;
}

static kj_err
get_live(struct kj_ctx *ctx, const char *code, const char *what, struct kj_org *out)
{
	kj_err r = get_where(ctx, "WHERE o.code = ? AND o.valid_to IS NULL", 0, code, out);

	if (r == KJ_OK && kj_access_require(ctx, KJ_PERM_ORG_READ, out->id) != KJ_OK)
		r = KJ_ERR_NOT_FOUND;	/* out of scope reads as absent */
	if (r == KJ_ERR_NOT_FOUND)
		return kj_failf(ctx, r, "%s: no organisation in existence with code \"%.64s\"", what, code);
	return r;
}

json_t *
kj_org_to_json(const struct kj_org *o)
{
	json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I}", "id", o->uuid, "kind",
			      o->kind, "code", o->code, "name_ja", o->name_ja, "name_en", o->name_en,
			      "valid_from", o->valid_from, "state_from", o->state_from, "version",
			      (json_int_t)o->version);

	if (j == NULL)
		return NULL;
	json_object_set_new(j, "parent", o->parent_code[0] ? json_string(o->parent_code) : json_null());
	json_object_set_new(j, "supervisor",
			    o->supervisor_code[0] ? json_string(o->supervisor_code) : json_null());
	json_object_set_new(j, "valid_to", o->valid_to[0] ? json_string(o->valid_to) : json_null());
	if (o->successor_code[0])
		json_object_set_new(j, "successor", json_string(o->successor_code));
	return j;
}

/* The record carries the organisation's canonical state, read back from its row (state.h). */
static kj_err
audit(struct kj_ctx *ctx, const char *op, const struct kj_org *o)
{
	return kj_state_log(ctx, KJ_STATE_ORG, o->uuid, op);
}

static int
code_valid(const char *s)
{
	return kj_code_ok(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-", 32);
}

static kj_err
check_name(struct kj_ctx *ctx, const char *field, const char *s)
{
	if (s == NULL || *s == '\0')
		return kj_failf(ctx, KJ_ERR_INVALID, "%s: required", field);
	if (strlen(s) > KJ_MAX_ORG_NAME_BYTES)
		return kj_failf(ctx, KJ_ERR_TOO_LARGE, "%s: longer than %d bytes", field,
				KJ_MAX_ORG_NAME_BYTES);
	if (!kj_utf8_valid(s, strlen(s)))
		return kj_failf(ctx, KJ_ERR_INVALID, "%s: not valid UTF-8", field);
	return KJ_OK;
}

static kj_err
check_date(struct kj_ctx *ctx, const char *field, const char *in, char out[11])
{
	if (in == NULL) {
		kj_date_format(kj_now(ctx), out);
		return KJ_OK;
	}
	if (!kj_date_valid(in))
		return kj_failf(ctx, KJ_ERR_INVALID, "%s: \"%.40s\" is not a date (expected YYYY-MM-DD)",
				field, in);
	kj_strlcpy(out, in, 11);
	return KJ_OK;
}

/* Which parent kinds each kind may have ("" for none). Agencies and corporations stand
 * outside the ministries' trees; their link to a ministry is the supervisor. */
static kj_err
check_place(struct kj_ctx *ctx, const char *kind, const struct kj_org *parent,
	    const struct kj_org *supervisor)
{
	int top = strcmp(kind, "centre") == 0 || strcmp(kind, "ministry") == 0 ||
		  strcmp(kind, "agency") == 0 || strcmp(kind, "corporation") == 0;
	int supervised = strcmp(kind, "agency") == 0 || strcmp(kind, "corporation") == 0;

	if (top && parent != NULL)
		return kj_failf(ctx, KJ_ERR_INVALID, "parent: a %s has no parent%s", kind,
				supervised ? " (name its supervising ministry with supervisor)" : "");
	if (!top && parent == NULL)
		return kj_failf(ctx, KJ_ERR_INVALID, "parent: a %s needs a parent organisation", kind);
	if (parent != NULL && strcmp(kind, "bureau") == 0 &&
	    (strcmp(parent->kind, "bureau") == 0 || strcmp(parent->kind, "division") == 0))
		return kj_failf(ctx, KJ_ERR_INVALID,
				"parent: a bureau sits under a ministry, the centre or an agency, not under a %s",
				parent->kind);
	if (supervised && supervisor == NULL)
		return kj_failf(ctx, KJ_ERR_INVALID, "supervisor: a %s needs its supervising ministry", kind);
	if (!supervised && supervisor != NULL)
		return kj_failf(ctx, KJ_ERR_INVALID,
				"supervisor: only agencies and corporations have a supervising ministry");
	if (supervisor != NULL && strcmp(supervisor->kind, "ministry") != 0 &&
	    strcmp(supervisor->kind, "centre") != 0)
		return kj_failf(ctx, KJ_ERR_INVALID,
				"supervisor: %s is a %s; the supervisor must be a ministry", supervisor->code,
				supervisor->kind);
	return KJ_OK;
}

kj_err
kj_org_create(struct kj_ctx *ctx, const struct kj_org_new *in, struct kj_org *out)
{
	struct kj_org parent, supervisor, created;
	struct kj_stmt *st = NULL;
	char uuid[37], from[11], now[21];
	int64_t id;
	int row, depth = 0;
	kj_err r;

	if (!kj_org_kind_valid(in->kind))
		return kj_failf(ctx, KJ_ERR_INVALID,
				"kind: \"%.40s\" is not an organisation kind (expected centre, ministry, "
				"bureau, division, agency or corporation)", in->kind ? in->kind : "");
	if (!code_valid(in->code))
		return kj_failf(ctx, KJ_ERR_INVALID,
				"code: \"%.40s\" is not a code (expected 1 to 32 of A-Z a-z 0-9 _ -, not beginning with -)",
				in->code ? in->code : "");
	if ((r = check_name(ctx, "name_ja", in->name_ja)) != KJ_OK ||
	    (r = check_name(ctx, "name_en", in->name_en)) != KJ_OK ||
	    (r = check_date(ctx, "valid_from", in->valid_from, from)) != KJ_OK)
		return r;
	if (in->uuid != NULL && !kj_uuid_valid(in->uuid))
		return kj_failf(ctx, KJ_ERR_INVALID, "id: \"%.40s\" is not a UUID", in->uuid);

	if ((r = kj_tx_begin(ctx)) != KJ_OK)
		return r;
	if (in->parent != NULL && *in->parent != '\0') {
		if ((r = get_live(ctx, in->parent, "parent", &parent)) != KJ_OK)
			goto out;
		for (int64_t a = parent.parent_id; a != 0 && depth <= KJ_MAX_ORG_DEPTH; depth++) {
			struct kj_org up;

			if ((r = get_where(ctx, "WHERE o.id = ?", a, NULL, &up)) != KJ_OK)
				goto out;
			a = up.parent_id;
		}
		if (depth >= KJ_MAX_ORG_DEPTH - 1) {
			r = kj_failf(ctx, KJ_ERR_TOO_LARGE, "parent: the tree would be deeper than %d levels",
				     KJ_MAX_ORG_DEPTH);
			goto out;
		}
	}
	if (in->supervisor != NULL && *in->supervisor != '\0' &&
	    (r = get_live(ctx, in->supervisor, "supervisor", &supervisor)) != KJ_OK)
		goto out;
	r = check_place(ctx, in->kind, in->parent && *in->parent ? &parent : NULL,
			in->supervisor && *in->supervisor ? &supervisor : NULL);
	if (r != KJ_OK)
		goto out;
	/* Units go under an organisation in scope; top-level organisations and
	 * supervision are the centre's. */
	if (in->parent != NULL && *in->parent != '\0')
		r = kj_access_require(ctx, KJ_PERM_ORG_WRITE, parent.id);
	else
		r = kj_access_require(ctx, KJ_PERM_ORG_TOP, 0);
	if (r == KJ_OK && in->supervisor != NULL && *in->supervisor != '\0')
		r = kj_access_require(ctx, KJ_PERM_ORG_TOP, 0);
	if (r != KJ_OK)
		goto out;

	if (in->uuid != NULL)
		kj_strlcpy(uuid, in->uuid, sizeof(uuid));
	else
		kj_uuid_v4(uuid);
	kj_time_format(kj_now(ctx), now);
	r = kj_db_prepare(ctx, "INSERT INTO org (uuid, kind, code, name_ja, name_en, parent_id, "
			       "supervisor_id, valid_from, state_from, created_at, updated_at) "
			       "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id", &st);
	if (r != KJ_OK)
		goto out;
	if ((r = kj_stmt_bind_text(ctx, st, 1, uuid)) != KJ_OK ||
	    (r = kj_stmt_bind_text(ctx, st, 2, in->kind)) != KJ_OK ||
	    (r = kj_stmt_bind_text(ctx, st, 3, in->code)) != KJ_OK ||
	    (r = kj_stmt_bind_text(ctx, st, 4, in->name_ja)) != KJ_OK ||
	    (r = kj_stmt_bind_text(ctx, st, 5, in->name_en)) != KJ_OK)
		goto out;
	r = in->parent && *in->parent ? kj_stmt_bind_int(ctx, st, 6, parent.id) : kj_stmt_bind_null(ctx, st, 6);
	if (r != KJ_OK)
		goto out;
	r = in->supervisor && *in->supervisor ? kj_stmt_bind_int(ctx, st, 7, supervisor.id)
					      : kj_stmt_bind_null(ctx, st, 7);
	if (r != KJ_OK ||
	    (r = kj_stmt_bind_text(ctx, st, 8, from)) != KJ_OK ||
	    (r = kj_stmt_bind_text(ctx, st, 9, from)) != KJ_OK ||
	    (r = kj_stmt_bind_text(ctx, st, 10, now)) != KJ_OK ||
	    (r = kj_stmt_bind_text(ctx, st, 11, now)) != KJ_OK)
		goto out;
	r = kj_stmt_step(ctx, st, &row);
	if (r == KJ_ERR_EXISTS) {
		r = kj_failf(ctx, KJ_ERR_EXISTS, "code: an organisation with code \"%s\" already exists",
			     in->code);
		goto out;
	}
	if (r != KJ_OK)
		goto out;
	id = kj_stmt_int(st, 0);
	kj_stmt_free(st);
	st = NULL;
	if ((r = get_where(ctx, "WHERE o.id = ?", id, NULL, &created)) != KJ_OK)
		goto out;
	if ((r = audit(ctx, "org.create", &created)) != KJ_OK)
		goto out;
	if (out != NULL)
		*out = created;
out:
	kj_stmt_free(st);
	return kj_tx_end(ctx, r);
}

/* Copies the state that ends on the day before date into the history, and checks that
 * the change comes after the state began. */
static kj_err
close_state(struct kj_ctx *ctx, const struct kj_org *o, const char *change, const char *date)
{
	struct kj_stmt *st = NULL;
	char last[11], now[21];
	kj_err r;

	if (strcmp(date, o->state_from) <= 0)
		return kj_failf(ctx, KJ_ERR_INVALID,
				"date: %s must come after %s, when the current state of %s began", date,
				o->state_from, o->code);
	kj_date_add_days(date, -1, last);
	kj_time_format(kj_now(ctx), now);
	r = kj_db_prepare(ctx, "INSERT INTO org_history (org_id, change, valid_from, valid_to, code, "
			       "name_ja, name_en, parent_id, supervisor_id, recorded_at) "
			       "SELECT id, ?, state_from, ?, code, name_ja, name_en, parent_id, "
			       "supervisor_id, ? FROM org WHERE id = ?", &st);
	if (r != KJ_OK)
		return r;
	if ((r = kj_stmt_bind_text(ctx, st, 1, change)) == KJ_OK &&
	    (r = kj_stmt_bind_text(ctx, st, 2, last)) == KJ_OK &&
	    (r = kj_stmt_bind_text(ctx, st, 3, now)) == KJ_OK &&
	    (r = kj_stmt_bind_int(ctx, st, 4, o->id)) == KJ_OK)
		r = kj_stmt_run(ctx, st);
	kj_stmt_free(st);
	return r;
}

static kj_err
finish_change(struct kj_ctx *ctx, int64_t id, const char *op, struct kj_org *out)
{
	struct kj_org o;
	kj_err r;

	if ((r = get_where(ctx, "WHERE o.id = ?", id, NULL, &o)) != KJ_OK)
		return r;
	if ((r = audit(ctx, op, &o)) != KJ_OK)
		return r;
	if (out != NULL)
		*out = o;
	return KJ_OK;
}

kj_err
kj_org_rename(struct kj_ctx *ctx, const char *code, const char *new_code, const char *name_ja,
	      const char *name_en, const char *date, struct kj_org *out)
{
	struct kj_org o;
	struct kj_stmt *st = NULL;
	char day[11], now[21];
	kj_err r;

	if (new_code == NULL && name_ja == NULL && name_en == NULL)
		return kj_failf(ctx, KJ_ERR_USAGE, "nothing to change: give a new code or name");
	if (new_code != NULL && !code_valid(new_code))
		return kj_failf(ctx, KJ_ERR_INVALID,
				"code: \"%.40s\" is not a code (expected 1 to 32 of A-Z a-z 0-9 _ -, not beginning with -)", new_code);
	if ((name_ja != NULL && (r = check_name(ctx, "name_ja", name_ja)) != KJ_OK) ||
	    (name_en != NULL && (r = check_name(ctx, "name_en", name_en)) != KJ_OK) ||
	    (r = check_date(ctx, "date", date, day)) != KJ_OK)
		return r;
	if ((r = kj_tx_begin(ctx)) != KJ_OK)
		return r;
	if ((r = get_live(ctx, code, "code", &o)) != KJ_OK)
		goto out;
	if ((r = kj_access_require(ctx, KJ_PERM_ORG_CHANGE, o.id)) != KJ_OK)
		goto out;
	if ((r = close_state(ctx, &o, "rename", day)) != KJ_OK)
		goto out;
	kj_time_format(kj_now(ctx), now);
	r = kj_db_prepare(ctx, "UPDATE org SET code = ?, name_ja = ?, name_en = ?, state_from = ?, "
			       "version = version + 1, updated_at = ? WHERE id = ?", &st);
	if (r != KJ_OK)
		goto out;
	if ((r = kj_stmt_bind_text(ctx, st, 1, new_code ? new_code : o.code)) != KJ_OK ||
	    (r = kj_stmt_bind_text(ctx, st, 2, name_ja ? name_ja : o.name_ja)) != KJ_OK ||
	    (r = kj_stmt_bind_text(ctx, st, 3, name_en ? name_en : o.name_en)) != KJ_OK ||
	    (r = kj_stmt_bind_text(ctx, st, 4, day)) != KJ_OK ||
	    (r = kj_stmt_bind_text(ctx, st, 5, now)) != KJ_OK ||
	    (r = kj_stmt_bind_int(ctx, st, 6, o.id)) != KJ_OK)
		goto out;
	r = kj_stmt_run(ctx, st);
	if (r == KJ_ERR_EXISTS)
		r = kj_failf(ctx, r, "code: an organisation with code \"%s\" already exists", new_code);
	if (r == KJ_OK)
		r = finish_change(ctx, o.id, "org.rename", out);
out:
	kj_stmt_free(st);
	return kj_tx_end(ctx, r);
}

kj_err
kj_org_move(struct kj_ctx *ctx, const char *code, const char *parent, const char *supervisor,
	    const char *date, struct kj_org *out)
{
	struct kj_org o, p, s;
	struct kj_stmt *st = NULL;
	char day[11], now[21];
	int64_t parent_id, supervisor_id;
	int has_p, has_s;
	kj_err r;

	if (parent == NULL && supervisor == NULL)
		return kj_failf(ctx, KJ_ERR_USAGE, "nothing to change: give a new parent or supervisor");
	if ((r = check_date(ctx, "date", date, day)) != KJ_OK)
		return r;
	if ((r = kj_tx_begin(ctx)) != KJ_OK)
		return r;
	if ((r = get_live(ctx, code, "code", &o)) != KJ_OK)
		goto out;
	if ((r = kj_access_require(ctx, KJ_PERM_ORG_CHANGE, o.id)) != KJ_OK)
		goto out;
	parent_id = o.parent_id;
	supervisor_id = o.supervisor_id;
	if (parent != NULL) {
		parent_id = 0;
		if (*parent != '\0') {
			int64_t a;
			int depth = 0;

			if ((r = get_live(ctx, parent, "parent", &p)) != KJ_OK)
				goto out;
			/* The new parent must not be the organisation or anything under it. */
			for (a = p.id; a != 0; depth++) {
				struct kj_org up;

				if (a == o.id || depth > KJ_MAX_ORG_DEPTH) {
					r = kj_failf(ctx, KJ_ERR_INVALID,
						     "parent: %s is %s or under it; moving there would make a cycle",
						     p.code, o.code);
					goto out;
				}
				if ((r = get_where(ctx, "WHERE o.id = ?", a, NULL, &up)) != KJ_OK)
					goto out;
				a = up.parent_id;
			}
			parent_id = p.id;
		}
	}
	if (supervisor != NULL) {
		supervisor_id = 0;
		if (*supervisor != '\0') {
			if ((r = get_live(ctx, supervisor, "supervisor", &s)) != KJ_OK)
				goto out;
			supervisor_id = s.id;
		}
	}
	has_p = parent_id != 0;
	has_s = supervisor_id != 0;
	if (has_p && parent == NULL && (r = get_where(ctx, "WHERE o.id = ?", parent_id, NULL, &p)) != KJ_OK)
		goto out;
	if (has_s && supervisor == NULL &&
	    (r = get_where(ctx, "WHERE o.id = ?", supervisor_id, NULL, &s)) != KJ_OK)
		goto out;
	if ((r = check_place(ctx, o.kind, has_p ? &p : NULL, has_s ? &s : NULL)) != KJ_OK)
		goto out;
	if (parent != NULL)
		r = has_p ? kj_access_require(ctx, KJ_PERM_ORG_WRITE, parent_id)
			  : kj_access_require(ctx, KJ_PERM_ORG_TOP, 0);
	if (r == KJ_OK && supervisor != NULL)
		r = kj_access_require(ctx, KJ_PERM_ORG_TOP, 0);
	if (r != KJ_OK)
		goto out;
	if ((r = close_state(ctx, &o, "move", day)) != KJ_OK)
		goto out;
	kj_time_format(kj_now(ctx), now);
	r = kj_db_prepare(ctx, "UPDATE org SET parent_id = ?, supervisor_id = ?, state_from = ?, "
			       "version = version + 1, updated_at = ? WHERE id = ?", &st);
	if (r != KJ_OK)
		goto out;
	r = has_p ? kj_stmt_bind_int(ctx, st, 1, parent_id) : kj_stmt_bind_null(ctx, st, 1);
	if (r == KJ_OK)
		r = has_s ? kj_stmt_bind_int(ctx, st, 2, supervisor_id) : kj_stmt_bind_null(ctx, st, 2);
	if (r != KJ_OK || (r = kj_stmt_bind_text(ctx, st, 3, day)) != KJ_OK ||
	    (r = kj_stmt_bind_text(ctx, st, 4, now)) != KJ_OK ||
	    (r = kj_stmt_bind_int(ctx, st, 5, o.id)) != KJ_OK || (r = kj_stmt_run(ctx, st)) != KJ_OK)
		goto out;
	r = finish_change(ctx, o.id, "org.move", out);
out:
	kj_stmt_free(st);
	return kj_tx_end(ctx, r);
}

static kj_err
count_live_dependants(struct kj_ctx *ctx, int64_t id, int64_t *n_out)
{
	struct kj_stmt *st = NULL;
	int row;
	kj_err r;

	r = kj_db_prepare(ctx, "SELECT COUNT(*) FROM org WHERE valid_to IS NULL AND "
			       "(parent_id = ? OR supervisor_id = ?)", &st);
	if (r != KJ_OK)
		return r;
	if ((r = kj_stmt_bind_int(ctx, st, 1, id)) == KJ_OK &&
	    (r = kj_stmt_bind_int(ctx, st, 2, id)) == KJ_OK &&
	    (r = kj_stmt_step(ctx, st, &row)) == KJ_OK)
		*n_out = row ? kj_stmt_int(st, 0) : 0;
	kj_stmt_free(st);
	return r;
}

kj_err
kj_org_abolish(struct kj_ctx *ctx, const char *code, const char *date, const char *successor,
	       struct kj_org *out)
{
	struct kj_org o, succ;
	struct kj_stmt *st = NULL;
	char day[11], last[11], now[21];
	int64_t n = 0;
	kj_err r;

	if ((r = check_date(ctx, "date", date, day)) != KJ_OK)
		return r;
	if ((r = kj_tx_begin(ctx)) != KJ_OK)
		return r;
	if ((r = get_live(ctx, code, "code", &o)) != KJ_OK)
		goto out;
	if ((r = kj_access_require(ctx, KJ_PERM_ORG_CHANGE, o.id)) != KJ_OK)
		goto out;
	if (successor != NULL) {
		if ((r = get_live(ctx, successor, "successor", &succ)) != KJ_OK)
			goto out;
		if (succ.id == o.id) {
			r = kj_failf(ctx, KJ_ERR_INVALID, "successor: an organisation cannot succeed itself");
			goto out;
		}
	}
	if (strcmp(day, o.state_from) <= 0) {
		r = kj_failf(ctx, KJ_ERR_INVALID, "date: %s must come after %s, when %s took its current form",
			     day, o.state_from, o.code);
		goto out;
	}
	if ((r = count_live_dependants(ctx, o.id, &n)) != KJ_OK)
		goto out;
	if (n > 0) {
		r = kj_failf(ctx, KJ_ERR_INVALID,
			     "%s still has %" PRId64 " unit(s) or supervised organisation(s); move or "
			     "abolish them first", o.code, n);
		goto out;
	}
	kj_date_add_days(day, -1, last);
	kj_time_format(kj_now(ctx), now);
	r = kj_db_prepare(ctx, "UPDATE org SET valid_to = ?, successor_id = ?, version = version + 1, "
			       "updated_at = ? WHERE id = ?", &st);
	if (r != KJ_OK)
		goto out;
	if ((r = kj_stmt_bind_text(ctx, st, 1, last)) != KJ_OK)
		goto out;
	r = successor != NULL ? kj_stmt_bind_int(ctx, st, 2, succ.id) : kj_stmt_bind_null(ctx, st, 2);
	if (r != KJ_OK || (r = kj_stmt_bind_text(ctx, st, 3, now)) != KJ_OK ||
	    (r = kj_stmt_bind_int(ctx, st, 4, o.id)) != KJ_OK || (r = kj_stmt_run(ctx, st)) != KJ_OK)
		goto out;
	r = finish_change(ctx, o.id, "org.abolish", out);
out:
	kj_stmt_free(st);
	return kj_tx_end(ctx, r);
}

void
kj_org_list_free(struct kj_org_list *l)
{
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/* Tree order: children of each node sorted by kind rank and code, depth first. The whole
 * table is read once; a government has thousands of units, not millions. */
static int
kind_rank(const char *k)
{
	static const char *const order[] = {"centre", "ministry", "bureau", "division", "agency",
					    "corporation", NULL};
	int i;

	for (i = 0; order[i] != NULL; i++) {
		if (strcmp(order[i], k) == 0)
			return i;
	}
	return i;
}

static int
cmp_org(const void *a, const void *b)
{
	const struct kj_org *x = a, *y = b;
	int d = kind_rank(x->kind) - kind_rank(y->kind);

	return d != 0 ? d : strcmp(x->code, y->code);
}

static int64_t
tree_parent(const struct kj_org *o)
{
	return o->parent_id != 0 ? o->parent_id : o->supervisor_id;
}

/* Depth-first from all[idx], children in the order of all (kind rank, then code). */
static kj_err
walk(struct kj_ctx *ctx, struct kj_org *all, const long *first, const long *next, size_t idx,
     int depth, struct kj_org_list *out, size_t *cap)
{
	long c;

	if (depth > KJ_MAX_ORG_DEPTH * 2)
		return kj_failf(ctx, KJ_ERR_INTERNAL, "organisation tree deeper than expected");
	if (out->n == *cap) {
		struct kj_org *v;

		*cap = *cap ? *cap * 2 : 64;
		v = realloc(out->v, *cap * sizeof(*v));
		if (v == NULL)
			return kj_failf(ctx, KJ_ERR_NOMEM, "out of memory");
		out->v = v;
	}
	out->v[out->n] = all[idx];
	out->v[out->n].depth = depth;
	out->n++;
	for (c = first[idx]; c >= 0; c = next[c]) {
		kj_err r = walk(ctx, all, first, next, (size_t)c, depth + 1, out, cap);

		if (r != KJ_OK)
			return r;
	}
	return KJ_OK;
}

static int
cmp_id(const void *a, const void *b)
{
	const struct kj_org *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

/* all is sorted by id (the query orders it so). */
static const struct kj_org *
find_id(const struct kj_org *all, size_t n, int64_t id)
{
	struct kj_org key;

	key.id = id;
	return bsearch(&key, all, n, sizeof(*all), cmp_id);
}

/* Keeps in all[0..*n) (sorted by id) the organisations in the principal's scope, walking
 * each one's ancestors in memory. Filtering keeps the order. */
static kj_err
keep_visible(struct kj_ctx *ctx, struct kj_org *all, size_t *n)
{
	int64_t roots[64];
	size_t nroots = 0, i, k, w = 0;
	int sees_all = 0;
	char *keep;
	kj_err r;

	if ((r = kj_access_scope_roots(ctx, roots, 64, &nroots, &sees_all)) != KJ_OK)
		return r;
	if (sees_all)
		return KJ_OK;
	keep = calloc(*n + 1, 1);
	if (keep == NULL)
		return kj_failf(ctx, KJ_ERR_NOMEM, "out of memory");
	for (i = 0; i < *n; i++) {
		int64_t a = all[i].id;
		int depth = 0, yes = 0;

		while (a != 0 && !yes && depth++ <= 2 * KJ_MAX_ORG_DEPTH) {
			const struct kj_org *up;

			for (k = 0; k < nroots; k++)
				yes |= roots[k] == a;
			up = find_id(all, *n, a);
			a = up != NULL ? tree_parent(up) : 0;
		}
		keep[i] = (char)yes;
	}
	for (i = 0; i < *n; i++) {
		if (keep[i])
			all[w++] = all[i];
	}
	free(keep);
	*n = w;
	return KJ_OK;
}

kj_err
kj_org_list(struct kj_ctx *ctx, const char *root, int include_abolished, struct kj_org_list *out)
{
	struct kj_stmt *st = NULL;
	struct kj_org *all = NULL, *byid = NULL, rootorg;
	long *first = NULL, *next = NULL, *last = NULL;
	size_t n = 0, cap = 0, ocap = 0, i;
	int row;
	kj_err r;

	memset(out, 0, sizeof(*out));
	if ((r = kj_access_require(ctx, KJ_PERM_ORG_READ, 0)) != KJ_OK)
		return r;
	if (root != NULL && (r = kj_org_get(ctx, root, &rootorg)) != KJ_OK)
		return r;
	r = kj_db_prepare(ctx, "SELECT " ORG_COLUMNS "WHERE (? = 1 OR o.valid_to IS NULL) ORDER BY o.id", &st);
	if (r != KJ_OK)
		return r;
	if ((r = kj_stmt_bind_int(ctx, st, 1, include_abolished ? 1 : 0)) != KJ_OK)
		goto out;
	while ((r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row) {
		if (n == cap) {
			struct kj_org *v;

			cap = cap ? cap * 2 : 256;
			v = realloc(all, cap * sizeof(*v));
			if (v == NULL) {
				r = kj_failf(ctx, KJ_ERR_NOMEM, "out of memory");
				goto out;
			}
			all = v;
		}
		read_org(st, &all[n++]);
	}
	if (r != KJ_OK)
		goto out;
	if ((r = keep_visible(ctx, all, &n)) != KJ_OK)
		goto out;
	if (n > 0)
		qsort(all, n, sizeof(*all), cmp_org);
	first = malloc((n + 1) * sizeof(long));
	next = malloc((n + 1) * sizeof(long));
	last = malloc((n + 1) * sizeof(long));
	byid = malloc((n + 1) * sizeof(*byid));
	if (first == NULL || next == NULL || last == NULL || byid == NULL) {
		r = kj_failf(ctx, KJ_ERR_NOMEM, "out of memory");
		goto out;
	}
	/* An index by id (the position in all kept in depth) to find parents. */
	for (i = 0; i < n; i++) {
		first[i] = next[i] = last[i] = -1;
		byid[i] = all[i];
		byid[i].depth = (int)i;
	}
	qsort(byid, n, sizeof(*byid), cmp_id);
	for (i = 0; i < n; i++) {
		const struct kj_org *p = find_id(byid, n, tree_parent(&all[i]));
		long pi;

		if (p == NULL || p->id == all[i].id)
			continue;
		pi = p->depth;
		if (last[pi] < 0)
			first[pi] = (long)i;
		else
			next[last[pi]] = (long)i;
		last[pi] = (long)i;
	}
	for (i = 0; i < n && r == KJ_OK; i++) {
		const struct kj_org *p = find_id(byid, n, tree_parent(&all[i]));

		/* Roots: the asked-for organisation, or everything whose parent is not
		 * listed (the top, and units of abolished or out-of-scope parents). */
		if (root != NULL ? all[i].id == rootorg.id : p == NULL)
			r = walk(ctx, all, first, next, i, 0, out, &ocap);
	}
out:
	if (r != KJ_OK)
		kj_org_list_free(out);
	free(first);
	free(next);
	free(last);
	free(byid);
	free(all);
	kj_stmt_free(st);
	return r;
}

kj_err
kj_org_path(struct kj_ctx *ctx, const struct kj_org *org, char *buf, size_t size)
{
	char codes[KJ_MAX_ORG_DEPTH + 1][KJ_MAX_CODE_BYTES + 1];
	struct kj_org up;
	int64_t a = tree_parent(org);
	int n = 0, i;
	size_t len = 0;
	kj_err r;

	kj_strlcpy(codes[n++], org->code, sizeof(codes[0]));
	while (a != 0 && n <= KJ_MAX_ORG_DEPTH) {
		if ((r = get_where(ctx, "WHERE o.id = ?", a, NULL, &up)) != KJ_OK)
			return r;
		kj_strlcpy(codes[n++], up.code, sizeof(codes[0]));
		a = tree_parent(&up);
	}
	if (size == 0)
		return KJ_OK;
	buf[0] = '\0';
	for (i = n - 1; i >= 0; i--) {
		int w = snprintf(buf + len, size - len, "%s%s", i == n - 1 ? "" : " > ", codes[i]);

		if (w < 0 || (size_t)w >= size - len)
			break;
		len += (size_t)w;
	}
	return KJ_OK;
}

kj_err
kj_org_history(struct kj_ctx *ctx, const struct kj_org *org, struct kj_org_state **v_out,
	       size_t *n_out)
{
	struct kj_stmt *st = NULL;
	struct kj_org_state *v = NULL;
	size_t n = 0, cap = 0;
	int row;
	kj_err r;

	r = kj_db_prepare(ctx, "SELECT h.change, h.valid_from, h.valid_to, h.code, h.name_ja, "
			       "h.name_en, p.code, s.code FROM org_history h "
			       "LEFT JOIN org p ON p.id = h.parent_id LEFT JOIN org s ON s.id = h.supervisor_id "
			       "WHERE h.org_id = ? ORDER BY h.valid_from, h.id", &st);
	if (r != KJ_OK)
		return r;
	if ((r = kj_stmt_bind_int(ctx, st, 1, org->id)) != KJ_OK)
		goto out;
	while ((r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row) {
		struct kj_org_state *h;

		if (n == cap) {
			cap = cap ? cap * 2 : 8;
			h = realloc(v, cap * sizeof(*v));
			if (h == NULL) {
				r = kj_failf(ctx, KJ_ERR_NOMEM, "out of memory");
				goto out;
			}
			v = h;
		}
		h = &v[n++];
		kj_strlcpy(h->change, or_empty(kj_stmt_text(st, 0)), sizeof(h->change));
		kj_strlcpy(h->valid_from, or_empty(kj_stmt_text(st, 1)), sizeof(h->valid_from));
		kj_strlcpy(h->valid_to, or_empty(kj_stmt_text(st, 2)), sizeof(h->valid_to));
		kj_strlcpy(h->code, or_empty(kj_stmt_text(st, 3)), sizeof(h->code));
		kj_strlcpy(h->name_ja, or_empty(kj_stmt_text(st, 4)), sizeof(h->name_ja));
		kj_strlcpy(h->name_en, or_empty(kj_stmt_text(st, 5)), sizeof(h->name_en));
		kj_strlcpy(h->parent_code, or_empty(kj_stmt_text(st, 6)), sizeof(h->parent_code));
		kj_strlcpy(h->supervisor_code, or_empty(kj_stmt_text(st, 7)), sizeof(h->supervisor_code));
	}
out:
	kj_stmt_free(st);
	if (r != KJ_OK) {
		free(v);
		return r;
	}
	*v_out = v;
	*n_out = n;
	return KJ_OK;
}
