#!/usr/bin/env bash
# The peers of jx-bench (BENCHMARKS.md): the same shape of durable-write load -- N
# clients, one request in flight each, a reply only once the write is on disk --
# against Redis (appendfsync always), PostgreSQL (fsync, synchronous_commit) and etcd,
# each started here on loopback or a unix socket in a temporary directory, and
# stopped and removed at the end.
#
#   sudo tests/bench/peers.sh                  # install what is missing (as root), run
#   tests/bench/peers.sh --no-install --seconds 3 --clients 1,16,128 --only redis,etcd
#
# Prints one line per result on standard output, for jx-bench and for people:
#   peer NAME CLIENTS WRITES_PER_S P50_US P99_US WHAT...
#   skip NAME: WHY
# and its progress on standard error.
set -euo pipefail

seconds=5
clients=1,16,128
install=yes
only=redis,postgres,postgres-upd,etcd

usage() {
	sed -n '2,17s/^# \{0,1\}//p' "$0"
	echo "options: --seconds N  --clients LIST  --only redis,postgres,postgres-upd,etcd  --no-install  -h|--help"
}

while [ $# -gt 0 ]; do
	case "$1" in
	--seconds) seconds=$2; shift 2 ;;
	--clients) clients=$2; shift 2 ;;
	--only) only=$2; shift 2 ;;
	--no-install) install=no; shift ;;
	--install) install=yes; shift ;;
	-h|--help) usage; exit 0 ;;
	*) echo "peers.sh: unknown option $1" >&2; usage >&2; exit 64 ;;
	esac
done
case "$seconds" in ''|*[!0-9]*) echo "peers.sh: --seconds takes a number" >&2; exit 64 ;; esac
IFS=, read -r -a levels <<<"$clients"
for c in "${levels[@]}"; do
	case "$c" in ''|*[!0-9]*|0) echo "peers.sh: bad --clients $clients" >&2; exit 64 ;; esac
done
maxc=1
for c in "${levels[@]}"; do [ "$c" -gt "$maxc" ] && maxc=$c; done

log() { echo "peers: $*" >&2; }
skip() { echo "skip $1: $2"; log "skipping $1: $2"; }
wanted() { case ",$only," in *",$1,"*) return 0 ;; esac; return 1; }
now_ns() { date +%s%N; }

# p50 and p99 (nearest rank) of the numbers on stdin, scaled by $1, as "P50 P99".
percentiles() {
	sort -g | awk -v s="$1" '{ v[NR] = $1 } END {
		if (NR == 0) { print "0 0"; exit }
		i = int((NR * 50 + 99) / 100); j = int((NR * 99 + 99) / 100)
		printf "%.0f %.0f\n", v[i] * s, v[j] * s }'
}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/jx-peers.XXXXXX")
chmod 0711 "$tmp"
redis_pid='' etcd_pid='' pg_data='' pg_bin=''
as_pg=()

