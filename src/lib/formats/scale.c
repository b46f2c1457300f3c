/*
 * scale.c: the national-scale data set (scale.h).
 *
 * Owns nothing but the rows it writes. Organisations, editions and the two log-in accounts
 * go through the model (org.c, standard.c, account.c), which checks them and writes their
 * audit records; every other table is written with the bulk loader, with ids chosen here
 * so that rows can name each other. On PostgreSQL the identity sequences are moved past
 * those ids at the end, so that later inserts through the model do not collide.
 *
 * Randomness is a hash of the seed and of what is being drawn (year, organisation,
 * checklist, requirement), not a sequence: each table is loaded in its own pass (one bulk
 * load at a time, as COPY requires), and every pass sees the same draws. The roll-up
 * counters are therefore exactly the sums of the answers, whether or not the answers are
 * written.
 */
#include "scale.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "../base/util.h"
#include "../db/db.h"
#include "../model/account.h"
#include "../model/auditlog.h"
#include "../model/org.h"
#include "../model/standard.h"

#define DEFAULT_ORGS 1000
#define DEFAULT_MINISTRIES 25
#define DEFAULT_REQUIREMENTS 400
#define DEFAULT_YEARS 10
#define DEFAULT_SEED 20160401u
#define NPARTS 8
#define NBUREAUS 4
#define NAUDITORS 20
#define NSCOPE 24	/* requirements in an engagement's scope, at most */
#define MAX_RESP (1 + NBUREAUS * 3)	/* respondents of a ministry */

/* ---- Words ----------------------------------------------------------------------------- */

static const struct {
	const char *code, *ja, *en;
} ministries[] = {
	{"MHA", "内政", "Internal Affairs"}, {"MPF", "財政", "Public Finance"}, {"MJA", "法務", "Justice"},
	{"MFA", "外務", "Foreign Affairs"}, {"MEC", "文教", "Education and Culture"},
	{"MHS", "厚生", "Health and Social Security"}, {"MLA", "労働", "Labour"},
	{"MAF", "農林", "Agriculture and Forestry"}, {"MFI", "水産", "Fisheries"}, {"MEI", "経済", "Economy"},
	{"MTI", "通商", "Trade and Industry"}, {"MLT", "国土交通", "Land and Transport"}, {"MER", "環境", "Environment"},
	{"MDF", "防衛", "Defence"}, {"MRC", "復興", "Reconstruction"}, {"MDG", "デジタル", "Digital Affairs"},
	{"MST", "科学技術", "Science and Technology"}, {"MCO", "通信", "Communications"}, {"MTO", "観光", "Tourism"},
	{"MCA", "消費者", "Consumer Affairs"}, {"MCF", "こども家庭", "Children and Families"},
	{"MSP", "宇宙", "Space Policy"}, {"MMA", "海洋", "Maritime Affairs"}, {"MEN", "エネルギー", "Energy"},
	{"MDM", "防災", "Disaster Management"}, {"MCU", "文化", "Culture"}, {"MSW", "スポーツ", "Sport"},
	{"MHO", "住宅", "Housing"}, {"MWA", "水資源", "Water Resources"}, {"MPO", "郵政", "Postal Services"},
};

static const struct {
	const char *code, *ja, *en;
} bureaus[NBUREAUS] = {
	{"GA", "大臣官房", "Minister's Secretariat"},
	{"PL", "政策局", "Policy Bureau"},
	{"OP", "業務局", "Operations Bureau"},
	{"IT", "情報政策局", "Information Policy Bureau"},
};

static const struct {
	const char *ja, *en;
} agency_kinds[] = {
	{"研究所", "Research Institute"}, {"機構", "Agency"}, {"センター", "Centre"}, {"大学校", "College"},
	{"事業団", "Service"}, {"博物館", "Museum"}, {"病院機構", "Hospital Organisation"}, {"検査所", "Inspection Office"},
}, corp_kinds[] = {
	{"公庫", "Finance Corporation"}, {"公社", "Public Corporation"}, {"基金", "Fund"}, {"振興会社", "Promotion Company"},
};

static const struct {
	const char *ja, *en;
} parts[NPARTS] = {
	{"総則", "General provisions"},
	{"組織と体制", "Organisation and governance"},
	{"情報の取扱い", "Handling of information"},
	{"外部委託", "Outsourcing and external services"},
	{"情報システムのライフサイクル", "Life cycle of information systems"},
	{"情報システムのセキュリティ要件", "Security requirements of information systems"},
	{"情報システムの構成要素", "Components of information systems"},
	{"個別の対策", "Specific measures"},
};

static const struct {
	const char *ja, *en;
} subjects[] = {
	{"利用者の識別と認証", "identification and authentication of users"},
	{"アクセス権限", "access rights"},
	{"ログの取得と点検", "collecting and reviewing logs"},
	{"脆弱性への対処", "handling vulnerabilities"},
	{"不正プログラム対策", "protection against malware"},
	{"外部記録媒体", "removable media"},
	{"暗号と電子署名", "cryptography and electronic signatures"},
	{"委託先の管理", "managing contractors"},
	{"クラウドサービスの利用", "the use of cloud services"},
	{"端末の管理", "managing terminals"},
	{"サーバの管理", "managing servers"},
	{"ネットワークの分離", "network segmentation"},
	{"インシデント対応", "incident response"},
	{"教育と訓練", "education and training"},
	{"情報の格付", "classifying information"},
	{"情報の持ち出しと送信", "taking out and sending information"},
	{"バックアップ", "backups"},
	{"入退室の管理", "physical entry control"},
	{"調達", "procurement"},
	{"運用と保守", "operation and maintenance"},
	{"例外措置", "exceptions"},
	{"自己点検", "self-inspection"},
	{"監査への対応", "responding to audits"},
	{"電子メールとWeb", "e-mail and the web"},
};
#define NSUBJECTS (sizeof(subjects) / sizeof(subjects[0]))

/* What a requirement asks about its subject: Japanese follows the subject, English puts
 * it between en and en_after. */
static const struct {
	const char *ja, *en, *en_after;
} actions[] = {
	{"の手順を定め、文書化すること。", "Set down in writing the procedure for ", "."},
	{"について責任者を定め、定期的に見直すこと。", "Name an owner for ", " and review it regularly."},
	{"の実施状況を記録し、保存すること。", "Record how ", " is carried out and keep the records."},
	{"に関する要件を調達仕様に含めること。", "Include requirements on ", " in procurement specifications."},
	{"の設定を少なくとも年1回点検すること。", "Check the settings for ", " at least once a year."},
	{"の例外を承認制とし、その理由を記録すること。", "Allow exceptions in ", " only with approval, and record why."},
	{"について職員に周知し、理解度を確認すること。", "Make the rules on ", " known to staff and check they understand them."},
	{"の状況を情報セキュリティ責任者に報告すること。", "Report the state of ", " to the security officer."},
};
#define NACTIONS (sizeof(actions) / sizeof(actions[0]))

static const char *const roles[3] = {"ciso", "unit_officer", "staff"};
static const char *const buckets[4] = {"done", "partial", "not_done", "excluded"};
static const char *const values[4] = {"implemented", "partial", "not_implemented", "not_applicable"};
static const char *const severities[4] = {"low", "medium", "high", "critical"};

static const char numbering[] =
	"{\"name\": \"part.section.chapter\", \"levels\": ["
	"{\"kind\": \"part\", \"pattern\": \"^[1-9]$\"}, "
	"{\"kind\": \"section\", \"pattern\": \"^[1-9]\\\\.[1-9][0-9]*$\"}, "
	"{\"kind\": \"chapter\", \"pattern\": \"^[1-9]\\\\.[1-9][0-9]*\\\\.[1-9][0-9]*$\"}, "
	"{\"kind\": \"group\", \"pattern\": \"^[1-9]\\\\.[1-9][0-9]*\\\\.[1-9][0-9]*\\\\([1-9][0-9]*\\\\)$\"}, "
	"{\"kind\": \"requirement\", \"pattern\": "
	"\"^[1-9]\\\\.[1-9][0-9]*\\\\.[1-9][0-9]*\\\\([1-9][0-9]*\\\\)\\\\([a-z]\\\\)$\"}]}";

/* ---- Draws ----------------------------------------------------------------------------- */

/* What a draw is for: part of its hash, so that different draws never coincide. */
enum tag {
	T_QUALITY = 1, T_DRIFT, T_DIFFICULTY, T_PART, T_REQ, T_SUBMIT, T_FILL, T_ANSWERED, T_VALUE,
	T_AUDIT, T_ENGDATE, T_ENGSTATUS, T_NFIND, T_FIND, T_PLAN, T_MEASURE, T_POLICY, T_MAP, T_UUID,
	T_CHANGED
};

