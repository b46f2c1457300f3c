/*
 * strmap.c: FNV-1a hashed, linear probing, kept under half full.
 */
#include "strmap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t
hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ull;
	}
	return h;
}

void
kj_strmap_init(struct kj_strmap *m)
{
	memset(m, 0, sizeof(*m));
}

void
kj_strmap_free(struct kj_strmap *m)
{
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof(*m));
}

static int
grow(struct kj_strmap *m)
{
	size_t ncap = m->cap ? m->cap * 2 : 64, i;
	const char **keys = calloc(ncap, sizeof(*keys));
	long *vals = calloc(ncap, sizeof(*vals));

	if (keys == NULL || vals == NULL) {
		free(keys);
		free(vals);
		return -1;
	}
	for (i = 0; i < m->cap; i++) {
		size_t j;

		if (m->keys[i] == NULL)
			continue;
		for (j = hash(m->keys[i]) & (ncap - 1); keys[j] != NULL; j = (j + 1) & (ncap - 1))
			;
		keys[j] = m->keys[i];
		vals[j] = m->vals[i];
	}
	free(m->keys);
	free(m->vals);
	m->keys = keys;
	m->vals = vals;
	m->cap = ncap;
	return 0;
}

int
kj_strmap_put(struct kj_strmap *m, const char *key, long val)
{
	size_t j;

	if ((m->n + 1) * 2 > m->cap && grow(m) != 0)
		return -1;
	for (j = hash(key) & (m->cap - 1); m->keys[j] != NULL; j = (j + 1) & (m->cap - 1)) {
		if (strcmp(m->keys[j], key) == 0) {
			m->vals[j] = val;
			return 0;
		}
	}
	m->keys[j] = key;
	m->vals[j] = val;
	m->n++;
	return 1;
}

long
kj_strmap_get(const struct kj_strmap *m, const char *key)
{
	size_t j;

	if (m->cap == 0)
		return -1;
	for (j = hash(key) & (m->cap - 1); m->keys[j] != NULL; j = (j + 1) & (m->cap - 1)) {
		if (strcmp(m->keys[j], key) == 0)
			return m->vals[j];
	}
	return -1;
}
