#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "budget.h"
#include "decimal.h"
#include "err.h"
#include "jxtest.h"
#include "score.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* A 万元 amount as the seeds write it, "1164.43", in fen. */
static int64_t
wan(const char *s)
{
	int64_t v = 0, fen = 0;

	assert_jx_ok(dec_parse(s, &v));
	assert_jx_ok(budget_wan_to_fen(v, &fen));
	return fen;
}

/* A yuan amount, "8488.95", in fen. */
static int64_t
yuan(const char *s)
{
	int64_t fen = 0;

	assert_jx_ok(dec_parse(s, &fen));
	return fen;
}

/* A rate or points as written, "84.40" -> 8440. */
static int64_t
hundredths(const char *s)
{
	int64_t v = 0;

	assert_jx_ok(dec_parse(s, &v));
	return v;
}

/* The rate of spent against a final budget, both in 万元. */
static int64_t
rate_wan(const char *spent, const char *final)
{
	int64_t r = -1;

	assert_jx_ok(budget_rate(wan(spent), wan(final), &r));
	return r;
}

static void
units_convert(void **state)
{
	int64_t v = -1;

	assert_int_equal(wan("1164.43"), 1164430000);
	assert_int_equal(wan("0.01"), 10000);
	assert_int_equal(wan("-30.01"), -30010000);
	assert_int_equal(yuan("4285434.40"), 428543440);

	assert_jx_ok(budget_fen_to_wan(428543440, &v));
	assert_int_equal(v, hundredths("428.54"));
	assert_jx_ok(budget_fen_to_wan(4999, &v));
	assert_int_equal(v, 0);
	assert_jx_ok(budget_fen_to_wan(5000, &v));
	assert_int_equal(v, 1);
	assert_jx_ok(budget_fen_to_wan(-5000, &v));
	assert_int_equal(v, -1);
	assert_jx_ok(budget_fen_to_wan(-4999, &v));
	assert_int_equal(v, 0);
	assert_jx_ok(budget_fen_to_wan(INT64_MIN, &v));
	assert_int_equal(v, -922337203685478);
	assert_jx_ok(budget_fen_to_wan(INT64_MAX, &v));
	assert_int_equal(v, 922337203685478);

	v = 7;
	assert_jx_err(budget_wan_to_fen(INT64_MAX / 1000, &v), JX_EINVAL);
	assert_jx_err(budget_wan_to_fen(INT64_MIN / 1000, &v), JX_EINVAL);
	assert_jx_err(budget_wan_to_fen(1, NULL), JX_EINVAL);
	assert_jx_err(budget_fen_to_wan(1, NULL), JX_EINVAL);
	assert_int_equal(v, 7);
}

/* Seed 002 §一(二)1(1)-(2) and the 评分表 支出完成率. */
static void
seed002_budget_and_rate(void **state)
{
	const int64_t adj[] = { wan("-30.01"), wan("-626.68") };
	int64_t final = -1, r = -1, w = -1;

	/* 年初预算 1164.43, 第一次调减 30.01, 第二次调减 626.68 -> 507.74 万元. */
	assert_jx_ok(budget_final(wan("1164.43"), 0, adj, NELEM(adj), &final));
	assert_int_equal(final, wan("507.74"));
	assert_jx_ok(budget_fen_to_wan(final, &w));
	assert_int_equal(w, hundredths("507.74"));

	/* 支出 428.54 万元 -> 84.40 % (428.54 / 507.74 = 84.4015...). */
	assert_jx_ok(budget_rate(wan("428.54"), final, &r));
	assert_int_equal(r, hundredths("84.40"));
}

