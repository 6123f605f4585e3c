#!/usr/bin/env bash
# Builds each parser's libFuzzer target with swiftc (the codec folders import only the standard library, so a
# fuzz binary is the folder plus one entry file) and runs it for FUZZ_SECONDS against its checked-in seed corpus.
# New inputs go to a scratch corpus; crashes land in fuzz-out/ and fail the run.
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${FUZZ_SECONDS:-600}"
only="${1:-all}"
out=fuzz-out
mkdir -p "$out" .build-fuzz

# The registrar folder without its SQLite store and writer thread (GRDB, Foundation threads).
sippath_registrar="$(ls Sources/Signaling/Registrar/*.swift | grep -v -e LocationDatabase -e LocationPersistence -e CoalescingBatchWriter | tr '\n' ' ')"

# name | sources | seed corpus
targets=(
  "sip|Sources/Signaling/Message/*.swift Tests/Fuzz/SIPMessageFuzz.swift|Tests/Fuzz/corpus/sip"
  "sdp|Sources/Relay/SDP/*.swift Tests/Fuzz/SDPFuzz.swift|Tests/Fuzz/corpus/sdp"
  "ng|Sources/Relay/Control/Codec/*.swift Tests/Fuzz/NGFuzz.swift|Tests/Fuzz/corpus/ng"
  # The whole ng command path: decode, handler, sessions, SDP rewrite, encode (with a no-op media plane).
  # STUN as the relay's ICE-lite answers read it (the HMAC and the writer need swift-crypto and stay out).
  "stun|Sources/Relay/STUN/STUNHeader.swift Sources/Relay/STUN/STUNMessage.swift Sources/Relay/STUN/STUNCRC32.swift Sources/Relay/STUN/STUNTransportAddress.swift Sources/Relay/STUN/STUNParseError.swift Tests/Fuzz/STUNFuzz.swift|Tests/Fuzz/corpus/stun"
  # The signaling edge's receive path: framing, keepalive replies, NAT fixes, proxy, router, registrar, timers.
  "sippath|Sources/Signaling/Signaling.swift Sources/Signaling/Message/*.swift Sources/Signaling/Transaction/*.swift Sources/Signaling/Proxy/*.swift $sippath_registrar Sources/Signaling/Edge/EdgeRouter.swift Sources/Signaling/Edge/EdgeRequestDirection.swift Sources/Signaling/Edge/EdgeGateway.swift Sources/Signaling/Edge/RegistrarPeer+SIPPeer.swift Sources/Signaling/Presence/RFC1123Date.swift Sources/Signaling/Dispatcher/DispatcherAlgorithm.swift Tests/Fuzz/SIPReceivePathFuzz.swift|Tests/Fuzz/corpus/sippath"
  "ngpath|Sources/Relay/Control/Codec/*.swift Sources/Relay/Control/Handler/*.swift Sources/Relay/SDP/*.swift Sources/Relay/Sessions/*.swift Tests/Fuzz/NGCommandPathFuzz.swift|Tests/Fuzz/corpus/ngpath Tests/Fuzz/corpus/ng"
)
status=0
for t in "${targets[@]}"; do
  IFS='|' read -r name srcs seeds <<<"$t"
  [ "$only" = all ] || [ "$only" = "$name" ] || continue
  bin=".build-fuzz/$name-fuzz"
  echo "fuzz[$name]: building"
  # shellcheck disable=SC2086
  swiftc -sanitize=fuzzer,address -parse-as-library -O -suppress-warnings $srcs -o "$bin" 2>&1 \
    | grep -v 'Cannot export local symbol' || true
  [ -x "$bin" ] || { echo "fuzz[$name]: build failed" >&2; exit 1; }
  scratch="$(mktemp -d /tmp/tandem-fuzz-$name.XXXX)"
  echo "fuzz[$name]: running ${secs}s"
  if ! "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
       -artifact_prefix="$out/$name-" -print_final_stats=1 "$scratch" $seeds >"$out/$name.log" 2>&1; then
    echo "fuzz[$name]: FAILED, see $out/$name.log" >&2
    tail -40 "$out/$name.log" >&2
    status=1
  else
    grep -E '^stat::number_of_executed_units|^Done' "$out/$name.log" | sed "s/^/fuzz[$name]: /"
  fi
  rm -rf "$scratch"
done
exit $status
