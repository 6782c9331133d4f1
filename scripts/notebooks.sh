#!/usr/bin/env bash
# Executes every notebook in examples/notebooks headless, with Debian's Jupyter (jupyter-nbconvert)
# on the Rapaio Java kernel from Maven Central, against a real hub whose room has two participants
# (two stand-in LLMs); an error in any cell fails. docs/notebooks.md.
#
#   bash scripts/notebooks.sh            executes them into a scratch directory
#   bash scripts/notebooks.sh --update   and writes the executed notebooks back: their committed outputs
#
# The notebooks resolve gambiarra-langchain4j 0.1.0-SNAPSHOT from ~/.m2 (mvn -B -DskipTests install).
# The kernel needs Java 21+: GAMBIARRA_NOTEBOOK_JAVA, else JAVA_HOME if it is 21+, else a JDK 21+
# under /usr/lib/jvm.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
name=notebooks
update=${1:-}
kernel_version=3.0.1

nbconvert=/usr/bin/jupyter-nbconvert
[ -x "$nbconvert" ] || fail "Debian's Jupyter is missing: apt-get install jupyter-nbconvert"

# A Java 21+ for the kernel (the project itself builds on 17).
java_major() { "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p'; }
kernel_java=${GAMBIARRA_NOTEBOOK_JAVA:-}
if [ -z "$kernel_java" ]; then
  for candidate in "${JAVA_HOME:+$JAVA_HOME/bin/java}" /usr/lib/jvm/*/bin/java; do
    [ -n "$candidate" ] && [ -x "$candidate" ] || continue
    if [ "$(java_major "$candidate")" -ge 21 ] 2>/dev/null; then kernel_java=$candidate; break; fi
  done
fi
[ -n "$kernel_java" ] || fail "the Java kernel needs Java 21 or newer: install one (e.g. a Temurin 25 JDK) or set GAMBIARRA_NOTEBOOK_JAVA"
echo "$name: kernel on $kernel_java (Java $(java_major "$kernel_java"))"

# The kernel: one shaded jar from Maven Central, checked against its published SHA-1, kept in the
# user's cache. Its dependency cache (RJK_MIMA_CACHE, a path relative to the jar's directory) is
# ~/.m2/repository, so that a fresh `mvn install` is what the notebooks get.
cache="${XDG_CACHE_HOME:-$HOME/.cache}/gambiarra/notebook-kernel"
kernel_jar="$cache/rapaio-jupyter-kernel-$kernel_version.jar"
if [ ! -f "$kernel_jar" ]; then
  url="https://repo.maven.apache.org/maven2/io/github/padreati/rapaio-jupyter-kernel/$kernel_version/rapaio-jupyter-kernel-$kernel_version.jar"
  echo "$name: fetching the Rapaio Java kernel $kernel_version from Maven Central"
  mkdir -p "$cache"
  curl -fsSL -o "$kernel_jar.part" "$url" || fail "could not download $url"
  echo "$(curl -fsSL "$url.sha1" | cut -c1-40)  $kernel_jar.part" | sha1sum -c --quiet \
    || fail "the kernel jar does not match Maven Central's SHA-1"
  mv "$kernel_jar.part" "$kernel_jar"
fi
m2="${GAMBIARRA_M2:-$HOME/.m2/repository}"
ls "$m2"/io/github/gambiarra/gambiarra-langchain4j/0.1.0-SNAPSHOT/*.jar >/dev/null 2>&1 \
  || fail "gambiarra-langchain4j 0.1.0-SNAPSHOT is not in $m2: run mvn -B -DskipTests install first"
export RJK_MIMA_CACHE
RJK_MIMA_CACHE=$(realpath -m --relative-to="$cache" "$m2")

# A kernelspec of our own (JUPYTER_PATH), nothing installed for the user. Before the kernel's jar on
# its class path: scripts/notebook-kernel/LoopThread.java, the kernel's loop thread without its two
# start-up races (see the class).
spec="$work/jupyter/kernels/rapaio-jupyter-kernel"
mkdir -p "$spec/patch"
"$(dirname "$(readlink -f "$kernel_java")")/javac" --release 21 -d "$spec/patch" scripts/notebook-kernel/LoopThread.java \
  || fail "could not compile scripts/notebook-kernel/LoopThread.java with the kernel's JDK"
python3 - "$spec/kernel.json" "$kernel_java" "$spec/patch:$kernel_jar" "$kernel_version" <<'EOF'
import json, sys
path, java, jar, version = sys.argv[1:]
json.dump({'argv': [java, '-Dorg.rapaio.shaded.org.slf4j.simpleLogger.defaultLogLevel=error', '-cp', jar,
                    'org.rapaio.jupyter.kernel.MainApp', '{connection_file}'],
           'display_name': f'Java (rjk {version})', 'language': 'java', 'interrupt_mode': 'message', 'env': {}},
          open(path, 'w'), indent=2)
EOF
export JUPYTER_PATH="$work/jupyter" JUPYTER_RUNTIME_DIR="$work/runtime"

# A room of two participants, as the notebooks expect: two stand-in LLMs serving two models.
need_jars
read -r hub_port llm1 llm2 < <(free_ports 3)
java -jar "$jar" serve --host 127.0.0.1 --port "$hub_port" --ephemeral --quiet >"$work/hub.log" 2>&1 & pids+=($!)
java -jar "$jar" fake-llm --port "$llm1" --model fake-small >"$work/llm1.log" 2>&1 & pids+=($!)
java -jar "$jar" fake-llm --port "$llm2" --model fake-large >"$work/llm2.log" 2>&1 & pids+=($!)
hub="http://127.0.0.1:$hub_port"
wait_for "the hub" 30 curl -fs "$hub/health"
wait_for "the stand-in LLMs" 30 sh -c "curl -fs http://127.0.0.1:$llm1/v1/models && curl -fs http://127.0.0.1:$llm2/v1/models"
code=$(java -jar "$jar" create --hub "$hub" --name Notebooks --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["room"]["code"])')
java -jar "$jar" join "$code" --hub "$hub" --endpoint "http://127.0.0.1:$llm1" --model fake-small --nickname ana --no-specs \
  >"$work/join1.log" 2>&1 & pids+=($!)
java -jar "$jar" join "$code" --hub "$hub" --endpoint "http://127.0.0.1:$llm2" --model fake-large --nickname bruno --no-specs \
  >"$work/join2.log" 2>&1 & pids+=($!)
wait_for "two participants online" 30 sh -c "[ \$(curl -fs '$hub/rooms/$code/participants' | grep -o '\"status\":\"online\"' | wc -l) -ge 2 ]"
export GAMBIARRA_HUB="$hub" GAMBIARRA_ROOM="$code"

out="$work/executed"
[ "$update" = --update ] && out=examples/notebooks
mkdir -p "$out"
passed=0
for nb in examples/notebooks/*.ipynb; do
  base=$(basename "$nb")
  # Should the kernel still not answer at start-up, the notebook is started again, up to three times.
  # A cell that fails is not: it fails the run.
  for attempt in 1 2 3; do
    started=$(date +%s)
    if "$nbconvert" --to notebook --execute --ExecutePreprocessor.kernel_name=rapaio-jupyter-kernel \
        --ExecutePreprocessor.timeout=180 --ExecutePreprocessor.startup_timeout=45 \
        --output-dir "$out" --output "$base" "$nb" >"$work/$base.log" 2>&1; then
      echo "$name: ok   $base ($(( $(date +%s) - started )) s)"
      passed=$((passed + 1))
      continue 2
    fi
    if grep -qE "Kernel didn't respond|Kernel died" "$work/$base.log" && [ $attempt -lt 3 ]; then
      echo "$name: the kernel did not start for $base; trying again"
      continue
    fi
    fail_tail=60 fail "$base: a cell failed (its traceback above)"
  done
done

# What the committed notebooks hold: every code cell run, none in error, and something to read.
python3 - "$out" <<'EOF' || fail "an executed notebook is not what should be committed"
import json, os, sys
for f in sorted(os.listdir(sys.argv[1])):
    if not f.endswith('.ipynb'):
        continue
    nb = json.load(open(os.path.join(sys.argv[1], f)))
    cells = [c for c in nb['cells'] if c['cell_type'] == 'code']
    unrun = [i for i, c in enumerate(cells) if c.get('execution_count') is None]
    errors = [o for c in cells for o in c.get('outputs', []) if o.get('output_type') == 'error']
    printed = sum(1 for c in cells if c.get('outputs'))
    if unrun or errors or printed < len(cells) - 1:
        sys.exit(f'{f}: {len(unrun)} code cells not run, {len(errors)} errors, {printed} of {len(cells)} cells with output')
EOF
echo "$name: $passed notebooks executed on the Rapaio kernel $kernel_version, every cell without error"
