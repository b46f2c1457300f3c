/*
 * demo.c: fills the demo government with accounts, policies, self-inspection, audits and
 * their follow-up (demo.h). The numbers vary between organisations by a fixed pseudo-random
 * sequence, so every demo database tells the same story; only the passwords differ. FY2024's
 * audits happen on their own dates; their follow-up on days counted back from today.
 */
#include "demo.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/buf.h"
#include "../base/util.h"
#include "../db/db.h"
#include "../model/access.h"
#include "../model/account.h"
#include "../model/act.h"
#include "../model/audit.h"
#include "../model/inspection.h"
#include "../model/org.h"
#include "../model/plan.h"
#include "../model/policy.h"
#include "../model/standard.h"

static uint64_t
next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* A number in [0, 1). */
static double
uniform(uint64_t *s)
{
	return (double)(next(s) >> 11) / 9007199254740992.0;
}

/* How well an organisation does, from its code: stable across databases. */
static double
quality(const char *code)
{
	uint64_t h = 1469598103934665603ull;

	for (; *code; code++)
		h = (h ^ (unsigned char)*code) * 1099511628211ull;
	return 0.55 + 0.43 * ((double)(h % 1000) / 1000.0);
}

static void
lower(char *dst, const char *src, size_t size)
{
	size_t i;

	for (i = 0; src[i] && i + 1 < size; i++)
		dst[i] = (char)(src[i] >= 'A' && src[i] <= 'Z' ? src[i] - 'A' + 'a' : src[i]);
	dst[i] = '\0';
}

static kj_err
account(struct kj_ctx *ctx, json_t *out, const char *name, const char *org, const char *role)
{
	struct kj_user_new in = {.name = name, .org = org, .role = role};
	char pw[64];
	kj_err r = kj_user_create(ctx, &in, NULL, pw, sizeof(pw));

	if (r == KJ_OK)
		json_array_append_new(out, json_pack("{s:s, s:s, s:s, s:s}", "name", name, "role", role, "org", org, "password", pw));
	return r;
}

static void
act_as(struct kj_ctx *ctx, const char *name)
{
	struct kj_principal saved = ctx->who;
	struct kj_user u;

	ctx->who.role = KJ_ROLE_LOCAL_ADMIN;
	if (kj_user_get(ctx, name, &u) != KJ_OK) {
		ctx->who = saved;
		return;
	}
	memset(&ctx->who, 0, sizeof(ctx->who));
	ctx->who.user_id = u.id;
	ctx->who.role = u.role;
	ctx->who.org_id = u.org_id;
	kj_strlcpy(ctx->who.name, u.name, sizeof(ctx->who.name));
}

static void
act_local(struct kj_ctx *ctx)
{
	memset(&ctx->who, 0, sizeof(ctx->who));
	ctx->who.role = KJ_ROLE_LOCAL_ADMIN;
	kj_strlcpy(ctx->who.name, "demo", sizeof(ctx->who.name));
}

/* The first division under an organisation's general-affairs bureau, or any division. */
static const char *
a_division(const struct kj_org_list *l, const char *org, int nth)
{
	size_t i, len = strlen(org);
	int seen = 0;

	for (i = 0; i < l->n; i++) {
		if (strcmp(l->v[i].kind, "division") == 0 && strncmp(l->v[i].code, org, len) == 0 && l->v[i].code[len] == '-') {
			if (seen++ == nth)
				return l->v[i].code;
		}
	}
	return NULL;
}

static const char *
a_bureau(const struct kj_org_list *l, const char *org)
{
	size_t i, len = strlen(org);

	for (i = 0; i < l->n; i++) {
		if (strcmp(l->v[i].kind, "bureau") == 0 && strncmp(l->v[i].code, org, len) == 0 && l->v[i].code[len] == '-')
			return l->v[i].code;
	}
	return NULL;
}

/* A policy answering edition, covering each requirement with probability q. */
static kj_err
policy_version(struct kj_ctx *ctx, const char *org, const struct kj_edition *ed, double q, uint64_t *rng, int *vno)
{
	json_t *clauses = json_array(), *clause = NULL, *maps = NULL, *content;
	size_t i;
	kj_err r;

	for (i = 0; i < ed->nitems; i++) {
		const struct kj_item *it = &ed->items[i];
		double u;

		if (strcmp(it->kind, "group") == 0) {
			char text[256];

			snprintf(text, sizeof(text), "統一基準 %s に対応する本府省の規定", it->number);
			clause = json_pack("{s:s, s:s?, s:s, s:[]}", "number", it->number, "title", it->title_ja, "text_ja", text,
					   "mappings");
			json_array_append_new(clauses, clause);
			maps = json_object_get(clause, "mappings");
			continue;
		}
		if (strcmp(it->kind, "requirement") != 0 || maps == NULL || uniform(rng) > q)
			continue;
		u = uniform(rng);
		if (u < 0.10)
			json_array_append_new(maps, json_pack("{s:s, s:s}", "requirement", it->number, "status", "stricter"));
		else if (u < 0.13)
			json_array_append_new(maps, json_pack("{s:s, s:s, s:s}", "requirement", it->number, "status", "alternative",
							      "justification", "同等以上の代替措置として、既存の業務手順で管理する。"));
		else if (u < 0.15)
			json_array_append_new(maps, json_pack("{s:s, s:s, s:s}", "requirement", it->number, "status",
							      "not_applicable", "justification", "該当する情報システムを保有しない。"));
		else
			json_array_append_new(maps, json_pack("{s:s, s:s}", "requirement", it->number, "status", "adopted"));
	}
	content = json_pack("{s:s, s:o}", "edition", ed->code, "clauses", clauses);
	r = kj_policy_version_add(ctx, org, "STD", "demo", content, vno);
	json_decref(content);
	return r;
}

struct mem {
	const char *p;
	size_t len, off;
};

static long
mem_read(void *arg, char *buf, size_t size)
{
	struct mem *m = arg;
	size_t n = m->len - m->off < size ? m->len - m->off : size;

	memcpy(buf, m->p + m->off, n);
	m->off += n;
	return (long)n;
}

/* Answers every item of every checklist in campaign (skipping holders in skip), done with
 * probability q, the rest partial, not done or not applicable; fill is the share of items
 * answered. */