/* Seed 002 表 1 项目支出明细表: the 22 payments, in yuan, by group. */
static void
seed002_itemised_payments(void **state)
{
	static const struct {
		const char *subtotal;
		const char *lines[7];
	} groups[] = {
		/* 一 政府专线租用 */
		{ "2123592.15", { "1260000", "336000", "360000", "127200", "8488.95", "31903.2" } },
		/* 二 政府网站运维 */
		{ "180000", { "100000", "80000" } },
		/* 三 办公自动化维护 */
		{ "530660", { "25000", "200000", "59480", "7600", "3880", "120000", "114700" } },
		/* 四 云中心及机房维护 */
		{ "1171432.25", { "946767.18", "48550", "49438", "20287.07", "106390" } },
		/* 五 政务外网光纤维护 */
		{ "25000", { "25000" } },
		/* 六 政务应用系统维护 */
		{ "254750", { "254750" } },
	};
	int64_t all[22], subtotals[NELEM(groups)], sum = -1, w = -1, r = -1;
	size_t n = 0;

	for (size_t g = 0; g < NELEM(groups); g++) {
		int64_t lines[7];
		size_t k;

		for (k = 0; k < NELEM(groups[g].lines) && groups[g].lines[k] != NULL; k++) {
			lines[k] = yuan(groups[g].lines[k]);
			assert_true(n < NELEM(all));
			all[n++] = lines[k];
		}
		assert_jx_ok(budget_sum(lines, k, &subtotals[g]));
		assert_int_equal(subtotals[g], yuan(groups[g].subtotal));
	}
	assert_int_equal(n, 22);

	/* 合计 4285434.4 yuan = 428.54 万元, the 支出 the rate is computed from. */
	assert_jx_ok(budget_sum(all, n, &sum));
	assert_int_equal(sum, yuan("4285434.40"));
	assert_jx_ok(budget_sum(subtotals, NELEM(subtotals), &sum));
	assert_int_equal(sum, yuan("4285434.40"));
	assert_jx_ok(budget_fen_to_wan(sum, &w));
	assert_int_equal(w, hundredths("428.54"));
	assert_jx_ok(budget_rate(sum, wan("507.74"), &r));
	assert_int_equal(r, hundredths("84.40"));
}

/* Seed 003 §一(四) and §二(三). */
static void
seed003_rates(void **state)
{
	const int64_t basic_project[] = { wan("1512.77"), wan("15415.70") };
	const int64_t basic_project_spent[] = { wan("1465.65"), wan("15264.86") };
	int64_t final = -1, sum = -1;

	/* 全年预算 16 928.47 (基本 1512.77 + 项目 15 415.70), 决算 16 730.50 -> 98.83 %. */
	assert_jx_ok(budget_sum(basic_project, 2, &sum));
	assert_int_equal(sum, wan("16928.47"));
	assert_int_equal(rate_wan("16730.50", "16928.47"), hundredths("98.83"));
	/* Its parts spent 1465.65 + 15 264.86 = 16 730.51, a hundredth off the printed total. */
	assert_jx_ok(budget_sum(basic_project_spent, 2, &sum));
	assert_int_equal(sum, wan("16730.51"));

	/* 12345 热线智慧办理系统: 245.70 + 调增 245.7 = 491.40, spent 456.4 -> 92.88 %. */
	assert_jx_ok(budget_final(wan("245.70"), 0, (const int64_t[]){ wan("245.7") }, 1, &final));
	assert_int_equal(final, wan("491.40"));
	assert_jx_ok(budget_rate(wan("456.4"), final, &sum));
	assert_int_equal(sum, hundredths("92.88"));

	/* 政务服务受理人员外包: 358, spent 329.67 -> 92.09 %. */
	assert_jx_ok(budget_final(wan("358"), 0, NULL, 0, &final));
	assert_int_equal(final, wan("358"));
	assert_int_equal(rate_wan("329.67", "358"), hundredths("92.09"));

	/* The other adjusted projects. */
	assert_jx_ok(
	    budget_final(wan("4431.81"), 0, (const int64_t[]){ wan("3506.46") }, 1, &final));
	assert_int_equal(final, wan("7938.27"));
	assert_int_equal(rate_wan("7923.24", "7938.27"), hundredths("99.81"));
	assert_jx_ok(
	    budget_final(wan("2062.98"), 0, (const int64_t[]){ wan("-511.59") }, 1, &final));
	assert_int_equal(final, wan("1551.39"));
	assert_int_equal(rate_wan("1527.13", "1551.39"), hundredths("98.44"));
	assert_jx_ok(budget_final(wan("85.39"), 0, (const int64_t[]){ wan("118.19") }, 1, &final));
	assert_int_equal(final, wan("203.58"));
	assert_int_equal(rate_wan("203.58", "203.58"), hundredths("100"));
	assert_jx_ok(budget_final(wan("353.07"), 0, (const int64_t[]){ wan("27.90") }, 1, &final));
	assert_int_equal(final, wan("380.97"));
	assert_int_equal(rate_wan("380.97", "380.97"), hundredths("100"));
	assert_int_equal(rate_wan("950", "950"), hundredths("100"));
	/* 智慧白云一期: 1062.77 of 1062.78 is 99.9991 %, printed 100 %. */
	assert_int_equal(rate_wan("1062.77", "1062.78"), hundredths("100"));
	/* ... but its "年初预算 2655.11元, 调减 592.33 万元" gives 2062.78, not the printed 1062.78. */
	assert_jx_ok(
	    budget_final(wan("2655.11"), 0, (const int64_t[]){ wan("-592.33") }, 1, &final));
	assert_int_equal(final, wan("2062.78"));
}

