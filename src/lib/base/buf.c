/*
 * buf.c: the growable buffer of buf.h.
 */
#include "buf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
kj_buf_init(struct kj_buf *b, size_t max)
{
	memset(b, 0, sizeof(*b));
	b->max = max;
}

void
kj_buf_free(struct kj_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

void
kj_buf_reset(struct kj_buf *b)
{
	b->len = 0;
	b->failed = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}

static int
grow(struct kj_buf *b, size_t extra)
{
	size_t need, ncap;
	char *p;

	if (b->failed)
		return -1;
	if (extra > SIZE_MAX - b->len - 1)
		goto fail;
	need = b->len + extra + 1;
	if (b->max != 0 && need > b->max + 1)
		goto fail;
	if (need <= b->cap)
		return 0;
	ncap = b->cap ? b->cap : 64;
	while (ncap < need) {
		if (ncap > SIZE_MAX / 2)
			goto fail;
		ncap *= 2;
	}
	p = realloc(b->data, ncap);
	if (p == NULL)
		goto fail;
	b->data = p;
	b->cap = ncap;
	return 0;
fail:
	b->failed = 1;
	return -1;
}

void
kj_buf_append(struct kj_buf *b, const void *p, size_t n)
{
	if (grow(b, n) != 0)
		return;
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void
kj_buf_puts(struct kj_buf *b, const char *s)
{
	kj_buf_append(b, s, strlen(s));
}

void
kj_buf_putc(struct kj_buf *b, char c)
{
	kj_buf_append(b, &c, 1);
}

void
kj_buf_vprintf(struct kj_buf *b, const char *fmt, va_list ap)
{
	va_list aq;
	int n;

	if (b->failed)
		return;
	va_copy(aq, ap);
	n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n < 0) {
		b->failed = 1;
		return;
	}
	if (grow(b, (size_t)n) != 0)
		return;
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void
kj_buf_printf(struct kj_buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	kj_buf_vprintf(b, fmt, ap);
	va_end(ap);
}

const char *
kj_buf_cstr(struct kj_buf *b)
{
	if (b->data == NULL || b->failed)
		return "";
	return b->data;
}

int
kj_buf_failed(const struct kj_buf *b)
{
	return b->failed;
}

char *
kj_buf_take(struct kj_buf *b)
{
	char *p;

	if (b->failed) {
		kj_buf_free(b);
		b->failed = 0;
		return NULL;
	}
	if (b->data == NULL) {
		p = calloc(1, 1);
	} else {
		p = b->data;
	}
	b->data = NULL;
	b->len = b->cap = 0;
	return p;
}
