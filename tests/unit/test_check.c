#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "err.h"
#include "jxtest.h"
#include "text.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* Field shorthands for the trees below; points in hundredths. */
#define R CHECK_ROOT
#define W(x) .has_weight = true, .weight = (x)
#define S(x) .has_score = true, .score = (x)
#define ST(x) .has_stated = true, .stated = (x)

/* One expected warning. */
struct want {
	const char *kind;
	const char *code; /* NULL: the workspace */
};

struct result {
	struct check_warning *w;
	size_t n;
};

static void
dump(const struct result *r)
{
	for (size_t i = 0; i < r->n; i++)
		print_message("  [%s] %s: %s\n", r->w[i].code != NULL ? r->w[i].code : "-",
		    r->w[i].kind, r->w[i].text);
}

/* Runs the checks on nodes; every sentence must be valid one-line UTF-8. */
static struct result
run_input(const struct check_input *in)
{
	struct result r = { NULL, 0 };

	assert_jx_ok(check_run(in, &r.w, &r.n));
	assert_true((r.n == 0) == (r.w == NULL));
	for (size_t i = 0; i < r.n; i++) {
		assert_true(text_utf8_valid(r.w[i].text));
		assert_true(text_printable(r.w[i].text, false));
		assert_true(r.w[i].text[0] != '\0');
		if (r.w[i].node == CHECK_ROOT)
			assert_null(r.w[i].code);
		else
			assert_ptr_equal(r.w[i].code, in->nodes[r.w[i].node].code);
	}
	return r;
}

static struct result
run(const struct check_node *nodes, size_t n)
{
	struct check_input in = { .nodes = nodes, .n = n, .expected_total = 0 };

	return run_input(&in);
}

static bool
same_code(const char *a, const char *b)
{
	return a == NULL || b == NULL ? a == b : strcmp(a, b) == 0;
}

/* The warning of that kind about that code, or NULL. */
static const struct check_warning *
find(const struct result *r, const char *kind, const char *code)
{
	for (size_t i = 0; i < r->n; i++) {
		if (strcmp(r->w[i].kind, kind) == 0 && same_code(r->w[i].code, code))
			return &r->w[i];
	}
	return NULL;
}

/* Asserts r holds exactly these warnings, in this order. */
static void
expect(const struct result *r, const struct want *want, size_t n)
{
	bool ok = r->n == n;

	for (size_t i = 0; ok && i < n; i++)
		ok = strcmp(r->w[i].kind, want[i].kind) == 0 &&
		    same_code(r->w[i].code, want[i].code);
	if (!ok) {
		print_message("got %zu warnings, want %zu:\n", r->n, n);
		dump(r);
		fail();
	}
}

/* Drops the warnings of a kind, as a caller not tracking evidence drops "no-evidence". */
static void
ignore(struct result *r, const char *kind)
{
	size_t k = 0;

	for (size_t i = 0; i < r->n; i++) {
		if (strcmp(r->w[i].kind, kind) != 0)
			r->w[k++] = r->w[i];
	}
	r->n = k;
}

static void
expect_none(const struct result *r)
{
	expect(r, NULL, 0);
}

/* Asserts the sentence says each of the words. */
static void
says(const struct check_warning *w, const char *const *words, size_t n)
{
	assert_non_null(w);
	for (size_t i = 0; i < n; i++) {
		if (strstr(w->text, words[i]) == NULL)
			fail_msg("“%s” does not say “%s”", w->text, words[i]);
	}
}

#define SAYS(w, ...)                                                                               \
	do {                                                                                       \
		const char *const says_[] = { __VA_ARGS__ };                                       \
		says((w), says_, NELEM(says_));                                                    \
	} while (0)

static void
finish(struct result *r)
{
	check_free(r->w);
	r->w = NULL;
	r->n = 0;
}

/* A well-formed two-level tree every check passes. */
static const struct check_node clean[] = {
	{ .code = "1", .name = "产出", .parent = R, W(2000), ST(1800) },
	{ .code = "1.1", .name = "系统用户总数", .parent = 0, W(700), S(700), .evidence = 1,
	    .target = "≥600个", .actual = "612个", .comment = "用户数达到目标。",
	    .personalised = true },
	{ .code = "1.2", .name = "响应时间", .parent = 0, W(700), S(500), .evidence = 2,
	    .target = "≤5秒", .actual = "6秒", .comment = "部分时段响应时间超过5秒，扣2分。",
	    .personalised = true },
	{ .code = "1.3", .name = "数据质量", .parent = 0, W(600), S(600), .evidence = 1,
	    .target = "错误率≤1%", .personalised = true },
	{ .code = "2", .name = "效益", .parent = R, W(8000) },
	{ .code = "2.1", .name = "服务对象满意度", .parent = 4, W(8000), S(8000), .evidence = 1,
	    .category = "满意度", .target = "≥95%", .actual = "97%" },
};

static void
clean_tree_gives_none(void **state)
{
	struct check_input in = { .nodes = clean, .n = NELEM(clean), .expected_total = 10000,
		.has_stated_total = true, .stated_total = 9800,
		.ledger = { true, 507740000, 428543440 } };
	struct result r = run_input(&in);

	expect_none(&r);
	finish(&r);

	in.n = 0;
	in.nodes = NULL;
	in.expected_total = 0;
	in.has_stated_total = false;
	r = run_input(&in);
	expect_none(&r);
	finish(&r);
}

static void
weights_add_up(void **state)
{
	struct check_node t[] = {
		{ .code = "1", .name = "项目安排", .parent = R, W(1500) },
		{ .code = "1.1", .name = "立项依据适应性", .parent = 0, W(400) },
		{ .code = "1.2", .name = "前期工作充分性", .parent = 0, W(300) },
		{ .code = "2", .name = "项目管理", .parent = R, W(2700) },
		{ .code = "2.1", .name = "财务管理情况", .parent = 3, W(2700) },
		{ .code = "3", .name = "加减分项", .parent = R },
	};
	struct check_input in = { .nodes = t, .n = NELEM(t), .expected_total = 10000 };
	static const struct want want[] = { { "weight-sum", NULL }, { "weight-sum", "1" } };
	struct result r = run_input(&in);

	/* 加减分项 has no weight: outside the 100, not counted. */
	expect(&r, want, NELEM(want));
	SAYS(&r.w[0], "42", "100");
	SAYS(&r.w[1], "“项目安排”", "7", "15");
	finish(&r);

	t[1].weight = 1200;
	t[3].weight = t[4].weight = 8500;
	r = run_input(&in);
	expect_none(&r);
	finish(&r);

	/* expected_total 0 leaves the level-1 sum alone. */
	t[3].weight = t[4].weight = 100;
	in.expected_total = 0;
	r = run_input(&in);
	expect_none(&r);
	finish(&r);
}

