/*
 * checkpoint.c: signing keys, signed checkpoints of the audit log and their verification
 * (checkpoint.h).
 *
 * Owns the key files (a seed in hex, mode 0600) and the checkpoint files (one per
 * checkpoint, never rewritten). Reads the log only through auditlog.h; touches no table.
 */
#include "checkpoint.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "../base/util.h"
#include "../db/db.h"
#include "access.h"
#include "auditlog.h"

#define KEY_TAG "kijun-ed25519-seed "
#define LINE_TAG "kijun-checkpoint 1 "
#define FILE_SUFFIX ".ckpt"
#define MAX_CHECKPOINTS 1000000	/* files read from one directory */

static const char zeros[65] = "0000000000000000000000000000000000000000000000000000000000000000";

static int
is_hex(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	}
	return s[n] == '\0' || s[n] == '\n' || s[n] == ' ';
}

/* Writes len bytes of data to a new file (never an existing one) and makes it durable. */
static kj_err
write_new(struct kj_ctx *ctx, const char *path, const char *data, size_t len, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	size_t done = 0;

	if (fd < 0)
		return kj_failf(ctx, errno == EEXIST ? KJ_ERR_EXISTS : KJ_ERR_IO, "%s: %s", path,
				errno == EEXIST ? "already exists (never overwritten)" : strerror(errno));
	while (done < len) {
		ssize_t n = write(fd, data + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			close(fd);
			return kj_failf(ctx, KJ_ERR_IO, "%s: cannot write: %s", path, strerror(errno));
		}
		done += (size_t)n;
	}
	if (fsync(fd) != 0 || close(fd) != 0)
		return kj_failf(ctx, KJ_ERR_IO, "%s: cannot write: %s", path, strerror(errno));
	return KJ_OK;
}

kj_err
kj_checkpoint_keygen(struct kj_ctx *ctx, const char *path, char pub_out[65])
{
	unsigned char seed[crypto_sign_SEEDBYTES], pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
	char text[sizeof(KEY_TAG) + 2 * crypto_sign_SEEDBYTES + 2], pub[2 * crypto_sign_PUBLICKEYBYTES + 2];
	char pubpath[1100];
	kj_err r;

	if (path == NULL || *path == '\0')
		return kj_failf(ctx, KJ_ERR_USAGE, "--key: required");
	if (strlen(path) + 5 > sizeof(pubpath))
		return kj_failf(ctx, KJ_ERR_INVALID, "--key: path too long");
	randombytes_buf(seed, sizeof(seed));
	crypto_sign_seed_keypair(pk, sk, seed);
	kj_strlcpy(text, KEY_TAG, sizeof(text));
	sodium_bin2hex(text + strlen(KEY_TAG), sizeof(text) - strlen(KEY_TAG), seed, sizeof(seed));
	kj_strlcpy(text + strlen(text), "\n", 2);
	sodium_bin2hex(pub, sizeof(pub), pk, sizeof(pk));
	r = write_new(ctx, path, text, strlen(text), 0600);
	sodium_memzero(seed, sizeof(seed));
	sodium_memzero(sk, sizeof(sk));
	sodium_memzero(text, sizeof(text));
	if (r != KJ_OK)
		return r;
	kj_strlcpy(pub_out, pub, 65);
	snprintf(pubpath, sizeof(pubpath), "%s.pub", path);
	kj_strlcpy(pub + 64, "\n", 2);
	return write_new(ctx, pubpath, pub, strlen(pub), 0644);
}

/* Reads the signing key, refusing one that anybody but its owner (the user running kijun)
 * could read or change: a key others can read signs for them too. */
