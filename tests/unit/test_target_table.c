#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "err.h"
#include "jxtest.h"
#include "target-table.h"


static struct target_table *
read_data(const char *data, size_t len)
{
	struct csv *csv = NULL;
	struct target_table *t = NULL;
	char why[CSV_WHY_MAX];

	if (csv_parse(data, len, &csv, why, sizeof(why)) != JX_OK)
		fail_msg("csv_parse: %s", why);
	if (target_table_read(csv, &t, why, sizeof(why)) != JX_OK)
		fail_msg("target_table_read: %s", why);
	csv_free(csv);
	return t;
}

static void
read_fails(const char *s, const char *frag1, const char *frag2)
{
	struct csv *csv = NULL;
	struct target_table *t = NULL;
	char why[CSV_WHY_MAX] = "";

	if (csv_parse(s, strlen(s), &csv, why, sizeof(why)) != JX_OK)
		fail_msg("csv_parse: %s", why);
	assert_jx_err(target_table_read(csv, &t, why, sizeof(why)), JX_EINVAL);
	assert_null(t);
	csv_free(csv);
	if (frag1 != NULL && strstr(why, frag1) == NULL)
		fail_msg("'%s' does not mention '%s'", why, frag1);
	if (frag2 != NULL && strstr(why, frag2) == NULL)
		fail_msg("'%s' does not mention '%s'", why, frag2);
}

static void
assert_item(const struct target_table_item *it, int num, const char *category, const char *name,
    const char *target)
{
	assert_int_equal(it->num, num);
	assert_string_equal(it->category, category);
	assert_string_equal(it->name, name);
	assert_string_equal(it->target, target);
}

/* Splits cell, expecting success and n items. */
static struct target_table_item *
split(const char *cell, size_t want)
{
	struct target_table_item *items = NULL;
	size_t n = 99;
	char why[CSV_WHY_MAX];

	if (target_table_split(cell, &items, &n, why, sizeof(why)) != JX_OK)
		fail_msg("target_table_split: %s", why);
	assert_int_equal(n, want);
	return items;
}

static void
split_fails(const char *cell, const char *frag)
{
	struct target_table_item *items = (void *)1;
	size_t n = 99;
	char why[CSV_WHY_MAX] = "";

	assert_jx_err(target_table_split(cell, &items, &n, why, sizeof(why)), JX_EINVAL);
	assert_null(items);
	assert_int_equal(n, 0);
	if (strstr(why, frag) == NULL)
		fail_msg("'%s' does not mention '%s'", why, frag);
}

/* Indicators per project, counted from "年度指标值" in the seed: 101 in all. */
static const size_t seed004_counts[20] = { 8, 6, 7, 4, 4, 7, 4, 5, 10, 4, 2, 4, 4, 4, 6, 2, 5, 4, 7,
	4 };

