#!/usr/bin/env bash
# The README's "Try it" as a newcomer walks it, in real terminals (tmux): `./gambiarra serve --mdns`
# in one, `create` in another, and then only commands the CLI itself printed, pasted as they are
# (join, monitor, list's "Ask the room", delete), plus those the README gives (fake-llm, list,
# chat). Then a join started while no hub runs waits and joins once `serve` is back, and the demo's
# printed chat command is pasted too. It fails on any `command not found`, any Java stack trace,
# and any `error:` line it did not expect.
#
# The README's commands use port 3000 and mDNS, so the walk runs in a network namespace of its own
# (its own loopback and port 3000): it needs root and iproute2, and skips, saying why, elsewhere.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
need_jars
command -v tmux >/dev/null || fail "tmux is not installed"
tag=$$
ns="gmb-qs-$tag"
if [ "$(id -u)" != 0 ] || ! command -v ip >/dev/null 2>&1 || ! ip netns add "$ns" 2>/dev/null; then
  echo "quickstart: SKIPPED: network namespaces cannot be made here (needs root and iproute2)"
  exit 0
fi
session="qs-$tag"
cleanup_extra() {
  ip netns exec "$ns" tmux -L "$session" kill-server 2>/dev/null || true
  ip netns del "$ns" 2>/dev/null || true
}
# A machine with a network interface besides loopback, for mDNS (a veth pair, both ends its own).
ip -n "$ns" link set lo up
ip -n "$ns" link add qs0 type veth peer name qs1
ip -n "$ns" addr add 10.88.0.1/24 dev qs0
ip -n "$ns" addr add 10.88.0.2/24 dev qs1
ip -n "$ns" link set qs0 up
ip -n "$ns" link set qs1 up

# Each terminal is a tmux window in the namespace, in the repository's folder, with a ~/.gambiarra
# of its own (the JVM option the launcher passes on) and the launcher as the README runs it.
tmux_() { ip netns exec "$ns" tmux -L "$session" "$@"; }
tmux_ new-session -d -s "$session" -x 220 -y 50 -n t1 \
  "env GAMBIARRA_JAVA_OPTS='-XX:+UseParallelGC -Dgambiarra.home=$work/home' bash --norc --noprofile"
for t in t2 t3 t4; do
  tmux_ new-window -t "$session" -n "$t" \
    "env GAMBIARRA_JAVA_OPTS='-XX:+UseParallelGC -Dgambiarra.home=$work/home' bash --norc --noprofile"
done
type_in() { tmux_ send-keys -t "$session:$1" -l "$2"; tmux_ send-keys -t "$session:$1" Enter; }
# clean T: fails if terminal T shows a failure: `command not found`, a Java stack trace, or an
# `error:` line (none is expected on this walk).
clean() {
  local out
  out=$(screen "$1")
  if grep -qE "command not found|Exception in thread|^\s+at [a-z]+\.|No such file|^error:" <<<"$out"; then
    echo "--- terminal $1"; echo "$out"; fail "terminal $1 shows a failure"
  fi
}
# fresh T: a clear terminal T, so that what it shows next is new (its prompt must be back).
fresh() { clean "$1"; type_in "$1" clear; sleep 0.3; tmux_ clear-history -t "$session:$1"; }
screen() { tmux_ capture-pane -t "$session:$1" -p -J -S -300; }
# see T TEXT [SECONDS]: waits until terminal T shows TEXT.
see() {
  local t=$1 text=$2 seconds=${3:-60}
  for _ in $(seq 1 $((seconds * 5))); do
    screen "$t" | grep -qF -- "$text" && return 0
    sleep 0.2
  done
  echo "--- terminal $t"; screen "$t"
  fail "terminal $t never showed '$text'"
}
# printed T LABEL: the command terminal T printed after LABEL (up to two spaces and a parenthesis).
printed() {
  screen "$1" | grep -F -- "$2" | tail -1 | sed -e "s/^.*$2 *//" -e 's/  (.*$//' -e 's/[[:space:]]*$//'
}

type_in t1 "./gambiarra serve --mdns"
see t1 "Next:"
type_in t2 "./gambiarra create --name \"Team\""
see t2 "Room created! Code:"
code=$(screen t2 | sed -n 's/.*Room created! Code: \([A-Z0-9]\{6\}\).*/\1/p' | tail -1)
[ -n "$code" ] || fail "create printed no room code"
echo "quickstart: room $code created"

# No Ollama here: the README's stand-in, then the join command create printed, which finds it.
type_in t2 "./gambiarra fake-llm &"
see t2 "Fake LLM server"
join=$(printed t2 "Share a model:")
[[ "$join" == "./gambiarra join $code"* ]] || fail "create printed '$join' to share a model"
type_in t2 "$join"
see t2 "Sharing until Ctrl-C"
see t2 "a stand-in"
echo "quickstart: pasted '$join'"

monitor=$(printed t2 "Watch it:")
type_in t3 "$monitor"
see t3 "● live"
see t3 "fake"
echo "quickstart: pasted '$monitor'"

type_in t4 "./gambiarra list $code"
see t4 "Ask the room:"
ask=$(printed t4 "Ask the room:")
ask=${ask%%   (*}
type_in t4 "$ask"
see t4 "You said: Hello"
type_in t4 "./gambiarra chat $code \"Hello!\""
see t4 "You said: Hello!"
echo "quickstart: pasted '$ask'"

delete=$(printed t2 "Delete it:")
type_in t4 "$delete"
see t4 "Room $code deleted."
see t2 "stopped sharing"
echo "quickstart: pasted '$delete'; the join stopped"
tmux_ send-keys -t "$session:t3" q
clean t3

# A join started while no hub runs waits for one, and joins once `serve` is back (rooms are kept).
type_in t4 "./gambiarra create --name \"Later\""
see t4 "Room created! Code:"
later=$(screen t4 | sed -n 's/.*Room created! Code: \([A-Z0-9]\{6\}\).*/\1/p' | tail -1)
tmux_ send-keys -t "$session:t1" C-c
see t1 "Hub stopped; its rooms are kept in"
fresh t1
fresh t2
type_in t2 "$(printed t4 "Share a model:")"
see t2 "no hub found yet" 30
type_in t1 "./gambiarra serve --mdns"
see t2 "Sharing until Ctrl-C" 60
tmux_ send-keys -t "$session:t2" C-c
see t2 "Left room $later."
echo "quickstart: a join that found no hub waited, and joined once serve was back"

# The demo's next steps paste too.
tmux_ send-keys -t "$session:t1" C-c
see t1 "Hub stopped"
fresh t1
fresh t4
type_in t1 "./gambiarra demo"
see t1 "Ctrl-C stops the hub and the demo model." 180
chat=$(screen t1 | grep -F -- "./gambiarra chat" | tail -1 | sed -e 's/^ *//' -e 's/ *#.*$//')
[[ "$chat" == "./gambiarra chat "* ]] || fail "the demo printed '$chat' to chat"
type_in t4 "$chat"
see t4 "— answered by" 120
tmux_ send-keys -t "$session:t1" C-c
see t1 "Hub stopped, and the demo model with it."
echo "quickstart: pasted the demo's '$chat'"

# Nothing went wrong that nobody expected.
for t in t1 t2 t3 t4; do
  clean "$t"
done
echo "quickstart: passed"