static kj_err
key_load(struct kj_ctx *ctx, const char *path, unsigned char sk[crypto_sign_SECRETKEYBYTES],
	 unsigned char pk[crypto_sign_PUBLICKEYBYTES])
{
	unsigned char seed[crypto_sign_SEEDBYTES];
	char text[sizeof(KEY_TAG) + 2 * crypto_sign_SEEDBYTES + 8];
	struct stat sb;
	ssize_t n;
	int fd;
	kj_err r = KJ_OK;

	if (path == NULL || *path == '\0')
		return kj_failf(ctx, KJ_ERR_USAGE, "--key: required");
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return kj_failf(ctx, KJ_ERR_IO, "%s: %s", path, strerror(errno));
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		close(fd);
		return kj_failf(ctx, KJ_ERR_INVALID, "%s: not a regular file", path);
	}
	if ((sb.st_mode & 077) != 0) {
		close(fd);
		return kj_failf(ctx, KJ_ERR_DENIED, "%s: group or others may read or write the key (mode %03o); "
				"expected mode 600", path, (unsigned)(sb.st_mode & 0777));
	}
	if (sb.st_uid != geteuid()) {
		close(fd);
		return kj_failf(ctx, KJ_ERR_DENIED, "%s: the key belongs to another user (uid %u)", path, (unsigned)sb.st_uid);
	}
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n < 0)
		return kj_failf(ctx, KJ_ERR_IO, "%s: %s", path, strerror(errno));
	text[n] = '\0';
	if (strncmp(text, KEY_TAG, strlen(KEY_TAG)) != 0 || !is_hex(text + strlen(KEY_TAG), 2 * crypto_sign_SEEDBYTES) ||
	    sodium_hex2bin(seed, sizeof(seed), text + strlen(KEY_TAG), 2 * crypto_sign_SEEDBYTES, NULL, NULL, NULL) != 0)
		r = kj_failf(ctx, KJ_ERR_INVALID, "%s: not a kijun signing key (expected \"%s\" and 64 hex digits)", path, KEY_TAG);
	else
		crypto_sign_seed_keypair(pk, sk, seed);
	sodium_memzero(seed, sizeof(seed));
	sodium_memzero(text, sizeof(text));
	return r;
}

struct chain_check {
	int64_t expect, bad_seq, limit;	/* limit: the head's seq; later records are not signed */
	char digest[65];
};

static int
check_link(void *arg, int64_t seq, const char *digest, int stored_ok)
{
	struct chain_check *c = arg;

	if (seq > c->limit)
		return 1;	/* committed after the head was read (PostgreSQL reads committed) */
	if (seq != c->expect || !stored_ok) {
		c->bad_seq = seq != c->expect ? c->expect : seq;
		return 1;
	}
	kj_strlcpy(c->digest, digest, sizeof(c->digest));
	c->expect++;
	return 0;
}

kj_err
kj_checkpoint_make(struct kj_ctx *ctx, const char *key_path, const char *dir, const struct kj_checkpoint *since,
		   struct kj_checkpoint *out)
{
	unsigned char sk[crypto_sign_SECRETKEYBYTES], pk[crypto_sign_PUBLICKEYBYTES], sig[crypto_sign_BYTES];
	char sighex[2 * crypto_sign_BYTES + 1], name[40], head_digest[65];
	struct chain_check c;
	struct kj_checkpoint cp;
	int64_t head_seq;
	size_t i, k;
	struct stat sb;
	kj_err r;

