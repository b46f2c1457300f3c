/*
 * standard.c: editions and their items in the database (standard.h).
 *
 * Owns the tables edition, item and correspondence. An edition is written whole in one
 * transaction with one audit record (its state is the edition's identity and a digest of
 * every item), and never changed afterwards: a revision is a new edition.
 */
#include "standard.h"

#include <inttypes.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "../base/limits.h"
#include "../base/strmap.h"
#include "../base/util.h"
#include "../db/db.h"
#include "access.h"
#include "auditlog.h"
#include "kit.h"

static const char *const item_kinds[] = {"part", "section", "chapter", "group", "requirement",
					 "measure", "subitem", "family", "control", "enhancement",
					 NULL};

int
kj_item_kind_valid(const char *kind)
{
	const char *const *k;

	if (kind == NULL)
		return 0;
	for (k = item_kinds; *k != NULL; k++) {
		if (strcmp(*k, kind) == 0)
			return 1;
	}
	return 0;
}

int
kj_item_is_requirement(const char *kind)
{
	return strcmp(kind, "requirement") == 0 || strcmp(kind, "measure") == 0 ||
	       strcmp(kind, "subitem") == 0 || strcmp(kind, "control") == 0 ||
	       strcmp(kind, "enhancement") == 0;
}

void
kj_edition_init(struct kj_edition *ed)
{
	memset(ed, 0, sizeof(*ed));
	kj_arena_init(&ed->arena);
}

void
kj_edition_free(struct kj_edition *ed)
{
	free(ed->items);
	free(ed->corr);
	kj_arena_free(&ed->arena);
	memset(ed, 0, sizeof(*ed));
}

long
kj_edition_add_item(struct kj_edition *ed, const struct kj_item *it)
{
	if (ed->nitems == ed->capitems) {
		size_t ncap = ed->capitems ? ed->capitems * 2 : 256;
		struct kj_item *v = realloc(ed->items, ncap * sizeof(*v));

		if (v == NULL)
			return -1;
		ed->items = v;
		ed->capitems = ncap;
	}
	ed->items[ed->nitems] = *it;
	return (long)ed->nitems++;
}

int
kj_edition_add_corr(struct kj_edition *ed, const char *old_number, const char *new_number)
{
	if (ed->ncorr == ed->capcorr) {
		size_t ncap = ed->capcorr ? ed->capcorr * 2 : 64;
		struct kj_corr *v = realloc(ed->corr, ncap * sizeof(*v));

		if (v == NULL)
			return -1;
		ed->corr = v;
		ed->capcorr = ncap;
	}
	ed->corr[ed->ncorr].old_number = old_number;
	ed->corr[ed->ncorr].new_number = new_number;
	ed->ncorr++;
	return 0;
}

long
kj_edition_find(const struct kj_edition *ed, const char *number)
{
	size_t i;

	for (i = 0; i < ed->nitems; i++) {
		if (strcmp(ed->items[i].number, number) == 0)
			return (long)i;
	}
	return -1;
}

static int
code_valid(const char *s)
{
	return kj_code_ok(s, KJ_CODE_CHARS, KJ_MAX_CODE_BYTES);
}

static kj_err
check_text(struct kj_ctx *ctx, const char *name, const struct kj_item *it, const char *field,
	   const char *s, size_t max)
{
	size_t n;

	if (s == NULL)
		return KJ_OK;
	n = strlen(s);
	if (n > max)
		return kj_failf(ctx, KJ_ERR_TOO_LARGE, "%s: item %s: %s is longer than %zu bytes", name,
				it->number, field, max);
	if (!kj_utf8_valid(s, n))
		return kj_failf(ctx, KJ_ERR_INVALID, "%s: item %s: %s is not valid UTF-8", name,
				it->number, field);
	return KJ_OK;
}

struct scheme {
	const char *kind[32];
	regex_t re[32];
	int n;
};

static void
scheme_free(struct scheme *s)
{
	int i;

	for (i = 0; i < s->n; i++)
		regfree(&s->re[i]);
	s->n = 0;
}

