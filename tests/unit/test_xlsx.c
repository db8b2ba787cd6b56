/*
 * Excel workbooks (common/xlsx.c): workbooks written here by libxlsxwriter, as jx's own
 * export writes them, and parts written by hand into a zip with libzip for what
 * libxlsxwriter never writes (inline strings, rich text, escapes, the 1904 date system)
 * and for the bad input the reader must refuse: a zip bomb, a truncated file, an
 * encrypted one, a file that is no workbook, a million rows, a 10 MB cell.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <xlsxwriter.h>
#include <zip.h>

#include "csv.h"
#include "jxtest.h"
#include "xlsx.h"

static char dir[] = "/tmp/jx-test-xlsx.XXXXXX";

static int
setup(void **state)
{
	return mkdtemp(dir) == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* The value of the cell in sheet row `line` and column col (1-based), or "". */
static const char *
cell(const struct csv *t, size_t line, size_t col)
{
	for (size_t r = 0; r < csv_nrows(t); r++)
		if (csv_line(t, r) == line)
			return csv_cell(t, r, col - 1);
	return "";
}

/* ---- Workbooks by libxlsxwriter. ---- */

/*
 * A 评分表 as a bureau keeps it: an instructions sheet first, then the sheet with a
 * title row, merged level-1 names, numbers, a formula with its cached value, a percent
 * and a date, and a 合计 row summing the scores.
 */
static void
write_book(const char *path, bool constant_memory)
{
	lxw_workbook_options opt = { .constant_memory = constant_memory ? LXW_TRUE : LXW_FALSE };
	lxw_workbook *wb = workbook_new_opt(path, &opt);
	lxw_worksheet *info, *ws;
	lxw_format *pct, *date;
	static const char *const header[] = { "一级指标", "二级指标", "分值", "评价得分",
		"完成值", "日期" };

	assert_non_null(wb);
	pct = workbook_add_format(wb);
	format_set_num_format(pct, "0.00%");
	date = workbook_add_format(wb);
	format_set_num_format(date, "yyyy\"年\"m\"月\"d\"日\"");
	info = workbook_add_worksheet(wb, "说明");
	ws = workbook_add_worksheet(wb, "评分表");
	worksheet_write_string(info, 0, 0, "填表说明：分值与得分保留两位小数。", NULL);
	if (!constant_memory)
		worksheet_merge_range(ws, 0, 0, 0, 5, "2023 年度重点绩效评价评分表", NULL);
	else
		worksheet_write_string(ws, 0, 0, "2023 年度重点绩效评价评分表", NULL);
	for (int c = 0; c < 6; c++)
		worksheet_write_string(ws, 1, (lxw_col_t)c, header[c], NULL);
	if (!constant_memory)
		worksheet_merge_range(ws, 2, 0, 4, 0, "决策（15分）", NULL);
	else
		worksheet_write_string(ws, 2, 0, "决策（15分）", NULL);
	worksheet_write_string(ws, 2, 1, "立项依据", NULL);
	worksheet_write_number(ws, 2, 2, 4, NULL);
	worksheet_write_number(ws, 2, 3, 3.5, NULL);
	worksheet_write_number(ws, 2, 4, 0.844, pct);
	worksheet_write_number(ws, 2, 5, 45047, date);
	worksheet_write_string(ws, 3, 1, "绩效目标", NULL);
	worksheet_write_number(ws, 3, 2, 8, NULL);
	worksheet_write_formula_num(ws, 3, 3, "=4+3", NULL, 7);
	worksheet_write_number(ws, 3, 4, 1, pct);
	worksheet_write_string(ws, 4, 1, "资金到位", NULL);
	worksheet_write_number(ws, 4, 2, 3, NULL);
	worksheet_write_number(ws, 4, 3, 2.875, NULL);
	worksheet_write_string(ws, 5, 0, "合计", NULL);
	worksheet_write_formula_num(ws, 5, 2, "=SUM(C3:C5)", NULL, 15);
	worksheet_write_formula_num(ws, 5, 3, "=SUM(D3:D5)", NULL, 13.375);
	assert_int_equal(workbook_close(wb), LXW_NO_ERROR);
}

static struct xlsx *
open_file(const char *path, char **data)
{
	struct xlsx *x = NULL;
	char why[XLSX_WHY_MAX] = "";
	size_t len;

	*data = slurp(path, &len);
	assert_int_equal(xlsx_kind(*data, len), XLSX_KIND_ZIP);
	if (xlsx_open(*data, len, &x, why, sizeof(why)) != JX_OK)
		fail_msg("xlsx_open: %s", why);
	return x;
}

