#!/bin/sh
# Measures how fast jixiaod rebuilds a store from its log folder (issue 16).
# usage: tests/bench/rebuild-rate.sh DATA_DIR [JIXIAOD]
# DATA_DIR is a stopped store's data directory, e.g. the one `jx-bench --keep` leaves
# (its data/ folder). Its wal/ folder is copied to a temporary directory, so jixiaod
# starts from it alone (the newest snapshot, when there is one, then the log after it)
# and rebuilds the store, then stops. COLD=1 (as root) drops the page cache first, so
# the log is read from the device.
set -eu
[ $# -ge 1 ] || { echo "usage: $0 DATA_DIR [JIXIAOD]" >&2; exit 64; }
data=$1
jixiaod=${2:-build/server/jixiaod}
[ -d "$data/wal" ] || { echo "$0: $data has no wal/ folder" >&2; exit 66; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/jx-rebuild.XXXXXX")
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT INT TERM
mkdir -m 700 "$tmp/data"
cp -a "$data/wal" "$tmp/data/wal"
sync
# COLD=1 (root): the log read from the device, not from the page cache.
if [ "${COLD:-0}" = 1 ]; then echo 1 >/proc/sys/vm/drop_caches; fi
echo "log folder: $(du -sb "$tmp/data/wal" | cut -f1) bytes in $(ls "$tmp/data/wal" | wc -l)" \
    "file(s), $(ls "$tmp/data/wal" | grep -c 'snapshot$' || true) snapshot(s)"
start=$(date +%s%N)
"$jixiaod" --data "$tmp/data" --listen "ipc://$tmp/s" >"$tmp/out" 2>"$tmp/err" &
pid=$!
i=0
until grep -q "ready on" "$tmp/out" 2>/dev/null; do
	i=$((i + 1))
	[ $i -lt 6000 ] || { echo "$0: jixiaod did not start" >&2; cat "$tmp/err" >&2; exit 1; }
	kill -0 "$pid" 2>/dev/null || { cat "$tmp/err" >&2; exit 1; }
	sleep 0.1
done
ready=$(date +%s%N)
kill "$pid"
wait "$pid" || true
pid=
grep "rebuil\|snapshot" "$tmp/err" | sed 's/^[^ ]* [^ ]* [a-z]*: //'
echo "start to ready (the rebuild, the rebuilt store flushed, listeners up): about" \
    "$(( (ready - start) / 1000000 )) ms (polled every 100 ms)"
echo "store after the rebuild: $(du -sb "$tmp/data/data.mdb" | cut -f1) bytes"