/* Seeds 000 and 001: the 预算资金支出率 indicator of the department template. */
static void
seed000_average_execution(void **state)
{
	/*
	 * Seed 000 §二(二)1: "市财政局共通报 10 次，我局累计预算支出执行进度为 1044.3%…
	 * 1044.31%/10=104.4%". Only the sum is printed; any ten rates with that sum do.
	 */
	const int64_t notices2022[10] = { 10443, 10443, 10443, 10443, 10443, 10443, 10443, 10443,
		10443, 10444 };
	/* Seed 001 §一(三): 2021, 累计 941.41 % -> 平均 104.60 %: nine notices. */
	const int64_t notices2021[9] = { 10460, 10460, 10460, 10460, 10460, 10460, 10460, 10460,
		10461 };
	int64_t sum = -1, mean = -1, s = -1;

	assert_jx_ok(budget_sum(notices2022, 10, &sum));
	assert_int_equal(sum, hundredths("1044.31"));
	assert_jx_ok(budget_rate_mean(notices2022, 10, &mean));
	assert_int_equal(mean, hundredths("104.43"));
	assert_jx_ok(budget_sum(notices2021, 9, &sum));
	assert_int_equal(sum, hundredths("941.41"));
	assert_jx_ok(budget_rate_mean(notices2021, 9, &mean));
	assert_int_equal(mean, hundredths("104.60"));

	/*
	 * "全年预算执行进度达到 100%，因此得满分 10 分": full marks from 100 %. The seed states no
	 * rule below 100 %; a linear band from 0 to 100 % fits and equals completion against a
	 * 100 % target without the over-delivery rule.
	 */
	assert_jx_ok(score_linear(hundredths("10"), 0, 10000, hundredths("104.43"), &s));
	assert_int_equal(s, hundredths("10"));
	assert_jx_ok(score_completion(&(struct score_completion){ 0 }, hundredths("10"),
	    SCORE_AT_LEAST, hundredths("104.43"), 10000, &s));
	assert_int_equal(s, hundredths("10"));
	assert_jx_ok(score_linear(hundredths("10"), 0, 10000, hundredths("95.5"), &s));
	assert_int_equal(s, hundredths("9.55"));

	/* Rounded half up: 1 and 2 average 1.5 -> 2. */
	assert_jx_ok(budget_rate_mean((const int64_t[]){ 1, 2 }, 2, &mean));
	assert_int_equal(mean, 2);

	/* Seed 000 §二(一): 预算 49 740.41, 开支 49 644.69 -> 99.81 % (printed 99.8 %). */
	assert_int_equal(rate_wan("49644.69", "49740.41"), hundredths("99.81"));
	/* Seed 001 §二(一): 39 295.1, 39 253.31 -> 99.89 %. */
	assert_int_equal(rate_wan("39253.31", "39295.1"), hundredths("99.89"));
}

/* Seed 000 §二(三) 重点项目支出完成情况: eight projects, 18 636.92 万元, all 100 %. */
static void
seed000_key_projects(void **state)
{
	static const char *budgets[] = { "11996.58", "400.00", "236.63", "750.00", "3987.06",
		"316.94", "149.71", "800.00" };
	int64_t fen[NELEM(budgets)], sum = -1;

	for (size_t i = 0; i < NELEM(budgets); i++) {
		fen[i] = wan(budgets[i]);
		assert_int_equal(rate_wan(budgets[i], budgets[i]), hundredths("100"));
	}
	assert_jx_ok(budget_sum(fen, NELEM(fen), &sum));
	assert_int_equal(sum, wan("18636.92"));
	/* §一(三): 基本 10 470.82 + 项目 39 193.86 = 49 664.68; printed 49 664.69 "尾差". */
	assert_jx_ok(budget_sum((const int64_t[]){ wan("10470.82"), wan("39193.86") }, 2, &sum));
	assert_int_equal(sum, wan("49664.68"));
}