static void
check_book(bool constant_memory)
{
	char path[256], *data, why[XLSX_WHY_MAX] = "";
	struct xlsx *x;
	struct csv *t = NULL;

	snprintf(path, sizeof(path), "%s/book%d.xlsx", dir, constant_memory);
	write_book(path, constant_memory);
	x = open_file(path, &data);
	assert_int_equal(xlsx_nsheets(x), 2);
	assert_string_equal(xlsx_sheet_name(x, 0), "说明");
	assert_string_equal(xlsx_sheet_name(x, 1), "评分表");
	if (xlsx_sheet(x, 1, &t, why, sizeof(why)) != JX_OK)
		fail_msg("xlsx_sheet: %s", why);
	/* Rows keep their sheet row numbers; the title row is row 1. */
	assert_int_equal(csv_line(t, 0), 1);
	assert_string_equal(cell(t, 1, 1), "2023 年度重点绩效评价评分表");
	assert_string_equal(cell(t, 2, 1), "一级指标");
	assert_string_equal(cell(t, 2, 6), "日期");
	assert_string_equal(cell(t, 3, 1), "决策（15分）");
	if (!constant_memory) {
		/* Merged: the level-1 name on every row it spans; the title stays in A1. */
		assert_string_equal(cell(t, 4, 1), "决策（15分）");
		assert_string_equal(cell(t, 5, 1), "决策（15分）");
		assert_string_equal(cell(t, 1, 6), ""); /* not across */
	}
	assert_string_equal(cell(t, 3, 3), "4");
	assert_string_equal(cell(t, 3, 4), "3.5");
	assert_string_equal(cell(t, 3, 5), "84.40%");
	assert_string_equal(cell(t, 3, 6), "2023-05-01");
	assert_string_equal(cell(t, 4, 4), "7"); /* the formula's cached value */
	assert_string_equal(cell(t, 4, 5), "100.00%");
	assert_string_equal(cell(t, 5, 4), "2.875");
	assert_string_equal(cell(t, 6, 1), "合计");
	assert_string_equal(cell(t, 6, 4), "13.375");
	csv_free(t);
	/* The instructions sheet reads too: one row. */
	assert_jx_ok(xlsx_sheet(x, 0, &t, why, sizeof(why)));
	assert_int_equal(csv_nrows(t), 1);
	csv_free(t);
	assert_jx_err(xlsx_sheet(x, 2, &t, why, sizeof(why)), JX_EINVAL);
	xlsx_free(x);
	free(data);
}

static void
reads_what_libxlsxwriter_writes(void **state)
{
	check_book(false);
}

/* constant_memory mode writes inline strings instead of shared ones. */
static void
reads_inline_strings(void **state)
{
	check_book(true);
}

/* ---- Workbooks written part by part. ---- */

static const char *const ct =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Types "
    "xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>";
static const char *const rels =
    "<?xml version=\"1.0\"?><Relationships "
    "xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
    "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/"
    "2006/relationships/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>";
static const char *const bookrels =
    "<?xml version=\"1.0\"?><Relationships "
    "xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
    "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/"
    "2006/relationships/worksheet\" Target=\"worksheets/sheet1.xml\"/>"
    "<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/officeDocument/"
    "2006/relationships/sharedStrings\" Target=\"/xl/sharedStrings.xml\"/>"
    "<Relationship Id=\"rId3\" Type=\"http://schemas.openxmlformats.org/officeDocument/"
    "2006/relationships/styles\" Target=\"styles.xml\"/></Relationships>";
#define BOOK(pr)                                                                          \
	"<?xml version=\"1.0\"?><x:workbook "                                            \
	"xmlns:x=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "          \
	"xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">" \
	pr "<x:sheets><x:sheet name=\"表一\" sheetId=\"1\" r:id=\"rId1\"/></x:sheets>"    \
	"</x:workbook>"
#define SHEET_HEAD                                                                       \
	"<?xml version=\"1.0\"?><worksheet "                                             \
	"xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>"
#define SHEET_TAIL "</sheetData></worksheet>"

/* A part made on the fly: n bytes of spaces between head and tail. */
struct gen {
	const char *head, *tail;
	size_t n, pos;
};

