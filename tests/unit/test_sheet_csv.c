#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "err.h"
#include "jxtest.h"
#include "sheet-csv.h"


static struct sheet_csv *
read_data(const char *data, size_t len)
{
	struct csv *csv = NULL;
	struct sheet_csv *sheet = NULL;
	char why[CSV_WHY_MAX];

	if (csv_parse(data, len, &csv, why, sizeof(why)) != JX_OK)
		fail_msg("csv_parse: %s", why);
	if (sheet_csv_read(csv, &sheet, why, sizeof(why)) != JX_OK)
		fail_msg("sheet_csv_read: %s", why);
	csv_free(csv);
	return sheet;
}

static struct sheet_csv *
read_text(const char *s)
{
	return read_data(s, strlen(s));
}

/* Reads s expecting JX_EINVAL from sheet_csv_read, with each fragment in why. */
static void
read_fails(const char *s, const char *frag1, const char *frag2)
{
	struct csv *csv = NULL;
	struct sheet_csv *sheet = NULL;
	char why[CSV_WHY_MAX] = "";

	if (csv_parse(s, strlen(s), &csv, why, sizeof(why)) != JX_OK)
		fail_msg("csv_parse: %s", why);
	assert_jx_err(sheet_csv_read(csv, &sheet, why, sizeof(why)), JX_EINVAL);
	assert_null(sheet);
	csv_free(csv);
	if (frag1 != NULL && strstr(why, frag1) == NULL)
		fail_msg("'%s' does not mention '%s'", why, frag1);
	if (frag2 != NULL && strstr(why, frag2) == NULL)
		fail_msg("'%s' does not mention '%s'", why, frag2);
}

static struct sheet_csv *
read_fixture(void)
{
	size_t len;
	char *data = jxtest_slurp("tests/data/seed002-sheet.csv", &len);
	struct sheet_csv *sheet = read_data(data, len);

	free(data);
	return sheet;
}

/* The same tree: everything but the source lines. */
static void
assert_same_tree(const struct sheet_csv *a, const struct sheet_csv *b)
{
	assert_int_equal(a->n, b->n);
	for (size_t i = 0; i < a->n; i++) {
		const struct sheet_csv_node *x = &a->nodes[i], *y = &b->nodes[i];

		assert_string_equal(x->code, y->code);
		assert_int_equal(x->parent, y->parent);
		assert_int_equal(x->depth, y->depth);
		assert_int_equal(x->nchildren, y->nchildren);
		assert_string_equal(x->name, y->name);
		assert_int_equal(x->weight, y->weight);
		assert_int_equal(x->weight_stated, y->weight_stated);
		assert_int_equal(x->has_score, y->has_score);
		if (x->has_score)
			assert_int_equal(x->score, y->score);
		assert_string_equal(x->criteria, y->criteria);
		assert_string_equal(x->comment, y->comment);
		assert_string_equal(x->target, y->target);
		assert_string_equal(x->actual, y->actual);
		assert_string_equal(x->method, y->method);
		assert_string_equal(x->params, y->params);
		assert_string_equal(x->category, y->category);
	}
}

static const struct sheet_csv_node *
find(const struct sheet_csv *s, const char *code)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->nodes[i].code, code) == 0)
			return &s->nodes[i];
	fail_msg("no node %s", code);
	return NULL;
}

