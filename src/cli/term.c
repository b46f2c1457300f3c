/*
 * term.c: stdout and stderr filtered so that control characters from data are shown,
 * not obeyed (term.h).
 */
#include "term.h"

#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "base/outfile.h"

struct filter {
	FILE *to;	/* the real stream */
	int held;	/* a 0xC2 byte waiting for the next one (the first byte of U+0080..U+00BF) */
};

static FILE *raw_out, *raw_err;
static struct filter out_filter, err_filter;

/* Whether byte c (after_c2: the second byte of a sequence that began with 0xC2) must be
 * escaped; if so its escape is written to esc. */
static int
escape_of(unsigned char c, int after_c2, char esc[8])
{
	if (after_c2 && c >= 0x80 && c <= 0x9f) {
		snprintf(esc, 8, "\\u%04x", c);
		return 1;
	}
	if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f) {
		snprintf(esc, 8, "\\x%02x", c);
		return 1;
	}
	return 0;
}

static ssize_t
filter_write(void *cookie, const char *buf, size_t n)
{
	struct filter *f = cookie;
	const unsigned char *p = (const unsigned char *)buf;
	size_t i = 0, run = 0;
	char esc[8];

	while (i < n) {
		unsigned char c = p[i];

		if (f->held) {
			f->held = 0;
			if (c >= 0x80 && c <= 0x9f && escape_of(c, 1, esc)) {
				fputs(esc, f->to);
				run = ++i;
				continue;
			}
			fputc(0xc2, f->to);
		}
		if (c == 0xc2 || escape_of(c, 0, esc)) {
			fwrite(p + run, 1, i - run, f->to);
			if (c == 0xc2)
				f->held = 1;
			else
				fputs(esc, f->to);
			run = ++i;
			continue;
		}
		i++;
	}
	fwrite(p + run, 1, n - run, f->to);
	if (f->to == raw_err)
		fflush(f->to);
	return ferror(f->to) ? -1 : (ssize_t)n;
}

/* A 0xC2 still held at the end was not followed by anything: it goes out as it came. */
static void
release_held(void)
{
	if (out_filter.held)
		fputc(0xc2, raw_out);
	if (err_filter.held)
		fputc(0xc2, raw_err);
	out_filter.held = err_filter.held = 0;
	fflush(raw_out);
	fflush(raw_err);
}

static FILE *
filtered(struct filter *f, FILE *to)
{
	cookie_io_functions_t io = {.read = NULL, .write = filter_write, .seek = NULL, .close = NULL};
	FILE *s;

	f->to = to;
	f->held = 0;
	s = fopencookie(f, "w", io);
	/* Unbuffered: every write reaches the real stream at once, in order with what goes
	 * to it directly (cli_raw_stdout). */
	if (s != NULL)
		setvbuf(s, NULL, _IONBF, 0);
	return s;
}

int
cli_term_install(void)
{
	FILE *o, *e;

	if (raw_out != NULL)
		return 0;
	raw_out = stdout;
	raw_err = stderr;
	o = filtered(&out_filter, raw_out);
	e = filtered(&err_filter, raw_err);
	if (o == NULL || e == NULL) {
		if (o != NULL)
			fclose(o);
		if (e != NULL)
			fclose(e);
		return -1;
	}
	fflush(raw_out);
	stdout = o;	/* glibc's stdout and stderr are variables for this purpose */
	stderr = e;
	atexit(release_held);
	return 0;
}

FILE *
cli_raw_stdout(void)
{
	return raw_out != NULL ? raw_out : stdout;
}

FILE *
cli_raw_stderr(void)
{
	return raw_err != NULL ? raw_err : stderr;
}

kj_err
cli_write_bytes(struct kj_ctx *ctx, const char *to, const void *data, size_t n)
{
	FILE *f = cli_raw_stdout();

	if (to != NULL)
		return kj_outfile_write(ctx, to, data, n);
	if ((n > 0 && fwrite(data, 1, n, f) != n) || fflush(f) != 0)
		return kj_failf(ctx, KJ_ERR_IO, "standard output: write failed");
	return KJ_OK;
}

kj_err
cli_write_json(struct kj_ctx *ctx, const char *to, json_t *doc)
{
	struct kj_outfile of;
	FILE *f = cli_raw_stdout();
	kj_err r;

	if (to != NULL) {
		if ((r = kj_outfile_open(ctx, to, &of)) != KJ_OK)
			return r;
		f = of.f;
	}
	if (json_dumpf(doc, f, JSON_INDENT(2)) != 0 || fputc('\n', f) == EOF) {
		if (to != NULL)
			kj_outfile_abort(&of);
		return kj_failf(ctx, KJ_ERR_IO, "%s: write failed", to != NULL ? to : "standard output");
	}
	if (to != NULL)
		return kj_outfile_commit(ctx, &of);
	return fflush(f) == 0 ? KJ_OK : kj_failf(ctx, KJ_ERR_IO, "standard output: write failed");
}
