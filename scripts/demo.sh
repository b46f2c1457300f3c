#!/usr/bin/env bash
# demo.sh KIJUN DB: a fresh demo database (the demo government, both demo editions of the
# standard, one account per role with passwords made for this database), a short tour,
# and then the server on it until Ctrl-C. DEMO_LISTEN sets the address (127.0.0.1:8080).
set -euo pipefail
KIJUN=$1
DB=$2
LISTEN=${DEMO_LISTEN:-127.0.0.1:8080}
DIR=$(dirname "$DB")
mkdir -p "$DIR"
rm -f "$DB" "$DB-wal" "$DB-shm"
export KIJUN_DB="sqlite:$DB"
unset KIJUN_SERVER

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; }

# The demo: the government, both editions, and its activity: accounts for every role
# (passwords made now, for this database only), policies, two years of self-inspection
# and of audits with their follow-up.
CRED="$DIR/credentials.txt"
umask 077
printf '\n\033[1m$ %s\033[0m\n' "$KIJUN init --demo"
"$KIJUN" init --demo --json > "$DIR/init.json"
jq -r '.accounts[] | "\(.name)\t\(.role)\t\(.org)\t\(.password)"' "$DIR/init.json" | \
  awk -F'\t' '{ printf "%-16s %-18s %-10s %s\n", $1, $2, $3, $4 }' > "$CRED"
rm -f "$DIR/init.json"
echo "demo loaded: $(wc -l < "$CRED") accounts; passwords in $CRED"

step "$KIJUN" standard list
step "$KIJUN" org list MHA
step "$KIJUN" org show NISC
step "$KIJUN" standard show demo-fy2025 2.1.1 --lang en
step "$KIJUN" standard diff demo-fy2023 demo-fy2025 --brief
step "$KIJUN" inspect results GOV-FY2025 --by org
step "$KIJUN" policy review --all --edition demo-fy2023
step "$KIJUN" engagement list --programme NCO-FY2025-MA
step "$KIJUN" finding list NCO-FY2025-MA-MIT
step "$KIJUN" edition impact demo-fy2025
step "$KIJUN" directive list

# The evaluation, and the loop closed: MJA's FY2024 finding went to a recommendation and a
# plan still in progress; its last measures are done, the plan is verified and the
# recommendation closed (here as the local administrator, who may act for either side), and
# MJA's score and the government's spread move with it.
step "$KIJUN" eval board --fy 2024
step "$KIJUN" eval org MJA --fy 2024
before=$("$KIJUN" eval government --fy 2024 --json | jq -r '"mean \(.summary.mean), stdev \(.summary.stdev)"')
step "$KIJUN" plan done MJA-PLAN-FY2024 2
step "$KIJUN" plan done MJA-PLAN-FY2024 3
step "$KIJUN" plan status MJA-PLAN-FY2024 done
step "$KIJUN" plan status MJA-PLAN-FY2024 verified
step "$KIJUN" recommendation status NCO-FY2024-REC-MJA closed
step "$KIJUN" eval org MJA --fy 2024
after=$("$KIJUN" eval government --fy 2024 --json | jq -r '"mean \(.summary.mean), stdev \(.summary.stdev)"')
echo "FY2024 across the government: before $before; after $after"
step "$KIJUN" eval government --fy 2025

# The yearly report, as HTML, and as PDF when Chromium is installed.
step "$KIJUN" report annual --format html --fy 2025 --out "$DIR/report-fy2025.html"
if command -v chromium >/dev/null 2>&1 || [ -n "${KIJUN_CHROMIUM:-}" ]; then
  step "$KIJUN" report annual --format pdf --fy 2025 --lang en --out "$DIR/report-fy2025-en.pdf"
fi
ADMIN_PW=$(awk '$1 == "centre-admin" {print $4}' "$CRED")
STAFF_PW=$(awk '$1 == "mha-staff" {print $4}' "$CRED")
URL="http://$LISTEN"
cat <<MSG

Demo accounts (all of them in $CRED):
$(printf '  %-16s %-18s %-10s %s\n' NAME ROLE ORG PASSWORD; grep -E '^(centre-admin|analyst|auditor|mha-ciso|mha-officer|mha-staff|ag01-ciso) ' "$CRED" | sed 's/^/  /')

