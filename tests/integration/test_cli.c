/*
 * jx end to end against a real jixiaod: workspaces, the indicator tree, totals,
 * edit conflicts, refusals, and everything intact after a restart.
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

#define JX_OK_RUN(d, out, ...) assert_int_equal(jxd_jx((d), (out), NULL, __VA_ARGS__, NULL), 0)

static int
setup(void **state)
{
	struct jxd *d = calloc(1, sizeof(*d));

	jxd_start(d, false);
	*state = d;
	return 0;
}

static int
teardown(void **state)
{
	struct jxd *d = *state;

	jxd_cleanup(d);
	free(d);
	return 0;
}

/* Asserts the JSON text has "key": value somewhere, exactly as printed. */
static void
assert_json_has(const char *json, const char *key, const char *value)
{
	char want[256];

	snprintf(want, sizeof(want), "\"%s\": %s", key, value);
	if (strstr(json, want) == NULL)
		fail_msg("expected %s in:\n%s", want, json);
}

/* Seed 002's 项目安排 branch (Template A), scored as the report scored it. */
static void
build_sheet(struct jxd *d)
{
	char *out;

	JX_OK_RUN(d, &out, "ws", "create", "--subject", "数字政府运维专项资金", "--year", "2023",
	    "--kind", "重点绩效评价", "--json");
	assert_json_has(out, "id", "1");
	assert_json_has(out, "kind", "\"key-evaluation\"");
	free(out);
	JX_OK_RUN(d, NULL, "node", "add", "1", "项目安排", "--weight", "15");
	JX_OK_RUN(d, NULL, "node", "add", "1", "立项情况", "--parent", "1", "--weight", "7");
	JX_OK_RUN(d, NULL, "node", "add", "1", "立项依据适应性", "--parent", "1.1", "--weight", "4",
	    "--score", "3.5", "--comment", "立项依据较充分，但未见可行性研究报告");
	JX_OK_RUN(d, NULL, "node", "add", "1", "前期工作充分性", "--parent", "1.1", "--weight", "3",
	    "--score", "3");
	JX_OK_RUN(d, NULL, "node", "add", "1", "绩效目标", "--parent", "1", "--weight", "8");
	JX_OK_RUN(d, NULL, "node", "add", "1", "绩效目标合理性", "--parent", "1.2", "--weight", "4",
	    "--score", "3", "--comment", "目标与预算匹配度一般");
	JX_OK_RUN(d, NULL, "node", "add", "1", "绩效指标规范性", "--parent", "1.2", "--weight", "4",
	    "--score", "2.5", "--comment", "三级指标未设置指标名称");
}

static void
tree_totals_are_sums_of_leaves(void **state)
{
	struct jxd *d = *state;
	char *out;

	build_sheet(d);
	JX_OK_RUN(d, &out, "tree", "1", "--json");
	/* 3.5 + 3 + 3 + 2.5 = 12 of 15, in hundredths underneath. */
	assert_json_has(out, "total", "12");
	assert_json_has(out, "weight", "15");
	assert_non_null(strstr(out, "\"code\": \"1.1.1\""));
	assert_json_has(out, "total", "6.5");
	assert_json_has(out, "total", "5.5");
	free(out);

	JX_OK_RUN(d, &out, "tree", "1");
	assert_non_null(strstr(out, "立项依据适应性"));
	assert_non_null(strstr(out, "total 12.00 of 15.00"));
	free(out);
}

static void
stale_edit_is_refused_with_the_current_value(void **state)
{
	struct jxd *d = *state;
	char *out, *err;

	build_sheet(d);
	/* 1.1.1 was last changed at revision 4; an edit based on revision 2 is stale. */
	JX_OK_RUN(d, NULL, "node", "set", "1", "1.1.1", "--score", "4", "--rev", "4");
	assert_int_equal(jxd_jx(d, &out, &err, "node", "set", "1", "1.1.1", "--score", "1",
	    "--rev", "4", "--json", NULL), EX_TEMPFAIL);
	assert_non_null(strstr(err, "was changed by"));
	assert_non_null(strstr(out, "\"code\": \"ABORTED\""));
	assert_json_has(out, "score", "4");
	free(out);
	free(err);
	JX_OK_RUN(d, &out, "tree", "1", "--json");
	assert_json_has(out, "total", "12.5");
	free(out);
}

