#!/usr/bin/env bash
# Installs every Debian package kijun needs to build, test and run its demo.
# Idempotent: packages already present are skipped, so a second run is quick.
# Works as root or through sudo. Set KIJUN_SKIP_DEPS=1 to skip it entirely.
set -euo pipefail

[ "${KIJUN_SKIP_DEPS:-0}" = 1 ] && exit 0

pkgs=(
  build-essential cmake pkg-config
  libjansson-dev libsqlite3-dev sqlite3 libpq-dev postgresql postgresql-client
  libsodium-dev libcmocka-dev libmicrohttpd-dev libgnutls28-dev libxml2-dev libcurl4-openssl-dev libxlsxwriter-dev
  clang libclang-rt-14-dev curl openssl ca-certificates jq
  nodejs npm
  # The yearly report's PDF: the browser that prints it, a Japanese font (IPA Gothic, far
  # smaller than Noto CJK), and pdftotext for the test that reads the PDF back.
  chromium fonts-ipafont-gothic poppler-utils
)

missing=()
for p in "${pkgs[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
# node and npm may come from elsewhere than Debian's packages on some machines:
# a working node and npm on the PATH is enough.
if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
  tmp=()
  for p in "${missing[@]}"; do
    case "$p" in nodejs|npm) ;; *) tmp+=("$p") ;; esac
  done
  missing=("${tmp[@]+"${tmp[@]}"}")
fi

[ ${#missing[@]} -eq 0 ] && exit 0

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
