#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "err.h"
#include "jxtest.h"
#include "target-rows.h"
#include "target.h"

/*
 * Every annual target value (年度指标值) of seed 004, in the order the seed gives them,
 * with the line breaks of the PDF extraction removed.
 */
static const struct row seed004[] = {
	ONE("不少于3000个", "", TARGET_GE, 300000LL, "个", ""),
	ONE("不少于30次", "", TARGET_GE, 3000LL, "次", ""),
	ONE("不少于300份", "", TARGET_GE, 30000LL, "份", ""),
	ONE("不少于1500个", "", TARGET_GE, 150000LL, "个", ""),
	ONE("不少于20个", "", TARGET_GE, 2000LL, "个", ""),
	ONE("不少于10份", "", TARGET_GE, 1000LL, "份", ""),
	ONE("不少于10亿条", "", TARGET_GE, 100000000000LL, "条", ""),
	/* a bare rate is "reach" (EQ); target_direction() reads it as at least */
	ONE("99.5%", "", TARGET_EQ, 9950LL, "%", ""),
	ONE("≥80%", "", TARGET_GE, 8000LL, "%", ""),
	ONE("≥80%", "", TARGET_GE, 8000LL, "%", ""),
	ONE("≥95%", "", TARGET_GE, 9500LL, "%", ""),
	ONE("100%", "", TARGET_EQ, 10000LL, "%", ""),
	ONE("≥95%", "", TARGET_GE, 9500LL, "%", ""),
	ONE("100%", "", TARGET_EQ, 10000LL, "%", ""),
	ONE("≥80%", "", TARGET_GE, 8000LL, "%", ""),
	ONE("≥95%", "", TARGET_GE, 9500LL, "%", ""),
	/* DOMAIN §4: 148.75万件 = 1 487 500 件 */
	ONE("148.75万件", "", TARGET_EQ, 148750000LL, "件", ""),
	ONE("99.99%", "", TARGET_EQ, 9999LL, "%", ""),
	ONE("100%", "", TARGET_EQ, 10000LL, "%", ""),
	ONE("≥95%", "", TARGET_GE, 9500LL, "%", ""),
	ONE("100%", "", TARGET_EQ, 10000LL, "%", ""),
	ONE("95%", "", TARGET_EQ, 9500LL, "%", ""),
	QUAL("完成项目终验"),
	ONE("500个", "", TARGET_EQ, 50000LL, "个", ""),
	ONE("95%", "", TARGET_EQ, 9500LL, "%", ""),
	ONE("系统用户总数不低于600个", "系统用户总数", TARGET_GE, 60000LL, "个", ""),
	ONE("系统对用户操作的响应时间不超过 5秒",
	    "系统对用户操作的响应时间", TARGET_LE, 500LL, "秒", ""),
	ALL("上报到广东省数据普查系统的信息系统数量不少于 3600个；"
	    "与省电子政务统一身份认证平台粤政易账号认证对接不少于300个；"
	    "使用系统申请办理的终验项目数量不少于 400个",
	    C("上报到广东省数据普查系统的信息系统数量", TARGET_GE, 360000LL, "个", ""),
	    C("与省电子政务统一身份认证平台粤政易账号认证对接", TARGET_GE, 30000LL, "个", ""),
	    C("使用系统申请办理的终验项目数量", TARGET_GE, 40000LL, "个", "")),
	/* "支持30人…并发": a capacity to reach: bare EQ (direction up), prose kept */
	ONE("系统支持30人业务并发处理", "系统支持", TARGET_EQ, 3000LL, "人", "业务并发处理"),
	ONE("5个功能模块", "", TARGET_EQ, 500LL, "个", "功能模块"),
	ONE("≥1000个", "", TARGET_GE, 100000LL, "个", ""),
	ONE("3个", "", TARGET_EQ, 300LL, "个", ""),
	ALL("一般性操作≤5秒，一般性统计≤20秒，关键业务处理性能≥6Gbps日志存储能力≥40TB",
	    C("一般性操作", TARGET_LE, 500LL, "秒", ""),
	    C("一般性统计", TARGET_LE, 2000LL, "秒", ""),
	    C("关键业务处理性能", TARGET_GE, 600LL, "Gbps", ""),
	    C("日志存储能力", TARGET_GE, 4000LL, "TB", "")),
	ONE("≥100个", "", TARGET_GE, 10000LL, "个", ""),
	/* DOMAIN lists 月; the seed writes 个月, kept as written */
	ONE("≥6个月", "", TARGET_GE, 600LL, "个月", ""),
	ONE("≥99%", "", TARGET_GE, 9900LL, "%", ""),
	ONE("形成1个企业信用评价模型", "形成", TARGET_EQ, 100LL, "个", "企业信用评价模型"),
	ONE("对接不少于10个业务系统", "对接", TARGET_GE, 1000LL, "个", "业务系统"),
	ONE("建设1个信用监管应用支撑平台", "建设", TARGET_EQ, 100LL, "个", "信用监管应用支撑平台"),
	ONE("编制不少于3份信用监管相关标准规范",
	    "编制", TARGET_GE, 300LL, "份", "信用监管相关标准规范"),
	/* 通 = calls */
	ONE("1200万通", "", TARGET_EQ, 1200000000LL, "通", ""),
	QUAL("满足"),
	ONE("≥95%", "", TARGET_GE, 9500LL, "%", ""),
	QUAL("较快"),
	ONE("≥85%", "", TARGET_GE, 8500LL, "%", ""),
	ONE("≥60%", "", TARGET_GE, 6000LL, "%", ""),
	/* the unit (分) is only in the indicator name 省级考核得分（分）; the value has none */
	ONE("≥95", "", TARGET_GE, 9500LL, "", ""),
	ONE("≥10%", "", TARGET_GE, 1000LL, "%", ""),
	ONE("≥40%", "", TARGET_GE, 4000LL, "%", ""),
	/* unit 个 only in the name 系统服务对象（个） */
	ONE("≥600万", "", TARGET_GE, 600000000LL, "", ""),
	/* no unit anywhere (项目计划时间: days? months?); kept unitless, at most 21 */
	ONE("≤21", "", TARGET_LE, 2100LL, "", ""),
	/* the unit (小时) is only in the name 恢复时间目标（小时） */
	ONE("≤1", "", TARGET_LE, 100LL, "", ""),
	ONE("≥100%", "", TARGET_GE, 10000LL, "%", ""),
	/* unitless in value and name (系统并发数（量）) */
	ONE("≥700", "", TARGET_GE, 70000LL, "", ""),
	ONE("≥400", "", TARGET_GE, 40000LL, "", ""),
	ONE("开展质量管控服务的数据主题数量不少于 30个",
	    "开展质量管控服务的数据主题数量", TARGET_GE, 3000LL, "个", ""),
	ONE("增加广州市电子政务外网新增接入方式的建议不少于 3个",
	    "增加广州市电子政务外网新增接入方式的建议", TARGET_GE, 300LL, "个", ""),
	ONE("编制数据质量体系建设相关的标准规范数量不少于 1份",
	    "编制数据质量体系建设相关的标准规范数量", TARGET_GE, 100LL, "份", ""),
	ONE("编制1份电子政务网新建接入方式的建议方案",
	    "编制", TARGET_EQ, 100LL, "份", "电子政务网新建接入方式的建议方案"),
	/* 整合三台UPS为两台 has no digits and 提高50% is a relative rise: left to an evaluator */
	FLAG("整合三台UPS为两台，报废三台UPS，UPS利用率提高50%"),
	ONE("设备正常运行率≥99%", "设备正常运行率", TARGET_GE, 9900LL, "%", ""),
	ONE("系统正常运行率≥98%", "系统正常运行率", TARGET_GE, 9800LL, "%", ""),
	ONE("制定技术标准规范数量≥3", "制定技术标准规范数量", TARGET_GE, 300LL, "", ""),
	/* 为 before a number is "equal" */
	ONE("基础应用支撑与能力开放平台系统对接数为 4",
	    "基础应用支撑与能力开放平台系统对接数", TARGET_EQ, 400LL, "", ""),
	ONE("项目验收合格率100%", "项目验收合格率", TARGET_EQ, 10000LL, "%", ""),
	/* "支撑11个区…": 11 districts to reach; the rest of the sentence is the tail */
	ONE("支撑11个区完成排队预约数据汇聚工作 ",
	    "支撑", TARGET_EQ, 1100LL, "个", "区完成排队预约数据汇聚工作"),
	ONE("支撑广州市政策兑现部门数量≥13",
	    "支撑广州市政策兑现部门数量", TARGET_GE, 1300LL, "", ""),
	ONE("综合受理系统支撑的部门数量≥35",
	    "综合受理系统支撑的部门数量", TARGET_GE, 3500LL, "", ""),
	ONE("预约系统支撑部门数≥35", "预约系统支撑部门数", TARGET_GE, 3500LL, "", ""),
	ONE("≥570个", "", TARGET_GE, 57000LL, "个", ""),
	ONE("≥3万", "", TARGET_GE, 3000000LL, "", ""),
	ONE("10", "", TARGET_EQ, 1000LL, "", ""),
	ONE("1", "", TARGET_EQ, 100LL, "", ""),
	ONE("大于等于15个", "", TARGET_GE, 1500LL, "个", ""),
	ONE("政务服务事项改造输出量不少于85项",
	    "政务服务事项改造输出量", TARGET_GE, 8500LL, "项", ""),
	ONE("处理广州历史政策稿件2万件", "处理广州历史政策稿件", TARGET_EQ, 2000000LL, "件", ""),
	/* the value names 市府门户网站, not the indicator's 监管平台: copied from the next row */
	ONE("广州市府门户网站年度访问量不少于 4500万次",
	    "广州市府门户网站年度访问量", TARGET_GE, 4500000000LL, "次", ""),
	ONE("广州市府门户网站年度访问量不少于4500万次",
	    "广州市府门户网站年度访问量", TARGET_GE, 4500000000LL, "次", ""),
	ONE("用户数不少于200个", "用户数", TARGET_GE, 20000LL, "个", ""),
	ONE("100%", "", TARGET_EQ, 10000LL, "%", ""),
	ONE("≥90%", "", TARGET_GE, 9000LL, "%", ""),
	/* 或: one of the two must hold */
	ANY("面向政府用户≥50或面向公众用户≥200",
	    C("面向政府用户", TARGET_GE, 5000LL, "", ""),
	    C("面向公众用户", TARGET_GE, 20000LL, "", "")),
	ONE("≥100%", "", TARGET_GE, 10000LL, "%", ""),
	ONE("≥50万", "", TARGET_GE, 50000000LL, "", ""),
	ONE("≤5秒", "", TARGET_LE, 500LL, "秒", ""),
	ONE("≥300个", "", TARGET_GE, 30000LL, "个", ""),
	ONE("100%", "", TARGET_EQ, 10000LL, "%", ""),
	ONE("90%", "", TARGET_EQ, 9000LL, "%", ""),
	ONE("100%", "", TARGET_EQ, 10000LL, "%", ""),
	ONE("100%", "", TARGET_EQ, 10000LL, "%", ""),
	ONE("500个", "", TARGET_EQ, 50000LL, "个", ""),
	ONE("5000次以上", "", TARGET_GE, 500000LL, "次", ""),
	ONE("10000个", "", TARGET_EQ, 1000000LL, "个", ""),
	ONE("100000条以上", "", TARGET_GE, 10000000LL, "条", ""),
	ONE("不少于1个", "", TARGET_GE, 100LL, "个", ""),
	ONE("100个", "", TARGET_EQ, 10000LL, "个", ""),
	ONE("95%", "", TARGET_EQ, 9500LL, "%", ""),
	ONE("1200万", "", TARGET_EQ, 1200000000LL, "", ""),
	ONE("500万", "", TARGET_EQ, 500000000LL, "", ""),
	ONE("600项", "", TARGET_EQ, 60000LL, "项", ""),
	ONE("200项", "", TARGET_EQ, 20000LL, "项", ""),
};