static void
seed004_every_project_and_indicator(void **state)
{
	size_t len, total = 0, out = 0, ben = 0, sat = 0;
	char *data = jxtest_slurp("tests/data/seed004-targets.csv", &len);
	struct target_table *t = read_data(data, len);
	const struct target_table_project *p;

	assert_int_equal(t->n, 20);
	for (size_t i = 0; i < t->n; i++) {
		p = &t->projects[i];
		assert_int_equal(p->nitems, seed004_counts[i]);
		assert_string_equal(p->department, "广州市政务服务数据管理局");
		assert_true(p->goal[0] != '\0');
		for (size_t k = 0; k < p->nitems; k++) {
			const struct target_table_item *it = &p->items[k];

			assert_true(it->name[0] != '\0');
			assert_true(it->target[0] != '\0');
			out += strcmp(it->category, "产出指标") == 0;
			ben += strcmp(it->category, "效益指标") == 0;
			sat += strcmp(it->category, "满意度指标") == 0;
		}
		total += p->nitems;
	}
	assert_int_equal(total, 101);
	assert_int_equal(out, 54);
	assert_int_equal(ben, 44);
	assert_int_equal(sat, 3);

	p = &t->projects[0];
	assert_string_equal(p->unit, "广州市政务服务数据管理局");
	assert_string_equal(p->name, "广州市政务服务数据管理局数字政府运营中心穗智管运营服务");
	assert_int_equal(p->line, 2);
	assert_item(&p->items[0], 1, "效益指标", "运行监测服务量", "不少于3000个");
	assert_item(&p->items[2], 3, "效益指标", "运营分析报告的数量", "不少于300份");
	assert_item(&p->items[6], 7, "产出指标", "汇聚数据数量", "不少于10亿条");
	assert_item(&p->items[7], 8, "产出指标", "保障场地正常运行率", "99.5%");
	/* The seed numbers the sixth indicator 1 again. */
	p = &t->projects[1];
	assert_item(&p->items[3], 4, "产出指标", "工单转派及时率", "100%");
	assert_item(&p->items[5], 1, "产出指标", "对群众对办理结果不满意回访率", "100%");
	assert_item(&t->projects[2].items[2], 3, "产出指标", "服务量", "148.75万件");
	p = &t->projects[3];
	assert_string_equal(p->unit, "广州市政务服务中心");
	assert_string_equal(p->name, "广州市政务服务中心2022年“一网通办”信息化建设项目");
	assert_item(&p->items[1], 2, "产出指标", "项目完成进度", "完成项目终验");
	assert_item(&p->items[2], 3, "产出指标", "系统并发数", "500个");
	assert_item(&p->items[3], 4, "满意度指标", "用户使用满意度", "95%");
	p = &t->projects[4];
	assert_string_equal(p->name,
	    "广州市数字政府运营中心2021年广州市政务信息化项目管理系统（二期）");
	assert_item(&p->items[0], 1, "效益指标", "系统用户数", "系统用户总数不低于600个");
	assert_item(&p->items[1], 2, "效益指标", "系统响应时间",
	    "系统对用户操作的响应时间不超过 5秒");
	assert_item(&p->items[2], 3, "产出指标", "年度业务量",
	    "上报到广东省数据普查系统的信息系统数量不少于 "
	    "3600个；与省电子政务统一身份认证平台粤政易"
	    "账号认证对接不少于300个；使用系统申请办理的终验项目数量不少于 400个");
	assert_item(&p->items[3], 4, "产出指标", "系统并发数", "系统支持30人业务并发处理");
	/* Numbered from 2. */
	p = &t->projects[5];
	assert_item(&p->items[0], 2, "产出指标", "态势感知功能模块", "5个功能模块");
	assert_item(&p->items[2], 4, "产出指标", "IDS、流量识别和病毒检测功能", "3个");
	assert_item(&p->items[3], 5, "产出指标", "态势感知处理性能",
	    "一般性操作≤5秒，一般性统计≤20秒，关键业务处理性能≥6Gbps日志存储能力≥40TB");
	assert_item(&p->items[5], 7, "效益指标", "会话存储能力", "≥6个月");
	assert_item(&p->items[6], 8, "效益指标",
	    "设备正常运行率（广州市电子政务外网互联网接入核心层汇聚层网络安全设备升级项目 ）",
	    "≥99%");
	p = &t->projects[7];
	assert_string_equal(p->unit, "广州市市长专线电话受理中心");
	assert_item(&p->items[1], 2, "产出指标", "是否满足性能指标 （定性）", "满足");
	assert_item(&p->items[2], 3, "产出指标", "接通率（%）", "≥95%");
	assert_item(&p->items[3], 4, "效益指标", "容灾备份恢复能力（定性）", "较快");
	p = &t->projects[8];
	assert_item(&p->items[0], 1, "满意度指标", "系统内部使用人员满意度（%）", "≥60%");
	assert_item(&p->items[5], 6, "产出指标", "项目计划时间", "≤21");
	assert_item(&p->items[9], 10, "产出指标", "系统吞吐量", "≥400");
	assert_item(&t->projects[10].items[0], 1, "产出指标", "整合情况和升级优化指标",
	    "整合三台UPS为两台，报废三台UPS，UPS利用率提高50%");
	assert_item(&t->projects[11].items[1], 2, "产出指标", "制定技术标准规范数量",
	    "制定技术标准规范数量≥3");
	assert_item(&t->projects[12].items[0], 1, "效益指标", "各区排队预约数据汇聚情况",
	    "支撑11个区完成排队预约数据汇聚工作");
	assert_item(&t->projects[13].items[1], 2, "效益指标", "服务重点企业数量", "≥3万");
	/* "。，" after names, "。。" after targets, numbering restarted per category. */
	p = &t->projects[14];
	assert_item(&p->items[0], 1, "产出指标", "自助终端新增服务事项", "大于等于15个");
	assert_item(&p->items[2], 3, "产出指标", "处理历史政策文件数量",
	    "处理广州历史政策稿件2万件");
	assert_item(&p->items[3], 1, "效益指标", "政务服务监管平台年度访问量",
	    "广州市府门户网站年度访问量不少于 4500万次");
	assert_item(&p->items[5], 3, "效益指标", "政务服务事项数据应用管理系统应用与推广情况",
	    "用户数不少于200个");
	assert_item(&t->projects[16].items[0], 1, "产出指标", "系统并发数",
	    "面向政府用户≥50或面向公众用户≥200");
	assert_item(&t->projects[17].items[0], 1, "效益指标", "网上服务接入统一认证平台比例",
	    "100%");
	assert_item(&t->projects[18].items[1], 2, "产出指标", "功能访问量", "5000次以上");
	p = &t->projects[19];
	assert_string_equal(p->name, "广州移动政务服务平台建设");
	assert_item(&p->items[2], 3, "产出指标", "预约、申办业务移动化改造完成量", "600项");
	assert_item(&p->items[3], 4, "产出指标", "外部服务对接和建设数量", "200项");
	target_table_free(t);
	target_table_free(NULL);
	free(data);
}