The web interface is at $URL/ in a browser: log in as centre-admin (the government's
dashboard, the loop board, administration), mha-ciso (MHA's page, its campaign and plans)
or mha-staff (its open FY2025 checklist), in Japanese or English.

The API is at $URL/api/v1/ (its description: $URL/api/v1/openapi.json). With curl:
  curl -c /tmp/kijun.cookies -H 'Content-Type: application/json' \\
       -d '{"name":"centre-admin","password":"$ADMIN_PW"}' $URL/api/v1/session
  curl -b /tmp/kijun.cookies '$URL/api/v1/orgs?limit=20'
  curl -b /tmp/kijun.cookies '$URL/api/v1/orgs/MHA'
  curl -b /tmp/kijun.cookies '$URL/api/v1/editions/demo-fy2025/items?parent=2.1.1(1)'
  curl -b /tmp/kijun.cookies '$URL/api/v1/diff?old=demo-fy2023&new=demo-fy2025'
Self-inspection as mha-staff (its FY2025 checklist is open):
  curl -c /tmp/staff.cookies -H 'Content-Type: application/json' \\
       -d '{"name":"mha-staff","password":"$STAFF_PW"}' $URL/api/v1/session   # note csrf_token
  curl -b /tmp/staff.cookies $URL/api/v1/checklists
  curl -b /tmp/staff.cookies -X PUT -H 'X-CSRF-Token: CSRF' -H 'Content-Type: application/json' \\
       -d '{"value":"implemented"}' '$URL/api/v1/checklists/ID/answers/8.1.1(2)(a)'
  then as mha-ciso or centre-admin: $URL/api/v1/campaigns/GOV-FY2025-MHA/results?by=unit
                                    $URL/api/v1/campaigns/GOV-FY2025/results?by=org
Audits (FY2024 signed off; FY2025 in draft, fieldwork and reporting), as centre-admin:
  curl -b /tmp/kijun.cookies '$URL/api/v1/audit-programmes?fiscal_year=2025'
  curl -b /tmp/kijun.cookies '$URL/api/v1/audit-engagements?programme=NCO-FY2025-MA'
  curl -b /tmp/kijun.cookies '$URL/api/v1/audit-engagements/NCO-FY2025-MA-MIT/findings'
Follow-up of FY2024's audits: recommendations, plans, what is overdue, the OSCAL POA&M:
  curl -b /tmp/kijun.cookies '$URL/api/v1/recommendations'
  curl -b /tmp/kijun.cookies '$URL/api/v1/plans/MJA-PLAN-FY2024'
  curl -b /tmp/kijun.cookies '$URL/api/v1/overdue-measures'
  KIJUN_DB=sqlite:$DB $KIJUN plan export --format oscal --out poam.json
Improving the standard: proposals, the FY2025 edition's impact per organisation, directives:
  curl -b /tmp/kijun.cookies '$URL/api/v1/proposals'
  curl -b /tmp/kijun.cookies '$URL/api/v1/editions/demo-fy2025/impact?org=MJA'
  curl -b /tmp/kijun.cookies '$URL/api/v1/overdue-directives'
  a newer edition (its "supersedes": "demo-fy2025") is published with
  KIJUN_DB=sqlite:$DB $KIJUN edition publish EDITION --revise-by DATE
The evaluation and the yearly report (HTML in $DIR/report-fy2025.html):
  curl -b /tmp/kijun.cookies '$URL/api/v1/evaluations/2025'
  curl -b /tmp/kijun.cookies '$URL/api/v1/evaluations/2025/orgs/MJA'
  curl -b /tmp/kijun.cookies '$URL/api/v1/evaluations/2025/board'
  curl -b /tmp/kijun.cookies -o report.pdf '$URL/api/v1/reports/annual?fy=2025&format=pdf&lang=en'
Or with a token: KIJUN_DB=sqlite:$DB $KIJUN token create --user centre-admin
  then: curl -H "Authorization: Bearer TOKEN" $URL/api/v1/editions

Starting the server on $URL (Ctrl-C stops it).
MSG
exec "$KIJUN" serve --listen "$LISTEN"
