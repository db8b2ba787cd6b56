#!/bin/sh
# Measures how fast jixiaod rebuilds a store from its log (issue 16).
# usage: tests/bench/rebuild-rate.sh DATA_DIR [JIXIAOD]
# DATA_DIR is a stopped store's data directory, e.g. the one `jx-bench --keep` leaves
# (its data/ folder). It is copied to a temporary directory; there the LMDB files are
# removed, so jixiaod starts from the log alone and rebuilds the store, then stops.
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
echo "log: $(du -sb "$tmp/data/wal" | cut -f1) bytes in $(ls "$tmp/data/wal" | wc -l) file(s)"
"$jixiaod" --data "$tmp/data" --listen "ipc://$tmp/s" >"$tmp/out" 2>"$tmp/err" &
pid=$!
i=0
until grep -q "ready on" "$tmp/out" 2>/dev/null; do
	i=$((i + 1))
	[ $i -lt 6000 ] || { echo "$0: jixiaod did not start" >&2; cat "$tmp/err" >&2; exit 1; }
	kill -0 "$pid" 2>/dev/null || { cat "$tmp/err" >&2; exit 1; }
	sleep 0.1
done
kill "$pid"
wait "$pid" || true
pid=
grep "rebuil" "$tmp/err" | sed 's/^[^ ]* [^ ]* [a-z]*: //'
echo "store after the rebuild: $(du -sb "$tmp/data/data.mdb" | cut -f1) bytes"
