#!/usr/bin/env bash
# Rebuilds the web portal: the API's OpenAPI document, the TypeScript client
# generated from it, then the bundle into dist/ (embedded by webportal.go).
# CI runs it and fails when the result differs from what is committed.
set -euo pipefail
cd "$(dirname "$0")"
root=$(git rev-parse --show-toplevel)
(cd "$root" && go run ./cmd/multisaude openapi) > ui/openapi.json
npm ci --prefix ui --no-audit --no-fund --loglevel=error
npm run --prefix ui --silent gen >/dev/null
npm run --prefix ui --silent build