static zip_int64_t
gen_cb(void *ud, void *data, zip_uint64_t len, zip_source_cmd_t cmd)
{
	struct gen *g = ud;
	size_t hl = strlen(g->head), tl = strlen(g->tail), total = hl + g->n + tl;

	switch (cmd) {
	case ZIP_SOURCE_OPEN:
		g->pos = 0;
		return 0;
	case ZIP_SOURCE_READ: {
		char *out = data;
		size_t done = 0;
		while (done < len && g->pos < total) {
			if (g->pos < hl)
				out[done] = g->head[g->pos];
			else if (g->pos < hl + g->n)
				out[done] = ' ';
			else
				out[done] = g->tail[g->pos - hl - g->n];
			done++;
			g->pos++;
		}
		return (zip_int64_t)done;
	}
	case ZIP_SOURCE_CLOSE:
		return 0;
	case ZIP_SOURCE_STAT: {
		zip_stat_t *st = data;
		zip_stat_init(st);
		st->valid = ZIP_STAT_SIZE;
		st->size = total;
		return sizeof(*st);
	}
	case ZIP_SOURCE_FREE:
		return 0;
	case ZIP_SOURCE_SUPPORTS:
		return zip_source_make_command_bitmap(ZIP_SOURCE_OPEN, ZIP_SOURCE_READ,
		    ZIP_SOURCE_CLOSE, ZIP_SOURCE_STAT, ZIP_SOURCE_ERROR, ZIP_SOURCE_FREE, -1);
	default:
		return -1;
	}
}

static void
add_part(zip_t *z, const char *name, const char *text)
{
	zip_source_t *s = zip_source_buffer(z, text, strlen(text), 0);

	assert_non_null(s);
	assert_true(zip_file_add(z, name, s, ZIP_FL_ENC_UTF_8) >= 0);
}

/*
 * A workbook of one sheet whose XML is sheet (or made by gen), with shared strings sst
 * and styles (NULL: none), the workbook's properties pr. Returns its bytes.
 */
static char *
make_book(const char *name, const char *pr, const char *sheet, struct gen *gen, const char *sst,
    const char *styles, size_t *len)
{
	char path[256], book[2048];
	zip_t *z;
	int err;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(book, sizeof(book), BOOK("%s"), pr);
	z = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &err);
	assert_non_null(z);
	add_part(z, "[Content_Types].xml", ct);
	add_part(z, "_rels/.rels", rels);
	add_part(z, "xl/workbook.xml", book);
	add_part(z, "xl/_rels/workbook.xml.rels", bookrels);
	if (gen != NULL) {
		zip_source_t *s = zip_source_function(z, gen_cb, gen);
		zip_int64_t idx;
		assert_non_null(s);
		idx = zip_file_add(z, "xl/worksheets/sheet1.xml", s, 0);
		assert_true(idx >= 0);
		assert_int_equal(zip_set_file_compression(z, (zip_uint64_t)idx, ZIP_CM_DEFLATE, 1), 0);
	} else {
		add_part(z, "xl/worksheets/sheet1.xml", sheet);
	}
	if (sst != NULL)
		add_part(z, "xl/sharedStrings.xml", sst);
	if (styles != NULL)
		add_part(z, "xl/styles.xml", styles);
	assert_int_equal(zip_close(z), 0);
	return slurp(path, len);
}

/* Opens and reads sheet 1: the table, or NULL with the sentence in why. */
static struct csv *
read_book(const char *data, size_t len, int want, char *why, size_t whylen)
{
	struct xlsx *x = NULL;
	struct csv *t = NULL;
	int rv;

	why[0] = '\0';
	if ((rv = xlsx_open(data, len, &x, why, whylen)) == JX_OK) {
		rv = xlsx_sheet(x, 0, &t, why, whylen);
		xlsx_free(x);
	}
	if (rv != want)
		fail_msg("got %d, want %d: %s", rv, want, why);
	if (rv != JX_OK)
		assert_true(why[0] != '\0');
	return t;
}

