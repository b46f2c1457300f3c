/*
 * org.h: organisations. The centre, ministries and their bureaus and divisions form a tree
 * by parent; independent administrative agencies and designated corporations stand on
 * their own, each with a supervising ministry. Renames, moves and abolitions keep the
 * earlier states in a history with the dates each was in force.
 */
#ifndef KJ_ORG_H
#define KJ_ORG_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "../base/err.h"
#include "../base/limits.h"

struct kj_org {
	int64_t id;
	char uuid[37];
	char kind[16];
	char code[KJ_MAX_CODE_BYTES + 1];
	char name_ja[KJ_MAX_ORG_NAME_BYTES + 1];
	char name_en[KJ_MAX_ORG_NAME_BYTES + 1];
	int64_t parent_id, supervisor_id, successor_id;
	char parent_code[KJ_MAX_CODE_BYTES + 1];	/* "" when none */
	char supervisor_code[KJ_MAX_CODE_BYTES + 1];
	char successor_code[KJ_MAX_CODE_BYTES + 1];
	char valid_from[11], valid_to[11], state_from[11];	/* valid_to "" while it exists */
	int64_t version;
	int depth;		/* in a listing: 0 for the listing's roots */
};

struct kj_org_new {
	const char *kind;	/* centre, ministry, bureau, division, agency, corporation */
	const char *code;	/* [A-Za-z0-9_-], unique among organisations in existence */
	const char *name_ja, *name_en;
	const char *parent;	/* code, or NULL */
	const char *supervisor;	/* code of the supervising ministry: agencies and corporations */
	const char *valid_from;	/* YYYY-MM-DD, or NULL for today */
	const char *uuid;	/* public id to keep, or NULL for a new one */
};

/* 1 when kind names an organisation kind. */
int kj_org_kind_valid(const char *kind);

/* Adds an organisation. On success *out (may be NULL) holds it as stored. */
kj_err kj_org_create(struct kj_ctx *ctx, const struct kj_org_new *in, struct kj_org *out);

/* Finds by code: the one in existence, else the one abolished last. KJ_ERR_NOT_FOUND
 * when there is none. */
kj_err kj_org_get(struct kj_ctx *ctx, const char *code, struct kj_org *out);

/* Renames (new names; NULL keeps a name; new_code NULL keeps the code) from date on (NULL:
 * today). The state before is kept in the history. */
kj_err kj_org_rename(struct kj_ctx *ctx, const char *code, const char *new_code,
		     const char *name_ja, const char *name_en, const char *date, struct kj_org *out);

/* Moves under a new parent and/or supervisor. parent: code, "" for none, NULL to keep;
 * likewise supervisor. Refuses to make a cycle. */
kj_err kj_org_move(struct kj_ctx *ctx, const char *code, const char *parent,
		   const char *supervisor, const char *date, struct kj_org *out);

/* Abolishes from date on (its last day is the day before; NULL: today). successor (may
 * be NULL) names the organisation that takes over. Refuses while units under it or
 * agencies it supervises still exist. */
kj_err kj_org_abolish(struct kj_ctx *ctx, const char *code, const char *date,
		      const char *successor, struct kj_org *out);

struct kj_org_list {
	struct kj_org *v;
	size_t n;
};

/* The subtree under root (a code; NULL for the whole government), in tree order, each with
 * its depth. An organisation without a parent but with a supervisor (an agency) is listed
 * under its supervising ministry, so a ministry's subtree holds its units and the agencies
 * it supervises. Abolished organisations only with include_abolished. Free with
 * kj_org_list_free. */
kj_err kj_org_list(struct kj_ctx *ctx, const char *root, int include_abolished,
		   struct kj_org_list *out);
void kj_org_list_free(struct kj_org_list *l);

/* Writes the path from the top of the tree to org, codes joined by " > ". */
kj_err kj_org_path(struct kj_ctx *ctx, const struct kj_org *org, char *buf, size_t size);

struct kj_org_state {
	char change[16];
	char valid_from[11], valid_to[11];
	char code[KJ_MAX_CODE_BYTES + 1];
	char name_ja[KJ_MAX_ORG_NAME_BYTES + 1];
	char name_en[KJ_MAX_ORG_NAME_BYTES + 1];
	char parent_code[KJ_MAX_CODE_BYTES + 1];
	char supervisor_code[KJ_MAX_CODE_BYTES + 1];
};

/* The earlier states of org, oldest first. Free out->v with free(). */
kj_err kj_org_history(struct kj_ctx *ctx, const struct kj_org *org, struct kj_org_state **v_out,
		      size_t *n_out);

/* The organisation as JSON (a new reference). */
json_t *kj_org_to_json(const struct kj_org *org);

#endif