static kj_err
answer_campaign(struct kj_ctx *ctx, const char *campaign, double q, double fill, uint64_t *rng, const char *skip)
{
	struct kj_stmt *st = NULL;
	struct kj_buf csv;
	struct mem m;
	int row;
	kj_err r;

	kj_buf_init(&csv, 0);
	kj_buf_puts(&csv, "checklist,item,value,comment\n");
	r = kj_db_prepare(ctx, "SELECT k.uuid, i.item_number, u.name FROM checklist k JOIN campaign c ON c.id = k.campaign_id "
			       "JOIN campaign_item i ON i.campaign_id = c.id AND (i.role IS NULL OR i.role = k.role) "
			       "JOIN app_user u ON u.id = k.user_id WHERE c.code = ? ORDER BY k.id, i.seq", &st);
	if (r == KJ_OK && (r = kj_stmt_bind_text(ctx, st, 1, campaign)) == KJ_OK) {
		while ((r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row) {
			double u = uniform(rng);
			const char *v;

			if ((skip != NULL && strcmp(kj_stmt_text(st, 2), skip) == 0) || uniform(rng) > fill)
				continue;
			v = u < q ? "implemented" : u < q + (1 - q) * 0.4 ? "partial" : u < 0.97 ? "not_implemented" : "not_applicable";
			kj_buf_printf(&csv, "%s,%s,%s,\n", kj_stmt_text(st, 0), kj_stmt_text(st, 1), v);
		}
	}
	kj_stmt_free(st);
	if (r == KJ_OK && kj_buf_failed(&csv))
		r = kj_failf(ctx, KJ_ERR_NOMEM, "out of memory");
	if (r == KJ_OK) {
		m = (struct mem){kj_buf_cstr(&csv), csv.len, 0};
		r = kj_answers_import_csv(ctx, campaign, "demo", mem_read, &m, NULL, NULL);
	}
	kj_buf_free(&csv);
	return r;
}

static kj_err
submit_all(struct kj_ctx *ctx, const char *campaign, const char *skip)
{
	struct kj_stmt *st = NULL;
	char uuids[64][37];
	int n = 0, row, i;
	kj_err r;

	r = kj_db_prepare(ctx, "SELECT k.uuid FROM checklist k JOIN campaign c ON c.id = k.campaign_id JOIN app_user u ON u.id = k.user_id "
			       "WHERE c.code = ? AND u.name <> ? AND k.status = 'open' AND NOT EXISTS (SELECT 1 FROM campaign_item i "
			       "WHERE i.campaign_id = c.id AND (i.role IS NULL OR i.role = k.role) AND NOT EXISTS "
			       "(SELECT 1 FROM answer a WHERE a.checklist_id = k.id AND a.item_id = i.id))", &st);
	if (r == KJ_OK && (r = kj_stmt_bind_text(ctx, st, 1, campaign)) == KJ_OK &&
	    (r = kj_stmt_bind_text(ctx, st, 2, skip ? skip : "")) == KJ_OK) {
		while ((r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row && n < 64)
			kj_strlcpy(uuids[n++], kj_stmt_text(st, 0), sizeof(uuids[0]));
	}
	kj_stmt_free(st);
	for (i = 0; i < n && r == KJ_OK; i++)
		r = kj_checklist_submit(ctx, uuids[i]);
	return r;
}

/* ---- Audits ---------------------------------------------------------------------------- */

/* What auditors write: the requirement it falls under in the FY2023 and FY2025 editions, the
 * category, severity and urgency, and the words in Japanese and English. */
static const struct observation {
	const char *req[2];
	const char *category, *severity;
	int urgent;
	const char *title_ja, *title_en, *text_ja, *text_en;
} observations[] = {
	/* 0 */ {{"7.2.1(1)(a)", "7.2.1(1)(a)"}, "finding", "critical", 1,
		 "外部公開サーバに修正プログラムが未適用", "Internet-facing server left unpatched",
		 "申請受付用のWebサーバに、悪用が報告されている脆弱性の修正プログラムが約8か月間適用されていなかった。"
		 "直ちに適用し、適用状況を毎月確認する手順を定めること。",
		 "The web server that takes online applications went about eight months without the fix for a vulnerability "
		 "known to be exploited. Apply it at once and check the patch status every month."},
	/* 1 */ {{"7.1.3(1)(a)", "7.1.3(1)(a)"}, "finding", "high", 0,
		 "管理者アカウントの共用", "Shared administrator accounts",
		 "ファイルサーバと業務システムの管理者アカウント「admin」を委託事業者を含む5名で共用しており、操作した者を特定できない。"
		 "個人別の管理者アカウントに切り替え、管理者の一覧を整備すること。",
		 "Five people, contractor staff among them, share the \"admin\" account of the file server and the business "
		 "system, so no change can be traced to a person. Issue personal administrator accounts and keep a list of them."},
	/* 2 */ {{"7.1.4(1)(a)", "7.1.4(1)(c)"}, "finding", "medium", 0,
		 "ログの点検が行われていない", "Logs collected but never reviewed",
		 "認証サーバとプロキシのログは取得されているが、点検の担当者も頻度も定められておらず、過去1年間に点検した記録がない。",
		 "Authentication server and proxy logs are collected, but nobody is assigned to review them, no frequency is "
		 "set, and there is no record of any review in the past year."},
	/* 3 */ {{"3.1.1(5)(b)", "3.1.1(5)(a)"}, "finding", "high", 0,
		 "暗号化されていないUSBメモリでの持ち出し", "Confidential files taken out on unencrypted USB drives",
		 "台帳に登録のない私物のUSBメモリに要機密情報を保存して庁外へ持ち出した事例を2件確認した。"
		 "持ち出しは暗号化機能付きの貸出媒体に限ること。",
		 "Two cases were found of confidential files carried off the premises on personal USB drives that were not "
		 "in the media register and had no encryption. Allow only encrypted drives lent from the register."},
	/* 4 */ {{"4.1.1(2)(a)", "4.1.1(2)(a)"}, "finding", "medium", 0,
		 "委託契約に情報セキュリティ条項がない", "Outsourcing contract without security clauses",
		 "窓口システムの運用保守委託契約に、再委託の制限、事故時の報告義務、契約終了時の情報の返却・消去が定められていない。",
		 "The operation and maintenance contract of the counter system does not limit subcontracting, require "
		 "incident reports, or require the return or erasure of information when it ends."},
	/* 5 */ {{"4.1.1(3)(a)", "4.1.1(3)(a)"}, "advice", NULL, 0,
		 "委託先の履行確認を記録すること", "Record the checks on contractors",
		 "委託先の対策の実施状況は口頭で確認されているが、記録が残っていない。"
		 "年1回の報告書提出を契約で求め、確認結果を保存することが望ましい。",
		 "Contractors' measures are checked orally and nothing is written down. Ask for a yearly report in the "
		 "contract and keep the result of each check."},
	/* 6 */ {{"6.1.1(2)(a)", "6.1.1(2)(a)"}, "finding", "low", 0,
		 "一部の端末で更新の適用が遅れている", "Updates late on some terminals",
		 "資産管理ツールの集計では、端末の約6%がOSの更新を2か月以上適用していなかった。多くは長期不在者の端末である。",
		 "The asset management tool shows about 6% of terminals more than two months behind on operating system "
		 "updates, most of them belonging to staff on long leave."},
	/* 7 */ {{"2.2.3(2)(a)", "2.2.3(2)(a)"}, "good_practice", NULL, 0,
		 "標的型メール訓練と研修の連動", "Phishing drills tied to training",
		 "標的型メール訓練で添付ファイルを開いた職員に翌週の補講を課しており、受講率は100%に達している。他の機関の参考になる。",
		 "Staff who open the attachment in a phishing drill attend a follow-up session the next week, and attendance "
		 "has reached 100%. Other organisations could do the same."},
	/* 8 */ {{"2.1.2(2)(a)", "2.1.2(2)(a)"}, "advice", "low", 0,
		 "年度計画に達成指標を設けること", "Give the yearly security plan measurable targets",
		 "情報セキュリティ対策推進計画に実施項目は並んでいるが、達成度を測る指標がなく、年度末の評価が記述にとどまっている。",
		 "The yearly security plan lists activities but no measure of success, so the year-end assessment stays "
		 "descriptive."},
	/* 9 */ {{"6.2.1(2)(a)", "6.2.1(2)(a)"}, "finding", "medium", 0,
		 "通常の業務端末からサーバを管理している", "Servers administered from ordinary office terminals",
		 "業務システムのサーバに、インターネット閲覧にも使う通常の業務端末からリモートデスクトップで管理接続できる。",
		 "The business system's servers accept remote desktop administration from ordinary office terminals that are "
		 "also used to browse the internet."},
	/* 10 */ {{"8.1.1(2)(b)", "8.1.1(2)(b)"}, "good_practice", NULL, 0,
		  "USBポートの一元制御", "Central control of USB ports",
		  "全端末でUSB記憶媒体の接続を既定で禁止し、登録済みの媒体だけを資産管理ツールで一元的に許可している。",
		  "USB storage is blocked by default on every terminal, and only registered media are allowed, centrally "
		  "through the asset management tool."},
	/* 11 */ {{"2.3.1(3)(c)", "2.3.1(3)(c)"}, "advice", NULL, 0,
		  "自己点検結果への改善指示に期限と担当を", "Give self-inspection follow-ups a deadline and an owner",
		  "自己点検で未実施とされた項目に改善指示は出ているが、期限と担当者が示されておらず、"
		  "翌年度も同じ項目が未実施のままである。",
		  "Improvement orders follow the items reported as not implemented, but they name no deadline and no one "
		  "responsible, and the same items were still open a year later."},
	/* 12 */ {{"7.2.1(1)(a)", "8.1.3(2)(d)"}, "finding", "critical", 1,
		  "VPN装置の既知の脆弱性が未対処", "Known VPN appliance vulnerability left open",
		  "テレワーク用のVPN装置に、攻撃での悪用が公表されている脆弱性が残っていた。"
		  "ファームウェアを直ちに更新し、利用者の認証情報を再発行すること。",
		  "The telework VPN appliance still had a vulnerability publicly known to be exploited. Update the firmware at "
		  "once and reissue the users' credentials."},
	/* 13 */ {{"4.2.2(1)(b)", "4.2.2(2)(b)"}, "finding", "high", 1,
		  "クラウド管理者アカウントに多要素認証がない", "No multi-factor authentication on cloud administrators",
		  "職員向けクラウドストレージの管理者アカウント3件がパスワードのみで認証され、うち1件は退職者のものだった。",
		  "Three administrator accounts of the staff cloud storage sign in with a password alone, and one of them "
		  "belongs to someone who has left."},
	/* Penetration tests. */
	/* 14 */ {{"6.2.3(2)(a)", "6.2.3(2)(a)"}, "finding", "critical", 1,
		  "検索機能にSQLインジェクション", "SQL injection in the search function",
		  "公開サイトの検索画面の入力値がそのままSQL文に組み込まれ、登録者情報を含むテーブルを読み出せた。",
		  "Input to the public site's search page goes straight into an SQL statement; the testers could read the "
		  "table of registered users."},
	/* 15 */ {{"7.1.1(1)(b)", "7.1.1(1)(b)"}, "finding", "high", 0,
		  "管理画面が外部から到達可能でロックアウトもない", "Admin login reachable from outside, with no lockout",
		  "CMSの管理画面がインターネットから到達でき、パスワードを1,000回誤っても認証が止まらなかった。",
		  "The CMS login page is reachable from the internet and still accepted attempts after 1,000 wrong passwords."},
	/* 16 */ {{"6.2.1(1)(a)", "6.2.1(1)(a)"}, "finding", "medium", 0,
		  "不要なサービスが稼働している", "Unneeded services left running",
		  "公開セグメントのサーバでFTPと古いTLS 1.0が有効になっていた。業務上の必要はなく、停止すべきである。",
		  "Servers in the public segment had FTP and the old TLS 1.0 enabled, with no business need for either."},
	/* 17 */ {{"6.4.1(1)(a)", "6.4.1(1)(a)"}, "good_practice", NULL, 0,
		  "ネットワーク分離が有効に機能", "Network segmentation held",
		  "公開セグメントから業務セグメントへの横展開を試みたが、ファイアウォールで全て遮断された。",
		  "Attempts to move from the public segment into the business network were all stopped at the firewall."},
	/* 18 */ {{"6.2.3(1)(a)", "6.2.3(1)(a)"}, "finding", "low", 0,
		  "Webサーバに初期コンテンツが残存", "Default content left on a web server",
		  "Webサーバにインストール時のサンプルページが残り、製品名とバージョンが表示されていた。",
		  "A web server still serves the sample pages from installation, which show the product and version."},
	/* 19 */ {{"6.2.4(1)(b)", "6.2.4(1)(b)"}, "advice", NULL, 0,
		  "DNSゾーン転送の制限を確認すること", "Check zone transfer limits",
		  "ゾーン転送は制限されていたが、許可先に廃止済みの旧サーバのアドレスが残っている。",
		  "Zone transfers are limited, but the allowed peers still include the address of a retired server."},
};

/* The scopes, NULL-terminated: a management audit's by edition (FY2023, FY2025), and a
 * penetration test's, the same numbers in both. */
static const char *const scope_ma[2][15] = {
	{"2.1.2(2)(a)", "2.2.3(2)(a)", "2.3.1(3)(c)", "3.1.1(5)(b)", "4.1.1(2)(a)", "4.1.1(3)(a)", "4.2.2(1)(b)",
	 "6.1.1(2)(a)", "6.2.1(2)(a)", "7.1.3(1)(a)", "7.1.4(1)(a)", "7.2.1(1)(a)", "8.1.1(2)(b)", NULL},
	{"2.1.2(2)(a)", "2.2.3(2)(a)", "2.3.1(3)(c)", "3.1.1(5)(a)", "4.1.1(2)(a)", "4.1.1(3)(a)", "4.2.2(2)(b)",
	 "6.1.1(2)(a)", "6.2.1(2)(a)", "7.1.3(1)(a)", "7.1.4(1)(c)", "7.2.1(1)(a)", "8.1.1(2)(b)", "8.1.3(2)(d)", NULL},
};
static const char *const scope_pt[13] = {
	"6.2.1(1)(a)", "6.2.1(2)(a)", "6.2.3(1)(a)", "6.2.3(1)(b)", "6.2.3(2)(a)", "6.2.4(1)(b)",
	"6.4.1(1)(a)", "6.4.1(1)(b)", "7.1.1(1)(b)", "7.1.6(1)(a)", "7.2.1(1)(a)", "7.2.3(1)(a)", NULL,
};

enum { DRAFT, FIELDWORK, REPORTING, SIGNED_OFF };

/* The demo's clock while it writes the audits and their follow-up: a fixed time, today
 * (base) or earlier, so that the story has happened in order. */
struct demo_clock {
	int64_t base, t;
};

static int64_t
clock_fixed(void *arg)
{
	return ((const struct demo_clock *)arg)->t;
}

/* Sets the clock to noon UTC, n days after date (YYYY-MM-DD), for a signed-off year's
 * engagement (year 0); later years happen today. */
static void
on_date(struct demo_clock *c, int year, const char *date, int n)
{
	int y = (date[0] - '0') * 1000 + (date[1] - '0') * 100 + (date[2] - '0') * 10 + (date[3] - '0');
	int m = (date[5] - '0') * 10 + (date[6] - '0'), d = (date[8] - '0') * 10 + (date[9] - '0');
	int64_t era, yoe, doy, doe;

	if (year != 0) {
		c->t = c->base;
		return;
	}
	/* Days since the epoch of a proleptic Gregorian date (y >= 0). */
	y -= m <= 2;
	era = y / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	c->t = (era * 146097 + doe - 719468 + n) * 86400 + 43200;
}

/* One engagement: where it stands, who plans it, who audits, and what they wrote (indexes
 * into observations, -1 ends). */
static const struct audit_plan {
	const char *code, *programme, *org, *planner, *lead, *member;
	int year;		/* 0: FY2024, 1: FY2025 */
	const char *starts_on, *ends_on;
	int status;
	int obs[7];
} audit_plans[] = {
	{"NCO-FY2024-MA-MPF", "NCO-FY2024-MA", "MPF", "centre-admin", "analyst", "analyst2", 0, "2024-07-01", "2024-09-30",
	 SIGNED_OFF, {1, 4, 7, 8, 6, -1}},
	{"NCO-FY2024-MA-MJA", "NCO-FY2024-MA", "MJA", "centre-admin", "analyst2", "analyst3", 0, "2024-09-02", "2024-11-29",
	 SIGNED_OFF, {0, 2, 3, 5, 10, -1}},
	{"NCO-FY2024-MA-MHS", "NCO-FY2024-MA", "MHS", "centre-admin", "analyst3", "analyst", 0, "2024-10-15", "2025-01-31",
	 SIGNED_OFF, {9, 13, 11, 6, 7, -1}},
	{"NCO-FY2024-PT-MCO", "NCO-FY2024-PT", "MCO", "centre-admin", "analyst4", "analyst", 0, "2024-11-05", "2024-12-20",
	 SIGNED_OFF, {14, 15, 16, 17, -1}},
	{"MHA-FY2024-IA-EL", "MHA-FY2024-IA", "MHA-EL", "mha-ciso", "mha-audit", "mha-staff2", 0, "2024-10-01",
	 "2024-12-27", SIGNED_OFF, {3, 2, 8, 10, -1}},
	{"MPF-FY2024-IA-TAX", "MPF-FY2024-IA", "MPF-TAX", "mpf-ciso", "mpf-audit", "mpf-officer", 0, "2024-11-01",
	 "2025-01-31", SIGNED_OFF, {1, 4, 7, -1}},
	{"NCO-FY2025-MA-MIT", "NCO-FY2025-MA", "MIT", "centre-admin", "analyst2", "analyst", 1, "2025-07-01", "2025-09-30",
	 REPORTING, {13, 1, 5, 7, 8, 11, -1}},
	{"NCO-FY2025-MA-MEC", "NCO-FY2025-MA", "MEC", "centre-admin", "analyst3", "analyst4", 1, "2025-10-01", "2025-12-19",
	 FIELDWORK, {6, 2, 12, -1}},
	{"NCO-FY2025-MA-MER", "NCO-FY2025-MA", "MER", "centre-admin", "analyst", NULL, 1, "2026-01-13", "2026-03-13",
	 DRAFT, {-1}},
	{"NCO-FY2025-PT-MTI", "NCO-FY2025-PT", "MTI", "centre-admin", "analyst4", "analyst2", 1, "2025-11-04", "2025-12-12",
	 FIELDWORK, {18, 19, 16, -1}},
	{"MHA-FY2025-IA-LG", "MHA-FY2025-IA", "MHA-LG", "mha-ciso", "mha-audit", "mha-officer", 1, "2025-09-01",
	 "2025-11-28", REPORTING, {9, 11, 4, 10, -1}},
	{"MPF-FY2025-IA-IT", "MPF-FY2025-IA", "MPF-GA-IT", "mpf-ciso", "mpf-audit", "mpf-officer", 1, "2025-10-01",
	 "2025-12-26", FIELDWORK, {3, 6, -1}},
};

static const struct kj_org *
find_org(const struct kj_org_list *l, const char *code)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		if (strcmp(l->v[i].code, code) == 0)
			return &l->v[i];
	}
	return NULL;
}