/* The grammar of DOMAIN §4 beyond what seed 004 happens to use. */
static const struct row grammar[] = {
	ONE(">=95%", "", TARGET_GE, 9500, "%", ""),
	ONE("<=5秒", "", TARGET_LE, 500, "秒", ""),
	ONE("≥ 95 %", "", TARGET_GE, 9500, "%", ""),
	ONE("≧95％", "", TARGET_GE, 9500, "%", ""),
	ONE("＞90％", "", TARGET_GT, 9000, "%", ""),
	ONE("＜5秒", "", TARGET_LT, 500, "秒", ""),
	ONE("＞＝９５．５％", "", TARGET_GE, 9550, "%", ""),
	ONE("１０亿条", "", TARGET_EQ, 100000000000LL, "条", ""),
	ONE("大于90%", "", TARGET_GT, 9000, "%", ""),
	ONE("小于5秒", "", TARGET_LT, 500, "秒", ""),
	ONE("高于80%", "", TARGET_GT, 8000, "%", ""),
	ONE("低于3%", "", TARGET_LT, 300, "%", ""),
	ONE("超过100个", "", TARGET_GT, 10000, "个", ""),
	ONE("不足3天", "", TARGET_LT, 300, "天", ""),
	ONE("不高于2%", "", TARGET_LE, 200, "%", ""),
	ONE("不超过5秒", "", TARGET_LE, 500, "秒", ""),
	ONE("5秒以内", "", TARGET_LE, 500, "秒", ""),
	ONE("3天以下", "", TARGET_LE, 300, "天", ""),
	ONE("响应时间2小时以内", "响应时间", TARGET_LE, 200, "小时", ""),
	ONE("3个以上部门", "", TARGET_GE, 300, "个", "部门"),
	ONE("达到95%", "", TARGET_EQ, 9500, "%", ""),
	ONE("达到95%以上", "", TARGET_GE, 9500, "%", ""),
	ONE("为100%", "", TARGET_EQ, 10000, "%", ""),
	ONE("=100%", "", TARGET_EQ, 10000, "%", ""),
	ONE("提升至95%", "", TARGET_GE, 9500, "%", ""),
	ONE("处理时限缩短至3个工作日", "处理时限", TARGET_LE, 300, "个工作日", ""),
	ONE("降至5%以下", "", TARGET_LE, 500, "%", ""),
	ONE("≥3万", "", TARGET_GE, 3000000, "", ""),
	ONE("1.5千万人次", "", TARGET_EQ, 1500000000, "人次", ""),
	ONE("1,000个", "", TARGET_EQ, 100000, "个", ""),
	ONE("500万元", "", TARGET_EQ, 50000, "万元", ""),
	ONE("3个百分点", "", TARGET_EQ, 300, "个百分点", ""),
	ONE("≥1000次/秒", "", TARGET_GE, 100000, "次/秒", ""),
	ONE("≥95%（含）", "", TARGET_GE, 9500, "%", "（含）"),
	ONE("不少于 400个。。", "", TARGET_GE, 40000, "个", ""),
	ONE("2022年访问量不少于100万次", "2022年访问量", TARGET_GE, 100000000, "次", ""),
	ONE("12345热线接通率≥95%", "12345热线接通率", TARGET_GE, 9500, "%", ""),
	ONE("IPv6改造完成率100%", "IPv6改造完成率", TARGET_EQ, 10000, "%", ""),
	ONE("预约、申办业务移动化改造完成量≥600项", "预约、申办业务移动化改造完成量", TARGET_GE,
	    60000, "项", ""),
	ALL("≥95%；≤5秒", C("", TARGET_GE, 9500, "%", ""), C("", TARGET_LE, 500, "秒", "")),
	ALL("≥95%;≤5秒", C("", TARGET_GE, 9500, "%", ""), C("", TARGET_LE, 500, "秒", "")),
	ALL("≥95%，≤5秒", C("", TARGET_GE, 9500, "%", ""), C("", TARGET_LE, 500, "秒", "")),
	ALL("可用率≥99%且响应时间≤3秒", C("可用率", TARGET_GE, 9900, "%", ""),
	    C("响应时间", TARGET_LE, 300, "秒", "")),
	ALL("响应时间≤3秒，同时在线人数≥1000", C("响应时间", TARGET_LE, 300, "秒", ""),
	    C("同时在线人数", TARGET_GE, 100000, "", "")),
	ALL("完成3个系统对接，\n  覆盖≥11个区", C("完成", TARGET_EQ, 300, "个", "系统对接"),
	    C("覆盖", TARGET_GE, 1100, "个", "区")),
	ANY("A类≥50或者B类≥200或C类≥10", C("A类", TARGET_GE, 5000, "", ""),
	    C("B类", TARGET_GE, 20000, "", ""), C("C类", TARGET_GE, 1000, "", "")),
	QUAL("运行正常（定性指标）"),
	QUAL("保障政务网络光纤通畅"),
	QUAL("满足"),
	QUAL("较快"),
	QUAL("2022年12月31日前完成项目验收"),
	QUAL("12月底前完成"),
	QUAL("保障机房7×24小时不间断运营"),
	QUAL("第3季度完成验收"),
	QUAL("完成IPv6改造"),
	QUAL("系统稳定（定性）≥95%"),
};

