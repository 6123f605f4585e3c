#!/usr/bin/env bash
# Installs the Debian packages Tandem needs to build, run and test, and only those that are missing.
# Called by `make run` and `make test`; safe to run again.
set -euo pipefail

pkgs=(
  pkg-config liburing-dev libnftnl-dev libmnl-dev libsqlite3-dev   # build: CShims, the embedded store
  nftables iproute2 procps                                         # run/test: kernel offload, netns harness
  sip-tester                                                       # test/perf: SIPp
  kamailio rtpengine-daemon jq                                     # test/perf: interop proxy, reference relay, bench
  kamailio-presence-modules                                        # perf: bench-presence.sh's Kamailio side
)
# Extra peers for integration tests and side-by-side benchmarks (TANDEM_PEERS=0 skips them).
if [ "${TANDEM_PEERS:-1}" = "1" ]; then
  pkgs+=(${TANDEM_PEER_PKGS:-})
fi

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "deps: all present"
  exit 0
fi
echo "deps: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" != "0" ]; then
  command -v sudo >/dev/null || { echo "deps: not root and no sudo; install: ${missing[*]}" >&2; exit 1; }
  SUDO=sudo
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "deps: done"
