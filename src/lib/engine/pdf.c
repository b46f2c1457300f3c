/*
 * pdf.c: HTML to PDF with headless Chromium (pdf.h). Owns the child process and its
 * temporary directory; knows nothing of what the document says.
 *
 * Chromium gets its own user-data directory (so that it neither reads nor writes a
 * profile of the account that runs kijun) and its own process group, so that a timeout
 * can stop the helpers it starts too. The document's own policy (default-src 'none')
 * allows no script and no outside resource. (Turning scripts off with
 * --blink-settings=scriptEnabled=false would be simpler, but then Chromium 156 writes no
 * PDF at all.)
 */
#include "pdf.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../base/util.h"

/* A PDF of a thousand organisations stays far below this. */
#define PDF_MAX ((size_t)512 << 20)

extern char **environ;

static int
rm_entry(const char *path, const struct stat *st, int type, struct FTW *f)
{
	(void)st;
	(void)type;
	(void)f;
	remove(path);
	return 0;
}

static int
write_file(const char *path, const char *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	size_t off = 0;

	if (fd < 0)
		return -1;
	while (off < len) {
		ssize_t n = write(fd, data + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			close(fd);
			return -1;
		}
		off += (size_t)n;
	}
	return close(fd);
}

static double
elapsed(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

/* Starts Chromium as name (a path, or a name looked up on the PATH). Returns 0, or the
 * error of posix_spawn (ENOENT: no such program). */
static int
spawn(const char *name, char **argv, pid_t *pid)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none, all;
	int e;

	if (posix_spawn_file_actions_init(&fa) != 0)
		return ENOMEM;
	if (posix_spawnattr_init(&at) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		return ENOMEM;
	}
	/* Its chatter (Chromium logs a lot to stderr) goes nowhere. */
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	/* A process group of its own, and the signals a server's threads block or catch back
	 * to their defaults. */
	sigemptyset(&none);
	sigfillset(&all);
	posix_spawnattr_setpgroup(&at, 0);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setsigdefault(&at, &all);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	argv[0] = (char *)name;
	e = strchr(name, '/') != NULL ? posix_spawn(pid, name, &fa, &at, argv, environ)
				      : posix_spawnp(pid, name, &fa, &at, argv, environ);
	posix_spawnattr_destroy(&at);
	posix_spawn_file_actions_destroy(&fa);
	return e;
}

/* Waits for pid up to KJ_PDF_TIMEOUT seconds, or until *cancel (when not NULL) is set.
 * Returns its wait status, or -1 after killing its process group at the timeout or the
 * cancel. */
static int
wait_child(pid_t pid, const atomic_int *cancel)
{
	const struct timespec step = {0, 20 * 1000 * 1000};
	struct timespec t0;
	int st = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		pid_t w = waitpid(pid, &st, WNOHANG);

		if (w == pid)
			break;
		if (w < 0 && errno != EINTR)
			return -1;
		if (elapsed(&t0) > KJ_PDF_TIMEOUT || (cancel != NULL && atomic_load(cancel))) {
			kill(-pid, SIGKILL);
			while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
				;
			return -1;
		}
		nanosleep(&step, NULL);
	}
	/* Helpers that outlived the browser (a crash handler) go with its group. */
	kill(-pid, SIGKILL);
	return st;
}

kj_err
kj_pdf_from_html(struct kj_ctx *ctx, const char *chromium, const char *html, size_t len, struct kj_buf *out)
{
	return kj_pdf_print(ctx, chromium, html, len, NULL, out);
}

kj_err
kj_pdf_print(struct kj_ctx *ctx, const char *chromium, const char *html, size_t len, const atomic_int *cancel,
	     struct kj_buf *out)
{
	static const char *const defaults[] = {"chromium", "chromium-browser", NULL};
	char dir[] = "/tmp/kijun-pdf.XXXXXX";
	char in[64], pdf[64], profile_arg[64], pdf_arg[80], url[80];
	char *argv[32];
	char *data = NULL;
	size_t n = 0, dlen = 0;
	pid_t pid = -1;
	int e = ENOENT, st, i;
	kj_err r;