/* Text the parser must not guess at: qualitative and flagged, never an error. */
static const struct row unclassified[] = {
	FLAG(""),
	FLAG(" \t\n　"),
	FLAG("约3个"),
	FLAG("5个左右"),
	FLAG("较上年提高50%"),
	FLAG("3-5个"),
	FLAG("3至5个"),
	FLAG("90%～95%"),
	FLAG("12345热线接通率95%"),
	FLAG("99.995%"),
	FLAG("≥99999999999999亿"),
	FLAG("≥123456789012345678901234"),
	FLAG("完成验收，≥95%"),
	FLAG("≥95%，完成验收"),
	FLAG("≥95%，完成验收，≤5秒"),
	FLAG("A≥1，B≥2或C≥3"),
	FLAG("≥1；≥2；≥3；≥4；≥5；≥6；≥7；≥8；≥9"),
	FLAG("≥-5%"),
	FLAG("≥95%以下"),
	FLAG("不少于5个<核心>系统"),
	FLAG("\xff"),
	FLAG("≥95\xe2\x89"),
	FLAG("\xc0\xaf"),
	FLAG("\xed\xa0\x80≥95%"),
	FLAG("≥95%\x80"),
	FLAG("\xf4\x90\x80\x80"),
};

static void
seed004_targets_parse(void **state)
{
	for (size_t i = 0; i < sizeof(seed004) / sizeof(seed004[0]); i++)
		target_rows_check(&seed004[i]);
}

