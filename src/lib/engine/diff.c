/*
 * diff.c: the edition diff (diff.h).
 */
#include "diff.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../base/strmap.h"

#define SIMILAR_PAIR 0.6	/* one-to-one match by text when numbers differ */
#define CONTAINED 0.7		/* share of a part's bigrams found in the whole: split/merge */

static const char *const change_names[] = {"same",    "changed", "renumbered", "split",
					   "merged",  "added",   "removed"};

const char *
kj_change_name(enum kj_change c)
{
	return (unsigned)c < KJ_CHANGE_COUNT ? change_names[c] : "unknown";
}

/* ---- Bigram sets -------------------------------------------------------------------- */

struct bigrams {
	uint64_t *v;
	size_t n;
};

static uint32_t
next_cp(const unsigned char **s)
{
	const unsigned char *p = *s;
	uint32_t c = *p++;

	if (c >= 0xf0 && p[0] && p[1] && p[2]) {
		c = ((c & 7u) << 18) | ((p[0] & 63u) << 12) | ((p[1] & 63u) << 6) | (p[2] & 63u);
		p += 3;
	} else if (c >= 0xe0 && p[0] && p[1]) {
		c = ((c & 15u) << 12) | ((p[0] & 63u) << 6) | (p[1] & 63u);
		p += 2;
	} else if (c >= 0xc0 && p[0]) {
		c = ((c & 31u) << 6) | (p[0] & 63u);
		p += 1;
	}
	*s = p;
	return c;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Bigrams of code points, white space folded, ASCII lower-cased, as a sorted set. */
static int
bigrams_of(const char *text, struct bigrams *out)
{
	const unsigned char *s = (const unsigned char *)(text ? text : "");
	size_t len = strlen((const char *)s), n = 0, k, w;
	uint32_t prev = 0, c;
	int have = 0;

	out->v = malloc((len + 1) * sizeof(uint64_t));
	out->n = 0;
	if (out->v == NULL)
		return -1;
	while (*s != '\0') {
		c = next_cp(&s);
		if (c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == 0x3000)
			c = ' ';
		if (c >= 'A' && c <= 'Z')
			c += 'a' - 'A';
		if (c == ' ' && prev == ' ')
			continue;
		if (have)
			out->v[n++] = ((uint64_t)prev << 32) | c;
		prev = c;
		have = 1;
	}
	qsort(out->v, n, sizeof(uint64_t), cmp_u64);
	for (k = 0, w = 0; k < n; k++) {
		if (w == 0 || out->v[w - 1] != out->v[k])
			out->v[w++] = out->v[k];
	}
	out->n = w;
	return 0;
}

static size_t
common(const struct bigrams *a, const struct bigrams *b)
{
	size_t i = 0, j = 0, c = 0;

	while (i < a->n && j < b->n) {
		if (a->v[i] == b->v[j]) {
			c++;
			i++;
			j++;
		} else if (a->v[i] < b->v[j]) {
			i++;
		} else {
			j++;
		}
	}
	return c;
}

static double
dice(const struct bigrams *a, const struct bigrams *b)
{
	if (a->n + b->n == 0)
		return 1.0;
	return 2.0 * (double)common(a, b) / (double)(a->n + b->n);
}

/* How much of part lies within whole. */
static double
contained(const struct bigrams *part, const struct bigrams *whole)
{
	if (part->n == 0)
		return 0.0;
	return (double)common(part, whole) / (double)part->n;
}

double
kj_text_similarity(const char *a, const char *b)
{
	struct bigrams x, y;
	double d;

	if (bigrams_of(a, &x) != 0)
		return 0.0;
	if (bigrams_of(b, &y) != 0) {
		free(x.v);
		return 0.0;
	}
	d = dice(&x, &y);
	free(x.v);
	free(y.v);
	return d;
}

/* ---- Building the diff --------------------------------------------------------------- */

struct side {
	const struct kj_edition *ed;
	long *idx;		/* the requirement-kind items */
	size_t n;
	struct bigrams *bg;	/* per entry of idx */
	char *done;		/* per entry of idx: already in an entry */
	struct kj_strmap pos;	/* number -> position in idx */
};

static const char *
nz(const char *s)
{
	return s ? s : "";
}

static int
same_text(const struct kj_item *a, const struct kj_item *b)
{
	return strcmp(nz(a->text_ja), nz(b->text_ja)) == 0 && strcmp(nz(a->text_en), nz(b->text_en)) == 0 &&
	       strcmp(nz(a->title_ja), nz(b->title_ja)) == 0 && strcmp(nz(a->title_en), nz(b->title_en)) == 0;
}

static char *
text_of(const struct kj_item *it)
{
	size_t n = strlen(nz(it->text_ja)) + strlen(nz(it->text_en)) + 2;
	char *s = malloc(n);

	if (s != NULL)
		snprintf(s, n, "%s\n%s", nz(it->text_ja), nz(it->text_en));
	return s;
}

static int
side_init(struct side *s, const struct kj_edition *ed)
{
	size_t i;

	memset(s, 0, sizeof(*s));
	s->ed = ed;
	kj_strmap_init(&s->pos);
	s->idx = malloc((ed->nitems + 1) * sizeof(long));
	s->bg = calloc(ed->nitems + 1, sizeof(struct bigrams));
	s->done = calloc(ed->nitems + 1, 1);
	if (s->idx == NULL || s->bg == NULL || s->done == NULL)
		return -1;
	for (i = 0; i < ed->nitems; i++) {
		char *t;

		if (!kj_item_is_requirement(ed->items[i].kind))
			continue;
		t = text_of(&ed->items[i]);
		if (t == NULL || bigrams_of(t, &s->bg[s->n]) != 0) {
			free(t);
			return -1;
		}
		free(t);
		if (kj_strmap_put(&s->pos, ed->items[i].number, (long)s->n) < 0)
			return -1;
		s->idx[s->n++] = (long)i;
	}
	return 0;
}

static void
side_free(struct side *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->bg[i].v);
	free(s->bg);
	free(s->idx);
	free(s->done);
	kj_strmap_free(&s->pos);
}

