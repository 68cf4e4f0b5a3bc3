#!/usr/bin/env bash
# Lints an OpenAPI document with the pinned Redocly CLI and its recommended
# rules (redocly.yaml), failing on any error or warning: test/redocly/lint.sh DOC.json
# Run `npm ci --prefix test/redocly` first.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
doc="$1"
"$here/node_modules/.bin/redocly" lint --config "$here/redocly.yaml" --format=codeframe "$doc" 2>&1 | grep -v '║\|╔\|╚' || true
totals=$("$here/node_modules/.bin/redocly" lint --config "$here/redocly.yaml" --format=json "$doc" 2>/dev/null |
  node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const t=JSON.parse(s).totals;console.log(t.errors+" "+t.warnings)})') || true
read -r errors warnings <<<"${totals:-x x}"
if [[ $errors != 0 || $warnings != 0 ]]; then
  echo "redocly lint: $errors errors, $warnings warnings in $doc (recommended ruleset; both must be 0)" >&2
  exit 1
fi
echo "redocly lint: $doc is clean (0 errors, 0 warnings)"
