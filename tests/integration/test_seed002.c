/*
 * Seed 002 (Panyu 2023 key evaluation, Template A) scored through jx against a real
 * jixiaod: 支出完成率 computed from the budget facts as 4.88, total 87.38 → 良; with
 * the expenditure lowered below 60 % the veto gives 0 and caps the grade at 中.
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

struct row {
	const char *name, *parent, *weight, *score;
};

/* Codes follow from the order: 1, 1.1, 1.1.1, ... (NULL score: a parent, or 支出完成率). */
static const struct row seed002[] = {
	{ "项目安排", NULL, "15", NULL },
	{ "立项情况", "1", "7", NULL },
	{ "立项依据适应性", "1.1", "4", "3.5" },
	{ "前期工作充分性", "1.1", "3", "3" },
	{ "绩效目标", "1", "8", NULL },
	{ "绩效目标合理性", "1.2", "4", "3" },
	{ "绩效指标规范性", "1.2", "4", "2.5" },
	{ "项目管理", NULL, "27", NULL },
	{ "财务管理", "2", "15", NULL },
	{ "财务管理情况", "2.1", "7", "6" },
	{ "支出完成率", "2.1", "8", NULL },
	{ "业务管理", "2", "12", NULL },
	{ "项目执行情况", "2.2", "4", "4" },
	{ "项目绩效运行监控开展情况", "2.2", "3", "1" },
	{ "项目过程质量控制情况", "2.2", "5", "4.5" },
	{ "项目绩效", NULL, "50", NULL },
	{ "项目产出", "3", "25", NULL },
	{ "租用网络线路正常运行率", "3.1", "4", "4" },
	{ "运维项目完成数量", "3.1", "4", "4" },
	{ "硬件设施维护及时率", "3.1", "4", "4" },
	{ "政府媒体监测频率", "3.1", "4", "4" },
	{ "设备采购验收合格率", "3.1", "4", "4" },
	{ "综合评价", "3.1", "5", "4" },
	{ "项目效益", "3", "25", NULL },
	{ "提高网络稳定性", "3.2", "4", "4" },
	{ "增强信息安全", "3.2", "4", "4" },
	{ "提升政府工作效率", "3.2", "5", "5" },
	{ "服务对象满意度", "3.2", "5", "5" },
	{ "综合评价", "3.2", "5", "5" },
	{ "可持续性", NULL, "8", NULL },
	{ "项目可持续性", "4", "3", NULL },
	{ "项目可持续性", "4.1", "3", "3" },
	{ "自评组织工作情况", "4", "5", NULL },
	{ "自评工作质量", "4.2", "3", "3" },
	{ "现场表现", "4.2", "2", "2" },
};

static void
enter_seed002(struct jxd *d)
{
	assert_int_equal(jxd_jx(d, NULL, NULL, "ws", "create", "--subject",
	    "2023年“数字政府”建设专项资金（运维类）项目", "--year", "2023", "--kind",
	    "key-evaluation", NULL), 0);
	for (size_t i = 0; i < sizeof(seed002) / sizeof(seed002[0]); i++) {
		const struct row *r = &seed002[i];
		const char *args[16] = { "node", "add", "1", r->name, "--weight", r->weight };
		size_t n = 6;
		if (r->parent != NULL)
			args[n++] = "--parent", args[n++] = r->parent;
		if (r->score != NULL) {
			args[n++] = "--score", args[n++] = r->score;
			args[n++] = "--comment", args[n++] = "评价情况见报告";
		}
		if (strcmp(r->name, "支出完成率") == 0) {
			args[n++] = "--method";
			args[n++] = "linear";
			args[n++] = "--params";
			args[n++] = "source=execution;lo=60%;hi=100%;veto=60%";
		}
		args[n] = NULL;
		assert_int_equal(jxd_jxv(d, NULL, NULL, args), 0);
	}
}

static void
assert_has(const char *text, const char *want)
{
	if (strstr(text, want) == NULL)
		fail_msg("expected %s in:\n%s", want, text);
}