static void
reads_parts_as_excel_means_them(void **state)
{
	static const char sst[] =
	    "<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
	    "<si><t>分值</t></si>"
	    "<si><r><t>项目</t></r><r><rPr><b/></rPr><t>安排</t></r>"
	    "<rPh sb=\"0\" eb=\"1\"><t>XIANGMU</t></rPh></si>"
	    "<si><t>第一行_x000D_\n第二行 a_x005F_b</t></si></sst>";
	static const char styles[] =
	    "<styleSheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
	    "<numFmts count=\"2\"><numFmt numFmtId=\"164\" formatCode=\"0.0%\"/>"
	    "<numFmt numFmtId=\"165\" formatCode=\"[$-F800]dddd, mmmm dd, yyyy\"/></numFmts>"
	    "<cellStyleXfs count=\"1\"><xf numFmtId=\"10\"/></cellStyleXfs>"
	    "<cellXfs count=\"6\"><xf numFmtId=\"0\"/><xf numFmtId=\"164\"/><xf numFmtId=\"165\"/>"
	    "<xf numFmtId=\"14\"/><xf numFmtId=\"22\"/><xf numFmtId=\"4\"/></cellXfs></styleSheet>";
	static const char sheet[] = SHEET_HEAD
	    "<row r=\"2\"><c r=\"A2\" t=\"s\"><v>0</v></c><c r=\"C2\" t=\"s\"><v>1</v></c>"
	    "<c r=\"D2\" t=\"s\"><v>2</v></c></row>"
	    "<row r=\"3\"><c r=\"A3\" t=\"inlineStr\"><is><t>行内</t></is></c>"
	    "<c r=\"B3\" t=\"str\"><f>A3</f><v>公式文字</v></c>"
	    "<c r=\"C3\" t=\"b\"><v>1</v></c><c r=\"D3\" t=\"e\"><v>#DIV/0!</v></c>"
	    "<c r=\"E3\"><v>87.380000000000009</v></c><c r=\"F3\" s=\"1\"><v>0.5</v></c>"
	    "<c r=\"G3\" s=\"2\"><v>1</v></c><c r=\"H3\" s=\"3\"><v>61</v></c>"
	    "<c r=\"I3\" s=\"4\"><v>45047.6045138889</v></c><c r=\"J3\" s=\"5\"><v>1234567.5</v></c>"
	    "<c r=\"K3\"><f>SUM(E3:E3)</f></c><c r=\"L3\" s=\"99\"><v>-0</v></c></row>"
	    "<row><c><v>1</v></c><c><v>2</v></c></row>"
	    "<row r=\"9\"><c r=\"A9\" t=\"s\"><v></v></c></row>" SHEET_TAIL;
	char why[XLSX_WHY_MAX], *data;
	size_t len;
	struct csv *t;

	data = make_book("parts.xlsx", "", sheet, NULL, sst, styles, &len);
	t = read_book(data, len, JX_OK, why, sizeof(why));
	assert_string_equal(cell(t, 2, 1), "分值");
	assert_string_equal(cell(t, 2, 2), "");
	assert_string_equal(cell(t, 2, 3), "项目安排");
	assert_string_equal(cell(t, 2, 4), "第一行\n第二行 a_b");
	assert_string_equal(cell(t, 3, 1), "行内");
	assert_string_equal(cell(t, 3, 2), "公式文字");
	assert_string_equal(cell(t, 3, 3), "TRUE");
	assert_string_equal(cell(t, 3, 4), "#DIV/0!");
	assert_string_equal(cell(t, 3, 5), "87.38");
	assert_string_equal(cell(t, 3, 6), "50.0%");
	assert_string_equal(cell(t, 3, 7), "1900-01-01");
	assert_string_equal(cell(t, 3, 8), "1900-03-01");
	assert_string_equal(cell(t, 3, 9), "2023-05-01 14:30");
	assert_string_equal(cell(t, 3, 10), "1234567.5");
	assert_string_equal(cell(t, 3, 11), "");
	assert_string_equal(cell(t, 3, 12), "0");
	/* Rows and cells without references follow the ones before. */
	assert_string_equal(cell(t, 4, 1), "1");
	assert_string_equal(cell(t, 4, 2), "2");
	assert_int_equal(csv_nrows(t), 3); /* row 9 holds nothing */
	csv_free(t);
	free(data);

	/* The 1904 date system. */
	data = make_book("1904.xlsx", "<x:workbookPr date1904=\"1\"/>",
	    SHEET_HEAD "<row r=\"1\"><c r=\"A1\" s=\"3\"><v>0</v></c></row>" SHEET_TAIL, NULL, NULL,
	    styles, &len);
	t = read_book(data, len, JX_OK, why, sizeof(why));
	assert_string_equal(cell(t, 1, 1), "1904-01-01");
	csv_free(t);
	free(data);
}

