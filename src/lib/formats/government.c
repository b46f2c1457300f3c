/*
 * government.c: importing a list of organisations (government.h).
 *
 * Each entry: code, kind, name_ja, name_en, parent, supervisor, valid_from, and for
 * organisations that no longer exist valid_to and successor. Parents and supervisors must
 * come earlier in the list. Abolitions are applied after every entry exists, last entry
 * first, so that units go before the organisations above them.
 */
#include "government.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "../base/jsonin.h"
#include "../base/limits.h"
#include "../base/util.h"
#include "../db/db.h"
#include "../model/org.h"

static const char *const root_keys[] = {"format", "version", "organisations", NULL};
static const char *const org_keys[] = {"code", "kind", "name_ja", "name_en", "parent", "supervisor",
				       "valid_from", "valid_to", "successor", "id", NULL};

kj_err
kj_government_import_mem(struct kj_ctx *ctx, const char *name, const char *data, size_t len,
			 size_t *n_out)
{
	json_t *doc = NULL, *orgs, *o;
	struct kj_jpath path;
	const char *fmt;
	size_t i, n = 0;
	kj_err r;

	if (len > KJ_MAX_GOVERNMENT_BYTES)
		return kj_failf(ctx, KJ_ERR_TOO_LARGE, "%s: more than %u bytes", name,
				KJ_MAX_GOVERNMENT_BYTES);
	if ((r = kj_json_parse(ctx, name, data, len, &doc)) != KJ_OK)
		return r;
	kj_jpath_init(&path);
	if ((r = kj_json_allow(ctx, name, &path, doc, root_keys)) != KJ_OK ||
	    (r = kj_json_str(ctx, name, &path, doc, "format", 1, 32, &fmt)) != KJ_OK)
		goto done;
	if (strcmp(fmt, "kijun-government") != 0) {
		r = kj_json_fail(ctx, KJ_ERR_INVALID, name, &path, "format", "expected \"kijun-government\"");
		goto done;
	}
	orgs = json_object_get(doc, "organisations");
	kj_jpath_key(&path, "organisations");
	if (!json_is_array(orgs)) {
		r = kj_json_fail(ctx, KJ_ERR_INVALID, name, &path, NULL, "expected an array");
		goto done;
	}
	if ((r = kj_tx_begin(ctx)) != KJ_OK)
		goto done;
	json_array_foreach(orgs, i, o) {
		size_t mark = kj_jpath_index(&path, i);
		struct kj_org_new in;

		memset(&in, 0, sizeof(in));
		if ((r = kj_json_allow(ctx, name, &path, o, org_keys)) != KJ_OK ||
		    (r = kj_json_str(ctx, name, &path, o, "code", 1, KJ_MAX_CODE_BYTES, &in.code)) != KJ_OK ||
		    (r = kj_json_str(ctx, name, &path, o, "kind", 1, 32, &in.kind)) != KJ_OK ||
		    (r = kj_json_str(ctx, name, &path, o, "name_ja", 1, KJ_MAX_ORG_NAME_BYTES, &in.name_ja)) != KJ_OK ||
		    (r = kj_json_str(ctx, name, &path, o, "name_en", 1, KJ_MAX_ORG_NAME_BYTES, &in.name_en)) != KJ_OK ||
		    (r = kj_json_str(ctx, name, &path, o, "parent", 0, KJ_MAX_CODE_BYTES, &in.parent)) != KJ_OK ||
		    (r = kj_json_str(ctx, name, &path, o, "supervisor", 0, KJ_MAX_CODE_BYTES, &in.supervisor)) != KJ_OK ||
		    (r = kj_json_str(ctx, name, &path, o, "valid_from", 0, 10, &in.valid_from)) != KJ_OK ||
		    (r = kj_json_str(ctx, name, &path, o, "id", 0, 36, &in.uuid)) != KJ_OK)
			break;
		if ((r = kj_org_create(ctx, &in, NULL)) != KJ_OK) {
			kj_failf_prefix(ctx, r, "%s: %s", name, path.s);
			break;
		}
		kj_jpath_pop(&path, mark);
		n++;
	}
	for (i = json_array_size(orgs); r == KJ_OK && i-- > 0;) {
		const char *code, *to, *succ;
		char day[11];

		o = json_array_get(orgs, i);
		kj_jpath_pop(&path, strlen("$.organisations"));
		kj_jpath_index(&path, i);
		if ((r = kj_json_str(ctx, name, &path, o, "valid_to", 0, 10, &to)) != KJ_OK ||
		    (r = kj_json_str(ctx, name, &path, o, "successor", 0, KJ_MAX_CODE_BYTES, &succ)) != KJ_OK)
			break;
		if (to == NULL) {
			if (succ != NULL)
				r = kj_json_fail(ctx, KJ_ERR_INVALID, name, &path, "successor",
						 "only an organisation with valid_to has a successor");
			continue;
		}
		code = json_string_value(json_object_get(o, "code"));
		if (kj_date_add_days(to, 1, day) != 0) {
			r = kj_json_fail(ctx, KJ_ERR_INVALID, name, &path, "valid_to", "expected a date YYYY-MM-DD");
			break;
		}
		if ((r = kj_org_abolish(ctx, code, day, succ, NULL)) != KJ_OK)
			kj_failf_prefix(ctx, r, "%s: %s", name, path.s);
	}
	r = kj_tx_end(ctx, r);
	if (r == KJ_OK && n_out != NULL)
		*n_out = n;
done:
	json_decref(doc);
	return r;
}
