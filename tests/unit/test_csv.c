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


static struct csv *
parse_ok(const char *s, size_t len)
{
	struct csv *csv = NULL;
	char why[CSV_WHY_MAX];

	if (csv_parse(s, len, &csv, why, sizeof(why)) != JX_OK)
		fail_msg("csv_parse: %s", why);
	return csv;
}

/* Parses s expecting JX_EINVAL, and checks why holds each of the given fragments. */
static void
parse_fails(const char *s, size_t len, const char *frag1, const char *frag2)
{
	struct csv *csv = NULL;
	char why[CSV_WHY_MAX] = "";

	assert_jx_err(csv_parse(s, len, &csv, why, sizeof(why)), JX_EINVAL);
	assert_null(csv);
	if (frag1 != NULL && strstr(why, frag1) == NULL)
		fail_msg("'%s' does not mention '%s'", why, frag1);
	if (frag2 != NULL && strstr(why, frag2) == NULL)
		fail_msg("'%s' does not mention '%s'", why, frag2);
}

static void
quoting(void **state)
{
	static const char in[] = "a,\"b,c\",\"d\"\"e\",\"f\ng\",,h\"i\n"
				 "\n"
				 "\"\",x,\n"
				 "last";
	struct csv *csv = parse_ok(in, sizeof(in) - 1);

	assert_int_equal(csv_nrows(csv), 4);
	assert_int_equal(csv_ncols(csv, 0), 6);
	assert_string_equal(csv_cell(csv, 0, 0), "a");
	assert_string_equal(csv_cell(csv, 0, 1), "b,c");
	assert_string_equal(csv_cell(csv, 0, 2), "d\"e");
	assert_string_equal(csv_cell(csv, 0, 3), "f\ng");
	assert_string_equal(csv_cell(csv, 0, 4), "");
	assert_string_equal(csv_cell(csv, 0, 5), "h\"i");
	assert_int_equal(csv_ncols(csv, 1), 1);
	assert_string_equal(csv_cell(csv, 1, 0), "");
	assert_int_equal(csv_ncols(csv, 2), 3);
	assert_string_equal(csv_cell(csv, 2, 0), "");
	assert_string_equal(csv_cell(csv, 2, 1), "x");
	assert_string_equal(csv_cell(csv, 2, 2), "");
	assert_string_equal(csv_cell(csv, 3, 0), "last");
	/* Lines count the line break inside the quoted cell. */
	assert_int_equal(csv_line(csv, 0), 1);
	assert_int_equal(csv_line(csv, 1), 3);
	assert_int_equal(csv_line(csv, 2), 4);
	assert_int_equal(csv_line(csv, 3), 5);
	/* Outside the table: empty, never NULL. */
	assert_string_equal(csv_cell(csv, 0, 6), "");
	assert_string_equal(csv_cell(csv, 9, 0), "");
	assert_int_equal(csv_ncols(csv, 9), 0);
	assert_int_equal(csv_line(csv, 9), 0);
	csv_free(csv);
	csv_free(NULL);
}

static void
crlf_and_bom(void **state)
{
	static const char in[] = "\xef\xbb\xbf"
				 "一级指标,分值\r\n"
				 "\"项目\r\n安排\",15\r\n"
				 "old mac\rrow\r\n";
	struct csv *csv = parse_ok(in, sizeof(in) - 1);

	assert_int_equal(csv_nrows(csv), 4);
	assert_string_equal(csv_cell(csv, 0, 0), "一级指标");
	assert_string_equal(csv_cell(csv, 1, 0), "项目\n安排");
	assert_string_equal(csv_cell(csv, 1, 1), "15");
	assert_int_equal(csv_line(csv, 1), 2);
	assert_string_equal(csv_cell(csv, 2, 0), "old mac");
	assert_int_equal(csv_line(csv, 2), 4);
	assert_string_equal(csv_cell(csv, 3, 0), "row");
	csv_free(csv);

	/* Empty input, and a BOM alone, are tables without rows. */
	csv = parse_ok("", 0);
	assert_int_equal(csv_nrows(csv), 0);
	csv_free(csv);
	csv = parse_ok("\xef\xbb\xbf", 3);
	assert_int_equal(csv_nrows(csv), 0);
	csv_free(csv);
}

static void
gb18030(void **state)
{
	size_t len;
	char *data = jxtest_slurp("tests/data/gb18030-sheet.csv", &len);
	struct csv *csv = parse_ok(data, len);

	assert_int_equal(csv_nrows(csv), 6);
	assert_string_equal(csv_cell(csv, 1, 0), "一级指标");
	assert_string_equal(csv_cell(csv, 2, 0), "项目安排（15分）");
	assert_string_equal(csv_cell(csv, 2, 2), "立项依据适应性");
	assert_string_equal(csv_cell(csv, 2, 6), "3.5");
	/* ≥ is two bytes in GB18030, U+20000 four. */
	assert_string_equal(csv_cell(csv, 4, 5), "定位不清晰；指标值“≥95%”，罕见字“𠀀”");
	csv_free(csv);
	free(data);
}