static void
subtotals_add_up(void **state)
{
	/* Seed 002's body: 项目效益 22 over 4+4+5+5+5 from the appendix. */
	struct check_node t[] = {
		{ .code = "3", .name = "项目绩效", .parent = R, W(5000), ST(4700) },
		{ .code = "3.1", .name = "项目产出", .parent = 0, W(2500), ST(2400) },
		{ .code = "3.2", .name = "项目效益", .parent = 0, W(2500), ST(2200) },
		{ .code = "3.2.1", .name = "提高网络稳定性", .parent = 2, W(1000), S(800),
		    .comment = "网络运行速度可能难以适应政务工作的要求。" },
		{ .code = "3.2.2", .name = "增强信息安全", .parent = 2, W(1000), S(1000) },
		{ .code = "3.2.3", .name = "综合评价", .parent = 2, W(500), S(500), ST(400) },
	};
	struct check_input in = { .nodes = t, .n = NELEM(t), .has_stated_total = true,
		.stated_total = 4600 };
	static const struct want want[] = { { "subtotal", NULL }, { "subtotal", "3" },
		{ "subtotal", "3.2" }, { "stated-score", "3.2.3" } };
	struct result r = run_input(&in);

	ignore(&r, "no-evidence");
	ignore(&r, "no-satisfaction");
	expect(&r, want, NELEM(want));
	SAYS(&r.w[0], "46", "47");
	SAYS(&r.w[1], "47", "46", "“项目绩效”");
	SAYS(&r.w[2], "22", "23", "“项目效益”", "小计");
	SAYS(&r.w[3], "4", "5");
	finish(&r);

	/* A parent without a stated subtotal counts as the sum under it. */
	t[2].has_stated = false;
	t[0].stated = 4700;
	in.stated_total = 4700;
	r = run_input(&in);
	ignore(&r, "no-evidence");
	ignore(&r, "no-satisfaction");
	{
		static const struct want w2[] = { { "stated-score", "3.2.3" } };

		expect(&r, w2, NELEM(w2));
	}
	finish(&r);

	/* An unscored leaf leaves the sums above it unchecked. */
	t[3].has_score = false;
	t[5].has_stated = false;
	r = run_input(&in);
	ignore(&r, "no-evidence");
	ignore(&r, "no-satisfaction");
	expect_none(&r);
	finish(&r);
}

static void
formula_agrees_with_weight(void **state)
{
	struct check_node t[] = {
		{ .code = "1", .name = "支出完成率", .parent = R, W(800),
		    .criteria = "预算支出执行率=支出金额÷年度预算安排（上年结转+年初预算+预算追加减"
				"）×100%，本指标得分 =（预算支出执行率-60%）÷（100%-60%）× 17，低于"
				" 60%不得分。" },
		{ .code = "2", .name = "财务管理情况", .parent = R, W(700),
		    .criteria = "财务资料真实完整，按制度核算、按规定用途和标准使用资金得 2 分；财"
				"务资料不全面、部分账务处理不规范酌情扣分。" },
		{ .code = "3", .name = "完成率", .parent = R, W(800), .criteria = "得分=完成率*8" },
		{ .code = "4", .name = "完成率", .parent = R, W(800),
		    .criteria = "得分=完成率乘以17，最高得 8 分" },
		{ .code = "5", .name = "完成率", .parent = R, W(800),
		    .criteria = "得分=完成率×分值；提供7×24小时服务；完成率×１７" },
		{ .code = "6", .name = "项目产出", .parent = R, W(2500),
		    .criteria = "指标总分 20 分，单个指标分值不超过 7 分，完成全部预期工作得 15 分"
				"以上；基本完成的，得分在 10-15 分之间" },
		{ .code = "7", .name = "监控", .parent = R, W(300),
		    .criteria = "开展绩效运行监控工作得 3 分；最高得 1.5 分；不配合得 0 分。" },
		{ .code = "8", .name = "数量", .parent = R, W(400),
		    .criteria = "每完成一项得1分，最高得4分。应设未设满意度指标的扣 3 分。" },
		{ .code = "9", .name = "数量", .parent = R, W(400),
		    .criteria = "每完成一项得1分。" },
	};
	static const struct want want[] = { { "formula-weight", "1" }, { "formula-weight", "2" },
		{ "formula-weight", "4" }, { "formula-weight", "5" }, { "formula-weight", "6" } };
	struct result r = run(t, NELEM(t));

	expect(&r, want, NELEM(want));
	SAYS(&r.w[0], "“支出完成率”", "×17", "8");
	SAYS(&r.w[1], "“财务管理情况”", "得2分", "7");
	SAYS(&r.w[2], "×17");
	SAYS(&r.w[3], "×17");
	SAYS(&r.w[4], "满分", "20", "25");
	finish(&r);

	/* Fixed as they should read: nothing. */
	t[0].criteria = "本指标得分 =（预算支出执行率-60%）÷（100%-60%）× 8，低于 60%不得分。";
	t[1].criteria = "财务资料真实完整，按规定用途和标准使用资金得 7 分；";
	t[3].criteria = "得分=完成率乘以8";
	t[4].criteria = "得分=完成率×分值；提供7×24小时服务";
	t[5].weight = 2000;
	r = run(t, NELEM(t));
	expect_none(&r);
	finish(&r);
}

static void
units_match_the_ledger(void **state)
{
	struct check_node t[] = {
		{ .code = "1", .name = "支出完成率", .parent = R,
		    .comment = "项目年度预算为 507.74 万元。2023 年度本项目支出 428.54 元，预算执行"
			       "率为 84.40%。又支出 428.54 元。" },
		{ .code = "2", .name = "预算", .parent = R, .actual = "全年预算 507.74元" },
		{ .code = "3", .name = "支出", .parent = R, .criteria = "支出 4,285,434.40 万元" },
		{ .code = "4", .name = "正确", .parent = R,
		    .comment = "支出 428.54 万元，即 4285434.4 元；预算 5.0774 亿元；0 元。" },
	};
	struct check_input in = { .nodes = t, .n = NELEM(t),
		.ledger = { .present = true, .final_budget = 507740000, .spent = 428543440 } };
	static const struct want want[] = { { "unit", "1" }, { "unit", "2" }, { "unit", "3" } };
	struct result r = run_input(&in);

	/* One warning for node 1 although it quotes the amount twice. */
	expect(&r, want, NELEM(want));
	SAYS(&r.w[0], "428.54 元", "428.54 万元", "支出");
	SAYS(&r.w[1], "507.74 元", "507.74 万元", "全年预算");
	SAYS(&r.w[2], "4285434.4 万元", "4285434.4 元", "428.54 万元");
	finish(&r);

	in.ledger.present = false;
	r = run_input(&in);
	expect_none(&r);
	finish(&r);
}