/* The programmes: the centre's management audits and penetration tests, and the internal
 * audits of two ministries, for both fiscal years. */
static kj_err
audit_programmes(struct kj_ctx *ctx, struct demo_clock *c, const struct kj_org_list *l)
{
	static const struct {
		const char *code, *org, *planner, *kind, *what_ja, *what_en;	/* code: after "ORG-FYyyyy-" */
	} progs[] = {
		{"MA", "NCO", "centre-admin", "management_audit", "マネジメント監査計画", "management audit programme"},
		{"PT", "NCO", "centre-admin", "penetration_test", "ペネトレーションテスト計画", "penetration test programme"},
		{"IA", "MHA", "mha-ciso", "internal_audit", "内部監査計画", "internal audit programme"},
		{"IA", "MPF", "mpf-ciso", "internal_audit", "内部監査計画", "internal audit programme"},
	};
	size_t i;
	int y;
	kj_err r = KJ_OK;

	for (y = 0; y < 2 && r == KJ_OK; y++) {
		for (i = 0; i < sizeof(progs) / sizeof(progs[0]) && r == KJ_OK; i++) {
			const struct kj_org *o = find_org(l, progs[i].org);
			const int centre = strcmp(progs[i].org, "NCO") == 0;
			char code[40], tja[400], ten[400], uuid[37];
			struct kj_audit_programme_new in;

			if (o == NULL)
				return kj_failf(ctx, KJ_ERR_NOT_FOUND, "demo: no organisation %s", progs[i].org);
			snprintf(code, sizeof(code), "%s-FY%d-%s", progs[i].org, 2024 + y, progs[i].code);
			snprintf(tja, sizeof(tja), "令和%d年度 %s%s", 6 + y, centre ? "" : o->name_ja, progs[i].what_ja);
			snprintf(ten, sizeof(ten), "FY%d %s%s%s", 2024 + y, progs[i].what_en, centre ? "" : " of the ",
				 centre ? "" : o->name_en);
			memset(&in, 0, sizeof(in));
			in.code = code;
			in.org = progs[i].org;
			in.fiscal_year = 2024 + y;
			in.kind = progs[i].kind;
			in.title_ja = tja;
			in.title_en = ten;
			on_date(c, y, "2024-04-01", 0);
			act_as(ctx, progs[i].planner);
			r = kj_audit_programme_create(ctx, &in, uuid);
		}
	}
	act_local(ctx);
	return r;
}

