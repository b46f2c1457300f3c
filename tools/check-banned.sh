#!/usr/bin/env bash
# check-banned.sh DIR: fails if C sources under DIR call a banned function (STYLE.md):
# unbounded copies and formats, and number parsers that cannot report errors.
set -euo pipefail
dir=${1:-src}
pattern='\b(strcpy|strcat|sprintf|vsprintf|gets|atoi|atol|atoll|strtok|scanf|fscanf|sscanf)[[:space:]]*\('
if hits=$(grep -rnE "$pattern" --include='*.c' --include='*.h' "$dir"); then
  echo "banned functions in $dir:" >&2
  echo "$hits" >&2
  exit 1
fi
echo "no banned functions in $dir"