static void
split_categories_and_punctuation(void **state)
{
	struct target_table_item *it;

	/* Two levels of category, as DOMAIN.md writes them. */
	it = split("1、效益指标：社会效益指标：系统用户总数，年度指标值：不低于600个。"
		   "2、产出指标：数量指标：运营专题的数量，年度指标值：不少于20个。",
	    2);
	assert_item(&it[0], 1, "效益指标/社会效益指标", "系统用户总数", "不低于600个");
	assert_item(&it[1], 2, "产出指标/数量指标", "运营专题的数量", "不少于20个");
	target_table_items_free(it, 2);

	/* Half-width punctuation, 指标值 without 年度, spaces around the colon. */
	it = split("1.产出指标:系统并发数,指标值 : 500个.2.效益指标:用户满意度,年度指标值:95%", 2);
	assert_item(&it[0], 1, "产出指标", "系统并发数", "500个");
	assert_item(&it[1], 2, "效益指标", "用户满意度", "95%");
	target_table_items_free(it, 2);

	/* Full-width digits, a line break between items, an unknown category. */
	it = split("１、其他指标：甲，年度指标值：1个；\n２．产出指标：乙；年度指标值：99.5%", 2);
	assert_item(&it[0], 1, "其他指标", "甲", "1个");
	assert_item(&it[1], 2, "产出指标", "乙", "99.5%");
	target_table_items_free(it, 2);

	/* Values with ；and ，, decimals next to the numbering. */
	it = split("1、产出指标：A，年度指标值：x≥1；y≤2，z=3。2、效益指标：B，年度指标值：3.5个。"
		   "3、效益指标：C，年度指标值：满足",
	    3);
	assert_item(&it[0], 1, "产出指标", "A", "x≥1；y≤2，z=3");
	assert_item(&it[1], 2, "效益指标", "B", "3.5个");
	assert_item(&it[2], 3, "效益指标", "C", "满足");
	target_table_items_free(it, 3);
}