/* One engagement, taken as far as its plan says: the planner sets it up, the team writes
 * the findings, the lead auditor signs off. */
static kj_err
audit_engagement(struct kj_ctx *ctx, struct demo_clock *c, const struct kj_org_list *l, const struct audit_plan *p,
		 char fids[][37])
{
	static const char *const editions[] = {"demo-fy2023", "demo-fy2025"};
	const struct kj_org *o = find_org(l, p->org);
	const int pentest = strstr(p->programme, "-PT") != NULL, internal = strstr(p->programme, "-IA") != NULL;
	const char *const *scope = pentest ? scope_pt : scope_ma[p->year];
	struct kj_audit_engagement_new in;
	char tja[400], ten[400], uuid[37];
	size_t nscope;
	int k;
	kj_err r;

	if (o == NULL)
		return kj_failf(ctx, KJ_ERR_NOT_FOUND, "demo: no organisation %s", p->org);
	for (nscope = 0; scope[nscope] != NULL; nscope++)
		;
	snprintf(tja, sizeof(tja), "%s %s", o->name_ja, pentest ? "ペネトレーションテスト" : internal ? "内部監査" : "マネジメント監査");
	snprintf(ten, sizeof(ten), "%s of the %s", pentest ? "Penetration test" : internal ? "Internal audit" : "Management audit",
		 o->name_en);
	memset(&in, 0, sizeof(in));
	in.code = p->code;
	in.programme = p->programme;
	in.org = p->org;
	in.edition = editions[p->year];
	in.title_ja = tja;
	in.title_en = ten;
	in.starts_on = p->starts_on;
	in.ends_on = p->ends_on;
	on_date(c, p->year, p->starts_on, -21);
	act_as(ctx, p->planner);
	if ((r = kj_audit_engagement_create(ctx, &in, uuid)) != KJ_OK ||
	    (r = kj_audit_member_add(ctx, p->code, p->lead, "lead")) != KJ_OK ||
	    (p->member != NULL && (r = kj_audit_member_add(ctx, p->code, p->member, "member")) != KJ_OK) ||
	    (r = kj_audit_scope_set(ctx, p->code, scope, nscope, NULL, 0)) != KJ_OK)
		goto out;
	on_date(c, p->year, p->starts_on, 0);
	if (p->status >= FIELDWORK && (r = kj_audit_engagement_advance(ctx, p->code, "fieldwork")) != KJ_OK)
		goto out;
	for (k = 0; p->status >= FIELDWORK && p->obs[k] >= 0 && r == KJ_OK; k++) {
		const struct observation *ob = &observations[p->obs[k]];
		struct kj_audit_finding_new f;
		char title[600], text[2000];

		snprintf(title, sizeof(title), "%s / %s", ob->title_ja, ob->title_en);
		snprintf(text, sizeof(text), "%s\n\n%s", ob->text_ja, ob->text_en);
		memset(&f, 0, sizeof(f));
		f.engagement = p->code;
		f.requirement = ob->req[p->year];
		f.category = ob->category;
		f.severity = ob->severity;
		f.urgent = ob->urgent;
		f.title = title;
		f.text = text;
		/* The lead writes the first, the team the rest by turns. */
		on_date(c, p->year, p->starts_on, 7 * (k + 1));
		act_as(ctx, k % 2 == 1 && p->member != NULL ? p->member : p->lead);
		r = kj_audit_finding_add(ctx, &f, fids[k]);
	}
	on_date(c, p->year, p->ends_on, 0);
	act_as(ctx, p->planner);
	if (r == KJ_OK && p->status >= REPORTING)
		r = kj_audit_engagement_advance(ctx, p->code, "reporting");
	on_date(c, p->year, p->ends_on, 14);
	act_as(ctx, p->lead);
	if (r == KJ_OK && p->status >= SIGNED_OFF)
		r = kj_audit_sign_off(ctx, p->code);
out:
	act_local(ctx);
	return r;
}

/* ---- Follow-up: recommendations and improvement plans --------------------------------- */

/* Sets the clock to day d (relative to today) and acts as name. */
static void
on_day(struct kj_ctx *ctx, struct demo_clock *c, int d, const char *name)
{
	c->t = c->base + (int64_t)d * 86400;
	act_as(ctx, name);
}