/* DOMAIN.md §3, Template A, with seed 002's appendix scores; -1: a parent. */
static const struct {
	const char *code;
	const char *name;
	int64_t weight, score;
} template_a[] = {
	{ "1", "项目安排", 1500, -1 },
	{ "1.1", "立项情况", 700, -1 },
	{ "1.1.1", "立项依据适应性", 400, 350 },
	{ "1.1.2", "前期工作充分性", 300, 300 },
	{ "1.2", "绩效目标", 800, -1 },
	{ "1.2.1", "绩效目标合理性", 400, 300 },
	{ "1.2.2", "绩效指标规范性", 400, 250 },
	{ "2", "项目管理", 2700, -1 },
	{ "2.1", "财务管理", 1500, -1 },
	{ "2.1.1", "财务管理情况", 700, 600 },
	{ "2.1.2", "支出完成率", 800, 488 },
	{ "2.2", "业务管理", 1200, -1 },
	{ "2.2.1", "项目执行情况", 400, 400 },
	{ "2.2.2", "项目绩效运行监控开展情况", 300, 100 },
	{ "2.2.3", "项目过程质量控制情况", 500, 450 },
	{ "3", "项目绩效", 5000, -1 },
	{ "3.1", "项目产出", 2500, -1 },
	{ "3.1.1", "租用网络线路正常运行率", 400, 400 },
	{ "3.1.2", "运维项目完成数量", 400, 400 },
	{ "3.1.3", "硬件设施维护及时率", 400, 400 },
	{ "3.1.4", "政府媒体监测频率", 400, 400 },
	{ "3.1.5", "设备采购验收合格率", 400, 400 },
	{ "3.1.6", "综合评价", 500, 400 },
	{ "3.2", "项目效益", 2500, -1 },
	{ "3.2.1", "提高网络稳定性", 500, 400 },
	{ "3.2.2", "增强信息安全", 500, 400 },
	{ "3.2.3", "提高公共服务质量", 500, 500 },
	{ "3.2.4", "提升政府工作效率", 500, 500 },
	{ "3.2.5", "综合评价", 500, 500 },
	{ "4", "可持续性", 800, -1 },
	{ "4.1", "项目可持续性", 300, -1 },
	{ "4.1.1", "项目可持续性", 300, 300 },
	{ "4.2", "自评组织工作情况", 500, -1 },
	{ "4.2.1", "自评工作质量", 300, 300 },
	{ "4.2.2", "现场表现", 200, 200 },
};

static void
seed002_matches_template_a(void **state)
{
	struct sheet_csv *s = read_fixture();
	const struct sheet_csv_node *n;
	size_t perdepth[4] = { 0 };
	int64_t total = 0, top[4] = { 0 };

	assert_int_equal(s->n, sizeof(template_a) / sizeof(template_a[0]));
	for (size_t i = 0; i < s->n; i++) {
		int64_t sum = 0;

		n = &s->nodes[i];
		assert_string_equal(n->code, template_a[i].code);
		assert_string_equal(n->name, template_a[i].name);
		assert_int_equal(n->weight, template_a[i].weight);
		assert_true(n->weight_stated);
		perdepth[n->depth - 1]++;
		if (template_a[i].score < 0) {
			assert_true(n->nchildren > 0);
			assert_false(n->has_score);
			/* Every stated parent weight is its children's sum. */
			for (size_t j = i + 1; j < s->n; j++)
				if (s->nodes[j].parent == (ptrdiff_t)i)
					sum += s->nodes[j].weight;
			assert_int_equal(sum, n->weight);
			continue;
		}
		assert_int_equal(n->nchildren, 0);
		assert_int_equal(n->depth, 3);
		assert_true(n->has_score);
		assert_int_equal(n->score, template_a[i].score);
		assert_true(n->criteria[0] != '\0' && n->comment[0] != '\0');
		total += n->score;
		for (ptrdiff_t p = n->parent; p >= 0; p = s->nodes[p].parent)
			if (s->nodes[p].parent < 0)
				top[s->nodes[p].code[0] - '1'] += n->score;
	}
	/* 4 first-level, 8 second-level and 23 third-level indicators (see the report). */
	assert_int_equal(perdepth[0], 4);
	assert_int_equal(perdepth[1], 8);
	assert_int_equal(perdepth[2], 23);
	assert_int_equal(perdepth[3], 0);
	assert_int_equal(total, 8738);
	assert_int_equal(top[0], 1200);
	assert_int_equal(top[1], 2038);
	assert_int_equal(top[2], 4700);
	assert_int_equal(top[3], 800);

	n = find(s, "2.1.2");
	assert_string_equal(n->method, "linear");
	assert_string_equal(n->params, "source=execution;lo=60%;hi=100%;veto=60%");
	assert_string_equal(n->actual, "84.40%");
	assert_non_null(
	    strstr(n->criteria, "÷（100%-60%）×17，低于 60%不得分。\n该项指标为否定性指标"));
	assert_non_null(strstr(n->comment, "预算 1164.43 万元"));
	assert_non_null(strstr(n->comment, "支出 428.54 元，预算执行率为 84.40%。"));
	n = find(s, "1.1.1");
	assert_string_equal(n->target, "");
	assert_string_equal(n->method, "");
	assert_int_equal(n->line, 2);
	assert_non_null(strstr(n->comment, "的职能相适应。\n但项目立项申请"));
	assert_string_equal(find(s, "3.1.2")->target, "5 个");
	assert_string_equal(find(s, "3.1.4")->target,
	    "每日、每周、每月监测关键指标，每月监测全指标");
	assert_string_equal(find(s, "3.2.4")->target, "开发政务系统功能，促进政务工作信息化");
	assert_string_equal(find(s, "3.1.5")->actual, "");
	assert_string_equal(find(s, "3.2.5")->comment,
	    "项目自评表中设置的绩效指标基本能覆盖项目年度工作任务"
	    "的效益实现情况，但三级指标未设置指标名称，指标含义不明确。");
	assert_int_equal(find(s, "4.1")->parent, 29);
	assert_int_equal(find(s, "4.1.1")->parent, 30);
	sheet_csv_free(s);
	sheet_csv_free(NULL);
}