static int
add_entry(struct kj_diff *d, enum kj_change kind, const long *o, size_t no, const long *n,
	  size_t nn, double sim, int table, int text_changed)
{
	struct kj_diff_entry *e;

	if (d->n == d->cap) {
		size_t ncap = d->cap ? d->cap * 2 : 128;
		struct kj_diff_entry *v = realloc(d->v, ncap * sizeof(*v));

		if (v == NULL)
			return -1;
		d->v = v;
		d->cap = ncap;
	}
	e = &d->v[d->n];
	memset(e, 0, sizeof(*e));
	e->old = malloc((no + 1) * sizeof(long));
	e->new_ = malloc((nn + 1) * sizeof(long));
	if (e->old == NULL || e->new_ == NULL) {
		free(e->old);
		free(e->new_);
		return -1;
	}
	if (no > 0)
		memcpy(e->old, o, no * sizeof(long));
	if (nn > 0)
		memcpy(e->new_, n, nn * sizeof(long));
	e->nold = no;
	e->nnew = nn;
	e->kind = kind;
	e->similarity = sim;
	e->from_table = table;
	e->text_changed = text_changed;
	d->count[kind]++;
	d->n++;
	return 0;
}

/* A one-to-one correspondence: same, changed or renumbered. */
static int
add_pair(struct kj_diff *d, struct side *os, size_t oi, struct side *ns, size_t ni, int table)
{
	const struct kj_item *a = &os->ed->items[os->idx[oi]], *b = &ns->ed->items[ns->idx[ni]];
	int same = same_text(a, b);
	enum kj_change k;

	if (strcmp(a->number, b->number) != 0)
		k = KJ_CHANGE_RENUMBERED;
	else
		k = same ? KJ_CHANGE_SAME : KJ_CHANGE_CHANGED;
	os->done[oi] = ns->done[ni] = 1;
	return add_entry(d, k, &os->idx[oi], 1, &ns->idx[ni], 1,
			 same ? 1.0 : dice(&os->bg[oi], &ns->bg[ni]), table, !same);
}

