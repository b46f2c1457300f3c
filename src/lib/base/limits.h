/*
 * limits.h: every limit kijun puts on input it did not write, with the reason beside it.
 * Each is checked before the data is accepted.
 */
#ifndef KJ_LIMITS_H
#define KJ_LIMITS_H

/* A catalogue file. NIST SP 800-53 rev5, the largest catalogue we know, is 3.2 MB in OSCAL
 * JSON; a whole edition of the unified standard is well under 1 MB. 64 MB leaves room for
 * back-matter with embedded resources and still bounds memory during import. */
#define KJ_MAX_CATALOG_BYTES (64u * 1024u * 1024u)

/* A government organisation list. A whole government is a few thousand units. */
#define KJ_MAX_GOVERNMENT_BYTES (16u * 1024u * 1024u)

/* JSON nesting. OSCAL catalogues nest groups, controls, enhancements and parts about 12
 * deep; 64 bounds the recursion of our own walkers. */
#define KJ_MAX_JSON_DEPTH 64

/* Items (parts, chapters, requirements, controls, ...) in one edition. The 2025 unified
 * standard has under 1,500 and NIST SP 800-53 about 1,200 controls plus structure. */
#define KJ_MAX_ITEMS_PER_EDITION 100000

/* One item number, such as 2.1.1(8)(a)(ア) or ac-2.4. */
#define KJ_MAX_NUMBER_BYTES 64

/* A short identifier: organisation code, edition id. */
#define KJ_MAX_CODE_BYTES 64

/* An organisation's name in one language. The longest real ministry name is under 100
 * bytes in UTF-8; 300 leaves room without letting a list of thousands grow large. */
#define KJ_MAX_ORG_NAME_BYTES 300

/* One title or name. */
#define KJ_MAX_TITLE_BYTES 1024

/* One requirement text in one language. The longest NIST control statement flattened with
 * its items is about 9 KB. */
#define KJ_MAX_TEXT_BYTES (256u * 1024u)

/* Depth of the organisation tree: centre or ministry, bureau, division, office, ... */
#define KJ_MAX_ORG_DEPTH 16

/* An evidence file attached to an answer: a scan or a screenshot, not an archive. */
#define KJ_MAX_EVIDENCE_BYTES (10u * 1024u * 1024u)

/* Items of one self-inspection campaign. */
#define KJ_MAX_CAMPAIGN_ITEMS 5000

/* An answers CSV: 9 million answers of a government-wide campaign at about 60 bytes each
 * fit; larger loads are split. */
#define KJ_MAX_ANSWERS_CSV_BYTES (1024u * 1024u * 1024u)

/* Rows of one answer comment. */
#define KJ_MAX_COMMENT_BYTES 4096

/* Rows of a correspondence table. */
#define KJ_MAX_CORRESPONDENCE_ROWS 200000

/* An HTTP request target (path and query). The longest the API and the web interface make
 * is a few hundred bytes; 16 KiB leaves room for long search terms. Over it: 414. */
#define KJ_MAX_URL_BYTES (16u * 1024u)

/* An HTTP request head (request line and header fields). Browsers send under 8 KiB with
 * their cookies. Over it: 431. Both must stay well below the server's per-connection
 * memory (64 KiB), or libmicrohttpd refuses first with its own bare reply. */
#define KJ_MAX_HEAD_BYTES (32u * 1024u)

#endif