static void
bad_input_is_refused_and_changes_nothing(void **state)
{
	struct jxd *d = *state;
	char *before, *after, *err;

	build_sheet(d);
	JX_OK_RUN(d, &before, "tree", "1", "--json");
	/* Above the weight, on a parent, unknown code, duplicate code, bad number. */
	assert_int_equal(jxd_jx(d, NULL, &err, "node", "set", "1", "1.1.1", "--score", "5",
	    NULL), EX_DATAERR);
	assert_non_null(strstr(err, "outside 0 to 4"));
	free(err);
	assert_int_equal(jxd_jx(d, NULL, NULL, "node", "set", "1", "1.1", "--score", "5", NULL),
	    EX_DATAERR);
	/* Points taken off need their reason. */
	assert_int_equal(jxd_jx(d, NULL, &err, "node", "set", "1", "1.1.2", "--score", "2", NULL),
	    EX_DATAERR);
	assert_non_null(strstr(err, "扣分原因"));
	free(err);
	assert_int_equal(jxd_jx(d, NULL, NULL, "node", "set", "1", "9.9", "--score", "1", NULL),
	    EX_NOINPUT);
	assert_int_equal(jxd_jx(d, NULL, NULL, "node", "add", "1", "x", "--code", "1.1", NULL),
	    EX_CANTCREAT);
	assert_int_equal(jxd_jx(d, NULL, &err, "node", "set", "1", "1.1.1", "--score", "3.555",
	    NULL), EX_USAGE);
	assert_non_null(strstr(err, "at most two decimals"));
	free(err);
	assert_int_equal(jxd_jx(d, NULL, NULL, "node", "mv", "1", "1", "--parent", "1.1.1", NULL),
	    EX_DATAERR);
	assert_int_equal(jxd_jx(d, NULL, NULL, "node", "rm", "1", "1.1", NULL), EX_DATAERR);
	assert_int_equal(jxd_jx(d, NULL, NULL, "tree", "99", NULL), EX_NOINPUT);
	JX_OK_RUN(d, &after, "tree", "1", "--json");
	assert_string_equal(before, after);
	free(before);
	free(after);
}

static void
move_and_remove_keep_totals_right(void **state)
{
	struct jxd *d = *state;
	char *out;

	build_sheet(d);
	JX_OK_RUN(d, NULL, "node", "mv", "1", "1.2.2", "--parent", "1.1");
	JX_OK_RUN(d, &out, "tree", "1", "--json");
	assert_json_has(out, "total", "9");  /* 1.1 = 3.5 + 3 + 2.5 */
	free(out);
	JX_OK_RUN(d, NULL, "node", "rm", "1", "1.2.1");
	JX_OK_RUN(d, NULL, "node", "rm", "1", "1.2");
	assert_int_equal(jxd_jx(d, NULL, NULL, "node", "rm", "1", "1.1", NULL), EX_DATAERR);
	JX_OK_RUN(d, NULL, "node", "rm", "1", "1.1", "--recursive");
	JX_OK_RUN(d, &out, "tree", "1", "--json");
	assert_json_has(out, "total", "0");
	assert_null(strstr(out, "立项依据适应性"));
	free(out);
}

static void
archived_workspace_refuses_edits(void **state)
{
	struct jxd *d = *state;
	char *out, *err;

	build_sheet(d);
	JX_OK_RUN(d, NULL, "ws", "create", "--subject", "广州市政务服务数据管理局", "--year",
	    "2022", "--kind", "self-evaluation");
	JX_OK_RUN(d, NULL, "ws", "archive", "1");
	assert_int_equal(jxd_jx(d, NULL, &err, "node", "set", "1", "1.1.1", "--score", "1", NULL),
	    EX_DATAERR);
	assert_non_null(strstr(err, "archived"));
	free(err);
	JX_OK_RUN(d, &out, "ws", "list", "--json");
	assert_null(strstr(out, "数字政府运维专项资金"));
	free(out);
	JX_OK_RUN(d, &out, "ws", "list", "--all", "--year", "2023", "--json");
	assert_non_null(strstr(out, "数字政府运维专项资金"));
	assert_null(strstr(out, "广州市"));
	free(out);
}

