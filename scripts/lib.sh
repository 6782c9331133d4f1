# What every CI and bench script needs, sourced once at its top (after `cd` to the repository):
#
#   . scripts/lib.sh
#
# It gives the script a scratch directory ($work), a list of processes to stop ($pids), a clean-up
# that runs on exit, and: fail, free_port, free_ports, wait_for, need_jars, namespaces_or_skip. A
# script with more to undo (network namespaces, a tmux session) defines cleanup_extra, which the
# clean-up calls.

# The name the script's messages start with: two-machines, cluster-lan...
name=${name:-$(basename "$0" .sh)}
jar=$(pwd)/gambiarra-cli/target/gambiarra.jar
bench_jar=$(pwd)/gambiarra-bench/target/gambiarra-bench.jar
work=$(mktemp -d)
pids=()

# Stops what the script started: the processes in $pids, then every process whose command line names
# this run's directory (a JVM started by a background shell function is not in $pids: its subshell
# is), forcefully if they linger; then cleanup_extra, then the scratch directory.
cleanup() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  pkill -f -- "$work/" 2>/dev/null || true
  sleep 0.5
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  pkill -9 -f -- "$work/" 2>/dev/null || true
  if declare -F cleanup_extra >/dev/null; then cleanup_extra || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# fail MESSAGE: says what failed, shows the end of every log under $work, and stops with status 1.
fail() {
  echo "$name: FAIL: $*"
  local f
  for f in "$work"/*.log; do
    [ -f "$f" ] || continue
    echo "--- $f"
    tail -n "${fail_tail:-25}" "$f"
  done
  exit 1
}

# free_port: a TCP port free on 127.0.0.1 now.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# free_ports N: N different free ports, on one line (all bound at once, so none is given twice).
free_ports() {
  python3 -c '
import socket, sys
socks = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in socks: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))
for s in socks: s.close()' "$1"
}

# wait_for WHAT SECONDS COMMAND...: runs COMMAND every 0.1 s until it succeeds, or fails naming WHAT.
wait_for() {
  local what=$1 seconds=$2
  shift 2
  local _
  for _ in $(seq 1 $((seconds * 10))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
  fail "timed out after ${seconds} s waiting for $what"
}

# namespaces_or_skip [WHAT]: stops the script, saying so, where network namespaces cannot be made
# (they need root and iproute2), or where nftables cannot drop packets in one (WHAT = nftables).
# Sets $tag, this run's suffix for namespace and link names.
namespaces_or_skip() {
  tag=$$
  local probe="gmb-probe-$tag"
  if [ "$(id -u)" != 0 ] || ! command -v ip >/dev/null 2>&1 || ! ip netns add "$probe" 2>/dev/null; then
    echo "$name: SKIPPED: network namespaces cannot be made here (needs root and iproute2)"
    exit 0
  fi
  if [ "${1:-}" = nftables ] && ! ip netns exec "$probe" nft list tables >/dev/null 2>&1; then
    ip netns del "$probe"
    echo "$name: SKIPPED: nftables cannot drop packets here (apt-get install nftables)"
    exit 0
  fi
  ip netns del "$probe"
}

# need_jars: builds the CLI and bench jars when either is missing.
need_jars() {
  if [ ! -f "$jar" ] || [ ! -f "$bench_jar" ]; then
    mvn -B -q -DskipTests install
  fi
}

# For the bench scripts (bench/dial-ab.sh, bench/tunnel-ab.sh):
# cpu_ticks PID: the user and system CPU the process has used, in ticks (getconf CLK_TCK a second).
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# bench_llm PORT: the bench's instant fake LLM (20 tokens at once) on PORT, started and answering;
# writes $work/post.lua, wrk's script to POST it a chat completion.
bench_llm() {
  java -Xmx512m -cp "$bench_jar" io.github.gambiarra.bench.BenchLlmServer "$1" 20 0 0 >"$work/llm.log" 2>&1 &
  pids+=($!)
  wait_for "the bench's fake LLM" 20 curl -fs "http://127.0.0.1:$1/v1/models"
  cat >"$work/post.lua" <<'EOF'
wrk.method = "POST"
wrk.body = '{"model":"bench","messages":[{"role":"user","content":"hello there"}]}'
wrk.headers["Content-Type"] = "application/json"
EOF
}