static uint64_t
mix(uint64_t z)
{
	z += 0x9e3779b97f4a7c15ull;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint64_t
hash(uint64_t seed, enum tag t, uint64_t a, uint64_t b, uint64_t c, uint64_t d)
{
	return mix(mix(mix(mix(mix(seed ^ ((uint64_t)t << 56)) ^ a) ^ b) ^ c) ^ d);
}

/* A number in [0, 1). */
static double
unit(uint64_t h)
{
	return (double)(h >> 11) / 9007199254740992.0;
}

static double
clamp(double x, double lo, double hi)
{
	return x < lo ? lo : x > hi ? hi : x;
}

/* ---- State ----------------------------------------------------------------------------- */

/* One person who answers a checklist: the unit answered for, and the role. */
struct resp {
	int64_t user, unit;
	int role;	/* index into roles */
};

/* An evaluated organisation (ministry, agency or corporation). */
struct org {
	int64_t id;
	int kind;		/* 0 ministry, 1 agency, 2 corporation */
	int ministry;		/* the ministry (its own index for a ministry) */
	char code[16];
	char name_ja[96], name_en[160];
	struct resp resp[MAX_RESP];
	int nresp;
	int64_t first_checklist;	/* offset of its checklists within a year */
	int64_t ciso, officer;	/* accounts: approves its policy; owns measures */
	int64_t bureau[NBUREAUS];	/* ministries: the bureaus' ids */
	int64_t bureau_officer[NBUREAUS], bureau_staff[NBUREAUS];
	int64_t policy_doc;
};

struct req {
	char number[24];
	int part, section, chapter, role, subject, action, changed;
};

struct chapter {
	char number[16];
	int subject;
};

/* An engagement and what came of it, for the audit tables. */
struct eng {
	int64_t id, programme, org_id, lead, member, edition, policy_doc;
	int y, org;		/* year index; org index (for a bureau: its ministry) */
	int kind;		/* 0 management audit, 1 penetration test, 2 internal audit */
	int bureau;		/* internal audits: the bureau audited */
	int status;		/* 0 draft .. 3 signed off */
	char starts[11], ends[11], signed_on[11];
	int scope[NSCOPE], nscope;
	int64_t first_finding;
	int nfind;
};

struct find {
	int64_t id, eng;
	int req, category, severity, urgent;	/* category 0 finding, 1 advice, 2 good practice */
	char on[11];
};

struct gen {
	struct kj_ctx *ctx;
	struct kj_scale_opts o;
	struct kj_scale_counts cnt;
	int first_fy, ed2_year;		/* ed2_year: first year of the second edition */
	char today[11];
	int64_t centre_id, admin_uid, analyst_uid, auditor[NAUDITORS];
	struct org *org;
	struct req *req;
	struct chapter *chap;
	int nchap;
	double *q;			/* quality per organisation and year */
	double *diff;			/* difficulty per requirement */
	int64_t edition_id[2];
	char edition_code[2][32];
	int64_t nresp;			/* checklists per campaign year */
	struct eng *eng;
	size_t neng, capeng;
	struct find *find;
	size_t nfind, capfind;
};

static double
quality(const struct gen *g, int k, int y)
{
	return g->q[(size_t)k * (size_t)g->o.nyears + (size_t)y];
}

static int
edition_of(const struct gen *g, int y)
{
	return g->ed2_year > 0 && y >= g->ed2_year ? 1 : 0;
}

static void
progress(struct gen *g, const char *what, size_t done, size_t total)
{
	if (g->ctx->progress != NULL)
		g->ctx->progress(g->ctx->progress_arg, what, done, total);
}

/* A version-4 UUID from the seed and what it names. */
static void
uuid_of(const struct gen *g, int what, uint64_t a, uint64_t b, char out[37])
{
	uint64_t h1 = hash(g->o.seed, T_UUID, (uint64_t)what, a, b, 1), h2 = hash(g->o.seed, T_UUID, (uint64_t)what, a, b, 2);

	h1 = (h1 & ~0xf000ull) | 0x4000ull;
	h2 = (h2 & 0x3fffffffffffffffull) | 0x8000000000000000ull;
	snprintf(out, 37, "%08x-%04x-%04x-%04x-%012" PRIx64, (unsigned)(h1 >> 32), (unsigned)((h1 >> 16) & 0xffff),
		 (unsigned)(h1 & 0xffff), (unsigned)(h2 >> 48), (uint64_t)(h2 & 0xffffffffffffull));
}

/* The date n days after the start (1 April) of fiscal year fy. */
static void
fy_day(int fy, int n, char out[11])
{
	char start[11];

	snprintf(start, sizeof(start), "%04d-04-01", fy);
	kj_date_add_days(start, n, out);
}

/* Date d at 09:00 UTC, as stored times are written. */
static void
at_nine(const char *d, char out[21])
{
	snprintf(out, 21, "%.10sT09:00:00Z", d);
}

static const char *
min_date(const char *a, const char *b)
{
	return strcmp(a, b) <= 0 ? a : b;
}

/* The Japanese era name of a fiscal year, for titles: 令和7年度, 平成30年度. */
static void
era_year(int fy, char *out, size_t size)
{
	if (fy >= 2019)
		snprintf(out, size, "令和%d年度", fy - 2018);
	else if (fy >= 1989)
		snprintf(out, size, "平成%d年度", fy - 1988);
	else
		snprintf(out, size, "昭和%d年度", fy - 1925);
}

/* ---- Rows ------------------------------------------------------------------------------ */

#define ROW_MAX 20

/* One row for the bulk loader; numbers are formatted into the row's own buffers. */
struct row {
	const char *v[ROW_MAX];
	char num[ROW_MAX][32];
	int n;
};

static void
row_start(struct row *w)
{
	w->n = 0;
}

static void
put_s(struct row *w, const char *s)
{
	w->v[w->n++] = s;
}

static void
put_i(struct row *w, int64_t x)
{
	snprintf(w->num[w->n], sizeof(w->num[0]), "%" PRId64, x);
	w->v[w->n] = w->num[w->n];
	w->n++;
}

/* An id, or NULL for 0. */
static void
put_id(struct row *w, int64_t x)
{
	if (x == 0)
		put_s(w, NULL);
	else
		put_i(w, x);
}

/* A time at 09:00 UTC on date d, or NULL for NULL or "". */
static void
put_t(struct row *w, const char *d)
{
	if (d == NULL || *d == '\0') {
		put_s(w, NULL);
		return;
	}
	at_nine(d, w->num[w->n]);
	w->v[w->n] = w->num[w->n];
	w->n++;
}

static kj_err
max_id(struct kj_ctx *ctx, const char *sql, int64_t *out)
{
	struct kj_stmt *st = NULL;
	int row;
	kj_err r;

	if ((r = kj_db_prepare(ctx, sql, &st)) == KJ_OK && (r = kj_stmt_step(ctx, st, &row)) == KJ_OK)
		*out = row ? kj_stmt_int(st, 0) : 0;
	kj_stmt_free(st);
	return r;
}

/* The first free id of a table (ids are chosen here so that rows can refer to each other). */
static kj_err
next_id(struct kj_ctx *ctx, const char *table, int64_t *out)
{
	/* Table names are constants of this file, never data. */
	static const char *const tables[] = {"app_user", "campaign", "campaign_item", "checklist", "audit_programme",
					     "audit_engagement", "audit_finding", "recommendation", "improvement_plan",
					     "policy_doc", "policy_version", "policy_clause", NULL};
	char sql[128];
	int i;
	kj_err r;

	for (i = 0; tables[i] != NULL && strcmp(tables[i], table) != 0; i++)
		;
	if (tables[i] == NULL)
		return kj_failf(ctx, KJ_ERR_INTERNAL, "scale: no ids chosen for table %s", table);
	snprintf(sql, sizeof(sql), "SELECT COALESCE(MAX(id), 0) FROM %s", tables[i]);
	if ((r = max_id(ctx, sql, out)) == KJ_OK)
		(*out)++;
	return r;
}

/* PostgreSQL: moves each identity sequence past the ids written here, and gathers the
 * planner's statistics of the tables just filled (a plan made on empty-table estimates can
 * be slower by orders of magnitude; autovacuum would get there only later). SQLite numbers
 * from the largest rowid, and kijun never analyses there, so it needs nothing. */
static kj_err
sync_sequences(struct kj_ctx *ctx)
{
	static const char *const tables[] = {"app_user", "campaign", "campaign_item", "checklist", "audit_programme",
					     "audit_engagement", "audit_finding", "recommendation", "improvement_plan",
					     "policy_doc", "policy_version", "policy_clause", NULL};
	struct kj_stmt *st = NULL;
	char sql[256];
	int i;
	kj_err r = KJ_OK;

	if (kj_db_kind(ctx->db) != KJ_DB_PG)
		return KJ_OK;
	for (i = 0; tables[i] != NULL && r == KJ_OK; i++) {
		snprintf(sql, sizeof(sql),
			 "SELECT setval(pg_get_serial_sequence('%s', 'id'), COALESCE((SELECT MAX(id) FROM %s), 0) + 1, false)",
			 tables[i], tables[i]);
		if ((r = kj_db_prepare(ctx, sql, &st)) == KJ_OK)
			r = kj_stmt_run(ctx, st);
		kj_stmt_free(st);
		st = NULL;
	}
	if (r == KJ_OK)
		r = kj_db_exec(ctx, "ANALYZE");
	return r;
}

/* ---- The standard ---------------------------------------------------------------------- */

static void
req_text(const struct gen *g, int r, int ed, int en, char *out, size_t size)
{
	const struct req *q = &g->req[r];
	int a = ed == 1 && q->changed ? (q->action + 3) % (int)NACTIONS : q->action;

	if (en) {
		snprintf(out, size, "%s%s%s", actions[a].en, subjects[q->subject].en, actions[a].en_after);
	} else {
		snprintf(out, size, "%s%s", subjects[q->subject].ja, actions[a].ja);
	}
}

/* Lays out the requirements: part, section, chapter, group, letter. */
static kj_err
plan_requirements(struct gen *g)
{
	int n = g->o.nrequirements, p, j, r = 0;

	g->req = calloc((size_t)n, sizeof(*g->req));
	g->chap = calloc((size_t)n, sizeof(*g->chap));
	g->diff = calloc((size_t)n, sizeof(*g->diff));
	if (g->req == NULL || g->chap == NULL || g->diff == NULL)
		return kj_failf(g->ctx, KJ_ERR_NOMEM, "out of memory");
	for (p = 0; p < NPARTS; p++) {
		int np = n / NPARTS + (p < n % NPARTS);

		for (j = 0; j < np; j++, r++) {
			struct req *q = &g->req[r];
			int sec = j / 18 + 1, ch = (j % 18) / 6 + 1, grp = (j % 6) / 3 + 1;
			double u = unit(hash(g->o.seed, T_DIFFICULTY, (uint64_t)r, 0, 0, 0));

			snprintf(q->number, sizeof(q->number), "%d.%d.%d(%d)(%c)", p + 1, sec, ch, grp, 'a' + j % 3);
			if (j % 6 == 0) {
				snprintf(g->chap[g->nchap].number, sizeof(g->chap[0].number), "%d.%d.%d", p + 1, sec, ch);
				g->chap[g->nchap].subject = (p * 5 + j / 6) % (int)NSUBJECTS;
				g->nchap++;
			}
			q->part = p;
			q->section = sec;
			q->chapter = g->nchap - 1;
			q->role = r % 4 == 0 ? 0 : r % 4 == 1 ? 1 : 2;
			q->subject = (g->chap[q->chapter].subject + j % 3) % (int)NSUBJECTS;
			q->action = (int)(hash(g->o.seed, T_DIFFICULTY, (uint64_t)r, 1, 0, 0) % NACTIONS);
			q->changed = unit(hash(g->o.seed, T_CHANGED, (uint64_t)r, 0, 0, 0)) < 0.1;
			/* Most requirements are about as hard as each other; a tail is much harder. */
			g->diff[r] = 0.06 - 0.40 * u * u * u * u;
		}
	}
	return KJ_OK;
}

static const char *
adup(struct kj_edition *ed, const char *s)
{
	return kj_arena_strdup(&ed->arena, s);
}

static kj_err
store_edition(struct gen *g, int e)
{
	struct kj_edition ed;
	struct kj_item it;
	char buf[400], label[96], era[32];
	int fy = e == 0 ? g->first_fy : g->first_fy + g->ed2_year, r, p = -1, last_sec = -1;
	long ip = -1, isec = -1, ich = -1, igrp = -1;
	kj_err rc = KJ_OK;

	kj_edition_init(&ed);
	snprintf(g->edition_code[e], sizeof(g->edition_code[e]), "scale-fy%d", fy);
	uuid_of(g, 1, (uint64_t)e, 0, ed.uuid);
	ed.code = g->edition_code[e];
	era_year(fy, era, sizeof(era));
	snprintf(label, sizeof(label), "%s版（全国規模データ）", era);
	ed.label_ja = adup(&ed, label);
	snprintf(label, sizeof(label), "FY%d edition (national-scale data)", fy);
	ed.label_en = adup(&ed, label);
	snprintf(buf, sizeof(buf), "%04d-03-20", fy);
	ed.decided_on = adup(&ed, buf);
	snprintf(buf, sizeof(buf), "%04d-04-01", fy);
	ed.effective_on = adup(&ed, buf);
	ed.supersedes = e == 1 ? g->edition_code[0] : NULL;
	ed.source = "kijun";
	ed.numbering = numbering;
	for (r = 0; r < g->o.nrequirements && rc == KJ_OK; r++) {
		const struct req *q = &g->req[r];
		const struct chapter *c = &g->chap[q->chapter];
		char num[24];
		int sec = q->section;

		memset(&it, 0, sizeof(it));
		if (q->part != p) {
			p = q->part;
			last_sec = -1;
			snprintf(num, sizeof(num), "%d", p + 1);
			it = (struct kj_item){.parent = -1, .depth = 0, .kind = "part", .number = adup(&ed, num),
					      .title_ja = parts[p].ja, .title_en = parts[p].en};
			ip = kj_edition_add_item(&ed, &it);
		}
		if (sec != last_sec) {
			last_sec = sec;
			snprintf(num, sizeof(num), "%d.%d", p + 1, sec);
			it = (struct kj_item){.parent = ip, .depth = 1, .kind = "section", .number = adup(&ed, num),
					      .title_ja = subjects[(c->subject + 7) % NSUBJECTS].ja};
			snprintf(buf, sizeof(buf), "%s", subjects[(c->subject + 7) % NSUBJECTS].en);
			buf[0] = (char)(buf[0] >= 'a' && buf[0] <= 'z' ? buf[0] - 'a' + 'A' : buf[0]);
			it.title_en = adup(&ed, buf);
			isec = kj_edition_add_item(&ed, &it);
		}
		if (r == 0 || g->req[r - 1].chapter != q->chapter) {
			snprintf(buf, sizeof(buf), "%sの管理", subjects[c->subject].ja);
			it = (struct kj_item){.parent = isec, .depth = 2, .kind = "chapter", .number = c->number,
					      .title_ja = adup(&ed, buf)};
			snprintf(buf, sizeof(buf), "Managing %s", subjects[c->subject].en);
			it.title_en = adup(&ed, buf);
			ich = kj_edition_add_item(&ed, &it);
		}
		if (q->number[strlen(q->number) - 2] == 'a') {
			/* A new group: the number up to its first closing parenthesis. */
			snprintf(num, sizeof(num), "%.*s", (int)(strchr(q->number, ')') - q->number + 1), q->number);
			it = (struct kj_item){.parent = ich, .depth = 3, .kind = "group", .number = adup(&ed, num)};
			igrp = kj_edition_add_item(&ed, &it);
		}
		it = (struct kj_item){.parent = igrp, .depth = 4, .kind = "requirement", .number = adup(&ed, q->number),
				      .role = roles[q->role], .level = r % 5 == 4 ? "enhanced" : "basic"};
		req_text(g, r, e, 0, buf, sizeof(buf));
		it.text_ja = adup(&ed, buf);
		req_text(g, r, e, 1, buf, sizeof(buf));
		it.text_en = adup(&ed, buf);
		if (ip < 0 || isec < 0 || ich < 0 || igrp < 0 || kj_edition_add_item(&ed, &it) < 0)
			rc = kj_failf(g->ctx, KJ_ERR_NOMEM, "out of memory");
	}
	if (rc == KJ_OK)
		rc = kj_edition_store(g->ctx, "scale", &ed);
	if (rc == KJ_OK)
		g->edition_id[e] = ed.id;
	kj_edition_free(&ed);
	return rc;
}

/* ---- Organisations and accounts -------------------------------------------------------- */

static kj_err
make_org(struct gen *g, const char *kind, const char *code, const char *ja, const char *en, const char *parent,
	 const char *supervisor, const char *from, uint64_t n, int64_t *id_out)
{
	struct kj_org_new in = {.kind = kind, .code = code, .name_ja = ja, .name_en = en, .parent = parent,
				.supervisor = supervisor, .valid_from = from};
	struct kj_org o;
	char uuid[37];
	kj_err r;

	uuid_of(g, 2, n, 0, uuid);
	in.uuid = uuid;
	if ((r = kj_org_create(g->ctx, &in, &o)) == KJ_OK)
		*id_out = o.id;
	return r;
}

static kj_err
make_orgs(struct gen *g)
{
	int nm = g->o.nministries, n = g->o.norgs, k, b;
	int nrest = n - nm, ncorp = nrest / 4, nagency = nrest - ncorp;
	char code[32], parent[32];
	kj_err r;

	if ((r = make_org(g, "centre", "NCO", "国家サイバー統括室", "National Cybersecurity Office", NULL, NULL, "2001-01-06",
			  0, &g->centre_id)) != KJ_OK)
		return r;
	g->org = calloc((size_t)n, sizeof(*g->org));
	if (g->org == NULL)
		return kj_failf(g->ctx, KJ_ERR_NOMEM, "out of memory");
	for (k = 0; k < n && r == KJ_OK; k++) {
		struct org *o = &g->org[k];

		if (k < nm) {
			o->kind = 0;
			o->ministry = k;
			snprintf(o->code, sizeof(o->code), "%s", ministries[k].code);
			snprintf(o->name_ja, sizeof(o->name_ja), "%s省", ministries[k].ja);
			snprintf(o->name_en, sizeof(o->name_en), "Ministry of %s", ministries[k].en);
			r = make_org(g, "ministry", o->code, o->name_ja, o->name_en, NULL, NULL, "2001-01-06", (uint64_t)k + 1,
				     &o->id);
			for (b = 0; b < NBUREAUS && r == KJ_OK; b++) {
				snprintf(code, sizeof(code), "%s-%s", o->code, bureaus[b].code);
				r = make_org(g, "bureau", code, bureaus[b].ja, bureaus[b].en, o->code, NULL, "2001-01-06",
					     (uint64_t)(n + 1 + k * NBUREAUS + b), &o->bureau[b]);
			}
		} else {
			int i = k - nm, corp = i >= nagency, j = corp ? i - nagency : i, m = j % nm, t, nth;
			const char *kja, *ken;

			o->kind = corp ? 2 : 1;
			o->ministry = m;
			if (corp) {
				t = (j / nm) % (int)(sizeof(corp_kinds) / sizeof(corp_kinds[0]));
				nth = j / nm / (int)(sizeof(corp_kinds) / sizeof(corp_kinds[0])) + 1;
				kja = corp_kinds[t].ja;
				ken = corp_kinds[t].en;
				snprintf(o->code, sizeof(o->code), "CO%04d", j + 1);
			} else {
				t = (j / nm) % (int)(sizeof(agency_kinds) / sizeof(agency_kinds[0]));
				nth = j / nm / (int)(sizeof(agency_kinds) / sizeof(agency_kinds[0])) + 1;
				kja = agency_kinds[t].ja;
				ken = agency_kinds[t].en;
				snprintf(o->code, sizeof(o->code), "AG%04d", j + 1);
			}
			if (nth > 1) {
				snprintf(o->name_ja, sizeof(o->name_ja), "%s%s（第%d）", ministries[m].ja, kja, nth);
				snprintf(o->name_en, sizeof(o->name_en), "%s %s No. %d", ministries[m].en, ken, nth);
			} else {
				snprintf(o->name_ja, sizeof(o->name_ja), "%s%s", ministries[m].ja, kja);
				snprintf(o->name_en, sizeof(o->name_en), "%s %s", ministries[m].en, ken);
			}
			snprintf(parent, sizeof(parent), "%s", ministries[m].code);
			r = make_org(g, corp ? "corporation" : "agency", o->code, o->name_ja, o->name_en, NULL, parent,
				     "2003-10-01", (uint64_t)k + 1, &o->id);
		}
		if (k % 100 == 0)
			progress(g, "organisations", (size_t)k, (size_t)n);
	}
	g->cnt.orgs = 1 + n + nm * NBUREAUS;
	g->cnt.evaluated = n;
	return r;
}

/* Account names are lower case; codes are not. */
static void
lower(char *s)
{
	for (; *s; s++)
		*s = (char)tolower((unsigned char)*s);
}

/* One account row, without a password: nobody logs in with these. */
static kj_err
user_row(struct gen *g, struct kj_bulk *b, int64_t id, const char *name, const char *display, int64_t org,
	 const char *role, const char *now)
{
	struct row w;
	char uuid[37];

	uuid_of(g, 3, (uint64_t)id, 0, uuid);
	row_start(&w);
	put_i(&w, id);
	put_s(&w, uuid);
	put_s(&w, name);
	put_s(&w, display);
	put_i(&w, org);
	put_s(&w, role);
	put_s(&w, now);
	put_s(&w, now);
	g->cnt.users++;
	return kj_bulk_row(g->ctx, b, w.v);
}

static kj_err
login_account(struct gen *g, json_t *acc, const char *name, const char *role, int64_t *id_out)
{
	struct kj_user_new in = {.name = name, .org = "NCO", .role = role};
	struct kj_user u;
	char pw[64];
	kj_err r = kj_user_create(g->ctx, &in, &u, pw, sizeof(pw));

	if (r == KJ_OK) {
		*id_out = u.id;
		g->cnt.users++;
		if (acc != NULL)
			json_array_append_new(acc, json_pack("{s:s, s:s, s:s, s:s}", "name", name, "role", role, "org", "NCO",
							     "password", pw));
	}
	sodium_memzero(pw, sizeof(pw));
	return r;
}

static kj_err
make_users(struct gen *g, json_t *acc)
{
	static const char *const cols[] = {"id", "uuid", "name", "display_name", "org_id", "role", "created_at",
					   "updated_at"};
	struct kj_bulk *b = NULL;
	char now[21], name[64], disp[200], low[16];
	int64_t id;
	int k, i;
	kj_err r;

	kj_time_format(kj_now(g->ctx), now);
	if ((r = login_account(g, acc, "centre-admin", "centre_admin", &g->admin_uid)) != KJ_OK ||
	    (r = login_account(g, acc, "analyst", "centre_analyst", &g->analyst_uid)) != KJ_OK ||
	    (r = next_id(g->ctx, "app_user", &id)) != KJ_OK || (r = kj_bulk_begin(g->ctx, "app_user", cols, 8, &b)) != KJ_OK)
		return r;
	for (i = 0; i < NAUDITORS && r == KJ_OK; i++) {
		snprintf(name, sizeof(name), "auditor%02d", i + 1);
		snprintf(disp, sizeof(disp), "監査担当 %d / Auditor %d", i + 1, i + 1);
		g->auditor[i] = id;
		r = user_row(g, b, id++, name, disp, g->centre_id, "centre_analyst", now);
	}
	for (k = 0; k < g->o.norgs && r == KJ_OK; k++) {
		struct org *o = &g->org[k];
		int bb;

		snprintf(low, sizeof(low), "%s", o->code);
		lower(low);
		snprintf(name, sizeof(name), "%s-ciso", low);
		snprintf(disp, sizeof(disp), "%s CISO", o->code);
		o->ciso = id;
		o->resp[o->nresp++] = (struct resp){id, o->id, 0};
		if ((r = user_row(g, b, id++, name, disp, o->id, "org_admin", now)) != KJ_OK)
			break;
		if (o->kind == 0) {
			for (bb = 0; bb < NBUREAUS && r == KJ_OK; bb++) {
				snprintf(name, sizeof(name), "%s-%s-officer", low, bureaus[bb].code);
				lower(name);
				snprintf(disp, sizeof(disp), "%s-%s officer", o->code, bureaus[bb].code);
				o->bureau_officer[bb] = id;
				o->resp[o->nresp++] = (struct resp){id, o->bureau[bb], 1};
				if ((r = user_row(g, b, id++, name, disp, o->bureau[bb], "unit_officer", now)) != KJ_OK)
					break;
				for (i = 1; i <= 2 && r == KJ_OK; i++) {
					snprintf(name, sizeof(name), "%s-%s-staff%d", low, bureaus[bb].code, i);
					lower(name);
					snprintf(disp, sizeof(disp), "%s-%s staff %d", o->code, bureaus[bb].code, i);
					if (i == 1)
						o->bureau_staff[bb] = id;
					o->resp[o->nresp++] = (struct resp){id, o->bureau[bb], 2};
					r = user_row(g, b, id++, name, disp, o->bureau[bb], "staff", now);
				}
			}
			o->officer = o->bureau_officer[0];
		} else {
			snprintf(name, sizeof(name), "%s-officer", low);
			snprintf(disp, sizeof(disp), "%s officer", o->code);
			o->officer = id;
			o->resp[o->nresp++] = (struct resp){id, o->id, 1};
			if ((r = user_row(g, b, id++, name, disp, o->id, "unit_officer", now)) != KJ_OK)
				break;
			for (i = 1; i <= 2 && r == KJ_OK; i++) {
				snprintf(name, sizeof(name), "%s-staff%d", low, i);
				snprintf(disp, sizeof(disp), "%s staff %d", o->code, i);
				o->resp[o->nresp++] = (struct resp){id, o->id, 2};
				r = user_row(g, b, id++, name, disp, o->id, "staff", now);
			}
		}
		o->first_checklist = g->nresp;
		g->nresp += o->nresp;
	}
	return kj_bulk_end(g->ctx, b, r);
}

/* Each organisation's quality, year by year: a start between 0.45 and 0.9, a small
 * improvement most years, a slip now and then. */
static kj_err
plan_quality(struct gen *g)
{
	int k, y;

	g->q = calloc((size_t)g->o.norgs * (size_t)g->o.nyears, sizeof(*g->q));
	if (g->q == NULL)
		return kj_failf(g->ctx, KJ_ERR_NOMEM, "out of memory");
	for (k = 0; k < g->o.norgs; k++) {
		double q = 0.45 + 0.45 * unit(hash(g->o.seed, T_QUALITY, (uint64_t)k, 0, 0, 0));

		for (y = 0; y < g->o.nyears; y++) {
			double u = unit(hash(g->o.seed, T_DRIFT, (uint64_t)k, (uint64_t)y, 0, 0));

			if (y > 0)
				q += u < 0.12 ? -0.09 : 0.01 + 0.04 * u;
			q = clamp(q, 0.15, 0.97);
			g->q[(size_t)k * (size_t)g->o.nyears + (size_t)y] = q;
		}
	}
	return KJ_OK;
}

/* ---- Self-inspection ------------------------------------------------------------------- */

struct year_ids {
	int64_t campaign, item, checklist;	/* first ids of the year */
};

static int64_t
campaign_id(const struct year_ids *yi, int k)
{
	return yi->campaign + 1 + k;	/* the centre's campaign first */
}

static int64_t
item_id(const struct gen *g, const struct year_ids *yi, int k, int r)
{
	return yi->item + (int64_t)(k + 1) * g->o.nrequirements + r;
}

/* Whether checklist j of organisation k was submitted in year y, and the share of its
 * items answered if not. */
static int
submitted(const struct gen *g, int y, int k, int j, double *fill)
{
	double q = quality(g, k, y), u = unit(hash(g->o.seed, T_SUBMIT, (uint64_t)y, (uint64_t)k, (uint64_t)j, 0));
	double f = unit(hash(g->o.seed, T_FILL, (uint64_t)y, (uint64_t)k, (uint64_t)j, 0));
	int current = y == g->o.nyears - 1;

	*fill = current ? 0.2 + 0.7 * f : 0.5 + 0.5 * f;
	return current ? u < 0.25 + 0.5 * q : u < 0.88 + 0.12 * q;
}

/* The bucket (index into buckets) of checklist j's answer to requirement r, or -1 when it
 * left it unanswered. */
static int
answer_of(const struct gen *g, int y, int k, int j, int r, int sub, double fill)
{
	const struct req *q = &g->req[r];
	double p, u, v;

	if (!sub && unit(hash(g->o.seed, T_ANSWERED, (uint64_t)y, (uint64_t)k, (uint64_t)j, (uint64_t)r)) >= fill)
		return -1;
	p = quality(g, k, y) + g->diff[r] + 0.2 * (unit(hash(g->o.seed, T_PART, (uint64_t)k, (uint64_t)q->part, 0, 0)) - 0.5) +
	    0.16 * (unit(hash(g->o.seed, T_REQ, (uint64_t)k, (uint64_t)r, 0, 0)) - 0.5);
	p = clamp(p, 0.02, 0.99);
	u = unit(hash(g->o.seed, T_VALUE, (uint64_t)y, (uint64_t)k, (uint64_t)j, (uint64_t)r));
	if (u < 0.03)
		return 3;
	v = (u - 0.03) / 0.97;
	return v < p ? 0 : v < p + (1 - p) * 0.45 ? 1 : 2;
}

static kj_err
load_campaigns(struct gen *g, int y, const struct year_ids *yi)
{
	static const char *const cols[] = {"id", "uuid", "code", "org_id", "fiscal_year", "title_ja", "title_en",
					   "edition_id", "mandate_id", "status", "opens_on", "due_on", "scale", "created_at"};
	static const char scale[] =
		"[{\"value\":\"implemented\",\"label_ja\":\"実施している\",\"label_en\":\"Implemented\",\"counts\":\"done\"},"
		"{\"value\":\"partial\",\"label_ja\":\"一部実施している\",\"label_en\":\"Partially implemented\",\"counts\":\"partial\"},"
		"{\"value\":\"not_implemented\",\"label_ja\":\"実施していない\",\"label_en\":\"Not implemented\",\"counts\":\"not_done\"},"
		"{\"value\":\"not_applicable\",\"label_ja\":\"該当しない\",\"label_en\":\"Not applicable\",\"counts\":\"excluded\"}]";
	struct kj_bulk *b = NULL;
	struct row w;
	int fy = g->first_fy + y, k;
	char code[64], uuid[37], tja[128], ten[128], era[32], opens[11], due[11], created[21];
	kj_err r;

	era_year(fy, era, sizeof(era));
	snprintf(tja, sizeof(tja), "%s 政府統一自己点検", era);
	snprintf(ten, sizeof(ten), "FY%d government-wide self-inspection", fy);
	snprintf(opens, sizeof(opens), "%04d-06-01", fy);
	snprintf(due, sizeof(due), "%04d-12-18", fy);
	at_nine(min_date(opens, g->today), created);
	if ((r = kj_bulk_begin(g->ctx, "campaign", cols, 14, &b)) != KJ_OK)
		return r;
	for (k = -1; k < g->o.norgs && r == KJ_OK; k++) {
		row_start(&w);
		if (k < 0)
			snprintf(code, sizeof(code), "GOV-FY%d", fy);
		else
			snprintf(code, sizeof(code), "GOV-FY%d-%s", fy, g->org[k].code);
		uuid_of(g, 4, (uint64_t)y, (uint64_t)(k + 1), uuid);
		put_i(&w, k < 0 ? yi->campaign : campaign_id(yi, k));
		put_s(&w, uuid);
		put_s(&w, code);
		put_i(&w, k < 0 ? g->centre_id : g->org[k].id);
		put_i(&w, fy);
		put_s(&w, tja);
		put_s(&w, ten);
		put_i(&w, g->edition_id[edition_of(g, y)]);
		put_id(&w, k < 0 ? 0 : yi->campaign);
		put_s(&w, y == g->o.nyears - 1 ? "open" : "closed");
		put_s(&w, opens);
		put_s(&w, due);
		put_s(&w, scale);
		put_s(&w, created);
		r = kj_bulk_row(g->ctx, b, w.v);
		g->cnt.campaigns++;
	}
	return kj_bulk_end(g->ctx, b, r);
}

static kj_err
load_items(struct gen *g, int y, const struct year_ids *yi)
{
	static const char *const cols[] = {"id", "campaign_id", "seq", "item_number", "role", "question_ja", "question_en"};
	struct kj_bulk *b = NULL;
	struct row w;
	char (*ja)[256] = calloc((size_t)g->o.nrequirements, sizeof(*ja));
	char (*en)[256] = calloc((size_t)g->o.nrequirements, sizeof(*en));
	int k, rq, e = edition_of(g, y);
	kj_err r;

	if (ja == NULL || en == NULL) {
		free(ja);
		free(en);
		return kj_failf(g->ctx, KJ_ERR_NOMEM, "out of memory");
	}
	for (rq = 0; rq < g->o.nrequirements; rq++) {
		req_text(g, rq, e, 0, ja[rq], sizeof(ja[0]));
		req_text(g, rq, e, 1, en[rq], sizeof(en[0]));
	}
	r = kj_bulk_begin(g->ctx, "campaign_item", cols, 7, &b);
	for (k = -1; k < g->o.norgs && r == KJ_OK; k++) {
		for (rq = 0; rq < g->o.nrequirements && r == KJ_OK; rq++) {
			row_start(&w);
			put_i(&w, item_id(g, yi, k, rq));
			put_i(&w, k < 0 ? yi->campaign : campaign_id(yi, k));
			put_i(&w, rq + 1);
			put_s(&w, g->req[rq].number);
			put_s(&w, roles[g->req[rq].role]);
			put_s(&w, ja[rq]);
			put_s(&w, en[rq]);
			r = kj_bulk_row(g->ctx, b, w.v);
			g->cnt.campaign_items++;
		}
	}
	free(ja);
	free(en);
	return b != NULL ? kj_bulk_end(g->ctx, b, r) : r;
}

static kj_err
load_checklists(struct gen *g, int y, const struct year_ids *yi)
{
	static const char *const cols[] = {"id", "uuid", "campaign_id", "user_id", "org_id", "role", "status", "due_on",
					   "submitted_at"};
	struct kj_bulk *b = NULL;
	struct row w;
	int fy = g->first_fy + y, k, j;
	char due[11], uuid[37], on[11];
	kj_err r;

	snprintf(due, sizeof(due), "%04d-12-18", fy);
	if ((r = kj_bulk_begin(g->ctx, "checklist", cols, 9, &b)) != KJ_OK)
		return r;
	for (k = 0; k < g->o.norgs && r == KJ_OK; k++) {
		const struct org *o = &g->org[k];

		for (j = 0; j < o->nresp && r == KJ_OK; j++) {
			double fill;
			int sub = submitted(g, y, k, j, &fill);
			int64_t id = yi->checklist + o->first_checklist + j;

			uuid_of(g, 5, (uint64_t)y, (uint64_t)id, uuid);
			row_start(&w);
			put_i(&w, id);
			put_s(&w, uuid);
			put_i(&w, campaign_id(yi, k));
			put_i(&w, o->resp[j].user);
			put_i(&w, o->resp[j].unit);
			put_s(&w, roles[o->resp[j].role]);
			put_s(&w, sub ? "submitted" : "open");
			put_s(&w, due);
			fy_day(fy, 80 + (int)(hash(g->o.seed, T_SUBMIT, (uint64_t)y, (uint64_t)k, (uint64_t)j, 1) % 180), on);
			put_t(&w, sub ? min_date(on, g->today) : NULL);
			r = kj_bulk_row(g->ctx, b, w.v);
			g->cnt.checklists++;
		}
	}
	return kj_bulk_end(g->ctx, b, r);
}

/* The roll-up counters of year y (answers 0), or the answers themselves (answers 1): both
 * from the same draws, so the counters are the answers' sums. */
static kj_err
load_answers(struct gen *g, int y, const struct year_ids *yi, int answers)
{
	static const char *const rcols[] = {"campaign_id", "item_id", "org_id", "n_done", "n_partial", "n_not_done",
					    "n_excluded"};
	static const char *const acols[] = {"checklist_id", "item_id", "value", "bucket", "answered_at"};
	struct kj_bulk *b = NULL;
	struct row w;
	char at[21], on[11];
	int k, rq, j, u, i;
	kj_err r;

	fy_day(g->first_fy + y, 120, on);
	at_nine(min_date(on, g->today), at);
	if (answers)
		r = kj_bulk_begin(g->ctx, "answer", acols, 5, &b);
	else
		r = kj_bulk_begin(g->ctx, "rollup", rcols, 7, &b);
	if (r != KJ_OK)
		return r;
	for (k = 0; k < g->o.norgs && r == KJ_OK; k++) {
		const struct org *o = &g->org[k];
		int sub[MAX_RESP], nunit = 0, unit_of[MAX_RESP];
		double fill[MAX_RESP];
		int64_t units[MAX_RESP];

		for (j = 0; j < o->nresp; j++) {
			sub[j] = submitted(g, y, k, j, &fill[j]);
			for (u = 0; u < nunit && units[u] != o->resp[j].unit; u++)
				;
			if (u == nunit)
				units[nunit++] = o->resp[j].unit;
			unit_of[j] = u;
		}
		for (rq = 0; rq < g->o.nrequirements && r == KJ_OK; rq++) {
			int64_t n[MAX_RESP][4];

			memset(n, 0, sizeof(n));
			for (j = 0; j < o->nresp && r == KJ_OK; j++) {
				int bk;

				if (o->resp[j].role != g->req[rq].role)
					continue;
				if ((bk = answer_of(g, y, k, j, rq, sub[j], fill[j])) < 0)
					continue;
				n[unit_of[j]][bk]++;
				if (answers) {
					row_start(&w);
					put_i(&w, yi->checklist + o->first_checklist + j);
					put_i(&w, item_id(g, yi, k, rq));
					put_s(&w, values[bk]);
					put_s(&w, buckets[bk]);
					put_s(&w, at);
					r = kj_bulk_row(g->ctx, b, w.v);
					g->cnt.answers++;
				}
			}
			for (u = 0; u < nunit && !answers && r == KJ_OK; u++) {
				if (n[u][0] + n[u][1] + n[u][2] + n[u][3] == 0)
					continue;	/* no answer, no counter row */
				row_start(&w);
				put_i(&w, campaign_id(yi, k));
				put_i(&w, item_id(g, yi, k, rq));
				put_i(&w, units[u]);
				for (i = 0; i < 4; i++)
					put_i(&w, n[u][i]);
				r = kj_bulk_row(g->ctx, b, w.v);
				g->cnt.rollup_rows++;
			}
		}
	}
	return kj_bulk_end(g->ctx, b, r);
}

static kj_err
inspection_year(struct gen *g, int y)
{
	struct year_ids yi;
	kj_err r;

	if ((r = next_id(g->ctx, "campaign", &yi.campaign)) != KJ_OK || (r = next_id(g->ctx, "campaign_item", &yi.item)) != KJ_OK ||
	    (r = next_id(g->ctx, "checklist", &yi.checklist)) != KJ_OK)
		return r;
	if ((r = load_campaigns(g, y, &yi)) != KJ_OK || (r = load_items(g, y, &yi)) != KJ_OK ||
	    (r = load_checklists(g, y, &yi)) != KJ_OK || (r = load_answers(g, y, &yi, 0)) != KJ_OK)
		return r;
	if (g->o.answers)
		r = load_answers(g, y, &yi, 1);
	return r;
}

/* ---- Policies -------------------------------------------------------------------------- */

/* A version of an organisation's policy: the year it was made and whether it was approved
 * (when, and from when it is in force). */
struct pver {
	int y, approved;
	char made[11], approved_on[11], in_force[11];
};

/* The versions of organisation k's policy, oldest first; at most nyears + 1. */
static int
policy_versions(const struct gen *g, int k, struct pver *v)
{
	int y, n = 0;

	for (y = 0; y < g->o.nyears; y++) {
		double q = quality(g, k, y), u = unit(hash(g->o.seed, T_POLICY, (uint64_t)k, (uint64_t)y, 0, 0));
		double p = y == 0 ? 1.0 : 0.10 + 0.2 * q + (g->ed2_year > 0 && (y == g->ed2_year || y == g->ed2_year + 1) ? 0.35 : 0);
		int fy = g->first_fy + y, d = 20 + (int)(hash(g->o.seed, T_POLICY, (uint64_t)k, (uint64_t)y, 1, 0) % 280);
		int draft_only = 0;

		if (u >= p) {
			/* No revision this year, except a draft in the works in the current one. */
			if (y != g->o.nyears - 1 || u >= p + 0.15)
				continue;
			draft_only = 1;
		}
		v[n].y = y;
		fy_day(fy, d, v[n].made);
		if (strcmp(v[n].made, g->today) >= 0)
			continue;
		kj_date_add_days(v[n].made, 25, v[n].approved_on);
		kj_date_add_days(v[n].approved_on, 14, v[n].in_force);
		v[n].approved = !draft_only && strcmp(v[n].approved_on, g->today) < 0;
		n++;
	}
	return n;
}

static kj_err
load_policies(struct gen *g)
{
	static const char *const dcols[] = {"id", "uuid", "org_id", "code", "kind", "title_ja", "title_en", "created_at"};
	static const char *const vcols[] = {"id", "uuid", "doc_id", "version_no", "status", "edition_id", "author_id",
					    "approver_id", "approved_at", "in_force_from", "superseded_at", "created_at"};
	static const char *const ccols[] = {"id", "version_id", "seq", "number", "title", "text_ja", "text_en"};
	static const char *const mcols[] = {"clause_id", "item_number", "status", "justification"};
	struct pver *v = calloc((size_t)g->o.nyears + 1, sizeof(*v));
	struct kj_bulk *b = NULL;
	struct row w;
	int64_t doc, ver, cl, ver0, cl0;
	char uuid[37], tja[200], ten[260], at[21], day[11];
	int k, i, n, c, pass;
	kj_err r;

	if (v == NULL)
		return kj_failf(g->ctx, KJ_ERR_NOMEM, "out of memory");
	if ((r = next_id(g->ctx, "policy_doc", &doc)) != KJ_OK || (r = next_id(g->ctx, "policy_version", &ver0)) != KJ_OK ||
	    (r = next_id(g->ctx, "policy_clause", &cl0)) != KJ_OK || (r = kj_bulk_begin(g->ctx, "policy_doc", dcols, 8, &b)) != KJ_OK)
		goto out;
	for (k = 0; k < g->o.norgs && r == KJ_OK; k++) {
		struct org *o = &g->org[k];

		o->policy_doc = doc + k;
		uuid_of(g, 6, (uint64_t)k, 0, uuid);
		snprintf(tja, sizeof(tja), "%s情報セキュリティ対策基準", o->name_ja);
		snprintf(ten, sizeof(ten), "%s security standard", o->name_en);
		fy_day(g->first_fy, 10, day);
		at_nine(day, at);
		row_start(&w);
		put_i(&w, o->policy_doc);
		put_s(&w, uuid);
		put_i(&w, o->id);
		put_s(&w, "STD");
		put_s(&w, "standard");
		put_s(&w, tja);
		put_s(&w, ten);
		put_s(&w, at);
		r = kj_bulk_row(g->ctx, b, w.v);
	}
	if ((r = kj_bulk_end(g->ctx, b, r)) != KJ_OK)
		goto out;
	/* Three passes over the same versions: versions, clauses, mappings. */
	for (pass = 0; pass < 3 && r == KJ_OK; pass++) {
		static const char *const *colsets[] = {vcols, ccols, mcols};
		static const char *const tables[] = {"policy_version", "policy_clause", "clause_mapping"};
		static const int ncols[] = {12, 7, 4};

		ver = ver0;
		cl = cl0;
		if ((r = kj_bulk_begin(g->ctx, tables[pass], colsets[pass], ncols[pass], &b)) != KJ_OK)
			break;
		for (k = 0; k < g->o.norgs && r == KJ_OK; k++) {
			const struct org *o = &g->org[k];
			int in_force = -1;

			n = policy_versions(g, k, v);
			for (i = 0; i < n; i++) {
				if (v[i].approved && strcmp(v[i].in_force, g->today) <= 0)
					in_force = i;
			}
			for (i = 0; i < n && r == KJ_OK; i++, ver++) {
				int e = edition_of(g, v[i].y);
				double q = quality(g, k, v[i].y);

				if (pass == 0) {
					const char *status = !v[i].approved ? "draft" : i == in_force ? "in_force"
										: i < in_force ? "superseded" : "approved";
					char a[21], f[11], s[21], c2[21];

					uuid_of(g, 7, (uint64_t)ver, 0, uuid);
					row_start(&w);
					put_i(&w, ver);
					put_s(&w, uuid);
					put_i(&w, o->policy_doc);
					put_i(&w, i + 1);
					put_s(&w, status);
					put_i(&w, g->edition_id[e]);
					put_i(&w, o->officer);
					put_id(&w, v[i].approved ? o->ciso : 0);
					at_nine(v[i].approved_on, a);
					put_s(&w, v[i].approved ? a : NULL);
					snprintf(f, sizeof(f), "%s", v[i].in_force);
					put_s(&w, v[i].approved && i <= in_force ? f : NULL);
					/* Superseded when the next version in force came into force. */
					s[0] = '\0';
					if (i < in_force) {
						int nx;

						for (nx = i + 1; nx <= in_force && !v[nx].approved; nx++)
							;
						at_nine(v[nx].in_force, s);
					}
					put_s(&w, s[0] ? s : NULL);
					at_nine(v[i].made, c2);
					put_s(&w, c2);
					r = kj_bulk_row(g->ctx, b, w.v);
					g->cnt.policy_versions++;
					continue;
				}
				for (c = 0; c < g->nchap && r == KJ_OK; c++, cl++) {
					int rq;

					if (pass == 1) {
						char title[128], tj[200], te[200];

						snprintf(title, sizeof(title), "%sの管理", subjects[g->chap[c].subject].ja);
						snprintf(tj, sizeof(tj), "統一基準 %s に対応する本機関の規定。", g->chap[c].number);
						snprintf(te, sizeof(te), "Our rules answering %s of the unified standard.",
							 g->chap[c].number);
						row_start(&w);
						put_i(&w, cl);
						put_i(&w, ver);
						put_i(&w, c + 1);
						put_s(&w, g->chap[c].number);
						put_s(&w, title);
						put_s(&w, tj);
						put_s(&w, te);
						r = kj_bulk_row(g->ctx, b, w.v);
						continue;
					}
					for (rq = 0; rq < g->o.nrequirements && r == KJ_OK; rq++) {
						double u;

						if (g->req[rq].chapter != c)
							continue;
						u = unit(hash(g->o.seed, T_MAP, (uint64_t)ver, (uint64_t)rq, 0, 0));
						if (u >= 0.55 + 0.45 * q)
							continue;	/* a gap: no clause covers it */
						u = unit(hash(g->o.seed, T_MAP, (uint64_t)ver, (uint64_t)rq, 1, 0));
						row_start(&w);
						put_i(&w, cl);
						put_s(&w, g->req[rq].number);
						put_s(&w, u < 0.85 ? "adopted" : u < 0.95 ? "stricter" : u < 0.98 ? "alternative" : "not_applicable");
						put_s(&w, u < 0.95 ? NULL : u < 0.98 ? "同等以上の代替措置として既存の業務手順で管理する。 / An equivalent measure in our existing procedures."
										     : "該当する情報システムを保有しない。 / We run no such system.");
						r = kj_bulk_row(g->ctx, b, w.v);
						g->cnt.clause_mappings++;
					}
				}
			}
		}
		r = kj_bulk_end(g->ctx, b, r);
		progress(g, "policies", (size_t)pass + 1, 3);
	}
out:
	free(v);
	return r;
}

/* ---- Audits and their follow-up -------------------------------------------------------- */

/* Appends the element at e (size bytes) to the array *v of *n elements, growing it. */
static kj_err
append(struct kj_ctx *ctx, void **v, size_t *n, size_t *cap, const void *e, size_t size)
{
	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 256;
		void *nv = realloc(*v, ncap * size);

		if (nv == NULL)
			return kj_failf(ctx, KJ_ERR_NOMEM, "out of memory");
		*v = nv;
		*cap = ncap;
	}
	memcpy((char *)*v + *n * size, e, size);
	(*n)++;
	return KJ_OK;
}

