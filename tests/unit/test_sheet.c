/* Methods and the sheet: seed vectors computed through method_parse and sheet_compute. */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "budget.h"
#include "err.h"
#include "jxtest.h"
#include "method.h"
#include "sheet.h"

#define R SHEET_ROOT

static int64_t
seed002_rate(int64_t spent_wan)
{
	const int64_t adjust[] = { -3001 * 10000, -62668 * 10000 };
	int64_t final, rate;

	/* 1164.43 − 30.01 − 626.68 = 507.74 万元 (fen), then spent / final. */
	assert_jx_ok(budget_final(116443 * 10000, 0, adjust, 2, &final));
	assert_int_equal(final, 50774 * 10000);
	assert_jx_ok(budget_rate(spent_wan * 10000, final, &rate));
	return rate;
}

/* Seed 002's tree, Template A, with 支出完成率 scored from the budget facts. */
static struct sheet_node seed002[] = {
	{ .code = "1", .parent = R, .has_weight = 1, .weight = 1500 },
	{ .code = "1.1", .parent = 0, .has_weight = 1, .weight = 700 },
	{ .code = "1.1.1", .parent = 1, .has_weight = 1, .weight = 400, .has_score = 1, .score = 350 },
	{ .code = "1.1.2", .parent = 1, .has_weight = 1, .weight = 300, .has_score = 1, .score = 300 },
	{ .code = "1.2", .parent = 0, .has_weight = 1, .weight = 800 },
	{ .code = "1.2.1", .parent = 4, .has_weight = 1, .weight = 400, .has_score = 1, .score = 300 },
	{ .code = "1.2.2", .parent = 4, .has_weight = 1, .weight = 400, .has_score = 1, .score = 250 },
	{ .code = "2", .parent = R, .has_weight = 1, .weight = 2700 },
	{ .code = "2.1", .parent = 7, .has_weight = 1, .weight = 1500 },
	{ .code = "2.1.1", .parent = 8, .has_weight = 1, .weight = 700, .has_score = 1, .score = 600 },
	{ .code = "2.1.2", .parent = 8, .has_weight = 1, .weight = 800, .method = "linear",
	    .params = "source=execution;lo=60%;hi=100%;veto=60%" },
	{ .code = "2.2", .parent = 7, .has_weight = 1, .weight = 1200 },
	{ .code = "2.2.1", .parent = 11, .has_weight = 1, .weight = 400, .has_score = 1, .score = 400 },
	{ .code = "2.2.2", .parent = 11, .has_weight = 1, .weight = 300, .has_score = 1, .score = 100 },
	{ .code = "2.2.3", .parent = 11, .has_weight = 1, .weight = 500, .has_score = 1, .score = 450 },
	{ .code = "3", .parent = R, .has_weight = 1, .weight = 5000 },
	{ .code = "3.1", .parent = 15, .has_weight = 1, .weight = 2500, .has_score = 0 },
	{ .code = "3.1.x", .parent = 16, .has_weight = 1, .weight = 2500, .has_score = 1, .score = 2400 },
	{ .code = "3.2", .parent = 15, .has_weight = 1, .weight = 2500 },
	{ .code = "3.2.x", .parent = 18, .has_weight = 1, .weight = 2500, .has_score = 1, .score = 2300 },
	{ .code = "4", .parent = R, .has_weight = 1, .weight = 800, .has_score = 0 },
	{ .code = "4.1", .parent = 20, .has_weight = 1, .weight = 800, .has_score = 1, .score = 800 },
};

static void
seed002_scores_87_38_good(void **state)
{
	struct sheet s = { .nodes = seed002, .n = sizeof(seed002) / sizeof(seed002[0]) };

	s.has_rate = 1;
	s.rate = seed002_rate(42854);
	assert_int_equal(s.rate, 8440);
	assert_jx_ok(sheet_compute(&s));
	assert_true(seed002[10].computed);
	assert_int_equal(seed002[10].total, 488);
	assert_int_equal(seed002[7].total, 2038);
	assert_int_equal(s.total, 8738);
	assert_int_equal(s.weight, 10000);
	assert_int_equal(s.unscored, 0);
	assert_false(s.vetoed);
	assert_string_equal(s.grade->name, "良");
}