/*
 * The table above is the whole of seed 004: every "年度指标值：…。" in the file, once the
 * PDF's line breaks are removed, is the next row's input.
 */
static void
seed004_table_is_complete(void **state)
{
	static char text[64 * 1024];
	const char *dir = getenv("JX_SEEDS"), *key = "年度指标值：", *s, *e;
	char path[1024], root[1024];
	size_t n = 0, i = 0, nrows = sizeof(seed004) / sizeof(seed004[0]);
	FILE *f;
	int c;

	if (dir == NULL) {
		/* Run by hand: the seeds lie beside the project root, ../shared/seeds. */
		const char *file = __FILE__, *suffix = "tests/unit/test_target.c";
		size_t l = strlen(file), sl = strlen(suffix);

		if (file[0] != '/' || l < sl || strcmp(file + l - sl, suffix) != 0)
			skip();
		if (snprintf(root, sizeof(root), "%.*s../shared/seeds", (int)(l - sl), file) >=
		    (int)sizeof(root))
			skip();
		dir = root;
	}
	if (snprintf(path, sizeof(path), "%s/004_11d3bda62f573b8b.txt", dir) >=
	    (int)sizeof(path))
		skip();
	if ((f = fopen(path, "r")) == NULL) {
		print_message("no seed 004 at %s\n", path);
		skip();
	}
	while ((c = getc(f)) != EOF && n < sizeof(text) - 1)
		if (c != '\n')
			text[n++] = (char)c;
	text[n] = '\0';
	assert_int_equal(c, EOF);
	fclose(f);

	for (s = strstr(text, key); s != NULL; s = strstr(e, key), i++) {
		s += strlen(key);
		assert_non_null(e = strstr(s, "。"));
		assert_true(i < nrows);
		if (strlen(seed004[i].in) != (size_t)(e - s) ||
		    memcmp(seed004[i].in, s, (size_t)(e - s)) != 0)
			fail_msg("seed target %zu is \"%.*s\", the table has \"%s\"", i + 1,
			    (int)(e - s), s, seed004[i].in);
	}
	assert_int_equal(i, nrows);
	assert_int_equal(nrows, 101);
}

