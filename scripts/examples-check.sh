#!/usr/bin/env bash
# Runs every example against a real hub with a stand-in LLM (gambiarra fake-llm), so that the
# examples cannot rot. JBang scripts resolve the project's SNAPSHOT from the local Maven
# repository, hence the install first.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -DskipTests install
jar=gambiarra-cli/target/gambiarra.jar
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
hub_port=$(free_port)
llm_port=$(free_port)
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

java -jar "$jar" serve --host 127.0.0.1 --port "$hub_port" --ephemeral --quiet >"$work/hub.log" 2>&1 & pids+=($!)
java -jar "$jar" fake-llm --port "$llm_port" --model fake >"$work/llm.log" 2>&1 & pids+=($!)
hub="http://127.0.0.1:$hub_port"
for _ in $(seq 1 100); do
  curl -fs "$hub/health" >/dev/null 2>&1 && curl -fs "http://127.0.0.1:$llm_port/v1/models" >/dev/null 2>&1 && break
  sleep 0.2
done
export GAMBIARRA_HUB="$hub"
code=$(java -jar "$jar" create --name Examples --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["room"]["code"])')
java -jar "$jar" join "$code" --endpoint "http://127.0.0.1:$llm_port" --model fake --nickname ci --no-specs \
  >"$work/join.log" 2>&1 & pids+=($!)
for _ in $(seq 1 100); do
  curl -fs "$hub/rooms/$code/participants" | grep -q '"status":"online"' && break
  sleep 0.2
done

passed=0
failed=0
# expect NAME PATTERN COMMAND...: runs the example and looks for PATTERN in what it prints.
expect() {
  local name=$1 pattern=$2
  shift 2
  local out
  if out=$("$@" 2>&1) && grep -qF -- "$pattern" <<<"$out"; then
    passed=$((passed + 1)); echo "ok   $name"
  else
    failed=$((failed + 1)); echo "FAIL $name: expected '$pattern' in:"; echo "$out" | tail -20
  fi
}
cd examples/jbang
expect "jbang Hello.java" "You said: ping" ./jbang Hello.java "$code" ping
expect "jbang Streaming.java" "(answered by ci-" ./jbang Streaming.java "$code" "tell me a story"
expect "jbang Assistant.java" "The tool answered:" ./jbang Assistant.java "$code"
expect "jbang Structured.java" "Person[name=example, age=42, likesGpus=true]" ./jbang Structured.java "$code"
expect "jbang Route.java" "says: You said: Hello again!" ./jbang Route.java "$code"
expect "jbang Share.java" "Left the room." ./jbang Share.java "$code" "http://127.0.0.1:$llm_port" fake 2
expect "jbang ShareGguf.java" "Left the room; the engine is stopped." ./jbang ShareGguf.java "$code" tiny 1
cd ../..
echo "examples: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
