/*
 * The target forms of real 绩效目标表 beyond the seeds (issue 12), each with the parse
 * it must give: deadlines with 内 (at most), dates (milestones, never numbers), zero
 * counts (at most 0), bracketed and 及 forms of ≥, 次/月 and 每季度, relative targets
 * (flagged), money, points, people-times, ranges and 约 (flagged), Gbps/TB, 且 和 或,
 * full-width text, thousands separators and the ambiguous comma. A text the parser does
 * not understand must come back flagged, never as a wrong number or comparator.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "decimal.h"
#include "err.h"
#include "jxtest.h"
#include "method.h"
#include "target-rows.h"
#include "target.h"

/*
 * In order: deadlines with 内 / 以内 / 之内 / 不超过; dates; zero counts; （含）以上 and
 * 及以上; frequencies; targets relative to last year; money and points; people-times;
 * ranges and approximations; bandwidth and storage; compound and alternative targets;
 * full-width digits and thousands separators; qualitative text.
 */
static const struct row forms[] = {
	ONE("5个工作日内办结", "", TARGET_LE, 500LL, "个工作日", "办结"),
	ONE("3个工作日内", "", TARGET_LE, 300LL, "个工作日", ""),
	ONE("5日内", "", TARGET_LE, 500LL, "日", ""),
	ONE("4小时内响应", "", TARGET_LE, 400LL, "小时", "响应"),
	ONE("30分钟内到达现场", "", TARGET_LE, 3000LL, "分钟", "到达现场"),
	ONE("3个月内完成整改", "", TARGET_LE, 300LL, "个月", "完成整改"),
	ONE("10天之内", "", TARGET_LE, 1000LL, "天", ""),
	ONE("2个工作日以内", "", TARGET_LE, 200LL, "个工作日", ""),
	ONE("投诉处理时限不超过15个工作日", "投诉处理时限", TARGET_LE, 1500LL, "个工作日", ""),
	QUAL("2023年12月31日前完成"),
	QUAL("6月30日之前完成部署"),
	QUAL("年底前完成"),
	QUAL("12月15日前完成验收"),
	QUAL("在2023年6月前完成招标"),
	ONE("0起", "", TARGET_LE, 0LL, "起", ""),
	ONE("安全事故0起", "安全事故", TARGET_LE, 0LL, "起", ""),
	ONE("0次", "", TARGET_LE, 0LL, "次", ""),
	ONE("零事故", "", TARGET_LE, 0LL, "", "事故"),
	ONE("无重大安全事故", "", TARGET_LE, 0LL, "", "重大安全事故"),
	ONE("实现零投诉", "实现", TARGET_LE, 0LL, "", "投诉"),
	ONE("全年未发生重大网络安全事件", "全年", TARGET_LE, 0LL, "", "重大网络安全事件"),
	ONE("杜绝重大安全事故", "", TARGET_LE, 0LL, "", "重大安全事故"),
	ONE("为0", "", TARGET_LE, 0LL, "", ""),
	ONE("数据泄露事件0起", "数据泄露事件", TARGET_LE, 0LL, "起", ""),
	ONE("100%（含）以上", "", TARGET_GE, 10000LL, "%", ""),
	ONE("98%及以上", "", TARGET_GE, 9800LL, "%", ""),
	ONE("95%(含)以上", "", TARGET_GE, 9500LL, "%", ""),
	ONE("90分及以上", "", TARGET_GE, 9000LL, "分", ""),
	ONE("不少于2次/月", "", TARGET_GE, 200LL, "次/月", ""),
	ONE("每季度不少于1次", "每季度", TARGET_GE, 100LL, "次", ""),
	ONE("每月开展巡检≥2次", "每月开展巡检", TARGET_GE, 200LL, "次", ""),
	ONE("2次/月", "", TARGET_EQ, 200LL, "次/月", ""),
	FLAG("较上年提高5%"),
	FLAG("不低于上年水平"),
	FLAG("同比增长10%"),
	FLAG("与上年持平"),
	ONE("≥500万元", "", TARGET_GE, 50000LL, "万元", ""),
	ONE("不超过300万元", "", TARGET_LE, 30000LL, "万元", ""),
	ONE("成本控制在1,164.43万元以内", "成本", TARGET_LE, 116443LL, "万元", ""),
	ONE("满意度≥90分", "满意度", TARGET_GE, 9000LL, "分", ""),
	ONE("群众满意度不低于85分", "群众满意度", TARGET_GE, 8500LL, "分", ""),
	ONE("不超过3个工作日", "", TARGET_LE, 300LL, "个工作日", ""),
	ONE("≥50万人次", "", TARGET_GE, 50000000LL, "人次", ""),
	ONE("服务人次达到120万人次", "服务人次", TARGET_EQ, 120000000LL, "人次", ""),
	ONE("培训不少于1,000人次", "培训", TARGET_GE, 100000LL, "人次", ""),
	FLAG("3-5个"),
	FLAG("10～20个"),
	FLAG("约3个"),
	FLAG("5个左右"),
	ONE("≥6Gbps", "", TARGET_GE, 600LL, "Gbps", ""),
	ONE("出口带宽≥10Gbps", "出口带宽", TARGET_GE, 1000LL, "Gbps", ""),
	ONE("≥40TB", "", TARGET_GE, 4000LL, "TB", ""),
	ALL("可用率≥99%且响应时间≤3秒",
	    C("可用率", TARGET_GE, 9900LL, "%", ""),
	    C("响应时间", TARGET_LE, 300LL, "秒", "")),
	ALL("可用率≥99%和响应时间≤3秒",
	    C("可用率", TARGET_GE, 9900LL, "%", ""),
	    C("响应时间", TARGET_LE, 300LL, "秒", "")),
	ANY("面向政府用户≥50或面向公众用户≥200",
	    C("面向政府用户", TARGET_GE, 5000LL, "", ""),
	    C("面向公众用户", TARGET_GE, 20000LL, "", "")),
	ALL("≥95%；≤5秒",
	    C("", TARGET_GE, 9500LL, "%", ""),
	    C("", TARGET_LE, 500LL, "秒", "")),
	ALL("一般性操作≤5秒，一般性统计≤20秒，关键业务处理性能≥6Gbps日志存储能力≥40TB",
	    C("一般性操作", TARGET_LE, 500LL, "秒", ""),
	    C("一般性统计", TARGET_LE, 2000LL, "秒", ""),
	    C("关键业务处理性能", TARGET_GE, 600LL, "Gbps", ""),
	    C("日志存储能力", TARGET_GE, 4000LL, "TB", "")),
	ONE("＞＝９５％", "", TARGET_GE, 9500LL, "%", ""),
	ONE("１２００万", "", TARGET_EQ, 1200000000LL, "", ""),
	FLAG("不少于１，０００个"),
	ONE("≥１０００个", "", TARGET_GE, 100000LL, "个", ""),
	ONE("≤５个工作日", "", TARGET_LE, 500LL, "个工作日", ""),
	FLAG("1,16"),
	ONE("不少于1,000个", "", TARGET_GE, 100000LL, "个", ""),
	ONE("1,260,000元", "", TARGET_EQ, 126000000LL, "元", ""),
	ONE("系统可用率≥99.9%", "系统可用率", TARGET_GE, 9990LL, "%", ""),
	QUAL("完成项目终验"),
	QUAL("运行正常（定性指标）"),
};