/* Table rows grouped into connected components of old and new numbers. */
static int
use_table(struct kj_diff *d, struct side *os, struct side *ns, const struct kj_edition *ned)
{
	size_t nrows = ned->ncorr, i, j;
	long *comp = malloc((nrows + 1) * sizeof(long));
	long *ol = malloc((nrows + 1) * sizeof(long)), *nl = malloc((nrows + 1) * sizeof(long));
	int rc = -1;

	if (comp == NULL || ol == NULL || nl == NULL)
		goto out;
	/* Union rows that share an old or a new number (tables are small: quadratic is fine
	 * up to the thousands of rows a real table has). */
	for (i = 0; i < nrows; i++)
		comp[i] = (long)i;
	for (i = 0; i < nrows; i++) {
		for (j = i + 1; j < nrows; j++) {
			const struct kj_corr *a = &ned->corr[i], *b = &ned->corr[j];
			int link = (a->old_number && b->old_number && strcmp(a->old_number, b->old_number) == 0 &&
				    a->new_number && b->new_number) ||
				   (a->new_number && b->new_number && strcmp(a->new_number, b->new_number) == 0 &&
				    a->old_number && b->old_number);

			if (link) {
				long ra = comp[i], rb = comp[j];

				while (comp[ra] != ra)
					ra = comp[ra];
				while (comp[rb] != rb)
					rb = comp[rb];
				comp[rb > ra ? rb : ra] = rb > ra ? ra : rb;
			}
		}
	}
	for (i = 0; i < nrows; i++) {
		size_t no = 0, nn = 0, k;
		long root = (long)i;
		int text_changed = 0;

		while (comp[root] != root)
			root = comp[root];
		if (root != (long)i)
			continue;	/* each component once, from its first row */
		for (j = i; j < nrows; j++) {
			long rj = (long)j;
			const struct kj_corr *c = &ned->corr[j];
			long p;

			while (comp[rj] != rj)
				rj = comp[rj];
			if (rj != root)
				continue;
			if (c->old_number && (p = kj_strmap_get(&os->pos, c->old_number)) >= 0 && !os->done[p]) {
				for (k = 0; k < no && ol[k] != p; k++)
					;
				if (k == no)
					ol[no++] = p;
			}
			if (c->new_number && (p = kj_strmap_get(&ns->pos, c->new_number)) >= 0 && !ns->done[p]) {
				for (k = 0; k < nn && nl[k] != p; k++)
					;
				if (k == nn)
					nl[nn++] = p;
			}
		}
		if (no == 1 && nn == 1) {
			if (add_pair(d, os, (size_t)ol[0], ns, (size_t)nl[0], 1) != 0)
				goto out;
		} else if (no > 0 && nn > 0) {
			/* ol and nl become item indexes from here on. */
			for (k = 0; k < no; k++) {
				os->done[ol[k]] = 1;
				ol[k] = os->idx[ol[k]];
			}
			for (k = 0; k < nn; k++) {
				ns->done[nl[k]] = 1;
				nl[k] = ns->idx[nl[k]];
			}
			text_changed = 1;
			if (add_entry(d, no == 1 ? KJ_CHANGE_SPLIT : KJ_CHANGE_MERGED, ol, no, nl, nn, 0.0, 1,
				      text_changed) != 0)
				goto out;
		} else if (no > 0) {
			for (k = 0; k < no; k++) {
				os->done[ol[k]] = 1;
				if (add_entry(d, KJ_CHANGE_REMOVED, &os->idx[ol[k]], 1, NULL, 0, 0.0, 1, 0) != 0)
					goto out;
			}
		} else if (nn > 0) {
			for (k = 0; k < nn; k++) {
				ns->done[nl[k]] = 1;
				if (add_entry(d, KJ_CHANGE_ADDED, NULL, 0, &ns->idx[nl[k]], 1, 0.0, 1, 0) != 0)
					goto out;
			}
		}
	}
	rc = 0;
out:
	free(comp);
	free(ol);
	free(nl);
	return rc;
}

static int
entry_push(long **v, size_t *n, long idx)
{
	long *p = realloc(*v, (*n + 1) * sizeof(long));

	if (p == NULL)
		return -1;
	p[(*n)++] = idx;
	*v = p;
	return 0;
}

