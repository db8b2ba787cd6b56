/*
 * Templates through jx on a real daemon: the built-ins, workspaces created from them,
 * an administrator's own template with the Ministry of Finance's bands, versions that
 * do not disturb workspaces made from earlier ones, and seed 000's overshoot rule.
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

static void
assert_has(const char *text, const char *want)
{
	if (strstr(text, want) == NULL)
		fail_msg("expected %s in:\n%s", want, text);
}

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void
builtin_templates_seed_workspaces(void **state)
{
	struct jxd d;
	char *out, *err;

	jxd_start(&d, false);
	assert_int_equal(jxd_jx(&d, &out, NULL, "template", "list", "--json", NULL), 0);
	assert_has(out, "\"id\": \"A\"");
	assert_has(out, "\"id\": \"B\"");
	free(out);

	/* Template A: seed 002's fixed indicators, 支出完成率 computed from the budget. */
	assert_int_equal(jxd_jx(&d, &out, NULL, "ws", "create", "--subject", "数字政府运维",
	    "--year", "2023", "--kind", "key-evaluation", "--template", "A", "--json", NULL), 0);
	assert_has(out, "\"template\": \"A\"");
	assert_has(out, "\"template_version\": 1");
	free(out);
	assert_int_equal(jxd_jx(&d, &out, NULL, "tree", "1", "--json", NULL), 0);
	assert_has(out, "\"name\": \"立项依据适应性\"");
	assert_has(out, "\"method\": \"linear\"");
	assert_has(out, "\"weight\": 100,");
	free(out);
	/* A template for another kind of workspace is refused, and nothing is created. */
	assert_int_equal(jxd_jx(&d, NULL, &err, "ws", "create", "--subject", "x", "--year",
	    "2023", "--kind", "self-evaluation", "--template", "A", NULL), EX_DATAERR);
	assert_has(err, "key-evaluation");
	free(err);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "ws", "show", "2", NULL), EX_NOINPUT);

	/* Template B, seed 000: 虚拟防火墙 ≥1000, 2000 delivered (200 %) → half of 1.66. */
	assert_int_equal(jxd_jx(&d, NULL, NULL, "ws", "create", "--subject",
	    "广州市政务服务数据管理局", "--year", "2022", "--kind", "self-evaluation",
	    "--template", "B", NULL), 0);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "node", "add", "2", "虚拟防火墙数量", "--parent",
	    "1.1", "--weight", "1.66", "--method", "completion", "--target", "≥1000",
	    "--actual", "2000", NULL), 0);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "node", "set", "2", "1.3", "--actual", "104.4%",
	    NULL), 0);
	assert_int_equal(jxd_jx(&d, &out, NULL, "tree", "2", "--json", NULL), 0);
	assert_has(out, "\"code\": \"1.1.1\"");
	assert_has(out, "\"total\": 0.83,");
	assert_has(out, "\"total\": 10,");
	free(out);
	jxd_stop(&d);
	jxd_cleanup(&d);
}

static void
own_template_versions_and_bands(void **state)
{
	struct jxd d;
	char path[400], *out, *err;

	jxd_start(&d, false);
	snprintf(path, sizeof(path), "%s/mof.csv", d.dir);
	write_file(path, "一级指标,分值,评分方法\n产出,60,\n效益,40,\n");
	assert_int_equal(jxd_jx(&d, &out, NULL, "template", "add", "MOF", path, "--name",
	    "财政部四档", "--kind", "self-evaluation", "--grades", "优:90,良:80,中:60,差:0",
	    "--signoffs", "2", "--comment-round", "on", "--json", NULL), 0);
	assert_has(out, "\"version\": 1,");
	assert_has(out, "\"signoffs_required\": 2,");
	free(out);
	assert_int_equal(jxd_jx(&d, NULL, &err, "template", "add", "MOF", path, "--name", "x",
	    "--signoffs", "0", NULL), EX_USAGE);
	free(err);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "ws", "create", "--subject", "甲", "--year",
	    "2023", "--kind", "self-evaluation", "--template", "MOF", NULL), 0);
	/* The workspace starts with the template's sign-off rule. */
	assert_int_equal(jxd_jx(&d, &out, NULL, "ws", "show", "1", "--json", NULL), 0);
	assert_has(out, "\"signoffs_required\": 2,");
	assert_has(out, "\"comment_round\": true,");
	free(out);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "node", "set", "1", "1", "--score", "40",
	    "--comment", "部分产出未完成", NULL), 0);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "node", "set", "1", "2", "--score", "25",
	    "--comment", "效益未充分体现", NULL), 0);
	/* 65 is 中 under the Ministry's four bands (低 under Guangzhou's five). */
	assert_int_equal(jxd_jx(&d, &out, NULL, "score", "1", "--json", NULL), 0);
	assert_has(out, "\"total\": 65,");
	assert_has(out, "\"grade\": \"中\",");
	free(out);

	/* Version 2 takes Guangzhou's bands; the workspace made from version 1 keeps its own. */
	assert_int_equal(jxd_jx(&d, &out, NULL, "template", "add", "MOF", path, "--name",
	    "财政部四档", "--kind", "self-evaluation", "--json", NULL), 0);
	assert_has(out, "\"version\": 2,");
	free(out);
	assert_int_equal(jxd_jx(&d, &out, NULL, "score", "1", "--json", NULL), 0);
	assert_has(out, "\"grade\": \"中\",");
	free(out);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "ws", "create", "--subject", "乙", "--year",
	    "2023", "--kind", "self-evaluation", "--template", "MOF", NULL), 0);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "node", "set", "2", "1", "--score", "60", NULL),
	    0);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "node", "set", "2", "2", "--score", "5",
	    "--comment", "效益不明显", NULL), 0);
	assert_int_equal(jxd_jx(&d, &out, NULL, "score", "2", "--json", NULL), 0);
	assert_has(out, "\"grade\": \"低\",");
	assert_has(out, "\"template_version\": 2");
	free(out);
	assert_int_equal(jxd_jx(&d, &out, NULL, "template", "show", "MOF", "--version", "1",
	    "--json", NULL), 0);
	assert_has(out, "\"min\": 60");
	assert_null(strstr(out, "\"name\": \"低\""));
	free(out);

	/* Bands out of order, and a broken method, are refused with a reason. */
	assert_int_equal(jxd_jx(&d, NULL, &err, "template", "add", "BAD", path, "--name", "x",
	    "--grades", "差:0,优:90", NULL), EX_DATAERR);
	assert_has(err, "best to worst");
	free(err);
	write_file(path, "一级指标,分值,评分方法,参数\n产出,60,linear,lo=90%;hi=10%\n");
	assert_int_equal(jxd_jx(&d, NULL, &err, "template", "add", "BAD", path, "--name", "x",
	    NULL), EX_DATAERR);
	assert_has(err, "lo below hi");
	free(err);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "template", "show", "BAD", NULL), EX_NOINPUT);
	jxd_stop(&d);
	jxd_cleanup(&d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(builtin_templates_seed_workspaces),
		cmocka_unit_test(own_template_versions_and_bands),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
