#!/usr/bin/env python3
"""auditlog_rechain.py: what an insider with write access to the database can do to the
audit log: recompute every digest of the chain after editing, removing or reordering
records, so that the chain holds again. Reads the records as tab-separated lines
(seq, at, actor, actor_org_id, org_id, entity, entity_id, op, state_digest; in seq order)
on stdin and writes the SQL that rewrites prev_digest, digest and the head on stdout.

The digest is BLAKE2b-256 over the previous digest and the record's fields, each followed
by a newline (src/lib/model/auditlog.c). Used by tests/cli/test_auditlog.sh only.
"""
import hashlib
import sys

prev = "0" * 64
last = 0
out = ["BEGIN;"]
for line in sys.stdin.read().splitlines():
    if not line:
        continue
    f = line.split("\t")
    if len(f) != 9:
        sys.exit("auditlog_rechain.py: expected 9 tab-separated fields, got %d: %r" % (len(f), line))
    seq, at, actor, actor_org, org, entity, entity_id, op, state = f
    text = "\n".join([prev, seq, at, actor, actor_org or "0", org or "0", entity, entity_id, op, state]) + "\n"
    digest = hashlib.blake2b(text.encode(), digest_size=32).hexdigest()
    out.append("UPDATE audit_log SET prev_digest = '%s', digest = '%s' WHERE seq = %s;" % (prev, digest, seq))
    prev, last = digest, int(seq)
out.append("UPDATE audit_head SET seq = %d, digest = '%s' WHERE id = 1;" % (last, prev))
out.append("COMMIT;")
print("\n".join(out))