static void
restart_keeps_everything(void **state)
{
	struct jxd *d = *state;
	char *before, *after, *wsb, *wsa;

	build_sheet(d);
	JX_OK_RUN(d, NULL, "node", "set", "1", "1.2.1", "--comment", "目标与预算匹配");
	JX_OK_RUN(d, &before, "tree", "1", "--json");
	JX_OK_RUN(d, &wsb, "ws", "list", "--all", "--json");
	jxd_restart(d);
	JX_OK_RUN(d, &after, "tree", "1", "--json");
	JX_OK_RUN(d, &wsa, "ws", "list", "--all", "--json");
	assert_string_equal(before, after);
	assert_string_equal(wsb, wsa);
	free(before);
	free(after);
	free(wsb);
	free(wsa);
	/* Ids keep counting after a restart: nothing is reused. */
	JX_OK_RUN(d, &after, "ws", "create", "--subject", "s", "--year", "2024", "--kind",
	    "self-evaluation", "--json");
	assert_json_has(after, "id", "2");
	free(after);
}

static void
every_command_has_help_and_plain_errors(void **state)
{
	static const char *const helps[][4] = {
		{ "--help" }, { "ping", "--help" }, { "version", "--help" }, { "ws", "--help" },
		{ "ws", "create", "--help" }, { "ws", "list", "--help" }, { "ws", "show", "--help" },
		{ "ws", "archive", "--help" }, { "node", "--help" }, { "node", "add", "--help" },
		{ "node", "set", "--help" }, { "node", "mv", "--help" }, { "node", "rm", "--help" },
		{ "tree", "--help" },
	};
	struct jxd *d = *state;
	struct jxd away = *d;
	char *out, *err;

	for (size_t i = 0; i < sizeof(helps) / sizeof(helps[0]); i++) {
		assert_int_equal(jxd_jxv(d, &out, NULL, helps[i]), 0);
		assert_non_null(strstr(out, "usage: jx"));
		free(out);
	}
	assert_int_equal(jxd_jx(d, NULL, &err, "frobnicate", NULL), EX_USAGE);
	assert_non_null(strstr(err, "not a jx command"));
	free(err);
	assert_int_equal(jxd_jx(d, NULL, NULL, "ws", "create", "--subject", "x", NULL), EX_USAGE);
	/* No server there: one plain sentence, exit 69. */
	snprintf(away.url, sizeof(away.url), "ipc://%s/nobody.sock", d->dir);
	assert_int_equal(jxd_jx(&away, NULL, &err, "ping", NULL), EX_UNAVAILABLE);
	assert_non_null(strstr(err, "is the server running?"));
	assert_null(strchr(strchr(err, '\n') + 1, '\n'));
	free(err);
	JX_OK_RUN(d, &out, "ping", "--json");
	assert_json_has(out, "ok", "true");
	free(out);
}

static void
claims_warn_and_force_is_recorded(void **state)
{
	struct jxd *d = *state;
	char *out, *err;

	build_sheet(d);
	/* li claims 1.1.1; wang's edit goes through, with a warning. */
	JX_OK_RUN(d, NULL, "--user", "li", "node", "claim", "1", "1.1.1");
	JX_OK_RUN(d, &out, "tree", "1", "--json");
	assert_json_has(out, "claimed_by", "\"li\"");
	free(out);
	assert_int_equal(jxd_jx(d, NULL, &err, "--user", "wang", "node", "set", "1", "1.1.1",
	    "--comment", "补充说明", NULL), 0);
	assert_non_null(strstr(err, "claimed by li"));
	free(err);
	JX_OK_RUN(d, NULL, "--user", "li", "node", "claim", "1", "1.1.1", "--release");
	JX_OK_RUN(d, &out, "tree", "1", "--json");
	assert_null(strstr(out, "claimed_by"));
	free(out);

	/* A stale edit is refused, unless forced; the override is in the history. */
	assert_int_equal(jxd_jx(d, NULL, NULL, "node", "set", "1", "1.1.1", "--score", "4",
	    "--rev", "4", NULL), EX_TEMPFAIL);
	assert_int_equal(jxd_jx(d, NULL, NULL, "node", "set", "1", "1.1.1", "--score", "4",
	    "--force", NULL), EX_USAGE);
	assert_int_equal(jxd_jx(d, NULL, &err, "node", "set", "1", "1.1.1", "--score", "4",
	    "--rev", "4", "--force", NULL), 0);
	assert_non_null(strstr(err, "overrode"));
	free(err);
	JX_OK_RUN(d, &out, "log", "1");
	assert_non_null(strstr(out, "(forced over a newer revision)"));
	free(out);
}

