/*
 * The exporters as a library (client/export/): a Tree.GetTree reply built here, with no
 * server and no client connection code, written in every format to bytes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "export.h"
#include "jxtest.h"

static Jixiao__Workspace ws = JIXIAO__WORKSPACE__INIT;
static Jixiao__Node n1 = JIXIAO__NODE__INIT, n2 = JIXIAO__NODE__INIT;
static Jixiao__Node *nodes[] = { &n1, &n2 };
static Jixiao__TreeReply tree = JIXIAO__TREE_REPLY__INIT;

static void
fixture(void)
{
	ws.id = 7;
	ws.subject = "panyu";
	ws.title = "番禺区 2023 项目";
	ws.fiscal_year = 2023;
	ws.kind = JIXIAO__KIND__KEY_EVALUATION;
	n1.id = 1;
	n1.code = "1";
	n1.name = "决策";
	n1.has_weight = n1.has_total = n1.has_depth = 1;
	n1.weight = 1500;
	n1.total = 1200;
	n1.depth = 1;
	n2.id = 2;
	n2.parent_id = 1;
	n2.has_parent_id = 1;
	n2.code = "1.1";
	n2.name = "=HYPERLINK(\"http://x\",\"点击\")";
	n2.has_weight = n2.has_score = n2.has_total = n2.has_depth = 1;
	n2.weight = 1500;
	n2.score = n2.total = 1200;
	n2.depth = 2;
	tree.workspace = &ws;
	tree.nodes = nodes;
	tree.n_nodes = 2;
	tree.total = 1200;
	tree.weight = 1500;
	tree.grade = "良";
}

static bool
has(const uint8_t *buf, size_t len, const char *s)
{
	size_t n = strlen(s);

	for (size_t i = 0; i + n <= len; i++)
		if (memcmp(buf + i, s, n) == 0)
			return true;
	return false;
}

static void
test_export_format_names(void **state)
{
	enum export_format f;

	assert_int_equal(export_format_parse("markdown", &f), 0);
	assert_int_equal(f, EXPORT_MD);
	assert_int_equal(export_format_of_path("dir.x/评分表.xlsx", &f), 0);
	assert_int_equal(f, EXPORT_XLSX);
	assert_int_equal(export_format_of_path("report.htm", &f), 0);
	assert_int_equal(f, EXPORT_HTML);
	assert_int_equal(export_format_of_path("dir.x/report", &f), -1);
	assert_int_equal(export_format_parse("pdfx", &f), -1);
	assert_int_equal(export_format_needs(EXPORT_CSV), 0);
	assert_true((export_format_needs(EXPORT_HTML) & EXPORT_NEEDS_TREND) != 0);
	assert_string_equal(export_format_name(EXPORT_XLSX), "xlsx");
}

static void
test_export_format_bytes(void **state)
{
	struct export_sheet s;
	char why[EXPORT_WHY_MAX] = "";
	uint8_t *buf;
	size_t len;

	fixture();
	assert_jx_ok(export_sheet_init(&s, &tree, why, sizeof(why)));
	for (unsigned f = 0; f < EXPORT_NFORMATS; f++) {
		char browser[4096];

		if (f == EXPORT_PDF && !export_pdf_browser(browser, sizeof(browser))) {
			print_message("chromium is not installed: no PDF\n");
			continue;
		}
		if (export_format_bytes(&s, (enum export_format)f, &buf, &len, why,
		    sizeof(why)) != JX_OK)
			fail_msg("%s: %s", export_format_name((enum export_format)f), why);
		assert_true(len > 100);
		if (f == EXPORT_XLSX)
			assert_memory_equal(buf, "PK\3\4", 4);
		else if (f == EXPORT_PDF)
			assert_memory_equal(buf, "%PDF", 4);
		else
			assert_true(has(buf, len, "决策"));
		free(buf);
	}
	export_sheet_free(&s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_export_format_names),
		cmocka_unit_test(test_export_format_bytes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