/* The date of day d relative to today. */
static const char *
day(const struct demo_clock *c, int d, char out[11])
{
	kj_date_format(c->base + (int64_t)d * 86400, out);
	return out;
}

/* One step of a plan, taken by who on day d. */
static kj_err
step(struct kj_ctx *ctx, struct demo_clock *c, int d, const char *who, kj_err (*fn)(struct kj_ctx *, const char *),
     const char *plan)
{
	on_day(ctx, c, d, who);
	return fn(ctx, plan);
}

/* One measure: its owner, when it is due, and when it was done (0: still open). */
struct demo_measure {
	const char *text, *owner;
	int due, done;
};

/* One progress report: its day and percent. */
struct demo_report {
	int on, percent;
	const char *text;
};

/*
 * One follow-up: the engagement whose findings it answers (obs picks which, by index into
 * the engagement's), the recommendation (NULL: a plan made directly) and the plan, with the
 * days (relative to today) of each step; 0 stops the story before that step.
 */
static const struct follow_up {
	const char *engagement, *rec, *rec_text, *plan, *org, *writer, *reviewer, *plan_text;
	int obs[4];
	int issued, accepted, created, plan_due, submitted, plan_accepted, started, completed, verified;
	struct demo_measure m[4];
	struct demo_report rep[3];
} follow_ups[] = {
	{"NCO-FY2024-MA-MPF", "NCO-FY2024-REC-MPF",
	 "管理者アカウントの個人別化、委託契約へのセキュリティ条項の追加、端末の更新管理の徹底を求める。\n\n"
	 "Give every administrator an account of their own, add security clauses to outsourcing contracts, and keep "
	 "terminals updated on time.",
	 "MPF-PLAN-FY2024", "MPF", "mpf-ciso", "centre-admin",
	 "管理者アカウントを個人別に切り替え、委託契約の雛形を改める。\n\n"
	 "Switch to personal administrator accounts and revise the outsourcing contract template.",
	 {0, 1, 4, -1}, -250, -240, -235, -80, -232, -225, -224, -105, -95,
	 {{"共用管理者アカウントを廃止し個人別アカウントを発行する / Retire the shared administrator accounts and issue "
	   "personal ones", "mpf-officer", -150, -160},
	  {"委託契約の雛形に情報セキュリティ条項を追加する / Add security clauses to the outsourcing contract template",
	   "mpf-chief", -110, -115},
	  {"更新未適用の端末を毎週一覧にして督促する / List terminals missing updates every week and chase them",
	   "mpf-staff", -100, -120}},
	 {{-190, 30, "個人別アカウントの発行を開始。 / Personal accounts are being issued."},
	  {-130, 80, "共用アカウントを廃止、契約雛形は決裁待ち。 / Shared accounts retired; the contract template awaits "
		     "approval."},
	  {-108, 100, "全措置を完了。 / Every measure is done."}}},
	{"NCO-FY2024-MA-MJA", "NCO-FY2024-REC-MJA",
	 "外部公開サーバの修正プログラム適用、ログの定期点検、記録媒体の暗号化を求める。\n\n"
	 "Patch the internet-facing servers, review logs on a schedule, and encrypt removable media.",
	 "MJA-PLAN-FY2024", "MJA", "mja-ciso", "centre-admin",
	 "修正プログラムの適用手順とログ点検の体制を整え、暗号化USBメモリに切り替える。\n\n"
	 "Set a patching routine and a log review rota, and move to encrypted USB drives.",
	 {0, 1, 2, -1}, -220, -212, -205, 90, -203, -196, -195, 0, 0,
	 {{"外部公開サーバに修正プログラムを適用し月次で確認する / Patch the internet-facing servers and check them monthly",
	   "mja-officer", -120, -125},
	  {"ログ点検の手順書を定め週次で点検する / Write a log review procedure and review the logs weekly", "mja-staff",
	   -30, 0},
	  {"暗号化USBメモリを配備し私物の使用を禁止する / Hand out encrypted USB drives and ban personal ones",
	   "mja-chief", 60, 0}},
	 {{-160, 20, "サーバの棚卸しを完了。 / Server inventory done."},
	  {-100, 45, "修正プログラムを適用済み。 / Servers patched."},
	  {-15, 55, "ログ点検は人員不足で遅延。 / Log review late for lack of staff."}}},
	{"NCO-FY2024-MA-MHS", "NCO-FY2024-REC-MHS",
	 "サーバ管理専用端末の導入、クラウド管理者への多要素認証、端末の更新管理を求める。\n\n"
	 "Administer servers from dedicated terminals, require multi-factor authentication of cloud administrators, and "
	 "keep terminals updated.",
	 "MHS-PLAN-FY2024", "MHS", "mhs-ciso", "centre-admin",
	 "管理専用端末を整備し、クラウド管理者に多要素認証を必須とする。\n\n"
	 "Set up dedicated administration terminals and make multi-factor authentication mandatory for cloud "
	 "administrators.",
	 {0, 1, 3, -1}, -60, -45, -30, 150, -20, 0, 0, 0, 0,
	 {{"クラウド管理者全員に多要素認証を設定する / Turn on multi-factor authentication for every cloud administrator",
	   "mhs-officer", 45, 0},
	  {"サーバ管理専用端末を調達し管理経路を限定する / Buy dedicated administration terminals and allow only them",
	   "mhs-chief", 120, 0},
	  {"更新の適用状況を月次で報告する / Report the update status of terminals every month", "mhs-staff", 90, 0}},
	 {{0, 0, NULL}}},
	{"MHA-FY2024-IA-EL", NULL, NULL, "MHA-EL-PLAN-FY2024", "MHA-EL", "mha-officer", "mha-ciso",
	 "内部監査の指摘を受け、記録媒体の暗号化とログ点検を定着させる。\n\n"
	 "Following the internal audit, make media encryption and log review routine.",
	 {0, 1, -1, -1}, 0, 0, -170, 30, -168, -160, -159, 0, 0,
	 {{"持ち出し用USBメモリを暗号化製品に統一する / Use only encrypted USB drives for taking files out",
	   "mha-officer", -60, -70},
	  {"ログ点検の結果を月次で課長に報告する / Report the log review to the division head every month", "mha-staff",
	   20, 0}},
	 {{-100, 40, "暗号化USBメモリを配備。 / Encrypted USB drives handed out."},
	  {-40, 70, "ログ点検を試行中。 / Log review on trial."}}},
};

/* One follow-up as far as its story goes; fids are the engagement's findings. */
static kj_err
follow_up(struct kj_ctx *ctx, struct demo_clock *c, const struct follow_up *f, char fids[][37])
{
	const char *cited[4];
	char uuid[37], due[11], on[11];
	size_t n = 0, k;
	kj_err r = KJ_OK;

	for (k = 0; k < 4 && f->obs[k] >= 0; k++)
		cited[n++] = fids[f->obs[k]];
	if (f->rec != NULL) {
		struct kj_recommendation_new in = {.code = f->rec, .issuer = "NCO", .org = f->org, .findings = cited,
						   .nfindings = n, .text = f->rec_text};

		in.due_on = day(c, f->plan_due + 30, due);
		on_day(ctx, c, f->issued, f->reviewer);
		if ((r = kj_recommendation_create(ctx, &in, uuid)) != KJ_OK)
			return r;
		on_day(ctx, c, f->accepted, f->writer);
		if ((r = kj_recommendation_set_status(ctx, f->rec, "accepted")) != KJ_OK)
			return r;
	}
	{
		struct kj_plan_new in = {.code = f->plan, .recommendation = f->rec, .text = f->plan_text};

		if (f->rec == NULL) {
			in.org = f->org;
			in.findings = cited;
			in.nfindings = n;
		}
		in.due_on = day(c, f->plan_due, due);
		on_day(ctx, c, f->created, f->writer);
		if ((r = kj_plan_create(ctx, &in, uuid)) != KJ_OK)
			return r;
	}
	for (k = 0; k < 4 && f->m[k].text != NULL && r == KJ_OK; k++)
		r = kj_plan_measure_add(ctx, f->plan, f->m[k].text, f->m[k].owner, day(c, f->m[k].due, due), NULL);
	if (r != KJ_OK || f->submitted == 0 || (r = step(ctx, c, f->submitted, f->writer, kj_plan_submit, f->plan)) != KJ_OK ||
	    f->plan_accepted == 0 || (r = step(ctx, c, f->plan_accepted, f->reviewer, kj_plan_accept, f->plan)) != KJ_OK ||
	    f->started == 0 || (r = step(ctx, c, f->started, f->writer, kj_plan_start, f->plan)) != KJ_OK)
		return r;
	/* Measures done and reports, day by day until yesterday (0 marks a measure still open). */
	{
		int d;

		for (d = f->started; d < 0 && r == KJ_OK; d++) {
			for (k = 0; k < 4 && f->m[k].text != NULL && r == KJ_OK; k++) {
				if (f->m[k].done == d) {
					on_day(ctx, c, d, f->writer);
					r = kj_plan_measure_done(ctx, f->plan, (int)k + 1);
				}
			}
			for (k = 0; k < 3 && f->rep[k].text != NULL && r == KJ_OK; k++) {
				if (f->rep[k].on == d) {
					on_day(ctx, c, d, f->writer);
					r = kj_plan_report_add(ctx, f->plan, day(c, d, on), f->rep[k].percent, f->rep[k].text);
				}
			}
		}
	}
	if (r != KJ_OK || f->completed == 0 || (r = step(ctx, c, f->completed, f->writer, kj_plan_complete, f->plan)) != KJ_OK ||
	    f->verified == 0 || (r = step(ctx, c, f->verified, f->reviewer, kj_plan_verify, f->plan)) != KJ_OK)
		return r;
	if (f->rec != NULL)
		r = kj_recommendation_set_status(ctx, f->rec, "closed");
	return r;
}