static void
grammar_parses(void **state)
{
	for (size_t i = 0; i < sizeof(grammar) / sizeof(grammar[0]); i++)
		target_rows_check(&grammar[i]);
}

static void
unclassified_is_flagged(void **state)
{
	struct target t;

	for (size_t i = 0; i < sizeof(unclassified) / sizeof(unclassified[0]); i++)
		target_rows_check(&unclassified[i]);

	/* The flagged text stays readable: trimmed, bad bytes shown as U+FFFD. */
	assert_jx_ok(target_parse("  约3个 \n", &t));
	assert_string_equal(t.text, "约3个");
	assert_jx_ok(target_parse("≥95%\x80", &t));
	assert_string_equal(t.text, "≥95%\xef\xbf\xbd");
	assert_jx_ok(target_parse("\xc0\xaf", &t));
	assert_string_equal(t.text, "\xef\xbf\xbd\xef\xbf\xbd");
	assert_jx_ok(target_parse("满足\x1b[2J要求", &t));
	assert_string_equal(t.text, "满足 [2J要求");
}

/* Whether s is made of whole UTF-8 sequences (a cut never splits a character). */
static int
valid_utf8(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;

	while (*u != '\0') {
		size_t len = *u < 0x80 ? 1 : (*u & 0xe0) == 0xc0 ? 2 : (*u & 0xf0) == 0xe0 ? 3 :
		    (*u & 0xf8) == 0xf0 ? 4 : 0;

		if (len == 0)
			return 0;
		for (size_t i = 1; i < len; i++)
			if ((u[i] & 0xc0) != 0x80)
				return 0;
		u += len;
	}
	return 1;
}