/* Compiles the numbering scheme: {"name": ..., "levels": [{"kind", "pattern"}, ...]}. */
static kj_err
scheme_compile(struct kj_ctx *ctx, const char *name, const char *json, struct scheme *s)
{
	json_error_t jerr;
	json_t *j, *levels, *lv;
	size_t i;
	kj_err r = KJ_OK;

	s->n = 0;
	j = json_loads(json, JSON_REJECT_DUPLICATES, &jerr);
	if (j == NULL)
		return kj_failf(ctx, KJ_ERR_INVALID, "%s: numbering: %s", name, jerr.text);
	levels = json_object_get(j, "levels");
	if (!json_is_array(levels)) {
		r = kj_failf(ctx, KJ_ERR_INVALID, "%s: $.edition.numbering.levels: expected an array", name);
		goto out;
	}
	json_array_foreach(levels, i, lv) {
		const char *kind = json_string_value(json_object_get(lv, "kind"));
		const char *pat = json_string_value(json_object_get(lv, "pattern"));
		char emsg[128];
		int rc;

		if (kind == NULL || pat == NULL || !kj_item_kind_valid(kind)) {
			r = kj_failf(ctx, KJ_ERR_INVALID,
				     "%s: $.edition.numbering.levels[%zu]: expected {\"kind\": an item kind, "
				     "\"pattern\": a regular expression}", name, i);
			goto out;
		}
		if (s->n == (int)(sizeof(s->re) / sizeof(s->re[0]))) {
			r = kj_failf(ctx, KJ_ERR_TOO_LARGE, "%s: $.edition.numbering.levels: more than %d",
				     name, s->n);
			goto out;
		}
		rc = regcomp(&s->re[s->n], pat, REG_EXTENDED | REG_NOSUB);
		if (rc != 0) {
			regerror(rc, &s->re[s->n], emsg, sizeof(emsg));
			r = kj_failf(ctx, KJ_ERR_INVALID,
				     "%s: $.edition.numbering.levels[%zu].pattern: not a regular expression: %s",
				     name, i, emsg);
			goto out;
		}
		/* Kinds point into j only until it is freed; use the static table's copy. */
		for (const char *const *k = item_kinds; *k != NULL; k++) {
			if (strcmp(*k, kind) == 0)
				s->kind[s->n] = *k;
		}
		s->n++;
	}
out:
	json_decref(j);
	if (r != KJ_OK)
		scheme_free(s);
	return r;
}

