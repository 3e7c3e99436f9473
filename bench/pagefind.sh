#!/usr/bin/env bash
# Installs Pagefind (the npm package, which carries its binary) for the search benchmark.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p target/bench-tools
cd target/bench-tools
[ -f package.json ] || echo '{"private": true}' > package.json
npm install --no-audit --no-fund pagefind@1
