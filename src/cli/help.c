/*
 * help.c: the text of `kijun help COMMAND`. Every command but init, db, serve and user
 * passwd also works through a server (--server URL or KIJUN_SERVER, token in KIJUN_TOKEN);
 * main.c's usage says so once rather than every entry here.
 */
#include <string.h>

#include "cli.h"

static const struct {
	const char *cmd;
	const char *text;
} help[] = {
	{"audit",
	 "usage: kijun audit verify [--checkpoints DIR [--pubkey KEY]] [--state] [--json]\n"
	 "       kijun audit log [--limit N] [--entity ENTITY] [--org CODE] [--user NAME] [--since TIME]\n"
	 "                       [--until TIME] [--json]\n"
	 "       kijun audit keygen --key FILE [--json]\n"
	 "       kijun audit checkpoint --key FILE --dir DIR [--json]\n\n"
	 "verify walks the tamper-evident audit log and exits 1 naming the first record that was\n"
	 "edited, deleted or reordered. log lists the newest records first.\n\n"
	 "The chain alone cannot stand against someone who may write the database: keygen makes an\n"
	 "Ed25519 signing key (FILE, mode 600, and FILE.pub) to keep out of their reach, and\n"
	 "checkpoint signs the head of the log and writes it to a new file in DIR and to stdout.\n"
	 "verify --checkpoints DIR checks every checkpoint's signature (against KEY, the public key\n"
	 "or a file holding it) and that the log up to it is the one signed, naming each forged\n"
	 "checkpoint and each rewrite, reordering or truncation. verify --state compares every\n"
	 "account, organisation, checklist's answers and audit finding with its last record, and\n"
	 "recounts the roll-up counters. See docs/AUDITLOG.md for what this proves.\n"},
	{"db",
	 "usage: kijun db migrate [--json]\n"
	 "       kijun db status [--json]\n"
	 "       kijun db backup FILE [--force] [--json]\n"
	 "       kijun db restore FILE [--force] [--json]\n\n"
	 "migrate applies every pending migration in one transaction. status lists the migrations\n"
	 "this kijun knows and which are applied. backup writes a consistent copy of the database\n"
	 "to a new file of mode 0600 while the server runs (SQLite: a database file; PostgreSQL: a\n"
	 "pg_dump archive); restore puts one back into an empty database. --force replaces an\n"
	 "existing FILE, or discards what the target database holds. See docs/OPERATIONS.md. All\n"
	 "work on the database only: not with --server.\n"},
	{"demo-scale",
	 "usage: kijun demo-scale [--orgs N] [--ministries N] [--requirements N] [--years N]\n"
	 "                        [--last-fy YYYY] [--seed N] [--answers] [--json]\n\n"
	 "Creates the database (or brings its schema up to date) and fills it with generated\n"
	 "national-scale data, for benchmarks and a demo at full size: the centre, 25 ministries\n"
	 "with 4 bureaus each, agencies and corporations, 1,000 evaluated organisations in all\n"
	 "(--orgs); two editions of a generated standard with 400 requirements in 8 parts\n"
	 "(--requirements); and 10 fiscal years (--years) up to the current one (--last-fy): each\n"
	 "year a government-wide self-inspection of every requirement with everyone's checklists\n"
	 "and results, the centre's and the ministries' audits with findings, recommendations and\n"
	 "improvement plans in every state, and policy revisions. Results are written as the\n"
	 "roll-up counters the answers make; --answers writes the answers too (about 6 million;\n"
	 "slower and larger). The same --seed gives the same data. Takes about a minute on SQLite.\n"
	 "centre-admin and analyst get passwords, shown once; the other accounts (mha-ciso,\n"
	 "mha-ga-officer, ag0001-staff1, ...) have none until kijun user passwd sets one.\n"
	 "The database must be empty. Works on the database only: not with --server.\n"},
	{"eval",
	 "usage: kijun eval government [--fy YEAR] [--json]\n"
	 "       kijun eval org ORG [--fy YEAR] [--json]\n"
	 "       kijun eval board [--fy YEAR] [--json]\n"
	 "       kijun eval refresh --fy YEAR [--json]\n\n"
	 "The centre's evaluation of fiscal year YEAR (the year of its April; default the current\n"
	 "one): per ministry, agency and corporation a score from 0 to 100 from its self-inspection\n"
	 "rates less the weight of its audit findings (lighter as their plans move on), a maturity\n"
	 "level from 1 to 5, and the PDCA board of the year. government shows every organisation\n"
	 "in scope lowest first with the spread, laggards per part, weak requirements and the\n"
	 "trend; org one organisation with why each maturity level is met or not; board a grid\n"
	 "of the cycle's stages. Results are kept per year and computed again when an input\n"
	 "changed; refresh computes them now. The method: docs/EVALUATION.md.\n"},
	{"engagement",
	 "usage: kijun engagement add CODE --programme P --org ORG --edition E [--policy DOC] --title-ja T --title-en T\n"
	 "                            --from DATE --to DATE [--json]\n"
	 "       kijun engagement list [--programme P] [--json]\n"
	 "       kijun engagement show CODE [--json]\n"
	 "       kijun engagement member CODE USER --role lead|member [--json]\n"
	 "       kijun engagement scope CODE --requirements A,B,C [--units U1,U2] [--json]\n"
	 "       kijun engagement status CODE fieldwork|reporting|signed_off [--json]\n"
	 "       kijun engagement sign-off CODE [--json]\n"
	 "       kijun engagement paper CODE FILE [--name NAME] [--json]\n"
	 "       kijun engagement papers CODE [--json]\n"
	 "       kijun engagement report CODE [--json]\n\n"
	 "An engagement of a programme audits one organisation (for an organisation's own\n"
	 "programme: itself or one of its units or agencies) against an edition of the standard\n"
	 "and the organisation's policy (--policy, else its security standard), between two dates\n"
	 "of the programme's fiscal year. Its team has one lead auditor; nobody audits the\n"
	 "organisation they belong to or one above their unit (independence). scope replaces the\n"
	 "requirements audited (numbers of the edition) and, optionally, the units. The status\n"
	 "moves draft, fieldwork (needs a lead and a scope), reporting, signed_off, one step at a\n"
	 "time; only the lead auditor signs off, so on the database itself (as the local\n"
	 "administrator) sign-off is refused: sign off through a server with the lead's token.\n"
	 "paper files FILE (PDF, PNG, JPEG or UTF-8 text, at most 10 MiB) as a working paper,\n"
	 "named NAME or by the file's name, until sign-off; papers lists them. Working papers\n"
	 "are the auditors' own: the audited organisation reads the report instead, which gives\n"
	 "the counts by category and severity and the findings, most severe first; at sign-off\n"
	 "its administrators are notified that the report is ready.\n"
	 "See kijun help finding, kijun help programme.\n"},
	{"finding",
	 "usage: kijun finding add ENGAGEMENT --requirement R --category finding|advice|good_practice\n"
	 "                         [--severity low|medium|high|critical] [--urgent] --title T --text T [--json]\n"
	 "       kijun finding list ENGAGEMENT [--json]\n\n"
	 "The auditors of an engagement add findings from fieldwork until sign-off, each on a\n"
	 "requirement in the engagement's scope. A finding (not advice or good practice) needs a\n"
	 "severity and may be urgent. list shows them oldest first.\n"},
	{"help", "usage: kijun help [COMMAND]\n"},
	{"init",
	 "usage: kijun init [--demo [--demo-parts government,standard,activity]] [--json]\n\n"
	 "Creates the database (or brings its schema up to date). With --demo, loads the demo:\n"
	 "the government, the FY2023 and FY2025 demo editions of the standard, and the activity\n"
	 "(accounts for every role with passwords made now and shown once, policies, two fiscal\n"
	 "years of self-inspection and of audits with their findings); --demo-parts loads some of\n"
	 "them. The database must be empty.\n"
	 "Works on the database only: not with --server.\n"},
	{"login",
	 "usage: kijun --server URL login NAME [--password-stdin] [--scope read|write] [--days N]\n"
	 "                                   [--name TOKEN-NAME]\n\n"
	 "Logs in to the server as NAME with its password (asked on the terminal without echo,\n"
	 "or one line from standard input with --password-stdin), makes an API token with the\n"
	 "session (write scope and 90 days unless told otherwise), ends the session, and prints\n"
	 "\"export KIJUN_SERVER=...\" and, as the last line, \"export KIJUN_TOKEN=...\" for eval:\n\n"
	 "  eval \"$(kijun --server https://kijun.example login alice)\"\n\n"
	 "Nothing is stored on disk. Revoke the token with kijun token revoke ID when done.\n"},
	{"org",
	 "usage: kijun org add --kind KIND --code CODE --name-ja NAME --name-en NAME\n"
	 "                     [--parent CODE] [--supervisor CODE] [--valid-from DATE] [--json]\n"
	 "       kijun org list [CODE] [--all] [--kind KIND] [--json]\n"
	 "       kijun org show CODE [--json]\n"
	 "       kijun org rename CODE [--code NEW] [--name-ja NAME] [--name-en NAME] [--date DATE]\n"
	 "       kijun org move CODE [--parent CODE|\"\"] [--supervisor CODE|\"\"] [--date DATE]\n"
	 "       kijun org abolish CODE [--date DATE] [--successor CODE]\n\n"
	 "KIND is centre, ministry, bureau, division, agency or corporation. Bureaus and\n"
	 "divisions have a parent; agencies and corporations have a supervising ministry instead.\n"
	 "list shows the tree under CODE (or the whole government), supervised agencies under\n"
	 "their ministry; --all includes abolished organisations. DATE is YYYY-MM-DD, the first\n"
	 "day of the new state (default today); earlier states are kept as history.\n"},
	{"programme",
	 "usage: kijun programme add CODE --org ORG --fy YEAR --kind KIND --title-ja T --title-en T [--json]\n"
	 "       kijun programme list [--org ORG] [--fy YEAR] [--json]\n\n"
	 "An audit programme belongs to an owner and a fiscal year (YEAR is the year of its April).\n"
	 "KIND is management_audit or penetration_test (the centre's), internal_audit (an\n"
	 "organisation's own), or external_firm (either's). The centre's administrator plans the\n"
	 "centre's programmes, an organisation's administrator its own. Its engagements are\n"
	 "kijun engagement; kijun audit is the audit log, not these.\n"},
	{"recommendation",
	 "usage: kijun recommendation add CODE --org ORG --issuer ORG --findings ID,ID --text T --due DATE [--council] [--json]\n"
	 "       kijun recommendation list [--org ORG] [--issuer ORG] [--json]\n"
	 "       kijun recommendation status CODE accepted|closed|withdrawn [--json]\n\n"
	 "A recommendation goes from an issuer (the centre, or a ministry supervising ORG) to ORG,\n"
	 "citing findings (their ids, from kijun finding list --json) of signed-off engagements\n"
	 "that audited ORG. It is accepted by ORG's officers, closed by the issuer once its plan\n"
	 "is verified, or withdrawn by the issuer. --council issues it on the council's authority\n"
	 "(the cybersecurity headquarters, which recommends through the centre: the issuer must\n"
	 "be the centre). Without --server the command acts as the local administrator, whom the\n"
	 "library may refuse the issuer's steps. Plans: kijun plan.\n"},
	{"report",
	 "usage: kijun report annual [--format html|pdf] [--fy YEAR] [--lang ja|en] [--org ORG] [--out FILE]\n\n"
	 "The centre's yearly evaluation report of fiscal year YEAR (default: the current one) as\n"
	 "one self-contained HTML document with SVG charts that prints on A4 (the default), or as\n"
	 "PDF printed from it by headless Chromium (the chromium package; KIJUN_CHROMIUM names\n"
	 "another browser). It holds the government's summary and spread, a heatmap of the\n"
	 "organisations by parts of the standard, the trend of the mean, laggards per part, weak\n"
	 "requirements, the PDCA board, and a section for each organisation in scope. With --org,\n"
	 "one organisation's report alone. --lang chooses Japanese (default; fiscal years as\n"
	 "令和7年度) or English. Written to standard output unless --out FILE; a PDF is not\n"
	 "written to a terminal. With --server it reads GET /api/v1/reports/annual, where the\n"
	 "server makes the PDF; staff and external auditors may not read the evaluation.\n"},
	{"standard",
	 "usage: kijun standard import FILE [--id EDITION] [--catalog EDITION] [--check] [--json]\n"
	 "       kijun standard list [--json]\n"
	 "       kijun standard show EDITION [NUMBER] [--lang ja|en|both] [--outline] [--json]\n"
	 "       kijun standard diff OLD NEW [--all] [--brief] [--no-table|--table] [--json]\n"
	 "       kijun standard export EDITION [--format kijun|oscal] [--output FILE]\n\n"
	 "import reads kijun catalogue JSON, an OSCAL catalog, or an OSCAL profile (resolved\n"
	 "against an imported catalog into a baseline: the catalog its import names, or\n"
	 "--catalog). Imports are all or nothing; --check validates without storing.\n"
	 "diff shows what changed: same, changed, renumbered, split, merged, added, removed,\n"
	 "using NEW's correspondence table when NEW supersedes OLD, else text similarity.\n"},
	{"serve",
	 "usage: kijun serve [--listen ADDR:PORT] [--config FILE] [--threads N] [--tls-cert FILE --tls-key FILE]\n"
	 "                   [--max-connections N] [--max-per-address N] [--timeout SECONDS] [--bench-routes]\n"
	 "                   [--header-timeout SECONDS] [--pdf-jobs N] [--pdf-queue N]\n\n"
	 "Serves the JSON API under /api/v1/ (default 127.0.0.1:8080). Settings come from the\n"
	 "flags, then KIJUN_* environment variables, then the config file (key = value lines).\n"
	 "--server and KIJUN_SERVER are for the other commands; serve ignores them.\n"
	 "With a certificate and key it speaks TLS 1.2 and 1.3 only (ECDHE with AES-GCM or\n"
	 "ChaCha20-Poly1305 on 1.2) and sends HSTS. A connection has --header-timeout seconds\n"
	 "(10) to send each request head; PDFs print --pdf-jobs at a time (1), --pdf-queue (4)\n"
	 "more wait, and beyond that the reply is 503 with Retry-After.\n"
	 "SIGTERM or SIGINT stop it after the requests in hand are answered.\n"},
	{"token",
	 "usage: kijun token create [--user NAME] [--name NAME] [--scope read|write] [--days N] [--json]\n"
	 "       kijun token list [--user NAME] [--json]\n"
	 "       kijun token revoke ID [--json]\n\n"
	 "create prints the token once, as the last word of its last line; only its digest is\n"
	 "kept. Use it as KIJUN_TOKEN with --server (or KIJUN_SERVER), or as \"Authorization:\n"
	 "Bearer TOKEN\". Through a server, create and list without --user mean your own tokens.\n"},
	{"user",
	 "usage: kijun user add --name NAME --org CODE --role ROLE [--display-name TEXT] [--password-stdin] [--json]\n"
	 "       kijun user list [--org CODE] [--json]\n"
	 "       kijun user show|disable|enable NAME [--json]\n"
	 "       kijun user passwd NAME [--password-stdin]\n"
	 "       kijun user engage NAME --org CODE --from DATE --to DATE [--json]\n\n"
	 "ROLE is centre_admin, centre_analyst, org_admin, unit_officer, staff or external_auditor.\n"
	 "Without --password-stdin a random password is made and shown once. engage lets an\n"
	 "external auditor read an organisation and its subtree for a period. passwd works on the\n"
	 "database only (the API changes only one's own password): not with --server.\n"},
	{"plan",
	 "usage: kijun plan add CODE (--recommendation R | --org ORG --findings ID,ID) --text T --due DATE [--json]\n"
	 "       kijun plan show CODE [--json]\n"
	 "       kijun plan list [--org ORG] [--status S] [--json]\n"
	 "       kijun plan measure CODE --text T --owner USER --due DATE [--json]\n"
	 "       kijun plan done CODE N [--json]\n"
	 "       kijun plan status CODE submitted|accepted|in_progress|done|verified [--json]\n"
	 "       kijun plan report CODE --percent P --text T [--date DATE] [--json]\n"
	 "       kijun plan overdue [--org ORG] [--json]\n"
	 "       kijun plan send-back CODE --reason TEXT [--json]\n"
	 "       kijun plan export [--format oscal] [--org CODE] [--out FILE]\n"
	 "\n"
	 "An improvement plan answers an accepted recommendation, or findings of signed-off\n"
	 "engagements directly. It is added in draft; measures (numbered 1, 2, ...) are added in\n"
	 "draft; then submitted, accepted (by the reviewer), in_progress (reports and done\n"
	 "measures), done (every measure done) and verified (by the reviewer), one step at a time.\n"
	 "send-back is the reviewer's: a submitted plan goes back to draft, a done one back to\n"
	 "in_progress, with the reason, which the organisation's administrators are notified of.\n"
	 "list prints the plans in scope by code with their measures counted (open, overdue);\n"
	 "--org keeps one organisation's (not its units'), --status one status.\n"
	 "overdue lists open measures past their due date, oldest first. Without --server the\n"
	 "command acts as the local administrator: a step the library keeps for the reviewer's or\n"
	 "the organisation's officers may be refused locally (use --server with their token).\n"
	 "\n"
	 "export writes the improvement plans the principal may read as one OSCAL 1.0.6 plan of\n"
	 "action and milestones (JSON) to standard output or FILE: each audit finding a plan cites\n"
	 "is a risk (closed once a plan citing it is verified), each measure a POA&M item with its\n"
	 "plan, owner, due date and status. --org narrows to an organisation and its subtree.\n"
	 "With --server it reads GET /api/v1/poam and prints the same document.\n"},
	{"policy",
	 "usage: kijun policy list ORG [--json]\n"
	 "       kijun policy add ORG --code CODE --kind standard|rules|procedure --title-ja T --title-en T\n"
	 "       kijun policy version ORG DOC FILE.json\n"
	 "       kijun policy show ORG DOC VERSION [--json]\n"
	 "       kijun policy approve|enforce ORG DOC VERSION [--date DATE]\n"
	 "       kijun policy review ORG [--edition E] [--json]\n"
	 "       kijun policy review --all --edition E [--json]\n\n"
	 "An organisation's policy documents are versions of clauses, each mapped to requirements\n"
	 "of an edition: adopted, stricter, alternative or not_applicable (the last two with a\n"
	 "justification). FILE.json is {\"edition\": E, \"clauses\": [{\"number\", \"title\",\n"
	 "\"text_ja\", \"text_en\", \"mappings\": [{\"requirement\", \"status\", \"justification\"}]}]}.\n"
	 "A draft is approved by the organisation's CISO (not its author), then comes into force.\n"
	 "review lists requirements no clause in force covers, mappings a newer edition changed,\n"
	 "and exceptions without a reason; --all gives the table for every organisation.\n"},
	{"inspect",
	 "usage: kijun inspect list [--org ORG] [--fy YEAR] [--json]\n"
	 "       kijun inspect create --code C --org ORG --title-ja T --title-en T --edition E --opens DATE --due DATE\n"
	 "                            [--select JSON|@FILE] [--scale JSON|@FILE]\n"
	 "       kijun inspect show|open|close|mandate CAMPAIGN\n"
	 "       kijun inspect assign CAMPAIGN --user NAME [--unit ORG] [--role ROLE] [--due DATE]\n"
	 "       kijun inspect checklists | checklist ID | answer ID REQUIREMENT VALUE [--comment T]\n"
	 "       kijun inspect submit ID | reopen ID\n"
	 "       kijun inspect results CAMPAIGN [--by item|requirement|unit|org|role] [--under ORG]\n"
	 "       kijun inspect overdue CAMPAIGN\n"
	 "       kijun inspect import CAMPAIGN FILE.csv\n"
	 "       kijun inspect export --format csv|xlsx|oscal CAMPAIGN [--out FILE]\n"
	 "       kijun inspect note CAMPAIGN --org ORG --kind analysis|instruction --text T [--requirement N] [--due D]\n"
	 "       kijun inspect notes CAMPAIGN | done NOTE\n\n"
	 "--select chooses the requirements: {\"parts\": [...], \"chapters\": [...], \"numbers\": [...],\n"
	 "\"level\": L, \"role\": R, \"low_from\": CAMPAIGN, \"low_below\": 0.8, \"findings\": true};\n"
	 "findings adds the requirements named in open audit findings about the organisation.\n"
	 "The default scale is implemented, partial, not_implemented, not_applicable. The CSV\n"
	 "import takes the header checklist,item,value[,comment] and is all or nothing, naming\n"
	 "every bad row and column.\n"
	 "A campaign of the centre can be mandated to every ministry and agency.\n"},
	{"proposal",
	 "usage: kijun proposal add CODE --edition EDITION|next --kind add|change|remove [--item N] [--org ORG]\n"
	 "                          [--text-ja T] [--text-en T] --rationale T [--findings ID,..]\n"
	 "                          [--weak FY:NUMBER,..] [--incidents REF,..] [--json]\n"
	 "       kijun proposal list [--status S] [--edition E] [--json]\n"
	 "       kijun proposal show CODE [--json]\n"
	 "       kijun proposal status CODE submitted|accepted|rejected|adopted [--edition E] [--note T] [--json]\n\n"
	 "A proposal changes an edition (next: the newest one nothing supersedes yet): it adds a\n"
	 "requirement, or changes or removes requirement N, with a text in both languages and a\n"
	 "rationale, and rests on evidence: audit findings (public ids), requirements weak in a\n"
	 "fiscal year's self-inspection (FY:NUMBER; the rate then is kept) and incidents. The\n"
	 "centre's administrators and analysts propose for the centre, a CISO for their own\n"
	 "organisation (--org; required on the database). The proposers submit; the centre's\n"
	 "administrator accepts or rejects (--note) and marks it adopted by the edition that\n"
	 "carries it (--edition).\n"},
	{"edition",
	 "usage: kijun edition publish EDITION --revise-by DATE [--json]\n"
	 "       kijun edition impact EDITION [--org ORG] [--json]\n"
	 "       kijun edition ack EDITION ORG [--json]\n\n"
	 "publish (the centre's administrator, once per edition) compares EDITION with the\n"
	 "edition it supersedes through its correspondence table and records, for every\n"
	 "organisation, the clauses of its policies in force, the items of its open campaigns and\n"
	 "the findings of its open plans that name a changed, renumbered, split, merged or removed\n"
	 "requirement; each organisation touched is notified to revise its policy by DATE. impact\n"
	 "lists them per organisation (with --org, row by row): pending, acknowledged, or revised\n"
	 "(a policy version for EDITION is approved), and overdue past DATE. ack is the\n"
	 "organisation's administrator's acknowledgement.\n"},
	{"directive",
	 "usage: kijun directive issue CODE --title-ja T --title-en T --text-ja T --text-en T --due DATE\n"
	 "                             (--orgs ORG,.. | --kinds ministry,agency,corporation) [--json]\n"
	 "       kijun directive list [--json]\n"
	 "       kijun directive show CODE [--json]\n"
	 "       kijun directive ack CODE ORG [--json]\n"
	 "       kijun directive complete CODE ORG [--note T] [--json]\n"
	 "       kijun directive status CODE closed|withdrawn [--json]\n"
	 "       kijun directive overdue [--org ORG] [--json]\n\n"
	 "An emergency directive is an urgent requirement or measure the centre's administrator\n"
	 "issues between editions to listed organisations or to every one of some kinds, due by\n"
	 "DATE; each target's administrators are notified. Each target's administrator\n"
	 "acknowledges it, then reports it complete. overdue lists the targets of issued\n"
	 "directives not complete by their date.\n"},
	{"version", "usage: kijun version\n"},
};

const char *
cli_help_text(const char *cmd)
{
	size_t i;

	for (i = 0; i < sizeof(help) / sizeof(help[0]); i++) {
		if (strcmp(help[i].cmd, cmd) == 0)
			return help[i].text;
	}
	return NULL;
}