static void
refuses_bad_workbooks(void **state)
{
	static const char *const bad[][2] = {
		{ SHEET_HEAD "<row r=\"3\"><c r=\"B3\" t=\"s\"><v>7</v></c></row>" SHEET_TAIL,
		    "第 3 行第 B 列" },
		{ SHEET_HEAD "<row r=\"3\"><c r=\"B3\"><v>abc</v></c></row>" SHEET_TAIL,
		    "数字单元格的值无效" },
		{ SHEET_HEAD "<row r=\"3\"><c r=\"IW3\"><v>1</v></c></row>" SHEET_TAIL,
		    "第 3 行第 IW 列：超过 256 列" },
		{ SHEET_HEAD "<row r=\"0\"></row>" SHEET_TAIL, "行号无效" },
		{ SHEET_HEAD "<row r=\"1\"><c r=\"1A\"><v>1</v></c></row>" SHEET_TAIL, "单元格引用无效" },
		{ SHEET_HEAD "<row r=\"1\"><c r=\"A1\"><v>1</v></row>" SHEET_TAIL, "XML" },
		{ "<!DOCTYPE x [<!ENTITY a \"aaaa\">]>" SHEET_HEAD SHEET_TAIL, "DTD" },
	};
	char why[XLSX_WHY_MAX], *data;
	size_t len;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		data = make_book("bad.xlsx", "", bad[i][0], NULL, NULL, NULL, &len);
		assert_null(read_book(data, len, JX_EINVAL, why, sizeof(why)));
		if (strstr(why, bad[i][1]) == NULL)
			fail_msg("case %zu: \"%s\" does not say %s", i, why, bad[i][1]);
		assert_non_null(strstr(why, "表一"));
		free(data);
	}
}

/* A 10 MB cell, inline and shared: refused with its row and column. */
static void
refuses_a_10mb_cell(void **state)
{
	size_t big = (size_t)10 << 20, len;
	char *sheet = malloc(big + 512), *sst = malloc(big + 512), why[XLSX_WHY_MAX], *data;
	int n;

	assert_non_null(sheet);
	assert_non_null(sst);
	n = snprintf(sheet, 512, SHEET_HEAD "<row r=\"5\"><c r=\"C5\" t=\"inlineStr\"><is><t>");
	memset(sheet + n, 'x', big);
	snprintf(sheet + n + big, 512, "</t></is></c></row>" SHEET_TAIL);
	data = make_book("cell.xlsx", "", sheet, NULL, NULL, NULL, &len);
	assert_null(read_book(data, len, JX_EINVAL, why, sizeof(why)));
	assert_non_null(strstr(why, "工作表「表一」第 5 行第 C 列：单元格超过 64 KiB"));
	assert_non_null(strstr(why, "row 5, column C"));
	free(data);

	n = snprintf(sst, 512, "<sst><si><t>ok</t></si><si><t>");
	memset(sst + n, 'y', big);
	snprintf(sst + n + big, 512, "</t></si></sst>");
	data = make_book("sst.xlsx", "",
	    SHEET_HEAD "<row r=\"2\"><c r=\"A2\" t=\"s\"><v>0</v></c><c r=\"D2\" t=\"s\"><v>1</v></c>"
		       "</row>" SHEET_TAIL,
	    NULL, sst, NULL, &len);
	assert_null(read_book(data, len, JX_EINVAL, why, sizeof(why)));
	assert_non_null(strstr(why, "第 2 行第 D 列：单元格超过 64 KiB"));
	free(data);
	free(sheet);
	free(sst);
}

/* A million rows: refused past the cap, without reading the rest. */
static void
refuses_a_million_rows(void **state)
{
	size_t cap = (size_t)1000000 * 64 + 512, used = 0, len;
	char *sheet = malloc(cap), why[XLSX_WHY_MAX], *data;

	assert_non_null(sheet);
	used += (size_t)snprintf(sheet, cap, SHEET_HEAD);
	for (size_t r = 1; r <= 1000000; r++)
		used += (size_t)snprintf(sheet + used, cap - used,
		    "<row r=\"%zu\"><c r=\"A%zu\"><v>1</v></c></row>", r, r);
	snprintf(sheet + used, cap - used, SHEET_TAIL);
	data = make_book("rows.xlsx", "", sheet, NULL, NULL, NULL, &len);
	assert_null(read_book(data, len, JX_EINVAL, why, sizeof(why)));
	assert_non_null(strstr(why, "第 100001 行：超过 100000 行"));
	free(data);
	free(sheet);
}