kj_err
kj_edition_validate(struct kj_ctx *ctx, const char *name, const struct kj_edition *ed)
{
	struct kj_strmap numbers;
	struct scheme sch = {.n = 0};
	size_t i;
	kj_err r = KJ_OK;

	if (ed->code == NULL || !code_valid(ed->code))
		return kj_failf(ctx, KJ_ERR_INVALID,
				"%s: edition id \"%.64s\" is not valid (expected 1 to %d of A-Z a-z 0-9 . _ -, not beginning with -)",
				name, ed->code ? ed->code : "", KJ_MAX_CODE_BYTES);
	if ((ed->label_ja == NULL || !*ed->label_ja) && (ed->label_en == NULL || !*ed->label_en))
		return kj_failf(ctx, KJ_ERR_INVALID, "%s: the edition needs label_ja or label_en", name);
	if (ed->decided_on != NULL && !kj_date_valid(ed->decided_on))
		return kj_failf(ctx, KJ_ERR_INVALID, "%s: decided_on: expected a date YYYY-MM-DD", name);
	if (ed->effective_on != NULL && !kj_date_valid(ed->effective_on))
		return kj_failf(ctx, KJ_ERR_INVALID, "%s: effective_on: expected a date YYYY-MM-DD", name);
	if (ed->nitems > KJ_MAX_ITEMS_PER_EDITION)
		return kj_failf(ctx, KJ_ERR_TOO_LARGE, "%s: more than %d items", name,
				KJ_MAX_ITEMS_PER_EDITION);
	if (ed->numbering != NULL && (r = scheme_compile(ctx, name, ed->numbering, &sch)) != KJ_OK)
		return r;
	kj_strmap_init(&numbers);
	for (i = 0; i < ed->nitems && r == KJ_OK; i++) {
		const struct kj_item *it = &ed->items[i];
		int k;

		if (!kj_item_kind_valid(it->kind)) {
			r = kj_failf(ctx, KJ_ERR_INVALID, "%s: item %s: unknown kind \"%.40s\"", name,
				     it->number ? it->number : "?", it->kind ? it->kind : "");
			break;
		}
		if (it->number == NULL || *it->number == '\0' ||
		    strlen(it->number) > KJ_MAX_NUMBER_BYTES ||
		    !kj_utf8_valid(it->number, strlen(it->number))) {
			r = kj_failf(ctx, KJ_ERR_INVALID,
				     "%s: item %zu: number must be 1 to %d bytes of UTF-8", name, i + 1,
				     KJ_MAX_NUMBER_BYTES);
			break;
		}
		switch (kj_strmap_put(&numbers, it->number, (long)i)) {
		case -1:
			r = kj_failf(ctx, KJ_ERR_NOMEM, "out of memory");
			continue;
		case 0:
			r = kj_failf(ctx, KJ_ERR_INVALID, "%s: number \"%s\" is used twice", name, it->number);
			continue;
		}
		if (it->parent >= (long)i) {
			r = kj_failf(ctx, KJ_ERR_INTERNAL, "%s: item %s comes before its parent", name,
				     it->number);
			break;
		}
		for (k = 0; k < sch.n; k++) {
			if (strcmp(sch.kind[k], it->kind) == 0 &&
			    regexec(&sch.re[k], it->number, 0, NULL, 0) != 0) {
				r = kj_failf(ctx, KJ_ERR_INVALID,
					     "%s: item %s: the number does not follow the edition's numbering "
					     "for a %s", name, it->number, it->kind);
				break;
			}
		}
		if (r != KJ_OK)
			break;
		if (kj_item_is_requirement(it->kind) && strcmp(it->kind, "control") != 0 &&
		    strcmp(it->kind, "enhancement") != 0 &&
		    (it->text_ja == NULL || !*it->text_ja) && (it->text_en == NULL || !*it->text_en)) {
			r = kj_failf(ctx, KJ_ERR_INVALID, "%s: item %s: a %s needs text_ja or text_en", name,
				     it->number, it->kind);
			break;
		}
		if ((r = check_text(ctx, name, it, "title_ja", it->title_ja, KJ_MAX_TITLE_BYTES)) != KJ_OK ||
		    (r = check_text(ctx, name, it, "title_en", it->title_en, KJ_MAX_TITLE_BYTES)) != KJ_OK ||
		    (r = check_text(ctx, name, it, "text_ja", it->text_ja, KJ_MAX_TEXT_BYTES)) != KJ_OK ||
		    (r = check_text(ctx, name, it, "text_en", it->text_en, KJ_MAX_TEXT_BYTES)) != KJ_OK)
			break;
	}
	for (i = 0; i < ed->ncorr && r == KJ_OK; i++) {
		const struct kj_corr *c = &ed->corr[i];

		if (c->old_number == NULL && c->new_number == NULL) {
			r = kj_failf(ctx, KJ_ERR_INVALID, "%s: $.correspondence[%zu]: needs old or new", name, i);
		} else if (c->new_number != NULL && kj_strmap_get(&numbers, c->new_number) < 0) {
			r = kj_failf(ctx, KJ_ERR_INVALID,
				     "%s: $.correspondence[%zu].new: no item numbered \"%.64s\" in this edition",
				     name, i, c->new_number);
		}
	}
	kj_strmap_free(&numbers);
	scheme_free(&sch);
	return r;
}

/* The audit record's state: the edition's identity and a digest over every item, so that
 * the record pins down exactly what was imported. */
static char *
edition_state(const struct kj_edition *ed)
{
	crypto_generichash_state h;
	unsigned char d[32];
	char hex[65];
	size_t i;
	json_t *j;
	char *s;

	crypto_generichash_init(&h, NULL, 0, sizeof(d));
	for (i = 0; i < ed->nitems; i++) {
		const struct kj_item *it = &ed->items[i];
		const char *f[] = {it->kind, it->number, it->title_ja, it->title_en, it->text_ja,
				   it->text_en, it->level, it->role, it->applies_to, it->extra};

		for (size_t k = 0; k < sizeof(f) / sizeof(f[0]); k++) {
			const char *v = f[k] ? f[k] : "";

			crypto_generichash_update(&h, (const unsigned char *)v, strlen(v) + 1);
		}
	}
	crypto_generichash_final(&h, d, sizeof(d));
	sodium_bin2hex(hex, sizeof(hex), d, sizeof(d));
	j = json_pack("{s:s, s:s, s:s?, s:s?, s:I, s:s}", "id", ed->uuid, "code", ed->code,
		      "label_ja", ed->label_ja, "label_en", ed->label_en, "items",
		      (json_int_t)ed->nitems, "items_digest", hex);
	s = j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(j);
	return s;
}

