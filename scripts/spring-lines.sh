#!/usr/bin/env bash
# A Spring AI starter on the wrong Spring Boot line stops the application and names the right one
# (docs/spring.md): the Spring Boot 4 example built with the Boot 3 starter, and the Boot 3 example
# with the Boot 4 starter. Each copy sits beside the examples (their tests find the CLI's jar by a
# relative path) and is removed afterwards. Needs the project installed (mvn install).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
copies=()
cleanup_extra() { local c; for c in "${copies[@]}"; do rm -rf "$c"; done; }

# wrong_line EXAMPLE FROM TO EXPECTED: builds EXAMPLE with starter TO instead of FROM; its tests must
# fail, saying EXPECTED.
wrong_line() {
  local example=$1 from=$2 to=$3 expected=$4
  local copy="examples/.wrong-line-$example-$$"
  copies+=("$copy")
  cp -r "examples/$example" "$copy"
  rm -rf "$copy/target"
  sed -i "s/<artifactId>$from<\/artifactId>/<artifactId>$to<\/artifactId>/" "$copy/pom.xml"
  grep -q "<artifactId>$to</artifactId>" "$copy/pom.xml" || fail "$example names no $from to swap"
  if mvn -B -q -f "$copy/pom.xml" verify >"$work/$example.log" 2>&1; then
    fail "$example with $to started"
  fi
  grep -qF -- "$expected" "$work/$example.log" || fail "$example with $to did not say: $expected"
  echo "$name: $example with $to stops: $expected"
  rm -rf "$copy"
}

wrong_line spring-ai-boot4 gambiarra-spring-boot4-starter gambiarra-spring-boot-starter \
  ", and io.github.gambiarra:gambiarra-spring-boot-starter is for Spring Boot 3.5 with Spring AI 1.1: its ChatModel would not be made. Depend on io.github.gambiarra:gambiarra-spring-boot4-starter instead"
wrong_line spring-ai gambiarra-spring-boot-starter gambiarra-spring-boot4-starter \
  ", and io.github.gambiarra:gambiarra-spring-boot4-starter is for Spring Boot 4.0 with Spring AI 2.0. Depend on io.github.gambiarra:gambiarra-spring-boot-starter instead"
echo "$name: passed"
