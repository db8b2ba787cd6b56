/*
 * History through jx on a real daemon: every past revision rebuilt exactly, the log,
 * diff and blame, carrying a workspace into the next year with indicator lineage, and
 * a subject's trend (seeds 001 and 000: the bureau's 2021 and 2022 self-evaluations).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <cmocka.h>

#include "daemon.h"
#include "jxtest.h"

#define STEPS_MAX 32

static void
assert_has(const char *text, const char *want)
{
	if (strstr(text, want) == NULL)
		fail_msg("expected %s in:\n%s", want, text);
}

/* The sheet of `jx score --json` without the workspace block (revision, times). */
static char *
sheet_part(char *json)
{
	char *p = strstr(json, "\n  \"weight\"");

	assert_non_null(p);
	return p;
}

static uint64_t
json_uint(const char *json, const char *key)
{
	char want[64];
	const char *p;

	snprintf(want, sizeof(want), "\"%s\": ", key);
	assert_non_null(p = strstr(json, want));
	return strtoull(p + strlen(want), NULL, 10);
}

static void
every_revision_rebuilt_exactly(void **state)
{
	static const char *const steps[][14] = {
		{ "node", "add", "1", "项目安排", "--weight", "15" },
		{ "node", "add", "1", "立项依据适应性", "--parent", "1", "--weight", "8",
		    "--score", "6", "--comment", "依据不够充分" },
		{ "node", "add", "1", "前期工作充分性", "--parent", "1", "--weight", "7" },
		{ "node", "set", "1", "1.2", "--score", "7" },
		{ "budget", "set", "1", "--initial", "100", "--spent", "90" },
		{ "node", "add", "1", "支出完成率", "--weight", "10", "--method", "linear",
		    "--params", "source=execution;lo=60%;hi=100%;veto=60%" },
		{ "node", "set", "1", "1.1", "--score", "8" },
		{ "budget", "set", "1", "--spent", "50" },
		{ "node", "add", "1", "可持续性", "--weight", "5" },
		{ "node", "mv", "1", "3", "--parent", "1" },
		{ "node", "set", "1", "1.1", "--code", "1.1a", "--comment", "补充了依据" },
		{ "node", "rm", "1", "1.2" },
		{ "budget", "set", "1", "--spent", "99" },
	};
	char *recorded[STEPS_MAX], *out;
	uint64_t revs[STEPS_MAX];
	size_t n = 0;
	struct jxd d;

	jxd_start(&d, false);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "ws", "create", "--subject", "回放", "--year",
	    "2023", "--kind", "key-evaluation", NULL), 0);
	for (size_t i = 0; i <= sizeof(steps) / sizeof(steps[0]); i++) {
		if (i > 0)
			assert_int_equal(jxd_jxv(&d, NULL, NULL, steps[i - 1]), 0);
		assert_int_equal(jxd_jx(&d, &recorded[n], NULL, "score", "1", "--json", NULL), 0);
		revs[n] = json_uint(recorded[n], "revision");
		n++;
	}
	/* Each state as recorded then equals the same revision rebuilt now. */
	for (size_t i = 0; i < n; i++) {
		char rev[24];

		snprintf(rev, sizeof(rev), "%llu", (unsigned long long)revs[i]);
		assert_int_equal(jxd_jx(&d, &out, NULL, "score", "1", "--at", rev, "--json", NULL),
		    0);
		if (strcmp(sheet_part(recorded[i]), sheet_part(out)) != 0)
			fail_msg("revision %s differs:\nthen %s\nnow %s", rev, recorded[i], out);
		free(out);
		free(recorded[i]);
	}
	assert_int_equal(jxd_jx(&d, NULL, NULL, "score", "1", "--at", "999", NULL), EX_NOINPUT);
	jxd_stop(&d);
	jxd_cleanup(&d);
}

