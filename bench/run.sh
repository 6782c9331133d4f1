#!/usr/bin/env bash
# Runs the benchmarks and writes docs/benchmarks.md (with --smoke: a few seconds, results under
# target/). Needs wrk and nginx from Debian for their columns (apt-get install wrk nginx-light).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f gambiarra-bench/target/gambiarra-bench.jar ] || [ ! -f gambiarra-cli/target/gambiarra.jar ]; then
  mvn -B -q -DskipTests install
fi
exec java -Xmx2g -jar gambiarra-bench/target/gambiarra-bench.jar --repo . "$@"