/* A changed pair (o, n) where other unmatched new items also lie within o is a split that
 * kept its first part's number; the other way round, a merge. Same-number pairs are found
 * first, so this catches the splits and merges that number matching would hide. */
static int
widen_pairs(struct kj_diff *d, struct side *os, struct side *ns, size_t first_entry)
{
	size_t e, j;

	for (e = first_entry; e < d->n; e++) {
		struct kj_diff_entry *x = &d->v[e];
		long op, np;

		if (x->kind != KJ_CHANGE_CHANGED && x->kind != KJ_CHANGE_RENUMBERED)
			continue;
		if (!x->text_changed)
			continue;
		op = kj_strmap_get(&os->pos, os->ed->items[x->old[0]].number);
		np = kj_strmap_get(&ns->pos, ns->ed->items[x->new_[0]].number);
		if (op < 0 || np < 0)
			continue;
		if (contained(&ns->bg[np], &os->bg[op]) >= CONTAINED) {
			for (j = 0; j < ns->n; j++) {
				if (ns->done[j] || contained(&ns->bg[j], &os->bg[op]) < CONTAINED)
					continue;
				if (entry_push(&x->new_, &x->nnew, ns->idx[j]) != 0)
					return -1;
				ns->done[j] = 1;
			}
		}
		if (contained(&os->bg[op], &ns->bg[np]) >= CONTAINED) {
			for (j = 0; j < os->n; j++) {
				if (os->done[j] || contained(&os->bg[j], &ns->bg[np]) < CONTAINED)
					continue;
				if (entry_push(&x->old, &x->nold, os->idx[j]) != 0)
					return -1;
				os->done[j] = 1;
			}
		}
		if (x->nnew > 1 || x->nold > 1) {
			d->count[x->kind]--;
			x->kind = x->nold > 1 ? KJ_CHANGE_MERGED : KJ_CHANGE_SPLIT;
			d->count[x->kind]++;
		}
	}
	return 0;
}