static void
full_marks_with_critical_comment(void **state)
{
	struct check_node t[] = {
		{ .code = "1", .name = "自评工作质量", .parent = R, W(300), S(300),
		    .comment = "自评材料提交基本及时，但自评报告与自评表内绩效指标的设置内容未能一"
			       "一对应，自评材料之间不一致，质量有待提高。" },
		{ .code = "2", .name = "租用网络线路正常运行率", .parent = R, W(400), S(400),
		    .comment = "三家网络运营商的网络线路运行情况均稳定良好，未发现存在网络故障未按"
			       "时解决的问题。" },
		{ .code = "3", .name = "项目可持续性", .parent = R, W(300), S(300),
		    .comment = "分析项目存在的问题，提出项目下一步发展的建议。" },
		{ .code = "4", .name = "绩效目标合理性", .parent = R, W(400), S(300),
		    .comment = "绩效目标的完整性不足，定位不清晰。" },
		{ .code = "5", .name = "验收", .parent = R, W(400), S(400),
		    .actual = "未见验收材料" },
	};
	static const struct want want[] = { { "full-critical", "1" }, { "full-critical", "5" } };
	struct result r = run(t, NELEM(t));

	ignore(&r, "no-evidence");
	expect(&r, want, NELEM(want));
	SAYS(&r.w[0], "“自评工作质量”", "3", "未能",
	    "但自评报告与自评表内绩效指标的设置内容未能一一对应");
	SAYS(&r.w[1], "未见验收材料", "完成情况");
	finish(&r);
}

static void
lost_points_need_a_comment(void **state)
{
	struct check_node t[] = {
		{ .code = "1", .name = "立项依据适应性", .parent = R, W(400), S(350) },
		{ .code = "2", .name = "前期工作充分性", .parent = R, W(300), S(250),
		    .comment = " \n\xe3\x80\x80", .method = "手工" },
		{ .code = "3", .name = "支出完成率", .parent = R, W(800), S(488),
		    .method = "linear" },
		{ .code = "4", .name = "现场表现", .parent = R, W(200), S(200) },
		{ .code = "5", .name = "项目执行情况", .parent = R, W(400), S(300),
		    .comment = "扣1分" },
		{ .code = "6", .name = "未评分", .parent = R, W(400) },
	};
	static const struct want want[] = { { "no-comment", "1" }, { "no-comment", "2" } };
	struct result r = run(t, NELEM(t));

	ignore(&r, "no-evidence");
	expect(&r, want, NELEM(want));
	SAYS(&r.w[0], "3.5", "4", "评价情况");
	finish(&r);
}

static void
names_and_targets(void **state)
{
	struct check_node t[] = {
		{ .code = "1", .name = "", .parent = R, W(2000) },
		{ .code = "1.1", .name = NULL, .parent = 0, W(500), .personalised = true,
		    .target = "20" },
		{ .code = "1.2", .name = "资金回笼节约", .parent = 0, W(500), S(400),
		    .personalised = true, .target = "保障政务网络光纤通畅", .comment = "难以考核" },
		{ .code = "1.3", .name = "运维项目完成数量", .parent = 0, W(500), S(250),
		    .personalised = true, .comment = "无指标值" },
		{ .code = "1.4", .name = "增强信息安全", .parent = 0, W(500), S(400),
		    .personalised = true, .target = " ", .comment = "无指标值" },
		{ .code = "2", .name = "政府网站运行正常", .parent = R, W(700),
		    .target = "运行正常（定性指标）" },
		{ .code = "3", .name = "可用率", .parent = R, .target = "百分之百" },
		{ .code = "4", .name = "吞吐", .parent = R, .target = "≥６Gbps" },
		{ .code = "5", .name = "非个性化", .parent = R },
	};
	static const struct want want[] = { { "no-name", "1" }, { "no-name", "1.1" },
		{ "qualitative-target", "1.2" }, { "no-target", "1.3" }, { "no-target-cap", "1.4" },
		{ "qualitative-target", "2" } };
	struct result r = run(t, NELEM(t));

	ignore(&r, "no-evidence");
	expect(&r, want, NELEM(want));
	SAYS(&r.w[0], "indicator 1", "指标名称");
	SAYS(&r.w[2], "“保障政务网络光纤通畅”", "可衡量性");
	SAYS(&r.w[3], "“运维项目完成数量”", "50 %", "2.5 of 5");
	SAYS(&r.w[4], "“增强信息安全”", "scores 4", "2.5");
	finish(&r);
}

static void
scores_and_weights_in_range(void **state)
{
	struct check_node t[] = {
		{ .code = "1", .name = "一", .parent = R, W(400), S(450), .comment = "超出" },
		{ .code = "2", .name = "二", .parent = R, W(400), S(-50), .comment = "负分" },
		{ .code = "3", .name = "三", .parent = R, W(-100) },
		{ .code = "4", .name = "四", .parent = R, S(900) },
	};
	static const struct want want[] = { { "score-range", "1" }, { "score-range", "2" },
		{ "weight-range", "3" } };
	struct result r = run(t, NELEM(t));

	ignore(&r, "no-evidence");
	expect(&r, want, NELEM(want));
	SAYS(&r.w[0], "4.5", "4");
	SAYS(&r.w[1], "-0.5");
	SAYS(&r.w[2], "-1");
	finish(&r);
}

static void
scored_leaves_need_evidence(void **state)
{
	struct check_node t[] = {
		{ .code = "1", .name = "组", .parent = R, W(800), ST(800) },
		{ .code = "1.1", .name = "有佐证", .parent = 0, W(400), S(400), .evidence = 3 },
		{ .code = "1.2", .name = "无佐证", .parent = 0, W(400), S(400) },
		{ .code = "1.3", .name = "未评分", .parent = 0 },
	};
	static const struct want want[] = { { "no-evidence", "1.2" } };
	struct result r = run(t, NELEM(t));

	expect(&r, want, NELEM(want));
	SAYS(&r.w[0], "“无佐证”", "佐证材料");
	finish(&r);
}

