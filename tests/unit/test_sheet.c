/* Methods and the sheet: seed vectors computed through method_parse and sheet_compute. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "budget.h"
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
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
