/*
 * util.c: dates, UUIDs, bounded file reading, UTF-8 checks.
 */
#include "util.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <sodium.h>

void
kj_uuid_v4(char out[37])
{
	unsigned char b[16];
	static const char hex[] = "0123456789abcdef";
	int i, j;

	randombytes_buf(b, sizeof(b));
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	for (i = 0, j = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[j++] = '-';
		out[j++] = hex[b[i] >> 4];
		out[j++] = hex[b[i] & 15];
	}
	out[j] = '\0';
}

int
kj_uuid_valid(const char *s)
{
	int i;

	if (s == NULL || strlen(s) != 36)
		return 0;
	for (i = 0; i < 36; i++) {
		char c = s[i];

		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (c != '-')
				return 0;
		} else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
			     (c >= 'A' && c <= 'F'))) {
			return 0;
		}
	}
	return 1;
}

static int
digits(const char *s, int n, int *out)
{
	int v = 0, i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 1;
}

int
kj_date_valid(const char *s)
{
	static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int y, m, d, dim;

	if (s == NULL || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return 0;
	if (!digits(s, 4, &y) || !digits(s + 5, 2, &m) || !digits(s + 8, 2, &d))
		return 0;
	if (y < 1868 || m < 1 || m > 12 || d < 1)
		return 0;
	dim = mdays[m - 1];
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		dim = 29;
	return d <= dim;
}

/* The civil date of a day count since 1970-01-01, by the days-from-civil arithmetic of the
 * proleptic Gregorian calendar: no time-zone machinery, so no lock shared between the
 * server's threads (glibc's gmtime_r takes one). */
static void
civil(int64_t days, int *y, int *m, int *d)
{
	int64_t z = days + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;

	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

static int64_t
floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/* Writes v (0 <= v < 10^n) as n digits. */
static void
digits_out(char *p, int v, int n)
{
	while (n-- > 0) {
		p[n] = (char)('0' + v % 10);
		v /= 10;
	}
}

void
kj_date_format(int64_t t, char out[11])
{
	int y, m, d;

	civil(floor_div(t, 86400), &y, &m, &d);
	digits_out(out, ((y % 10000) + 10000) % 10000, 4);
	out[4] = '-';
	digits_out(out + 5, m, 2);
	out[7] = '-';
	digits_out(out + 8, d, 2);
	out[10] = '\0';
}

void
kj_time_format(int64_t t, char out[21])
{
	int64_t days = floor_div(t, 86400);
	int secs = (int)(t - days * 86400);

	kj_date_format(t, out);
	out[10] = 'T';
	digits_out(out + 11, secs / 3600, 2);
	out[13] = ':';
	digits_out(out + 14, secs / 60 % 60, 2);
	out[16] = ':';
	digits_out(out + 17, secs % 60, 2);
	out[19] = 'Z';
	out[20] = '\0';
}

int
kj_date_add_days(const char *date, int n, char out[11])
{
	struct tm tm;
	int y = 0, m = 0, d = 0;
	time_t t;

	if (!kj_date_valid(date))
		return -1;
	digits(date, 4, &y);
	digits(date + 5, 2, &m);
	digits(date + 8, 2, &d);
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d + n;
	tm.tm_hour = 12;
	t = timegm(&tm);
	kj_date_format((int64_t)t, out);
	return 0;
}

int
kj_fiscal_year(const char *date)
{
	int y = 0, m = 0;

	if (!kj_date_valid(date))
		return -1;
	digits(date, 4, &y);
	digits(date + 5, 2, &m);
	return m >= 4 ? y : y - 1;
}

kj_err
kj_file_read(struct kj_ctx *ctx, const char *path, size_t max, char **data_out,
	     size_t *len_out)
{
	FILE *f;
	struct stat st;
	char *data = NULL;
	size_t len = 0, cap, n;
	kj_err r = KJ_OK;

	f = fopen(path, "rb");
	if (f == NULL)
		return kj_failf(ctx, KJ_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
	if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
		r = kj_failf(ctx, KJ_ERR_IO, "%s: is a directory", path);
		goto out;
	}
	if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && (uintmax_t)st.st_size > max) {
		r = kj_failf(ctx, KJ_ERR_TOO_LARGE, "%s: file is %jd bytes, more than the limit of %zu",
			     path, (intmax_t)st.st_size, max);
		goto out;
	}
	/* Read in chunks so that pipes and files that grow while read are bounded too. */
	cap = 65536;
	data = malloc(cap + 1);
	if (data == NULL) {
		r = kj_failf(ctx, KJ_ERR_NOMEM, "%s: out of memory", path);
		goto out;
	}
	while ((n = fread(data + len, 1, cap - len, f)) > 0) {
		len += n;
		if (len > max) {
			r = kj_failf(ctx, KJ_ERR_TOO_LARGE, "%s: more than the limit of %zu bytes",
				     path, max);
			goto out;
		}
		if (len == cap) {
			char *p;

			cap *= 2;
			p = realloc(data, cap + 1);
			if (p == NULL) {
				r = kj_failf(ctx, KJ_ERR_NOMEM, "%s: out of memory", path);
				goto out;
			}
			data = p;
		}
	}
	if (ferror(f)) {
		r = kj_failf(ctx, KJ_ERR_IO, "%s: read error", path);
		goto out;
	}
	data[len] = '\0';
	*data_out = data;
	*len_out = len;
	data = NULL;
out:
	free(data);
	fclose(f);
	return r;
}

int
kj_utf8_valid(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	while (i < n) {
		unsigned c = s[i];
		size_t k;
		unsigned cp;

		if (c == 0)
			return 0;
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			k = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			k = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			k = 3;
			cp = c & 0x07;
		} else {
			return 0;
		}
		if (n - i <= k)
			return 0;
		for (size_t j = 1; j <= k; j++) {
			if ((s[i + j] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i + j] & 0x3f);
		}
		if ((k == 2 && cp < 0x800) || (k == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += k + 1;
	}
	return 1;
}

void
kj_utf8_repair(char *str)
{
	unsigned char *s = (unsigned char *)str;
	size_t n = strlen(str), i = 0;

	while (i < n) {
		unsigned c = s[i];
		size_t k = c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : 0;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (k == 0 || n - i < k + 1 || !kj_utf8_valid((const char *)s + i, k + 1)) {
			s[i++] = '?';
			continue;
		}
		i += k + 1;
	}
}

void
kj_strlcpy(char *dst, const char *s, size_t dstsize)
{
	size_t n;

	if (dstsize == 0)
		return;
	n = strlen(s);
	if (n >= dstsize) {
		n = dstsize - 1;
		/* Do not cut a UTF-8 sequence in half. */
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	memcpy(dst, s, n);
	dst[n] = '\0';
}

int
kj_parse_int64(const char *s, int64_t min, int64_t max, int64_t *out)
{
	char *end;
	long long v;

	if (s == NULL || *s == '\0')
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	*out = (int64_t)v;
	return 0;
}

#include "embedded.h"

const struct kj_embedded *
kj_embedded_find(const struct kj_embedded *arr, const char *name)
{
	for (; arr->name != NULL; arr++) {
		if (strcmp(arr->name, name) == 0)
			return arr;
	}
	return NULL;
}

int
kj_code_ok(const char *s, const char *chars, size_t max)
{
	size_t n = s != NULL ? strlen(s) : 0;

	return n > 0 && n <= max && s[0] != '-' && strspn(s, chars) == n;
}
