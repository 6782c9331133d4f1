#!/usr/bin/env bash
# How the hub's two ways of dialling a participant compare: Netty directly (the default) against
# Vert.x's HTTP client (-Dgambiarra.hub.dial=vertx). For each round, a fresh hub of each kind
# relays wrk's load at 64 connections to an instant fake LLM; the CPU time of the hub's process
# per request is the figure to read (the less noisy one on a shared machine).
#
#   bash bench/dial-ab.sh [ROUNDS] [CONNECTIONS]        (defaults: 3 rounds, 64 connections)
#
# Needs wrk (apt-get install wrk) and the jars (mvn -B -DskipTests install).
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
connections=${2:-64}
. scripts/lib.sh
need_jars
cli_jar=$jar
command -v wrk >/dev/null || fail "wrk is not installed (apt-get install wrk)"
wait_http() { wait_for "$1 to answer" 10 curl -fs "$1"; }

llm_port=$(free_port)
bench_llm "$llm_port"
hz=$(getconf CLK_TCK)

one() { # $1 label, then the hub's extra JVM options
  local label=$1; shift
  local port; port=$(free_port)
  java -Xmx256m -XX:+UseParallelGC "$@" -jar "$cli_jar" serve --host 127.0.0.1 --port "$port" --ephemeral --quiet \
    --max-connections-per-address 1000000 >"$work/hub.log" 2>&1 &
  local hub=$!
  pids+=($hub)
  wait_http "http://127.0.0.1:$port/health"
  local code
  code=$(curl -fs -XPOST "http://127.0.0.1:$port/rooms" -H 'Content-Type: application/json' -d '{"name":"ab"}' \
    | python3 -c 'import sys, json; print(json.load(sys.stdin)["room"]["code"])')
  curl -fs -XPOST "http://127.0.0.1:$port/rooms/$code/join" -H 'Content-Type: application/json' \
    -d "{\"id\":\"b\",\"nickname\":\"b\",\"model\":\"bench\",\"endpoint\":\"http://127.0.0.1:$llm_port\",\"maxConcurrency\":65536}" >/dev/null
  local url="http://127.0.0.1:$port/rooms/$code/v1/chat/completions"
  wrk -t1 -c"$connections" -d10s -s "$work/post.lua" "$url" >/dev/null # warm-up: the JIT
  local t0 t1 rps
  t0=$(cpu_ticks "$hub")
  rps=$(wrk -t1 -c"$connections" -d10s -s "$work/post.lua" "$url" | awk '/Requests\/sec/ {print $2}')
  t1=$(cpu_ticks "$hub")
  kill "$hub"; wait "$hub" 2>/dev/null || true
  python3 -c "print(f'$label  {float($rps):9.0f} req/s  hub CPU {($t1 - $t0) / $hz * 1e6 / (float($rps) * 10):5.1f} µs/req')"
}

echo "dial-ab: $rounds round(s) at $connections connections, 10 s each after a 10 s warm-up"
for _ in $(seq "$rounds"); do
  one "netty"
  one "vertx" -Dgambiarra.hub.dial=vertx
done