static void
template_rules_on_groups(void **state)
{
	struct check_node t[] = {
		{ .code = "3", .name = "项目绩效", .parent = R, W(5000) },
		{ .code = "3.1", .name = "项目产出", .parent = 0, W(2500) },
		{ .code = "3.1.1", .name = "租用网络线路正常运行率", .parent = 1, W(1200),
		    .personalised = true, .target = "100%" },
		{ .code = "3.1.2", .name = "运维项目完成数量", .parent = 1, W(800),
		    .personalised = true, .target = "5个" },
		{ .code = "3.1.3", .name = "综合评价", .parent = 1, W(500) },
		{ .code = "3.2", .name = "项目效益", .parent = 0, W(2500) },
		{ .code = "3.2.1", .name = "达到项目预期效益指标，或服务对象满意度指标",
		    .parent = 5, W(2000) },
		{ .code = "3.2.1.1", .name = "提高网络稳定性", .parent = 6, W(500),
		    .personalised = true, .target = "99%", .category = "社会效益" },
		{ .code = "3.2.1.2", .name = "增强信息安全", .parent = 6, W(500),
		    .personalised = true, .target = "0起" },
		{ .code = "3.2.1.3", .name = "提高公共服务质量", .parent = 6, W(500),
		    .personalised = true, .target = "100%" },
		{ .code = "3.2.1.4", .name = "提升政府工作效率", .parent = 6, W(500),
		    .personalised = true, .target = "10项" },
		{ .code = "3.2.2", .name = "综合评价", .parent = 5, W(500) },
	};
	static const struct want want[] = { { "personalised-count", "3.1" },
		{ "personalised-weight", "3.1.1" }, { "personalised-weight", "3.1.2" },
		{ "no-satisfaction", "3.2" } };
	struct result r = run(t, NELEM(t));

	/* The group row's name mentions 满意度; only an indicator (a leaf) counts. */
	expect(&r, want, NELEM(want));
	SAYS(&r.w[0], "“项目产出”", "2 personalised", "3");
	SAYS(&r.w[1], "12", "7");
	SAYS(&r.w[3], "“项目效益”", "满意度", "3 points");
	finish(&r);

	t[10].category = "满意度";
	t[2].weight = t[3].weight = 700;
	t[4].personalised = true;
	t[4].target = "1";
	t[1].weight = 1900;
	t[0].weight = 4400;
	r = run(t, NELEM(t));
	expect_none(&r);
	finish(&r);
}

static void
long_names_are_cut_on_a_character(void **state)
{
	char name[2000];
	struct check_node t[] = { { .code = "1", .parent = R, W(100), S(200) } };
	struct result r;
	size_t i;

	for (i = 0; i + sizeof("指标") < sizeof(name); i += sizeof("指标") - 1)
		memcpy(name + i, "指标", sizeof("指标") - 1);
	name[i] = '\0';
	t[0].name = name;
	r = run(t, NELEM(t));
	ignore(&r, "no-evidence");
	assert_int_equal(r.n, 1);
	assert_true(strlen(r.w[0].text) < CHECK_TEXT_MAX);
	SAYS(&r.w[0], "…", "above its weight");
	finish(&r);
}

static void
too_many_warnings_are_truncated(void **state)
{
	size_t n = 700;
	struct check_node *t = calloc(n, sizeof(*t));
	struct result r;

	assert_non_null(t);
	/* Each: no name, no evidence: 1400 warnings. */
	for (size_t i = 0; i < n; i++) {
		t[i].code = "x";
		t[i].parent = R;
		t[i].has_score = true;
	}
	r = run(t, n);
	assert_int_equal(r.n, CHECK_WARNINGS_MAX);
	assert_string_equal(r.w[r.n - 1].kind, "truncated");
	SAYS(&r.w[r.n - 1], "377 more");
	assert_string_equal(r.w[0].kind, "no-name");
	assert_string_equal(r.w[1].kind, "no-evidence");
	finish(&r);
	free(t);
}

/* Random texts made of the fragments the scanners look for, cut anywhere, even mid-character. */
static void
texts_of_any_shape_are_read_safely(void **state)
{
	static const char *const frags[] = { "×", "＊", "*", "乘以", "得", "分", "满分", "总分",
		"以上", "每", "万元", "元", "亿元", "%", "％", "，", "。", "未见", "未发现", "满意",
		"效益", "0", "1", "7", "8", "17", "428", ".", "54", ",", "285", "１", "\xef\xbc",
		"\xe4\xb8", "\xe3\x80\x80", " ", "\n", "a" };
	enum { NODES = 64, LEN = 96 };
	static char texts[NODES][4][LEN];
	struct check_node t[NODES];
	struct check_input in = { .nodes = t, .n = NODES, .expected_total = 10000,
		.ledger = { .present = true, .final_budget = 507740000, .spent = 428543440 } };
	uint32_t x = 2463534242u;

	for (int round = 0; round < 50; round++) {
		struct check_warning *w = NULL;
		size_t n = 0;

		memset(t, 0, sizeof(t));
		for (size_t i = 0; i < NODES; i++) {
			for (size_t f = 0; f < 4; f++) {
				size_t len = 0;

				for (;;) {
					const char *fr;
					size_t fl;

					x ^= x << 13, x ^= x >> 17, x ^= x << 5;
					fr = frags[x % NELEM(frags)];
					fl = strlen(fr);
					if (len + fl >= LEN || x % 29 == 0)
						break;
					memcpy(texts[i][f] + len, fr, fl);
					len += fl;
				}
				texts[i][f][len] = '\0';
			}
			t[i].code = "c";
			t[i].name = texts[i][0];
			t[i].criteria = t[i].target = texts[i][1];
			t[i].comment = t[i].category = texts[i][2];
			t[i].actual = texts[i][3];
			t[i].parent = i == 0 ? R : x % i;
			t[i].has_weight = x % 3 != 0;
			t[i].weight = (int64_t)(x % 2000);
			t[i].has_score = x % 5 != 0;
			t[i].score = (int64_t)(x % 1000);
			t[i].has_stated = x % 7 == 0;
			t[i].stated = (int64_t)(x % 3000);
			t[i].personalised = x % 2 == 0;
		}
		assert_jx_ok(check_run(&in, &w, &n));
		for (size_t i = 0; i < n; i++)
			assert_true(strlen(w[i].text) < CHECK_TEXT_MAX);
		check_free(w);
	}
}