static int
match_rest(struct kj_diff *d, struct side *os, struct side *ns)
{
	size_t i, j, first = d->n;
	struct kj_strmap texts;
	int rc = -1;

	/* 1. The same number, when the texts still resemble each other. */
	for (i = 0; i < os->n; i++) {
		long p;

		if (os->done[i])
			continue;
		p = kj_strmap_get(&ns->pos, os->ed->items[os->idx[i]].number);
		if (p >= 0 && !ns->done[p] && dice(&os->bg[i], &ns->bg[p]) >= 0.5 &&
		    add_pair(d, os, i, ns, (size_t)p, 0) != 0)
			return -1;
	}
	/* 2. The same text under another number. */
	kj_strmap_init(&texts);
	{
		char **keep = calloc(ns->n + 1, sizeof(char *));

		if (keep == NULL)
			return -1;
		for (j = 0; j < ns->n; j++) {
			if (!ns->done[j] && (keep[j] = text_of(&ns->ed->items[ns->idx[j]])) != NULL &&
			    kj_strmap_get(&texts, keep[j]) < 0)
				kj_strmap_put(&texts, keep[j], (long)j);
		}
		for (i = 0; i < os->n; i++) {
			char *t;
			long p;

			if (os->done[i])
				continue;
			t = text_of(&os->ed->items[os->idx[i]]);
			p = t ? kj_strmap_get(&texts, t) : -1;
			free(t);
			if (p >= 0 && !ns->done[p] && add_pair(d, os, i, ns, (size_t)p, 0) != 0)
				goto out2;
		}
		rc = 0;
out2:
		for (j = 0; j < ns->n; j++)
			free(keep[j]);
		free(keep);
		kj_strmap_free(&texts);
		if (rc != 0)
			return -1;
	}
	/* 3. Splits and merges hidden behind a same-number match. */
	if (widen_pairs(d, os, ns, first) != 0)
		return -1;
	/* 4. Splits: an unmatched old item that holds several new ones; merges the other way. */
	for (i = 0; i < os->n; i++) {
		long parts[64], oi;
		size_t np = 0;

		if (os->done[i])
			continue;
		for (j = 0; j < ns->n && np < 64; j++) {
			if (!ns->done[j] && contained(&ns->bg[j], &os->bg[i]) >= CONTAINED)
				parts[np++] = (long)j;
		}
		if (np < 2)
			continue;
		oi = os->idx[i];
		os->done[i] = 1;
		for (j = 0; j < np; j++) {
			ns->done[parts[j]] = 1;
			parts[j] = ns->idx[parts[j]];
		}
		if (add_entry(d, KJ_CHANGE_SPLIT, &oi, 1, parts, np, 0.0, 0, 1) != 0)
			return -1;
	}
	for (j = 0; j < ns->n; j++) {
		long parts[64], ni;
		size_t np = 0;

		if (ns->done[j])
			continue;
		for (i = 0; i < os->n && np < 64; i++) {
			if (!os->done[i] && contained(&os->bg[i], &ns->bg[j]) >= CONTAINED)
				parts[np++] = (long)i;
		}
		if (np < 2)
			continue;
		ni = ns->idx[j];
		ns->done[j] = 1;
		for (i = 0; i < np; i++) {
			os->done[parts[i]] = 1;
			parts[i] = os->idx[parts[i]];
		}
		if (add_entry(d, KJ_CHANGE_MERGED, parts, np, &ni, 1, 0.0, 0, 1) != 0)
			return -1;
	}
	/* 5. Similar enough under another number, best pairs first (greedy). */
	for (;;) {
		double best = SIMILAR_PAIR;
		size_t bi = 0, bj = 0;
		int found = 0;

		for (i = 0; i < os->n; i++) {
			if (os->done[i])
				continue;
			for (j = 0; j < ns->n; j++) {
				double s;

				if (ns->done[j])
					continue;
				s = dice(&os->bg[i], &ns->bg[j]);
				if (s >= best) {
					best = s;
					bi = i;
					bj = j;
					found = 1;
				}
			}
		}
		if (!found)
			break;
		if (add_pair(d, os, bi, ns, bj, 0) != 0)
			return -1;
	}
	/* 6. The same number with a text rewritten beyond resemblance: still changed. */
	for (i = 0; i < os->n; i++) {
		long p;

		if (os->done[i])
			continue;
		p = kj_strmap_get(&ns->pos, os->ed->items[os->idx[i]].number);
		if (p >= 0 && !ns->done[p] && add_pair(d, os, i, ns, (size_t)p, 0) != 0)
			return -1;
	}
	/* 7. What is left was removed or added. */
	for (i = 0; i < os->n; i++) {
		if (!os->done[i] && add_entry(d, KJ_CHANGE_REMOVED, &os->idx[i], 1, NULL, 0, 0.0, 0, 0) != 0)
			return -1;
	}
	for (j = 0; j < ns->n; j++) {
		if (!ns->done[j] && add_entry(d, KJ_CHANGE_ADDED, NULL, 0, &ns->idx[j], 1, 0.0, 0, 0) != 0)
			return -1;
	}
	return 0;
}

static int
cmp_entry(const void *a, const void *b)
{
	const struct kj_diff_entry *x = a, *y = b;

	return x->order < y->order ? -1 : x->order > y->order;
}

/* Entries in the newer edition's order; a removed item stands just after the entry of
 * the nearest earlier old item that has a place in the newer edition. */
static void
order_entries(struct kj_diff *d, const struct kj_edition *old)
{
	double *old_place = malloc((old->nitems + 1) * sizeof(double));
	size_t i, k;

	if (old_place == NULL)
		return;
	for (i = 0; i < old->nitems; i++)
		old_place[i] = -1.0;
	for (i = 0; i < d->n; i++) {
		struct kj_diff_entry *e = &d->v[i];

		if (e->nnew > 0) {
			long m = e->new_[0];

			for (k = 1; k < e->nnew; k++)
				if (e->new_[k] < m)
					m = e->new_[k];
			e->order = (double)m;
			for (k = 0; k < e->nold; k++)
				old_place[e->old[k]] = e->order;
		}
	}
	for (i = 0; i < d->n; i++) {
		struct kj_diff_entry *e = &d->v[i];
		long o;

		if (e->nnew > 0)
			continue;
		e->order = -0.5;
		for (o = e->old[0] - 1; o >= 0; o--) {
			if (old_place[o] >= 0) {
				e->order = old_place[o];
				break;
			}
		}
		e->order += 0.5 + (double)e->old[0] / (double)(old->nitems + 1) / 4.0;
	}
	qsort(d->v, d->n, sizeof(*d->v), cmp_entry);
	free(old_place);
}

