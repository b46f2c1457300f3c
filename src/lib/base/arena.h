/*
 * arena.h: memory by lifetime. Everything allocated from an arena is freed at once with
 * kj_arena_free; nothing in it is freed alone. Used for one import, one export, one
 * command run.
 */
#ifndef KJ_ARENA_H
#define KJ_ARENA_H

#include <stddef.h>

struct kj_arena_block;

struct kj_arena {
	struct kj_arena_block *head;
	size_t used;		/* bytes handed out, for the memory benchmark */
};

void kj_arena_init(struct kj_arena *a);
void kj_arena_free(struct kj_arena *a);
/* n bytes aligned for any type, zeroed; NULL when out of memory. */
void *kj_arena_alloc(struct kj_arena *a, size_t n);
/* A copy of s (NULL stays NULL); NULL also when out of memory, so callers that pass a
 * non-NULL s check the result. */
char *kj_arena_strdup(struct kj_arena *a, const char *s);
char *kj_arena_strndup(struct kj_arena *a, const char *s, size_t n);

#endif