static void
malformed_input_is_refused(void **state)
{
	struct check_node t[] = {
		{ .code = "1", .parent = R },
		{ .code = "1.1", .parent = 0 },
	};
	struct check_input in = { .nodes = t, .n = NELEM(t) };
	struct check_warning *w = (struct check_warning *)&in;
	size_t n = 99;

	assert_jx_err(check_run(NULL, &w, &n), JX_EINVAL);
	assert_jx_err(check_run(&in, NULL, &n), JX_EINVAL);
	assert_jx_err(check_run(&in, &w, NULL), JX_EINVAL);

	t[0].parent = 1; /* a child before its parent */
	assert_jx_err(check_run(&in, &w, &n), JX_EINVAL);
	t[0].parent = 0; /* its own parent */
	assert_jx_err(check_run(&in, &w, &n), JX_EINVAL);
	t[0].parent = R;
	t[1].code = NULL;
	assert_jx_err(check_run(&in, &w, &n), JX_EINVAL);
	t[1].code = "1.1";
	t[1].has_score = true;
	t[1].score = 1000000000000001LL;
	assert_jx_err(check_run(&in, &w, &n), JX_EINVAL);
	t[1].score = 0;
	in.ledger.present = true;
	in.ledger.spent = -1;
	assert_jx_err(check_run(&in, &w, &n), JX_EINVAL);
	in.ledger.present = false;
	in.expected_total = -1;
	assert_jx_err(check_run(&in, &w, &n), JX_EINVAL);
	in.expected_total = 0;
	in.n = CHECK_NODES_MAX + 1;
	assert_jx_err(check_run(&in, &w, &n), JX_EINVAL);
	in.nodes = NULL;
	in.n = 1;
	assert_jx_err(check_run(&in, &w, &n), JX_EINVAL);

	assert_ptr_equal(w, (struct check_warning *)&in);
	assert_int_equal(n, 99);
	check_free(NULL);
}

/*
 * Seed 002's scoring sheet as the report states it: weights, criteria and scores from the
 * appendix (评分表), subtotals (小计) from the body's §四; 综合评价 of 项目效益 is 5 in the
 * appendix and 4 in the body. The 20-point rows of personalised indicators are a node of
 * their own, as in the appendix. Texts are the appendix's, shortened where marked "…".
 */
enum {
	A, A1, A11, A12, A2, A21, A22,
	M, M1, M11, M12, M2, M21, M22, M23,
	P, P1, P1G, P1G1, P1G2, P1G3, P1G4, P1G5, P12, P2, P2G, P2G1, P2G2, P2G3, P2G4, P22,
	S, S1, S11, S2, S21, S22,
	SEED_N
};

static const char seed_output_criteria[] =
    "1.此指标需分设 3 个以上的三级个性化指标，指标总分 20 分，分值权重自行设定，单个指标分值不超过 "
    "7 分，完成全部预期工作，工作质量和实效均达到预期得 15 分以上；完成主体工作，工作质量和时效基本"
    "达到预期的，得分在 10-15 分之间；完成部分工作，工作质量和时效得到部分体现的，得分在 5-10 分之"
    "间；明显未完成工作的，得分在 5 分以下；2.所有三级指标，须设置具体的指标值，描述该项指标应达到"
    "的预期值，否则该指标按起评分 50%计算。（根据单位自评报告给出指标进行评价）";

static const char seed_outcome_criteria[] =
    "1.此指标需分设 3 个以上的三级个性化指标，指标总分 20 分，分值权重自行设定，单个指标分值不超过 "
    "7 分，其中应设未设满意度指标的扣 3 分。项目实现预算效益得分 15 分以上；项目基本实现预算效益得"
    "分 10-15 分之间；项目实现部分预算效益得分在 5-10 分之间；明显未达到预期效益的，得分在 5 分以下"
    "；2.所有三级指标，须设置具体的指标值，描述该项指标应达到的预期值，否则该指标按起评分 50%计算。"
    "（根据单位自评报告给出指标进行评价）";

