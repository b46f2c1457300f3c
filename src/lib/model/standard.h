/*
 * standard.h: editions of the unified standard (or of any catalogue or baseline) and
 * their items: parts, sections, chapters, groups, requirements, example measures and
 * sub-items, or OSCAL families, controls and enhancements.
 *
 * An edition is read and written whole: importers build a struct kj_edition in memory and
 * kj_edition_store writes it in one transaction (all or nothing); exporters and the diff
 * load one with kj_edition_load. Strings live in the edition's arena.
 */
#ifndef KJ_STANDARD_H
#define KJ_STANDARD_H

#include <stddef.h>
#include <stdint.h>

#include "../base/arena.h"
#include "../base/err.h"

struct kj_item {
	int64_t id;		/* database id once stored or loaded */
	long parent;		/* index of the parent in the edition's items; -1 at the top */
	int depth;
	const char *kind;	/* see kj_item_kind_valid */
	const char *number;	/* unique within the edition */
	const char *title_ja, *title_en, *text_ja, *text_en;
	const char *level;	/* basic, enhanced, additional, or NULL */
	const char *role;	/* responsible role, or NULL */
	const char *applies_to;	/* JSON object, or NULL */
	const char *extra;	/* JSON object kept for export (OSCAL params, parts ...), or NULL */
	const char *parent_number; /* set by kj_item_get and kj_item_list only */
};

struct kj_corr {
	const char *old_number;	/* NULL: new in this edition */
	const char *new_number;	/* NULL: removed in this edition */
};

struct kj_edition {
	int64_t id;
	char uuid[37];
	const char *code;	/* short id used on the command line */
	const char *label_ja, *label_en;
	const char *decided_on, *effective_on;
	const char *supersedes;	/* code of the edition it replaces, or NULL */
	const char *source;	/* kijun, oscal-catalog, oscal-profile */
	const char *numbering;	/* JSON, or NULL */
	const char *extra;	/* JSON, or NULL */
	const char *imported_at;
	struct kj_item *items;	/* in document order: a parent comes before its children */
	size_t nitems, capitems;
	struct kj_corr *corr;
	size_t ncorr, capcorr;
	struct kj_arena arena;
};

void kj_edition_init(struct kj_edition *ed);
void kj_edition_free(struct kj_edition *ed);
/* Appends an item (its strings must already live in ed->arena or outlive ed) and returns
 * its index, or -1 when out of memory. */
long kj_edition_add_item(struct kj_edition *ed, const struct kj_item *it);
int kj_edition_add_corr(struct kj_edition *ed, const char *old_number, const char *new_number);
/* The index of the item with number, or -1. Linear; callers that look up many build an
 * index of their own. */
long kj_edition_find(const struct kj_edition *ed, const char *number);

/* 1 when kind is an item kind; kj_item_is_requirement says whether items of the kind are
 * things an organisation must meet (requirements, measures, sub-items, controls), as
 * opposed to headings. */
int kj_item_kind_valid(const char *kind);
int kj_item_is_requirement(const char *kind);

/* Checks an edition built by an importer: code, labels, dates, kinds, unique numbers,
 * numbering scheme, texts, limits, correspondence numbers. name names the source in
 * messages. */
kj_err kj_edition_validate(struct kj_ctx *ctx, const char *name, const struct kj_edition *ed);

/* Validates and writes ed in one transaction with its audit record; fills ed->id and each
 * item's id. Fails with KJ_ERR_EXISTS if an edition with its code or uuid exists. */
kj_err kj_edition_store(struct kj_ctx *ctx, const char *name, struct kj_edition *ed);

/* Loads the edition with code (or uuid) into ed (initialised by the caller). */
kj_err kj_edition_load(struct kj_ctx *ctx, const char *code, struct kj_edition *ed);

struct kj_item_filter {
	const char *kind;	/* NULL: all */
	const char *parent;	/* number of the parent: its direct children; "": the top level
				 * (items without a parent); NULL: all */
	const char *level, *role;
	const char *q;		/* a substring of number, title or text, either language */
	int64_t after;		/* document position (seq) to start after: a cursor */
	int limit;
};

/* Calls fn for the items of edition code that match f, in document order; each item's
 * parent index is -1, parent_number is set, and its document position (seq, for the
 * cursor) is passed. Strings are valid during the call only. */
kj_err kj_item_list(struct kj_ctx *ctx, const char *code, const struct kj_item_filter *f,
		    int (*fn)(void *arg, const struct kj_item *it, int64_t seq), void *arg);

/* One item by number, with the edition's header, into ed (initialised by the caller): the
 * item is ed->items[0], its children follow (parent 0). */
kj_err kj_item_get(struct kj_ctx *ctx, const char *code, const char *number, struct kj_edition *ed);

struct kj_edition_info {
	int64_t id;
	const char *uuid, *code, *label_ja, *label_en, *decided_on, *effective_on, *supersedes,
		*source, *imported_at;
	int64_t nitems, nrequirements;
};

/* Calls fn for every edition, oldest effective first. */
kj_err kj_edition_list(struct kj_ctx *ctx,
		       int (*fn)(void *arg, const struct kj_edition_info *e), void *arg);

#endif