	if (mkdtemp(dir) == NULL)
		return kj_failf(ctx, KJ_ERR_IO, "PDF: cannot make a temporary directory");
	snprintf(in, sizeof(in), "%s/report.html", dir);
	snprintf(pdf, sizeof(pdf), "%s/report.pdf", dir);
	snprintf(profile_arg, sizeof(profile_arg), "--user-data-dir=%s/profile", dir);
	snprintf(pdf_arg, sizeof(pdf_arg), "--print-to-pdf=%s", pdf);
	snprintf(url, sizeof(url), "file://%s", in);
	if (write_file(in, html, len) != 0) {
		r = kj_failf(ctx, KJ_ERR_IO, "PDF: cannot write %s", in);
		goto out;
	}
	argv[n++] = NULL; /* the program, set by spawn */
	argv[n++] = "--headless";
	/* Chromium refuses to run as root with its sandbox; the document runs no script. */
	if (geteuid() == 0)
		argv[n++] = "--no-sandbox";
	argv[n++] = "--disable-gpu";
	argv[n++] = "--disable-dev-shm-usage";
	argv[n++] = "--no-first-run";
	argv[n++] = "--no-default-browser-check";
	argv[n++] = "--disable-extensions";
	argv[n++] = "--disable-sync";
	argv[n++] = "--disable-background-networking";
	argv[n++] = "--disable-breakpad";
	argv[n++] = "--disable-crash-reporter";
	argv[n++] = "--mute-audio";
	argv[n++] = "--no-pdf-header-footer";
	argv[n++] = "--generate-pdf-document-outline";
	argv[n++] = profile_arg;
	argv[n++] = pdf_arg;
	argv[n++] = url;
	argv[n] = NULL;
	if (chromium != NULL && *chromium != '\0') {
		e = spawn(chromium, argv, &pid);
	} else {
		for (i = 0; defaults[i] != NULL && (e == ENOENT || e == EACCES); i++)
			e = spawn(defaults[i], argv, &pid);
	}
	if ((e == ENOENT || e == EACCES) && chromium != NULL && *chromium != '\0') {
		r = kj_failf(ctx, KJ_ERR_IO, "PDF needs Chromium: cannot run %s (install the chromium package)", chromium);
		goto out;
	}
	if (e == ENOENT || e == EACCES) {
		r = kj_failf(ctx, KJ_ERR_IO, "PDF needs Chromium: install the chromium package");
		goto out;
	}
	if (e != 0) {
		r = kj_failf(ctx, KJ_ERR_IO, "PDF: cannot start Chromium: %s", strerror(e));
		goto out;
	}
	st = wait_child(pid, cancel);
	if (st == -1 && cancel != NULL && atomic_load(cancel)) {
		r = kj_failf(ctx, KJ_ERR_STATE, "PDF: printing was cancelled");
		goto out;
	}
	if (st == -1) {
		r = kj_failf(ctx, KJ_ERR_IO, "PDF: Chromium did not finish within %d seconds", KJ_PDF_TIMEOUT);
		goto out;
	}
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		r = kj_failf(ctx, KJ_ERR_IO, "PDF: Chromium failed (%s %d)", WIFEXITED(st) ? "exit status" : "signal",
			     WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
		goto out;
	}
	if (kj_file_read(ctx, pdf, PDF_MAX, &data, &dlen) != KJ_OK || dlen < 5 || memcmp(data, "%PDF-", 5) != 0) {
		r = kj_failf(ctx, KJ_ERR_IO, "PDF: Chromium wrote no PDF");
		goto out;
	}
	kj_buf_append(out, data, dlen);
	r = kj_buf_failed(out) ? kj_failf(ctx, KJ_ERR_NOMEM, "PDF: out of memory") : KJ_OK;
out:
	free(data);
	nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	return r;
}
