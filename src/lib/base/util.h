/*
 * util.h: small helpers without a better home: dates, UUIDs, file reading, UTF-8 checks.
 */
#ifndef KJ_UTIL_H
#define KJ_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* A random (version 4) UUID in its 36-character text form; out has room for 37 bytes. */
void kj_uuid_v4(char out[37]);
/* 1 when s is a UUID in canonical text form (any version, lower or upper case). */
int kj_uuid_valid(const char *s);

/* 1 when s is a real calendar date YYYY-MM-DD. */
int kj_date_valid(const char *s);
/* t (seconds since the epoch) as YYYY-MM-DD in UTC; out has room for 11 bytes. */
void kj_date_format(int64_t t, char out[11]);
/* t as YYYY-MM-DDTHH:MM:SSZ; out has room for 21 bytes. */
void kj_time_format(int64_t t, char out[21]);
/* The date n days after (n < 0: before) date YYYY-MM-DD; out has room for 11 bytes.
 * Returns -1 if date is invalid. */
int kj_date_add_days(const char *date, int n, char out[11]);
/* The Japanese fiscal year (April to March) a date YYYY-MM-DD falls in; -1 if invalid. */
int kj_fiscal_year(const char *date);

/* Reads a whole file of at most max bytes. On success *data_out is NUL-terminated (free
 * with free()) and *len_out is its length. Fails with KJ_ERR_IO or KJ_ERR_TOO_LARGE and a
 * message naming the file. */
kj_err kj_file_read(struct kj_ctx *ctx, const char *path, size_t max, char **data_out,
		    size_t *len_out);

/* 1 when s is a code or name: 1 to max bytes, each one of chars, the first not '-' (on a
 * command line such a code would be read as an option). */
int kj_code_ok(const char *s, const char *chars, size_t max);

/* 1 when the n bytes at s are well-formed UTF-8 without NUL bytes. */
int kj_utf8_valid(const char *s, size_t n);

/* Replaces every byte of s that is not part of well-formed UTF-8 with '?', in place, so
 * that a message built from cut-off user text is still valid UTF-8. */
void kj_utf8_repair(char *s);

/* Copies s into dst of size dstsize, truncating on a character boundary; always
 * NUL-terminates (when dstsize > 0). */
void kj_strlcpy(char *dst, const char *s, size_t dstsize);

/* Parses a decimal integer in [min, max] that fills all of s. 0 on success. */
int kj_parse_int64(const char *s, int64_t min, int64_t max, int64_t *out);

#endif
