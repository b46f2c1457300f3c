/*
 * fuzz_answers.c: drives the CSV answer importer (kj_answers_import_csv: the streaming CSV
 * reader, the header, every check of a row, the bulk load and the recount) with arbitrary
 * bytes, as the file an officer uploads.
 *
 * Setup, once per process (LLVMFuzzerInitialize, or the first input): an in-memory SQLite
 * database with the whole demo (government, both editions, kj_demo_populate's accounts and
 * campaigns). The input is imported by the local administrator into GOV-FY2025-MHA, the
 * open campaign of one ministry, or (bit 2 of the first byte set) into GOV-FY2025, the
 * campaign that mandated it and every other ministry's, which is slower to check; the
 * database is not reset between inputs, as a rejected file leaves nothing and an accepted
 * one only replaces answers. Checklist identifiers are random per database, so an input
 * names them by number: "$0" to "$9" in the input become the UUIDs of the checklists of
 * GOV-FY2025-MHA (four in the demo, one per role; a number past them means the first), so
 * that seeds reach the checks that follow the checklist's. The file is handed to the
 * importer in reads of varying size (bits 0 and 1 of the first byte pick it), to cross the
 * reader's block edges.
 *
 * KIJUN_FUZZ_VERBOSE=1 prints the outcome of every input (to check what the seeds reach).
 *
 * Findings (abort): a crash or sanitizer report; a failure without a message; a rejected
 * file that changed the number of answers; an accepted file that reports a bad row.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "base/buf.h"
#include "base/embedded.h"
#include "db/db.h"
#include "db/migrate.h"
#include "formats/catalog.h"
#include "formats/demo.h"
#include "formats/government.h"
#include "model/inspection.h"

#define CAMPAIGN "GOV-FY2025"
#define NAMED 10	/* checklists an input can name as $0..$9 */

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct kj_ctx ctx;
static struct kj_db *db;
static char uuids[NAMED][37];

static void
die(const char *what)
{
	fprintf(stderr, "fuzz_answers: setup: %s: %s\n", what, ctx.msg);
	abort();
}

static void
setup(void)
{
	static const char *const demo[] = {"government.json", "standard-fy2023.json", "standard-fy2025.json", NULL};
	json_t *accounts = NULL, *list = NULL;
	size_t n, i;
	kj_err r;

	if (sodium_init() < 0)
		abort();
	kj_ctx_init(&ctx);	/* the local administrator */
	if (kj_db_open(&ctx, "sqlite::memory:", &db) != KJ_OK || kj_db_migrate(&ctx, NULL) != KJ_OK)
		die("database");
	if ((r = kj_tx_begin(&ctx)) != KJ_OK)
		die("begin");
	for (i = 0; r == KJ_OK && demo[i] != NULL; i++) {
		const struct kj_embedded *e = kj_embedded_find(kj_embedded_demo, demo[i]);

		if (e == NULL)
			die(demo[i]);
		if (i == 0)
			r = kj_government_import_mem(&ctx, e->name, e->data, e->len, &n);
		else
			r = kj_standard_import_mem(&ctx, e->name, e->data, e->len, NULL, NULL, 0, &n);
	}
	if (r == KJ_OK)
		r = kj_demo_populate(&ctx, &accounts);
	json_decref(accounts);
	if (kj_tx_end(&ctx, r) != KJ_OK)
		die("demo");
	if (kj_checklist_list(&ctx, CAMPAIGN "-MHA", NULL, &list) != KJ_OK)
		die("checklists");
	for (i = 0; i < NAMED && i < json_array_size(list); i++)
		snprintf(uuids[i], sizeof(uuids[i]), "%s",
			 json_string_value(json_object_get(json_array_get(list, i), "checklist")));
	json_decref(list);
	if (uuids[0][0] == '\0')
		die("no checklist in " CAMPAIGN "-MHA");
}

/* libFuzzer calls this before it starts timing inputs: the demo takes seconds to make
 * (every demo account's password is hashed), more than -timeout allows one input under the
 * sanitizers on a busy machine. The replayer does not call it; the first input does. */
int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	setup();
	return 0;
}

static long
count_answers(void)
{
	struct kj_stmt *st = NULL;
	long n = -1;
	int row;

	if (kj_db_prepare(&ctx, "SELECT COUNT(*) FROM answer", &st) == KJ_OK && kj_stmt_step(&ctx, st, &row) == KJ_OK && row)
		n = (long)kj_stmt_int(st, 0);
	kj_stmt_free(st);
	return n;
}

struct feed {
	const char *p;
	size_t len, off, step;
};

static long
feed_read(void *arg, char *buf, size_t size)
{
	struct feed *f = arg;
	size_t n = f->len - f->off;

	if (n > size)
		n = size;
	if (n > f->step)
		n = f->step;
	memcpy(buf, f->p + f->off, n);
	f->off += n;
	return (long)n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t steps[] = {65536, 1, 7, 4096};
	struct kj_buf csv;
	struct feed f;
	json_t *report = NULL;
	size_t i, nrows = 0;
	long before;
	kj_err r;

	if (db == NULL)
		setup();
	if (size == 0)
		return 0;
	kj_buf_init(&csv, 0);
	for (i = 1; i < size; i++) {
		if (data[i] == '$' && i + 1 < size && data[i + 1] >= '0' && data[i + 1] <= '9') {
			const char *u = uuids[data[i + 1] - '0'];

			kj_buf_puts(&csv, u[0] != '\0' ? u : uuids[0]);
			i++;
		} else {
			kj_buf_putc(&csv, (char)data[i]);
		}
	}
	if (kj_buf_failed(&csv))
		abort();
	f = (struct feed){kj_buf_cstr(&csv), csv.len, 0, steps[data[0] & 3]};
	before = count_answers();
	kj_ctx_clear(&ctx);
	r = kj_answers_import_csv(&ctx, (data[0] & 4) ? CAMPAIGN : CAMPAIGN "-MHA", "input.csv", feed_read, &f, &nrows,
				  &report);
	if (r != KJ_OK) {
		if (ctx.msg[0] == '\0' || count_answers() != before) {
			fprintf(stderr, "fuzz_answers: a rejected file said nothing or left answers behind: %s\n", ctx.msg);
			abort();
		}
	} else if (report != NULL) {
		fprintf(stderr, "fuzz_answers: an accepted file reported bad rows\n");
		abort();
	}
	if (getenv("KIJUN_FUZZ_VERBOSE") != NULL)
		fprintf(stderr, "fuzz_answers: %s\n", r == KJ_OK ? "imported" : ctx.msg);
	json_decref(report);
	kj_buf_free(&csv);
	return 0;
}