	if (!kj_access_sees_all(ctx))
		return kj_failf(ctx, ctx->who.role == KJ_ROLE_NONE ? KJ_ERR_AUTH : KJ_ERR_DENIED, "not allowed");
	if (dir == NULL || *dir == '\0')
		return kj_failf(ctx, KJ_ERR_USAGE, "--dir: required");
	if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
		return kj_failf(ctx, KJ_ERR_IO, "%s: not a directory", dir);
	if ((r = key_load(ctx, key_path, sk, pk)) != KJ_OK)
		return r;
	memset(&cp, 0, sizeof(cp));
	/* The head and the records up to it are read in one snapshot, so a change committed
	 * in between cannot pass unchecked. */
	if ((r = kj_tx_begin_read(ctx)) != KJ_OK)
		goto wipe;
	r = kj_auditlog_head(ctx, &head_seq, head_digest);
	memset(&c, 0, sizeof(c));
	c.expect = since != NULL ? since->seq + 1 : 1;
	kj_strlcpy(c.digest, since != NULL ? since->digest : zeros, sizeof(c.digest));
	c.limit = r == KJ_OK ? head_seq : 0;
	if (r == KJ_OK)
		r = kj_auditlog_walk(ctx, c.expect - 1, c.digest, check_link, &c);
	r = kj_tx_end(ctx, r);
	if (r != KJ_OK)
		goto wipe;
	if (c.bad_seq != 0) {
		r = kj_failf(ctx, KJ_ERR_STATE, "record %" PRId64 " does not match its digest or is out of sequence; "
				"the log is broken and was not signed (see kijun audit verify)", c.bad_seq);
		goto wipe;
	}
	if (c.expect - 1 != head_seq || strcmp(c.digest, head_digest) != 0) {
		r = kj_failf(ctx, KJ_ERR_STATE, "the log ends at record %" PRId64 " but its head says %" PRId64
				"; the log is broken and was not signed", c.expect - 1, head_seq);
		goto wipe;
	}
	cp.seq = head_seq;
	kj_strlcpy(cp.digest, head_digest, sizeof(cp.digest));
	kj_time_format(kj_now(ctx), cp.at);
	sodium_bin2hex(cp.pubkey, sizeof(cp.pubkey), pk, sizeof(pk));
	snprintf(cp.line, sizeof(cp.line), LINE_TAG "%" PRId64 " %s %s %s", cp.seq, cp.digest, cp.at, cp.pubkey);
	crypto_sign_detached(sig, NULL, (const unsigned char *)cp.line, strlen(cp.line), sk);
	sodium_bin2hex(sighex, sizeof(sighex), sig, sizeof(sig));
	k = strlen(cp.line);
	snprintf(cp.line + k, sizeof(cp.line) - k, " %s", sighex);
	/* The file name sorts by seq, then by time: 000000000042-20261206T052500Z.ckpt. */
	for (i = 0, k = 0; cp.at[i] != '\0' && k + 1 < sizeof(name); i++) {
		if (cp.at[i] != '-' && cp.at[i] != ':')
			name[k++] = cp.at[i];
	}
	name[k] = '\0';
	snprintf(cp.file, sizeof(cp.file), "%s/%012" PRId64 "-%s" FILE_SUFFIX, dir, cp.seq, name);
	{
		char text[KJ_CHECKPOINT_LINE_MAX + 2];

		snprintf(text, sizeof(text), "%s\n", cp.line);
		r = write_new(ctx, cp.file, text, strlen(text), 0444);
	}
	if (r == KJ_OK) {
		int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		if (dfd >= 0) {
			(void)fsync(dfd);	/* the new name is durable too */
			close(dfd);
		}
		*out = cp;
	}
wipe:
	sodium_memzero(sk, sizeof(sk));
	return r;
}

/* ---- Verification ---------------------------------------------------------------------- */

struct cp_file {
	char *name;
	int64_t seq;
	char digest[65];
	int usable;		/* parsed and its signature verifies */
};

static int
cmp_cp(const void *a, const void *b)
{
	const struct cp_file *x = a, *y = b;

	if (x->seq != y->seq)
		return x->seq < y->seq ? -1 : 1;
	return strcmp(x->name, y->name);
}