/* The requirement weakest for organisation k in year y among three of the scope: auditors
 * find what is weak. */
static double
weakness(const struct gen *g, int k, int y, int rq)
{
	return quality(g, k, y) + g->diff[rq] +
	       0.2 * (unit(hash(g->o.seed, T_PART, (uint64_t)k, (uint64_t)g->req[rq].part, 0, 0)) - 0.5);
}

/* Plans out every engagement of year y and its findings (ids from *eid and *fid on). */
static kj_err
plan_audits(struct gen *g, int y, int64_t prog0, int64_t *eid, int64_t *fid)
{
	int fy = g->first_fy + y, k, i, nm = g->o.nministries, e = edition_of(g, y);
	int nscope = g->o.nrequirements < NSCOPE ? g->o.nrequirements : NSCOPE, step = g->o.nrequirements / nscope;
	kj_err r = KJ_OK;

	for (k = 0; k < g->o.norgs + nm && r == KJ_OK; k++) {
		struct eng en;
		double u = unit(hash(g->o.seed, T_AUDIT, (uint64_t)y, (uint64_t)k, 0, 0));
		int start, len, nf, f;
		uint64_t h = hash(g->o.seed, T_ENGDATE, (uint64_t)y, (uint64_t)k, 0, 0);

		memset(&en, 0, sizeof(en));
		en.y = y;
		if (k < g->o.norgs) {
			/* The centre audits about one organisation in twelve a year, tests a few. */
			if (u < 0.08)
				en.kind = 0;
			else if (u < 0.09)
				en.kind = 1;
			else
				continue;
			en.org = k;
			en.org_id = g->org[k].id;
			en.programme = prog0 + en.kind;
			en.lead = g->auditor[(h >> 8) % NAUDITORS];
			en.member = g->auditor[((h >> 8) + 7) % NAUDITORS];
			en.policy_doc = g->org[k].policy_doc;
		} else {
			/* Each ministry audits one of its bureaus other than its secretariat, whose
			 * officer leads. */
			int m = k - g->o.norgs;

			en.kind = 2;
			en.org = m;
			en.bureau = 1 + (y + m) % (NBUREAUS - 1);
			en.org_id = g->org[m].bureau[en.bureau];
			en.programme = prog0 + 2 + m;
			en.lead = g->org[m].bureau_officer[0];
			en.member = g->org[m].bureau_staff[0];
			en.policy_doc = g->org[m].policy_doc;
		}
		en.id = (*eid)++;
		en.edition = g->edition_id[e];
		start = 45 + (int)(h % 220);
		len = 40 + (int)((h >> 20) % 60);
		fy_day(fy, start, en.starts);
		fy_day(fy, start + len, en.ends);
		fy_day(fy, start + len + 7, en.signed_on);
		if (strcmp(en.signed_on, g->today) < 0)
			en.status = y < g->o.nyears - 1 || unit(hash(g->o.seed, T_ENGSTATUS, (uint64_t)y, (uint64_t)k, 0, 0)) < 0.75 ? 3 : 2;
		else if (strcmp(en.starts, g->today) <= 0)
			en.status = strcmp(en.ends, g->today) < 0 ? 2 : 1;
		else
			en.status = 0;
		en.nscope = nscope;
		for (i = 0; i < nscope; i++)
			en.scope[i] = i * step + (int)((h >> 32) % (uint64_t)step);
		en.first_finding = *fid;
		if (en.status > 0) {
			double q = quality(g, en.org, y);

			nf = 2 + (int)((1.0 - q) * 8.0 * unit(hash(g->o.seed, T_NFIND, (uint64_t)en.id, 0, 0, 0)));
			for (f = 0; f < nf && r == KJ_OK; f++) {
				struct find fd;
				double c = unit(hash(g->o.seed, T_FIND, (uint64_t)en.id, (uint64_t)f, 0, 0));
				double s = unit(hash(g->o.seed, T_FIND, (uint64_t)en.id, (uint64_t)f, 1, 0));
				int t, best = -1;
				char d[11];

				memset(&fd, 0, sizeof(fd));
				for (t = 0; t < 3; t++) {
					int cand = en.scope[hash(g->o.seed, T_FIND, (uint64_t)en.id, (uint64_t)f, 2, (uint64_t)t) % (uint64_t)nscope];

					if (best < 0 || weakness(g, en.org, y, cand) < weakness(g, en.org, y, best))
						best = cand;
				}
				fd.id = (*fid)++;
				fd.eng = en.id;
				fd.req = best;
				fd.category = c < 0.7 ? 0 : c < 0.9 ? 1 : 2;
				if (fd.category == 0) {
					double crit = 0.02 + 0.10 * (1 - q), high = crit + 0.12 + 0.12 * (1 - q);

					fd.severity = s < crit ? 3 : s < high ? 2 : s < high + 0.4 ? 1 : 0;
					fd.urgent = fd.severity == 3 || (fd.severity == 2 && s < crit + 0.03);
				} else {
					fd.severity = -1;
				}
				fy_day(fy, start + 5 + f * (len - 5) / nf, d);
				snprintf(fd.on, sizeof(fd.on), "%s", min_date(d, g->today));
				r = append(g->ctx, (void **)&g->find, &g->nfind, &g->capfind, &fd, sizeof(fd));
				en.nfind++;
			}
		}
		if (r == KJ_OK)
			r = append(g->ctx, (void **)&g->eng, &g->neng, &g->capeng, &en, sizeof(en));
	}
	return r;
}

