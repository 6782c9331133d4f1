#!/usr/bin/env bash
# A release rehearsal, published nowhere: docs/release.md's `mvn -P release deploy` on a copy of this
# tree at the release version (the current one without -SNAPSHOT), signed with a throwaway GPG key,
# staged for the Central Portal without uploading. Then it checks what Central would check (every
# file signed, sources and javadoc beside each jar, name/description/url/licenses/developers/scm in
# every POM, nothing of bench or examples), and uses the staged artifacts as a stranger would:
#   - a new Maven project that imports only the BOM and gambiarra-langchain4j, built with an empty
#     local repository and nothing to resolve from but the staging directory and Maven Central,
#     answers from a room (a real hub, a stand-in LLM);
#   - the distribution archive's bin/gambiarra runs;
#   - the CLI runs from the coordinates jbang-catalog.json's alias names.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
name=release-check
command -v gpg >/dev/null || fail "gpg is missing (apt-get install gnupg)"

snapshot=$(sed -n 's:^  <version>\(.*\)</version>:\1:p' pom.xml | head -1)
version=${snapshot%-SNAPSHOT}
src="$work/src"
echo "$name: rehearsing release $version in $src"
mkdir -p "$src"
tar --exclude=./.git --exclude='./*/target' --exclude='./*/*/target' --exclude=./target \
  --exclude=node_modules --exclude=.launcher/lib -cf - . | tar -xf - -C "$src"
grep -rl --include=pom.xml -- "$snapshot" "$src" | xargs sed -i "s/$snapshot/$version/g"

export GNUPGHOME="$work/gnupg"
mkdir -m 700 "$GNUPGHOME"
gpg --batch --quiet --passphrase '' --quick-gen-key \
  "Gambiarra release check (throwaway) <release-check@gambiarra.invalid>" ed25519 sign 1d 2>/dev/null \
  || fail "could not make a throwaway GPG key"

# As docs/release.md has it, but without uploading (-DskipUpload) and without touching ~/.m2's
# copies of the project (-Dmaven.install.skip).
(cd "$src" && mvn -B -P release -DskipTests -DskipUpload=true -Dmaven.install.skip=true deploy) \
  >"$work/release.log" 2>&1 || fail "mvn -P release deploy failed"
bundle=$(find "$src" -path '*/target/central-publishing/central-bundle.zip' | head -1)
[ -n "$bundle" ] || fail "no central-bundle.zip staged"
stage="$work/staged"
mkdir -p "$stage"
python3 -m zipfile -e "$bundle" "$stage"
echo "$name: staged $(find "$stage" -type f | wc -l) files in $(basename "$bundle") ($(du -h "$bundle" | cut -f1))"

# What the Central Portal would refuse.
python3 - "$stage" "$version" <<'EOF' || fail "the bundle is not one Central would accept"
import os, sys, subprocess, xml.etree.ElementTree as ET
root, version = sys.argv[1], sys.argv[2]
ns = {'m': 'http://maven.apache.org/POM/4.0.0'}
problems, poms, dirs = [], {}, {}
for d, _, files in os.walk(root):
    for f in files:
        if f.endswith('.pom'):
            pom = ET.parse(os.path.join(d, f)).getroot()
            artifact = pom.findtext('m:artifactId', namespaces=ns)
            poms[artifact], dirs[artifact] = pom, (d, files)

# A POM's metadata, its own or inherited from a parent in the bundle (as Central reads it).
def effective(artifact, field):
    pom = poms[artifact]
    value = (pom.findtext('m:' + field, namespaces=ns) or '').strip()
    parent = pom.findtext('m:parent/m:artifactId', namespaces=ns)
    if not value and parent in poms:
        return effective(parent, field)
    return value