/* The audits, FY2024's on the days they happened, then their follow-up on a clock set back
 * to the days it happened. */
static kj_err
audits(struct kj_ctx *ctx, const struct kj_org_list *l)
{
	static char fids[sizeof(audit_plans) / sizeof(audit_plans[0])][7][37];
	int64_t (*now)(void *) = ctx->now;
	void *now_arg = ctx->now_arg;
	struct demo_clock c;
	size_t i, j;
	kj_err r;

	memset(fids, 0, sizeof(fids));
	c.base = kj_now(ctx);
	c.t = c.base;
	ctx->now = clock_fixed;
	ctx->now_arg = &c;
	r = audit_programmes(ctx, &c, l);
	for (i = 0; i < sizeof(audit_plans) / sizeof(audit_plans[0]) && r == KJ_OK; i++)
		r = audit_engagement(ctx, &c, l, &audit_plans[i], fids[i]);
	for (j = 0; j < sizeof(follow_ups) / sizeof(follow_ups[0]) && r == KJ_OK; j++) {
		for (i = 0; i < sizeof(audit_plans) / sizeof(audit_plans[0]); i++) {
			if (strcmp(audit_plans[i].code, follow_ups[j].engagement) == 0)
				break;
		}
		if (i == sizeof(audit_plans) / sizeof(audit_plans[0]))
			r = kj_failf(ctx, KJ_ERR_NOT_FOUND, "demo: no engagement %s", follow_ups[j].engagement);
		else
			r = follow_up(ctx, &c, &follow_ups[j], fids[i]);
	}
	ctx->now = now;
	ctx->now_arg = now_arg;
	act_local(ctx);
	return r;
}

/* ---- Improving the standard: proposals, the FY2025 edition's publication, a directive --- */

