/*
 * buf.h: a growable byte buffer with a sticky error.
 *
 * Append as often as needed and check once: after the first failed allocation (or after
 * the buffer would pass its cap) every append is a no-op and kj_buf_failed() is true.
 * The contents are always NUL-terminated when len > 0 or after kj_buf_cstr().
 */
#ifndef KJ_BUF_H
#define KJ_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct kj_buf {
	char *data;
	size_t len;
	size_t cap;
	size_t max;	/* 0: no cap beyond memory */
	int failed;
};

/* A buffer that may grow to max bytes (0 for no cap). No allocation until first use. */
void kj_buf_init(struct kj_buf *b, size_t max);
void kj_buf_free(struct kj_buf *b);
void kj_buf_reset(struct kj_buf *b);	/* len = 0, keeps memory and clears the error */
void kj_buf_append(struct kj_buf *b, const void *p, size_t n);
void kj_buf_puts(struct kj_buf *b, const char *s);
void kj_buf_putc(struct kj_buf *b, char c);
void kj_buf_printf(struct kj_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void kj_buf_vprintf(struct kj_buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* Never NULL: "" for an empty buffer. Valid until the next append. */
const char *kj_buf_cstr(struct kj_buf *b);
int kj_buf_failed(const struct kj_buf *b);
/* Hands the contents to the caller (free with free()); the buffer becomes empty. NULL on
 * failure. */
char *kj_buf_take(struct kj_buf *b);

#endif