for artifact, pom in poms.items():
    d, files = dirs[artifact]
    for field in ('name', 'description', 'url', 'licenses/m:license/m:name', 'developers/m:developer/m:name',
                  'scm/m:url', 'scm/m:connection'):
        if not effective(artifact, field):
            problems.append(f'{artifact}: the POM has no {field}, nor a parent in the bundle with one')
    url = effective(artifact, 'url')
    if 'gambiarra' not in url:
        problems.append(f"{artifact}: the POM's url is {url!r}, not the project's")
    if pom.findtext('m:packaging', default='jar', namespaces=ns) == 'jar':
        for classifier in ('', '-sources', '-javadoc'):
            if f'{artifact}-{version}{classifier}.jar' not in files:
                problems.append(f'{artifact}: no {artifact}-{version}{classifier}.jar')
    for f in files:
        if f.endswith(('.asc', '.md5', '.sha1', '.sha256', '.sha512')):
            continue
        path = os.path.join(d, f)
        if f + '.asc' not in files:
            problems.append(f'{f}: not signed')
            continue
        if subprocess.run(['gpg', '--batch', '--verify', path + '.asc', path], capture_output=True).returncode != 0:
            problems.append(f'{f}: the signature does not verify')
        for digest in ('.md5', '.sha1'):
            if f + digest not in files:
                problems.append(f'{f}: no {digest} checksum')
for unwanted in ('gambiarra-bench', 'gambiarra-example-langchain4j'):
    if unwanted in poms:
        problems.append(f'{unwanted} is in the bundle: users never add it')
for wanted in ('gambiarra-bom', 'gambiarra-langchain4j', 'gambiarra-cli', 'gambiarra-spring-boot-starter',
               'gambiarra-spring-boot4-starter', 'gambiarra-langchain4j-spring-boot-starter'):
    if wanted not in poms:
        problems.append(f'{wanted} is not in the bundle')
for p in problems:
    print('  ' + p)
print(f'release-check: {len(poms)} POMs, every file signed and its signature verified, metadata complete'
      if not problems else f'{len(problems)} problems')
sys.exit(1 if problems else 0)
EOF

# A room to answer: the staged CLI's distribution archive serves the hub and the stand-in LLM.
dist="$stage/io/github/gambiarra/gambiarra-cli/$version/gambiarra-cli-$version-dist.tar.gz"
[ -f "$dist" ] || fail "no distribution archive staged ($dist)"
tar -xzf "$dist" -C "$work"
cli="$work/gambiarra-$version/bin/gambiarra"
[ -x "$cli" ] || fail "the archive has no executable bin/gambiarra"
"$cli" --version | grep -q "gambiarra $version" || fail "bin/gambiarra --version does not say $version"
echo "$name: the archive's bin/gambiarra runs ($("$cli" --version | head -1))"
export XDG_CACHE_HOME="$work/cache"
read -r hub_port llm_port < <(free_ports 2)
"$cli" serve --host 127.0.0.1 --port "$hub_port" --ephemeral --quiet >"$work/hub.log" 2>&1 & pids+=($!)
"$cli" fake-llm --port "$llm_port" --model fake >"$work/llm.log" 2>&1 & pids+=($!)
hub="http://127.0.0.1:$hub_port"
wait_for "the hub" 30 curl -fs "$hub/health"
wait_for "the stand-in LLM" 30 curl -fs "http://127.0.0.1:$llm_port/v1/models"
code=$("$cli" create --hub "$hub" --name Release --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["room"]["code"])')
"$cli" join "$code" --hub "$hub" --endpoint "http://127.0.0.1:$llm_port" --model fake --nickname staged --no-specs \
  >"$work/join.log" 2>&1 & pids+=($!)
wait_for "the participant online" 30 sh -c "curl -fs '$hub/rooms/$code/participants' | grep -q '\"status\":\"online\"'"

