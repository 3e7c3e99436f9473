#!/usr/bin/env bash
# Installs Pagefind 1.6.0 for the benchmarks, into target/bench-tools/: the npm package (its
# binary and browser files, for bench_build's Hugo + Pagefind site) and bench/pagefind-rs (its
# Rust API, for bench_search; about 190 crates, a few minutes to compile).
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p target/bench-tools
CARGO_TARGET_DIR="$PWD/target/bench-tools/pagefind-rs" cargo build --release --manifest-path bench/pagefind-rs/Cargo.toml
cd target/bench-tools
[ -f package.json ] || echo '{"private": true}' > package.json
npm install --no-audit --no-fund pagefind@1.6.0
