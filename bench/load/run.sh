#!/usr/bin/env bash
# run.sh: load-test the example servers with wrk on loopback (issue 8).
#
#   bench/load/run.sh [-d DURATION] [-c CONNECTIONS] [-r ROUNDS] [-s "STORES"] [-k] [FRAMEWORK...]
#
# For each framework (default: nethttp gin echo echov5 fiber fiberv3) it builds examples/<framework> once, then
# for each store (default: "memory sqlite") starts the server on a free loopback port with a
# fixed signing key and rotation + blacklist-after-rotation on, logs the demo user in with curl
# and measures, each for DURATION:
#
#   health       GET /api/health, public
#   health+auth  GET /api/health carrying the same Authorization header as me: the public
#                route with the protected route's request, so that me compared with it is the
#                cost of authenticating alone, without the cost of reading a longer request
#   me           GET /api/me with Authorization: Bearer <access>, protected
#   refresh      POST /api/token/refresh/ with rotation: one connection per wrk thread, each
#                presenting the refresh token of that connection's previous answer (refresh.lua)
#
# and prints a table per framework: for each route req/s, p50 and p99 latency, the server's CPU
# time per request, and req/s as a share of health's. The issue's acceptance is me at 90 % of
# health or more; "of h+auth" is me's share of health+auth.
#
# -d DURATION     wrk's -d for each measurement (default 10s, env LOAD_DURATION)
# -c CONNECTIONS  connections for health and me (default 8, env LOAD_CONNECTIONS); refresh
#                 always uses one per thread
# -r ROUNDS       run health, health+auth and me ROUNDS times, in turn, and report medians
#                 (default 1, env LOAD_ROUNDS): on a busy machine the ratios are steadier
# -s STORES       JWTKIT_STORE values, space separated (default "memory sqlite", env LOAD_STORES);
#                 redis, postgres and mysql use the servers' default DSNs and key prefixes
# -k              keep the work directory (wrk outputs, server logs) and print its path
#
# wrk runs with 2 threads: the machine has 2 cores, shared with the server under test, so more
# threads would only take CPU time from the server. 8 connections (4 per thread) keep both
# server cores busy on loopback while leaving queueing out of the p99 as far as possible; more
# connections add latency without adding throughput here. wrk's request timeout is raised from
# 2 s to 10 s: on a machine where other work starves the server of CPU for a moment, a slow
# answer is slow, not a failure; any timeout still fails the run.
#
# It exits non-zero when a server does not start, a request answers an error, or the refresh
# chain breaks; a ratio under 90 % is marked in the table (and fails the run with
# LOAD_STRICT=1), since it measures the build under test rather than a failure of the run.
set -Eeuo pipefail
trap 'echo "run.sh: line $LINENO failed: $BASH_COMMAND" >&2' ERR

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)

duration=${LOAD_DURATION:-10s}
connections=${LOAD_CONNECTIONS:-8}
rounds=${LOAD_ROUNDS:-1}
stores=${LOAD_STORES:-memory sqlite}
keep=false
threads=2
# A fixed HS256 key, so a run is reproducible; the servers accept it as they would any key of
# 32 bytes or more that is not a well-known example secret.
signing_key='jwtkit-load-test-key:7f3c9a1e52b84d06b1e9c4f2a8d3075e'

usage() { sed -n '2,/^set -E/{/^set -E/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"; }
die() {
	echo "run.sh: $*" >&2
	exit 1
}

while getopts "d:c:r:s:kh" opt; do
	case $opt in
	d) duration=$OPTARG ;;
	c) connections=$OPTARG ;;
	r) rounds=$OPTARG ;;
	s) stores=$OPTARG ;;
	k) keep=true ;;
	h)
		usage
		exit 0
		;;
	*)
		usage >&2
		exit 2
		;;
	esac
