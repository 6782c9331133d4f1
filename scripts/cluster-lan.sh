#!/usr/bin/env bash
# docs/deploy.md's cluster recipe, tried on a LAN of network namespaces joined by a bridge (private
# addresses inside namespaces made here only):
#   10.0.0.11, .12, .13: `gambiarra serve` as the recipe's unit runs it (--cluster-members ...);
#   10.0.0.10: nginx with the recipe's configuration, port 3000;
#   10.0.0.20: a participant (`gambiarra join CODE --hub http://10.0.0.10:3000`, its LLM server on its
#              own 127.0.0.1) and a client, both through nginx only.
# Then the hub that holds the room is killed (SIGKILL); the client, still through nginx, gets answers again.
# Needs root (ip netns) and nginx; elsewhere it says why and skips.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
fail_tail=20
need_jars
namespaces_or_skip
if ! command -v nginx >/dev/null 2>&1; then
  echo "cluster-lan: SKIPPED: nginx is not installed (apt-get install nginx-light)"
  exit 0
fi

# nginx's workers read its configuration here.
chmod 755 "$work"
switch="gmb-sw-$tag"
names=(h1 h2 h3 lb pc)
declare -A addr=([h1]=10.0.0.11 [h2]=10.0.0.12 [h3]=10.0.0.13 [lb]=10.0.0.10 [pc]=10.0.0.20)
cleanup_extra() {
  for n in "${names[@]}"; do ip netns del "gmb-$n-$tag" 2>/dev/null || true; done
  ip netns del "$switch" 2>/dev/null || true
}

# The LAN: one namespace with a bridge, one namespace per machine.
ip netns add "$switch"
ip -n "$switch" link add br0 type bridge
ip -n "$switch" link set br0 up
i=0
for n in "${names[@]}"; do
  ns="gmb-$n-$tag"
  ip netns add "$ns"
  ip link add "gm$i-$tag" type veth peer name "gs$i-$tag"
  ip link set "gm$i-$tag" netns "$ns"
  ip link set "gs$i-$tag" netns "$switch"
  ip -n "$switch" link set "gs$i-$tag" master br0
  ip -n "$switch" link set "gs$i-$tag" up
  ip -n "$ns" addr add "${addr[$n]}/24" dev "gm$i-$tag"
  ip -n "$ns" link set "gm$i-$tag" up
  ip -n "$ns" link set lo up
  i=$((i + 1))
done
on() { local n=$1; shift; ip netns exec "gmb-$n-$tag" "$@"; }

# The three hubs: the recipe's ExecStart, with this run's jar and data directories.
for n in h1 h2 h3; do
  on "$n" java -Xmx512m -Dgambiarra.home="$work/$n" -jar "$jar" serve \
    --host 0.0.0.0 --port 3000 --tunnel-only --data-dir "$work/$n/data" \
    --cluster-members 10.0.0.11:5701,10.0.0.12:5701,10.0.0.13:5701 \
    --cluster-host "${addr[$n]}" --cluster-name lab >"$work/hub-$n.log" 2>&1 &
  pids+=($!)
done
for n in h1 h2 h3; do
  wait_for "hub ${addr[$n]} in a cluster of 3" 120 sh -c "ip netns exec gmb-$n-$tag curl -fs http://${addr[$n]}:3000/health | grep -q '\"members\":3'"
done
echo "cluster-lan: three hubs, one cluster"

# nginx: the recipe's configuration, in a prefix of its own.
mkdir -p "$work/nginx/logs" "$work/nginx/conf"
cat >"$work/nginx/conf/nginx.conf" <<EOF
worker_processes 1;
pid $work/nginx/nginx.pid;
error_log $work/nginx/logs/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work/nginx/body;
  proxy_temp_path $work/nginx/proxy;
  fastcgi_temp_path $work/nginx/fastcgi;
  uwsgi_temp_path $work/nginx/uwsgi;
  scgi_temp_path $work/nginx/scgi;