static void
seed002_below_60_percent_is_vetoed(void **state)
{
	struct sheet s = { .nodes = seed002, .n = sizeof(seed002) / sizeof(seed002[0]) };

	/* Spend 290 万元 of 507.74: 57.12 %, below the 60 % veto line. */
	s.has_rate = 1;
	s.rate = seed002_rate(29000);
	assert_true(s.rate < 6000);
	s.adjustments = 2000; /* even a large bonus cannot lift a vetoed sheet */
	assert_jx_ok(sheet_compute(&s));
	assert_int_equal(seed002[10].total, 0);
	assert_true(seed002[10].vetoed);
	assert_true(s.vetoed);
	assert_int_equal(s.total, 8250 + 2000);
	assert_string_equal(s.grade->name, "中");
}

static void
missing_budget_leaves_the_formula_unscored(void **state)
{
	struct sheet s = { .nodes = seed002, .n = sizeof(seed002) / sizeof(seed002[0]) };

	assert_jx_ok(sheet_compute(&s));
	assert_false(seed002[10].scored);
	assert_non_null(strstr(seed002[10].note, "budget"));
	assert_int_equal(s.unscored, 1);
	assert_int_equal(seed002[8].unscored, 1);
	assert_false(seed002[8].scored);
	assert_int_equal(s.total, 8250);
}

static void
seed000_overshoot_scores_half(void **state)
{
	struct sheet_node nodes[] = {
		{ .code = "1", .parent = R, .has_weight = 1, .weight = 166, .method = "completion",
		    .target = "≥1000", .actual = "2000" },
		{ .code = "2", .parent = R, .has_weight = 1, .weight = 166, .method = "完成率",
		    .target = "≥95%", .actual = "100%" },
		{ .code = "3", .parent = R, .has_weight = 1, .weight = 200, .method = "completion",
		    .target = "≤5秒", .actual = "4秒" },
		{ .code = "4", .parent = R, .has_weight = 1, .weight = 200, .method = "completion",
		    .target = "满足", .actual = "满足" },
	};
	struct sheet s = { .nodes = nodes, .n = 4 };

	assert_jx_ok(sheet_compute(&s));
	assert_int_equal(nodes[0].total, 83);   /* 200 %: half of 1.66 */
	assert_int_equal(nodes[1].total, 166);
	assert_int_equal(nodes[2].total, 200);  /* at most: 5 / 4 ≥ 1 */
	assert_false(nodes[3].scored);          /* qualitative: not a completion ratio */
	assert_non_null(strstr(nodes[3].note, "target"));
}

static void
other_methods(void **state)
{
	struct sheet_node nodes[] = {
		{ .code = "t", .parent = R, .has_weight = 1, .weight = 400, .method = "tiers",
		    .params = "tiers=6,4:4|5,3:3|4,2:2|3,1:1", .actual = "5个指标，其中4个量化" },
		{ .code = "q", .parent = R, .has_weight = 1, .weight = 300, .method = "qualitative",
		    .params = "verdict=partly;partly=50%" },
		{ .code = "d", .parent = R, .has_weight = 1, .weight = 500, .method = "deduction",
		    .params = "deduct=0.5:合同未及时备案|1:信息公开用语不规范" },
		{ .code = "l", .parent = R, .has_weight = 1, .weight = 1000, .method = "linear",
		    .params = "lo=0;hi=100%", .actual = "104.43%" },
	};
	struct sheet s = { .nodes = nodes, .n = 4 };

	assert_jx_ok(sheet_compute(&s));
	assert_int_equal(nodes[0].total, 300);
	assert_int_equal(nodes[1].total, 150);
	assert_int_equal(nodes[2].total, 350);
	assert_int_equal(nodes[3].total, 1000);
	assert_int_equal(s.total, 1800);
	assert_string_equal(s.grade->key, "poor");
}

static void
bad_methods_are_refused_with_reasons(void **state)
{
	static const char *const bad[][2] = {
		{ "guess", NULL }, { "linear", "lo=100%;hi=60%" }, { "linear", "lo" },
		{ "tiers", NULL }, { "tiers", "tiers=6,x:4" }, { "deduction", "deduct=0.5" },
		{ "qualitative", "verdict=maybe" }, { "completion", "colour=red" },
		{ "qualitative", "partly=150%" },
	};
	struct method m;
	char why[256];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why[0] = '\0';
		assert_jx_err(method_parse(bad[i][0], bad[i][1], &m, why, sizeof(why)), JX_EINVAL);
		assert_true(why[0] != '\0');
	}
	assert_jx_ok(method_parse(NULL, NULL, &m, why, sizeof(why)));
	assert_int_equal(m.kind, METHOD_MANUAL);
	assert_jx_ok(method_parse("区间", "source=execution;lo=60%;hi=100%", &m, why, sizeof(why)));
	assert_int_equal(m.lo, 6000);
	assert_int_equal(m.source, METHOD_SOURCE_EXECUTION);
}

