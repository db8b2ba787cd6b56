#!/usr/bin/env bash
# The main job, end to end: start jixiaod on a local data directory, enter seed 002's
# scoring sheet (Panyu 2023 "数字政府" O&M fund, Template A) through jx, print the
# sheet with its total, and stop the daemon cleanly.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-build}
case "$build" in /*) ;; *) build="$root/$build" ;; esac
jixiaod="$build/server/jixiaod"
jx_bin="$build/client/jx"
demo="$root/.jixiao-demo"
url="ipc://$demo/jixiaod.sock"

rm -rf "$demo"
mkdir -p "$demo"

# Each person's key lives in their own configuration directory, as on their own machine.
as() { local who=$1; shift; XDG_CONFIG_HOME="$demo/home/$who" "$jx_bin" --server "$url" "$@"; }

echo "== keys: the admin, an evaluator (评价人员) and a reviewer (复核人员) each make their own"
for who in admin li wang; do
	mkdir -p "$demo/home/$who"
	XDG_CONFIG_HOME="$demo/home/$who" "$jx_bin" keygen --name "$who"
done
"$jixiaod" init --data "$demo/data" --admin-key "$demo/home/admin/jixiao/id_ed25519.pub"

echo "== starting jixiaod (data in $demo/data)"
coproc JIXIAOD { exec "$jixiaod" --data "$demo/data" --listen "$url" 2>"$demo/jixiaod.log"; }
daemon_pid=$JIXIAOD_PID
stop_daemon() {
	if kill -0 "$daemon_pid" 2>/dev/null; then
		kill -TERM "$daemon_pid"
		wait "$daemon_pid" || { echo "jixiaod stopped badly; see $demo/jixiaod.log" >&2; exit 1; }
	fi
}
trap stop_daemon EXIT
# Wait for the readiness line, not for a guess of how long start-up takes.
if ! read -r -t 20 ready <&"${JIXIAOD[0]}"; then
	echo "jixiaod did not start; see $demo/jixiaod.log" >&2
	exit 1
fi
echo "$ready"

jx() { as li "$@"; }
node() { jx node add "$ws" "$@" >/dev/null; }

echo "== jx ping"
jx ping

echo "== the admin registers the team and creates the workspace"
as admin user add li "$demo/home/li/jixiao/id_ed25519.pub"
as admin user add wang "$demo/home/wang/jixiao/id_ed25519.pub"
ws=$(as admin --json ws create --subject "2023年“数字政府”建设专项资金（运维类）项目" --year 2023 \
	--kind key-evaluation --title "番禺区政务服务数据管理局 重点绩效评价" |
	sed -n 's/^  "id": \([0-9]*\),$/\1/p')
as admin member set "$ws" li evaluator >/dev/null
as admin member set "$ws" wang reviewer
jx ws show "$ws"

echo "== entering the indicator tree and the evaluators' scores"
node 项目安排 --weight 15
node 立项情况 --parent 1 --weight 7
node 立项依据适应性 --parent 1.1 --weight 4 --score 3.5 --comment "立项依据较充分，前期论证材料不完整"
node 前期工作充分性 --parent 1.1 --weight 3 --score 3
node 绩效目标 --parent 1 --weight 8
node 绩效目标合理性 --parent 1.2 --weight 4 --score 3 --comment "目标与预算匹配度一般"
node 绩效指标规范性 --parent 1.2 --weight 4 --score 2.5 --comment "三级指标未设置指标名称"
node 项目管理 --weight 27
node 财务管理 --parent 2 --weight 15
node 财务管理情况 --parent 2.1 --weight 7 --score 6 --comment "部分支出凭证附件不完整"
node 支出完成率 --parent 2.1 --weight 8 --method linear \
	--params "source=execution;lo=60%;hi=100%;veto=60%" \
	--criteria "支出完成率60%得0分，100%得满分，其间按比例得分；低于60%为否定性指标"
node 业务管理 --parent 2 --weight 12
node 项目执行情况 --parent 2.2 --weight 4 --score 4
node 项目绩效运行监控开展情况 --parent 2.2 --weight 3 --score 1 --comment "未见绩效运行监控材料"
node 项目过程质量控制情况 --parent 2.2 --weight 5 --score 4.5 --comment "验收资料归档不及时"
node 项目绩效 --weight 50
node 项目产出 --parent 3 --weight 25
node 租用网络线路正常运行率 --parent 3.1 --weight 4 --target "100%" --actual "100%" --score 4
node 运维项目完成数量 --parent 3.1 --weight 4 --target "5个" --actual "5个" --score 4
node 硬件设施维护及时率 --parent 3.1 --weight 4 --target "100%" --score 4
node 政府媒体监测频率 --parent 3.1 --weight 4 --score 4
node 设备采购验收合格率 --parent 3.1 --weight 4 --target "100%" --score 4
node 综合评价 --parent 3.1 --weight 5 --score 4 --comment "三级指标未设置指标名称"
node 项目效益 --parent 3 --weight 25
node 提高网络稳定性 --parent 3.2 --weight 4 --score 4 --comment "网络速度可能难以适应政务工作要求"
node 增强信息安全 --parent 3.2 --weight 4 --score 4 --comment "未见安全边界软件运行情况的佐证材料"
node 提升政府工作效率 --parent 3.2 --weight 5 --score 5
node 服务对象满意度 --parent 3.2 --weight 5 --score 5
node 综合评价 --parent 3.2 --weight 5 --score 5
node 可持续性 --weight 8
node 项目可持续性 --parent 4 --weight 3
node 项目可持续性 --parent 4.1 --weight 3 --score 3
node 自评组织工作情况 --parent 4 --weight 5
node 自评工作质量 --parent 4.2 --weight 3 --score 3
node 现场表现 --parent 4.2 --weight 2 --score 2

echo "== budget facts (万元): 支出完成率 is computed from them"
jx budget set "$ws" --initial 1164.43 --adjust "-30.01:2023年第二次预算支出调整表" \
	--adjust "-626.68:2023年第三次预算支出调整表" --spent 428.54

echo "== an evaluator corrects a score, naming the revision she read"
rev=$(jx --json tree "$ws" | sed -n '/"code": "2.2.2"/,/"revision"/s/^ *"revision": \([0-9]*\),$/\1/p')
jx node set "$ws" 2.2.2 --score 1 --comment "未见绩效运行监控材料，仅有年中自查表" --rev "$rev"

echo "== the scoring sheet (评分表)"
jx score "$ws"

echo "== findings (存在问题 / 建议), part of what is signed"
jx finding add "$ws" --kind problem "项目预算执行率较低（84.40%），预算编制不够精准" --indicator 2.1.2 >/dev/null
jx finding add "$ws" --kind recommendation "加强预算编制前期调研，提高预算执行率" >/dev/null
jx finding ls "$ws"

echo "== li signs and submits it (签字提交); wang checks the digest and signs off (复核签字)"
jx submit "$ws"
as wang signoff "$ws"
echo "== a final workspace is read-only: this edit is refused"
jx node set "$ws" 1.1.1 --score 4 --reason "再次核实" || true
as wang ws show "$ws"

echo "== the archive: everything needed to check the signed sheet with no server"
as wang export "$ws" --archive "$demo/评价档案.jxa"
as wang verify "$ws" >/dev/null && echo "live workspace $ws verifies"

echo "== stopping jixiaod"
stop_daemon
trap - EXIT
echo "== offline, with the server stopped: jx verify checks chain, signatures and scores"
"$jx_bin" verify "$demo/评价档案.jxa"
echo "stopped cleanly; the workspace stays in $demo/data"

# make demo WEB=1: the same store served again, with the web interface, until Ctrl-C.
if [ -n "${WEB:-}" ] && [ "${WEB}" != 0 ]; then
	web="http://127.0.0.1:${WEB_PORT:-7480}"
	echo "== the web interface: open $web in Chromium 137+ (or Firefox 129+),"
	echo "   choose 导入 jx keygen 生成的密钥文件 and import $demo/home/li/jixiao/id_ed25519"
	echo "   (li, evaluator) or $demo/home/wang/jixiao/id_ed25519 (wang, reviewer);"
	echo "   or create a key in the browser and register its line:"
	echo "   XDG_CONFIG_HOME=$demo/home/admin $jx_bin --server $url user add NAME 'LINE'"
	echo "   Ctrl-C stops jixiaod."
	exec "$jixiaod" --data "$demo/data" --listen "$url" --http "$web" --web-root "$build/web"
fi