static void
merged_cells_fill_down(void **state)
{
	/* Merged cells, as the seed's appendix draws them, under a title. */
	static const char merged[] = "2023 年度项目支出绩效评价评分表,,,,\n"
				     ",,,,\n"
				     "一级指标,二级指标,三级指标,分值,评价得分\n"
				     "项目安排（15分）,立项情况（7分）,立项依据适应性,4,3.5\n"
				     ",,前期工作充分性,3,3\n"
				     ",,,,\n"
				     ",绩效目标(8),绩效目标合理性,4,3\n"
				     ",,绩效指标规范性,4 分,2.5分\n"
				     "可持续性（8 分）,项目可持续性（ 3 分 ）,项目可持续性,3,3\n";
	/* Every row spelt out. */
	static const char full[] = "一级指标,二级指标,三级指标,分值,评价得分\n"
				   "项目安排（15分）,立项情况（7分）,立项依据适应性,4,3.5\n"
				   "项目安排（15分）,立项情况,前期工作充分性,3,3\n"
				   "项目安排,绩效目标（8分）,绩效目标合理性,4,3\n"
				   "项目安排,绩效目标,绩效指标规范性,4,2.5\n"
				   "可持续性（8分）,项目可持续性（3分）,项目可持续性,3,3\n";
	/* Parents on rows of their own, weights in 分值. */
	static const char rows[] = "一级指标,二级指标,三级指标,分值,评价得分\n"
				   "项目安排,,,15,\n"
				   ",立项情况,,7,\n"
				   ",,立项依据适应性,4,3.5\n"
				   ",,前期工作充分性,3,3\n"
				   ",绩效目标,,8,\n"
				   ",,绩效目标合理性,4,3\n"
				   ",,绩效指标规范性,4,2.5\n"
				   "可持续性,,,8\n"
				   ",项目可持续性,,3\n"
				   ",,项目可持续性,3,3\n";
	struct sheet_csv *a = read_text(merged), *b = read_text(full), *c = read_text(rows);

	assert_int_equal(a->n, 10);
	assert_string_equal(a->nodes[0].name, "项目安排");
	assert_int_equal(a->nodes[0].weight, 1500);
	assert_int_equal(a->nodes[0].line, 4);
	assert_string_equal(a->nodes[4].code, "1.2");
	assert_string_equal(a->nodes[4].name, "绩效目标");
	assert_int_equal(a->nodes[4].weight, 800);
	assert_int_equal(a->nodes[6].weight, 400);
	assert_int_equal(a->nodes[6].score, 250);
	assert_string_equal(a->nodes[8].name, "项目可持续性");
	assert_int_equal(a->nodes[8].weight, 300);
	assert_true(a->nodes[8].weight_stated);
	assert_same_tree(a, b);
	assert_same_tree(a, c);
	sheet_csv_free(a);
	sheet_csv_free(b);
	sheet_csv_free(c);
}

