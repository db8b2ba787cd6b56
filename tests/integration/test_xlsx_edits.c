/*
 * The offline round trip against a real jixiaod: seed 002's 评分表 exported for editing,
 * three scores and a comment changed in the workbook (its XML edited, as Excel would
 * save it), one of those indicators changed on the server meanwhile; jx import edits,
 * run by the expert with their own key, applies the rest, reports exactly that one
 * conflict with both values, and the history shows the edits under the expert. A
 * workbook whose hidden sheet was altered is refused.
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

#include <zip.h>

#include "daemon.h"
#include "jxtest.h"

#define SUBJECT "2023年“数字政府”建设专项资金（运维类）项目"
#define SHEET "xl/worksheets/sheet1.xml"

static void
assert_has(const char *text, const char *want)
{
	if (strstr(text, want) == NULL)
		fail_msg("expected %s in:\n%s", want, text);
}

static char *
part_read(zip_t *z, const char *part)
{
	zip_stat_t st;
	zip_file_t *zf;
	char *xml;

	assert_int_equal(zip_stat(z, part, 0, &st), 0);
	assert_non_null(xml = calloc(1, st.size + 1));
	assert_non_null(zf = zip_fopen(z, part, 0));
	assert_int_equal(zip_fread(zf, xml, st.size), (zip_int64_t)st.size);
	zip_fclose(zf);
	return xml;
}

/* Replaces the whole cell ref (<c r="ref" …/> or <c r="ref" …>…</c>) in part with cell. */
static void
replace_cell(const char *path, const char *part, const char *ref, const char *cell)
{
	char key[32], *xml, *at, *end, *edited;
	zip_source_t *src;
	zip_t *z;
	size_t len;
	int err;

	assert_non_null(z = zip_open(path, 0, &err));
	xml = part_read(z, part);
	snprintf(key, sizeof(key), "<c r=\"%s\"", ref);
	if ((at = strstr(xml, key)) == NULL)
		fail_msg("no cell %s in %s", ref, part);
	end = strchr(at, '>');
	if (end[-1] == '/')
		end++;
	else
		end = strstr(at, "</c>") + 4;
	len = strlen(xml) + strlen(cell) + 1;
	assert_non_null(edited = malloc(len));
	snprintf(edited, len, "%.*s%s%s", (int)(at - xml), xml, cell, end);
	assert_non_null(src = zip_source_buffer(z, edited, strlen(edited), 1));
	assert_true(zip_file_add(z, part, src, ZIP_FL_OVERWRITE) >= 0);
	assert_int_equal(zip_close(z), 0);
	free(xml);
}

/* A copy of the workbook at from, with bytes from..to of part replaced. */
static void
copy_file(const char *from, const char *to)
{
	char cmd[1200];

	snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", from, to);
	assert_int_equal(system(cmd), 0);
}

static void
start(struct jxd *d, char *path, size_t len)
{
	char csv[512];

	jxd_start(d, false);
	jxd_user(d, "wang", false);
	assert_int_equal(jxd_jx(d, NULL, NULL, "ws", "create", "--subject", SUBJECT, "--year",
	    "2023", "--kind", "key-evaluation", NULL), 0);
	assert_int_equal(jxd_jx(d, NULL, NULL, "import", "sheet", "1",
	    jxtest_source_path("tests/data/seed002-sheet.csv", csv, sizeof(csv)), NULL), 0);
	assert_int_equal(jxd_jx(d, NULL, NULL, "budget", "set", "1", "--initial", "1164.43",
	    "--adjust", "-30.01", "--adjust", "-626.68", "--spent", "428.54", NULL), 0);
	assert_int_equal(jxd_jx(d, NULL, NULL, "member", "set", "1", "wang", "evaluator", NULL),
	    0);
	snprintf(path, len, "%s/评分表.xlsx", d->dir);
	assert_int_equal(jxd_jx(d, NULL, NULL, "export", "1", "--format", "xlsx", "--for-editing",
	    "-o", path, NULL), 0);
}

/* What `jx CMD 1 --json` says of indicator code: want is in its object. */
static void
assert_says(struct jxd *d, const char *cmd, const char *code, const char *want)
{
	char key[64], *out, *at, *next;

	assert_int_equal(jxd_jx(d, &out, NULL, cmd, "1", "--json", NULL), 0);
	snprintf(key, sizeof(key), "\"code\": \"%s\"", code);
	assert_non_null(at = strstr(out, key));
	next = strstr(at + 1, "\"code\": ");
	if (next != NULL)
		*next = '\0';
	assert_has(at, want);
	free(out);
}

static void
assert_node(struct jxd *d, const char *code, const char *want)
{
	assert_says(d, "tree", code, want);
}