/* A part that inflates past the cap: refused, and not inflated further. */
static void
refuses_a_zip_bomb(void **state)
{
	struct gen g = { SHEET_HEAD, SHEET_TAIL, XLSX_MAX_PART + 4096, 0 };
	char why[XLSX_WHY_MAX], *data;
	size_t len;

	data = make_book("bomb.xlsx", "", NULL, &g, NULL, NULL, &len);
	assert_true(len < ((size_t)2 << 20)); /* a small file... */
	assert_null(read_book(data, len, JX_EINVAL, why, sizeof(why)));
	assert_non_null(strstr(why, "压缩炸弹"));
	assert_non_null(strstr(why, "xl/worksheets/sheet1.xml"));
	free(data);
}

static void
refuses_what_is_no_workbook(void **state)
{
	static const char cfb[] = "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1";
	char buf[4096], why[XLSX_WHY_MAX], path[256], *data;
	struct xlsx *x = NULL;
	size_t len;
	zip_t *z;
	int err;

	/* CSV text. */
	assert_int_equal(xlsx_kind("a,b\n", 4), XLSX_KIND_OTHER);
	assert_jx_err(xlsx_open("a,b\n", 4, &x, why, sizeof(why)), JX_EINVAL);
	assert_non_null(strstr(why, "不是 Excel 工作簿"));
	/* An OLE file: .xls, or an encrypted .xlsx. */
	memset(buf, 0, sizeof(buf));
	memcpy(buf, cfb, 8);
	assert_int_equal(xlsx_kind(buf, sizeof(buf)), XLSX_KIND_BIFF);
	assert_jx_err(xlsx_open(buf, sizeof(buf), &x, why, sizeof(why)), JX_EINVAL);
	assert_non_null(strstr(why, ".xls"));
	memcpy(buf + 1024, "E\0n\0c\0r\0y\0p\0t\0e\0d\0P\0a\0c\0k\0a\0g\0e\0", 32);
	assert_int_equal(xlsx_kind(buf, sizeof(buf)), XLSX_KIND_ENCRYPTED);
	assert_jx_err(xlsx_open(buf, sizeof(buf), &x, why, sizeof(why)), JX_EINVAL);
	assert_non_null(strstr(why, "密码"));
	assert_non_null(strstr(why, "encrypted"));
	/* A zip that holds no workbook. */
	snprintf(path, sizeof(path), "%s/other.zip", dir);
	z = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &err);
	assert_non_null(z);
	add_part(z, "word/document.xml", "<document/>");
	assert_int_equal(zip_close(z), 0);
	data = slurp(path, &len);
	assert_jx_err(xlsx_open(data, len, &x, why, sizeof(why)), JX_EINVAL);
	assert_non_null(strstr(why, "不是 Excel 工作簿"));
	free(data);
	/* Truncated: every cut of a real workbook is refused (or, cut in slack, read). */
	snprintf(path, sizeof(path), "%s/cut.xlsx", dir);
	write_book(path, false);
	data = slurp(path, &len);
	for (size_t cut = 0; cut < len; cut += len / 97 + 1) {
		x = NULL;
		why[0] = '\0';
		if (xlsx_open(data, cut, &x, why, sizeof(why)) == JX_OK) {
			fail_msg("a workbook cut to %zu of %zu bytes opened", cut, len);
		}
		assert_true(why[0] != '\0');
	}
	assert_jx_err(xlsx_open(data, len / 2, &x, why, sizeof(why)), JX_EINVAL);
	assert_non_null(strstr(why, "损坏或不完整"));
	free(data);
}

static void
column_letters(void **state)
{
	char b[8];

	assert_string_equal(xlsx_column(1, b), "A");
	assert_string_equal(xlsx_column(26, b), "Z");
	assert_string_equal(xlsx_column(27, b), "AA");
	assert_string_equal(xlsx_column(256, b), "IV");
	assert_string_equal(xlsx_column(16384, b), "XFD");
	assert_string_equal(xlsx_column(0, b), "?");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reads_what_libxlsxwriter_writes),
		cmocka_unit_test(reads_inline_strings),
		cmocka_unit_test(reads_parts_as_excel_means_them),
		cmocka_unit_test(refuses_bad_workbooks),
		cmocka_unit_test(refuses_a_10mb_cell),
		cmocka_unit_test(refuses_a_million_rows),
		cmocka_unit_test(refuses_a_zip_bomb),
		cmocka_unit_test(refuses_what_is_no_workbook),
		cmocka_unit_test(column_letters),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