static const char *
programme_kind(int kind)
{
	return kind == 0 ? "management_audit" : kind == 1 ? "penetration_test" : "internal_audit";
}

static kj_err
load_programmes(struct gen *g, int64_t prog0, int nprog)
{
	static const char *const cols[] = {"id", "uuid", "code", "org_id", "fiscal_year", "kind", "title_ja", "title_en",
					   "created_by", "created_at"};
	struct kj_bulk *b = NULL;
	struct row w;
	int y, p;
	kj_err r;

	if ((r = kj_bulk_begin(g->ctx, "audit_programme", cols, 10, &b)) != KJ_OK)
		return r;
	for (y = 0; y < g->o.nyears && r == KJ_OK; y++) {
		int fy = g->first_fy + y;

		for (p = 0; p < nprog && r == KJ_OK; p++) {
			const struct org *m = p >= 2 ? &g->org[p - 2] : NULL;
			int kind = p < 2 ? p : 2;
			char code[64], uuid[37], tja[200], ten[200], era[32], at[11], t[21];

			era_year(fy, era, sizeof(era));
			snprintf(code, sizeof(code), "%s-FY%d-%s", m ? m->code : "NCO", fy, kind == 0 ? "MA" : kind == 1 ? "PT" : "IA");
			snprintf(tja, sizeof(tja), "%s %s", era, kind == 0 ? "マネジメント監査計画" : kind == 1 ? "ペネトレーションテスト計画" : "内部監査計画");
			snprintf(ten, sizeof(ten), "FY%d %s", fy, kind == 0 ? "management audit programme" : kind == 1 ? "penetration test programme" : "internal audit programme");
			uuid_of(g, 8, (uint64_t)y, (uint64_t)p, uuid);
			fy_day(fy, 10, at);
			at_nine(min_date(at, g->today), t);
			row_start(&w);
			put_i(&w, prog0 + (int64_t)y * nprog + p);
			put_s(&w, uuid);
			put_s(&w, code);
			put_i(&w, m ? m->id : g->centre_id);
			put_i(&w, fy);
			put_s(&w, programme_kind(kind));
			put_s(&w, tja);
			put_s(&w, ten);
			put_id(&w, m ? m->ciso : g->admin_uid);
			put_s(&w, t);
			r = kj_bulk_row(g->ctx, b, w.v);
		}
	}
	return kj_bulk_end(g->ctx, b, r);
}