static void
refuses_null_and_too_long(void **state)
{
	static char text[TARGET_TEXT_MAX + 2];
	struct target t, before;
	size_t n;

	memset(&t, 0x5a, sizeof(t));
	before = t;
	assert_jx_err(target_parse(NULL, &t), JX_EINVAL);
	assert_jx_err(target_parse("≥95%", NULL), JX_EINVAL);

	/* TARGET_TEXT_MAX bytes is accepted, one more is refused and leaves *out alone. */
	for (n = 0; n + 3 <= TARGET_TEXT_MAX - 6; n += 3)
		memcpy(text + n, "系", 3);
	memcpy(text + n, "≥95%", 6);
	n += 6;
	while (n < TARGET_TEXT_MAX)
		text[n++] = ' ';
	text[n] = '\0';
	assert_jx_ok(target_parse(text, &t));
	assert_int_equal(t.kind, TARGET_QUANTITATIVE);
	assert_int_equal(t.nclauses, 1);
	assert_int_equal(t.clauses[0].value, 9500);
	assert_true(strlen(t.clauses[0].label) < TARGET_LABEL_MAX);
	assert_int_equal(strlen(t.clauses[0].label) % 3, 0);
	assert_true(valid_utf8(t.clauses[0].label));
	assert_true(strlen(t.text) < TARGET_DISPLAY_MAX);
	assert_true(valid_utf8(t.text));

	text[n++] = ' ';
	text[n] = '\0';
	memset(&t, 0x5a, sizeof(t));
	assert_jx_err(target_parse(text, &t), JX_EINVAL);
	assert_memory_equal(&t, &before, sizeof(t));

	/* A long qualitative text is kept whole-charactered in the display copy. */
	for (n = 0; n + 3 <= TARGET_TEXT_MAX; n += 3)
		memcpy(text + n, "验", 3);
	text[n] = '\0';
	assert_jx_ok(target_parse(text, &t));
	assert_int_equal(t.kind, TARGET_QUALITATIVE);
	assert_int_equal(t.flagged, 0);
	assert_int_equal(strlen(t.text) % 3, 0);
	assert_true(strlen(t.text) >= TARGET_DISPLAY_MAX - 3);
}

static void
symbols_and_direction(void **state)
{
	static const struct {
		const char *in;
		enum target_dir want;
	} dirs[] = {
		{ "≥95%", TARGET_DIR_UP }, { "大于3", TARGET_DIR_UP }, { "100%", TARGET_DIR_UP },
		{ "≤5秒", TARGET_DIR_DOWN }, { "低于3%", TARGET_DIR_DOWN },
		{ "≥95%；≤5秒", TARGET_DIR_NONE }, { "满足", TARGET_DIR_NONE },
		{ "约3个", TARGET_DIR_NONE },
	};
	struct target t;

	assert_string_equal(target_cmp_symbol(TARGET_EQ), "=");
	assert_string_equal(target_cmp_symbol(TARGET_GE), "≥");
	assert_string_equal(target_cmp_symbol(TARGET_GT), ">");
	assert_string_equal(target_cmp_symbol(TARGET_LE), "≤");
	assert_string_equal(target_cmp_symbol(TARGET_LT), "<");
	assert_string_equal(target_cmp_symbol((enum target_cmp)42), "?");
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		assert_jx_ok(target_parse(dirs[i].in, &t));
		assert_int_equal(target_direction(&t), dirs[i].want);
	}
	assert_int_equal(target_direction(NULL), TARGET_DIR_NONE);
}

/* Asserts that a and b have the same structure. */
static void
assert_same(const char *what, const struct target *a, const struct target *b)
{
	if (a->kind != b->kind || a->join != b->join || a->flagged != b->flagged ||
	    a->nclauses != b->nclauses)
		fail_msg("\"%s\": structure differs after a round trip", what);
	for (size_t k = 0; k < a->nclauses; k++) {
		const struct target_clause *x = &a->clauses[k], *y = &b->clauses[k];

		if (strcmp(x->label, y->label) != 0 || x->cmp != y->cmp || x->value != y->value ||
		    strcmp(x->unit, y->unit) != 0 || strcmp(x->tail, y->tail) != 0)
			fail_msg("\"%s\" clause %zu: [%s] %s %lld [%s] [%s] came back as "
			    "[%s] %s %lld [%s] [%s]", what, k, x->label, target_cmp_symbol(x->cmp),
			    (long long)x->value, x->unit, x->tail, y->label,
			    target_cmp_symbol(y->cmp), (long long)y->value, y->unit, y->tail);
	}
}