static void
refuses_other_encodings(void **state)
{
	/* 0x80 and 0xff are not GB18030 either; the line is named. */
	parse_fails("a\nb\n\x80\xff\n", 7, "第 3 行",
	    "line 3: the file is neither UTF-8 nor GB18030");
	parse_fails("\xff\xfe"
		    "a\0,\0",
	    6, "UTF-16", NULL);
	parse_fails("a,b\nc\0d", 7, "line 2", "NUL");
}

static void
errors_name_row_and_column(void **state)
{
	static const char unclosed[] = "a,b\nc,d\ne,\"f\n\ng";
	static const char after[] = "a,b\nc,\"d\"x,e";

	parse_fails(unclosed, sizeof(unclosed) - 1, "第 3 行第 2 列：引号没有闭合",
	    "row 3, column 2: a quoted cell is never closed");
	parse_fails(after, sizeof(after) - 1, "第 2 行第 2 列",
	    "row 2, column 2: text after the closing quote");
}

static void
caps(void **state)
{
	size_t n = (size_t)CSV_MAX_ROWS * 2 + 2;
	char *big = malloc(CSV_MAX_BYTES + 1);
	struct csv *csv;

	assert_non_null(big);
	/* Rows: 100 000 pass, one more does not. */
	for (size_t i = 0; i < n; i += 2) {
		big[i] = 'x';
		big[i + 1] = '\n';
	}
	csv = parse_ok(big, n - 2);
	assert_int_equal(csv_nrows(csv), CSV_MAX_ROWS);
	csv_free(csv);
	parse_fails(big, n, "超过 100000 行", "line 100001: more than 100000 rows");

	/* Columns: 256 pass, 257 do not. */
	memset(big, ',', CSV_MAX_COLS);
	csv = parse_ok(big, CSV_MAX_COLS - 1);
	assert_int_equal(csv_ncols(csv, 0), CSV_MAX_COLS);
	csv_free(csv);
	parse_fails(big, CSV_MAX_COLS, "第 1 行第 257 列",
	    "row 1, column 257: more than 256 columns");

	/* A cell: 64 KiB pass, one byte more does not, quoted or not. */
	memcpy(big, "a\n", 2);
	memset(big + 2, 'y', CSV_MAX_CELL + 8);
	csv = parse_ok(big, 2 + CSV_MAX_CELL);
	assert_int_equal(strlen(csv_cell(csv, 1, 0)), CSV_MAX_CELL);
	csv_free(csv);
	parse_fails(big, 2 + CSV_MAX_CELL + 1, "第 2 行第 1 列", "longer than 64 KiB");
	big[2] = '"';
	parse_fails(big, 2 + CSV_MAX_CELL + 3, "row 2, column 1", "longer than 64 KiB");

	/* The input: 32 MiB at most. */
	memset(big, 'z', CSV_MAX_BYTES + 1);
	parse_fails(big, CSV_MAX_BYTES + 1, "32 MiB", "larger than 32 MiB");
	free(big);
}

static void
write_round_trips(void **state)
{
	static const char *const cells[] = { "plain", "with,comma", "say \"hi\"", "two\nlines", "",
		" spaced " };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct csv *csv;

	assert_non_null(f);
	assert_jx_ok(csv_write_row(f, cells, 6));
	assert_jx_ok(csv_write_row(f, cells, 1));
	assert_int_equal(fclose(f), 0);
	assert_string_equal(buf,
	    "plain,\"with,comma\",\"say \"\"hi\"\"\",\"two\nlines\",, spaced \r\n"
	    "plain\r\n");
	csv = parse_ok(buf, len);
	assert_int_equal(csv_nrows(csv), 2);
	for (size_t i = 0; i < 6; i++)
		assert_string_equal(csv_cell(csv, 0, i), cells[i]);
	csv_free(csv);
	free(buf);
}