static const char *
org_code_of(const struct gen *g, const struct eng *e, char *buf, size_t size)
{
	if (e->kind == 2)
		snprintf(buf, size, "%s-%s", g->org[e->org].code, bureaus[e->bureau].code);
	else
		snprintf(buf, size, "%s", g->org[e->org].code);
	return buf;
}

static kj_err
load_engagements(struct gen *g)
{
	static const char *const ecols[] = {"id", "uuid", "code", "programme_id", "org_id", "edition_id", "policy_doc_id",
					    "title_ja", "title_en", "starts_on", "ends_on", "status", "signed_off_by",
					    "signed_off_at", "created_at"};
	static const char *const mcols[] = {"engagement_id", "user_id", "role", "added_at"};
	static const char *const scols[] = {"engagement_id", "item_number"};
	static const char *const status[] = {"draft", "fieldwork", "reporting", "signed_off"};
	struct kj_bulk *b = NULL;
	struct row w;
	size_t i;
	int pass, s;
	kj_err r = KJ_OK;

	for (pass = 0; pass < 3 && r == KJ_OK; pass++) {
		if (pass == 0)
			r = kj_bulk_begin(g->ctx, "audit_engagement", ecols, 15, &b);
		else if (pass == 1)
			r = kj_bulk_begin(g->ctx, "engagement_member", mcols, 4, &b);
		else
			r = kj_bulk_begin(g->ctx, "engagement_scope", scols, 2, &b);
		if (r != KJ_OK)
			break;
		for (i = 0; i < g->neng && r == KJ_OK; i++) {
			const struct eng *e = &g->eng[i];
			int fy = g->first_fy + e->y;
			char code[96], oc[40], uuid[37], tja[300], ten[300], t[21], created[11];

			fy_day(fy, 20, created);
			at_nine(min_date(created, g->today), t);
			if (pass == 1) {
				for (s = 0; s < 2 && r == KJ_OK; s++) {
					row_start(&w);
					put_i(&w, e->id);
					put_i(&w, s == 0 ? e->lead : e->member);
					put_s(&w, s == 0 ? "lead" : "member");
					put_s(&w, t);
					r = kj_bulk_row(g->ctx, b, w.v);
				}
				continue;
			}
			if (pass == 2) {
				for (s = 0; s < e->nscope && r == KJ_OK; s++) {
					row_start(&w);
					put_i(&w, e->id);
					put_s(&w, g->req[e->scope[s]].number);
					r = kj_bulk_row(g->ctx, b, w.v);
				}
				continue;
			}
			org_code_of(g, e, oc, sizeof(oc));
			snprintf(code, sizeof(code), "%s-FY%d-%s-%s", e->kind == 2 ? g->org[e->org].code : "NCO", fy,
				 e->kind == 0 ? "MA" : e->kind == 1 ? "PT" : "IA", oc);
			if (e->kind == 2) {
				snprintf(tja, sizeof(tja), "%s の内部監査", oc);
				snprintf(ten, sizeof(ten), "Internal audit of %s", oc);
			} else {
				snprintf(tja, sizeof(tja), "%sの%s", g->org[e->org].name_ja, e->kind == 0 ? "マネジメント監査" : "ペネトレーションテスト");
				snprintf(ten, sizeof(ten), "%s of the %s", e->kind == 0 ? "Management audit" : "Penetration test", g->org[e->org].name_en);
			}
			uuid_of(g, 9, (uint64_t)e->id, 0, uuid);
			row_start(&w);
			put_i(&w, e->id);
			put_s(&w, uuid);
			put_s(&w, code);
			put_i(&w, e->programme);
			put_i(&w, e->org_id);
			put_i(&w, e->edition);
			put_id(&w, e->policy_doc);
			put_s(&w, tja);
			put_s(&w, ten);
			put_s(&w, e->starts);
			put_s(&w, e->ends);
			put_s(&w, status[e->status]);
			put_id(&w, e->status == 3 ? e->lead : 0);
			put_t(&w, e->status == 3 ? e->signed_on : NULL);
			put_s(&w, t);
			r = kj_bulk_row(g->ctx, b, w.v);
			g->cnt.engagements++;
		}
		r = kj_bulk_end(g->ctx, b, r);
	}
	return r;
}

