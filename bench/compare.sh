#!/bin/sh
# Runs the bench module's benchmarks COUNT times and prints one benchstat table per
# comparison: validation, each framework's middleware against its peers, the stores side by
# side, and the memory store's bytes per revoked jti. `make bench-compare` runs it.
#
# Environment (all optional):
#   COUNT      runs of each benchmark (default 6, the fewest benchstat gives intervals for)
#   BENCHTIME  go test -benchtime (default 1s)
#   BENCH      go test -bench pattern (default ".": everything)
#   OUT        file that keeps the raw results (default $TMPDIR/jwtkit-bench.txt)
#   GO, BENCHSTAT  the go and benchstat commands
#
# The raw file can be compared with a later run: benchstat old.txt new.txt.
set -eu
cd "$(dirname "$0")"

GO=${GO:-go}
COUNT=${COUNT:-6}
BENCHTIME=${BENCHTIME:-1s}
BENCH=${BENCH:-.}
OUT=${OUT:-${TMPDIR:-/tmp}/jwtkit-bench.txt}
BENCHSTAT=${BENCHSTAT:-$("$GO" env GOPATH)/bin/benchstat}
if ! command -v "$BENCHSTAT" >/dev/null 2>&1; then
	echo "benchstat not found at $BENCHSTAT; install it with:" >&2
	echo "  $GO install golang.org/x/perf/cmd/benchstat@latest" >&2
	exit 1
fi

# The test binary is built once and run COUNT times over the whole set, rather than with
# -count (which repeats each benchmark back to back): a slow minute on the machine then
# lands on every library alike instead of on the one that happened to be running.
BIN=$(mktemp "${TMPDIR:-/tmp}/jwtkit-bench.XXXXXX")
trap 'rm -f "$BIN"' EXIT
"$GO" test -c -o "$BIN" .
: >"$OUT"
for i in $(seq "$COUNT"); do
	echo "== run $i of $COUNT" >&2
	"$BIN" -test.run '^$' -test.bench "$BENCH" -test.benchmem -test.benchtime "$BENCHTIME" \
		-test.timeout 1h | tee -a "$OUT"
done

table() {
	title=$1
	shift
	if "$BENCHSTAT" "$@" "$OUT" 2>/dev/null | grep -q '│'; then
		printf '\n## %s\n\n' "$title"
		"$BENCHSTAT" "$@" "$OUT"
	fi
}

table "Validation: golang-jwt typed parse (baseline), jwtkit cold and hot, the floor" \
	-filter '.name:Validate' -col /lib
for fw in nethttp nethttp-iss-aud gin echo echov5 fiber fiberv3; do
	table "Middleware on $fw: jwtkit (baseline) and its peers" \
		-filter ".name:Middleware /framework:$fw" -col /lib
done
table "Stores in parallel (ops/s is throughput)" -filter '.name:Stores' -col /store -row /op
table "Memory store at 1M revoked jtis" -filter '.name:MemoryPerJTI'
printf '\nraw results: %s\n' "$OUT"