/* Parses in, formats it, parses the rendering: same structure. Returns the rendering. */
static const char *
round_trip(const char *in)
{
	static char buf[TARGET_FORMAT_MAX];
	struct target a, b;

	assert_jx_ok(target_parse(in, &a));
	assert_jx_ok(target_format(&a, buf, sizeof(buf)));
	assert_jx_ok(target_parse(buf, &b));
	if (a.kind == TARGET_QUANTITATIVE)
		assert_same(in, &a, &b);
	return buf;
}

static void
format_round_trips(void **state)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		{ "一般性操作≤5秒，一般性统计≤20秒，关键业务处理性能≥6Gbps日志存储能力≥40TB",
		  "一般性操作≤5秒；一般性统计≤20秒；关键业务处理性能≥6Gbps；日志存储能力≥40TB" },
		{ "面向政府用户≥50或面向公众用户≥200", "面向政府用户≥50或面向公众用户≥200" },
		{ "编制不少于3份信用监管相关标准规范", "编制≥3份信用监管相关标准规范" },
		{ "系统对用户操作的响应时间不超过 5秒", "系统对用户操作的响应时间≤5秒" },
		{ "148.75万件", "148.75万件" },
		{ "不少于10亿条", "≥10亿条" },
		/* 以上 before 年内 would spell 上年 (a relative target): a space between. */
		{ "不少于10分钟年内", "≥10分钟以上 年内" },
		{ "1以上\x18年", "≥1以上 年" },
		/* A unit kept apart from a tail that would lengthen it (分 + 钟秒 is not 分钟). */
		{ "不超过5分\x05钟秒", "≤5分以下钟秒" },
		{ "100000条以上", "≥10万条" },
		{ "10000个", "1万个" },
		{ "≥600万", "≥600万" },
		{ "99.5%", "99.5%" },
		{ "5000次以上", "≥5000次" },
		{ "500万元", "500万元" },
		{ "2022年访问量为100万次", "2022年访问量=100万次" },
		{ "UPS为3台", "UPS=3台" },
		{ "满足", "满足" },
		{ "整合三台UPS为两台，报废三台UPS，UPS利用率提高50%",
		  "整合三台UPS为两台，报废三台UPS，UPS利用率提高50%" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_string_equal(round_trip(cases[i].in), cases[i].want);
	for (size_t i = 0; i < sizeof(seed004) / sizeof(seed004[0]); i++)
		round_trip(seed004[i].in);
	for (size_t i = 0; i < sizeof(grammar) / sizeof(grammar[0]); i++)
		round_trip(grammar[i].in);
}

static void
format_refuses_small_buffers(void **state)
{
	struct target t;
	char buf[8];

	assert_jx_ok(target_parse("≥95%", &t));
	assert_jx_err(target_format(NULL, buf, sizeof(buf)), JX_EINVAL);
	assert_jx_err(target_format(&t, NULL, sizeof(buf)), JX_EINVAL);
	assert_jx_err(target_format(&t, buf, 0), JX_EINVAL);
	assert_jx_ok(target_format(&t, buf, 7));
	assert_string_equal(buf, "≥95%");
	assert_jx_err(target_format(&t, buf, 6), JX_ENOSPC);
	assert_string_equal(buf, "≥95");
	assert_jx_err(target_format(&t, buf, 3), JX_ENOSPC);
	assert_string_equal(buf, "");
	assert_jx_ok(target_parse("满足要求", &t));
	assert_jx_err(target_format(&t, buf, 8), JX_ENOSPC);
	assert_string_equal(buf, "满足");
}

/* Deterministic pseudo-random numbers, so a failure can be replayed. */
/*
 * Random text, from the grammar's pieces and from raw bytes: parsing never fails,
 * every string stays terminated and valid UTF-8, and a quantitative result survives
 * a round trip through target_format.
 */