static void
log_diff_and_blame(void **state)
{
	struct jxd d;
	char *out;

	jxd_start(&d, false);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "ws", "create", "--subject", "记录", "--year",
	    "2023", "--kind", "key-evaluation", NULL), 0);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "--user", "li", "node", "add", "1", "绩效目标合理性",
	    "--weight", "4", NULL), 0);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "--user", "li", "node", "set", "1", "1", "--score",
	    "3", "--comment", "目标与预算匹配度一般", NULL), 0);
	/* wang rewrites the comment only: the score is still li's. */
	assert_int_equal(jxd_jx(&d, NULL, NULL, "--user", "wang", "node", "set", "1", "1",
	    "--comment", "目标表述欠准确", NULL), 0);

	assert_int_equal(jxd_jx(&d, &out, NULL, "log", "1", NULL), 0);
	assert_has(out, "node.add");
	assert_has(out, "score: - → 3; comment: - → 目标与预算匹配度一般");
	assert_has(out, "comment: 目标与预算匹配度一般 → 目标表述欠准确");
	free(out);
	assert_int_equal(jxd_jx(&d, &out, NULL, "diff", "1", "2", "4", NULL), 0);
	assert_has(out, "changed  1");
	assert_has(out, "score: - → 3");
	assert_has(out, "total 0.00 → 3.00");
	free(out);
	assert_int_equal(jxd_jx(&d, &out, NULL, "blame", "1", "--json", NULL), 0);
	assert_has(out, "\"user\": \"li\"");
	assert_has(out, "\"revision\": 3,");
	assert_null(strstr(out, "wang"));
	free(out);
	jxd_stop(&d);
	jxd_cleanup(&d);
}

/* Seed 002 carried into 2024: tree and targets kept, scores cleared, series intact. */
static void
carry_keeps_the_tree_and_the_series(void **state)
{
	struct jxd d;
	char path[512], *out, *err;
	uint64_t lineage;
	char lin[24];

	jxd_start(&d, false);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "ws", "create", "--subject", "数字政府运维专项",
	    "--year", "2023", "--kind", "key-evaluation", NULL), 0);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "import", "sheet", "1",
	    jxtest_source_path("tests/data/seed002-sheet.csv", path, sizeof(path)), NULL), 0);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "budget", "set", "1", "--initial", "1164.43",
	    "--adjust", "-30.01", "--adjust", "-626.68", "--spent", "428.54", NULL), 0);
	assert_int_equal(jxd_jx(&d, &out, NULL, "ws", "carry", "1", "--to", "2024", "--json",
	    NULL), 0);
	assert_has(out, "\"fiscal_year\": 2024,");
	assert_has(out, "\"id\": 2,");
	free(out);
	assert_int_equal(jxd_jx(&d, &out, NULL, "score", "2", "--json", NULL), 0);
	assert_has(out, "\"total\": 0,");
	assert_has(out, "\"unscored\": 23,");
	assert_has(out, "\"name\": \"租用网络线路正常运行率\"");
	assert_has(out, "\"target\": \"100%\"");
	assert_has(out, "\"method\": \"linear\"");
	assert_null(strstr(out, "\"comment\": \"根据"));
	assert_null(strstr(out, "\"budget\""));
	free(out);
	/* A second 2024 key evaluation of the subject is refused. */
	assert_int_equal(jxd_jx(&d, NULL, &err, "ws", "carry", "1", "--to", "2024", NULL),
	    EX_CANTCREAT);
	assert_has(err, "already evaluates");
	free(err);

	/* Rename 1.1.1 in 2024: its series still lines up by lineage. */
	assert_int_equal(jxd_jx(&d, &out, NULL, "tree", "1", "--json", NULL), 0);
	lineage = json_uint(strstr(out, "\"code\": \"1.1.1\""), "lineage");
	free(out);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "node", "set", "2", "1.1.1", "--name",
	    "立项依据充分性", NULL), 0);
	snprintf(lin, sizeof(lin), "%llu", (unsigned long long)lineage);
	assert_int_equal(jxd_jx(&d, &out, NULL, "trend", "数字政府运维专项", "--indicator", lin,
	    "--json", NULL), 0);
	assert_has(out, "\"fiscal_year\": 2023,");
	assert_has(out, "\"fiscal_year\": 2024,");
	assert_has(out, "\"name\": \"立项依据适应性\"");
	assert_has(out, "\"name\": \"立项依据充分性\"");
	free(out);
	jxd_stop(&d);
	jxd_cleanup(&d);
}