static const struct check_node seed002[SEED_N] = {
	[A] = { .code = "1", .name = "项目安排", .parent = R, W(1500), ST(1200) },
	[A1] = { .code = "1.1", .name = "立项情况", .parent = A, W(700), ST(650) },
	[A11] = { .code = "1.1.1", .name = "立项依据适应性", .parent = A1, W(400), S(350),
	    .evidence = 1,
	    .criteria = "立项依据充分，列入规划或工作计划得 4 分；立项依据较充分，符合部门职能及财"
			"政支出方向得 2 分；上述都不符合不得分。",
	    .comment = "…项目是依据广东省人民政府和广州市人民政府关于推进“数字政府”改革建设的工作要"
		       "求立项的，立项依据充分…。但项目立项申请…（番政数〔2023〕55 号）报送时间为 2"
		       "023 年 10 月，晚于项目实际开展时间，立项申报工作存在一定滞后性。" },
	[A12] = { .code = "1.1.2", .name = "前期工作充分性", .parent = A1, W(300), S(300),
	    .evidence = 1,
	    .criteria = "论证、可研、风险防范等前期工作充分得 3 分，前期工作基本完成得 2 分，未开展"
			"或不充分不得分。",
	    .comment = "…项目单位针对设立番禺区“数字政府”建设专项资金进行了可行性研究，分析了设立项"
		       "目的必要性与可行性，项目前期经过了充分的计划和论证研究工作，具备较为完善的"
		       "中期规划，前期工作较为充分。" },
	[A2] = { .code = "1.2", .name = "绩效目标", .parent = A, W(800), ST(550) },
	[A21] = { .code = "1.2.1", .name = "绩效目标合理性", .parent = A2, W(400), S(300),
	    .evidence = 1,
	    .criteria = "绩效目标设置合理、定位清晰、表述准确得 4 分；绩效目标设置较为合理、表述较"
			"准确得 3 分；绩效目标设置基本合理、表述基本准确得 2 分；绩效目标设置基本合"
			"理、表述欠准确得 1 分；绩效目标设置不合理不得分。",
	    .comment = "…但自评阶段的绩效目标未体现项目的产出和效益，绩效目标的完整性不足，定位不清"
		       "晰。" },
	[A22] = { .code = "1.2.2", .name = "绩效指标规范性", .parent = A2, W(400), S(250),
	    .evidence = 1,
	    .criteria = "绩效指标需设置产出和效益的个性化指标，个数标准：绩效指标个数在 6 个以上，"
			"量化指标在 4 个以上得 4 分；绩效指标个数在 5 个以上，量化指标在 3 个以上得"
			" 3 分；绩效指标个数在 4 个以上，量化指标在 2 个以上得 2 分；绩效指标个数在"
			" 3 个以上，量化指标在 1 个以上得 1 分；绩效指标不足 2 个或无量化指标的不得"
			"分。每个绩效指标设置相应的指标名称、指标预期值，量化指标需明确计算方法，指"
			"标值或计算方法含糊不清的酌情扣分。",
	    .comment = "…项目申报阶段共设置 8 个绩效指标…综上，自评阶段绩效指标的可衡量性不足，指标"
		       "规范性有待提高。" },
	[M] = { .code = "2", .name = "项目管理", .parent = R, W(2700), ST(2038) },
	[M1] = { .code = "2.1", .name = "财务管理", .parent = M, W(1500), ST(1088) },
	[M11] = { .code = "2.1.1", .name = "财务管理情况", .parent = M1, W(700), S(600),
	    .evidence = 1,
	    .criteria = "财务资料真实完整，按制度核算、按规定用途和标准使用资金得 2 分；财务资料不"
			"全面、部分账务处理不规范酌情扣分；有虚列、截留、挤占、挪用、超标等问题，该"
			"项目不得分。",
	    .comment = "…财务资料基本真实完整，资金支出能够按有关制度核算，支出用途符合规定用途，未"
		       "发现存在虚列、截留、挤占、挪用、超标的问题。但部分子项存在财务资料不完整和"
		       "延迟支付问题…" },
	[M12] = { .code = "2.1.2", .name = "支出完成率", .parent = M1, W(800), S(488),
	    .evidence = 1, .method = "linear",
	    .criteria = "预算支出执行率=支出金额÷年度预算安排（上年结转+年初预算+预算追加减）×100%"
			"，本指标得分 =（预算支出执行率-60%）÷（100%-60%）×17，低于 60%不得分。该项"
			"指标为否定性指标，对于预算支出执行率低于 60%的项目，该项指标不得分，且不得"
			"评为优、良等次。",
	    .comment = "根据《2023 年广州市番禺区政务服务数据管理局（本级）部门预算》，项目年初下达"
		       "预算 1164.43 万元，根据《2023 年第二次预算支出调整表》，项目第一次预算调减 "
		       "30.01 万元，第二次预算调减 626.68 万元，经过两次调减后的项目年度预算为 507."
		       "74 万元。根据区政务服务数据管理局提供的项目相关明细账，2023 年度本项目支出 "
		       "428.54 元，预算执行率为 84.40%。" },
	[M2] = { .code = "2.2", .name = "业务管理", .parent = M, W(1200), ST(950) },
	[M21] = { .code = "2.2.1", .name = "项目执行情况", .parent = M2, W(400), S(400),
	    .evidence = 1,
	    .criteria = "项目实施过程是否按照项目立项时的实施方案及制定的相关管理制度执行；项目调整"
			"、变更情况（项目是否多次变更、变更依据是否合理）。",
	    .comment = "…项目实施过程基本按照…的相关规定进行立项管理和支付管理，各子项实施期间发生"
		       "的调整也及时根据调整情况签订了补充协议，项目执行程序基本规范。" },
	[M22] = { .code = "2.2.2", .name = "项目绩效运行监控开展情况", .parent = M2, W(300),
	    S(100), .evidence = 1,
	    .criteria = "开展绩效运行监控工作，紧密跟进项目绩效运行情况，并采取相应处理措施得 3 分"
			"；开展绩效运行监控工作，但未及时采取措施调整预算及绩效目标的，按实际工作开"
			"展情况评分；未开展绩效运行监控工作的不得分。",
	    .comment = "…但未见开展绩效运行监控工作的文件，且年初设置的绩效目标及指标与自评阶段设置"
		       "的绩效目标及指标存在差异，未见相关调整文件。" },
	[M23] = { .code = "2.2.3", .name = "项目过程质量控制情况", .parent = M2, W(500), S(450),
	    .evidence = 1,
	    .criteria = "根据项目管理组织和人员保障是否充分，是否按规定进行招标、采购、验收等，是否"
			"制定或具有相应的项目质量要求和标准，是否采取相应的项目质量检查、验收等措施"
			"来评分。",
	    .comment = "…但政府专线租用子项中三家网络运营商的短信、专线业务的前期采购工作规范性不足"
		       "，反映质量控制方面存在一定缺陷。" },
	[P] = { .code = "3", .name = "项目绩效", .parent = R, W(5000), ST(4700) },
	[P1] = { .code = "3.1", .name = "项目产出", .parent = P, W(2500), ST(2400) },
	[P1G] = { .code = "3.1.1",
	    .name = "完成预期产出或服务的数量，达到预期的质量（标准、水平、效果）和时效（及时程度、"
		    "效率）",
	    .parent = P1, W(2000), .criteria = seed_output_criteria },
	[P1G1] = { .code = "3.1.1.1", .name = "租用网络线路正常运行率", .parent = P1G, W(400),
	    S(400), .evidence = 1, .personalised = true, .category = "产出", .target = "100%",
	    .actual = "100%",
	    .comment = "指标值“100%”。…三家网络运营商的网络线路运行情况均稳定良好，未发现存在网络故"
		       "障未解决的问题。" },
	[P1G2] = { .code = "3.1.1.2", .name = "运维项目完成数量", .parent = P1G, W(400), S(400),
	    .evidence = 1, .personalised = true, .category = "产出", .target = "5 个",
	    .actual = "按合同约定开展",
	    .comment = "指标值“5 个”。…除番禺区常务会议室智能化系统维护保养项目尚在服务期外，其他项"
		       "目均完成了相应服务内容并进行了验收。" },
	[P1G3] = { .code = "3.1.1.3", .name = "硬件设施维护及时率", .parent = P1G, W(400),
	    S(400), .evidence = 1, .personalised = true, .category = "产出", .target = "100%",
	    .actual = "100%",
	    .comment = "指标值“100%”。…均能在合同约定的时限内对出现问题的硬件设施进行维护保养，维护"
		       "及时率 100%。" },
	[P1G4] = { .code = "3.1.1.4", .name = "政府媒体监测频率", .parent = P1G, W(400), S(400),
	    .evidence = 1, .personalised = true, .category = "产出",
	    .target = "每日、每周、每月监测关键指标，每月监测全指标",
	    .actual = "达到合同约定监测频率",
	    .comment = "…中标单位根据监测频率向区政务服务数据管理局报送月度普查监测报告…等监测结果"
		       "，监测频率达到预期指标值。" },
	[P1G5] = { .code = "3.1.1.5", .name = "设备采购验收合格率", .parent = P1G, W(400),
	    S(400), .evidence = 1, .personalised = true, .category = "产出", .target = "100%",
	    .actual = "100%",
	    .comment = "指标值“100%”。…上述设备采购项目均通过了验收，验收合格率 100%。" },
	[P12] = { .code = "3.1.2", .name = "项目产出绩效情况综合评价", .parent = P1, W(500),
	    S(400), .evidence = 1,
	    .criteria = "根据项目产出绩效情况综合评判。从所设置绩效指标是否能全面涵盖年度工作任务，"
			"是否存在避重就轻现象评分。",
	    .comment = "项目自评表中设置的绩效指标完成情况分析中基本能够反映本项目的产出情况，但三"
		       "级指标未设置名称，指标含义不明确。" },
	[P2] = { .code = "3.2", .name = "项目效益", .parent = P, W(2500), ST(2200) },
	[P2G] = { .code = "3.2.1",
	    .name = "达到项目预期效益（经济效益、社会效益、文化效益、生态效益）指标，或服务对象满意"
		    "度指标",
	    .parent = P2, W(2000), .criteria = seed_outcome_criteria },
	[P2G1] = { .code = "3.2.1.1", .name = "提高网络稳定性", .parent = P2G, W(500), S(400),
	    .evidence = 1, .personalised = true, .category = "效益",
	    .target = "提高网络速度，保障网络稳定运行",
	    .comment = "…反映当前网络运行速度可能难以适应政务工作对网络速度的要求。" },
	[P2G2] = { .code = "3.2.1.2", .name = "增强信息安全", .parent = P2G, W(500), S(400),
	    .evidence = 1, .personalised = true, .category = "效益",
	    .target = "完善网络风险防范机制，保护政务信息安全",
	    .comment = "…区政务服务数据管理局采购了网络与边界安全软件及相关配套服务，但未见该软件运"
		       "行情况的相关佐证材料。" },
	[P2G3] = { .code = "3.2.1.3", .name = "提高公共服务质量", .parent = P2G, W(500), S(500),
	    .evidence = 1, .personalised = true, .category = "效益",
	    .target = "定期维护政府服务系统，保障公共服务正常开展",
	    .comment = "…对各个服务系统产生的问题进行修复，提高了政务服务系统运行稳定性和公共服务质"
		       "量，保障对内与对外的政务工作能够顺利开展。" },
	[P2G4] = { .code = "3.2.1.4", .name = "提升政府工作效率", .parent = P2G, W(500), S(500),
	    .evidence = 1, .personalised = true, .category = "效益",
	    .target = "开发政务系统功能，促进政务工作信息化",
	    .comment = "…有效推动了政务工作的信息化进程，有利于推动政务工作效率和管理水平。" },
	[P22] = { .code = "3.2.2", .name = "项目效益绩效情况综合评价", .parent = P2, W(500),
	    S(500), ST(400), .evidence = 1,
	    .criteria = "根据项目效益绩效情况综合评判。从所设置绩效指标是否能全面涵盖年度工作任务，"
			"是否存在避重就轻现象评分。",
	    .comment = "项目自评表中设置的绩效指标基本能覆盖项目年度工作任务的效益实现情况，但三级"
		       "指标未设置指标名称，指标含义不明确。" },
	[S] = { .code = "4", .name = "可持续性", .parent = R, W(800), ST(800) },
	[S1] = { .code = "4.1", .name = "项目可持续性", .parent = S, W(300), ST(300) },
	[S11] = { .code = "4.1.1", .name = "项目可持续性", .parent = S1, W(300), S(300),
	    .evidence = 1,
	    .criteria = "经常性项目反映近三年的资金情况，分析项目存在的问题，提出项目下一步发展的建"
			"议。…根据是否全面反映项目资金情况，分析问题是否客观准确，提出建议是否有针"
			"对性酌情评分。",
	    .comment = "本项目为经常性项目，项目自评报告中提出项目下一步发展的建议，并分析项目存在"
		       "的问题，提出项目下一步发展的建议，报告对项目资金情况的反映全面、清晰，问题"
		       "基本客观准确，建议具有针对性。" },
	[S2] = { .code = "4.2", .name = "自评组织工作情况", .parent = S, W(500), ST(500) },
	[S21] = { .code = "4.2.1", .name = "自评工作质量", .parent = S2, W(300), S(300),
	    .evidence = 1,
	    .criteria = "自评组织工作完善，自评材料提交及时、资料齐全、编写规范得 3 分；缺任何一份"
			"资料且不按要求补充完整，最高得 2 分；资料不全且不按要求及时补充完整得 0 分"
			"。",
	    .comment = "根据区政务服务数据管理局提供的相关材料，区政务服务数据管理局自评材料提交基"
		       "本及时，但自评报告与自评表内绩效目标及绩效指标的设置内容未能一一对应，自评"
		       "材料之间不一致，质量有待提高。" },
	[S22] = { .code = "4.2.2", .name = "现场表现", .parent = S2, W(200), S(200),
	    .evidence = 1,
	    .criteria = "实施现场查看和面谈项目：积极配合现场查看和面谈，现场应答简明有依据得 2 分"
			"，现场应答简明但依据不足，最高得 1.5 分；不配合现场查看和面谈，现场应答不"
			"对题得 0 分。实施书面评价项目：积极配合评价工作，与对接人员沟通积极，对项"
			"目运行情况熟悉得 2 分；积极配合评价工作，但对项目运行情况不熟悉，最高得 1."
			"5 分；不配合评价工作得 0 分。",
	    .comment = "根据区政务服务数据管理局提供的相关材料，区政务服务数据管理局自评材料提交及"
		       "时、资料齐全，编写基本规范，并能够积极配合评价工作，与对接人员沟通积极。" },
};

