/*
 * embedded.h: files built into the binary by tools/embed.c (migrations, demo data).
 */
#ifndef KJ_EMBEDDED_H
#define KJ_EMBEDDED_H

#include <stddef.h>

struct kj_embedded {
	const char *name;	/* base name of the file; NULL ends an array */
	const char *data;	/* NUL-terminated */
	size_t len;
};

/* The numbered migrations, in order (migrations/NNNN_name.sql). */
extern const struct kj_embedded kj_embedded_migrations[];
/* The demo data (data/demo/). */
extern const struct kj_embedded kj_embedded_demo[];
/* Documents the server serves (docs/openapi.json). */
extern const struct kj_embedded kj_embedded_docs[];

/* The entry of arr named name, or NULL. */
const struct kj_embedded *kj_embedded_find(const struct kj_embedded *arr, const char *name);

#endif