static void
any_depth(void **state)
{
	static const char in[] = "一级指标,二级指标,三级指标,四级指标,分值,评价得分\n"
				 "A,B,C,D,1,1\n"
				 ",,,E,2,0.5\n"
				 ",F,,,3,3\n"
				 ",G,H,,4,\n"
				 "I（5分）,,,,5,\n";
	struct sheet_csv *s = read_text(in);
	static const struct {
		const char *code, *name;
		int depth;
		int64_t weight;
		bool stated;
	} want[] = {
		{ "1", "A", 1, 1000, false },
		{ "1.1", "B", 2, 300, false },
		{ "1.1.1", "C", 3, 300, false },
		{ "1.1.1.1", "D", 4, 100, true },
		{ "1.1.1.2", "E", 4, 200, true },
		{ "1.2", "F", 2, 300, true },
		{ "1.3", "G", 2, 400, false },
		{ "1.3.1", "H", 3, 400, true },
		{ "2", "I", 1, 500, true },
	};

	assert_int_equal(s->n, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < s->n; i++) {
		assert_string_equal(s->nodes[i].code, want[i].code);
		assert_string_equal(s->nodes[i].name, want[i].name);
		assert_int_equal(s->nodes[i].depth, want[i].depth);
		assert_int_equal(s->nodes[i].weight, want[i].weight);
		assert_int_equal(s->nodes[i].weight_stated, want[i].stated);
	}
	assert_int_equal(s->nodes[5].nchildren, 0);
	assert_int_equal(s->nodes[5].score, 300);
	assert_false(s->nodes[7].has_score);
	assert_int_equal(s->nodes[8].nchildren, 0);
	sheet_csv_free(s);
}

static void
same_names(void **state)
{
	/* Repeated under the same parent on rows apart: two indicators. */
	static const char apart[] = "一级指标,二级指标,三级指标,分值\n"
				    "A,P,x,1\n"
				    ",Q,y,1\n"
				    ",P,z,1\n"
				    "A,R,综合评价,1\n"
				    ",S,综合评价,1\n";
	/* Repeated on the next row: the same indicator; a leaf is always new. */
	static const char next[] = "一级指标,二级指标,三级指标,分值\n"
				   "A,P,x,1\n"
				   "A,P,x,1\n";
	struct sheet_csv *s = read_text(apart);

	assert_int_equal(s->n, 11);
	assert_string_equal(find(s, "1.1")->name, "P");
	assert_string_equal(find(s, "1.3")->name, "P");
	assert_string_equal(find(s, "1.3.1")->name, "z");
	assert_int_equal(find(s, "1")->nchildren, 5);
	assert_string_equal(find(s, "1.4.1")->name, "综合评价");
	assert_string_equal(find(s, "1.5.1")->name, "综合评价");
	sheet_csv_free(s);
	s = read_text(next);
	assert_int_equal(s->n, 4);
	assert_string_equal(find(s, "1.1.2")->name, "x");
	sheet_csv_free(s);
}

static void
english_headers(void **state)
{
	static const char
	    in[] = "Score,Evaluation,Level 1,level2,LEVEL3,Weight,Criteria,Notes,target,Method,"
		   "Parameters,Category,Actual\n"
		   "4.88,\"spent 84.40 %, \"\"late\"\"\",Management (27),Finance,Execution rate,8,"
		   "linear band,ignored,≥ 100%,linear,lo=60%;hi=100%,产出/时效,84.40%\n";
	struct sheet_csv *s = read_text(in);
	const struct sheet_csv_node *n = find(s, "1.1.1");

	assert_int_equal(s->n, 3);
	assert_string_equal(s->nodes[0].name, "Management");
	assert_int_equal(s->nodes[0].weight, 2700);
	assert_string_equal(n->name, "Execution rate");
	assert_int_equal(n->weight, 800);
	assert_int_equal(n->score, 488);
	assert_string_equal(n->comment, "spent 84.40 %, \"late\"");
	assert_string_equal(n->criteria, "linear band");
	assert_string_equal(n->target, "≥ 100%");
	assert_string_equal(n->actual, "84.40%");
	assert_string_equal(n->method, "linear");
	assert_string_equal(n->params, "lo=60%;hi=100%");
	assert_string_equal(n->category, "产出/时效");
	sheet_csv_free(s);

	s = read_text("comment,level1,weight,params\nx,A,1,p\n");
	assert_string_equal(s->nodes[0].comment, "x");
	assert_string_equal(s->nodes[0].params, "p");
	sheet_csv_free(s);
}