/* 加减分: seed 001's +2.5 for praised final-accounts disclosure, outside the 100. */
static void
adjustments_add_outside_the_weights(void **state)
{
	struct sheet_node nodes[] = {
		{ .code = "1", .parent = R, .has_weight = 1, .weight = 5000, .has_score = 1,
		    .score = 4970 },
		{ .code = "2", .parent = R, .has_weight = 1, .weight = 4500, .has_score = 1,
		    .score = 4215 },
		{ .code = "3", .parent = R, .method = "加减分", .params = "points=2.5" },
		{ .code = "4", .parent = R, .method = "adjustment", .params = "points=-3" },
	};
	struct sheet s = { .nodes = nodes, .n = 4 };

	assert_jx_ok(sheet_compute(&s));
	assert_int_equal(nodes[2].total, 250);
	assert_int_equal(nodes[3].total, -300);
	assert_int_equal(s.weight, 9500);
	assert_int_equal(s.total, 4970 + 4215 + 250 - 300);
}

/*
 * Completion of every target class through method_score (what the server, jx and the
 * archive verifier run), each worked out by hand. Weight 4 unless said; over 150 % half.
 */
static const struct {
	const char *target, *actual, *params;
	int64_t weight;
	int rv;        /* JX_OK, or the error for a leaf that cannot be scored */
	int64_t score; /* hundredths */
} completion_cases[] = {
	/* At least: 2000 of ≥ 1000 is 200 % > 150 %: half of 1.66 = 0.83 (seed 000). */
	{ "≥1000个", "2000个", NULL, 166, JX_OK, 83 },
	/* 98 % of 100 %（含）以上: 4 × 0.98 = 3.92; the bracket keeps the ≥. */
	{ "100%（含）以上", "98%", NULL, 400, JX_OK, 392 },
	/* 98 %及以上 met with 99 %: 101 % → full. */
	{ "98%及以上", "99%", NULL, 400, JX_OK, 400 },
	/* Deadlines with 内 are at most: 4 days of 5 is 5/4 = 125 % → full. */
	{ "5个工作日内办结", "4个工作日", NULL, 400, JX_OK, 400 },
	/* 6 days of 5 is late: 5/6 = 83.33 % → 4 × 5/6 = 3.333 → 3.33. */
	{ "5个工作日内办结", "6个工作日", NULL, 400, JX_OK, 333 },
	/* 3 days of 5 is 5/3 = 166.7 % > 150 %: the target was set too low → half, 2.00. */
	{ "5个工作日内办结", "3个工作日", NULL, 400, JX_OK, 200 },
	/* 4小时内响应, answered in 5 hours: 4/5 = 80 % → 3.20. */
	{ "4小时内响应", "5小时", NULL, 400, JX_OK, 320 },
	/* Zero counts: none → full; any occurrence → 0 by default. */
	{ "安全事故0起", "0起", NULL, 400, JX_OK, 400 },
	{ "安全事故0起", "1起", NULL, 400, JX_OK, 0 },
	/* ... or per=1.5 points off per occurrence: 4 − 1.5 = 2.50; two: 4 − 3 = 1.00. */
	{ "安全事故0起", "1起", "per=1.5", 400, JX_OK, 250 },
	{ "0次", "2次", "per=1.5", 400, JX_OK, 100 },
	{ "零事故", "3", "per=1.5", 400, JX_OK, 0 },
	{ "无重大安全事故", "无", NULL, 400, JX_OK, 400 },
	{ "无重大安全事故", "发生1起", NULL, 400, JX_OK, 0 },
	/* Compound (all): the weakest clause. 3 s of ≤ 5 s is 166.7 %, 12 s of ≤ 20 s 166.7 %:
	   mean 166.7 % > 150 % → half, 2.00. */
	{ "一般性操作≤5秒，一般性统计≤20秒", "一般性操作3秒，一般性统计12秒", NULL, 400, JX_OK, 200 },
	/* 6 s of ≤ 5 s is 83.3 %, the weakest; the mean (83.3 + 166.7) / 2 = 125 %: 3.33. */
	{ "一般性操作≤5秒，一般性统计≤20秒", "一般性操作6秒，一般性统计12秒", NULL, 400, JX_OK, 333 },
	/* 20 s of ≤ 5 s is 25 %; 400 TB of ≥ 40 TB 1000 %: the mean 512.5 % is over 150 %,
	   which caps at half (2.00) but does not lift the short clause's 4 × 0.25 = 1.00. */
	{ "一般性操作≤5秒，日志存储能力≥40TB", "一般性操作20秒，日志存储能力400TB", NULL, 400, JX_OK,
	    100 },
	/* By position when the actual has no labels: 4 s (125 %), 20 s (100 %) → full. */
	{ "一般性操作≤5秒，一般性统计≤20秒", "4秒，20秒", NULL, 400, JX_OK, 400 },
	/* A clause the actual does not answer is an error naming it. */
	{ "一般性操作≤5秒，一般性统计≤20秒", "一般性操作6秒", NULL, 400, JX_EINVAL, 0 },
	/* Seed 000's 态势感知: 5/4.24 = 117.9 %, 20/3.75 = 533.3 %, 18/6 = 300 %,
	   386.75/40 = 966.9 %; the weakest is full, the mean 479.5 % > 150 %: half of 1.66. */
	{ "一般性操作≤5秒，一般性统计≤20秒，关键业务处理性能≥6Gbps日志存储能力≥40TB",
	    "操作=4.24秒，统计=3.75秒，关键业务处理性能=18Gbps，存储能力=386.7540TB", NULL, 166,
	    JX_OK, 83 },
	/* Alternative (或): the best clause. 60 of ≥ 50 is 120 % → full. */
	{ "面向政府用户≥50或面向公众用户≥200", "面向政府用户60，面向公众用户100", NULL, 400, JX_OK,
	    400 },
	/* 40 of 50 is 80 %, 100 of 200 is 50 %: the best is 80 % → 3.20. */
	{ "面向政府用户≥50或面向公众用户≥200", "面向政府用户40，面向公众用户100", NULL, 400, JX_OK,
	    320 },
	/* One clause answered is enough for 或: 160 of 200 = 80 % → 3.20. */
	{ "面向政府用户≥50或面向公众用户≥200", "面向公众用户160", NULL, 400, JX_OK, 320 },
	/* Thousands separators and full-width digits in the actual: 1200 of ≥ 1000 → full. */
	{ "不少于1,000个", "１２００个", NULL, 400, JX_OK, 400 },
	/* A unit that differs is refused, not compared. */
	{ "≥1000个", "1200项", NULL, 400, JX_EINVAL, 0 },
	/* Flagged and qualitative targets are not scored by completion. */
	{ "不低于上年水平", "98%", NULL, 400, JX_EINVAL, 0 },
	{ "完成项目终验", "已完成", NULL, 400, JX_EINVAL, 0 },
	/* No actual yet: unscored, not an error. */
	{ "≥95%", "", NULL, 400, JX_ENOTFOUND, 0 },
};

