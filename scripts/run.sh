#!/usr/bin/env bash
# `make run`: start Tandem's daemons on loopback with embedded defaults, side by side, until Ctrl-C.
# Only what exists is started; the script says what it starts.
set -euo pipefail
bin="${1:-.build/release/tandem}"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM
started=0
for daemon in relay signaling; do
  if "$bin" help "$daemon" >/dev/null 2>&1; then
    echo "run: starting tandem $daemon (loopback defaults)"
    "$bin" "$daemon" &
    pids+=($!)
    started=1
  else
    echo "run: tandem $daemon is not built yet in this version; skipping it"
  fi
done
if [ "$started" = 0 ]; then
  echo "run: no daemon exists yet; this build has the codecs and 'tandem perf codecs'. Running it once:"
  "$bin" perf codecs
  exit 0
fi
wait