static kj_err
bind_all(struct kj_ctx *ctx, struct kj_stmt *st, const char *const *v, int n, int first)
{
	kj_err r = KJ_OK;
	int i;

	for (i = 0; i < n && r == KJ_OK; i++)
		r = kj_stmt_bind_text(ctx, st, first + i, v[i]);
	return r;
}

kj_err
kj_edition_store(struct kj_ctx *ctx, const char *name, struct kj_edition *ed)
{
	struct kj_stmt *st = NULL;
	char now[21];
	char *state = NULL;
	size_t i, nitems = ed->nitems;
	int row;
	kj_err r;

	if ((r = kj_access_require(ctx, KJ_PERM_STANDARD_WRITE, 0)) != KJ_OK)
		return r;
	if (ed->uuid[0] == '\0')
		kj_uuid_v4(ed->uuid);
	else if (!kj_uuid_valid(ed->uuid))
		return kj_failf(ctx, KJ_ERR_INVALID, "%s: the edition's uuid is not a UUID", name);
	if ((r = kj_edition_validate(ctx, name, ed)) != KJ_OK)
		return r;
	kj_time_format(kj_now(ctx), now);
	if ((r = kj_tx_begin(ctx)) != KJ_OK)
		return r;
	r = kj_db_prepare(ctx, "INSERT INTO edition (uuid, code, label_ja, label_en, decided_on, "
			       "effective_on, supersedes, source, numbering, extra, nitems, imported_at) "
			       "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id", &st);
	if (r != KJ_OK)
		goto out;
	{
		const char *v[] = {ed->uuid, ed->code, ed->label_ja, ed->label_en, ed->decided_on,
				   ed->effective_on, ed->supersedes, ed->source, ed->numbering,
				   ed->extra};

		if ((r = bind_all(ctx, st, v, 10, 1)) != KJ_OK ||
		    (r = kj_stmt_bind_int(ctx, st, 11, (int64_t)nitems)) != KJ_OK ||
		    (r = kj_stmt_bind_text(ctx, st, 12, now)) != KJ_OK)
			goto out;
	}
	r = kj_stmt_step(ctx, st, &row);
	if (r == KJ_ERR_EXISTS) {
		r = kj_failf(ctx, KJ_ERR_EXISTS, "%s: an edition with id \"%s\" (or the same uuid) is "
						 "already imported", name, ed->code);
		goto out;
	}
	if (r != KJ_OK)
		goto out;
	ed->id = kj_stmt_int(st, 0);
	kj_stmt_free(st);
	st = NULL;

	r = kj_db_prepare(ctx, "INSERT INTO item (edition_id, parent_id, seq, depth, kind, number, "
			       "title_ja, title_en, text_ja, text_en, level, role, applies_to, extra) "
			       "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id", &st);
	if (r != KJ_OK)
		goto out;
	for (i = 0; i < nitems; i++) {
		struct kj_item *it = &ed->items[i];
		const char *v[] = {it->kind, it->number, it->title_ja, it->title_en, it->text_ja,
				   it->text_en, it->level, it->role, it->applies_to, it->extra};

		kj_stmt_reset(st);
		if ((r = kj_stmt_bind_int(ctx, st, 1, ed->id)) != KJ_OK)
			goto out;
		r = it->parent >= 0 ? kj_stmt_bind_int(ctx, st, 2, ed->items[it->parent].id)
				    : kj_stmt_bind_null(ctx, st, 2);
		if (r != KJ_OK || (r = kj_stmt_bind_int(ctx, st, 3, (int64_t)i + 1)) != KJ_OK ||
		    (r = kj_stmt_bind_int(ctx, st, 4, it->depth)) != KJ_OK ||
		    (r = bind_all(ctx, st, v, 10, 5)) != KJ_OK ||
		    (r = kj_stmt_step(ctx, st, &row)) != KJ_OK)
			goto out;
		it->id = kj_stmt_int(st, 0);
		if (ctx->progress != NULL && (i % 256 == 0 || i + 1 == nitems))
			ctx->progress(ctx->progress_arg, "items", i + 1, nitems);
	}
	kj_stmt_free(st);
	st = NULL;

	if (ed->ncorr > 0) {
		r = kj_db_prepare(ctx, "INSERT INTO correspondence (edition_id, seq, old_number, new_number) "
				       "VALUES (?, ?, ?, ?)", &st);
		if (r != KJ_OK)
			goto out;
		for (i = 0; i < ed->ncorr; i++) {
			kj_stmt_reset(st);
			if ((r = kj_stmt_bind_int(ctx, st, 1, ed->id)) != KJ_OK ||
			    (r = kj_stmt_bind_int(ctx, st, 2, (int64_t)i + 1)) != KJ_OK ||
			    (r = kj_stmt_bind_text(ctx, st, 3, ed->corr[i].old_number)) != KJ_OK ||
			    (r = kj_stmt_bind_text(ctx, st, 4, ed->corr[i].new_number)) != KJ_OK ||
			    (r = kj_stmt_run(ctx, st)) != KJ_OK)
				goto out;
		}
	}
	state = edition_state(ed);
	if (state == NULL) {
		r = kj_failf(ctx, KJ_ERR_NOMEM, "out of memory");
		goto out;
	}
	r = kj_auditlog_append(ctx, "edition", ed->uuid, 0, "standard.import", state);
out:
	free(state);
	kj_stmt_free(st);
	return kj_tx_end(ctx, r);
}

