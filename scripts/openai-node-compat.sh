#!/usr/bin/env bash
# Checks the hub with the official OpenAI Node client (npm `openai`), as a non-Java user would:
# starts a hub from the CLI jar, installs the client, runs compat/openai-node/check.mjs.
set -euo pipefail
cd "$(dirname "$0")/.."
jar=gambiarra-cli/target/gambiarra.jar
[ -f "$jar" ] || { echo "openai-node: $jar missing; run mvn -B verify first" >&2; exit 1; }
command -v node >/dev/null || { echo "openai-node: node is not installed" >&2; exit 1; }
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
log=$(mktemp)
java -jar "$jar" serve --host 127.0.0.1 --port "$port" --ephemeral --quiet >"$log" 2>&1 &
hub_pid=$!
trap 'kill $hub_pid 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break; sleep 0.2; done
(cd compat/openai-node && npm install --no-audit --no-fund --silent >/dev/null)
node compat/openai-node/check.mjs "http://127.0.0.1:$port"