/* From the seed 002 budget facts to the 支出完成率 score, the total and the grade. */
static void
seed002_end_to_end(void **state)
{
	const int64_t adj[] = { wan("-30.01"), wan("-626.68") };
	const int64_t others[] = { 350, 300, 300, 250, 600, 400, 100, 450, 400, 400, 400, 400, 400,
		400, 400, 400, 500, 500, 500, 300, 300, 200 };
	const struct score_grade *g = NULL;
	int64_t final = -1, rate = -1, s = -1, total = -1;
	bool vetoed = true;

	assert_jx_ok(budget_final(wan("1164.43"), 0, adj, NELEM(adj), &final));
	assert_jx_ok(budget_rate(wan("428.54"), final, &rate));
	assert_jx_ok(score_linear(hundredths("8"), 6000, 10000, rate, &s));
	assert_jx_ok(score_veto(rate, 6000, &s, &vetoed));
	assert_false(vetoed);
	assert_int_equal(s, hundredths("4.88"));

	assert_jx_ok(score_total(others, NELEM(others), &s, 1, &total));
	assert_int_equal(total, hundredths("87.38"));
	assert_jx_ok(score_grade(&score_grades_guangzhou, total, vetoed, &g));
	assert_string_equal(g->name, "良");

	/* Had only 300 万元 been spent: 59.09 %, vetoed, 0 points, and no better than 中. */
	assert_jx_ok(budget_rate(wan("300"), final, &rate));
	assert_int_equal(rate, hundredths("59.09"));
	assert_jx_ok(score_linear(hundredths("8"), 6000, 10000, rate, &s));
	assert_jx_ok(score_veto(rate, 6000, &s, &vetoed));
	assert_true(vetoed);
	assert_int_equal(s, 0);
	assert_jx_ok(score_grade(&score_grades_guangzhou, hundredths("90"), vetoed, &g));
	assert_string_equal(g->key, "fair");
}

static void
refuses_nonsense(void **state)
{
	int64_t v = 7;

	assert_jx_err(budget_final(-1, 0, NULL, 0, &v), JX_EINVAL);
	assert_jx_err(budget_final(0, -1, NULL, 0, &v), JX_EINVAL);
	assert_jx_err(budget_final(100, 0, (const int64_t[]){ -101 }, 1, &v), JX_EINVAL);
	assert_jx_err(budget_final(100, 0, NULL, 1, &v), JX_EINVAL);
	assert_jx_err(budget_final(INT64_MAX, 1, NULL, 0, &v), JX_EINVAL);
	assert_jx_err(budget_final(100, 0, NULL, 0, NULL), JX_EINVAL);
	assert_jx_err(budget_sum((const int64_t[]){ INT64_MAX, 1 }, 2, &v), JX_EINVAL);
	assert_jx_err(budget_sum((const int64_t[]){ INT64_MIN, -1 }, 2, &v), JX_EINVAL);
	assert_jx_err(budget_sum(NULL, 1, &v), JX_EINVAL);
	assert_jx_err(budget_rate(1, 0, &v), JX_EINVAL);
	assert_jx_err(budget_rate(1, -5, &v), JX_EINVAL);
	assert_jx_err(budget_rate(-1, 5, &v), JX_EINVAL);
	assert_jx_err(budget_rate(INT64_MAX, 1, &v), JX_EINVAL);
	assert_jx_err(budget_rate(1, 5, NULL), JX_EINVAL);
	assert_jx_err(budget_rate_mean((const int64_t[]){ 1 }, 0, &v), JX_EINVAL);
	assert_jx_err(budget_rate_mean(NULL, 1, &v), JX_EINVAL);
	assert_jx_err(budget_rate_mean((const int64_t[]){ 1, -1 }, 2, &v), JX_EINVAL);
	assert_int_equal(v, 7);

	/* Partial sums may leave int64 when the result does not; huge operands do not trap. */
	assert_jx_ok(budget_final(INT64_MAX, INT64_MAX,
	    (const int64_t[]){ INT64_MIN, INT64_MIN + 2 }, 2, &v));
	assert_int_equal(v, 0);
	assert_jx_ok(budget_sum((const int64_t[]){ INT64_MAX, 1, -2 }, 3, &v));
	assert_int_equal(v, INT64_MAX - 1);
	assert_jx_ok(budget_rate(INT64_MAX, INT64_MAX, &v));
	assert_int_equal(v, 10000);
	assert_jx_ok(budget_rate_mean((const int64_t[]){ INT64_MAX, INT64_MAX }, 2, &v));
	assert_int_equal(v, INT64_MAX);
	assert_jx_ok(budget_rate(0, 5, &v));
	assert_int_equal(v, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(units_convert),
		cmocka_unit_test(seed002_budget_and_rate),
		cmocka_unit_test(seed002_itemised_payments),
		cmocka_unit_test(seed003_rates),
		cmocka_unit_test(seed000_average_execution),
		cmocka_unit_test(seed000_key_projects),
		cmocka_unit_test(seed002_end_to_end),
		cmocka_unit_test(refuses_nonsense),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
