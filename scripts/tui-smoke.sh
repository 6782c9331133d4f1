#!/usr/bin/env bash
# Drives `gambiarra monitor` in a real terminal (tmux) against a real hub: the screen shows the
# room and its participant, keys work, the hub going away shows "reconnecting…" and its return
# brings the view back, and q restores the terminal. Needs tmux, curl, python3 and the CLI jar.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
[ -f "$jar" ] || fail "$jar missing; run mvn -B verify first"
session="gambiarra-tui-smoke-$$"
hub_pid=""
cleanup_extra() { tmux kill-session -t "$session" 2>/dev/null || true; }

port=$(free_port)
hub="http://127.0.0.1:$port"

start_hub() {
  java -jar "$jar" serve --host 127.0.0.1 --port "$port" --data-dir "$work/hub" --quiet >"$work/hub.log" 2>&1 &
  hub_pid=$!
  pids+=("$hub_pid")
  wait_for "the hub" 20 curl -fs "$hub/health"
}

# wait_screen TEXT: polls the screen (up to 20 s) until it shows TEXT.
wait_screen() {
  for _ in $(seq 1 100); do
    if tmux capture-pane -t "$session" -p | grep -qF -- "$1"; then return 0; fi
    sleep 0.2
  done
  echo "tui-smoke: the screen never showed '$1'; it shows:" >&2
  tmux capture-pane -t "$session" -p >&2
  exit 1
}

start_hub
code=$(java -jar "$jar" create --name "Smoke room" --hub "$hub" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["room"]["code"])')
curl -fs -X POST "$hub/rooms/$code/join" -H 'Content-Type: application/json' \
  -d '{"id":"ana","nickname":"Ana","model":"llama3","endpoint":"http://127.0.0.1:9","specs":{"gpu":"RTX 4090","vram":24}}' >/dev/null

tmux new-session -d -s "$session" -x 100 -y 30 "java -jar $jar monitor --hub $hub --retry 500ms $code"
wait_screen "$code Smoke room"
wait_screen "● live"
wait_screen "Ana"
wait_screen "llama3"

tmux send-keys -t "$session" e
wait_screen "RTX 4090 24.0 GB"

kill "$hub_pid"; wait "$hub_pid" 2>/dev/null || true
wait_screen "reconnecting…"
start_hub
wait_screen "● live"

tmux send-keys -t "$session" q
for _ in $(seq 1 50); do
  tmux has-session -t "$session" 2>/dev/null || { echo "tui-smoke: 1 passed, 0 failed"; exit 0; }
  sleep 0.2
done
echo "tui-smoke: q did not quit the monitor" >&2
exit 1