/* Seeds 001 (2021: 94.65) and 000 (2022: 97.29): one bureau, two years, both 优. */
static void
trend_of_the_bureau(void **state)
{
	static const char *const subject = "广州市政务服务数据管理局";
	struct jxd d;
	char *out;

	jxd_start(&d, false);
	/* The bureau as a registered unit under its government, with one of its projects. */
	assert_int_equal(jxd_jx(&d, NULL, NULL, "unit", "add", "广州市人民政府", "--department",
	    NULL), 0);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "unit", "add", subject, "--parent",
	    "广州市人民政府", NULL), 0);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "project", "add", "12345政府服务热线", "--unit",
	    subject, NULL), 0);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "project", "add", "孤儿项目", NULL), EX_USAGE);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "unit", "add", subject, NULL), EX_CANTCREAT);
	assert_int_equal(jxd_jx(&d, &out, NULL, "unit", "list", NULL), 0);
	assert_has(out, "主管部门 1 广州市人民政府\n  预算单位 2 广州市政务服务数据管理局");
	free(out);
	assert_int_equal(jxd_jx(&d, &out, NULL, "project", "list", "--json", NULL), 0);
	assert_has(out, "\"recurrent\": true");
	free(out);
	assert_int_equal(jxd_jx(&d, &out, NULL, "ws", "create", "--unit", subject, "--year",
	    "2021", "--kind", "self-evaluation", "--json", NULL), 0);
	assert_has(out, "\"subject_id\": 2,");
	free(out);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "node", "add", "1", "履职效能", "--weight", "50",
	    "--score", "50", NULL), 0);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "node", "add", "1", "管理效能", "--weight", "45",
	    "--score", "42.15", "--comment", "见自评报告", NULL), 0);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "node", "add", "1", "加减分：决算公开获表扬",
	    "--method", "adjustment", "--params", "points=2.5", NULL), 0);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "budget", "set", "1", "--initial", "39295.10",
	    "--spent", "39253.31", NULL), 0);

	assert_int_equal(jxd_jx(&d, NULL, NULL, "ws", "create", "--subject", subject, "--year",
	    "2022", "--kind", "self-evaluation", NULL), 0);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "node", "add", "2", "履职效能", "--weight", "50",
	    "--score", "48.34", "--comment", "两项指标超额150%只得一半", NULL), 0);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "node", "add", "2", "管理效能", "--weight", "50",
	    "--score", "48.95", "--comment", "合同备案不及时扣0.5分等", NULL), 0);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "budget", "set", "2", "--initial", "49740.41",
	    "--spent", "49644.69", NULL), 0);

	assert_int_equal(jxd_jx(&d, &out, NULL, "trend", subject, "--json", NULL), 0);
	assert_has(out, "\"fiscal_year\": 2021,");
	assert_has(out, "\"total\": 94.65,");
	assert_has(out, "\"rate_percent\": 99.89,");
	assert_has(out, "\"fiscal_year\": 2022,");
	assert_has(out, "\"total\": 97.29,");
	/* The seed prints 99.8 %; 49 644.69 / 49 740.41 is 99.81 % to the hundredth. */
	assert_has(out, "\"rate_percent\": 99.81,");
	assert_null(strstr(out, "\"grade\": \"良\""));
	free(out);
	assert_int_equal(jxd_jx(&d, &out, NULL, "trend", subject, NULL), 0);
	assert_has(out, "2021");
	assert_has(out, "优");
	free(out);
	jxd_stop(&d);
	jxd_cleanup(&d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_revision_rebuilt_exactly),
		cmocka_unit_test(log_diff_and_blame),
		cmocka_unit_test(carry_keeps_the_tree_and_the_series),
		cmocka_unit_test(trend_of_the_bureau),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
