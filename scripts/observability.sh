#!/usr/bin/env bash
# The hub as an observability stack sees it, from the packaged jar: configured by OTEL_* variables,
# it sends traces and metrics over OTLP/HTTP (to a small receiver here that records what it gets);
# and a real Prometheus server (Debian's) scrapes it while a participant answers requests, so that a
# PromQL query over the GenAI time-to-first-token histogram (docs/observability.md's first one)
# returns a value. Without the prometheus package, the scrape part says why and is skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
need_jars
have_prometheus=true
command -v prometheus >/dev/null 2>&1 || have_prometheus=false

read -r hub_port llm_port prom_port otlp_port < <(free_ports 4)
hub="http://127.0.0.1:$hub_port"
gamb() { java -Dgambiarra.home="$work/home" -jar "$jar" "$@"; }

# An OTLP/HTTP receiver that answers 200 and writes down each request's path, type and size.
python3 - "$otlp_port" "$work/otlp.txt" >"$work/otlp.log" 2>&1 <<'PY' & pids+=($!)
import http.server, sys
port, out = int(sys.argv[1]), sys.argv[2]
class Receiver(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with open(out, "a") as f:
            f.write(f"{self.path} {self.headers.get('Content-Type')} {len(body)}\n")
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()
    def log_message(self, *args):
        pass
http.server.HTTPServer(("127.0.0.1", port), Receiver).serve_forever()
PY

OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:$otlp_port" OTEL_BSP_SCHEDULE_DELAY=200 OTEL_METRIC_EXPORT_INTERVAL=1000 \
  gamb serve --ephemeral --host 127.0.0.1 --port "$hub_port" >"$work/hub.log" 2>&1 & pids+=($!)
gamb fake-llm --port "$llm_port" --model llama3 >"$work/llm.log" 2>&1 & pids+=($!)
wait_for "the hub" 30 curl -fs "$hub/health"
wait_for "the LLM server" 30 curl -fs "http://127.0.0.1:$llm_port/v1/models"
code=$(gamb create --hub "$hub" --name Scraped --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["room"]["code"])')
gamb join "$code" --hub "$hub" --endpoint "http://127.0.0.1:$llm_port" --model llama3 --id desk --nickname desk \
  --no-specs >"$work/join.log" 2>&1 & pids+=($!)
wait_for "the join" 30 grep -q "Sharing until Ctrl-C" "$work/join.log"

if ! $have_prometheus; then
  for i in 1 2 3; do
    curl -fs "$hub/rooms/$code/v1/chat/completions" -H 'Content-Type: application/json' \
      -d '{"model":"model:llama3","messages":[{"role":"user","content":"hello"}]}' >/dev/null || fail "request $i failed"
  done
fi

otlp_check() {
  wait_for "spans over OTLP/HTTP" 30 grep -q "^/v1/traces application/x-protobuf" "$work/otlp.txt"
  wait_for "metrics over OTLP/HTTP" 30 grep -q "^/v1/metrics application/x-protobuf" "$work/otlp.txt"
  echo "observability: the packaged hub sent $(grep -c '^/v1/traces' "$work/otlp.txt") trace and" \
    "$(grep -c '^/v1/metrics' "$work/otlp.txt") metric exports over OTLP/HTTP"
}
if ! $have_prometheus; then
  otlp_check
  echo "observability: the Prometheus scrape SKIPPED: no Prometheus server here (apt-get install prometheus)"
  echo "observability: passed"
  exit 0
fi

cat >"$work/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
scrape_configs:
  - job_name: gambiarra
    static_configs:
      - targets: ["127.0.0.1:$hub_port"]
EOF
# A port found free can be taken by another program before Prometheus binds it: then it says so
# and stops, and it is started again on another port.
for attempt in 1 2 3; do
  prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/tsdb" \
    --web.listen-address="127.0.0.1:$prom_port" >"$work/prometheus.log" 2>&1 & prom_pid=$!
  pids+=($prom_pid)
  prom="http://127.0.0.1:$prom_port"
  for _ in $(seq 1 600); do
    curl -fs "$prom/-/ready" >/dev/null 2>&1 && break 2
    kill -0 "$prom_pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$prom_pid" 2>/dev/null || ! grep -q "address already in use" "$work/prometheus.log"; then
    fail "timed out waiting for Prometheus"
  fi
  echo "observability: port $prom_port was taken meanwhile; Prometheus tries another"
  prom_port=$(free_port)
done
curl -fs "$prom/-/ready" >/dev/null 2>&1 || fail "Prometheus did not start"

# query PROMQL: the first value of the result vector, or nothing.
query() {
  curl -fs "$prom/api/v1/query" --data-urlencode "query=$1" | python3 -c '
import json, math, sys
r = json.load(sys.stdin)["data"]["result"]
values = [float(x["value"][1]) for x in r if not math.isnan(float(x["value"][1]))]
print(values[0] if values else "")'
}
wait_for "Prometheus scraping the hub" 30 bash -c "[ \"\$(curl -fs '$prom/api/v1/query' --data-urlencode 'query=up{job=\"gambiarra\"}' \
  | python3 -c 'import json,sys; r=json.load(sys.stdin)[\"data\"][\"result\"]; print(r[0][\"value\"][1] if r else \"\")')\" = 1 ]"

# Traffic over several scrapes, streamed and not, so that rates have something to go on.
for i in $(seq 1 20); do
  stream=$([ $((i % 2)) = 0 ] && echo true || echo false)
  curl -fs "$hub/rooms/$code/v1/chat/completions" -H 'Content-Type: application/json' \
    -d "{\"model\":\"model:llama3\",\"stream\":$stream,\"messages\":[{\"role\":\"user\",\"content\":\"question $i\"}]}" \
    >/dev/null || fail "request $i failed"
  sleep 0.25
done

ttft='histogram_quantile(0.95, sum by (le, gen_ai_request_model) (rate(gen_ai_server_time_to_first_token_seconds_bucket[1m])))'
value=""
for _ in $(seq 1 40); do
  value=$(query "$ttft")
  [ -n "$value" ] && break
  sleep 0.5
done
[ -n "$value" ] || fail "the TTFT query returned nothing: $(curl -fs "$prom/api/v1/query" --data-urlencode "query=$ttft")"
tokens=$(query 'sum(gen_ai_client_token_usage_sum{gen_ai_token_type="output"})')
[ -n "$tokens" ] || fail "no output tokens counted"
echo "observability: TTFT p95 per model from a real Prometheus scraping the hub: ${value} s; output tokens counted: $tokens"
otlp_check
echo "observability: passed"
