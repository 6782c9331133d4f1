#!/usr/bin/env bash
# Checks the hub with the official OpenAI Node client (npm `openai`), as a non-Java user would:
# starts a hub from the CLI jar and, in a password-protected room, three participants joined with
# `gambiarra join` (through the tunnel) in front of stand-in LLM servers: one that serves chat only,
# two that serve every API. Then runs compat/openai-node/check.mjs against both.
set -euo pipefail
cd "$(dirname "$0")/.."
jar=gambiarra-cli/target/gambiarra.jar
[ -f "$jar" ] || { echo "openai-node: $jar missing; run mvn -B verify first" >&2; exit 1; }
command -v node >/dev/null || { echo "openai-node: node is not installed" >&2; exit 1; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  pkill -f -- "$work/" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
# exec: a background `run ... &` is then the JVM itself, which the clean-up kills.
run() { exec java -Dgambiarra.home="$work/home" -jar "$jar" "$@"; }

port=$(free_port)
run serve --host 127.0.0.1 --port "$port" --ephemeral --quiet >"$work/hub.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break; sleep 0.2; done
hub="http://127.0.0.1:$port"

code=$(run create --hub "$hub" --name "openai-node full" --password pw --json \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["room"]["code"])')
n=0
for spec in "chat-only:--without=completions,embeddings,responses" "full-1:" "full-2:"; do
  name=${spec%%:*}; extra=${spec#*:}
  llm_port=$(free_port)
  run fake-llm --port "$llm_port" --model llama3 $extra >"$work/$name-llm.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$llm_port/v1/models" >/dev/null 2>&1 && break; sleep 0.2; done
  run join "$code" --hub "$hub" --password pw --endpoint "http://127.0.0.1:$llm_port" --model llama3 \
    --id "$name" --nickname "$name" --no-specs >"$work/$name-join.log" 2>&1 &
  pids+=($!)
  n=$((n + 1))
done
for name in chat-only full-1 full-2; do
  for _ in $(seq 1 150); do grep -q "Sharing until" "$work/$name-join.log" 2>/dev/null && break; sleep 0.2; done
  grep -q "Sharing until" "$work/$name-join.log" || { echo "openai-node: $name did not join:"; cat "$work/$name-join.log"; exit 1; }
done

(cd compat/openai-node && npm install --no-audit --no-fund --silent >/dev/null)
node compat/openai-node/check.mjs "$hub" "$code" pw