static kj_err
load_findings(struct gen *g)
{
	static const char *const cols[] = {"id", "uuid", "engagement_id", "item_number", "category", "severity", "urgent",
					   "title", "text", "created_by", "created_at"};
	static const char *const cats[] = {"finding", "advice", "good_practice"};
	struct kj_bulk *b = NULL;
	struct row w;
	size_t i;
	kj_err r;

	if ((r = kj_bulk_begin(g->ctx, "audit_finding", cols, 11, &b)) != KJ_OK)
		return r;
	for (i = 0; i < g->nfind && r == KJ_OK; i++) {
		const struct find *f = &g->find[i];
		const struct req *q = &g->req[f->req];
		const struct eng *e = NULL;
		char uuid[37], title[400], text[900], t[21];
		size_t lo = 0, hi = g->neng;

		/* Engagements are in id order: find this finding's. */
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;

			if (g->eng[mid].id < f->eng)
				lo = mid + 1;
			else
				hi = mid;
		}
		e = &g->eng[lo];
		if (f->category == 0) {
			snprintf(title, sizeof(title), "%sに不備 / Shortcomings in %s", subjects[q->subject].ja, subjects[q->subject].en);
			snprintf(text, sizeof(text),
				 "%sについて、要件 %s を満たしていない運用を確認した。是正の計画を示すこと。\n\n"
				 "Practice on %s was found not to meet requirement %s. Set out a plan to correct it.",
				 subjects[q->subject].ja, q->number, subjects[q->subject].en, q->number);
		} else if (f->category == 1) {
			snprintf(title, sizeof(title), "%sの改善を推奨 / Advice on %s", subjects[q->subject].ja, subjects[q->subject].en);
			snprintf(text, sizeof(text),
				 "要件 %s は満たしているが、%sの記録を充実させることが望ましい。\n\n"
				 "Requirement %s is met, but fuller records of %s would help.",
				 q->number, subjects[q->subject].ja, q->number, subjects[q->subject].en);
		} else {
			snprintf(title, sizeof(title), "%sの優れた取組 / Good practice in %s", subjects[q->subject].ja, subjects[q->subject].en);
			snprintf(text, sizeof(text),
				 "%sの取組は要件 %s を上回っており、他の機関の参考になる。\n\n"
				 "The work on %s goes beyond requirement %s; other organisations could learn from it.",
				 subjects[q->subject].ja, q->number, subjects[q->subject].en, q->number);
		}
		uuid_of(g, 10, (uint64_t)f->id, 0, uuid);
		at_nine(f->on, t);
		row_start(&w);
		put_i(&w, f->id);
		put_s(&w, uuid);
		put_i(&w, f->eng);
		put_s(&w, q->number);
		put_s(&w, cats[f->category]);
		put_s(&w, f->severity >= 0 ? severities[f->severity] : NULL);
		put_i(&w, f->urgent);
		put_s(&w, title);
		put_s(&w, text);
		put_id(&w, e->lead);
		put_s(&w, t);
		r = kj_bulk_row(g->ctx, b, w.v);
		g->cnt.findings++;
	}
	return kj_bulk_end(g->ctx, b, r);
}

