/*
 * outfile.c: an output file written owner-only, through a new file renamed into place,
 * never through a symbolic link (outfile.h).
 */
#include "outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* KJ_OK when path may be replaced: absent, or a regular file that is no symbolic link. */
static kj_err
target_ok(struct kj_ctx *ctx, const char *path)
{
	struct stat st;

	if (path[0] == '\0')
		return kj_failf(ctx, KJ_ERR_IO, "the output file name is empty");
	if (lstat(path, &st) != 0) {
		if (errno == ENOENT)
			return KJ_OK;
		return kj_failf(ctx, KJ_ERR_IO, "%s: cannot write: %s", path, strerror(errno));
	}
	if (S_ISLNK(st.st_mode))
		return kj_failf(ctx, KJ_ERR_IO, "%s: is a symbolic link; not written (give the path of the file itself)", path);
	if (!S_ISREG(st.st_mode))
		return kj_failf(ctx, KJ_ERR_IO, "%s: exists and is not a regular file; not written", path);
	return KJ_OK;
}

kj_err
kj_outfile_open(struct kj_ctx *ctx, const char *path, struct kj_outfile *of)
{
	static const char suffix[] = ".kijun-XXXXXX";
	size_t n = strlen(path);
	int fd;
	kj_err r;

	memset(of, 0, sizeof(*of));
	if ((r = target_ok(ctx, path)) != KJ_OK)
		return r;
	of->path = strdup(path);
	of->tmp = malloc(n + sizeof(suffix));
	if (of->path == NULL || of->tmp == NULL) {
		kj_outfile_abort(of);
		return kj_failf(ctx, KJ_ERR_NOMEM, "%s: out of memory", path);
	}
	memcpy(of->tmp, path, n);
	memcpy(of->tmp + n, suffix, sizeof(suffix));
	/* mkostemp opens with O_CREAT | O_EXCL and mode 0600: a name that exists, a link
	 * included, is never opened. */
	fd = mkostemp(of->tmp, O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		r = kj_failf(ctx, KJ_ERR_IO, "%s: cannot write: %s", path, strerror(errno));
		free(of->tmp);
		of->tmp = NULL;
		kj_outfile_abort(of);
		return r;
	}
	/* mkostemp's 0600 is the most the umask leaves; say it outright all the same. */
	if (fchmod(fd, S_IRUSR | S_IWUSR) != 0 || (of->f = fdopen(fd, "wb")) == NULL) {
		r = kj_failf(ctx, KJ_ERR_IO, "%s: cannot write: %s", path, strerror(errno));
		close(fd);
		kj_outfile_abort(of);
		return r;
	}
	return KJ_OK;
}

kj_err
kj_outfile_commit(struct kj_ctx *ctx, struct kj_outfile *of)
{
	kj_err r = KJ_OK;
	int failed;

	if (of->f == NULL)
		return kj_failf(ctx, KJ_ERR_IO, "output file: not open");
	failed = ferror(of->f) || fflush(of->f) != 0 || fsync(fileno(of->f)) != 0;
	failed = fclose(of->f) != 0 || failed;
	of->f = NULL;
	if (failed)
		r = kj_failf(ctx, KJ_ERR_IO, "%s: write failed: %s", of->path, strerror(errno));
	/* Checked again just before the rename: what was planted since is refused too. */
	if (r == KJ_OK)
		r = target_ok(ctx, of->path);
	if (r == KJ_OK && rename(of->tmp, of->path) != 0)
		r = kj_failf(ctx, KJ_ERR_IO, "%s: cannot write: %s", of->path, strerror(errno));
	if (r == KJ_OK) {
		free(of->tmp);
		of->tmp = NULL;
	}
	kj_outfile_abort(of);
	return r;
}

void
kj_outfile_abort(struct kj_outfile *of)
{
	if (of->f != NULL)
		fclose(of->f);
	if (of->tmp != NULL)
		unlink(of->tmp);
	free(of->tmp);
	free(of->path);
	memset(of, 0, sizeof(*of));
}

kj_err
kj_outfile_write(struct kj_ctx *ctx, const char *path, const void *data, size_t n)
{
	struct kj_outfile of;
	kj_err r;

	if ((r = kj_outfile_open(ctx, path, &of)) != KJ_OK)
		return r;
	if (n > 0 && fwrite(data, 1, n, of.f) != n) {
		r = kj_failf(ctx, KJ_ERR_IO, "%s: write failed: %s", path, strerror(errno));
		kj_outfile_abort(&of);
		return r;
	}
	return kj_outfile_commit(ctx, &of);
}
