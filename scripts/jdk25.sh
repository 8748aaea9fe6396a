# Sourced by ./onecard and .ci/run: points JAVA_HOME at a JDK 25 or newer.
# Uses JAVA_HOME when it is 25+, else `java` on the PATH when that is 25+, else the newest
# 25+ JDK under /usr/lib/jvm. Fails with a one-line reason when there is none.

onecard_java_feature() { # prints the feature release of the java binary $1, e.g. 25
  "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -n 1
}

onecard_select_jdk25() {
  local candidate feature
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then
    feature=$(onecard_java_feature "$JAVA_HOME/bin/java")
    if [ "${feature:-0}" -ge 25 ]; then return 0; fi
  fi
  if command -v java >/dev/null 2>&1; then
    candidate=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
    feature=$(onecard_java_feature "$candidate/bin/java")
    if [ "${feature:-0}" -ge 25 ]; then export JAVA_HOME="$candidate"; return 0; fi
  fi
  for candidate in $(ls -d /usr/lib/jvm/*/ 2>/dev/null | sort -rV); do
    candidate=${candidate%/}
    [ -x "$candidate/bin/java" ] || continue
    feature=$(onecard_java_feature "$candidate/bin/java")
    if [ "${feature:-0}" -ge 25 ]; then export JAVA_HOME="$candidate"; return 0; fi
  done
  echo "onecard: no JDK 25 or newer found; install one and set JAVA_HOME" >&2
  return 1
}
