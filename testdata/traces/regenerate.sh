#!/usr/bin/env bash
# Regenerates the committed traces after a model change (their step lines
# name kernel locations and statements, so any model change shows up as a
# divergence in the replay tests). Run from the repository root.
set -euo pipefail
rm -rf testdata/traces/default testdata/traces/commit-message
go run ./cmd/dio-sim --trace-dir testdata/traces/default >/dev/null || [ $? -eq 1 ]
tmp=$(mktemp -d)
go run ./cmd/dio-sim check --version before --scenario double-completion --trace-dir "$tmp" >/dev/null || [ $? -eq 1 ]
go run ./cmd/dio-sim check --version before --scenario stale-isize --trace-dir "$tmp" >/dev/null || [ $? -eq 1 ]
mkdir -p testdata/traces/commit-message
cp "$tmp/before-double-completion-exactly-once.trace" "$tmp/before-stale-isize-isize-visible.trace" testdata/traces/commit-message/
rm -rf "$tmp"