static void
bad_numbers_name_row_and_column(void **state)
{
	static const char head[] = "一级指标,二级指标,三级指标,分值,评价得分\n"
				   "A,B,c,1,1\n"
				   ",,d,2,2\n";
	char buf[512];

	snprintf(buf, sizeof(buf), "%s,,e,abc,1\n", head);
	read_fails(buf, "第 4 行第 4 列「分值」：“abc”不是数字",
	    "row 4, column 4 (分值): \"abc\" is not a number");
	snprintf(buf, sizeof(buf), "%s,,e,4.888,1\n", head);
	read_fails(buf, "row 4, column 4 (分值): \"4.888\" is not a number", NULL);
	/* A comma that could be a decimal comma or a list is not guessed at (issue 12). */
	snprintf(buf, sizeof(buf), "%s,,e,\"1,16\",1\n", head);
	read_fails(buf, "“1,16”不是数字", NULL);
	snprintf(buf, sizeof(buf), "%s,,e,-1,1\n", head);
	read_fails(buf, "row 4, column 4 (分值): cannot be negative", "不能是负数");
	snprintf(buf, sizeof(buf), "%s,,e,1,x\n", head);
	read_fails(buf, "第 4 行第 5 列「评价得分」", "row 4, column 5 (评价得分): \"x\"");
	read_fails("Level1,Weight\nA,much too long a weight to be quoted whole in a message\n",
	    "row 2, column 2 (Weight): \"much too long a weight to be quoted whol…\" is not a "
	    "number",
	    NULL);
	/* What is accepted. */
	{
		struct sheet_csv *s;

		snprintf(buf, sizeof(buf), "%s,,e, 4.88分 ,0.5 分\n", head);
		s = read_text(buf);
		assert_int_equal(s->nodes[4].weight, 488);
		assert_int_equal(s->nodes[4].score, 50);
		sheet_csv_free(s);
		/* Full-width digits and thousands separators, as spreadsheets write them. */
		snprintf(buf, sizeof(buf), "%s,,e,１，０００.５,\"1,000\"\n", head);
		s = read_text(buf);
		assert_int_equal(s->nodes[4].weight, 100050);
		assert_int_equal(s->nodes[4].score, 100000);
		sheet_csv_free(s);
	}
}

/* 加减分 rows as a sheet writes them, and 合计 / 小计 rows as stated figures (issue 12). */
static void
adjustments_and_totals(void **state)
{
	struct sheet_csv *s;

	s = read_text("一级指标,二级指标,分值,评价得分\n"
		      "履职效能,产出,20,18.34\n"
		      ",效益,20,20\n"
		      ",小计,,38.34\n"
		      "管理效能,资金管理,50,48.5\n"
		      "加减分项,决算公开受到通报表扬,,+2.5\n"
		      ",信息公开不规范,-1,\n"
		      "合计,,100,88.84\n");
	assert_int_equal(s->n, 8);
	/* 小计 is no indicator: its figure is 履职效能's stated score. */
	assert_string_equal(s->nodes[0].name, "履职效能");
	assert_true(s->nodes[0].has_stated);
	assert_int_equal(s->nodes[0].stated, 3834);
	assert_string_equal(s->nodes[5].name, "加减分项");
	assert_int_equal(s->nodes[5].weight, 0);
	assert_true(s->nodes[6].adjustment);
	assert_int_equal(s->nodes[6].weight, 0);
	assert_int_equal(s->nodes[6].score, 250);
	assert_string_equal(s->nodes[6].method, "adjustment");
	assert_string_equal(s->nodes[6].params, "points=2.5");
	/* Points in 分值 with 评价得分 blank: the same, signed. */
	assert_int_equal(s->nodes[7].score, -100);
	assert_string_equal(s->nodes[7].params, "points=-1");
	assert_true(s->has_total);
	assert_int_equal(s->total, 8884);
	assert_int_equal(s->total_line, 8);
	sheet_csv_free(s);

	/* An adjustment named by its method, anywhere in the tree. */
	s = read_text("一级指标,分值,评价得分,评分方法\n"
		      "A,10,10,\n"
		      "表扬,,3,加减分\n"
		      "总计,,13,\n");
	assert_int_equal(s->n, 2);
	assert_true(s->nodes[1].adjustment);
	assert_int_equal(s->nodes[1].score, 300);
	assert_int_equal(s->total, 1300);
	sheet_csv_free(s);

	/* Negative scores stay refused outside adjustments; 分值 and 得分 must agree. */
	read_fails("一级指标,分值,评价得分\nA,10,-1\n", "不能是负数", NULL);
	read_fails("一级指标,分值,评价得分\n加减分项,2,3\n", "加减分的分值与得分不一致", NULL);
}

