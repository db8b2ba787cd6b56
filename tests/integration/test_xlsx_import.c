/*
 * jx import sheet and jx budget lines from Excel workbooks, against a real jixiaod:
 * seed 002's 评分表 written as a bureau keeps it (an instructions sheet first, a title
 * row, level names in merged cells, numbers as numbers, an extra column, a percent cell,
 * a date cell and a 合计 row summing the scores with a formula) imports and scores
 * 87.38 → 良; the same workbook saved by LibreOffice,
 * as .xlsx and as an old .xls, imports the same; bad workbooks are refused and nothing
 * is imported.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <unistd.h>
#include <cmocka.h>

#include <xlsxwriter.h>

#include "csv.h"
#include "daemon.h"
#include "jxtest.h"

#define SUBJECT "2023年“数字政府”建设专项资金（运维类）项目"

static void
assert_has(const char *text, const char *want)
{
	if (strstr(text, want) == NULL)
		fail_msg("expected %s in:\n%s", want, text);
}

static bool
on_path(const char *prog)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", prog);
	return system(cmd) == 0;
}

/* Runs argv quietly; its exit status. */
static int
run(const char *const *argv)
{
	pid_t pid = fork();
	int status;

	assert_true(pid >= 0);
	if (pid == 0) {
		freopen("/dev/null", "w", stdout);
		freopen("/dev/null", "w", stderr);
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static bool
number(const char *s, double *v)
{
	char *end;

	if (s[0] == '\0')
		return false;
	*v = strtod(s, &end);
	return *end == '\0';
}

/*
 * Seed 002's sheet (tests/data/seed002-sheet.csv) as a workbook: sheet 1 "填表说明",
 * sheet 2 "评分表" with a title row merged across, the header, each level name merged
 * down the rows it spans, 分值 and 评价得分 as numbers, 支出完成率's 完成值 as 0.844 with a
 * percent format, 运维项目完成数量's as a date, a 备注 column the importer ignores, and
 * a 合计 row whose score is =SUM(…) with its value cached.
 */
static void
write_seed002(const char *path)
{
	size_t len, ncols;
	char *data = jxtest_slurp("tests/data/seed002-sheet.csv", &len), why[CSV_WHY_MAX];
	struct csv *csv;
	lxw_workbook *wb = workbook_new(path);
	lxw_worksheet *info, *ws;
	lxw_format *pct, *date, *money;

	assert_non_null(wb);
	assert_jx_ok(csv_parse(data, len, &csv, why, sizeof(why)));
	ncols = csv_ncols(csv, 0);
	pct = workbook_add_format(wb);
	format_set_num_format(pct, "0.00%");
	date = workbook_add_format(wb);
	format_set_num_format(date, "yyyy\"年\"m\"月\"d\"日\"");
	money = workbook_add_format(wb);
	format_set_num_format(money, "#,##0.00");
	info = workbook_add_worksheet(wb, "填表说明");
	worksheet_write_string(info, 0, 0, "请在「评分表」中填写评价得分，分值不得改动。", NULL);
	ws = workbook_add_worksheet(wb, "评分表");
	worksheet_merge_range(ws, 0, 0, 0, (lxw_col_t)ncols, "2023年度“数字政府”建设专项资金"
	    "（运维类）项目绩效评价评分表", NULL);
	for (size_t c = 0; c < ncols; c++)
		worksheet_write_string(ws, 1, (lxw_col_t)c, csv_cell(csv, 0, c), NULL);
	worksheet_write_string(ws, 1, (lxw_col_t)ncols, "备注", NULL);
	for (size_t r = 1; r < csv_nrows(csv); r++) {
		lxw_row_t row = (lxw_row_t)(r + 1);

		for (size_t c = 0; c < ncols; c++) {
			const char *s = csv_cell(csv, r, c), *name = csv_cell(csv, r, 2);
			double v;

			if (c < 3) {
				size_t end = r + 1;

				if (s[0] == '\0')
					continue;
				while (end < csv_nrows(csv) && csv_cell(csv, end, c)[0] == '\0')
					end++;
				if (end - r > 1)
					worksheet_merge_range(ws, row, (lxw_col_t)c,
					    (lxw_row_t)(end - 1 + 1), (lxw_col_t)c, s, NULL);
				else
					worksheet_write_string(ws, row, (lxw_col_t)c, s, NULL);
			} else if (c == 8 && strcmp(name, "支出完成率") == 0) {
				worksheet_write_number(ws, row, (lxw_col_t)c, 0.844, pct);
			} else if (c == 8 && strcmp(name, "运维项目完成数量") == 0) {
				worksheet_write_number(ws, row, (lxw_col_t)c, 45107, date);
			} else if ((c == 3 || c == 6) && number(s, &v)) {
				worksheet_write_number(ws, row, (lxw_col_t)c, v, NULL);
			} else if (s[0] != '\0') {
				worksheet_write_string(ws, row, (lxw_col_t)c, s, NULL);
			}
		}
		if (r == 1)
			worksheet_write_string(ws, row, (lxw_col_t)ncols, "专家甲复核", NULL);
	}
	/* The 合计 row: its label merged across the level columns, the scores summed. */
	{
		lxw_row_t last = (lxw_row_t)csv_nrows(csv), row = last + 1;
		char sum[64];

		worksheet_merge_range(ws, row, 0, row, 2, "合计", NULL);
		worksheet_write_number(ws, row, 3, 100, NULL);
		snprintf(sum, sizeof(sum), "=SUM(G3:G%u)", (unsigned)last + 1);
		worksheet_write_formula_num(ws, row, 6, sum, NULL, 87.38);
	}
	/* Payments, for jx budget lines: amounts with thousands formatting, dates as dates. */
	ws = workbook_add_worksheet(wb, "支出明细");
	worksheet_merge_range(ws, 0, 0, 0, 2, "2023 年度支出明细表", NULL);
	worksheet_write_string(ws, 1, 0, "日期", NULL);
	worksheet_write_string(ws, 1, 1, "用途", NULL);
	worksheet_write_string(ws, 1, 2, "金额", NULL);
	worksheet_write_number(ws, 2, 0, 45047, date);
	worksheet_write_string(ws, 2, 1, "政府专线租用", NULL);
	worksheet_write_number(ws, 2, 2, 1260000, money);
	worksheet_write_number(ws, 3, 0, 45078, date);
	worksheet_write_string(ws, 3, 1, "运维服务", NULL);
	worksheet_write_formula_num(ws, 3, 2, "=3025434.4", money, 3025434.4);
	worksheet_write_string(ws, 4, 1, "合 计", NULL);
	worksheet_write_formula_num(ws, 4, 2, "=SUM(C3:C4)", money, 4285434.4);
	assert_int_equal(workbook_close(wb), LXW_NO_ERROR);
	csv_free(csv);
	free(data);
}

/* A new workspace ws with the workbook at path imported, its budget set; jx's stderr. */
static char *
import_book(struct jxd *d, const char *ws, const char *path, const char *sheet)
{
	char *out, *err, subject[256];
	const char *args[16] = { "import", "sheet", ws, path, "--json" };
	size_t n = 5;

	/* One evaluation per subject, year and kind: each workspace is another copy. */
	snprintf(subject, sizeof(subject), "%s（%s）", SUBJECT, ws);
	assert_int_equal(jxd_jx(d, NULL, NULL, "ws", "create", "--subject", subject, "--year",
	    "2023", "--kind", "key-evaluation", NULL), 0);
	if (sheet != NULL)
		args[n++] = "--sheet", args[n++] = sheet;
	args[n] = NULL;
	if (jxd_jxv(d, &out, &err, args) != 0)
		fail_msg("import failed: %s", err);
	assert_has(out, "\"added\": 35,");
	free(out);
	assert_int_equal(jxd_jx(d, NULL, NULL, "budget", "set", ws, "--initial", "1164.43",
	    "--adjust", "-30.01", "--adjust", "-626.68", "--spent", "428.54", NULL), 0);
	return err;
}

static void
scores_87_38_good(struct jxd *d, const char *ws)
{
	char *out;

	assert_int_equal(jxd_jx(d, &out, NULL, "score", ws, "--json", NULL), 0);
	assert_has(out, "\"total\": 87.38,");
	assert_has(out, "\"grade\": \"良\",");
	free(out);
	assert_int_equal(jxd_jx(d, &out, NULL, "tree", ws, "--json", NULL), 0);
	assert_has(out, "\"actual\": \"84.40%\"");
	assert_has(out, "\"actual\": \"2023-06-30\"");
	assert_has(out, "\"name\": \"项目安排\"");
	free(out);
}

static void
seed002_workbook_scores_87_38(void **state)
{
	struct jxd d;
	char path[512], *err, *out;

	jxd_start(&d, false);
	snprintf(path, sizeof(path), "%s/评分表.xlsx", d.dir);
	write_seed002(path);
	err = import_book(&d, "1", path, NULL);
	/* The instructions sheet does not read as a scoring sheet: the second is used. */
	assert_has(err, "第 2 个工作表「评分表」");
	assert_has(err, "ignored these columns: 备注");
	free(err);
	scores_87_38_good(&d, "1");

	/* By name and by number. */
	free(import_book(&d, "2", path, "评分表"));
	scores_87_38_good(&d, "2");
	free(import_book(&d, "3", path, "2"));
	assert_int_equal(jxd_jx(&d, NULL, &err, "ws", "create", "--subject", "x", "--year",
	    "2023", "--kind", "key-evaluation", NULL), 0);
	free(err);
	assert_int_equal(jxd_jx(&d, NULL, &err, "import", "sheet", "4", path, "--sheet", "填表说明",
	    NULL), EX_DATAERR);
	assert_has(err, "一级指标");
	free(err);
	assert_int_equal(jxd_jx(&d, NULL, &err, "import", "sheet", "4", path, "--sheet", "无此表",
	    NULL), EX_USAGE);
	assert_has(err, "1. 填表说明");
	free(err);

	/*
	 * Budget lines from the third sheet, under its title row: amounts as amounts, dates
	 * not read as amounts.
	 */
	assert_int_equal(jxd_jx(&d, &out, &err, "budget", "lines", "1", path, NULL), 0);
	assert_has(out, "2 expenditure lines, total 4285434.40 yuan (428.54 万元)");
	assert_has(err, "「支出明细」");
	free(out);
	free(err);
	jxd_stop(&d);
	jxd_cleanup(&d);
}

/* The workbook opened and saved by LibreOffice, as .xlsx and as .xls, imports the same. */
static void
libreoffice_saved_workbooks(void **state)
{
	const char *office = on_path("soffice") ? "soffice" : "libreoffice";
	struct jxd d;
	char src[512], profile[600], xlsx[600], xls[600], outdir[512], *err;

	if (!on_path(office)) {
		print_message("LibreOffice is not installed: workbooks saved by it are not tried\n");
		skip();
	}
	jxd_start(&d, false);
	snprintf(src, sizeof(src), "%s/seed002.xlsx", d.dir);
	write_seed002(src);
	snprintf(profile, sizeof(profile), "-env:UserInstallation=file://%s/lo", d.dir);
	snprintf(outdir, sizeof(outdir), "%s/lo-out", d.dir);
	const char *to_xlsx[] = { office, profile, "--headless", "--convert-to",
		"xlsx:Calc MS Excel 2007 XML", "--outdir", outdir, src, NULL };
	const char *to_xls[] = { office, profile, "--headless", "--convert-to",
		"xls:MS Excel 97", "--outdir", outdir, src, NULL };
	assert_int_equal(run(to_xlsx), 0);
	assert_int_equal(run(to_xls), 0);
	snprintf(xlsx, sizeof(xlsx), "%s/seed002.xlsx", outdir);
	snprintf(xls, sizeof(xls), "%s/seed002.xls", outdir);

	free(import_book(&d, "1", xlsx, NULL));
	scores_87_38_good(&d, "1");
	err = import_book(&d, "2", xls, NULL);
	assert_has(err, "LibreOffice");
	free(err);
	scores_87_38_good(&d, "2");
	jxd_stop(&d);
	jxd_cleanup(&d);
}

/* Bad workbooks: refused with a plain sentence, and the workspace stays empty. */
static void
bad_workbooks_import_nothing(void **state)
{
	struct jxd d;
	char path[512], cut[512], *data, *out, *err;
	size_t len;
	FILE *f;

	jxd_start(&d, false);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "ws", "create", "--subject", SUBJECT, "--year",
	    "2023", "--kind", "key-evaluation", NULL), 0);
	snprintf(path, sizeof(path), "%s/whole.xlsx", d.dir);
	write_seed002(path);
	/* Truncated. */
	f = fopen(path, "rb");
	assert_non_null(f);
	assert_non_null(data = malloc(1 << 22));
	len = fread(data, 1, 1 << 22, f);
	fclose(f);
	snprintf(cut, sizeof(cut), "%s/cut.xlsx", d.dir);
	assert_non_null(f = fopen(cut, "wb"));
	assert_int_equal(fwrite(data, 1, len / 2, f), len / 2);
	fclose(f);
	assert_int_equal(jxd_jx(&d, NULL, &err, "import", "sheet", "1", cut, NULL), EX_DATAERR);
	assert_has(err, "损坏或不完整");
	assert_has(err, "damaged or incomplete");
	free(err);
	/* An OLE file that is an encrypted workbook. */
	memset(data, 0, 4096);
	memcpy(data, "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 8);
	memcpy(data + 2048, "E\0n\0c\0r\0y\0p\0t\0e\0d\0P\0a\0c\0k\0a\0g\0e\0", 32);
	assert_non_null(f = fopen(cut, "wb"));
	assert_int_equal(fwrite(data, 1, 4096, f), 4096);
	fclose(f);
	assert_int_equal(jxd_jx(&d, NULL, &err, "import", "sheet", "1", cut, NULL), EX_DATAERR);
	assert_has(err, "密码");
	free(err);
	free(data);
	/* --sheet on a CSV. */
	assert_int_equal(jxd_jx(&d, NULL, &err, "import", "sheet", "1",
	    jxtest_source_path("tests/data/seed002-sheet.csv", cut, sizeof(cut)), "--sheet", "1",
	    NULL), EX_USAGE);
	free(err);
	/* Nothing was imported. */
	assert_int_equal(jxd_jx(&d, &out, NULL, "tree", "1", "--json", NULL), 0);
	assert_null(strstr(out, "\"code\""));
	free(out);
	/* --help says what is read. */
	assert_int_equal(jxd_jx(&d, &out, NULL, "import", "sheet", "--help", NULL), 0);
	assert_has(out, ".xlsx");
	assert_has(out, "--sheet");
	free(out);
	jxd_stop(&d);
	jxd_cleanup(&d);
}

/*
 * Seed 004's target table as a workbook (a title row, the unit merged down its
 * projects' rows as bureaus keep it): jx import targets reads the same 20 projects and
 * 101 indicators as from the CSV.
 */
static void
seed004_targets_from_a_workbook(void **state)
{
	size_t len;
	char *data = jxtest_slurp("tests/data/seed004-targets.csv", &len), why[CSV_WHY_MAX];
	char path[512], *out;
	struct csv *csv;
	lxw_workbook *wb;
	lxw_worksheet *ws;
	struct jxd d;

	jxd_start(&d, false);
	snprintf(path, sizeof(path), "%s/绩效目标表.xlsx", d.dir);
	assert_jx_ok(csv_parse(data, len, &csv, why, sizeof(why)));
	assert_non_null(wb = workbook_new(path));
	ws = workbook_add_worksheet(wb, "绩效目标表");
	worksheet_write_string(ws, 0, 0, "2022 年度项目绩效目标表", NULL);
	for (size_t r = 0; r < csv_nrows(csv); r++) {
		for (size_t c = 0; c < csv_ncols(csv, r); c++) {
			const char *s = csv_cell(csv, r, c);
			size_t end = r + 1;

			if (s[0] == '\0' || (c < 2 && r > 1 && strcmp(csv_cell(csv, r - 1, c), s) == 0))
				continue; /* inside the merged range above */
			/* A unit or department repeated below: merged, as a bureau's table has it. */
			while (c < 2 && r > 0 && end < csv_nrows(csv) &&
			    strcmp(csv_cell(csv, end, c), s) == 0)
				end++;
			if (end - r > 1) {
				worksheet_merge_range(ws, (lxw_row_t)(r + 1), (lxw_col_t)c,
				    (lxw_row_t)end, (lxw_col_t)c, s, NULL);
			} else {
				worksheet_write_string(ws, (lxw_row_t)(r + 1), (lxw_col_t)c, s, NULL);
			}
		}
	}
	assert_int_equal(workbook_close(wb), LXW_NO_ERROR);
	csv_free(csv);
	free(data);
	assert_int_equal(jxd_jx(&d, &out, NULL, "import", "targets", path, "--year", "2022",
	    "--json", NULL), 0);
	assert_has(out, "\"projects\": 20,");
	assert_has(out, "\"indicators\": 101,");
	free(out);
	jxd_stop(&d);
	jxd_cleanup(&d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(seed002_workbook_scores_87_38),
		cmocka_unit_test(libreoffice_saved_workbooks),
		cmocka_unit_test(bad_workbooks_import_nothing),
		cmocka_unit_test(seed004_targets_from_a_workbook),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
