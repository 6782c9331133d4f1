#!/usr/bin/env bash
# Two machines on one LAN, as users have them: two network namespaces joined by a veth pair, with
# private addresses inside them only.
#   machine 1 (10.77.0.1): `gambiarra serve --mdns`, and a client;
#   machine 2 (10.77.0.2): an "LLM server" that listens on its own 127.0.0.1 only (as Ollama does by
#                          default), and `gambiarra join CODE` with nothing else typed.
# The client on machine 1 gets blocking and streamed answers; Ctrl-C on machine 2 leaves the room.
# It also times hub discovery from machine 2 (docs/benchmarks.md quotes these lines).
# Needs root (ip netns); elsewhere it says why and skips.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
fail_tail=30
need_jars

namespaces_or_skip

m1="gmb-m1-$tag"
m2="gmb-m2-$tag"
cleanup_extra() {
  ip netns del "$m1" 2>/dev/null || true
  ip netns del "$m2" 2>/dev/null || true
}

ip netns add "$m1"
ip netns add "$m2"
ip link add "gmb1-$tag" type veth peer name "gmb2-$tag"
ip link set "gmb1-$tag" netns "$m1"
ip link set "gmb2-$tag" netns "$m2"
ip -n "$m1" addr add 10.77.0.1/24 dev "gmb1-$tag"
ip -n "$m2" addr add 10.77.0.2/24 dev "gmb2-$tag"
for ns in "$m1" "$m2"; do ip -n "$ns" link set lo up; done
ip -n "$m1" link set "gmb1-$tag" up
ip -n "$m2" link set "gmb2-$tag" up
# A machine's IPv6 link-local address is usable once duplicate address detection is done (a second
# or two after the link comes up); real machines have long had theirs.
for _ in $(seq 1 50); do
  [ -z "$(ip -n "$m1" -6 addr show tentative)$(ip -n "$m2" -6 addr show tentative)" ] && break
  sleep 0.1
done

# Each machine has its own ~/.gambiarra (what the CLI remembers).
on1() { ip netns exec "$m1" "$@"; }
on2() { ip netns exec "$m2" "$@"; }
cli1() { on1 java -Dgambiarra.home="$work/m1" -jar "$jar" "$@"; }
cli2() { on2 java -Dgambiarra.home="$work/m2" -jar "$jar" "$@"; }

# Machine 1: the hub, announced on the LAN.
cli1 serve --mdns --ephemeral >"$work/hub.log" 2>&1 & pids+=($!)
wait_for "the hub" 30 on1 curl -fs http://127.0.0.1:3000/health
# A responder answers browsers once it has probed and announced (a few seconds after start).
wait_for "the mDNS announcement" 30 grep -q "browsers on the network find it now" "$work/hub.log"
code=$(cli1 create --name "LAN" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["room"]["code"])')
echo "two-machines: hub on machine 1 (10.77.0.1), room $code"

# Machine 2: an LLM server on its own loopback, at Ollama's port, then join with nothing typed.
cli2 fake-llm --port 11434 --model llama3 >"$work/llm.log" 2>&1 & pids+=($!)
wait_for "machine 2's LLM server" 30 on2 curl -fs http://127.0.0.1:11434/v1/models
if on1 curl -fs --max-time 2 http://10.77.0.2:11434/v1/models >/dev/null 2>&1; then
  fail "machine 2's LLM server is reachable from machine 1; it should listen on 127.0.0.1 only"
fi
set -m # a job started with job control off ignores SIGINT, which Ctrl-C is
cli2 join "$code" --no-specs >"$work/join.log" 2>&1 &
join=$!
set +m
pids+=($join)
wait_for "the join" 30 grep -q "Sharing until Ctrl-C" "$work/join.log"
# The stand-in at Ollama's port is found there, and says what it is.
grep -q "Found gambiarra fake-llm (a stand-in: its answers are placeholders) at http://localhost:11434" "$work/join.log" \
  || fail "join did not find the local server by itself"
grep -q "through a tunnel" "$work/join.log" || fail "join did not share through a tunnel"
participants=$(on1 curl -fs "http://127.0.0.1:3000/rooms/$code/participants")
grep -q '"status":"online"' <<<"$participants" || fail "the participant is not online: $participants"
echo "two-machines: machine 2 joined by itself (hub by mDNS, Ollama on 127.0.0.1:11434, through a tunnel)"

# Machine 1: a client gets a blocking answer and a streamed one.
blocking=$(on1 curl -fs "http://127.0.0.1:3000/rooms/$code/v1/chat/completions" -H 'Content-Type: application/json' \
  -d '{"model":"*","messages":[{"role":"user","content":"hello across the LAN"}]}')
grep -q 'You said: hello across the LAN' <<<"$blocking" || fail "blocking answer: $blocking"
streamed=$(on1 curl -fsN "http://127.0.0.1:3000/rooms/$code/v1/chat/completions" -H 'Content-Type: application/json' \
  -d '{"model":"model:llama3","stream":true,"messages":[{"role":"user","content":"stream it"}]}')
grep -q 'data: \[DONE\]' <<<"$streamed" || fail "streamed answer: $streamed"
chat=$(cli1 chat "$code" "and through the SDK" 2>&1)
grep -q "You said: and through the SDK" <<<"$chat" || fail "gambiarra chat: $chat"
echo "two-machines: machine 1 got blocking, streamed and SDK answers from machine 2's model"

# Discovery from machine 2, timed: with the hub named, then a first discovery (nothing remembered),
# then with the hub remembered from last time.
seconds() { local start end; start=$(date +%s%N); "$@" >/dev/null 2>&1 || true; end=$(date +%s%N); echo $(( (end - start) / 1000000 )); }
named=$(seconds cli2 list --hub http://10.77.0.1:3000)
rm -f "$work/m2/last-hub"
first=$(seconds cli2 list)
remembered=$(seconds cli2 list)
grep -q "10.77.0.1:3000" "$work/m2/last-hub" || fail "discovery did not remember the hub"
echo "two-machines: discovery timing (ms): --hub $named, first mDNS discovery $first, remembered $remembered"

# Ctrl-C on machine 2 leaves the room: SIGINT to the join's process group, as a terminal sends it.
kill -INT -- -"$join"
wait "$join" || true
grep -q "Left room" "$work/join.log" || fail "join did not say it left"
participants=$(on1 curl -fs "http://127.0.0.1:3000/rooms/$code/participants")
case "$participants" in *'"participants":[]'*) ;; *) false ;; esac || fail "after Ctrl-C the room still has: $participants"
echo "two-machines: Ctrl-C on machine 2 left the room"
echo "two-machines: passed"