/* The public id and requirement of the nth finding (by creation) of engagement. */
static kj_err
finding_of(struct kj_ctx *ctx, const char *engagement, int nth, char uuid[37], char item[65])
{
	struct kj_stmt *st = NULL;
	int row = 0, k = 0;
	kj_err r = kj_db_prepare(ctx, "SELECT f.uuid, f.item_number FROM audit_finding f JOIN audit_engagement e ON "
				      "e.id = f.engagement_id WHERE e.code = ? ORDER BY f.id", &st);

	if (r == KJ_OK)
		r = kj_stmt_bind_text(ctx, st, 1, engagement);
	while (r == KJ_OK && (r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row && k++ < nth)
		;
	if (r == KJ_OK && row) {
		kj_strlcpy(uuid, kj_stmt_text(st, 0), 37);
		kj_strlcpy(item, kj_stmt_text(st, 1), 65);
	}
	kj_stmt_free(st);
	if (r == KJ_OK && !row)
		r = kj_failf(ctx, KJ_ERR_NOT_FOUND, "demo: engagement %s has no finding %d", engagement, nth);
	return r;
}

/* The requirement with the lowest implementation rate in fiscal year fy's self-inspection. */
static kj_err
weakest_in(struct kj_ctx *ctx, int fy, char item[65])
{
	struct kj_stmt *st = NULL;
	int row = 0;
	kj_err r = kj_db_prepare(ctx, "SELECT ci.item_number FROM rollup r JOIN campaign_item ci ON ci.id = r.item_id JOIN "
				      "campaign c ON c.id = r.campaign_id WHERE c.fiscal_year = ? GROUP BY ci.item_number HAVING "
				      "SUM(r.n_done + r.n_partial + r.n_not_done) > 0 ORDER BY (2 * SUM(r.n_done) + "
				      "SUM(r.n_partial)) * 1.0 / (2 * SUM(r.n_done + r.n_partial + r.n_not_done)), ci.item_number "
				      "LIMIT 1", &st);

	if (r == KJ_OK && (r = kj_stmt_bind_int(ctx, st, 1, fy)) == KJ_OK && (r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row)
		kj_strlcpy(item, kj_stmt_text(st, 0), 65);
	kj_stmt_free(st);
	if (r == KJ_OK && !row)
		r = kj_failf(ctx, KJ_ERR_NOT_FOUND, "demo: no self-inspection answers in FY%d", fy);
	return r;
}

/* Acts as the administrator (<code>-ciso) of an organisation on day d; 0 when it has none. */
static int
as_ciso(struct kj_ctx *ctx, struct demo_clock *c, int d, const char *org)
{
	char low[40], name[64];
	struct kj_user u;

	lower(low, org, sizeof(low));
	snprintf(name, sizeof(name), "%s-ciso", low);
	act_local(ctx);
	if (kj_user_get(ctx, name, &u) != KJ_OK)
		return 0;
	on_day(ctx, c, d, name);
	return 1;
}

/* The codes of the organisations sql names (no parameters), at most max. */
static size_t
codes_of(struct kj_ctx *ctx, const char *sql, char codes[][65], size_t max)
{
	struct kj_stmt *st = NULL;
	size_t n = 0;
	int row;

	if (kj_db_prepare(ctx, sql, &st) != KJ_OK)
		return 0;
	while (n < max && kj_stmt_step(ctx, st, &row) == KJ_OK && row)
		kj_strlcpy(codes[n++], kj_stmt_text(st, 0), 65);
	kj_stmt_free(st);
	return n;
}

/*
 * The act of the cycle: the centre publishes the FY2025 edition (it supersedes FY2023) 75
 * days ago, to be answered in policies within 180 days, and every other organisation it
 * touches acknowledges; three proposals for the next edition cite the audits' findings and
 * FY2024's weak self-inspection results; an emergency directive went to every ministry 30
 * days ago, due 10 days ago: ten acknowledged it, six completed it.
 */
static kj_err
improvements(struct kj_ctx *ctx)
{
	int64_t (*now)(void *) = ctx->now;
	void *now_arg = ctx->now_arg;
	struct demo_clock c;
	static char orgs[64][65];
	char due[11], fid[3][37], item[3][65], weak[65], uuid[37];
	size_t n, i;
	kj_err r;

	c.base = kj_now(ctx);
	c.t = c.base;
	ctx->now = clock_fixed;
	ctx->now_arg = &c;
	on_day(ctx, &c, -75, "centre-admin");
	r = kj_edition_publish(ctx, "demo-fy2025", day(&c, 105, due), NULL);
	n = r == KJ_OK ? codes_of(ctx, "SELECT o.code FROM edition_impact_org i JOIN org o ON o.id = i.org_id ORDER BY o.code",
				  orgs, 64)
		       : 0;
	for (i = 0; i < n && r == KJ_OK; i += 2) {
		if (as_ciso(ctx, &c, -74 + (int)i, orgs[i]))
			r = kj_edition_impact_ack(ctx, "demo-fy2025", orgs[i]);
	}
	if (r == KJ_OK && (r = finding_of(ctx, "NCO-FY2025-MA-MIT", 0, fid[0], item[0])) == KJ_OK &&
	    (r = finding_of(ctx, "MHA-FY2024-IA-EL", 0, fid[1], item[1])) == KJ_OK &&
	    (r = finding_of(ctx, "NCO-FY2025-PT-MTI", 0, fid[2], item[2])) == KJ_OK)
		r = weakest_in(ctx, 2024, weak);
	if (r == KJ_OK) {
		const struct kj_evidence_new ev1[] = {
			{.kind = "finding", .ref = fid[0], .note = "監査で繰り返し指摘 / found again by the audit"},
			{.kind = "weak_requirement", .ref = weak, .fiscal_year = 2024,
			 .note = "令和6年度点検で低実施率 / weak in the FY2024 self-inspection"}};
		struct kj_proposal_new p1 = {
			.code = "PROP-FY2025-01", .edition = "next", .kind = "change", .item = item[0],
			.text_ja = "責任者を文書で指名し、年1回以上その実施状況を確認すること。",
			.text_en = "Name the responsible officer in writing and check how the duty is carried out at least once a year.",
			.rationale = "監査と自己点検の双方で実施の弱さが続いているため、確認の頻度を明記する。\n\nAudits and the "
				     "self-inspection both keep showing this is weak; say how often it is checked.",
			.evidence = ev1, .nevidence = 2};

		on_day(ctx, &c, -40, "analyst");
		if ((r = kj_proposal_create(ctx, &p1, uuid)) == KJ_OK &&
		    (r = kj_proposal_set_status(ctx, p1.code, "submitted", NULL, NULL)) == KJ_OK) {
			on_day(ctx, &c, -25, "centre-admin");
			r = kj_proposal_set_status(ctx, p1.code, "accepted", NULL, "次の版で反映する。 / To be carried by the next edition.");
		}
	}
	if (r == KJ_OK) {
		const struct kj_evidence_new ev2[] = {
			{.kind = "finding", .ref = fid[1]},
			{.kind = "incident", .ref = "MHA-INC-2025-03", .note = "私物USBメモリの紛失 / a personal USB drive was lost"}};
		struct kj_proposal_new p2 = {
			.code = "PROP-FY2025-02", .edition = "next", .kind = "add",
			.text_ja = "外部記録媒体は組織が支給し暗号化したものに限ること。",
			.text_en = "Allow only removable media that the organisation issues, encrypted.",
			.rationale = "内部監査と事案から、私物媒体の禁止を基準に定める必要がある。\n\nThe internal audit and an "
				     "incident show the ban on personal media belongs in the standard.",
			.evidence = ev2, .nevidence = 2};

		on_day(ctx, &c, -30, "mha-ciso");
		if ((r = kj_proposal_create(ctx, &p2, uuid)) == KJ_OK)
			r = kj_proposal_set_status(ctx, p2.code, "submitted", NULL, NULL);
	}
	if (r == KJ_OK) {
		const struct kj_evidence_new ev3[] = {{.kind = "finding", .ref = fid[2]}};
		struct kj_proposal_new p3 = {
			.code = "PROP-FY2025-03", .edition = "next", .kind = "change", .item = item[2],
			.text_ja = "侵入試験の結果に基づき、公開サーバの設定を四半期ごとに見直すこと。",
			.text_en = "Review the settings of internet-facing servers every quarter, following penetration tests.",
			.rationale = "侵入試験の所見を受けた案（作成中）。\n\nA draft after the penetration test's findings.",
			.evidence = ev3, .nevidence = 1};

		on_day(ctx, &c, -5, "analyst4");
		r = kj_proposal_create(ctx, &p3, uuid);
	}
	if (r == KJ_OK) {
		static const char *const kinds[] = {"ministry"};
		struct kj_directive_new d = {
			.code = "NCO-DIR-FY2025-01", .title_ja = "VPN装置の脆弱性への緊急対応",
			.title_en = "Emergency response to the VPN appliance vulnerability",
			.text_ja = "悪用が確認された脆弱性について、全てのVPN装置に修正を適用し、不審な接続の有無を確認して報告すること。",
			.text_en = "A vulnerability is being exploited: patch every VPN appliance, check for suspicious connections "
				   "and report.",
			.kinds = kinds, .nkinds = 1};

		on_day(ctx, &c, -30, "centre-admin");
		d.due_on = day(&c, -10, due);
		if ((r = kj_directive_issue(ctx, &d, uuid, NULL)) == KJ_OK)
			n = codes_of(ctx, "SELECT code FROM org WHERE kind = 'ministry' AND valid_to IS NULL ORDER BY code", orgs, 64);
		for (i = 0; i < n && i < 10 && r == KJ_OK; i++) {
			if (as_ciso(ctx, &c, -29 + (int)i, orgs[i]))
				r = kj_directive_ack(ctx, d.code, orgs[i]);
			if (r == KJ_OK && i < 6 && as_ciso(ctx, &c, -20 + (int)i * 2, orgs[i]))
				r = kj_directive_complete(ctx, d.code, orgs[i], "全装置に適用済み、不審な接続なし。 / All patched, "
										       "no suspicious connections.");
		}
	}
	ctx->now = now;
	ctx->now_arg = now_arg;
	act_local(ctx);
	return r;
}

kj_err
kj_demo_populate(struct kj_ctx *ctx, json_t **accounts_out)
{
	struct kj_org_list l;
	struct kj_edition e23, e25;
	json_t *acc = json_array();
	uint64_t rng = 20050915;	/* the first unified standard's date */
	struct kj_principal saved = ctx->who;
	size_t i;
	kj_err r;

	memset(&l, 0, sizeof(l));
	kj_edition_init(&e23);
	kj_edition_init(&e25);
	act_local(ctx);
	if ((r = kj_tx_begin(ctx)) != KJ_OK)
		goto done;
	if ((r = kj_org_list(ctx, NULL, 0, &l)) != KJ_OK || (r = kj_edition_load(ctx, "demo-fy2023", &e23)) != KJ_OK ||
	    (r = kj_edition_load(ctx, "demo-fy2025", &e25)) != KJ_OK)
		goto out;

	/* Accounts: the centre, and three people in every ministry, one in every agency. */
	if ((r = account(ctx, acc, "centre-admin", "NCO", "centre_admin")) != KJ_OK ||
	    (r = account(ctx, acc, "analyst", "NCO", "centre_analyst")) != KJ_OK ||
	    (r = account(ctx, acc, "auditor", "NCO", "external_auditor")) != KJ_OK ||
	    (r = account(ctx, acc, "analyst2", "NCO", "centre_analyst")) != KJ_OK ||
	    (r = account(ctx, acc, "analyst3", "NCO", "centre_analyst")) != KJ_OK ||
	    (r = account(ctx, acc, "analyst4", "NCO", "centre_analyst")) != KJ_OK)
		goto out;
	for (i = 0; i < l.n && r == KJ_OK; i++) {
		const struct kj_org *o = &l.v[i];
		char low[40], name[64];

		lower(low, o->code, sizeof(low));
		if (strcmp(o->kind, "ministry") == 0) {
			const char *b = a_bureau(&l, o->code), *d1 = a_division(&l, o->code, 0), *d2 = a_division(&l, o->code, 2);

			snprintf(name, sizeof(name), "%s-ciso", low);
			if ((r = account(ctx, acc, name, o->code, "org_admin")) != KJ_OK)
				break;
			snprintf(name, sizeof(name), "%s-chief", low);
			if ((r = account(ctx, acc, name, o->code, "org_admin")) != KJ_OK)
				break;
			if (b != NULL) {
				snprintf(name, sizeof(name), "%s-officer", low);
				if ((r = account(ctx, acc, name, b, "unit_officer")) != KJ_OK)
					break;
			}
			if (d1 != NULL) {
				snprintf(name, sizeof(name), "%s-staff", low);
				if ((r = account(ctx, acc, name, d1, "staff")) != KJ_OK)
					break;
			}
			if (d2 != NULL) {
				snprintf(name, sizeof(name), "%s-staff2", low);
				if ((r = account(ctx, acc, name, d2, "staff")) != KJ_OK)
					break;
			}
			/* Two ministries audit their own units from the general-affairs division. */
			if (strcmp(o->code, "MHA") == 0 || strcmp(o->code, "MPF") == 0) {
				char unit[96];

				snprintf(unit, sizeof(unit), "%s-GA-GEN", o->code);
				snprintf(name, sizeof(name), "%s-audit", low);
				if (find_org(&l, unit) != NULL && (r = account(ctx, acc, name, unit, "unit_officer")) != KJ_OK)
					break;
			}
		} else if (strcmp(o->kind, "agency") == 0 || strcmp(o->kind, "corporation") == 0) {
			snprintf(name, sizeof(name), "%s-ciso", low);
			if ((r = account(ctx, acc, name, o->code, "org_admin")) != KJ_OK)
				break;
			snprintf(name, sizeof(name), "%s-staff", low);
			if ((r = account(ctx, acc, name, o->code, "staff")) != KJ_OK)
				break;
		}
	}
	if (r != KJ_OK)
		goto out;
	{
		char uuid[37];

		if ((r = kj_engagement_create(ctx, "auditor", "MHA", "2025-04-01", "2026-03-31", uuid)) != KJ_OK)
			goto out;
	}

	/* Policies: each written against FY2023; a third brought up to FY2025. */
	for (i = 0; i < l.n && r == KJ_OK; i++) {
		const struct kj_org *o = &l.v[i];
		char uuid[37], tja[400], ten[400];
		double q = quality(o->code);
		int vno = 0;

		if (strcmp(o->kind, "ministry") != 0 && strcmp(o->kind, "agency") != 0 && strcmp(o->kind, "corporation") != 0)
			continue;
		snprintf(tja, sizeof(tja), "%s情報セキュリティ対策基準", o->name_ja);
		snprintf(ten, sizeof(ten), "%s security standard", o->name_en);
		if ((r = kj_policy_doc_create(ctx, o->code, "STD", "standard", tja, ten, uuid)) != KJ_OK ||
		    (r = policy_version(ctx, o->code, &e23, q, &rng, &vno)) != KJ_OK ||
		    (r = kj_policy_transition(ctx, o->code, "STD", vno, "approve", NULL)) != KJ_OK ||
		    (r = kj_policy_transition(ctx, o->code, "STD", vno, "enforce", "2023-10-01")) != KJ_OK)
			break;
		if (uniform(&rng) < 0.33) {
			if ((r = policy_version(ctx, o->code, &e25, q + 0.03, &rng, &vno)) != KJ_OK ||
			    (r = kj_policy_transition(ctx, o->code, "STD", vno, "approve", NULL)) != KJ_OK ||
			    (r = kj_policy_transition(ctx, o->code, "STD", vno, "enforce", "2025-10-01")) != KJ_OK)
				break;
		} else if (uniform(&rng) < 0.5) {
			/* A revision in the works: a draft against the newer edition. */
			r = policy_version(ctx, o->code, &e25, q, &rng, &vno);
		}
	}
	if (r != KJ_OK)
		goto out;

	/* Self-inspection: the centre mandates one campaign a year for everyone. */
	{
		static const char *const codes[] = {"GOV-FY2024", "GOV-FY2025"};
		static const char *const editions[] = {"demo-fy2023", "demo-fy2025"};
		static const char *const opens[] = {"2024-06-03", "2025-06-02"};
		static const char *const dues[] = {"2024-07-31", "2025-12-19"};
		int y;

		for (y = 0; y < 2 && r == KJ_OK; y++) {
			struct kj_campaign_new in;
			json_t *sel = json_pack("{s:[s, s, s]}", "parts", "2", "3", "8");
			size_t n;

			memset(&in, 0, sizeof(in));
			in.code = codes[y];
			in.org = "NCO";
			in.title_ja = y == 0 ? "令和6年度 政府統一自己点検" : "令和7年度 政府統一自己点検";
			in.title_en = y == 0 ? "FY2024 government-wide self-inspection" : "FY2025 government-wide self-inspection";
			in.edition = editions[y];
			in.opens_on = opens[y];
			in.due_on = dues[y];
			in.select = sel;
			r = kj_campaign_create(ctx, &in, &n);
			json_decref(sel);
			if (r == KJ_OK)
				r = kj_campaign_mandate(ctx, codes[y], NULL, &n);
			/* Checklists: the staff answer the staff items, the officers and CISOs theirs. */
			for (i = 0; i < l.n && r == KJ_OK; i++) {
				const struct kj_org *o = &l.v[i];
				static const char *const who[] = {"staff", "staff2", "officer", "ciso"};
				char child[96], low[40], name[64], uuid[37];
				int k;

				if (strcmp(o->kind, "ministry") != 0 && strcmp(o->kind, "agency") != 0 &&
				    strcmp(o->kind, "corporation") != 0)
					continue;
				snprintf(child, sizeof(child), "%s-%s", codes[y], o->code);
				lower(low, o->code, sizeof(low));
				for (k = 0; k < 4 && r == KJ_OK; k++) {
					struct kj_user u;

					snprintf(name, sizeof(name), "%s-%s", low, who[k]);
					if (kj_user_get(ctx, name, &u) != KJ_OK)
						continue;
					r = kj_checklist_assign(ctx, child, name, NULL, NULL, NULL, uuid);
				}
			}
			if (r == KJ_OK)
				r = kj_campaign_set_status(ctx, codes[y], "open");
			for (i = 0; i < l.n && r == KJ_OK; i++) {
				const struct kj_org *o = &l.v[i];
				char child[96];
				double q = quality(o->code);

				if (strcmp(o->kind, "ministry") != 0 && strcmp(o->kind, "agency") != 0 &&
				    strcmp(o->kind, "corporation") != 0)
					continue;
				snprintf(child, sizeof(child), "%s-%s", codes[y], o->code);
				/* Most improve a little from one year to the next; a few slip. */
				if (y == 1)
					q = q + (uniform(&rng) < 0.2 ? -0.08 : 0.06);
				if (q > 0.99)
					q = 0.99;
				r = answer_campaign(ctx, child, q, y == 0 ? 1.0 : 0.55 + 0.4 * uniform(&rng), &rng,
						    y == 1 && strcmp(o->code, "MHA") == 0 ? "mha-staff" : NULL);
				if (r == KJ_OK)
					r = submit_all(ctx, child, y == 1 ? "mha-staff" : NULL);
			}
			if (r == KJ_OK && y == 0)
				r = kj_campaign_set_status(ctx, codes[y], "closed");
		}
	}
	if (r != KJ_OK)
		goto out;
	/* The loop inside a ministry: the officer's analysis, the CISO's instruction. */
	{
		char uuid[37];

		act_as(ctx, "mha-officer");
		r = kj_note_add(ctx, "GOV-FY2024-MHA", "MHA-EL", "analysis", "8.1.1(2)(a)",
				"外部記録媒体の持ち出し手続が一部の課室で徹底されていない。", NULL, uuid);
		act_as(ctx, "mha-ciso");
		if (r == KJ_OK)
			r = kj_note_add(ctx, "GOV-FY2024-MHA", "MHA", "instruction", "8.1.1(2)(a)",
					"全課室で持ち出し手続を再周知し、次回点検で実施率を確認すること。", "2025-03-31", uuid);
		act_local(ctx);
	}
	/* Audits: the centre's and two ministries' own, FY2024 done and followed up, FY2025 under
	 * way. */
	if (r == KJ_OK)
		r = audits(ctx, &l);
	if (r == KJ_OK)
		r = improvements(ctx);
out:
	r = kj_tx_end(ctx, r);
done:
	ctx->who = saved;
	kj_org_list_free(&l);
	kj_edition_free(&e23);
	kj_edition_free(&e25);
	if (r == KJ_OK)
		*accounts_out = acc;
	else
		json_decref(acc);
	return r;
}