kj_err
kj_diff_editions(struct kj_ctx *ctx, const struct kj_edition *old, const struct kj_edition *new_,
		 int table, struct kj_diff *out)
{
	struct side os, ns;
	int rc = -1, applies;

	memset(out, 0, sizeof(*out));
	applies = new_->ncorr > 0 &&
		  (table == 2 || (table == 1 && new_->supersedes != NULL &&
				  strcmp(new_->supersedes, old->code) == 0));
	if (side_init(&os, old) != 0 || side_init(&ns, new_) != 0)
		goto out;
	if (applies) {
		out->used_table = 1;
		out->table_rows = new_->ncorr;
		if (use_table(out, &os, &ns, new_) != 0)
			goto out;
	}
	if (match_rest(out, &os, &ns) != 0)
		goto out;
	order_entries(out, old);
	rc = 0;
out:
	side_free(&os);
	side_free(&ns);
	if (rc != 0) {
		kj_diff_free(out);
		return kj_failf(ctx, KJ_ERR_NOMEM, "out of memory");
	}
	return KJ_OK;
}

void
kj_diff_free(struct kj_diff *d)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		free(d->v[i].old);
		free(d->v[i].new_);
	}
	free(d->v);
	memset(d, 0, sizeof(*d));
}

static json_t *
numbers(const struct kj_edition *ed, const long *idx, size_t n)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < n; i++)
		json_array_append_new(a, json_string(ed->items[idx[i]].number));
	return a;
}

json_t *
kj_diff_to_json(const struct kj_diff *d, const struct kj_edition *old, const struct kj_edition *new_,
		int include_same)
{
	json_t *j, *counts = json_object(), *changes = json_array();
	size_t i;
	int c;

	for (c = 0; c < KJ_CHANGE_COUNT; c++)
		json_object_set_new(counts, kj_change_name((enum kj_change)c), json_integer((json_int_t)d->count[c]));
	for (i = 0; i < d->n; i++) {
		const struct kj_diff_entry *e = &d->v[i];
		json_t *o;

		if (e->kind == KJ_CHANGE_SAME && !include_same)
			continue;
		o = json_pack("{s:s, s:o, s:o, s:b, s:b}", "change", kj_change_name(e->kind), "old",
			      numbers(old, e->old, e->nold), "new", numbers(new_, e->new_, e->nnew),
			      "text_changed", e->text_changed, "from_table", e->from_table);
		if (!e->from_table && e->kind != KJ_CHANGE_ADDED && e->kind != KJ_CHANGE_REMOVED)
			json_object_set_new(o, "similarity", json_real((double)(int)(e->similarity * 1000) / 1000.0));
		if (e->nold == 1) {
			const struct kj_item *it = &old->items[e->old[0]];

			if (it->text_ja)
				json_object_set_new(o, "old_text_ja", json_string(it->text_ja));
			if (it->text_en)
				json_object_set_new(o, "old_text_en", json_string(it->text_en));
		}
		if (e->nnew == 1) {
			const struct kj_item *it = &new_->items[e->new_[0]];

			if (it->text_ja)
				json_object_set_new(o, "new_text_ja", json_string(it->text_ja));
			if (it->text_en)
				json_object_set_new(o, "new_text_en", json_string(it->text_en));
		}
		json_array_append_new(changes, o);
	}
	j = json_pack("{s:s, s:s, s:b, s:I, s:o, s:o}", "old", old->code, "new", new_->code, "table",
		      d->used_table, "table_rows", (json_int_t)d->table_rows, "counts", counts, "changes",
		      changes);
	return j;
}