static void
problem(json_t *problems, const char *file, int64_t seq, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void
problem(json_t *problems, const char *file, int64_t seq, const char *fmt, ...)
{
	char why[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	json_array_append_new(problems, json_pack("{s:s?, s:I, s:s}", "checkpoint", file, "seq", (json_int_t)seq, "why", why));
}

/* Reads the public key given as 64 hex digits or as a file holding them. */
static kj_err
pubkey_arg(struct kj_ctx *ctx, const char *arg, char out[65])
{
	char text[80];
	FILE *f;
	size_t n;

	if (strlen(arg) == 64 && is_hex(arg, 64)) {
		kj_strlcpy(out, arg, 65);
		return KJ_OK;
	}
	if ((f = fopen(arg, "r")) == NULL)
		return kj_failf(ctx, KJ_ERR_INVALID, "--pubkey: expected 64 hex digits or a file holding them (%s: %s)", arg,
				strerror(errno));
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	if (n < 64 || !is_hex(text, 64))
		return kj_failf(ctx, KJ_ERR_INVALID, "%s: expected an Ed25519 public key in 64 hex digits", arg);
	memcpy(out, text, 64);
	out[64] = '\0';
	return KJ_OK;
}

/* Copies the next field of *s (up to a space or the end) into out (size bytes); 0, or -1
 * when it is empty or too long. *s moves past the field and one space. */
static int
next_field(const char **s, char *out, size_t size)
{
	size_t n = strcspn(*s, " ");

	if (n == 0 || n >= size)
		return -1;
	memcpy(out, *s, n);
	out[n] = '\0';
	*s += n;
	if (**s == ' ')
		(*s)++;
	return 0;
}

/* The five fields after the tag, "SEQ DIGEST AT PUBKEY SIG", single spaces between: 0, or
 * -1 when the line has another shape. digest 65, at 32, pub 80 and sig 160 bytes. */
static int
split_line(const char *s, int64_t *seq, char *digest, char *at, char *pub, char *sig)
{
	char num[24];

	if (next_field(&s, num, sizeof(num)) != 0 || kj_parse_int64(num, 0, INT64_MAX, seq) != 0 ||
	    next_field(&s, digest, 65) != 0 || next_field(&s, at, 32) != 0 || next_field(&s, pub, 80) != 0 ||
	    next_field(&s, sig, 160) != 0)
		return -1;
	return *s == '\0' ? 0 : -1;
}

/* Parses and checks one checkpoint file; a problem is recorded for anything wrong. */
static void
read_checkpoint(const char *dir, struct cp_file *f, char key[65], int pinned, json_t *problems)
{
	char path[2048], text[KJ_CHECKPOINT_LINE_MAX + 2], at[32], pub[80], sighex[160];
	unsigned char pk[crypto_sign_PUBLICKEYBYTES], sig[crypto_sign_BYTES];
	int64_t seq;
	size_t n, signed_len;
	FILE *fp;
	char *sp;

	snprintf(path, sizeof(path), "%s/%s", dir, f->name);
	if ((fp = fopen(path, "r")) == NULL) {
		problem(problems, f->name, 0, "cannot be read: %s", strerror(errno));
		return;
	}
	n = fread(text, 1, sizeof(text) - 1, fp);
	fclose(fp);
	text[n] = '\0';
	if (n > 0 && text[n - 1] == '\n')
		text[--n] = '\0';
	if (strncmp(text, LINE_TAG, strlen(LINE_TAG)) != 0 || strchr(text, '\n') != NULL ||
	    split_line(text + strlen(LINE_TAG), &seq, f->digest, at, pub, sighex) != 0 ||
	    strlen(f->digest) != 64 || !is_hex(f->digest, 64) || strlen(pub) != 64 || !is_hex(pub, 64) ||
	    strlen(sighex) != 2 * crypto_sign_BYTES || !is_hex(sighex, 2 * crypto_sign_BYTES)) {
		problem(problems, f->name, 0, "not a checkpoint (expected one line \"%sSEQ DIGEST AT PUBKEY SIG\")", LINE_TAG);
		return;
	}
	f->seq = (int64_t)seq;
	sp = strrchr(text, ' ');
	signed_len = (size_t)(sp - text);
	sodium_hex2bin(pk, sizeof(pk), pub, 64, NULL, NULL, NULL);
	sodium_hex2bin(sig, sizeof(sig), sighex, strlen(sighex), NULL, NULL, NULL);
	if (crypto_sign_verify_detached(sig, (const unsigned char *)text, signed_len, pk) != 0) {
		problem(problems, f->name, f->seq, "its signature does not verify: the checkpoint was forged or altered");
		return;
	}
	if (key[0] == '\0')
		kj_strlcpy(key, pub, 65);	/* unpinned: the oldest sound checkpoint's key for all */
	if (strcmp(pub, key) != 0) {
		problem(problems, f->name, f->seq, "signed by key %.16s..., not by %s key %.16s...", pub,
			pinned ? "the given" : "the other checkpoints'", key);
		return;
	}
	f->usable = 1;
}

struct cp_walk {
	struct cp_file *v;
	size_t n, next;		/* next usable checkpoint to compare */
	int64_t expect, last_seq;
	json_t *problems;
	const struct cp_file *last_good;
};

/* Where the change lies: after the last checkpoint that still holds, up to seq. */
static const char *
change_range(const struct cp_walk *w, int64_t seq, char *buf, size_t size)
{
	if (w->last_good == NULL)
		snprintf(buf, size, "in records 1 to %" PRId64, seq);
	else
		snprintf(buf, size, "in records %" PRId64 " to %" PRId64 " (checkpoint %s of record %" PRId64 " still holds)",
			 w->last_good->seq + 1, seq, w->last_good->name, w->last_good->seq);
	return buf;
}

static int
walk_checkpoints(void *arg, int64_t seq, const char *digest, int stored_ok)
{
	struct cp_walk *w = arg;
	char since[1200];

	(void)stored_ok;
	if (seq != w->expect) {
		/* A gap: records were removed; the digests after it cannot match. */
		problem(w->problems, NULL, w->expect, "record %" PRId64 " is missing from the log (the next is %" PRId64 ")",
			w->expect, seq);
	}
	w->expect = seq + 1;
	w->last_seq = seq;
	while (w->next < w->n && (!w->v[w->next].usable || w->v[w->next].seq <= seq)) {
		struct cp_file *f = &w->v[w->next++];

		if (!f->usable)
			continue;
		if (f->seq < seq) {
			problem(w->problems, f->name, f->seq, "record %" PRId64 " is missing from the log", f->seq);
			continue;
		}
		if (strcmp(f->digest, digest) == 0) {
			w->last_good = f;
			continue;
		}
		problem(w->problems, f->name, f->seq,
			"the log up to record %" PRId64 " is not the one signed: it recomputes to digest %.16s..., the "
			"checkpoint holds %.16s...; records were changed, removed, added or reordered %s",
			f->seq, digest, f->digest, change_range(w, f->seq, since, sizeof(since)));
	}
	return 0;
}

kj_err
kj_checkpoint_verify(struct kj_ctx *ctx, const char *dir, const char *pubkey, json_t **out)
{
	struct cp_walk w;
	struct cp_file *v = NULL;
	size_t n = 0, cap = 0, i, usable = 0;
	char key[65] = "";
	json_t *problems = NULL;
	struct dirent *de;
	DIR *d;
	kj_err r = KJ_OK;

	*out = NULL;
	if (!kj_access_sees_all(ctx))
		return kj_failf(ctx, ctx->who.role == KJ_ROLE_NONE ? KJ_ERR_AUTH : KJ_ERR_DENIED, "not allowed");
	if (pubkey != NULL && (r = pubkey_arg(ctx, pubkey, key)) != KJ_OK)
		return r;
	if ((d = opendir(dir)) == NULL)
		return kj_failf(ctx, KJ_ERR_IO, "%s: %s", dir, strerror(errno));
	while ((de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);

		if (len <= strlen(FILE_SUFFIX) || strcmp(de->d_name + len - strlen(FILE_SUFFIX), FILE_SUFFIX) != 0)
			continue;
		if (n == MAX_CHECKPOINTS) {
			r = kj_failf(ctx, KJ_ERR_TOO_LARGE, "%s: more than %d checkpoints", dir, MAX_CHECKPOINTS);
			break;
		}
		if (n == cap) {
			struct cp_file *nv = realloc(v, (cap ? cap * 2 : 64) * sizeof(*v));

			if (nv == NULL) {
				r = kj_failf(ctx, KJ_ERR_NOMEM, "out of memory");
				break;
			}
			v = nv;
			cap = cap ? cap * 2 : 64;
		}
		memset(&v[n], 0, sizeof(v[n]));
		if ((v[n].name = strdup(de->d_name)) == NULL) {
			r = kj_failf(ctx, KJ_ERR_NOMEM, "out of memory");
			break;
		}
		n++;
	}
	closedir(d);
	if (r != KJ_OK)
		goto out;
	problems = json_array();
	/* By name first, so "the first checkpoint's key" is the oldest one's. */
	for (i = 0; i < n; i++)
		v[i].seq = strtoll(v[i].name, NULL, 10);
	qsort(v, n, sizeof(*v), cmp_cp);
	for (i = 0; i < n; i++) {
		read_checkpoint(dir, &v[i], key, pubkey != NULL, problems);
		usable += (size_t)v[i].usable;
	}
	qsort(v, n, sizeof(*v), cmp_cp);
	memset(&w, 0, sizeof(w));
	w.v = v;
	w.n = n;
	w.expect = 1;
	w.problems = problems;
	if ((r = kj_tx_begin_read(ctx)) != KJ_OK)
		goto out;
	r = kj_tx_end(ctx, kj_auditlog_walk(ctx, 0, zeros, walk_checkpoints, &w));
	if (r != KJ_OK)
		goto out;
	for (; w.next < n; w.next++) {
		if (v[w.next].usable)
			problem(problems, v[w.next].name, v[w.next].seq,
				"signed record %" PRId64 " but the log ends at record %" PRId64
				": records were removed from the end", v[w.next].seq, w.last_seq);
	}
	if (n == 0)
		problem(problems, NULL, 0, "%s holds no checkpoints (*%s): nothing is proven", dir, FILE_SUFFIX);
	*out = json_pack("{s:b, s:I, s:I, s:I, s:b, s:s?, s:O}", "ok", json_array_size(problems) == 0, "records",
			 (json_int_t)w.last_seq, "checkpoints", (json_int_t)n, "verified", (json_int_t)usable,
			 "key_pinned", pubkey != NULL, "key", key[0] ? key : NULL, "problems", problems);
	if (*out == NULL)
		r = kj_failf(ctx, KJ_ERR_NOMEM, "out of memory");
out:
	json_decref(problems);
	for (i = 0; i < n; i++)
		free(v[i].name);
	free(v);
	return r;
}
