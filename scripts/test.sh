#!/usr/bin/env bash
# `make test`: every Swift suite (unit + netns integration; root), then a short run of each fuzzer.
# Suites run one at a time: several integration suites use blocking sockets and namespaces, and on a 2-core
# machine parallel suites starve each other's threads. Ends with one plain summary line.
set -euo pipefail
cd "$(dirname "$0")/.."
log="$(mktemp /tmp/tandem-test.XXXX.log)"
status=0
swift test --skip-build --no-parallel 2>&1 | tee "$log" || status=$?
passed=$(grep -Eo 'Test run with [0-9]+ tests? (in [0-9]+ suites? )?passed' "$log" | grep -Eo '[0-9]+' | head -1 || true)
failed=$(grep -Ec '^✘ Test [^r].* failed after' "$log" || true)
fuzz_status=0
FUZZ_SECONDS="${FUZZ_SMOKE_SECONDS:-60}" scripts/fuzz.sh || fuzz_status=$?
[ "$fuzz_status" = 0 ] || { echo "fuzz: a fuzzer found a crash (see fuzz-out/)"; failed=$((failed + 1)); }
[ "$status" = 0 ] || [ "$failed" != 0 ] || failed=1
echo "${passed:-0} passed, ${failed} failed"
rm -f "$log"
[ "$status" = 0 ] && [ "$fuzz_status" = 0 ]
