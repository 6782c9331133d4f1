#!/usr/bin/env bash
# Checks the hub with the official OpenAI Node client (npm `openai`), as a non-Java user would:
# starts a hub from the CLI jar and, in a password-protected room, three participants joined with
# `gambiarra join` (through the tunnel) in front of stand-in LLM servers: one that serves chat only,
# two that serve every API. Then runs compat/openai-node/check.mjs against both.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
name=openai-node
[ -f "$jar" ] || fail "$jar missing; run mvn -B verify first"
command -v node >/dev/null || fail "node is not installed"
# exec: a background `run ... &` is then the JVM itself, which the clean-up kills.
run() { exec java -Dgambiarra.home="$work/home" -jar "$jar" "$@"; }

port=$(free_port)
run serve --host 127.0.0.1 --port "$port" --ephemeral --quiet >"$work/hub.log" 2>&1 &
pids+=($!)
hub="http://127.0.0.1:$port"
wait_for "the hub" 20 curl -fs "$hub/health"

code=$(run create --hub "$hub" --name "openai-node full" --password pw --json \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["room"]["code"])')
n=0
for spec in "chat-only:--without=completions,embeddings,responses" "full-1:" "full-2:"; do
  participant=${spec%%:*}; extra=${spec#*:}
  llm_port=$(free_port)
  run fake-llm --port "$llm_port" --model llama3 $extra >"$work/$participant-llm.log" 2>&1 &
  pids+=($!)
  wait_for "$participant's LLM server" 20 curl -fs "http://127.0.0.1:$llm_port/v1/models"
  run join "$code" --hub "$hub" --password pw --endpoint "http://127.0.0.1:$llm_port" --model llama3 \
    --id "$participant" --nickname "$participant" --no-specs >"$work/$participant-join.log" 2>&1 &
  pids+=($!)
  n=$((n + 1))
done
for participant in chat-only full-1 full-2; do
  wait_for "$participant to join" 30 grep -q "Sharing until" "$work/$participant-join.log"
done

(cd compat/openai-node && npm install --no-audit --no-fund --silent >/dev/null)
node compat/openai-node/check.mjs "$hub" "$code" pw