/* How far an engagement's follow-up got: a recommendation (management audits) and a plan,
 * with the dates of each step; steps after today did not happen. */
struct follow {
	int has_plan, status;	/* status: 0 draft .. 5 verified */
	char issued[11], created[11], submitted[11], accepted[11], started[11], done[11], verified[11];
	int64_t org_id, writer, owner, reviewer_org, reviewer;
	char org_code[40];
};

static const char *const plan_status[] = {"draft", "submitted", "accepted", "in_progress", "done", "verified"};

static void
follow_of(const struct gen *g, const struct eng *e, struct follow *f)
{
	int age = g->o.nyears - 1 - e->y, target, s;
	double u = unit(hash(g->o.seed, T_PLAN, (uint64_t)e->id, 0, 0, 0)), v = unit(hash(g->o.seed, T_PLAN, (uint64_t)e->id, 1, 0, 0));
	char *steps[6];
	int gaps[6] = {21, 10, 14, 7, 150, 30};

	memset(f, 0, sizeof(*f));
	f->has_plan = u < (age >= 1 ? 0.92 : 0.6);
	/* Older plans got further. */
	if (age >= 3)
		target = v < 0.8 ? 5 : v < 0.95 ? 4 : 3;
	else if (age == 2)
		target = v < 0.5 ? 5 : v < 0.75 ? 4 : v < 0.95 ? 3 : 2;
	else if (age == 1)
		target = v < 0.15 ? 5 : v < 0.35 ? 4 : v < 0.75 ? 3 : v < 0.9 ? 2 : 1;
	else
		target = v < 0.2 ? 3 : v < 0.45 ? 2 : v < 0.75 ? 1 : 0;
	kj_date_add_days(e->signed_on, 14, f->issued);
	steps[0] = f->created;
	steps[1] = f->submitted;
	steps[2] = f->accepted;
	steps[3] = f->started;
	steps[4] = f->done;
	steps[5] = f->verified;
	gaps[4] += (int)(v * 120);
	f->status = -1;
	for (s = 0; s <= target; s++) {
		kj_date_add_days(s == 0 ? f->issued : steps[s - 1], gaps[s], steps[s]);
		if (strcmp(steps[s], g->today) >= 0) {
			steps[s][0] = '\0';
			break;
		}
		f->status = s;
	}
	if (f->status < 0)
		f->has_plan = 0;
	if (e->kind == 2) {
		const struct org *m = &g->org[e->org];

		f->org_id = e->org_id;
		f->writer = m->bureau_officer[e->bureau];
		f->owner = m->bureau_staff[e->bureau];
		f->reviewer_org = m->id;
		f->reviewer = m->ciso;
	} else {
		const struct org *o = &g->org[e->org];

		f->org_id = o->id;
		f->writer = o->ciso;
		f->owner = o->officer;
		f->reviewer_org = g->centre_id;
		f->reviewer = g->admin_uid;
	}
	org_code_of(g, e, f->org_code, sizeof(f->org_code));
}

