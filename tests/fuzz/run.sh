#!/bin/sh
# Runs each fuzz harness of a build made with -DJX_FUZZ=ON for SECONDS seconds, one at a
# time, and prints per harness: executions, executions per second, coverage (cov, ft) and
# new inputs. The working corpus is kept in BUILD/fuzz-corpus/NAME, so longer runs build
# on earlier ones; a crash leaves its input in BUILD/fuzz-artifacts/ and fails the run.
#   tests/fuzz/run.sh BUILD SECONDS [NAME...]
set -eu

build=$1
seconds=$2
shift 2
list="$build/fuzz-harnesses.txt"
[ -f "$list" ] || { echo "fuzz: $list is missing: build with -DJX_FUZZ=ON first" >&2; exit 2; }
mkdir -p "$build/fuzz-corpus" "$build/fuzz-artifacts"
summary="$build/fuzz-summary.txt"
: >"$summary"
failed=0
total=0

while read -r name bin dirs; do
	if [ $# -gt 0 ]; then
		case " $* " in *" $name "*) ;; *) continue ;; esac
	fi
	corpus="$build/fuzz-corpus/$name"
	mkdir -p "$corpus"
	seeds=""
	for d in $dirs; do
		[ -d "$d" ] && seeds="$seeds $d"
	done
	log="$build/fuzz-artifacts/$name.log"
	# $seeds is a list of directories on purpose.
	# shellcheck disable=SC2086
	if "$bin" -max_total_time="$seconds" -timeout=25 -rss_limit_mb=2048 -print_final_stats=1 \
	    -artifact_prefix="$build/fuzz-artifacts/$name-" "$corpus" $seeds >"$log" 2>&1; then
		status=ok
	else
		status="CRASH (see $log)"
		failed=1
	fi
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
	cov=$(grep -o 'cov: [0-9]* ft: [0-9]*' "$log" | tail -n 1 || true)
	units=$(find "$corpus" -type f | wc -l)
	line="$name: ${execs:-0} execs, ${rate:-0}/s, ${cov:-no coverage line}, corpus $units: $status"
	echo "fuzz: $line"
	echo "$line" >>"$summary"
	total=$((total + ${execs:-0}))
	if [ "$status" != ok ]; then
		grep -m 5 -E 'ERROR|SUMMARY|runtime error|Test unit written' "$log" >&2 || true
	fi
done <"$list"

echo "fuzz: $total executions in total"
echo "total: $total" >>"$summary"
exit $failed