/* Independent scoring: three evaluators' marks, their mean, the spread, a refusal. */
static void
evaluators_mark_independently(void **state)
{
	struct jxd *d = *state;
	char *out, *err;

	build_sheet(d);
	JX_OK_RUN(d, NULL, "--user", "li", "node", "mark", "1", "1.1.2", "3");
	JX_OK_RUN(d, NULL, "--user", "wang", "node", "mark", "1", "1.1.2", "2", "--comment",
	    "可研报告缺失");
	JX_OK_RUN(d, NULL, "--user", "zhao", "node", "mark", "1", "1.1.2", "1.5", "--comment",
	    "前期论证不充分");
	/* (3 + 2 + 1.5) / 3 = 2.1666… → 2.17, half up; spread 1.5 of 3 points: disagreement. */
	JX_OK_RUN(d, &out, "tree", "1", "--json");
	assert_json_has(out, "score", "2.17");
	assert_json_has(out, "spread", "1.5");
	assert_json_has(out, "disagreement", "true");
	free(out);
	JX_OK_RUN(d, &out, "score", "1");
	assert_non_null(strstr(out, "3 marks 1.5–3 ⚠ evaluators disagree"));
	free(out);
	/* li changes his own mark; zhao withdraws; a mark below full needs its reason. */
	JX_OK_RUN(d, NULL, "--user", "li", "node", "mark", "1", "1.1.2", "2.5", "--comment", "略有欠缺");
	JX_OK_RUN(d, NULL, "--user", "zhao", "node", "mark", "1", "1.1.2", "--clear");
	JX_OK_RUN(d, &out, "tree", "1", "--json");
	assert_json_has(out, "score", "2.25");
	free(out);
	assert_int_equal(jxd_jx(d, NULL, &err, "--user", "qian", "node", "mark", "1", "1.1.2", "1",
	    NULL), EX_DATAERR);
	assert_non_null(strstr(err, "扣分原因"));
	free(err);
	/* The marked score is the evaluators' to change, not anyone's to overwrite. */
	assert_int_equal(jxd_jx(d, NULL, &err, "node", "set", "1", "1.1.2", "--score", "3", NULL),
	    EX_DATAERR);
	assert_non_null(strstr(err, "jx node mark"));
	free(err);
	assert_int_equal(jxd_jx(d, NULL, NULL, "node", "mark", "1", "1.1", "3", NULL),
	    EX_DATAERR);

	/* With a lead evaluator (组长), the lead's mark is the score once given. */
	JX_OK_RUN(d, NULL, "ws", "create", "--subject", "组长评分", "--year", "2023", "--kind",
	    "key-evaluation", "--lead", "li");
	JX_OK_RUN(d, NULL, "node", "add", "2", "绩效目标合理性", "--weight", "4");
	JX_OK_RUN(d, NULL, "--user", "wang", "node", "mark", "2", "1", "2", "--comment", "不够清晰");
	JX_OK_RUN(d, NULL, "--user", "zhao", "node", "mark", "2", "1", "3", "--comment", "基本合理");
	JX_OK_RUN(d, &out, "tree", "2", "--json");
	assert_json_has(out, "score", "2.5");
	free(out);
	JX_OK_RUN(d, NULL, "--user", "li", "node", "mark", "2", "1", "3.5", "--comment", "定位清晰");
	JX_OK_RUN(d, &out, "tree", "2", "--json");
	assert_json_has(out, "score", "3.5");
	assert_json_has(out, "lead", "\"li\"");
	free(out);
}

/* Counts the indicators a jx tree --json lists (each has a "depth"). */
static int
count_nodes(const char *json)
{
	int n = 0;

	for (const char *p = json; (p = strstr(p, "\"depth\": ")) != NULL; p++)
		n++;
	return n;
}