static const char *
dup(struct kj_edition *ed, struct kj_stmt *st, int col, int *oom)
{
	const char *s = kj_stmt_text(st, col);
	char *p;

	if (s == NULL)
		return NULL;
	p = kj_arena_strdup(&ed->arena, s);
	if (p == NULL)
		*oom = 1;
	return p;
}

kj_err
kj_edition_load(struct kj_ctx *ctx, const char *code, struct kj_edition *ed)
{
	struct kj_stmt *st = NULL;
	struct kj_item it;
	int row, oom = 0;
	int64_t prev_id = 0;
	long prev_idx = -1;
	kj_err r;

	if ((r = kj_access_require(ctx, KJ_PERM_STANDARD_READ, 0)) != KJ_OK)
		return r;
	r = kj_db_prepare(ctx, "SELECT id, uuid, code, label_ja, label_en, decided_on, effective_on, "
			       "supersedes, source, numbering, extra, imported_at FROM edition "
			       "WHERE code = ? OR uuid = ?", &st);
	if (r != KJ_OK)
		return r;
	if ((r = kj_stmt_bind_text(ctx, st, 1, code)) != KJ_OK ||
	    (r = kj_stmt_bind_text(ctx, st, 2, code)) != KJ_OK ||
	    (r = kj_stmt_step(ctx, st, &row)) != KJ_OK)
		goto out;
	if (!row) {
		r = kj_failf(ctx, KJ_ERR_NOT_FOUND, "no edition \"%.64s\" (see kijun standard list)", code);
		goto out;
	}
	ed->id = kj_stmt_int(st, 0);
	kj_strlcpy(ed->uuid, kj_stmt_text(st, 1), sizeof(ed->uuid));
	ed->code = dup(ed, st, 2, &oom);
	ed->label_ja = dup(ed, st, 3, &oom);
	ed->label_en = dup(ed, st, 4, &oom);
	ed->decided_on = dup(ed, st, 5, &oom);
	ed->effective_on = dup(ed, st, 6, &oom);
	ed->supersedes = dup(ed, st, 7, &oom);
	ed->source = dup(ed, st, 8, &oom);
	ed->numbering = dup(ed, st, 9, &oom);
	ed->extra = dup(ed, st, 10, &oom);
	ed->imported_at = dup(ed, st, 11, &oom);
	kj_stmt_free(st);
	st = NULL;

	/* Items come in document order, so every parent is read before its children; the
	 * parent's index is found by walking back from the previous item. */
	r = kj_db_prepare(ctx, "SELECT id, parent_id, depth, kind, number, title_ja, title_en, "
			       "text_ja, text_en, level, role, applies_to, extra FROM item "
			       "WHERE edition_id = ? ORDER BY seq", &st);
	if (r != KJ_OK)
		goto out;
	if ((r = kj_stmt_bind_int(ctx, st, 1, ed->id)) != KJ_OK)
		goto out;
	while ((r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row) {
		int64_t pid = kj_stmt_int(st, 1);

		memset(&it, 0, sizeof(it));
		it.id = kj_stmt_int(st, 0);
		it.depth = (int)kj_stmt_int(st, 2);
		it.parent = -1;
		if (!kj_stmt_is_null(st, 1)) {
			long p = prev_idx;

			if (pid != prev_id) {
				while (p >= 0 && ed->items[p].id != pid)
					p = ed->items[p].parent;
			}
			it.parent = p;
		}
		it.kind = dup(ed, st, 3, &oom);
		it.number = dup(ed, st, 4, &oom);
		it.title_ja = dup(ed, st, 5, &oom);
		it.title_en = dup(ed, st, 6, &oom);
		it.text_ja = dup(ed, st, 7, &oom);
		it.text_en = dup(ed, st, 8, &oom);
		it.level = dup(ed, st, 9, &oom);
		it.role = dup(ed, st, 10, &oom);
		it.applies_to = dup(ed, st, 11, &oom);
		it.extra = dup(ed, st, 12, &oom);
		if (oom || (prev_idx = kj_edition_add_item(ed, &it)) < 0) {
			r = kj_failf(ctx, KJ_ERR_NOMEM, "out of memory");
			goto out;
		}
		prev_id = it.id;
	}
	if (r != KJ_OK)
		goto out;
	kj_stmt_free(st);
	st = NULL;
	r = kj_db_prepare(ctx, "SELECT old_number, new_number FROM correspondence WHERE edition_id = ? "
			       "ORDER BY seq", &st);
	if (r != KJ_OK)
		goto out;
	if ((r = kj_stmt_bind_int(ctx, st, 1, ed->id)) != KJ_OK)
		goto out;
	while ((r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row) {
		const char *o = dup(ed, st, 0, &oom), *n = dup(ed, st, 1, &oom);

		if (oom || kj_edition_add_corr(ed, o, n) != 0) {
			r = kj_failf(ctx, KJ_ERR_NOMEM, "out of memory");
			goto out;
		}
	}
out:
	kj_stmt_free(st);
	return r;
}

kj_err
kj_edition_list(struct kj_ctx *ctx, int (*fn)(void *arg, const struct kj_edition_info *e),
		void *arg)
{
	struct kj_stmt *st = NULL;
	struct kj_edition_info e;
	int row;
	kj_err r;

	if ((r = kj_access_require(ctx, KJ_PERM_STANDARD_READ, 0)) != KJ_OK)
		return r;
	r = kj_db_prepare(ctx, "SELECT e.id, e.uuid, e.code, e.label_ja, e.label_en, e.decided_on, "
			       "e.effective_on, e.supersedes, e.source, e.imported_at, e.nitems, "
			       "(SELECT COUNT(*) FROM item i WHERE i.edition_id = e.id AND i.kind IN "
			       "('requirement', 'measure', 'subitem', 'control', 'enhancement')) "
			       "FROM edition e ORDER BY COALESCE(e.effective_on, ''), e.id", &st);
	if (r != KJ_OK)
		return r;
	while ((r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row) {
		e.id = kj_stmt_int(st, 0);
		e.uuid = kj_stmt_text(st, 1);
		e.code = kj_stmt_text(st, 2);
		e.label_ja = kj_stmt_text(st, 3);
		e.label_en = kj_stmt_text(st, 4);
		e.decided_on = kj_stmt_text(st, 5);
		e.effective_on = kj_stmt_text(st, 6);
		e.supersedes = kj_stmt_text(st, 7);
		e.source = kj_stmt_text(st, 8);
		e.imported_at = kj_stmt_text(st, 9);
		e.nitems = kj_stmt_int(st, 10);
		e.nrequirements = kj_stmt_int(st, 11);
		if (fn(arg, &e) != 0)
			break;
	}
	kj_stmt_free(st);
	return r;
}

#define ITEM_FIELDS                                                                             \
	"i.id, i.depth, i.kind, i.number, i.title_ja, i.title_en, i.text_ja, i.text_en, i.level, " \
	"i.role, i.applies_to, i.extra, i.seq, p.number "
#define ITEM_FROM "FROM item i LEFT JOIN item p ON p.id = i.parent_id "
#define ITEM_COLUMNS ITEM_FIELDS ITEM_FROM

static void
read_item(struct kj_stmt *st, struct kj_item *it)
{
	memset(it, 0, sizeof(*it));
	it->id = kj_stmt_int(st, 0);
	it->depth = (int)kj_stmt_int(st, 1);
	it->parent = -1;
	it->kind = kj_stmt_text(st, 2);
	it->number = kj_stmt_text(st, 3);
	it->title_ja = kj_stmt_text(st, 4);
	it->title_en = kj_stmt_text(st, 5);
	it->text_ja = kj_stmt_text(st, 6);
	it->text_en = kj_stmt_text(st, 7);
	it->level = kj_stmt_text(st, 8);
	it->role = kj_stmt_text(st, 9);
	it->applies_to = kj_stmt_text(st, 10);
	it->extra = kj_stmt_text(st, 11);
}

static kj_err
edition_id(struct kj_ctx *ctx, const char *code, int64_t *id_out)
{
	struct kj_stmt *st = NULL;
	int row;
	kj_err r;

	if ((r = kj_db_prepare(ctx, "SELECT id FROM edition WHERE code = ? OR uuid = ?", &st)) != KJ_OK)
		return r;
	if ((r = kj_stmt_bind_text(ctx, st, 1, code)) == KJ_OK && (r = kj_stmt_bind_text(ctx, st, 2, code)) == KJ_OK &&
	    (r = kj_stmt_step(ctx, st, &row)) == KJ_OK) {
		if (row)
			*id_out = kj_stmt_int(st, 0);
		else
			r = kj_failf(ctx, KJ_ERR_NOT_FOUND, "no edition \"%.64s\"", code);
	}
	kj_stmt_free(st);
	return r;
}

kj_err
kj_item_list(struct kj_ctx *ctx, const char *code, const struct kj_item_filter *f,
	     int (*fn)(void *arg, const struct kj_item *it, int64_t seq), void *arg)
{
	struct kj_stmt *st = NULL;
	struct kj_item it;
	char like[300];
	int64_t eid = 0;
	int row, n = 0;
	kj_err r;

	if ((r = kj_access_require(ctx, KJ_PERM_STANDARD_READ, 0)) != KJ_OK)
		return r;
	if ((r = edition_id(ctx, code, &eid)) != KJ_OK)
		return r;
	if (f->q != NULL) {
		size_t i, k = 0;

		/* LIKE with the pattern characters escaped, so a search is for the text. */
		like[k++] = '%';
		for (i = 0; f->q[i] != '\0' && k < sizeof(like) - 3; i++) {
			if (f->q[i] == '%' || f->q[i] == '_' || f->q[i] == '\\')
				like[k++] = '\\';
			like[k++] = f->q[i];
		}
		like[k++] = '%';
		like[k] = '\0';
	}
	r = kj_db_prepare(ctx, "SELECT " ITEM_COLUMNS "WHERE i.edition_id = ? AND i.seq > ? "
			       "AND (CAST(? AS TEXT) IS NULL OR i.kind = ?) "
			       "AND (CAST(? AS TEXT) IS NULL OR p.number = ? OR (i.parent_id IS NULL AND ? = '')) "
			       "AND (CAST(? AS TEXT) IS NULL OR i.level = ?) "
			       "AND (CAST(? AS TEXT) IS NULL OR i.role = ?) "
			       "AND (CAST(? AS TEXT) IS NULL OR i.number LIKE ? ESCAPE '\\' OR i.title_ja LIKE ? ESCAPE '\\' "
			       "OR i.title_en LIKE ? ESCAPE '\\' OR i.text_ja LIKE ? ESCAPE '\\' OR i.text_en LIKE ? ESCAPE '\\') "
			       "ORDER BY i.seq LIMIT ?", &st);
	if (r != KJ_OK)
		return r;
	{
		const char *q = f->q ? like : NULL;
		const char *v[] = {f->kind, f->kind, f->parent, f->parent, f->parent, f->level, f->level, f->role, f->role,
				   q, q, q, q, q, q};
		int i;

		if ((r = kj_stmt_bind_int(ctx, st, 1, eid)) != KJ_OK ||
		    (r = kj_stmt_bind_int(ctx, st, 2, f->after)) != KJ_OK)
			goto out;
		for (i = 0; i < 15 && r == KJ_OK; i++)
			r = kj_stmt_bind_text(ctx, st, 3 + i, v[i]);
		if (r != KJ_OK || (r = kj_stmt_bind_int(ctx, st, 18, f->limit > 0 ? f->limit : 1000000)) != KJ_OK)
			goto out;
	}
	while ((r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row) {
		read_item(st, &it);
		it.parent_number = kj_stmt_text(st, 13);
		n++;
		if (fn(arg, &it, kj_stmt_int(st, 12)) != 0)
			break;
	}
out:
	kj_stmt_free(st);
	return r;
}

kj_err
kj_item_get(struct kj_ctx *ctx, const char *code, const char *number, struct kj_edition *ed)
{
	struct kj_stmt *st = NULL;
	struct kj_item it;
	int row, oom = 0, first = 1;
	kj_err r;

	if ((r = kj_access_require(ctx, KJ_PERM_STANDARD_READ, 0)) != KJ_OK)
		return r;
	/* One statement: the item, its edition, its parent's number, and one row per child
	 * (or one row with no child). */
	r = kj_db_prepare(ctx, "SELECT e.id, e.uuid, e.code, e.label_ja, e.label_en, " ITEM_FIELDS ", c.kind, c.number "
			       ITEM_FROM "JOIN edition e ON e.id = i.edition_id LEFT JOIN item c ON c.parent_id = i.id "
			       "WHERE (e.code = ? OR e.uuid = ?) AND i.number = ? ORDER BY c.seq",
			  &st);
	if (r != KJ_OK)
		return r;
	if ((r = kj_stmt_bind_text(ctx, st, 1, code)) != KJ_OK || (r = kj_stmt_bind_text(ctx, st, 2, code)) != KJ_OK ||
	    (r = kj_stmt_bind_text(ctx, st, 3, number)) != KJ_OK)
		goto out;
	while ((r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row) {
		if (first) {
			first = 0;
			ed->id = kj_stmt_int(st, 0);
			kj_strlcpy(ed->uuid, kj_stmt_text(st, 1), sizeof(ed->uuid));
			ed->code = dup(ed, st, 2, &oom);
			ed->label_ja = dup(ed, st, 3, &oom);
			ed->label_en = dup(ed, st, 4, &oom);
			memset(&it, 0, sizeof(it));
			it.id = kj_stmt_int(st, 5);
			it.depth = (int)kj_stmt_int(st, 6);
			it.parent = -1;
			it.kind = dup(ed, st, 7, &oom);
			it.number = dup(ed, st, 8, &oom);
			it.title_ja = dup(ed, st, 9, &oom);
			it.title_en = dup(ed, st, 10, &oom);
			it.text_ja = dup(ed, st, 11, &oom);
			it.text_en = dup(ed, st, 12, &oom);
			it.level = dup(ed, st, 13, &oom);
			it.role = dup(ed, st, 14, &oom);
			it.applies_to = dup(ed, st, 15, &oom);
			it.extra = dup(ed, st, 16, &oom);
			it.parent_number = dup(ed, st, 18, &oom);
			if (oom || kj_edition_add_item(ed, &it) < 0) {
				r = kj_failf(ctx, KJ_ERR_NOMEM, "out of memory");
				goto out;
			}
		}
		if (!kj_stmt_is_null(st, 20)) {
			struct kj_item c;

			memset(&c, 0, sizeof(c));
			c.parent = 0;
			c.kind = dup(ed, st, 19, &oom);
			c.number = dup(ed, st, 20, &oom);
			if (oom || kj_edition_add_item(ed, &c) < 0) {
				r = kj_failf(ctx, KJ_ERR_NOMEM, "out of memory");
				goto out;
			}
		}
	}
	if (r == KJ_OK && first)
		r = kj_failf(ctx, KJ_ERR_NOT_FOUND, "no item \"%.64s\" in edition \"%.64s\"", number, code);
out:
	kj_stmt_free(st);
	return r;
}