# The stranger's project: the BOM and the provider, nothing else of ours.
app="$work/consumer"
mkdir -p "$app/src/main/java/demo"
cat >"$app/pom.xml" <<EOF
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>demo</groupId>
  <artifactId>consumer</artifactId>
  <version>1</version>
  <properties>
    <maven.compiler.release>17</maven.compiler.release>
    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
  </properties>
  <repositories>
    <repository>
      <id>staged</id>
      <url>file://$stage</url>
    </repository>
  </repositories>
  <dependencyManagement>
    <dependencies>
      <dependency>
        <groupId>io.github.gambiarra</groupId>
        <artifactId>gambiarra-bom</artifactId>
        <version>$version</version>
        <type>pom</type>
        <scope>import</scope>
      </dependency>
    </dependencies>
  </dependencyManagement>
  <dependencies>
    <dependency>
      <groupId>io.github.gambiarra</groupId>
      <artifactId>gambiarra-langchain4j</artifactId>
    </dependency>
  </dependencies>
  <build>
    <plugins>
      <plugin>
        <artifactId>maven-compiler-plugin</artifactId>
        <version>3.13.0</version>
      </plugin>
    </plugins>
  </build>
</project>
EOF
cat >"$app/src/main/java/demo/Main.java" <<'EOF'
package demo;

import io.github.gambiarra.langchain4j.Gambiarra;

public class Main {
    public static void main(String[] args) {
        Gambiarra room = Gambiarra.builder().roomCode(args[0]).hubUrl(args[1]).build();
        System.out.println(room.any().chat("Hello from a staged release"));
    }
}
EOF
# Only the staging directory and Maven Central: an empty local repository, and settings of our own
# (no mirror, no other repository a developer's settings.xml might add).
printf '<settings><localRepository>%s</localRepository></settings>\n' "$work/empty-m2" >"$work/settings.xml"
(cd "$app" && mvn -B -s "$work/settings.xml" -q package dependency:build-classpath -Dmdep.outputFile=cp.txt) \
  >"$work/consumer-build.log" 2>&1 || fail "the consumer project did not build from the staging directory and Central"
grep -q "gambiarra-langchain4j/$version/" "$app/cp.txt" || fail "the consumer's classpath has no staged gambiarra-langchain4j"
if find "$work/empty-m2/io/github/gambiarra" -name '*.jar' | grep -q SNAPSHOT; then
  fail "the consumer resolved a SNAPSHOT"
fi
answer=$(java -cp "$app/target/classes:$(cat "$app/cp.txt")" demo.Main "$code" "$hub" 2>"$work/consumer-run.log") \
  || fail "the consumer did not answer"
grep -q "Hello from a staged release" <<<"$answer" || fail "the consumer's answer is not the room's: $answer"
echo "$name: a new project on the BOM and gambiarra-langchain4j alone answered from the room: $answer"

# The CLI from its coordinates as jbang-catalog.json's alias names them, JBang resolving the staged
# release (its own caches, not ~/.m2). The alias itself is not looked up here: the jbang-cli jar on
# Maven Central, which examples/jbang/jbang runs, reads no aliases from a catalog file (it lists none
# even in one its own `alias add` wrote), so the check is that the catalog names this release and
# that the reference it gives runs.
ref=$(python3 -c 'import json; print(json.load(open("jbang-catalog.json"))["aliases"]["gambiarra"]["script-ref"])')
[ "$ref" = "io.github.gambiarra:gambiarra-cli:$version" ] || fail "jbang-catalog.json's alias names $ref, the release is $version"
export JBANG_DIR="$work/jbang" JBANG_REPO="$work/jbang-m2"
out=$(examples/jbang/jbang --repos "staged=file://$stage" --repos mavencentral "$ref" --version 2>&1) \
  || fail "jbang $ref failed: $out"
grep -q "gambiarra $version" <<<"$out" || fail "jbang $ref did not run the staged CLI: $out"
echo "$name: jbang $ref (jbang-catalog.json's alias) runs the staged CLI: $(grep -m1 "gambiarra $version" <<<"$out")"
echo "$name: passed"
