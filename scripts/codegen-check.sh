#!/usr/bin/env bash
# Fails when src/generated is stale: regenerates into a temporary copy and compares.
set -euo pipefail
cd "$(dirname "$0")/.."
before=$(mktemp)
trap 'rm -f "$before"' EXIT
cp src/generated/graphql.ts "$before"
npx graphql-codegen --config codegen.yml --silent >/dev/null
if ! diff -q "$before" src/generated/graphql.ts >/dev/null; then
  diff -u "$before" src/generated/graphql.ts | head -40 || true
  cp "$before" src/generated/graphql.ts
  echo "src/generated/graphql.ts is stale: run \`npm run codegen\` and commit the result" >&2
  exit 1
fi
echo "codegen: src/generated is up to date"
