/*
 * strmap.h: a map from strings to indexes (open addressing). The keys are not copied:
 * they must outlive the map.
 */
#ifndef KJ_STRMAP_H
#define KJ_STRMAP_H

#include <stddef.h>

struct kj_strmap {
	const char **keys;
	long *vals;
	size_t cap, n;
};

void kj_strmap_init(struct kj_strmap *m);
void kj_strmap_free(struct kj_strmap *m);
/* Sets key to val. Returns 1 if the key was new, 0 if it replaced a value, -1 when out of
 * memory. */
int kj_strmap_put(struct kj_strmap *m, const char *key, long val);
/* The value of key, or -1. */
long kj_strmap_get(const struct kj_strmap *m, const char *key);

#endif