/* Seed 002's budget facts: 1164.43 - 30.01 - 626.68 = 507.74 万元, spent 4 285 434.40 元. */
static struct check_input
seed002_input(const struct check_node *nodes)
{
	struct check_input in = { .nodes = nodes, .n = SEED_N, .expected_total = 10000,
		.has_stated_total = true, .stated_total = 8738,
		.ledger = { .present = true, .final_budget = 507740000, .spent = 428543440 } };

	return in;
}

static void
seed002_inconsistencies_are_found(void **state)
{
	struct check_input in = seed002_input(seed002);
	static const struct want want[] = {
		{ "formula-weight", "2.1.1" },
		{ "formula-weight", "2.1.2" },
		{ "unit", "2.1.2" },
		{ "subtotal", "3" },
		{ "qualitative-target", "3.1.1.4" },
		{ "subtotal", "3.2" },
		{ "no-satisfaction", "3.2" },
		{ "qualitative-target", "3.2.1.1" },
		{ "qualitative-target", "3.2.1.2" },
		{ "qualitative-target", "3.2.1.3" },
		{ "qualitative-target", "3.2.1.4" },
		{ "stated-score", "3.2.2" },
		{ "full-critical", "3.2.2" },
		{ "full-critical", "4.2.1" },
	};
	struct result r = run_input(&in);

	expect(&r, want, NELEM(want));
	SAYS(find(&r, "formula-weight", "2.1.1"), "“财务管理情况”", "得2分", "7");
	SAYS(find(&r, "formula-weight", "2.1.2"), "“支出完成率”", "×17", "is 8");
	SAYS(find(&r, "unit", "2.1.2"), "428.54 元", "428.54 万元", "支出");
	SAYS(find(&r, "subtotal", "3"), "“项目绩效”", "states 47", "add up to 46");
	SAYS(find(&r, "subtotal", "3.2"), "“项目效益”", "states 22", "add up to 23");
	SAYS(find(&r, "stated-score", "3.2.2"), "states 4", "scores it 5");
	SAYS(find(&r, "full-critical", "3.2.2"), "full marks", "三级指标未设置指标名称");
	SAYS(find(&r, "full-critical", "4.2.1"), "“自评工作质量”", "full marks (满分) 3",
	    "未能一一对应");
	SAYS(find(&r, "no-satisfaction", "3.2"), "满意度", "3 points");
	finish(&r);
}