static void
round_trip_applies_edits_and_reports_the_conflict(void **state)
{
	struct jxd d;
	char path[512], *out, *err;

	start(&d, path, sizeof(path));
	/*
	 * In the file: 1.1.1 3.5 → 3, 1.1.2 3 → 2, 1.2.1 3 → 3.5 (rows 5-7, column G), and
	 * 1.2.2's comment (F8) rewritten.
	 */
	replace_cell(path, SHEET, "G5", "<c r=\"G5\"><v>3</v></c>");
	replace_cell(path, SHEET, "G6", "<c r=\"G6\"><v>2</v></c>");
	replace_cell(path, SHEET, "G7", "<c r=\"G7\"><v>3.5</v></c>");
	replace_cell(path, SHEET, "F8", "<c r=\"F8\" t=\"inlineStr\"><is><t>专家复核：指标表述已"
	    "规范。</t></is></c>");
	/* Meanwhile on the server: 1.1.2's score (a conflict) and 1.2.1's comment (not). */
	assert_int_equal(jxd_jx(&d, NULL, NULL, "node", "set", "1", "1.1.2", "--score", "2.5",
	    NULL), 0);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "node", "set", "1", "1.2.1", "--comment",
	    "服务器上补充的评价", NULL), 0);

	/* A dry run shows it all and changes nothing. */
	assert_int_equal(jxd_jx(&d, &out, NULL, "--user", "wang", "import", "edits", "1", path,
	    "--dry-run", NULL), EX_TEMPFAIL);
	assert_has(out, "would change 1.1.1");
	assert_has(out, "conflict 1.1.2 前期工作充分性「评价得分」: yours 2, theirs 2.5, base 3");
	free(out);
	assert_node(&d, "1.1.1", "\"score\": 3.5,");

	assert_int_equal(jxd_jx(&d, &out, &err, "--user", "wang", "import", "edits", "1", path,
	    "--json", NULL), EX_TEMPFAIL);
	assert_has(out, "\"applied\": 3,");
	assert_has(out, "\"unchanged\": 19,");
	assert_has(out, "\"code\": \"1.1.2\",");
	assert_has(out, "\"field\": \"score\",");
	assert_has(out, "\"yours\": \"2\",");
	assert_has(out, "\"theirs\": \"2.5\",");
	assert_has(out, "\"base\": \"3\"");
	assert_null(strstr(strstr(out, "\"conflicts\""), "\"code\": \"1.2.1\""));
	free(out);
	free(err);
	assert_node(&d, "1.1.1", "\"score\": 3,");
	assert_node(&d, "1.1.2", "\"score\": 2.5,");
	assert_node(&d, "1.2.1", "\"score\": 3.5,");
	assert_node(&d, "1.2.1", "服务器上补充的评价");
	assert_node(&d, "1.2.2", "专家复核：指标表述已规范。");
	/* The history: the applied edits are wang's. */
	assert_says(&d, "blame", "1.1.1", "\"user\": \"wang\"");
	assert_says(&d, "blame", "1.2.1", "\"user\": \"wang\"");
	assert_int_equal(jxd_jx(&d, &out, NULL, "log", "1", "--json", NULL), 0);
	assert_has(out, "\"wang\"");
	free(out);

	/* Again: what is applied is not applied twice; the conflict stays. */
	assert_int_equal(jxd_jx(&d, &out, NULL, "--user", "wang", "import", "edits", "1", path,
	    "--json", NULL), EX_TEMPFAIL);
	assert_has(out, "\"edits\": 0,");
	free(out);
	jxd_stop(&d);
	jxd_cleanup(&d);
}

static void
altered_and_reshaped_workbooks(void **state)
{
	struct jxd d;
	char path[512], bad[600], *out, *err;

	start(&d, path, sizeof(path));
	/* The hidden sheet says another revision: its digest no longer matches. */
	snprintf(bad, sizeof(bad), "%s/altered.xlsx", d.dir);
	copy_file(path, bad);
	replace_cell(bad, "xl/worksheets/sheet3.xml", "B3", "<c r=\"B3\"><v>3</v></c>");
	assert_int_equal(jxd_jx(&d, NULL, &err, "import", "edits", "1", bad, NULL), EX_DATAERR);
	assert_has(err, "altered");
	free(err);
	/* Another workspace's file. */
	assert_int_equal(jxd_jx(&d, NULL, &err, "import", "edits", "2", path, NULL), EX_DATAERR);
	assert_has(err, "exported from workspace 1");
	free(err);
	/* Not exported for editing. */
	snprintf(bad, sizeof(bad), "%s/plain.xlsx", d.dir);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "export", "1", "-o", bad, NULL), 0);
	assert_int_equal(jxd_jx(&d, NULL, &err, "import", "edits", "1", bad, NULL), EX_DATAERR);
	assert_has(err, "--for-editing");
	free(err);
	/* A row whose id was lost reads as deleted (reported, not deleted) and as new. */
	snprintf(bad, sizeof(bad), "%s/reshaped.xlsx", d.dir);
	copy_file(path, bad);
	replace_cell(bad, SHEET, "H5", "<c r=\"H5\"/>");
	if (jxd_jx(&d, &out, &err, "import", "edits", "1", bad, NULL) != 0)
		fail_msg("import edits: %s", err);
	assert_has(err, "1.1.1 was deleted in the file: not deleted");
	assert_has(err, "row 5 is new");
	free(out);
	free(err);
	assert_node(&d, "1.1.1", "\"score\": 3.5,");
	/* With --add it becomes a new indicator beside its neighbours. */
	assert_int_equal(jxd_jx(&d, &out, &err, "import", "edits", "1", bad, "--add", "--json",
	    NULL), 0);
	assert_has(out, "\"added\": 1,");
	free(out);
	free(err);
	assert_node(&d, "1.1.3", "\"name\": \"立项依据适应性\"");
	jxd_stop(&d);
	jxd_cleanup(&d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(round_trip_applies_edits_and_reports_the_conflict),
		cmocka_unit_test(altered_and_reshaped_workbooks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