/* Issue 11, defect 10: cells a spreadsheet would run as formulas are written as text. */
static void
write_guards_formulas(void **state)
{
	static const char *const cells[] = { "=HYPERLINK(\"http://x\",\"点击\")", "+1+1",
		"-2+3", "@SUM(A1)", "\tx", "\rx", "'=already", "''@twice", "-2", "+1.5", "'plain",
		"a=b", "-" };
	static const char *const written[] = { "'=HYPERLINK", "'+1+1", "'-2+3", "'@SUM(A1)",
		"'\tx", "\"'\rx\"", "''=already", "'''@twice", ",-2,", "+1.5", "'plain", "a=b",
		",'-\r\n" };
	char *buf = NULL;
	size_t len = 0, n = sizeof(cells) / sizeof(cells[0]);
	FILE *f = open_memstream(&buf, &len);
	struct csv *csv;

	assert_non_null(f);
	assert_jx_ok(csv_write_row(f, cells, n));
	assert_int_equal(fclose(f), 0);
	for (size_t i = 0; i < n; i++)
		assert_non_null(strstr(buf, written[i]));
	csv = parse_ok(buf, len);
	/* Every line break reads back as LF, a lone CR too (fuzz_findings). */
	for (size_t i = 0; i < n; i++)
		assert_string_equal(csv_cell(csv, 0, i), strcmp(cells[i], "\rx") == 0 ? "\nx" :
		    cells[i]);
	csv_free(csv);
	free(buf);
}

/* Found by tests/fuzz/fuzz_csv (its corpus keeps the inputs). */
static void
fuzz_findings(void **state)
{
	/* A lone CR inside quotes is a line break like CRLF, kept as LF, and counts a line. */
	static const char cr[] = "\"a\r\r\nb\rc\"\r\nx\n";
	/* A cell starting with a byte-order mark writes so that it reads back. */
	const char *bom[] = { "\xef\xbb\xbf\xe5\xba\x8f", "x" };
	struct csv *csv = parse_ok(cr, sizeof(cr) - 1);
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	assert_int_equal(csv_nrows(csv), 2);
	assert_string_equal(csv_cell(csv, 0, 0), "a\n\nb\nc");
	assert_int_equal(csv_line(csv, 1), 5);
	csv_free(csv);

	assert_non_null(f = open_memstream(&buf, &len));
	assert_jx_ok(csv_write_row(f, bom, 2));
	fclose(f);
	csv = parse_ok(buf, len);
	assert_string_equal(csv_cell(csv, 0, 0), bom[0]);
	assert_string_equal(csv_cell(csv, 0, 1), "x");
	csv_free(csv);
	free(buf);
}

/* A table built cell by cell, as the xlsx reader builds one. */
static void
built_by_hand(void **state)
{
	struct csv *csv = csv_new();
	static char big[CSV_MAX_CELL + 2];

	assert_non_null(csv);
	assert_jx_err(csv_add_cell(csv, "x", 1), JX_EINVAL);
	assert_jx_ok(csv_add_row(csv, 3));
	assert_jx_ok(csv_add_cell(csv, "一级指标", strlen("一级指标")));
	assert_jx_ok(csv_add_cell(csv, "", 0));
	assert_jx_ok(csv_add_row(csv, 7));
	assert_jx_ok(csv_add_cell(csv, "ab", 1));
	assert_jx_err(csv_add_cell(csv, "a\0b", 3), JX_EINVAL);
	memset(big, 'z', sizeof(big));
	assert_jx_err(csv_add_cell(csv, big, sizeof(big)), JX_ENOSPC);
	assert_int_equal(csv_nrows(csv), 2);
	assert_int_equal(csv_ncols(csv, 0), 2);
	assert_int_equal(csv_line(csv, 1), 7);
	assert_string_equal(csv_cell(csv, 0, 0), "一级指标");
	assert_string_equal(csv_cell(csv, 1, 0), "a");
	csv_free(csv);
}

static void
helpers(void **state)
{
	const char *s;

	assert_int_equal(csv_trim("\xe3\x80\x80 分值\t\xc2\xa0", &s), strlen("分值"));
	assert_memory_equal(s, "分值", strlen("分值"));
	assert_int_equal(csv_trim("   ", &s), 0);
	assert_true(csv_blank(""));
	assert_true(csv_blank(" \xe3\x80\x80\r\n"));
	assert_false(csv_blank(" x "));
	assert_true(csv_header_eq(" Level 1 ", "level1"));
	assert_true(csv_header_eq("LEVEL_1", "level1"));
	assert_true(csv_header_eq("一级指标\xe3\x80\x80", "一级指标"));
	assert_false(csv_header_eq("level", "level1"));
	assert_false(csv_header_eq("level12", "level1"));
	assert_false(csv_header_eq("", "level1"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(quoting),
		cmocka_unit_test(fuzz_findings),
		cmocka_unit_test(crlf_and_bom),
		cmocka_unit_test(gb18030),
		cmocka_unit_test(refuses_other_encodings),
		cmocka_unit_test(errors_name_row_and_column),
		cmocka_unit_test(caps),
		cmocka_unit_test(write_round_trips),
		cmocka_unit_test(helpers),
		cmocka_unit_test(write_guards_formulas),
		cmocka_unit_test(built_by_hand),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
