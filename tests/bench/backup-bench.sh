#!/usr/bin/env bash
# Times jixiaod backup, check and restore on a store of 200 Template A workspaces
# (5 400 indicators) with 20 MiB of evidence, and jx edits with and without backups
# running beside them (BENCHMARKS.md). Usage: tests/bench/backup-bench.sh [BUILD]
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
jx=$build/client/jx
jixiaod=$build/server/jixiaod
dir=$(mktemp -d "${TMPDIR:-/tmp}/jxbackup.XXXXXX")
export XDG_CONFIG_HOME=$dir/cfg JX_SERVER=ipc://$dir/s.sock
cleanup() {
	[ -n "${pid:-}" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT
cd "$dir"
"$jx" keygen >/dev/null 2>&1
"$jixiaod" init --data data --admin-key cfg/jixiao/id_ed25519.pub >/dev/null
"$jixiaod" --data data -l "$JX_SERVER" >out 2>err &
pid=$!
until grep -q "ready on" out; do sleep 0.1; done
for i in $(seq 1 200); do
	"$jx" ws create --subject "项目$i" --year 2023 --kind key-evaluation --template A >/dev/null
done
for i in $(seq 1 20); do
	head -c 1048576 /dev/urandom >ev$i.bin
	"$jx" evidence add "$i" 1 ev$i.bin >/dev/null
done
echo "store: $(stat -c %s data/data.mdb) bytes"
for k in 1 2 3; do
	rm -f b.jxbak
	/usr/bin/time -f "backup  %e s (live, idle), max RSS %M KiB" "$jixiaod" backup --data data b.jxbak >/dev/null
done
echo "backup file: $(stat -c %s b.jxbak) bytes"
for k in 1 2 3; do
	/usr/bin/time -f "check   %e s" "$jixiaod" check --data data >/dev/null
done
for k in 1 2 3; do
	rm -rf r
	/usr/bin/time -f "restore %e s" "$jixiaod" restore b.jxbak --data r >/dev/null
done
edits() {
	local t0 t1
	t0=$(date +%s%N)
	for i in $(seq 1 40); do
		"$jx" node set $((i % 200 + 1)) 1.1.2 --score "$1" --comment "基准 $1" >/dev/null
	done
	t1=$(date +%s%N)
	echo $(((t1 - t0) / 40000000))
}
echo "jx node set, idle:            $(edits 2) ms each"
(for k in 1 2 3 4 5 6; do rm -f bb.jxbak; "$jixiaod" backup --data data bb.jxbak >/dev/null; done) &
echo "jx node set, during backups:  $(edits 1) ms each"
wait %2 2>/dev/null || true