done
shift $((OPTIND - 1))
frameworks=("$@")
[[ ${#frameworks[@]} -gt 0 ]] || frameworks=(nethttp gin echo echov5 fiber fiberv3)
for fw in "${frameworks[@]}"; do
	[[ -f $root/examples/$fw/main.go ]] || die "no example server examples/$fw (want nethttp, gin, echo, echov5, fiber or fiberv3)"
done
[[ $rounds =~ ^[1-9][0-9]*$ ]] || die "-r wants a positive number, got '$rounds'"
[[ $connections =~ ^[1-9][0-9]*$ && $connections -ge $threads ]] ||
	die "-c wants a number of at least $threads (one connection per wrk thread), got '$connections'"
[[ -r /proc/self/stat ]] || die "this script reads the server's CPU time from /proc: Linux only"

# wrk comes from Debian's packages; install it when we can, say how when we cannot.
if ! command -v wrk >/dev/null; then
	if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
		echo "run.sh: installing wrk (apt-get install -y wrk)" >&2
		apt-get install -y wrk >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; } ||
			die "could not install wrk"
	else
		die "wrk is missing: sudo apt-get install wrk"
	fi
fi
for tool in curl go; do command -v $tool >/dev/null || die "$tool is missing"; done

work=$(mktemp -d "${TMPDIR:-/tmp}/jwtkit-load.XXXXXX")
server_pid=""

stop_server() {
	if [[ -n $server_pid ]]; then
		kill -TERM "$server_pid" 2>/dev/null || true
		# The servers shut down gracefully within ShutdownTimeout (10 s); kill what outlives it.
		for _ in $(seq 150); do
			kill -0 "$server_pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$server_pid" 2>/dev/null || true
		wait "$server_pid" 2>/dev/null || true
		server_pid=""
	fi
}
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
	stop_server
	if $keep; then
		echo "run.sh: outputs kept in $work" >&2
	else
		rm -rf "$work"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# start_server FRAMEWORK STORE: runs the server in the background on a free port (it listens on
# port 0 and names the port in its ready line) and sets server_pid and base. It fails the run
# when the server exits or says nothing within 30 s.
start_server() {
	local fw=$1 store=$2 log="$work/$1-$2.server.log" dsn=""
	[[ $store == sqlite ]] && dsn="$work/$fw.sqlite3" # a fresh file, never the shared default one
	: >"$log" # before the server starts: the loop below may read it before the child opens it
	JWTKIT_ADDR=127.0.0.1:0 JWTKIT_SIGNING_KEY=$signing_key JWTKIT_STORE=$store JWTKIT_STORE_DSN=$dsn \
		JWTKIT_ACCESS_TTL=1h JWTKIT_ROTATE_REFRESH=true JWTKIT_BLACKLIST_AFTER_ROTATION=true \
		"$work/bin/$fw" 2>"$log" >/dev/null &
	server_pid=$!
	local addr=""
	for _ in $(seq 300); do
		addr=$(sed -n 's/.*msg=ready .*addr=\([^ ]*\).*/\1/p' "$log" || true)
		[[ -n $addr ]] && break
		if ! kill -0 "$server_pid" 2>/dev/null; then
			wait "$server_pid" 2>/dev/null || true
			server_pid=""
			cat "$log" >&2
			die "$fw ($store) exited before it was ready; its stderr is above"
		fi
		sleep 0.1
	done
	if [[ -z $addr ]]; then
		cat "$log" >&2
		die "$fw ($store) printed no ready line within 30 s; its stderr is above"
	fi
	base="http://$addr/api"
}

# login: one fresh pair for the demo user; prints "ACCESS REFRESH".
login() {
	local body access refresh
	body=$(curl -sS --fail-with-body -X POST "$base/token/" -H 'Content-Type: application/json' \
		-d '{"username":"demo","password":"demo-password"}') || die "login failed: $body"
	access=$(sed -n 's/.*"access":"\([^"]*\)".*/\1/p' <<<"$body")
	refresh=$(sed -n 's/.*"refresh":"\([^"]*\)".*/\1/p' <<<"$body")
	[[ -n $access && -n $refresh ]] || die "login answered without tokens: $body"
	echo "$access $refresh"
}

# server_cpu_us: CPU time (user + system) the server has used so far, in microseconds.
clk_tck=$(getconf CLK_TCK)
server_cpu_us() {
	local stat f
	stat=$(<"/proc/$server_pid/stat")
	read -r -a f <<<"${stat##*) }" # the fields after "pid (comm) "; utime and stime are the 12th and 13th
	echo $(((f[11] + f[12]) * 1000000 / clk_tck))
}

# measure ROUTE OUT WRK-ARGS...: runs wrk with report.lua or refresh.lua and appends the
# RESULT line's rps, p50_us, p99_us and the server's CPU microseconds per request to the
# arrays rps_ROUTE, p50_ROUTE, p99_ROUTE, cpu_ROUTE (ROUTE without "+"). Any error answer
# fails the run.
measure() {
	local route=${1//+/_} out=$2 cpu0 cpu line kv
	shift 2
	cpu0=$(server_cpu_us)
	wrk -t$threads --latency --timeout 10s -d "$duration" "$@" >"$out" 2>&1 || {
		cat "$out" >&2
		die "wrk failed ($route)"
	}
	cpu=$(($(server_cpu_us) - cpu0))
	line=$(grep '^RESULT ' "$out") || {
		cat "$out" >&2
		die "wrk printed no RESULT line ($route)"
	}
	local -A r=()
	for kv in ${line#RESULT }; do r[${kv%%=*}]=${kv#*=}; done
	if ((r[status_errors] + r[socket_errors] + r[failed] > 0)); then
		cat "$out" >&2
		die "$route: ${r[status_errors]} error answers, ${r[socket_errors]} socket errors, ${r[failed]} failed refreshes"
	fi
	# shellcheck disable=SC2178 # namerefs to the arrays the caller declared
	local -n rps=rps_$route p50=p50_$route p99=p99_$route cpus=cpu_$route
	rps+=("${r[rps]}") p50+=("${r[p50_us]}") p99+=("${r[p99_us]}")
	cpus+=("$(awk -v c="$cpu" -v n="${r[requests]}" 'BEGIN { printf "%.2f", c / n }')")
}

# median of the numbers given (the lower middle one for an even count).
median() { printf '%s\n' "$@" | sort -g | sed -n "$((($# + 1) / 2))p"; }
calc() { awk "BEGIN { printf \"%.${2:-1}f\", $1 }"; }

# row STORE ROUTE [OF-HEALTH [OF-HEALTH+AUTH [MARK]]]: one line of the table, of medians.
row() {
	local route=${2//+/_}
	# shellcheck disable=SC2178 # namerefs to the arrays measure filled
	local -n rps=rps_$route p50=p50_$route p99=p99_$route cpus=cpu_$route
	printf '%-7s %-12s %9.0f %8sms %8sms %8s %9s %9s%s\n' "$1" "$2" "$(median "${rps[@]}")" \
		"$(calc "$(median "${p50[@]}") / 1000" 2)" "$(calc "$(median "${p99[@]}") / 1000" 2)" \
		"$(median "${cpus[@]}")" "${3:-}" "${4:-}" "${5:-}" | sed 's/ *$//'
}

wrk_version=$(wrk -v 2>&1 || true) # wrk -v exits 1
wrk_version=${wrk_version#wrk }
echo "wrk ${wrk_version%% *}: -t$threads, -c$connections (refresh: -c$threads), -d$duration per measurement," \
	"$rounds round(s); $(nproc) CPUs; $(go version | cut -d' ' -f3)"
echo "cpu: the server's CPU time per request in µs; of health: req/s as a share of health's (medians)."
echo "Every answer counted was a 200 and every refresh presented the newest token: the run stops otherwise."
mkdir -p "$work/bin"
for fw in "${frameworks[@]}"; do
	(cd "$root" && go build -o "$work/bin/$fw" "./examples/$fw") || die "go build ./examples/$fw failed"
done

status=0
for fw in "${frameworks[@]}"; do
	echo
	echo "== $fw"
	printf '%-7s %-12s %9s %10s %10s %8s %9s %9s\n' store route req/s p50 p99 cpu "of health" "of h+auth"
	for store in $stores; do
		start_server "$fw" "$store"
		pair=$(login)
		access=${pair%% *}
		refresh_tokens=()
		for _ in $(seq $threads); do
			pair=$(login)
			refresh_tokens+=("${pair#* }")
		done
		auth="Authorization: Bearer $access"
		# Warm up (connections, the allocator, the store's caches) before anything is counted.
		wrk -t$threads -c"$connections" -d2s -H "$auth" "$base/me" >/dev/null

		for route in health health_auth me refresh; do
			declare -a "rps_$route=()" "p50_$route=()" "p99_$route=()" "cpu_$route=()"
		done
		# The three take turns, so that the ratios compare runs made close together.
		ratio_me=() ratio_me_auth=() ratio_auth=()
		for i in $(seq "$rounds"); do
			measure health "$work/$fw-$store-health-$i.txt" -c"$connections" -s "$here/report.lua" "$base/health"
			measure health+auth "$work/$fw-$store-health+auth-$i.txt" -c"$connections" -s "$here/report.lua" \
				-H "$auth" "$base/health"
			measure me "$work/$fw-$store-me-$i.txt" -c"$connections" -s "$here/report.lua" -H "$auth" "$base/me"
			ratio_auth+=("$(calc "100 * ${rps_health_auth[-1]} / ${rps_health[-1]}")")
			ratio_me+=("$(calc "100 * ${rps_me[-1]} / ${rps_health[-1]}")")
			ratio_me_auth+=("$(calc "100 * ${rps_me[-1]} / ${rps_health_auth[-1]}")")
		done
		measure refresh "$work/$fw-$store-refresh.txt" -c$threads -s "$here/refresh.lua" \
			"$base/token/refresh/" -- "${refresh_tokens[@]}"
		# The access token must still be good: a run that silently measured 401s would be worthless.
		code=$(curl -s -o /dev/null -w '%{http_code}' -H "$auth" "$base/me")
		[[ $code == 200 ]] || die "$fw ($store): GET /api/me answers $code after the run"
		stop_server

		me=$(median "${ratio_me[@]}")
		mark=""
		if awk -v x="$me" 'BEGIN { exit !(x < 90) }'; then
			mark="  under 90 %"
			[[ ${LOAD_STRICT:-0} == 1 ]] && status=3
		fi
		row "$store" health
		row "$store" health+auth "$(median "${ratio_auth[@]}")%"
		row "$store" me "$me%" "$(median "${ratio_me_auth[@]}")%" "$mark"
		row "$store" refresh
	done
done
exit $status