static void
structural_errors(void **state)
{
	read_fails("名称,分值\nA,1\n", "找不到表头", "no header row");
	read_fails("一级指标,评价得分\nA,1\n", "第 1 行：表头缺少「分值」列",
	    "line 1: the header has no 分值 (weight) column");
	read_fails("一级指标,三级指标,分值\nA,B,1\n", "第 1 行第 2 列「三级指标」",
	    "the column for the level above it is missing");
	read_fails("一级指标,分值,Weight\nA,1,1\n", "row 1, column 3 (Weight): a second column",
	    NULL);
	read_fails("一级指标,分值\n", "表里没有指标", "no indicators");
	read_fails("一级指标,二级指标,分值\n,B,1\n", "第 2 行第 1 列「一级指标」：空着",
	    "row 2, column 1 (一级指标): is blank and there is no indicator above to repeat");
	read_fails("一级指标,二级指标,分值\n,,1\n",
	    "row 2, column 1 (一级指标): the row names no "
	    "indicator",
	    NULL);
	read_fails("一级指标,二级指标,三级指标,分值\nA,X,x,1\nB,,y,1\n",
	    "row 3, column 2 (二级指标): cannot be blank when the indicator to its left is new",
	    NULL);
	read_fails("一级指标,二级指标,分值\nA,B,1\n,C,\n",
	    "第 3 行第 3 列「分值」：末级指标「C」需要分值",
	    "row 3, column 3 (分值): 「C」 has no indicators under it and needs a weight");
	read_fails("一级指标,二级指标,分值,评价得分\nA,,10,9\n,B,10,9\n",
	    "row 2, column 4 (评价得分): 「A」 has indicators under it, so its score must be blank",
	    NULL);
	read_fails("一级指标,二级指标,分值\nA（15分）,X,4\nA（16分）,Y,4\n",
	    "row 3, column 1 (一级指标): a weight unlike the one given above (15, 16)", NULL);
	read_fails("一级指标,二级指标,分值\nA,X（5分）,4\n",
	    "row 2, column 3 (分值): differs from the weight written in the indicator's name",
	    NULL);
	read_fails("一级指标,二级指标,分值\n\"A\nB\",X,4\n",
	    "row 2, column 1 (一级指标): the indicator name holds a line break", NULL);
	read_fails("一级指标,分值,评价情况\nA,1,\"bell\a\"\n",
	    "row 2, column 3 (评价情况): holds a "
	    "control character",
	    NULL);
}

static void
weights_in_names(void **state)
{
	struct sheet_csv *s = read_text("一级指标,二级指标,分值\n"
					"项目安排（试行）,立项依据（4）,4\n"
					"(7分),Y,3\n"
					"Z（ 2.5 分）,W,2.5\n");

	/* A bracket that is not a weight stays in the name; a name of a bracket alone too. */
	assert_string_equal(s->nodes[0].name, "项目安排（试行）");
	assert_false(s->nodes[0].weight_stated);
	assert_string_equal(s->nodes[1].name, "立项依据");
	assert_int_equal(s->nodes[1].weight, 400);
	assert_string_equal(s->nodes[2].name, "(7分)");
	assert_false(s->nodes[2].weight_stated);
	assert_string_equal(s->nodes[4].name, "Z");
	assert_int_equal(s->nodes[4].weight, 250);
	assert_true(s->nodes[4].weight_stated);
	sheet_csv_free(s);
}