static void
random_text_is_safe(void **state)
{
	static const char *const pieces[] = {
		"≥", "≤", ">", "<", "=", "＝", "＞", "≧", "不少于", "不超过", "以上", "以内",
		"以下", "或以上", "为", "达到", "或", "且", "，", "；", "。", "、", "：", " ", "　",
		"\n", "万", "亿", "个", "%", "％", "秒", "个月", "Gbps", "人次", "万元", "/", "系统",
		"率", "完成", "支撑", "2022年", "12月", "日", "底", "第", "约", "左右", "提高", "-",
		"×", "IPv", "A", "_", "（定性）", "0", "1", "3", "5", "9", "95", "100", ".", "．",
		",", "１", "５", "\xff", "\xe2\x89", "\x80",
	};
	static char text[TARGET_TEXT_MAX + 1], buf[TARGET_FORMAT_MAX];
	const size_t npieces = sizeof(pieces) / sizeof(pieces[0]);
	uint32_t x = 2463534242u;
	struct target a, b;

	for (int iter = 0; iter < 200000; iter++) {
		size_t n = 0, count = target_rows_random(&x) % 24;

		for (size_t k = 0; k < count; k++) {
			if (iter % 4 == 3) {
				text[n++] = (char)(target_rows_random(&x) & 0xff);
				if (text[n - 1] == '\0')
					text[n - 1] = '7';
				continue;
			}
			const char *p = pieces[target_rows_random(&x) % npieces];

			memcpy(text + n, p, strlen(p));
			n += strlen(p);
		}
		text[n] = '\0';

		assert_jx_ok(target_parse(text, &a));
		assert_true(a.nclauses <= TARGET_MAX_CLAUSES);
		assert_true(valid_utf8(a.text));
		assert_int_equal(a.kind == TARGET_QUANTITATIVE, a.nclauses > 0);
		assert_true(a.kind == TARGET_QUALITATIVE || !a.flagged);
		for (size_t k = 0; k < a.nclauses; k++) {
			assert_true(valid_utf8(a.clauses[k].label));
			assert_true(valid_utf8(a.clauses[k].unit));
			assert_true(valid_utf8(a.clauses[k].tail));
			assert_true(a.clauses[k].value >= 0);
		}
		assert_jx_ok(target_format(&a, buf, sizeof(buf)));
		assert_true(valid_utf8(buf));
		if (a.kind == TARGET_QUANTITATIVE) {
			assert_jx_ok(target_parse(buf, &b));
			assert_same(text, &a, &b);
		}
	}
}

/*
 * Found by tests/fuzz/fuzz_target: a tail or label longer than its buffer is cut, and the
 * cut is trimmed again (spaces, and the punctuation a trim drops at an end), so the
 * rendering parses back to the same clause.
 */
static void
cut_prose_renders_back(void **state)
{
	static struct target t, back;
	static char text[600], buf[TARGET_FORMAT_MAX];
	const char *ends[] = { " ", " !", "\x01", "\xe3\x80\x80" };

	for (size_t e = 0; e < sizeof(ends) / sizeof(ends[0]); e++) {
		size_t n = (size_t)snprintf(text, sizeof(text), "1#");
		while (n < TARGET_TAIL_MAX + 40)
			n += (size_t)snprintf(text + n, sizeof(text) - n, "%s",
			    n < TARGET_TAIL_MAX - 10 ? "x" : ends[e]);
		snprintf(text + n, sizeof(text) - n, "y");
		assert_jx_ok(target_parse(text, &t));
		assert_int_equal(t.nclauses, 1);
		assert_true(strlen(t.clauses[0].tail) < TARGET_TAIL_MAX);
		assert_jx_ok(target_format(&t, buf, sizeof(buf)));
		assert_jx_ok(target_parse(buf, &back));
		assert_int_equal(back.nclauses, 1);
		assert_string_equal(back.clauses[0].tail, t.clauses[0].tail);
		assert_int_equal(back.clauses[0].value, t.clauses[0].value);
	}
}

/*
 * Found by tests/fuzz/fuzz_target: a later clause's label starting with 是 or 者, rendered
 * after 或, read back as the joining word 或是 / 或者 and lost its first character.
 */
static void
label_after_or_renders_back(void **state)
{
	static const char *const texts[] = { "8<8,或是是448686", "用户≥50或者者≥200" };
	static struct target t, back;
	static char buf[TARGET_FORMAT_MAX];

	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		assert_jx_ok(target_parse(texts[i], &t));
		assert_int_equal(t.nclauses, 2);
		assert_int_equal(t.join, TARGET_ANY);
		assert_jx_ok(target_format(&t, buf, sizeof(buf)));
		assert_jx_ok(target_parse(buf, &back));
		assert_int_equal(back.nclauses, 2);
		assert_string_equal(back.clauses[1].label, t.clauses[1].label);
		assert_true(t.clauses[1].label[0] != '\0');
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cut_prose_renders_back),
		cmocka_unit_test(label_after_or_renders_back),
		cmocka_unit_test(seed004_targets_parse),
		cmocka_unit_test(seed004_table_is_complete),
		cmocka_unit_test(grammar_parses),
		cmocka_unit_test(unclassified_is_flagged),
		cmocka_unit_test(refuses_null_and_too_long),
		cmocka_unit_test(symbols_and_direction),
		cmocka_unit_test(format_round_trips),
		cmocka_unit_test(format_refuses_small_buffers),
		cmocka_unit_test(random_text_is_safe),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
