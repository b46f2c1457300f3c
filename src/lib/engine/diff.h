/*
 * diff.h: what changed between two editions of the standard.
 *
 * Requirements, example measures, sub-items and controls are compared; headings are not.
 * When the newer edition carries a correspondence table for the older (its supersedes
 * names the older, or --table forces it), the table decides what corresponds to what and
 * the texts decide whether it changed. Items the table does not mention, and every item
 * when there is no table, are matched by number, then by identical text, then by text
 * similarity (Dice coefficient over character bigrams, which works for Japanese and
 * English alike).
 */
#ifndef KJ_DIFF_H
#define KJ_DIFF_H

#include <stddef.h>

#include <jansson.h>

#include "../base/err.h"
#include "../model/standard.h"

enum kj_change {
	KJ_CHANGE_SAME = 0,
	KJ_CHANGE_CHANGED,	/* same number, different text */
	KJ_CHANGE_RENUMBERED,	/* different number (text_changed says whether the text moved too) */
	KJ_CHANGE_SPLIT,	/* one old item became several */
	KJ_CHANGE_MERGED,	/* several old items became one (or several) */
	KJ_CHANGE_ADDED,
	KJ_CHANGE_REMOVED,
	KJ_CHANGE_COUNT
};

const char *kj_change_name(enum kj_change c);

struct kj_diff_entry {
	enum kj_change kind;
	int text_changed;
	double similarity;	/* 1 for a table match with equal text; Dice otherwise */
	int from_table;
	size_t nold, nnew;
	long *old, *new_;	/* indexes into the editions' items */
	double order;		/* sort key: place in the newer edition */
};

struct kj_diff {
	struct kj_diff_entry *v;
	size_t n, cap;
	size_t count[KJ_CHANGE_COUNT];
	int used_table;
	size_t table_rows;
};

/* Compares old and new. use_table: 1 use the table when it applies, 0 never, 2 always
 * when there is one. Free with kj_diff_free. */
kj_err kj_diff_editions(struct kj_ctx *ctx, const struct kj_edition *old,
			const struct kj_edition *new_, int use_table, struct kj_diff *out);
void kj_diff_free(struct kj_diff *d);

/* The diff as JSON: {"old": code, "new": code, "table": bool, "counts": {...},
 * "changes": [{"change": ..., "old": [...], "new": [...], ...}]}. Same items only when
 * include_same. */
json_t *kj_diff_to_json(const struct kj_diff *d, const struct kj_edition *old,
			const struct kj_edition *new_, int include_same);

/* Dice similarity of two texts over character bigrams, in [0, 1]. */
double kj_text_similarity(const char *a, const char *b);

#endif
