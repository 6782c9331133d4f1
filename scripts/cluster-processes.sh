#!/usr/bin/env bash
# Three hubs as three processes on loopback, one cluster (`serve --cluster-members`):
#   a room made on hub 1 is listed on hubs 2 and 3; a participant joined through hub 2 (`gambiarra
#   join`, through its tunnel) answers a client of hub 3; then the room's owner is killed (SIGKILL)
#   while a client keeps asking, and the room answers again on the survivors.
# Prints how long the room was without an answer.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
need_jars

read -r h1 h2 h3 c1 c2 c3 llm < <(free_ports 7)
members="127.0.0.1:$c1,127.0.0.1:$c2,127.0.0.1:$c3"
hub_port=("" "$h1" "$h2" "$h3")
cluster_port=("" "$c1" "$c2" "$c3")
hub_pid=()
for i in 1 2 3; do
  java -Dgambiarra.home="$work/h$i" -jar "$jar" serve --host 127.0.0.1 --port "${hub_port[$i]}" --ephemeral \
    --cluster-members "$members" --cluster-port "${cluster_port[$i]}" --cluster-name "ci-$$" --cluster-timeout 3s \
    --health-interval 1s --offline-timeout 3s >"$work/hub$i.log" 2>&1 &
  hub_pid[$i]=$!
  pids+=($!)
  disown "$!" # killed on purpose below: no "Killed" line from the shell
done
for i in 1 2 3; do
  wait_for "hub $i in a cluster of 3" 120 sh -c "curl -fs http://127.0.0.1:${hub_port[$i]}/health | grep -q '\"members\":3'"
done
echo "cluster-processes: three hubs, one cluster"

hub() { echo "http://127.0.0.1:${hub_port[$1]}"; }
owner_of() { curl -fs -D - -o /dev/null "$(hub 3)/rooms/$1/participants" | tr -d '\r' | sed -n 's/^[Xx]-[Gg]ambiarra-[Hh]ub: //p'; }
id1=$(curl -fs "$(hub 1)/health" | python3 -c 'import json,sys; print(json.load(sys.stdin)["hub"])')

# A room whose owner is hub 1: neither the participant's hub (2) nor the client's (3), so that killing
# it leaves both of them up.
code=""
for _ in $(seq 1 25); do
  c=$(java -jar "$jar" create --hub "$(hub 1)" --name Lab --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["room"]["code"])')
  wait_for "room $c on hub 3" 10 sh -c "curl -fs $(hub 3)/rooms | grep -q $c"
  if [ "$(owner_of "$c")" = "$id1" ]; then code=$c; break; fi
done
[ -n "$code" ] || fail "no room of the 25 made hashed to hub 1"
for i in 2 3; do
  curl -fs "$(hub $i)/rooms" | grep -q "\"$code\"" || fail "room $code is not listed on hub $i"
done
echo "cluster-processes: room $code made on hub 1 is listed on hubs 2 and 3"

java -jar "$jar" fake-llm --port "$llm" --model m >"$work/llm.log" 2>&1 & pids+=($!)
wait_for "the LLM server" 60 curl -fs "http://127.0.0.1:$llm/v1/models"
java -Dgambiarra.home="$work/p" -jar "$jar" join "$code" --hub "$(hub 2)" --endpoint "http://127.0.0.1:$llm" \
  --model m --no-specs >"$work/join.log" 2>&1 & pids+=($!)
wait_for "the join through hub 2" 60 grep -q "Sharing until Ctrl-C" "$work/join.log"
ask() { curl -s --max-time 30 -o "$work/answer.json" -w '%{http_code}' "$(hub 3)/rooms/$code/v1/chat/completions" \
  -H 'Content-Type: application/json' -d "{\"model\":\"*\",\"messages\":[{\"role\":\"user\",\"content\":\"$1\"}]}"; }
wait_for "an answer through hub 3" 30 sh -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' $(hub 3)/rooms/$code/v1/chat/completions -H 'Content-Type: application/json' -d '{\"model\":\"*\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}')\" = 200 ]"
[ "$(ask 'across three hubs')" = 200 ] || fail "hub 3 did not answer: $(cat "$work/answer.json")"
grep -q 'You said: across three hubs' "$work/answer.json" || fail "unexpected answer: $(cat "$work/answer.json")"
echo "cluster-processes: a participant joined through hub 2 answered a client of hub 3"

# Kill the owner under load; the room must answer again.
( while :; do ask load >/dev/null || true; done ) & loader=$!
pids+=($loader)
sleep 0.5
start=$(date +%s%N)
kill -9 "${hub_pid[1]}"
answered=""
while [ $(( ($(date +%s%N) - start) / 1000000000 )) -lt 30 ]; do
  if [ "$(ask 'after the owner died')" = 200 ]; then answered=yes; break; fi
  sleep 0.1
done
end=$(date +%s%N)
kill "$loader" 2>/dev/null || true
[ -n "$answered" ] || fail "the room did not answer again within 30 s of its hub dying"
for i in 2 3; do
  curl -fs "$(hub $i)/rooms" | grep -q "\"$code\"" || fail "room $code was lost from hub $i"
done
echo "cluster-processes: owner killed; room $code answered again after $(( (end - start) / 1000000 )) ms (cluster timeout 3 s)"
if [ -n "${CLUSTER_LOGS:-}" ]; then cp "$work"/*.log "$CLUSTER_LOGS"/; fi
echo "cluster-processes: passed"