cleanup() {
	set +e
	if [ -n "$redis_pid" ]; then kill "$redis_pid" 2>/dev/null; wait "$redis_pid" 2>/dev/null; fi
	if [ -n "$etcd_pid" ]; then kill "$etcd_pid" 2>/dev/null; wait "$etcd_pid" 2>/dev/null; fi
	if [ -n "$pg_data" ]; then
		"${as_pg[@]}" "$pg_bin/pg_ctl" -D "$pg_data" -m immediate -w stop >/dev/null 2>&1
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A port nobody listens on, on 127.0.0.1.
free_port() {
	local p
	while :; do
		p=$((20000 + RANDOM % 30000))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return
		fi
	done
}

# Waits up to 20 s for "$@" to succeed.
wait_for() {
	local _
	for _ in $(seq 200); do
		if "$@" >/dev/null 2>&1; then return 0; fi
		sleep 0.1
	done
	return 1
}

pg_find_bin() {
	local d
	for d in $(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V -r); do
		if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && [ -x "$d/pgbench" ]; then
			echo "$d"
			return
		fi
	done
}

# ---- install (Debian's packages; their own services are not started)

install_missing() {
	local missing=() made_policy=
	if wanted redis && ! { command -v redis-server && command -v redis-benchmark; } >/dev/null; then
		missing+=(redis-server redis-tools)
	fi
	if { wanted postgres || wanted postgres-upd; } && [ -z "$(pg_find_bin)" ]; then
		missing+=(postgresql postgresql-contrib)
	fi
	if wanted etcd && ! command -v etcd >/dev/null; then
		missing+=(etcd-server etcd-client)
	fi
	if wanted etcd && ! command -v curl >/dev/null; then
		missing+=(curl)
	fi
	[ ${#missing[@]} -eq 0 ] && return 0
	if [ "$(id -u)" -ne 0 ]; then
		log "not root: cannot install ${missing[*]} (run with sudo)"
		return 0
	fi
	log "installing ${missing[*]}"
	# Keep the packages' own redis/etcd/postgresql services from starting: this script
	# runs private instances on loopback and stops them.
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
		chmod 0755 /usr/sbin/policy-rc.d
		made_policy=1
	fi
	if ! DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
	    "${missing[@]}" >"$tmp/apt.log" 2>&1; then
		DEBIAN_FRONTEND=noninteractive apt-get update >>"$tmp/apt.log" 2>&1 || true
		if ! DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
		    "${missing[@]}" >>"$tmp/apt.log" 2>&1; then
			log "apt-get install ${missing[*]} failed:"
			tail -5 "$tmp/apt.log" >&2
		fi
	fi
	if [ -n "$made_policy" ]; then rm -f /usr/sbin/policy-rc.d; fi
	return 0
}

# ---- Redis: SET with appendonly yes, appendfsync always (fsync before the reply)

redis_bench() { # clients requests -> the csv line of SET
	redis-benchmark -h 127.0.0.1 -p "$redis_port" -t set -c "$1" -n "$2" -d 64 -r 100000 \
	    --csv 2>/dev/null | grep '^"SET"' | tail -1
}

run_redis() {
	if ! command -v redis-server >/dev/null || ! command -v redis-benchmark >/dev/null; then
		skip redis "redis-server and redis-benchmark are not installed (apt-get install redis-server redis-tools, or --peers)"
		return
	fi
	redis_port=$(free_port)
	mkdir "$tmp/redis"
	redis-server --bind 127.0.0.1 --port "$redis_port" --protected-mode yes \
	    --dir "$tmp/redis" --appendonly yes --appendfsync always --save '' \
	    --daemonize no --logfile "$tmp/redis/redis.log" &
	redis_pid=$!
	if ! wait_for redis-cli -h 127.0.0.1 -p "$redis_port" ping; then
		skip redis "redis-server did not start"
		return
	fi
	log "redis $(redis-server --version | awk '{sub("v=", "", $3); print $3}') on 127.0.0.1:$redis_port, appendfsync always"
	local c n t0 t1 line rps p50 p99
	for c in "${levels[@]}"; do
		# redis-benchmark counts requests, not time: a short probe sizes the run.
		n=$((c * 50 > 2000 ? c * 50 : 2000))
		t0=$(now_ns); redis_bench "$c" "$n" >/dev/null; t1=$(now_ns)
		n=$(awk -v n="$n" -v d=$((t1 - t0)) -v s="$seconds" 'BEGIN { printf "%d", n * s * 1e9 / d }')
		[ "$n" -lt $((c * 20)) ] && n=$((c * 20))
		line=$(redis_bench "$c" "$n")
		# "SET",rps,avg,min,p50,p95,p99,max (milliseconds)
		rps=$(echo "$line" | awk -F'","' '{ print $2 }')
		p50=$(echo "$line" | awk -F'","' '{ printf "%.0f", $5 * 1000 }')
		p99=$(echo "$line" | awk -F'","' '{ printf "%.0f", $7 * 1000 }')
		echo "peer redis $c $rps $p50 $p99 SET 64 B, appendfsync always (redis-benchmark)"
		log "redis at $c: $rps writes/s"
	done
	kill "$redis_pid"; wait "$redis_pid" 2>/dev/null || true
	redis_pid=''
}

# ---- PostgreSQL: pgbench on a private cluster, unix socket only

run_postgres() {
	local c j out tps lat script name what
	pg_bin=$(pg_find_bin)
	if [ -z "$pg_bin" ]; then
		skip postgres "PostgreSQL (initdb, pg_ctl, pgbench) is not installed (apt-get install postgresql, or --peers)"
		return
	fi
	mkdir "$tmp/pg"
	if [ "$(id -u)" -eq 0 ]; then
		# The server refuses to run as root.
		if ! id postgres >/dev/null 2>&1; then
			skip postgres "running as root and there is no postgres user to run the server as"
			return
		fi
		chown postgres "$tmp/pg"
		as_pg=(runuser -u postgres --)
	fi
	pg_port=$(free_port)
	"${as_pg[@]}" "$pg_bin/initdb" -D "$tmp/pg/data" -U bench --auth=trust -E UTF8 \
	    --no-locale >"$tmp/pg-initdb.log" 2>&1 || { skip postgres "initdb failed"; return; }
	pg_data=$tmp/pg/data
	if ! "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$pg_data" -l "$tmp/pg/server.log" -w -t 60 \
	    -o "-c listen_addresses='' -k $tmp/pg -p $pg_port -c fsync=on -c synchronous_commit=on -c full_page_writes=on -c max_connections=$((maxc + 10))" \
	    start >/dev/null; then
		skip postgres "the server did not start"
		return
	fi
	log "postgresql $("$pg_bin/postgres" --version | awk '{print $3}') on $tmp/pg (unix socket only), fsync=on, synchronous_commit=on"
	"$pg_bin/pgbench" -i -q -s 10 -h "$tmp/pg" -p "$pg_port" -U bench postgres \
	    >"$tmp/pg-init.log" 2>&1 || { skip postgres "pgbench -i failed"; return; }
	# One UPDATE, autocommit: one round trip and one durable commit, like one jixiao edit.
	printf '%s\n' '\set aid random(1, 100000 * :scale)' \
	    'UPDATE pgbench_accounts SET abalance = abalance + 1 WHERE aid = :aid;' \
	    >"$tmp/update.sql"
	for name in postgres postgres-upd; do
		wanted "$name" || continue
		if [ "$name" = postgres ]; then
			script=(-N)
			what="pgbench -N: 5 statements (round trips), 1 commit"
		else
			script=(-f "$tmp/update.sql")
			what="pgbench, one UPDATE: 1 round trip, 1 commit"
		fi
		for c in "${levels[@]}"; do
			j=$((c < 2 ? 1 : 2))
			rm -f "$tmp"/pgl.*
			out=$("$pg_bin/pgbench" "${script[@]}" -c "$c" -j "$j" -T "$seconds" -n \
			    -h "$tmp/pg" -p "$pg_port" -U bench -l --log-prefix="$tmp/pgl" postgres 2>&1) || {
				skip "$name" "pgbench failed at $c clients: $(echo "$out" | tail -1)"
				continue
			}
			tps=$(echo "$out" | awk '/^tps = / { print $3; exit }')
			# Per-transaction log: client, transaction, latency in µs, ...
			lat=$(cat "$tmp"/pgl.* | awk '{ print $3 }' | percentiles 1)
			echo "peer $name $c $tps $lat $what"
			log "$name at $c: $tps commits/s"
		done
	done
	"${as_pg[@]}" "$pg_bin/pg_ctl" -D "$pg_data" -m fast -w stop >/dev/null 2>&1 || true
	pg_data=''
}

# ---- etcd: single member on loopback, puts through its JSON gateway with curl

etcd_puts() { # clients requests -> one time_total (seconds) per line
	curl -s --no-progress-meter --parallel --parallel-immediate --parallel-max "$1" \
	    -H 'Content-Type: application/json' \
	    -d '{"key":"YmVuY2g=","value":"MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWYwMTIzNDU2Nzg5YWJjZGVmMDEyMzQ1Njc4OWFiY2RlZg=="}' \
	    -w '\n%{http_code} %{time_total}\n' "http://127.0.0.1:$etcd_port/v3/kv/put?n=[1-$2]" 2>/dev/null |
	    awk '$1 == 200 && NF == 2 { print $2 }'
}

run_etcd() {
	local c n t0 t1 ok rate lat
	if ! command -v etcd >/dev/null || ! command -v curl >/dev/null; then
		skip etcd "etcd (etcd-server) or curl is not installed (apt-get install etcd-server, or --peers)"
		return
	fi
	etcd_port=$(free_port)
	local peer_port
	peer_port=$(free_port)
	etcd --name bench --data-dir "$tmp/etcd" \
	    --listen-client-urls "http://127.0.0.1:$etcd_port" \
	    --advertise-client-urls "http://127.0.0.1:$etcd_port" \
	    --listen-peer-urls "http://127.0.0.1:$peer_port" \
	    --initial-advertise-peer-urls "http://127.0.0.1:$peer_port" \
	    --initial-cluster "bench=http://127.0.0.1:$peer_port" \
	    --logger zap --log-level error >"$tmp/etcd.log" 2>&1 &
	etcd_pid=$!
	if ! wait_for curl -sf "http://127.0.0.1:$etcd_port/health"; then
		skip etcd "etcd did not start"
		return
	fi
	log "etcd $(etcd --version | awk '/etcd Version/ {print $3}') on 127.0.0.1:$etcd_port"
	for c in "${levels[@]}"; do
		n=$((c * 20 > 500 ? c * 20 : 500))
		t0=$(now_ns); etcd_puts "$c" "$n" >/dev/null; t1=$(now_ns)
		n=$(awk -v n="$n" -v d=$((t1 - t0)) -v s="$seconds" 'BEGIN { printf "%d", n * s * 1e9 / d }')
		[ "$n" -lt $((c * 20)) ] && n=$((c * 20))
		t0=$(now_ns)
		etcd_puts "$c" "$n" >"$tmp/etcd-lat"
		t1=$(now_ns)
		ok=$(wc -l <"$tmp/etcd-lat")
		rate=$(awk -v n="$ok" -v d=$((t1 - t0)) 'BEGIN { printf "%.1f", n * 1e9 / d }')
		lat=$(percentiles 1000000 <"$tmp/etcd-lat")
		echo "peer etcd $c $rate $lat put 64 B, v3 JSON gateway (curl --parallel)"
		log "etcd at $c: $rate writes/s ($ok of $n puts answered 200)"
	done
	kill "$etcd_pid"; wait "$etcd_pid" 2>/dev/null || true
	etcd_pid=''
}

if [ "$install" = yes ]; then install_missing; fi
if wanted redis; then run_redis; fi
if wanted postgres || wanted postgres-upd; then run_postgres; fi
if wanted etcd; then run_etcd; fi