static void
completion_every_class(void **state)
{
	for (size_t i = 0; i < sizeof(completion_cases) / sizeof(completion_cases[0]); i++) {
		struct method m;
		char why[256], note[SHEET_NOTE_MAX];
		int64_t score = -1;
		bool vetoed;
		int rv;

		assert_jx_ok(method_parse("completion", completion_cases[i].params, &m, why,
		    sizeof(why)));
		rv = method_score(&m, completion_cases[i].weight, completion_cases[i].target,
		    completion_cases[i].actual, NULL, &score, &vetoed, note, sizeof(note));
		if (rv != completion_cases[i].rv || (rv == JX_OK &&
		    score != completion_cases[i].score))
			fail_msg("\"%s\" with \"%s\": rv %d score %lld (%s), expected rv %d score "
			    "%lld", completion_cases[i].target, completion_cases[i].actual, rv,
			    (long long)score, note, completion_cases[i].rv,
			    (long long)completion_cases[i].score);
		if (rv != JX_OK)
			assert_true(note[0] != '\0');
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(seed002_scores_87_38_good),
		cmocka_unit_test(seed002_below_60_percent_is_vetoed),
		cmocka_unit_test(missing_budget_leaves_the_formula_unscored),
		cmocka_unit_test(seed000_overshoot_scores_half),
		cmocka_unit_test(other_methods),
		cmocka_unit_test(bad_methods_are_refused_with_reasons),
		cmocka_unit_test(adjustments_add_outside_the_weights),
		cmocka_unit_test(completion_every_class),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