static void
split_without_numbers_or_categories(void **state)
{
	struct target_table_item *it;

	it = split("产出指标：A，年度指标值：1个。效益指标：B，年度指标值：≥95%", 2);
	assert_item(&it[0], 0, "产出指标", "A", "1个");
	assert_item(&it[1], 0, "效益指标", "B", "≥95%");
	target_table_items_free(it, 2);

	it = split("系统用户数，年度指标值：600个。响应时间，年度指标值：≤5秒，一般操作", 2);
	assert_item(&it[0], 0, "", "系统用户数", "600个");
	assert_item(&it[1], 0, "", "响应时间", "≤5秒，一般操作");
	target_table_items_free(it, 2);

	/* No 。between items: the next number or category still starts one. */
	it = split("1、产出指标：A，年度指标值：≥95%2、产出指标：B，年度指标值：3个"
		   "满意度指标：C，年度指标值：满意",
	    3);
	assert_item(&it[0], 1, "产出指标", "A", "≥95%");
	assert_item(&it[1], 2, "产出指标", "B", "3个");
	assert_item(&it[2], 0, "满意度指标", "C", "满意");
	target_table_items_free(it, 3);

	it = split("A，年度指标值：1个。2、B，年度指标值：2个，3、C，年度指标值：3", 3);
	assert_item(&it[1], 2, "", "B", "2个");
	assert_item(&it[2], 3, "", "C", "3");
	target_table_items_free(it, 3);

	/* A name running into the marker; an empty name kept for a check to report. */
	it = split("1、产出指标：A年度指标值：1个。2、产出指标：，年度指标值：5个", 2);
	assert_item(&it[0], 1, "产出指标", "A", "1个");
	assert_item(&it[1], 2, "产出指标", "", "5个");
	target_table_items_free(it, 2);
}

static void
split_edges(void **state)
{
	struct target_table_item *it = (void *)1;
	size_t n = 7;

	assert_jx_ok(target_table_split("", &it, &n, NULL, 0));
	assert_null(it);
	assert_int_equal(n, 0);
	assert_jx_ok(target_table_split(" 。\n", &it, &n, NULL, 0));
	assert_int_equal(n, 0);

	split_fails("无", "找不到“指标值：”，分不出各个指标 / no \"指标值：\"");
	split_fails("说明：见附件。1、产出指标：A，年度指标值：1个",
	    "text before the first indicator: \"说明：见附件\"");
	split_fails("1、产出指标：A，年度指标值：年度指标值：2", "where indicator 1's target ends");
	split_fails("1、产出指标：\xff，年度指标值：1", "not valid UTF-8");
}

static void
reader(void **state)
{
	struct target_table *t;
	static const char in[] = "广州市政务服务数据管理局 2022 年项目支出绩效目标表,,,,\n"
				 "Project,Goal,Department,Unit,Notes,Indicators\n"
				 "P1,G1,D,U,x,\"1、产出指标：A，年度指标值：1个。\"\n"
				 ",,,,,\n"
				 "P2,,,,,\n"
				 "P3,,E,,,效益指标：B，年度指标值：满足\n";

	t = read_data(in, sizeof(in) - 1);
	assert_int_equal(t->n, 3);
	assert_string_equal(t->projects[0].name, "P1");
	assert_string_equal(t->projects[0].goal, "G1");
	assert_int_equal(t->projects[0].line, 3);
	assert_int_equal(t->projects[0].nitems, 1);
	/* Blank 主管部门 and 预算单位 repeat the row above; a blank goal stays blank. */
	assert_string_equal(t->projects[1].department, "D");
	assert_string_equal(t->projects[1].unit, "U");
	assert_string_equal(t->projects[1].goal, "");
	assert_int_equal(t->projects[1].nitems, 0);
	assert_null(t->projects[1].items);
	assert_string_equal(t->projects[2].department, "E");
	assert_string_equal(t->projects[2].unit, "U");
	assert_item(&t->projects[2].items[0], 0, "效益指标", "B", "满足");
	assert_int_equal(t->projects[2].line, 6);
	target_table_free(t);

	read_fails("项目名称,绩效目标\nP,G\n", "找不到表头", "no header row");
	read_fails("项目名称,绩效指标\n,A，年度指标值：1\n",
	    "第 2 行第 1 列「项目名称」：项目名称不能空着",
	    "row 2, column 1 (项目名称): the project name cannot be blank");
	read_fails("项目名称,绩效指标\nP,无\n", "第 2 行第 2 列「绩效指标」：找不到",
	    "row 2, column 2 (绩效指标): no \"指标值：\"");
	read_fails("项目名称,绩效指标,project\nP,无,Q\n",
	    "row 1, column 3 (project): a second column", NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(seed004_every_project_and_indicator),
		cmocka_unit_test(split_categories_and_punctuation),
		cmocka_unit_test(split_without_numbers_or_categories),
		cmocka_unit_test(split_edges),
		cmocka_unit_test(reader),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
