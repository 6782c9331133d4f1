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
. scripts/lib.sh
need_jars
sed -i 's/^  RoomInfo as RoomInfoSchema,/  RoomInfoPublic as RoomInfoSchema,/' "$orig/packages/sdk/src/types.ts"
read -r hub_port llm_port < <(free_ports 2)
cleanup_extra() { rm -f "$orig/packages/sdk/gambiarra-compat-check.ts"; }
# The original's participants send no token on health and leave: the hub must accept that.
java -jar "$jar" serve --host 127.0.0.1 --port "$hub_port" --ephemeral --quiet --tokenless-participants & pids+=($!)
java -jar "$jar" fake-llm --port "$llm_port" --model llama3 >/dev/null 2>&1 & pids+=($!)
wait_for "the hub" 20 curl -fs "http://127.0.0.1:$hub_port/health"
wait_for "the stand-in LLM" 20 curl -fs "http://127.0.0.1:$llm_port/v1/models"
cp "$root/compat/original-sdk/check.ts" "$orig/packages/sdk/gambiarra-compat-check.ts"
cd "$orig/packages/sdk"
HUB="http://127.0.0.1:$hub_port" LLM="http://127.0.0.1:$llm_port" "$bun" run gambiarra-compat-check.ts
