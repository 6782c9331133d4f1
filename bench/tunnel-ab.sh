#!/usr/bin/env bash
# The tunnel's cost against the direct path, with each engine of the participant's end: Netty, one
# event loop (the default where Netty is on the class path, as in the CLI) and OkHttp
# (-Dgambiarra.tunnel=okhttp, what an application without Netty gets). Per round, for each of
# direct / netty / okhttp: a fresh hub, one participant sharing an instant fake LLM (joined
# `--direct`, or through the tunnel with that engine), wrk at 1 connection and at CONNECTIONS. The
# figures to read: req/s, and CPU per request of the hub and of the participant's process
# (ticks of /proc/PID/stat; the less noisy figure on a shared machine); at one connection, the
# mean latency each path adds over calling the fake LLM itself.
#
#   bash bench/tunnel-ab.sh [ROUNDS] [CONNECTIONS]        (defaults: 3 rounds, 64 connections)
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
wait_http() { wait_for "$1 to answer" 20 curl -fs "$1"; }
rss_kib() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }

llm_port=$(free_port)
bench_llm "$llm_port"
hz=$(getconf CLK_TCK)
# mean_us URL CONNECTIONS SECONDS: wrk's mean latency in µs.
mean_us() {
  wrk -t1 -c"$2" -d"$3"s -s "$work/post.lua" "$1" | awk '/Latency/ {v=$2; u=v; gsub(/[0-9.]/,"",u); gsub(/[a-z]/,"",v);
    if (u=="us") print v; else if (u=="ms") print v*1000; else print v*1000000}'
}

one() { # $1: direct | netty | okhttp
  local label=$1
  local port; port=$(free_port)
  java -Xmx256m -XX:+UseParallelGC -jar "$cli_jar" serve --host 127.0.0.1 --port "$port" --ephemeral --quiet \
    --max-connections-per-address 1000000 >"$work/hub.log" 2>&1 &
  local hub=$!
  pids+=($hub)
  wait_http "http://127.0.0.1:$port/health"
  local code
  code=$(curl -fs -XPOST "http://127.0.0.1:$port/rooms" -H 'Content-Type: application/json' -d '{"name":"ab"}' \
    | python3 -c 'import sys, json; print(json.load(sys.stdin)["room"]["code"])')
  local engine=() mode=()
  case $label in
    direct) mode=(--direct) ;;
    *) engine=(-Dgambiarra.tunnel="$label") ;;
  esac
  java -XX:+UseParallelGC "${engine[@]}" -jar "$cli_jar" join "$code" --hub "http://127.0.0.1:$port" \
    --endpoint "http://127.0.0.1:$llm_port" --model bench --id p --nickname p --max-concurrency 65536 --no-specs \
    "${mode[@]}" >"$work/join-$label.log" 2>&1 &
  local participant=$!
  pids+=($participant)
  wait_for "the participant to join" 30 grep -q "Sharing until Ctrl-C" "$work/join-$label.log"
  local url="http://127.0.0.1:$port/rooms/$code/v1/chat/completions"
  # Warm-up until the JIT is done: on two cores the paths take 20-40 s to reach their speed (a single
  # 10 s warm-up measured the tunnel's one-connection latency on code not yet compiled). Runs of 5 s
  # until two in a row agree within 7 %, at most 10.
  local previous=0 now
  for _ in $(seq 10); do
    now=$(wrk -t1 -c"$connections" -d5s -s "$work/post.lua" "$url" | awk '/Requests\/sec/ {print int($2)}')
    if [ "$previous" -gt 0 ] && python3 -c "import sys; sys.exit(0 if abs($now - $previous) / $previous < 0.07 else 1)"; then
      break
    fi
    previous=$now
  done
  # The fake alone at one connection, now that it is warm too, then the path: what the path adds.
  local direct_llm_us; direct_llm_us=$(mean_us "http://127.0.0.1:$llm_port/v1/chat/completions" 1 5)
  local one_us; one_us=$(mean_us "$url" 1 5)
  local h0 p0 h1 p1 rps
  h0=$(cpu_ticks "$hub"); p0=$(cpu_ticks "$participant")
  rps=$(wrk -t1 -c"$connections" -d10s -s "$work/post.lua" "$url" | awk '/Requests\/sec/ {print $2}')
  h1=$(cpu_ticks "$hub"); p1=$(cpu_ticks "$participant")
  local rss; rss=$(rss_kib "$participant")
  kill "$participant" "$hub"; wait "$participant" "$hub" 2>/dev/null || true
  python3 -c "
rps = float($rps); n = rps * 10
hub = ($h1 - $h0) / $hz * 1e6 / n; part = ($p1 - $p0) / $hz * 1e6 / n
print(f'$label  {rps:8.0f} req/s  CPU/req: hub {hub:6.1f} + participant {part:6.1f} = {hub + part:6.1f} µs'
      f'   1 conn: {$one_us:6.0f} µs, +{$one_us - $direct_llm_us:4.0f} over the LLM itself ({$direct_llm_us:4.0f})'
      f'   participant RSS {$rss / 1024:5.0f} MiB')"
}

echo "tunnel-ab: $rounds round(s); $connections connections for 10 s after a warm-up (until two 5 s runs agree); 1 connection for 5 s;"
for _ in $(seq "$rounds"); do
  one direct
  one netty
  one okhttp
done