static void
seed002_scores_87_38_good(void **state)
{
	struct jxd d;
	char *out;

	jxd_start(&d, false);
	enter_seed002(&d);
	/* No budget yet: the formula leaf is unscored and says why. */
	assert_int_equal(jxd_jx(&d, &out, NULL, "score", "1", "--json", NULL), 0);
	assert_has(out, "\"total\": 82.5,");
	assert_has(out, "\"unscored\": 1,");
	assert_has(out, "no budget facts yet");
	free(out);

	assert_int_equal(jxd_jx(&d, &out, NULL, "budget", "set", "1", "--initial", "1164.43",
	    "--adjust", "-30.01:2023年第二次预算支出调整表", "--adjust", "-626.68",
	    "--spent", "428.54", "--json", NULL), 0);
	assert_has(out, "\"final\": 507740000,");
	assert_has(out, "\"rate_percent\": 84.4,");
	free(out);

	assert_int_equal(jxd_jx(&d, &out, NULL, "score", "1", "--json", NULL), 0);
	assert_has(out, "\"total\": 87.38,");
	assert_has(out, "\"grade\": \"良\",");
	assert_has(out, "\"vetoed\": false,");
	assert_has(out, "\"score\": null,\n      \"total\": 4.88,");
	free(out);
	assert_int_equal(jxd_jx(&d, &out, NULL, "score", "1", NULL), 0);
	assert_has(out, "total 87.38 of 100.00 → 良 (good)");
	free(out);

	/* A score typed over the computed one is refused. */
	assert_int_equal(jxd_jx(&d, NULL, NULL, "node", "set", "1", "2.1.2", "--score", "8",
	    NULL), EX_DATAERR);

	/* Spend only 290 万元 of 507.74 (57.12 %): veto, 0 points, and at most 中. */
	assert_int_equal(jxd_jx(&d, NULL, NULL, "budget", "set", "1", "--spent", "290", NULL), 0);
	assert_int_equal(jxd_jx(&d, &out, NULL, "score", "1", "--json", NULL), 0);
	assert_has(out, "\"total\": 82.5,");
	assert_has(out, "\"grade\": \"中\",");
	assert_has(out, "\"vetoed\": true,");
	free(out);

	/* The budget keeps its own revision: a change based on the first one is stale. */
	assert_int_equal(jxd_jx(&d, NULL, NULL, "budget", "set", "1", "--spent", "400", "--rev",
	    "37", NULL), EX_TEMPFAIL);
	jxd_stop(&d);
	jxd_cleanup(&d);
}

static const char *
fixture(const char *name, char *buf, size_t len)
{
	char rel[256];

	snprintf(rel, sizeof(rel), "tests/data/%s", name);
	return jxtest_source_path(rel, buf, len);
}

/* The same sheet as evaluators keep it, imported whole from CSV through jx. */
static void
seed002_sheet_imported_from_csv(void **state)
{
	struct jxd d;
	char path[512], *out, *err;

	jxd_start(&d, false);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "ws", "create", "--subject", "数字政府运维",
	    "--year", "2023", "--kind", "key-evaluation", NULL), 0);
	assert_int_equal(jxd_jx(&d, &out, NULL, "import", "sheet", "1",
	    fixture("seed002-sheet.csv", path, sizeof(path)), "--json", NULL), 0);
	assert_has(out, "\"added\": 35,");
	free(out);
	/* A second import into the same workspace is refused and changes nothing. */
	assert_int_equal(jxd_jx(&d, NULL, &err, "import", "sheet", "1", path, NULL), EX_DATAERR);
	assert_has(err, "already has indicators");
	free(err);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "budget", "set", "1", "--initial", "1164.43",
	    "--adjust", "-30.01", "--adjust", "-626.68", "--spent", "428.54", NULL), 0);
	assert_int_equal(jxd_jx(&d, &out, NULL, "score", "1", "--json", NULL), 0);
	assert_has(out, "\"total\": 87.38,");
	assert_has(out, "\"grade\": \"良\",");
	free(out);

	/* The report's own inconsistencies (DOMAIN §8). */
	assert_int_equal(jxd_jx(&d, &out, NULL, "check", "1", "--json", NULL), 1);
	assert_has(out, "\"kind\": \"formula-weight\",");
	assert_has(out, "×17");
	assert_has(out, "\"kind\": \"unit\",");
	assert_has(out, "\"kind\": \"full-critical\",");
	assert_null(strstr(out, "\"kind\": \"subtotal\","));
	free(out);
	/* The body says 项目效益 scored 22; entered as a stated subtotal, check names both. */
	assert_int_equal(jxd_jx(&d, NULL, NULL, "node", "set", "1", "3.2", "--stated", "22",
	    NULL), 0);
	assert_int_equal(jxd_jx(&d, &out, NULL, "check", "1", NULL), 1);
	assert_has(out, "states 22 points (小计) for “项目效益”, but the scores under it add up to 23");
	free(out);
	jxd_stop(&d);
	jxd_cleanup(&d);
}

