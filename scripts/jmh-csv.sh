# Sourced by the bench-*.sh scripts (POSIX sh).
# jmh_field CSV BENCHMARK_SUFFIX PARAMS COLUMN: prints COLUMN of the JMH CSV row whose benchmark name ends with
# BENCHMARK_SUFFIX (JMH writes CRLF lines) and whose parameters match PARAMS ("name=value" pairs separated by spaces), e.g.
#   jmh_field out.csv 'matvec:gbytes' 'shape=4096x4096 dtype=BF16' Score
jmh_field() {
  awk -F, -v bench="$2" -v params="$3" -v column="$4" '
    function unquote(s) { sub(/\r$/, "", s); sub(/^"/, "", s); sub(/"$/, "", s); return s }
    NR == 1 { for (i = 1; i <= NF; i++) col[unquote($i)] = i; next }
    {
      name = unquote($1)
      if (substr(name, length(name) - length(bench) + 1) != bench) next
      n = split(params, want, " ")
      for (j = 1; j <= n; j++) {
        split(want[j], kv, "=")
        if (unquote($(col["Param: " kv[1]])) != kv[2]) next
      }
      print unquote($(col[column]))
      exit
    }' "$1"
}