static void
forms_parse(void **state)
{
	(void)state;
	assert_true(sizeof(forms) / sizeof(forms[0]) >= 60);
	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++)
		target_rows_check(&forms[i]);
}

/* The length API a fuzzing harness calls: no terminator needed, NUL bytes are spaces. */
static void
forms_parse_len(void **state)
{
	static const char text[] = "≥95%xxxx";
	struct target t;

	(void)state;
	assert_jx_ok(target_parse_len(text, strlen("≥95%"), 0, &t));
	assert_int_equal(t.nclauses, 1);
	assert_int_equal(t.clauses[0].value, 9500);
	/* "≥9\0" "5%": the NUL is a space, and the text goes on after it. */
	assert_jx_ok(target_parse_len("≥9\0" "5%", 7, 0, &t));
	assert_int_equal(t.nclauses, 1);
	assert_int_equal(t.clauses[0].value, 900);
	assert_string_equal(t.clauses[0].tail, "5%");
	assert_jx_err(target_parse_len(NULL, 0, 0, &t), JX_EINVAL);
	assert_jx_err(target_parse_len(text, TARGET_TEXT_MAX + 1, 0, &t), JX_EINVAL);
}

/* Actuals (完成值) in the same grammar: finer values rounded, words of last year prose. */
static void
actuals_parse(void **state)
{
	struct target t;

	(void)state;
	/* Seed 000's 态势感知 actual: 386.7540TB is 386.75 TB, not a flagged target. */
	assert_jx_ok(target_parse_len("操作=4.24秒，统计=3.75秒，关键业务处理性能=18Gbps，"
	    "存储能力=386.7540TB", strlen("操作=4.24秒，统计=3.75秒，关键业务处理性能=18Gbps，"
	    "存储能力=386.7540TB"), TARGET_ACTUAL, &t));
	assert_int_equal(t.kind, TARGET_QUANTITATIVE);
	assert_int_equal(t.nclauses, 4);
	assert_string_equal(t.clauses[0].label, "操作");
	assert_int_equal(t.clauses[0].value, 424);
	assert_string_equal(t.clauses[3].label, "存储能力");
	assert_int_equal(t.clauses[3].value, 38675);
	/* Half up: 4.245 -> 4.25. */
	assert_jx_ok(target_parse_len("4.245秒", strlen("4.245秒"), TARGET_ACTUAL, &t));
	assert_int_equal(t.clauses[0].value, 425);
	/* As a target the same precision is not understood. */
	assert_jx_ok(target_parse("≥386.7540TB", &t));
	assert_true(t.flagged);
	/* An actual may say 无 alone for a zero-count target. */
	assert_jx_ok(target_parse_len("无", strlen("无"), TARGET_ACTUAL, &t));
	assert_int_equal(t.nclauses, 1);
	assert_int_equal(t.clauses[0].cmp, TARGET_LE);
	assert_int_equal(t.clauses[0].value, 0);
	assert_jx_ok(target_parse("无", &t));
	assert_int_equal(t.kind, TARGET_QUALITATIVE);
	/* Labelled actuals of an alternative target. */
	assert_jx_ok(target_parse_len("面向政府用户60，面向公众用户100",
	    strlen("面向政府用户60，面向公众用户100"), TARGET_ACTUAL, &t));
	assert_int_equal(t.nclauses, 2);
	assert_string_equal(t.clauses[1].label, "面向公众用户");
	assert_int_equal(t.clauses[1].value, 10000);
}

