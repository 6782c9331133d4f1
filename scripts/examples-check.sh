#!/usr/bin/env bash
# Runs every example against a real hub with a stand-in LLM (gambiarra fake-llm), so that the
# examples cannot rot. JBang scripts resolve the project's SNAPSHOT from the local Maven
# repository, hence the install first.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
name=examples
mvn -B -q -DskipTests install
read -r hub_port llm_port < <(free_ports 2)

java -jar "$jar" serve --host 127.0.0.1 --port "$hub_port" --ephemeral --quiet >"$work/hub.log" 2>&1 & pids+=($!)
java -jar "$jar" fake-llm --port "$llm_port" --model fake >"$work/llm.log" 2>&1 & pids+=($!)
hub="http://127.0.0.1:$hub_port"
wait_for "the hub" 20 curl -fs "$hub/health"
wait_for "the stand-in LLM" 20 curl -fs "http://127.0.0.1:$llm_port/v1/models"
export GAMBIARRA_HUB="$hub"
code=$(java -jar "$jar" create --name Examples --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["room"]["code"])')
java -jar "$jar" join "$code" --endpoint "http://127.0.0.1:$llm_port" --model fake --nickname ci --no-specs \
  >"$work/join.log" 2>&1 & pids+=($!)
wait_for "the participant online" 20 sh -c "curl -fs '$hub/rooms/$code/participants' | grep -q '\"status\":\"online\"'"

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
# From the repository's root, as examples/README shows it: the wrapper finds the script beside itself.
expect "jbang Hello.java from the repository's root" "You said: Hi from the root" \
  examples/jbang/jbang Hello.java "$code" "Hi from the root"
# Where Maven Central cannot be reached, the wrapper says so instead of failing quietly.
offline="$work/offline-jbang"
mkdir -p "$offline/.launcher"
cp examples/jbang/jbang "$offline/"
cp examples/jbang/.launcher/pom.xml "$offline/.launcher/"
printf '#!/bin/sh\necho "[ERROR] Could not transfer artifact dev.jbang:jbang-cli: Network is unreachable"\nexit 1\n' \
  >"$offline/mvn-offline"
chmod +x "$offline/mvn-offline"
expect "the jbang wrapper offline names why" "could not fetch JBang from Maven Central" \
  sh -c "GAMBIARRA_BUNDLED_JBANG=1 GAMBIARRA_MVN='$offline/mvn-offline' '$offline/jbang' Hello.java X; test \$? -eq 1"
# The CLI from its Maven coordinates (the thin jar, its dependencies resolved by JBang).
version=$(sed -n 's:^  <version>\(.*\)</version>:\1:p' pom.xml | head -1)
expect "jbang the CLI's coordinates --version" "gambiarra $version" \
  examples/jbang/jbang "io.github.gambiarra:gambiarra-cli:$version" --version
cd examples/jbang
# Every example runs as `jbang X.java ROOM_CODE`.
expect "jbang Hello.java" "You said: Write a function to sort an array" ./jbang Hello.java "$code"
expect "jbang Streaming.java" "(answered by ci-" ./jbang Streaming.java "$code"
expect "jbang Assistant.java" "The tool answered:" ./jbang Assistant.java "$code"
expect "jbang Structured.java" "Person[name=example, age=42, likesGpus=true]" ./jbang Structured.java "$code"
expect "jbang Route.java" "says: You said: Hello again!" ./jbang Route.java "$code"
# Retrieval: the fake's embeddings are bags of words, so the LM Studio note is the one retrieved, and
# the fake echoes the prompt LangChain4j built around it.
expect "jbang Rag.java" "Retrieved: LM Studio serves its local server on port 1234." ./jbang Rag.java "$code"
expect "jbang Rag.java answers from what it retrieved" "Answer using the following information:" ./jbang Rag.java "$code"
expect "jbang Hello.java without a room code" "usage: jbang Hello.java ROOM_CODE" sh -c './jbang Hello.java; test $? -eq 2'

# share NAME SCRIPT READY_PATTERN LEFT_PATTERN: runs a sharing example until it is in the room (and
# READY_PATTERN is printed), sends it Ctrl-C, and expects LEFT_PATTERN and the room empty of it again.
share() {
  local name=$1 script=$2 ready=$3 left=$4 log="$work/$2.log" before after
  before=$(curl -fs "$hub/rooms/$code/participants" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["participants"]))')
  # Job control on: a background job started without it ignores SIGINT, which Ctrl-C is.
  set -m
  GAMBIARRA_LLM="http://127.0.0.1:$llm_port" ./jbang "$script" "$code" >"$log" 2>&1 &
  local pid=$!
  set +m
  for _ in $(seq 1 600); do grep -qF -- "$ready" "$log" && break; kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  if ! grep -qF -- "$ready" "$log"; then
    failed=$((failed + 1)); echo "FAIL $name: never printed '$ready':"; tail -20 "$log"; kill "$pid" 2>/dev/null || true; return
  fi
  kill -INT "$pid"
  wait "$pid" || true
  after=$(curl -fs "$hub/rooms/$code/participants" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["participants"]))')
  if grep -qF -- "$left" "$log" && [ "$after" -eq "$before" ]; then
    passed=$((passed + 1)); echo "ok   $name (left the room on Ctrl-C)"
  else
    failed=$((failed + 1)); echo "FAIL $name: after Ctrl-C expected '$left' and $before participant(s), got $after:"; tail -20 "$log"
  fi
}
share "jbang Share.java" Share.java "Ctrl-C leaves the room" "Left the room."
share "jbang ShareGguf.java" ShareGguf.java "Sharing until Ctrl-C." "Left the room; the engine is stopped."
cd ../..
echo "examples: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