/*
 * Issue 11, defect 2: a move that would put a sub-indicator past the depth add allows
 * is refused, naming the indicators and levels, and changes nothing; a move that keeps
 * the deepest within the limit is accepted and every indicator stays listed and scored.
 * (The invariant check in teardown then finds every stored indicator in the tree.)
 */
static void
deep_moves_are_refused(void **state)
{
	struct jxd *d = *state;
	char code[8], parent[8], *out, *err;

	JX_OK_RUN(d, NULL, "ws", "create", "--subject", "层级", "--year", "2023", "--kind",
	    "self-evaluation");
	/* a1 > a2 > ... > a16: as deep as indicators go. */
	JX_OK_RUN(d, NULL, "node", "add", "1", "第1级", "--code", "a1", "--weight", "10");
	for (int level = 2; level <= 16; level++) {
		snprintf(code, sizeof(code), "a%d", level);
		snprintf(parent, sizeof(parent), "a%d", level - 1);
		JX_OK_RUN(d, NULL, "node", "add", "1", code, "--code", code, "--parent", parent,
		    "--weight", "10");
	}
	assert_int_equal(jxd_jx(d, NULL, &err, "node", "add", "1", "太深", "--parent", "a16",
	    NULL), EX_DATAERR);
	assert_non_null(strstr(err, "nest at most 16 levels"));
	free(err);
	/* b1 > b2 > b3, b3 scored. */
	JX_OK_RUN(d, NULL, "node", "add", "1", "b1", "--code", "b1", "--weight", "5");
	JX_OK_RUN(d, NULL, "node", "add", "1", "b2", "--code", "b2", "--parent", "b1", "--weight",
	    "5");
	JX_OK_RUN(d, NULL, "node", "add", "1", "b3", "--code", "b3", "--parent", "b2", "--weight",
	    "5", "--score", "5");
	/* Under a14 (level 14), b3 would be at level 17. */
	assert_int_equal(jxd_jx(d, NULL, &err, "node", "mv", "1", "b1", "--parent", "a14", NULL),
	    EX_DATAERR);
	if (strstr(err, "b1") == NULL || strstr(err, "b3") == NULL ||
	    strstr(err, "level 17") == NULL || strstr(err, "a14 (level 14)") == NULL ||
	    strstr(err, "nest at most 16 levels") == NULL)
		fail_msg("the refusal does not name the indicators and levels: %s", err);
	free(err);
	JX_OK_RUN(d, &out, "tree", "1", "--json");
	assert_int_equal(count_nodes(out), 19);
	assert_json_has(out, "total", "5");
	free(out);
	/* Under a13, b3 is at level 16: allowed, and still listed and scored. */
	JX_OK_RUN(d, NULL, "node", "mv", "1", "b1", "--parent", "a13");
	JX_OK_RUN(d, &out, "tree", "1", "--json");
	assert_int_equal(count_nodes(out), 19);
	assert_json_has(out, "depth", "16");
	assert_json_has(out, "total", "5");
	free(out);
	/* And a move back up, and away of the whole deep chain, work at any depth. */
	JX_OK_RUN(d, NULL, "node", "mv", "1", "b2", "--top");
	JX_OK_RUN(d, NULL, "node", "rm", "1", "a1", "--recursive");
	JX_OK_RUN(d, &out, "tree", "1", "--json");
	assert_int_equal(count_nodes(out), 2);
	assert_json_has(out, "total", "5");
	free(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(tree_totals_are_sums_of_leaves, setup, teardown),
		cmocka_unit_test_setup_teardown(stale_edit_is_refused_with_the_current_value, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(bad_input_is_refused_and_changes_nothing, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(move_and_remove_keep_totals_right, setup, teardown),
		cmocka_unit_test_setup_teardown(archived_workspace_refuses_edits, setup, teardown),
		cmocka_unit_test_setup_teardown(restart_keeps_everything, setup, teardown),
		cmocka_unit_test_setup_teardown(every_command_has_help_and_plain_errors, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(claims_warn_and_force_is_recorded, setup, teardown),
		cmocka_unit_test_setup_teardown(evaluators_mark_independently, setup, teardown),
		cmocka_unit_test_setup_teardown(deep_moves_are_refused, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