/* Recommendations, plans and what hangs from them, one table per pass. */
static kj_err
load_follow_up(struct gen *g)
{
	static const char *const rcols[] = {"id", "uuid", "code", "issuer_org_id", "org_id", "text", "issued_on", "due_on",
					    "status", "created_by", "created_at", "changed_at"};
	static const char *const rfcols[] = {"recommendation_id", "finding_id"};
	static const char *const pcols[] = {"id", "uuid", "code", "org_id", "recommendation_id", "reviewer_org_id", "text",
					    "due_on", "status", "created_by", "created_at", "submitted_at", "accepted_by",
					    "accepted_at", "started_at", "done_at", "verified_by", "verified_at"};
	static const char *const pfcols[] = {"plan_id", "finding_id"};
	static const char *const mcols[] = {"plan_id", "n", "text", "owner_id", "due_on", "status", "done_on", "done_by",
					    "created_at"};
	static const char *const repcols[] = {"plan_id", "reported_on", "percent", "text", "created_by", "created_at"};
	static const struct {
		const char *table;
		const char *const *cols;
		int ncols;
	} passes[] = {{"recommendation", rcols, 12}, {"recommendation_finding", rfcols, 2}, {"improvement_plan", pcols, 18},
		      {"plan_finding", pfcols, 2}, {"plan_measure", mcols, 9}, {"plan_report", repcols, 6}};
	struct kj_bulk *b = NULL;
	struct row w;
	int64_t rec0, plan0;
	size_t i, pass;
	int64_t k;
	kj_err r;

	if ((r = next_id(g->ctx, "recommendation", &rec0)) != KJ_OK || (r = next_id(g->ctx, "improvement_plan", &plan0)) != KJ_OK)
		return r;
	for (pass = 0; pass < sizeof(passes) / sizeof(passes[0]) && r == KJ_OK; pass++) {
		int64_t rec = rec0, plan = plan0;

		if ((r = kj_bulk_begin(g->ctx, passes[pass].table, passes[pass].cols, passes[pass].ncols, &b)) != KJ_OK)
			break;
		for (i = 0; i < g->neng && r == KJ_OK; i++) {
			const struct eng *e = &g->eng[i];
			struct follow f;
			int nfinding = 0, fy = g->first_fy + e->y, rec_status;
			int64_t rid = 0, pid = 0;
			char code[96], uuid[37], due[11], t1[21], t2[21], text[600];

			if (e->status != 3)
				continue;
			for (k = 0; k < e->nfind; k++)
				nfinding += g->find[e->first_finding - g->find[0].id + k].category == 0;
			if (nfinding == 0)
				continue;
			follow_of(g, e, &f);
			if (e->kind == 0 && strcmp(f.issued, g->today) < 0)
				rid = rec++;
			if (f.has_plan)
				pid = plan++;
			if (pass == 0 && rid != 0) {
				rec_status = !f.has_plan ? 0 : f.status == 5 ? 2 : 1;
				snprintf(code, sizeof(code), "NCO-FY%d-REC-%s", fy, f.org_code);
				snprintf(text, sizeof(text),
					 "監査の指摘事項について改善計画を策定し、実施すること。\n\n"
					 "Draw up and carry out an improvement plan for the audit's findings.");
				uuid_of(g, 11, (uint64_t)rid, 0, uuid);
				kj_date_add_days(f.issued, 180, due);
				at_nine(f.issued, t1);
				at_nine(rec_status == 2 ? f.verified : rec_status == 1 ? f.created : f.issued, t2);
				row_start(&w);
				put_i(&w, rid);
				put_s(&w, uuid);
				put_s(&w, code);
				put_i(&w, g->centre_id);
				put_i(&w, f.org_id);
				put_s(&w, text);
				put_s(&w, f.issued);
				put_s(&w, due);
				put_s(&w, rec_status == 0 ? "issued" : rec_status == 1 ? "accepted" : "closed");
				put_i(&w, g->admin_uid);
				put_s(&w, t1);
				put_s(&w, t2);
				r = kj_bulk_row(g->ctx, b, w.v);
				g->cnt.recommendations++;
			}
			if ((pass == 1 && rid != 0) || (pass == 3 && pid != 0)) {
				for (k = 0; k < e->nfind && r == KJ_OK; k++) {
					const struct find *fd = &g->find[e->first_finding - g->find[0].id + k];

					if (fd->category != 0)
						continue;
					row_start(&w);
					put_i(&w, pass == 1 ? rid : pid);
					put_i(&w, fd->id);
					r = kj_bulk_row(g->ctx, b, w.v);
				}
			}
			if (pid == 0)
				continue;
			if (pass == 2) {
				char ts[6][21];
				const char *d[6] = {f.created, f.submitted, f.accepted, f.started, f.done, f.verified};
				int s;

				for (s = 0; s < 6; s++) {
					if (d[s][0])
						at_nine(d[s], ts[s]);
					else
						ts[s][0] = '\0';
				}
				snprintf(code, sizeof(code), "%s-PLAN-FY%d-%s", f.org_code, fy, e->kind == 0 ? "MA" : e->kind == 1 ? "PT" : "IA");
				snprintf(text, sizeof(text), "指摘事項の是正計画。\n\nThe plan to correct the findings.");
				uuid_of(g, 12, (uint64_t)pid, 0, uuid);
				kj_date_add_days(f.created, 240, due);
				row_start(&w);
				put_i(&w, pid);
				put_s(&w, uuid);
				put_s(&w, code);
				put_i(&w, f.org_id);
				put_id(&w, rid);
				put_i(&w, f.reviewer_org);
				put_s(&w, text);
				put_s(&w, due);
				put_s(&w, plan_status[f.status]);
				put_i(&w, f.writer);
				put_s(&w, ts[0]);
				put_s(&w, ts[1][0] ? ts[1] : NULL);
				put_id(&w, ts[2][0] ? f.reviewer : 0);
				put_s(&w, ts[2][0] ? ts[2] : NULL);
				put_s(&w, ts[3][0] ? ts[3] : NULL);
				put_s(&w, ts[4][0] ? ts[4] : NULL);
				put_id(&w, ts[5][0] ? f.reviewer : 0);
				put_s(&w, ts[5][0] ? ts[5] : NULL);
				r = kj_bulk_row(g->ctx, b, w.v);
				g->cnt.plans++;
			} else if (pass == 4) {
				int n, nm = 2 + (int)(hash(g->o.seed, T_MEASURE, (uint64_t)pid, 0, 0, 0) % 2);

				for (n = 1; n <= nm && r == KJ_OK; n++) {
					double u = unit(hash(g->o.seed, T_MEASURE, (uint64_t)pid, (uint64_t)n, 0, 0));
					char mdue[11], done[11], mt[300];
					const char *from = f.started[0] ? f.started : f.created;
					int is_done;

					kj_date_add_days(from, 60 + (int)(u * 200), mdue);
					/* Done with the plan; while it is in progress, half are done by their
					 * due date and the others run late or are still to come. */
					if (f.status >= 4) {
						snprintf(done, sizeof(done), "%s", min_date(mdue, f.done));
						is_done = 1;
					} else {
						kj_date_add_days(mdue, -10, done);
						is_done = f.status == 3 && u < 0.5 && strcmp(done, g->today) < 0;
					}
					snprintf(mt, sizeof(mt), "是正措置 %d を実施する / Carry out corrective measure %d", n, n);
					at_nine(f.created, t1);
					row_start(&w);
					put_i(&w, pid);
					put_i(&w, n);
					put_s(&w, mt);
					put_i(&w, f.owner);
					put_s(&w, mdue);
					put_s(&w, is_done ? "done" : "open");
					put_s(&w, is_done ? done : NULL);
					put_id(&w, is_done ? f.owner : 0);
					put_s(&w, t1);
					r = kj_bulk_row(g->ctx, b, w.v);
					g->cnt.measures++;
				}
			} else if (pass == 5 && f.status >= 3) {
				int n;

				for (n = 1; n <= (f.status >= 4 ? 2 : 1) && r == KJ_OK; n++) {
					char on[11];

					if (n == 2)
						snprintf(on, sizeof(on), "%s", f.done);
					else
						kj_date_add_days(f.started, 30, on);
					if (strcmp(on, g->today) >= 0)
						continue;
					at_nine(on, t1);
					row_start(&w);
					put_i(&w, pid);
					put_s(&w, on);
					put_i(&w, n == 2 ? 100 : 40);
					put_s(&w, n == 2 ? "全措置を完了。 / Every measure is done." : "措置に着手。 / Measures under way.");
					put_i(&w, f.writer);
					put_s(&w, t1);
					r = kj_bulk_row(g->ctx, b, w.v);
				}
			}
		}
		r = kj_bulk_end(g->ctx, b, r);
	}
	return r;
}

static kj_err
audits(struct gen *g)
{
	int64_t prog0, eid, fid;
	int nprog = 2 + g->o.nministries, y;
	kj_err r;

	if ((r = next_id(g->ctx, "audit_programme", &prog0)) != KJ_OK || (r = next_id(g->ctx, "audit_engagement", &eid)) != KJ_OK ||
	    (r = next_id(g->ctx, "audit_finding", &fid)) != KJ_OK)
		return r;
	for (y = 0; y < g->o.nyears && r == KJ_OK; y++)
		r = plan_audits(g, y, prog0 + (int64_t)y * nprog, &eid, &fid);
	if (r != KJ_OK || (r = load_programmes(g, prog0, nprog)) != KJ_OK || (r = load_engagements(g)) != KJ_OK ||
	    (r = load_findings(g)) != KJ_OK)
		return r;
	return load_follow_up(g);
}

/* ---- The whole ------------------------------------------------------------------------- */

static kj_err
check_opts(struct kj_ctx *ctx, struct kj_scale_opts *o)
{
	if (o->nministries == 0)
		o->nministries = DEFAULT_MINISTRIES;
	if (o->norgs == 0)
		o->norgs = DEFAULT_ORGS;
	if (o->nrequirements == 0)
		o->nrequirements = DEFAULT_REQUIREMENTS;
	if (o->nyears == 0)
		o->nyears = DEFAULT_YEARS;
	if (o->seed == 0)
		o->seed = DEFAULT_SEED;
	if (o->nministries < 1 || o->nministries > (int)(sizeof(ministries) / sizeof(ministries[0])))
		return kj_failf(ctx, KJ_ERR_INVALID, "ministries: expected 1 to %d",
				(int)(sizeof(ministries) / sizeof(ministries[0])));
	if (o->norgs < o->nministries || o->norgs > 9999)
		return kj_failf(ctx, KJ_ERR_INVALID, "organisations: expected %d (the ministries) to 9999", o->nministries);
	if (o->nrequirements < NPARTS || o->nrequirements > 2000)
		return kj_failf(ctx, KJ_ERR_INVALID, "requirements: expected %d to 2000", NPARTS);
	if (o->nyears < 1 || o->nyears > 30)
		return kj_failf(ctx, KJ_ERR_INVALID, "years: expected 1 to 30");
	if (o->last_fy != 0 && (o->last_fy < 2000 || o->last_fy > 2100))
		return kj_failf(ctx, KJ_ERR_INVALID, "last fiscal year: expected 2000 to 2100");
	return KJ_OK;
}

static kj_err
is_empty(struct kj_ctx *ctx)
{
	int64_t n = 0;
	kj_err r = max_id(ctx, "SELECT (SELECT COUNT(*) FROM org) + (SELECT COUNT(*) FROM edition)", &n);

	if (r == KJ_OK && n > 0)
		r = kj_failf(ctx, KJ_ERR_STATE, "the database already holds organisations or editions; the national-scale "
						"data set needs an empty one");
	return r;
}

static kj_err
record(struct gen *g)
{
	json_t *j = json_pack("{s:s, s:I, s:i, s:i, s:i, s:i, s:I, s:I, s:I, s:I, s:I}", "what", "national-scale data set",
			      "seed", (json_int_t)g->o.seed, "first_fy", g->first_fy, "last_fy", g->cnt.last_fy,
			      "organisations", g->o.norgs, "requirements", g->o.nrequirements, "campaigns",
			      (json_int_t)g->cnt.campaigns, "rollup_rows", (json_int_t)g->cnt.rollup_rows, "answers",
			      (json_int_t)g->cnt.answers, "engagements", (json_int_t)g->cnt.engagements, "findings",
			      (json_int_t)g->cnt.findings);
	char *s = j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	char uuid[37];
	kj_err r;

	json_decref(j);
	if (s == NULL)
		return kj_failf(g->ctx, KJ_ERR_NOMEM, "out of memory");
	uuid_of(g, 13, 0, 0, uuid);
	r = kj_auditlog_append(g->ctx, "dataset", uuid, 0, "scale.generate", s);
	free(s);
	return r;
}

kj_err
kj_scale_generate(struct kj_ctx *ctx, const struct kj_scale_opts *opts, struct kj_scale_counts *counts_out,
		  json_t **accounts_out)
{
	struct gen g;
	struct kj_principal saved = ctx->who;
	json_t *acc = json_array();
	int y;
	kj_err r;

	memset(&g, 0, sizeof(g));
	g.ctx = ctx;
	g.o = *opts;
	if ((r = check_opts(ctx, &g.o)) != KJ_OK)
		goto done;
	memset(&ctx->who, 0, sizeof(ctx->who));
	ctx->who.role = KJ_ROLE_LOCAL_ADMIN;
	kj_strlcpy(ctx->who.name, "scale", sizeof(ctx->who.name));
	kj_date_format(kj_now(ctx), g.today);
	g.cnt.last_fy = g.o.last_fy ? g.o.last_fy : kj_fiscal_year(g.today);
	g.first_fy = g.cnt.last_fy - g.o.nyears + 1;
	g.cnt.first_fy = g.first_fy;
	g.ed2_year = g.o.nyears >= 2 ? g.o.nyears / 2 : 0;
	/* A last year in the future has not happened: today is its last day. */
	if (g.cnt.last_fy > kj_fiscal_year(g.today))
		fy_day(g.cnt.last_fy, 364, g.today);
	if ((r = kj_tx_begin(ctx)) != KJ_OK)
		goto done;
	if ((r = is_empty(ctx)) != KJ_OK || (r = plan_requirements(&g)) != KJ_OK || (r = plan_quality(&g)) != KJ_OK)
		goto out;
	for (y = 0; y < (g.ed2_year > 0 ? 2 : 1) && r == KJ_OK; y++)
		r = store_edition(&g, y);
	g.cnt.editions = g.ed2_year > 0 ? 2 : 1;
	g.cnt.requirements = g.o.nrequirements;
	if (r != KJ_OK || (r = make_orgs(&g)) != KJ_OK || (r = make_users(&g, acc)) != KJ_OK)
		goto out;
	progress(&g, "accounts", 1, 1);
	if ((r = load_policies(&g)) != KJ_OK)
		goto out;
	for (y = 0; y < g.o.nyears && r == KJ_OK; y++) {
		r = inspection_year(&g, y);
		progress(&g, "self-inspection years", (size_t)y + 1, (size_t)g.o.nyears);
	}
	if (r == KJ_OK)
		r = audits(&g);
	if (r == KJ_OK)
		r = sync_sequences(ctx);
	if (r == KJ_OK)
		r = record(&g);
out:
	r = kj_tx_end(ctx, r);
done:
	ctx->who = saved;
	free(g.org);
	free(g.req);
	free(g.chap);
	free(g.q);
	free(g.diff);
	free(g.eng);
	free(g.find);
	if (r == KJ_OK && counts_out != NULL)
		*counts_out = g.cnt;
	if (r == KJ_OK && accounts_out != NULL)
		*accounts_out = acc;
	else
		json_decref(acc);
	return r;
}
