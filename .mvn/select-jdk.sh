# Sourced (POSIX sh) by ./mvnw, ./crs4j, .ci/run and scripts/*: makes JAVA_HOME point at a JDK 25 or newer.
# Why: crs4j compiles with --release 25 (Vector API, FFM), while many machines default to an older `java`.
# Order: $JAVA_HOME if it is already 25+, then $CRS4J_JAVA_HOME, then the usual install locations.
crs4j_java_major() {
  "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p'
}
crs4j_select_jdk() {
  for candidate in "${JAVA_HOME-}" "${CRS4J_JAVA_HOME-}" \
      /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/temurin-25-jdk-arm64 /usr/lib/jvm/java-25-openjdk-amd64 \
      /usr/lib/jvm/java-25-openjdk /usr/lib/jvm/temurin-25-jdk /opt/java/openjdk \
      "${HOME-}/.sdkman/candidates/java/current" /Library/Java/JavaVirtualMachines/temurin-25.jdk/Contents/Home; do
    [ -n "$candidate" ] && [ -x "$candidate/bin/java" ] || continue
    major=$(crs4j_java_major "$candidate")
    if [ -n "$major" ] && [ "$major" -ge 25 ]; then
      JAVA_HOME="$candidate"; export JAVA_HOME
      return 0
    fi
  done
  echo "crs4j needs JDK 25 or newer: set JAVA_HOME (or CRS4J_JAVA_HOME) to one; found none in the usual places." >&2
  return 1
}
crs4j_select_jdk || exit 1
