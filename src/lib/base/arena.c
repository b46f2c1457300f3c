/*
 * arena.c: a chain of blocks; big requests get a block of their own.
 */
#include "arena.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define BLOCK_BYTES (64u * 1024u)

struct kj_arena_block {
	struct kj_arena_block *next;
	size_t size, off;
	alignas(max_align_t) unsigned char data[];
};

void
kj_arena_init(struct kj_arena *a)
{
	a->head = NULL;
	a->used = 0;
}

void
kj_arena_free(struct kj_arena *a)
{
	struct kj_arena_block *b = a->head, *next;

	for (; b != NULL; b = next) {
		next = b->next;
		free(b);
	}
	a->head = NULL;
	a->used = 0;
}

void *
kj_arena_alloc(struct kj_arena *a, size_t n)
{
	const size_t align = alignof(max_align_t);
	struct kj_arena_block *b = a->head;
	size_t off, size;
	void *p;

	if (n > SIZE_MAX - align)
		return NULL;
	n = (n + align - 1) & ~(align - 1);
	if (b == NULL || b->size - b->off < n) {
		size = n > BLOCK_BYTES / 4 ? n : BLOCK_BYTES;
		b = malloc(sizeof(*b) + size);
		if (b == NULL)
			return NULL;
		b->size = size;
		b->off = 0;
		if (n > BLOCK_BYTES / 4 && a->head != NULL) {
			/* Keep filling the current block; the big one goes behind it. */
			b->next = a->head->next;
			a->head->next = b;
		} else {
			b->next = a->head;
			a->head = b;
		}
	}
	off = b->off;
	b->off += n;
	a->used += n;
	p = b->data + off;
	memset(p, 0, n);
	return p;
}

char *
kj_arena_strndup(struct kj_arena *a, const char *s, size_t n)
{
	char *p;

	if (s == NULL)
		return NULL;
	p = kj_arena_alloc(a, n + 1);
	if (p == NULL)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
kj_arena_strdup(struct kj_arena *a, const char *s)
{
	return s == NULL ? NULL : kj_arena_strndup(a, s, strlen(s));
}
