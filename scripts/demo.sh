#!/usr/bin/env bash
# demo.sh KIJUN DB: a fresh demo database with the demo government and both demo editions
# of the standard, and a tour of what it holds.
set -euo pipefail
KIJUN=$1
DB=$2
mkdir -p "$(dirname "$DB")"
rm -f "$DB" "$DB-wal" "$DB-shm"
export KIJUN_DB="sqlite:$DB"

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; }

step "$KIJUN" init --demo
step "$KIJUN" standard list
step "$KIJUN" org list NCO
step "$KIJUN" org show NISC
step "$KIJUN" org list MHA
echo "... ($("$KIJUN" org list --json | grep -c '"code"') organisations in all: kijun org list)"
step "$KIJUN" standard show demo-fy2025 2.1.1 --lang both
step "$KIJUN" standard diff demo-fy2023 demo-fy2025 --brief
echo
echo "The demo database is $DB. Try:"
echo "  KIJUN_DB=sqlite:$DB $KIJUN standard diff demo-fy2023 demo-fy2025"
echo "  KIJUN_DB=sqlite:$DB $KIJUN standard export --format oscal demo-fy2025"
echo "  KIJUN_DB=sqlite:$DB $KIJUN org list"