$(sed -n '/^upstream gambiarra {/,/^}$/p; /^map \$http_upgrade/,/^}$/p; /^server {/,/^}$/p' docs/deploy.md | sed 's/^/  /')
}
EOF
grep -q "proxy_pass http://gambiarra" "$work/nginx/conf/nginx.conf" || fail "the recipe's nginx configuration was not found in docs/deploy.md"
on lb nginx -p "$work/nginx" -c "$work/nginx/conf/nginx.conf" -g 'daemon off;' >"$work/nginx.log" 2>&1 &
pids+=($!)
wait_for "nginx" 30 on pc curl -fs http://10.0.0.10:3000/health
echo "cluster-lan: nginx in front, with the recipe's configuration"

# The participant's machine: an LLM server on its own loopback; join and a client, through nginx only.
# (-Dgambiarra.home names this run's directory, by which the clean-up finds the JVM.)
on pc java -Dgambiarra.home="$work/pc" -jar "$jar" fake-llm --port 11434 --model llama3 >"$work/llm.log" 2>&1 &
pids+=($!)
wait_for "the LLM server" 60 on pc curl -fs http://127.0.0.1:11434/v1/models
lb=http://10.0.0.10:3000
code=$(on pc java -Dgambiarra.home="$work/pc" -jar "$jar" create --hub "$lb" --name Lab --json \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["room"]["code"])')
on pc java -Dgambiarra.home="$work/pc" -jar "$jar" join "$code" --hub "$lb" --no-specs >"$work/join.log" 2>&1 &
pids+=($!)
wait_for "the join" 60 grep -q "Sharing until Ctrl-C" "$work/join.log"
ask() { on pc curl -s --max-time 30 -o "$work/answer.json" -w '%{http_code}' "$lb/rooms/$code/v1/chat/completions" \
  -H 'Content-Type: application/json' -d "{\"model\":\"*\",\"messages\":[{\"role\":\"user\",\"content\":\"$1\"}]}"; }
[ "$(ask 'through nginx')" = 200 ] || fail "no answer through nginx: $(cat "$work/answer.json")"
grep -q 'You said: through nginx' "$work/answer.json" || fail "unexpected answer: $(cat "$work/answer.json")"
streamed=$(on pc curl -sN --max-time 30 "$lb/rooms/$code/v1/chat/completions" -H 'Content-Type: application/json' \
  -d '{"model":"*","stream":true,"messages":[{"role":"user","content":"streamed"}]}')
grep -q 'data: \[DONE\]' <<<"$streamed" || fail "streamed answer: $streamed"
for n in h1 h2 h3; do
  on "$n" curl -fs "http://${addr[$n]}:3000/rooms" | grep -q "\"$code\"" || fail "room $code is not listed on ${addr[$n]}"
done
echo "cluster-lan: a participant and a client through nginx; the room is listed on every hub"

# Kill the hub that holds the room.
owner=$(on pc curl -fs -D - -o /dev/null "$lb/rooms/$code/participants" | tr -d '\r' | sed -n 's/^[Xx]-[Gg]ambiarra-[Hh]ub: //p')
victim=""
for n in h1 h2 h3; do
  id=$(on "$n" curl -fs "http://${addr[$n]}:3000/health" | python3 -c 'import json,sys; print(json.load(sys.stdin)["hub"])')
  [ "$id" = "$owner" ] && victim=$n
done
[ -n "$victim" ] || fail "no hub says it holds room $code"
pkill -9 -f -- "-Dgambiarra.home=$work/$victim " || fail "could not kill the hub at ${addr[$victim]}"
start=$(date +%s%N)
answered=""
while [ $(( ($(date +%s%N) - start) / 1000000000 )) -lt 60 ]; do
  if [ "$(ask 'after a hub died')" = 200 ]; then answered=yes; break; fi
  sleep 0.2
done
[ -n "$answered" ] || fail "no answer through nginx within 60 s of the room's hub (${addr[$victim]}) dying"
echo "cluster-lan: the room's hub (${addr[$victim]}) killed; answered again through nginx after $(( ($(date +%s%N) - start) / 1000000 )) ms"
echo "cluster-lan: passed"
