/*
 * api_meta.c: health, the OpenAPI document, and the benchmark-only trivial route.
 */
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "base/embedded.h"

void
api_health(struct kj_req *rq)
{
	kj_reply_json(rq, 200, json_pack("{s:s, s:s}", "status", "ok", "version", KIJUN_VERSION));
}

void
api_openapi(struct kj_req *rq)
{
	const struct kj_embedded *e = kj_embedded_find(kj_embedded_docs, "openapi.json");
	char *copy;

	if (e == NULL || (copy = malloc(e->len + 1)) == NULL) {
		kj_reply_error(rq, KJ_ERR_INTERNAL, "the OpenAPI document is missing from this build");
		return;
	}
	memcpy(copy, e->data, e->len + 1);
	kj_reply_raw(rq, 200, "application/json; charset=utf-8", copy, e->len);
}

/* The least a handler can do: the benchmark's yardstick for the real routes. */
void
api_bench_trivial(struct kj_req *rq)
{
	static const char body[] = "{\"ok\":true}";
	char *s = malloc(sizeof(body));

	if (s == NULL) {
		kj_reply_error(rq, KJ_ERR_NOMEM, NULL);
		return;
	}
	memcpy(s, body, sizeof(body));
	kj_reply_raw(rq, 200, "application/json; charset=utf-8", s, sizeof(body) - 1);
}