/*
 * Random texts built from the grammar's pieces, as targets, actuals and amounts: every
 * one parses or is refused with JX_EINVAL, completion scores within 0 … weight or says
 * why not, and nothing crashes (run under the sanitizers too).
 */
static void
random_targets_actuals_and_amounts(void **state)
{
	static const char *const pieces[] = {
		"≥", "≤", "=", "不少于", "不超过", "以内", "内", "（含）", "以上", "及以上", "或",
		"且", "和", "，", "；", "个工作日", "小时", "日", "月", "前", "之前", "年", "2023",
		"0", "1", "5", "20", "100", ",", "，", ".", "１", "５", "％", "%", "起", "次",
		"零", "无", "事故", "实现", "上年", "约", "-", "万", "Gbps", "操作", "统计", " ",
		"\xff", "\xe2\x89", "\0",
	};
	static char text[2][256];
	const size_t npieces = sizeof(pieces) / sizeof(pieces[0]);
	uint32_t x = 2463534242u;
	struct method m;
	char why[256], note[256];

	(void)state;
	assert_jx_ok(method_parse("completion", "per=0.5", &m, why, sizeof(why)));
	for (int iter = 0; iter < 20000; iter++) {
		size_t len[2] = { 0, 0 };
		struct target t;
		int64_t score, v;
		bool vetoed;
		int rv;

		for (int k = 0; k < 2; k++) {
			size_t count = target_rows_random(&x) % 12;

			for (size_t i = 0; i < count; i++) {
				const char *p = pieces[target_rows_random(&x) % npieces];
				size_t l = p[0] == '\0' ? 1 : strlen(p);

				memcpy(text[k] + len[k], p, l);
				len[k] += l;
			}
			assert_jx_ok(target_parse_len(text[k], len[k], k == 0 ? 0 : TARGET_ACTUAL,
			    &t));
			assert_true(t.nclauses <= TARGET_MAX_CLAUSES);
			assert_true(t.kind == TARGET_QUALITATIVE || !t.flagged);
			rv = dec_parse_written(text[k], len[k], &v);
			assert_true(rv == JX_OK || rv == JX_EINVAL);
			text[k][len[k]] = '\0';
		}
		/* NUL bytes end the C strings the methods get; that is fine for this. */
		rv = method_score(&m, 400, text[0], text[1], NULL, &score, &vetoed, note,
		    sizeof(note));
		assert_true(rv == JX_OK || rv == JX_EINVAL || rv == JX_ENOTFOUND);
		if (rv == JX_OK)
			assert_true(score >= 0 && score <= 400);
		else
			assert_true(note[0] != '\0');
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(forms_parse),
		cmocka_unit_test(forms_parse_len),
		cmocka_unit_test(actuals_parse),
		cmocka_unit_test(random_targets_actuals_and_amounts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
