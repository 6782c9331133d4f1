#!/usr/bin/env bash
# CLI start-up, as a user pays it: `--version` and `list` (against a hub on loopback with a room), each
# run many times as a whole process, the median wall time and CPU reported, for `java -jar` as it is and
# for the `./gambiarra` launcher (C1 only and a class-data archive for short commands; its first run
# writes the archive and is not counted). Usage: bench/startup.sh [RUNS]   (default 15)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
name=startup
need_jars
runs=${1:-15}
port=$(free_port)
export GAMBIARRA_HUB="http://127.0.0.1:$port"
java -jar "$jar" serve --host 127.0.0.1 --port "$port" --ephemeral --quiet >"$work/hub.log" 2>&1 & pids+=($!)
wait_for "the hub" 30 curl -fs "$GAMBIARRA_HUB/health"
java -jar "$jar" create --name startup >/dev/null
rm -f gambiarra-cli/target/gambiarra-*.jsa
./gambiarra list >/dev/null   # writes the launcher's archive
./gambiarra list --json | python3 -c 'import json,sys; json.load(sys.stdin)' \
  || fail "the launcher's list --json is not JSON alone"

python3 - "$runs" "$jar" <<'PY'
import os, resource, statistics, subprocess, sys, time
runs, jar = int(sys.argv[1]), sys.argv[2]
def measure(cmd):
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(walls), statistics.median(cpus)
rows = [("java -jar gambiarra.jar --version", ["java", "-XX:+UseParallelGC", "-jar", jar, "--version"]),
        ("./gambiarra --version", ["./gambiarra", "--version"]),
        ("java -jar gambiarra.jar list", ["java", "-XX:+UseParallelGC", "-jar", jar, "list"]),
        ("./gambiarra list", ["./gambiarra", "list"])]
print(f"| command | median wall | median CPU |  ({runs} runs each, {os.cpu_count()} cores)")
print("|---|---:|---:|")
for label, cmd in rows:
    wall, cpu = measure(cmd)
    print(f"| `{label}` | {wall:.2f} s | {cpu:.2f} s |")
PY