static void
seed002_corrected_gives_none(void **state)
{
	struct check_node t[SEED_N];
	struct check_input in;
	struct result r;

	memcpy(t, seed002, sizeof(t));
	in = seed002_input(t);
	t[M11].criteria = "财务资料真实完整，按制度核算、按规定用途和标准使用资金得 7 分；财务资料"
			  "不全面、部分账务处理不规范酌情扣分。";
	t[M12].criteria = "本指标得分 =（预算支出执行率-60%）÷（100%-60%）×8，低于 60%不得分。";
	t[M12].comment = "经过两次调减后的项目年度预算为 507.74 万元。2023 年度本项目支出 428.54 万"
			 "元，预算执行率为 84.40%。";
	t[P2].stated = 2300;
	t[P22].has_stated = false;
	t[P22].comment = "项目自评表中设置的绩效指标基本能覆盖项目年度工作任务的效益实现情况。";
	t[S21].comment = t[S22].comment;
	t[P1G4].target = "每月监测 1 次全指标";
	t[P2G1].target = "网络年可用率≥99%";
	t[P2G2].target = "网络安全事故 0 起";
	t[P2G3].target = "问题处理及时率 100%";
	t[P2G4].name = "服务对象满意度";
	t[P2G4].category = "满意度";
	t[P2G4].target = "≥95%";
	r = run_input(&in);
	expect_none(&r);
	finish(&r);
}

/* Issue 12: unscored leaves, flagged targets, stated figures, adjustments. */
static void
issue12_warnings(void **state)
{
	const struct check_node t[] = {
		{ .code = "1", .name = "产出", .parent = R, W(1000) },
		{ .code = "1.1", .name = "办结时限", .parent = 0, W(500), S(500), .evidence = 1,
		    .target = "5个工作日内办结", .actual = "4个工作日" },
		{ .code = "1.2", .name = "同比增长", .parent = 0, W(500), .evidence = 1,
		    .target = "不低于上年水平", .note = "指标值没有读懂" },
		{ .code = "2", .name = "加减分项", .parent = R, W(0) },
		{ .code = "2.1", .name = "决算公开受到表扬", .parent = 3, W(0), S(250),
		    .method = "adjustment", .evidence = 1 },
	};
	struct check_input in = { .nodes = t, .n = NELEM(t), .list_unscored = true,
		.has_stated_total = true, .stated_total = 800 };
	struct result r;

	/* Seed 003: 2655.11 − 592.33 = 2062.78 printed as 1062.78, at 100 % for 2062.78 spent. */
	in.ledger = (struct check_ledger){ .present = true, .final_budget = 206278LL * 10000,
		.spent = 206278LL * 10000, .has_stated_final = true,
		.stated_final = 106278LL * 10000, .has_stated_rate = true, .stated_rate = 10000 };
	r = run_input(&in);
	ignore(&r, "no-evidence");
	{
		/* While 1.2 is unscored the total is not compared yet. */
		const struct want want[] = {
			{ "budget-stated", NULL },
			{ "qualitative-target", "1.2" },
			{ "unscored", "1.2" },
			{ "flagged-target", "1.2" },
		};
		expect(&r, want, NELEM(want));
	}
	SAYS(find(&r, "budget-stated", NULL), "1062.78", "2062.78");
	SAYS(find(&r, "unscored", "1.2"), "provisional", "指标值没有读懂");
	SAYS(find(&r, "flagged-target", "1.2"), "不低于上年水平");
	finish(&r);

	/* Scored: 5 + 5 + 2.5 (an adjustment above its weight 0, no warning) = 12.50 ≠ 8. */
	{
		struct check_node u[NELEM(t)];

		memcpy(u, t, sizeof(t));
		u[2].has_score = true;
		u[2].score = 500;
		u[2].note = NULL;
		in.nodes = u;
		r = run_input(&in);
		ignore(&r, "no-evidence");
		ignore(&r, "qualitative-target");
		ignore(&r, "flagged-target");
		ignore(&r, "budget-stated");
		{
			const struct want want[] = { { "subtotal", NULL } };
			expect(&r, want, NELEM(want));
		}
		SAYS(find(&r, "subtotal", NULL), "8", "12.5");
		finish(&r);
		in.nodes = t;
	}

	/* A stated rate that disagrees; nothing listed as unscored for a declaration. */
	in.ledger.stated_final = in.ledger.final_budget;
	in.ledger.stated_rate = 9000;
	in.list_unscored = false;
	in.has_stated_total = false;
	r = run_input(&in);
	ignore(&r, "no-evidence");
	{
		const struct want want[] = {
			{ "budget-stated", NULL },
			{ "qualitative-target", "1.2" },
			{ "flagged-target", "1.2" },
		};
		expect(&r, want, NELEM(want));
	}
	SAYS(find(&r, "budget-stated", NULL), "90.00%", "100.00%");
	finish(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(issue12_warnings),
		cmocka_unit_test(clean_tree_gives_none),
		cmocka_unit_test(weights_add_up),
		cmocka_unit_test(subtotals_add_up),
		cmocka_unit_test(formula_agrees_with_weight),
		cmocka_unit_test(units_match_the_ledger),
		cmocka_unit_test(full_marks_with_critical_comment),
		cmocka_unit_test(lost_points_need_a_comment),
		cmocka_unit_test(names_and_targets),
		cmocka_unit_test(scores_and_weights_in_range),
		cmocka_unit_test(scored_leaves_need_evidence),
		cmocka_unit_test(template_rules_on_groups),
		cmocka_unit_test(long_names_are_cut_on_a_character),
		cmocka_unit_test(too_many_warnings_are_truncated),
		cmocka_unit_test(texts_of_any_shape_are_read_safely),
		cmocka_unit_test(malformed_input_is_refused),
		cmocka_unit_test(seed002_inconsistencies_are_found),
		cmocka_unit_test(seed002_corrected_gives_none),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
