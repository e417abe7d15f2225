#!/usr/bin/env bash
# Measures a newcomer's first `npm start`: clones this repo's HEAD into a
# temporary folder, runs `npm start` there with an empty yarn cache and no
# .toolchain/, and prints the seconds until the catalog API lists the
# portal's own entity (catalog-info.yaml) for a signed-in guest.
#
#   scripts/bench-first-start.sh [seconds to give up after, default 600]
#
# Ports 3000 and 7007 must be free.
set -euo pipefail

limit=${1:-600}
repo=$(git -C "$(dirname "$0")/.." rev-parse --show-toplevel)
work=$(mktemp -d /tmp/first-start.XXXXXX)
git clone -q "$repo" "$work/clone"
cd "$work/clone"

export YARN_GLOBAL_FOLDER="$work/yarn-global" YARN_CACHE_FOLDER="$work/yarn-cache"
start=$(date +%s)
setsid npm start >"$work/start.log" 2>&1 &
pid=$!
cleanup() { kill -- -"$pid" 2>/dev/null || true; sleep 2; rm -rf "$work"; }
trap cleanup EXIT

elapsed() { echo $(($(date +%s) - start)); }
while :; do
  if [ "$(elapsed)" -gt "$limit" ]; then
    echo "gave up after ${limit}s; last lines of the log:" >&2
    tail -n 20 "$work/start.log" >&2
    exit 1
  fi
  token=$(curl -sf -H 'X-Requested-With: XMLHttpRequest' \
    http://localhost:7007/api/auth/guest/refresh 2>/dev/null |
    node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{try{console.log(JSON.parse(s).backstageIdentity.token)}catch{}})' || true)
  if [ -n "$token" ] && curl -sf -H "Authorization: Bearer $token" \
    'http://localhost:7007/api/catalog/entities?filter=kind=component,metadata.name=mysql-portal' |
    grep -q mysql-portal; then
    api=$(elapsed)
    break
  fi
  sleep 2
done
until curl -sf http://localhost:3000 >/dev/null; do
  [ "$(elapsed)" -gt "$limit" ] && { echo "frontend never answered" >&2; exit 1; }
  sleep 2
done
echo "catalog API lists mysql-portal after ${api}s; frontend answers after $(elapsed)s"