/* Writes s, checks the output's start, and reads it back. */
static struct sheet_csv *
write_and_read(const struct sheet_csv *s, const char *head)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct sheet_csv *back;

	assert_non_null(f);
	assert_jx_ok(sheet_csv_write(s, f));
	assert_int_equal(fclose(f), 0);
	if (strncmp(buf, head, strlen(head)) != 0)
		fail_msg("the sheet starts with '%.200s', not '%s'", buf, head);
	back = read_data(buf, len);
	free(buf);
	return back;
}

static void
round_trip(void **state)
{
	struct sheet_csv *s = read_fixture(), *back;

	back = write_and_read(s,
	    "\xef\xbb\xbf一级指标,二级指标,三级指标,分值,评分标准,评价情况,评价得分,"
	    "指标值,完成值,评分方法,参数\r\n"
	    "项目安排（15分）,立项情况（7分）,立项依据适应性,4,");
	assert_same_tree(s, back);
	sheet_csv_free(s);
	sheet_csv_free(back);

	/* Parents with text of their own, unstated weights, four levels, level-2 leaves. */
	s = read_text("一级指标,二级指标,三级指标,四级指标,分值,评分标准,类别\n"
		      "A,,,,,about A,\n"
		      ",B（3分）,C,D,1,,产出\n"
		      ",,,E,2,,\n"
		      ",F,,,3,\"x, \"\"y\"\"\",\n"
		      "G,H,,,,about H\n"
		      ",,I,,4\n");
	assert_false(s->nodes[0].weight_stated);
	assert_int_equal(s->nodes[0].weight, 600);
	assert_string_equal(s->nodes[0].criteria, "about A");
	back = write_and_read(s,
	    "\xef\xbb\xbf一级指标,二级指标,三级指标,四级指标,分值,评分标准,评价情况,"
	    "评价得分,类别\r\n"
	    "A,,,,,about A,,,\r\n"
	    ",B（3分）,C,D,1,,,,产出\r\n");
	assert_same_tree(s, back);
	sheet_csv_free(s);
	sheet_csv_free(back);
}

/* The seed 002 sheet as a Chinese Excel saves it: GB18030, no byte-order mark. */
static void
gb18030(void **state)
{
	size_t len, left, outleft;
	char *data = jxtest_slurp("tests/data/seed002-sheet.csv", &len), *in = data + 3, *gb, *o;
	iconv_t cd = iconv_open("GB18030", "UTF-8");
	struct sheet_csv *want = read_fixture(), *got;

	assert_true(cd != (iconv_t)-1);
	assert_memory_equal(data, "\xef\xbb\xbf", 3);
	left = len - 3;
	outleft = 2 * len;
	assert_non_null(o = gb = malloc(outleft));
	assert_int_not_equal(iconv(cd, &in, &left, &o, &outleft), (size_t)-1);
	iconv_close(cd);
	got = read_data(gb, (size_t)(o - gb));
	assert_same_tree(want, got);
	sheet_csv_free(got);
	sheet_csv_free(want);
	free(gb);
	free(data);

	data = jxtest_slurp("tests/data/gb18030-sheet.csv", &len);
	got = read_data(data, len);
	assert_int_equal(got->n, 7);
	assert_string_equal(got->nodes[0].name, "项目安排");
	assert_int_equal(got->nodes[0].weight, 1500);
	assert_int_equal(got->nodes[0].line, 3);
	assert_string_equal(got->nodes[5].comment, "定位不清晰；指标值“≥95%”，罕见字“𠀀”");
	assert_int_equal(got->nodes[6].score, 250);
	sheet_csv_free(got);
	free(data);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(seed002_matches_template_a),
		cmocka_unit_test(merged_cells_fill_down),
		cmocka_unit_test(any_depth),
		cmocka_unit_test(same_names),
		cmocka_unit_test(english_headers),
		cmocka_unit_test(bad_numbers_name_row_and_column),
		cmocka_unit_test(adjustments_and_totals),
		cmocka_unit_test(structural_errors),
		cmocka_unit_test(weights_in_names),
		cmocka_unit_test(round_trip),
		cmocka_unit_test(gb18030),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