/* Seed 004 whole: one target-declaration workspace per project, every target parsed. */
static void
seed004_targets_imported_whole(void **state)
{
	struct jxd d;
	char path[512], *out;

	jxd_start(&d, false);
	assert_int_equal(jxd_jx(&d, &out, NULL, "import", "targets",
	    fixture("seed004-targets.csv", path, sizeof(path)), "--year", "2022", "--json", NULL),
	    0);
	assert_has(out, "\"projects\": 20,");
	assert_has(out, "\"indicators\": 101,");
	free(out);
	assert_int_equal(jxd_jx(&d, &out, NULL, "ws", "list", "--year", "2022", "--json", NULL),
	    0);
	assert_has(out, "\"kind\": \"target-declaration\"");
	assert_has(out, "\"id\": 20,");
	assert_null(strstr(out, "\"id\": 21,"));
	free(out);
	jxd_stop(&d);
	jxd_cleanup(&d);
}

/* Seed 002's 22 payments as 支出明细, and seed 003's execution rates, through jx. */
static void
itemised_expenditure_and_seed003_rates(void **state)
{
	static const struct {
		const char *initial, *adjust, *spent, *rate;
	} seed003[] = {
		{ "16928.47", NULL, "16730.50", "\"rate_percent\": 98.83," },
		{ "245.70", "245.70", "456.40", "\"rate_percent\": 92.88," },
		{ "358", NULL, "329.67", "\"rate_percent\": 92.09," },
	};
	struct jxd d;
	char path[512], *out;

	jxd_start(&d, false);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "ws", "create", "--subject", "数字政府运维",
	    "--year", "2023", "--kind", "key-evaluation", NULL), 0);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "budget", "set", "1", "--initial", "1164.43",
	    "--adjust", "-30.01", "--adjust", "-626.68", "--spent", "428.54", NULL), 0);
	assert_int_equal(jxd_jx(&d, &out, NULL, "budget", "lines", "1",
	    fixture("seed002-payments.csv", path, sizeof(path)), NULL), 0);
	assert_has(out, "22 expenditure lines, total 4285434.40 yuan (428.54 万元)");
	assert_null(strstr(out, "do not add up"));
	free(out);
	assert_int_equal(jxd_jx(&d, &out, NULL, "budget", "show", "1", "--json", NULL), 0);
	assert_has(out, "\"lines_total\": 428543440,");
	assert_has(out, "\"rate_percent\": 84.4,");
	free(out);

	for (size_t i = 0; i < sizeof(seed003) / sizeof(seed003[0]); i++) {
		char ws[8], subject[32];
		const char *args[16] = { "budget", "set", ws, "--initial", seed003[i].initial,
			"--spent", seed003[i].spent, "--json" };
		size_t n = 8;
		snprintf(ws, sizeof(ws), "%zu", i + 2);
		snprintf(subject, sizeof(subject), "白云区项目%zu", i + 1);
		assert_int_equal(jxd_jx(&d, NULL, NULL, "ws", "create", "--subject", subject,
		    "--year", "2023", "--kind", "self-evaluation", NULL), 0);
		if (seed003[i].adjust != NULL)
			args[n++] = "--adjust", args[n++] = seed003[i].adjust;
		args[n] = NULL;
		assert_int_equal(jxd_jxv(&d, &out, NULL, args), 0);
		assert_has(out, seed003[i].rate);
		free(out);
	}
	jxd_stop(&d);
	jxd_cleanup(&d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(seed002_scores_87_38_good),
		cmocka_unit_test(seed002_sheet_imported_from_csv),
		cmocka_unit_test(seed004_targets_imported_whole),
		cmocka_unit_test(itemised_expenditure_and_seed003_rates),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
