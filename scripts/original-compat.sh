#!/usr/bin/env bash
# Checks our hub against the original TypeScript Gambiarra: its SDK (HTTP client and Vercel AI
# SDK provider) runs compat/original-sdk/check.ts against a hub of ours with a stand-in LLM.
# Not part of CI: the original is not on the npm registry, so it needs a checkout of
# github.com/arthurbm/gambiarra with `bun install` done, and Bun (npm install bun).
#
#   scripts/original-compat.sh /path/to/gambiarra-original /path/to/bun
#
# At commit 0c03b79 the original's SDK imports a type under a name its core no longer exports;
# this script fixes that one import line in the checkout (RoomInfo -> RoomInfoPublic) if needed.
set -euo pipefail
orig=${1:?usage: $0 ORIGINAL_CHECKOUT BUN}
bun=${2:?usage: $0 ORIGINAL_CHECKOUT BUN}
cd "$(dirname "$0")/.."
root=$PWD
jar=gambiarra-cli/target/gambiarra.jar
[ -f "$jar" ] || mvn -B -q -DskipTests install
sed -i 's/^  RoomInfo as RoomInfoSchema,/  RoomInfoPublic as RoomInfoSchema,/' "$orig/packages/sdk/src/types.ts"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
hub_port=$(free_port)
llm_port=$(free_port)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -f "$orig/packages/sdk/gambiarra-compat-check.ts"; }
trap cleanup EXIT
# The original's participants send no token on health and leave: the hub must accept that.
java -jar "$jar" serve --host 127.0.0.1 --port "$hub_port" --ephemeral --quiet --tokenless-participants & pids+=($!)
java -jar "$jar" fake-llm --port "$llm_port" --model llama3 >/dev/null 2>&1 & pids+=($!)
for _ in $(seq 1 100); do
  curl -fs "http://127.0.0.1:$hub_port/health" >/dev/null 2>&1 && curl -fs "http://127.0.0.1:$llm_port/v1/models" >/dev/null 2>&1 && break
  sleep 0.2
done
cp "$root/compat/original-sdk/check.ts" "$orig/packages/sdk/gambiarra-compat-check.ts"
cd "$orig/packages/sdk"
HUB="http://127.0.0.1:$hub_port" LLM="http://127.0.0.1:$llm_port" "$bun" run gambiarra-compat-check.ts
