/*
 * jx export against a real jixiaod, with seed 002's sheet: the CSV re-imports to the
 * same tree and scores, the workbook holds the numbers (read back with unzip and, when
 * installed, LibreOffice), the HTML report has the total, the grade, every level-1
 * indicator and its chart (rendered by headless Chromium when installed), and the
 * Markdown report the expected table rows.
 */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <unistd.h>
#include <cmocka.h>

#include <zip.h>

#include "daemon.h"
#include "jxtest.h"

extern char **environ;

#define SEED002_SUBJECT "2023年“数字政府”建设专项资金（运维类）项目"

static void
assert_has(const char *text, const char *want)
{
	if (strstr(text, want) == NULL)
		fail_msg("expected %s in:\n%.4000s", want, text);
}

/* Reads a whole file into a NUL-terminated buffer; *len gets its size when not NULL. */
static char *
slurp(const char *path, size_t *len)
{
	struct stat st;
	char *buf;
	FILE *f;

	if ((f = fopen(path, "rb")) == NULL)
		fail_msg("cannot open %s: %s", path, strerror(errno));
	assert_int_equal(fstat(fileno(f), &st), 0);
	assert_non_null(buf = malloc((size_t)st.st_size + 1));
	assert_int_equal(fread(buf, 1, (size_t)st.st_size, f), (size_t)st.st_size);
	buf[st.st_size] = '\0';
	fclose(f);
	if (len != NULL)
		*len = (size_t)st.st_size;
	return buf;
}

/* Whether prog is an executable on $PATH. */
static bool
on_path(const char *prog)
{
	const char *path = getenv("PATH");
	char buf[4096];

	while (path != NULL && path[0] != '\0') {
		size_t n = strcspn(path, ":");

		snprintf(buf, sizeof(buf), "%.*s/%s", (int)n, path, prog);
		if (n > 0 && access(buf, X_OK) == 0)
			return true;
		path += n + (path[n] == ':');
	}
	return false;
}

/*
 * Runs argv (searched on $PATH) with stdin and stderr on /dev/null. Returns its exit
 * status; *out (when not NULL) gets its stdout, malloc'd and NUL-terminated.
 */
static int
run(const char *const *argv, char **out)
{
	posix_spawn_file_actions_t fa;
	size_t cap = 65536, used = 0;
	char *buf;
	int p[2], status;
	ssize_t n;
	pid_t pid;

	assert_int_equal(pipe(p), 0);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, p[1], STDOUT_FILENO);
	posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addclose(&fa, p[0]);
	posix_spawn_file_actions_addclose(&fa, p[1]);
	if (posix_spawnp(&pid, argv[0], &fa, NULL, (char *const *)argv, environ) != 0)
		fail_msg("cannot run %s: %s", argv[0], strerror(errno));
	posix_spawn_file_actions_destroy(&fa);
	close(p[1]);
	assert_non_null(buf = malloc(cap));
	while ((n = read(p[0], buf + used, cap - used - 1)) > 0) {
		used += (size_t)n;
		if (cap - used < 2)
			assert_non_null(buf = realloc(buf, cap *= 2));
	}
	buf[used] = '\0';
	close(p[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (out != NULL)
		*out = buf;
	else
		free(buf);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static const char *
in_dir(const struct jxd *d, const char *name, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", d->dir, name);
	return buf;
}

static void
set_budget(struct jxd *d, const char *ws)
{
	assert_int_equal(jxd_jx(d, NULL, NULL, "budget", "set", ws, "--initial", "1164.43",
	    "--adjust", "-30.01:2023年第二次预算支出调整表", "--adjust", "-626.68", "--spent",
	    "428.54", NULL), 0);
}

/* Workspace ws (the next one created) with seed 002's sheet imported from path. */
static void
import_sheet(struct jxd *d, const char *ws, const char *subject, const char *path)
{
	char *out;

	assert_int_equal(jxd_jx(d, NULL, NULL, "ws", "create", "--subject", subject, "--year",
	    "2023", "--kind", "key-evaluation", NULL), 0);
	assert_int_equal(jxd_jx(d, &out, NULL, "import", "sheet", ws, path, "--json", NULL), 0);
	assert_has(out, "\"added\": 35,");
	free(out);
	set_budget(d, ws);
}

static void
start_seed002(struct jxd *d)
{
	char path[512];

	jxd_start(d, false);
	import_sheet(d, "1", SEED002_SUBJECT, jxtest_source_path("tests/data/seed002-sheet.csv", path,
	    sizeof(path)));
}

/*
 * What `jx score --json` says of the sheet itself, line by line: every indicator's code,
 * name, texts, weight, method and score, the totals, grade and budget facts — and not
 * what differs between two workspaces (ids, revisions, times, the subject).
 */
static char *
score_json(struct jxd *d, const char *ws)
{
	static const char *const keys[] = { "code", "name", "weight", "score", "total", "stated",
		"computed", "unscored", "vetoed", "depth", "category", "criteria", "target",
		"actual", "comment", "method", "params", "note", "grade", "grade_key", "initial",
		"carry_over", "amount", "document", "final", "spent", "rate_percent", "lines" };
	char *out, *kept, *line, *next;
	size_t n = 0;

	assert_int_equal(jxd_jx(d, &out, NULL, "score", ws, "--json", NULL), 0);
	assert_non_null(kept = malloc(strlen(out) + 1));
	for (line = out; *line != '\0'; line = next) {
		const char *key = line + strspn(line, " ");
		bool keep = false;

		next = line + strcspn(line, "\n");
		next += *next == '\n';
		for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]) && !keep; k++)
			keep = key[0] == '"' && strncmp(key + 1, keys[k], strlen(keys[k])) == 0 &&
			    strncmp(key + 1 + strlen(keys[k]), "\": ", 3) == 0;
		if (keep) {
			memcpy(kept + n, line, (size_t)(next - line));
			n += (size_t)(next - line);
		}
	}
	kept[n] = '\0';
	free(out);
	return kept;
}

static void
csv_round_trip(void **state)
{
	struct jxd d;
	char path[512], *csv, *out, *a, *b;
	size_t len;

	start_seed002(&d);
	assert_int_equal(jxd_jx(&d, &out, NULL, "export", "1", "--format", "csv", "-o",
	    in_dir(&d, "sheet.csv", path, sizeof(path)), NULL), 0);
	assert_has(out, "total 87.38 → 良");
	free(out);
	csv = slurp(path, &len);
	/* The import format: a BOM, the Chinese header with the columns in use, CRLF rows. */
	assert_memory_equal(csv, "\xef\xbb\xbf一级指标,二级指标,三级指标,分值,评分标准,评价情况,"
	    "评价得分,指标值,完成值,评分方法,参数\r\n", strlen("\xef\xbb\xbf一级指标,二级指标,"
	    "三级指标,分值,评分标准,评价情况,评价得分,指标值,完成值,评分方法,参数\r\n"));
	assert_has(csv, "\r\n项目安排（15分）,立项情况（7分）,立项依据适应性,4,立项依据充分");
	assert_has(csv, ",4.88,,84.40%,linear,source=execution;lo=60%;hi=100%;veto=60%\r\n");
	assert_has(csv, "\r\n,,现场表现,2,");

	/* The same bytes on standard output. */
	assert_int_equal(jxd_jx(&d, &out, NULL, "export", "1", "--format", "csv", NULL), 0);
	assert_int_equal(strlen(out), len);
	assert_memory_equal(out, csv, len);
	free(out);
	free(csv);

	/* Imported into a new workspace with the same budget: the same sheet and scores. */
	import_sheet(&d, "2", SEED002_SUBJECT "（由导出的 CSV 导入）", path);
	a = score_json(&d, "1");
	b = score_json(&d, "2");
	assert_has(a, "\"total\": 87.38,");
	assert_has(a, "\"grade\": \"良\",");
	assert_has(a, "\"code\": \"4.2.2\",");
	assert_has(a, "\"name\": \"现场表现\",");
	assert_has(a, "\"params\": \"source=execution;lo=60%;hi=100%;veto=60%\",");
	assert_string_equal(a, b);
	free(a);
	free(b);
	jxd_stop(&d);
	jxd_cleanup(&d);
}

/*
 * Issue 11, defect 10: a name or comment a spreadsheet would run as a formula is written
 * to the CSV with an apostrophe in front, and the CSV still re-imports exactly.
 */
static void
csv_guards_formulas(void **state)
{
	struct jxd d;
	char path[512], *csv, *a, *b;
	size_t len;

	start_seed002(&d);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "node", "set", "1", "4.2.2", "--name",
	    "=HYPERLINK(\"http://example.com\",\"点击\")", NULL), 0);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "node", "set", "1", "4.2.1", "--comment",
	    "=1+1", NULL), 0);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "export", "1", "--format", "csv", "-o",
	    in_dir(&d, "sheet.csv", path, sizeof(path)), NULL), 0);
	csv = slurp(path, &len);
	assert_has(csv, ",\"'=HYPERLINK(\"\"http://example.com\"\",\"\"点击\"\")\",2,");
	assert_has(csv, ",'=1+1,");
	assert_null(strstr(csv, ",=1+1,"));
	free(csv);
	import_sheet(&d, "2", SEED002_SUBJECT "（由导出的 CSV 导入）", path);
	a = score_json(&d, "1");
	b = score_json(&d, "2");
	assert_has(a, "\"name\": \"=HYPERLINK(\\\"http://example.com\\\",\\\"点击\\\")\",");
	assert_string_equal(a, b);
	free(a);
	free(b);
	jxd_stop(&d);
	jxd_cleanup(&d);
}

static void
md_report(void **state)
{
	struct jxd d;
	char path[512], *md, *out;

	start_seed002(&d);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "export", "1", "-o",
	    in_dir(&d, "report.md", path, sizeof(path)), NULL), 0);
	md = slurp(path, NULL);
	assert_has(md, "# " SEED002_SUBJECT "\n");
	assert_has(md, "| 评价年度 | 2023 |\n| 评价类型 | 重点绩效评价 |\n");
	assert_has(md, "| 预算调减 | -30.01 | 2023年第二次预算支出调整表 |\n");
	assert_has(md, "| 全年预算 | 507.74 |");
	assert_has(md, "| 预算执行率 | 84.40% |");
	assert_has(md, "| 一级指标 | 二级指标 | 三级指标 | 分值 | 评价得分 | 评价情况 |\n");
	assert_has(md, "\n| 项目安排（15分） | 立项情况（7分） | 立项依据适应性 | 4 | 3.50 | 根据");
	assert_has(md, "\n|  |  | 支出完成率 | 8 | 4.88\\* | ");
	assert_has(md, "\n| **项目安排 小计** | | | **15** | **12.00** | 得分率 80.0% |\n");
	assert_has(md, "\n| **可持续性 小计** | | | **8** | **8.00** | 得分率 100.0% |\n");
	assert_has(md, "\n| **合计** | | | **100** | **87.38** | 得分率 87.4% |\n");
	assert_has(md, "| 3.2 | 项目效益 | 25 | 23.00 | 92.0% |\n");
	assert_has(md, "评价得分为 **87.38** 分，评价等级为“良”。\n");
	free(md);

	/* Below 60 % execution the veto caps the grade, and the report says so. */
	assert_int_equal(jxd_jx(&d, NULL, NULL, "budget", "set", "1", "--spent", "290", NULL),
	    0);
	assert_int_equal(jxd_jx(&d, &out, NULL, "export", "1", "--format", "md", "-o", "-",
	    NULL), 0);
	assert_has(out, "评价得分为 **82.50** 分，评价等级为“中”。否定性指标未达标");
	free(out);
	jxd_stop(&d);
	jxd_cleanup(&d);
}

static void
html_report(void **state)
{
	static const char *const level1[] = { "项目安排", "项目管理", "项目绩效", "可持续性" };
	struct jxd d;
	char path[512], *html, *out;

	start_seed002(&d);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "export", "1", "--format", "html", "-o",
	    in_dir(&d, "report.html", path, sizeof(path)), NULL), 0);
	html = slurp(path, NULL);
	assert_true(strncmp(html, "<!DOCTYPE html>\n", 16) == 0);
	assert_has(html, "<svg");
	assert_has(html, "综上所述，本项目评价得分为 87.38 分，评价等级为“良”。");
	assert_has(html, "预算执行率为 84.40%");
	for (size_t i = 0; i < sizeof(level1) / sizeof(level1[0]); i++)
		assert_has(html, level1[i]);
	assert_has(html, "指标下设“立项情况”“绩效目标” 2 个二级指标，指标分值 15 分，"
	    "评价得分 12 分，得分率为 80.0%。");
	assert_has(html, "<td class=\"num\">87.38</td>");
	/* Standalone: no scripts, nothing fetched. */
	assert_null(strstr(html, "<script"));
	assert_null(strstr(html, "src="));
	assert_null(strstr(html, "href="));
	assert_null(strstr(html, "@import"));
	free(html);

	/* Text from the workspace is escaped. */
	assert_int_equal(jxd_jx(&d, NULL, NULL, "ws", "create", "--subject",
	    "<script>alert(\"x\")</script> & co", "--year", "2024", "--kind", "self-evaluation",
	    NULL), 0);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "node", "add", "2", "<b>名称</b>", "--weight",
	    "10", "--score", "10", NULL), 0);
	assert_int_equal(jxd_jx(&d, &out, NULL, "export", "2", "--format", "html", NULL), 0);
	assert_null(strstr(out, "<script"));
	assert_null(strstr(out, "<b>"));
	assert_has(out, "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co");
	assert_has(out, "&lt;b&gt;名称&lt;/b&gt;");
	free(out);
	jxd_stop(&d);
	jxd_cleanup(&d);
}

/* The PNG of a page that rendered holds far more than one of an empty page. */
static void
html_renders_in_chromium(void **state)
{
	const char *chromium = on_path("chromium") ? "chromium" : "chromium-browser";
	struct jxd d;
	char html[512], blank[512], png[512], blank_png[512], profile[512], url[600];
	char shot[600], profile_arg[600];
	struct stat st, st_blank;
	FILE *f;

	if (!on_path(chromium)) {
		print_message("chromium is not installed: the HTML report is not rendered\n");
		skip();
	}
	start_seed002(&d);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "export", "1", "-o",
	    in_dir(&d, "report.html", html, sizeof(html)), NULL), 0);
	assert_non_null(f = fopen(in_dir(&d, "blank.html", blank, sizeof(blank)), "w"));
	fputs("<!DOCTYPE html><html><body></body></html>\n", f);
	fclose(f);
	for (int i = 0; i < 2; i++) {
		const char *page = i == 0 ? html : blank;
		const char *to = in_dir(&d, i == 0 ? "report.png" : "blank.png",
		    i == 0 ? png : blank_png, sizeof(png));

		snprintf(profile, sizeof(profile), "%s/chromium-%d", d.dir, i);
		assert_int_equal(mkdir(profile, 0700), 0);
		snprintf(url, sizeof(url), "file://%s", page);
		snprintf(shot, sizeof(shot), "--screenshot=%s", to);
		snprintf(profile_arg, sizeof(profile_arg), "--user-data-dir=%s", profile);
		const char *argv[] = { chromium, "--headless", "--no-sandbox", "--disable-gpu",
			"--disable-background-networking", "--disable-component-update",
			"--disable-sync", "--no-first-run", profile_arg, shot, "--window-size=1200,2000",
			url, NULL };
		assert_int_equal(run(argv, NULL), 0);
	}
	assert_int_equal(stat(png, &st), 0);
	assert_int_equal(stat(blank_png, &st_blank), 0);
	if (st.st_size < 4 * st_blank.st_size || st.st_size < 20000)
		fail_msg("the report's screenshot (%lld bytes) looks blank next to an empty "
		    "page's (%lld bytes)", (long long)st.st_size, (long long)st_blank.st_size);
	/* The DOM Chromium built holds the numbers: the total, the grade, the rate, a chart. */
	{
		char *dom;
		snprintf(profile, sizeof(profile), "%s/chromium-dom", d.dir);
		assert_int_equal(mkdir(profile, 0700), 0);
		snprintf(profile_arg, sizeof(profile_arg), "--user-data-dir=%s", profile);
		snprintf(url, sizeof(url), "file://%s", html);
		const char *argv[] = { chromium, "--headless", "--no-sandbox", "--disable-gpu",
			"--disable-background-networking", "--disable-component-update",
			"--disable-sync", "--no-first-run", profile_arg, "--dump-dom", url, NULL };
		assert_int_equal(run(argv, &dom), 0);
		assert_has(dom, "87.38");
		assert_has(dom, "良");
		assert_has(dom, "84.40");
		assert_has(dom, "<svg");
		free(dom);
	}
	jxd_stop(&d);
	jxd_cleanup(&d);
}

static void
export_xlsx_file(struct jxd *d, char *path, size_t len)
{
	char *out, *data;
	size_t n;

	assert_int_equal(jxd_jx(d, &out, NULL, "export", "1", "-o",
	    in_dir(d, "sheet.xlsx", path, len), "--json", NULL), 0);
	assert_has(out, "\"format\": \"xlsx\",");
	free(out);
	data = slurp(path, &n);
	assert_true(n > 4 && memcmp(data, "PK\3\4", 4) == 0);
	free(data);
}

/*
 * A workbook is a zip file, also into a pipe; its parts, read with unzip, hold the
 * numbers as numbers and the names as shared strings.
 */
static void
xlsx_holds_the_numbers(void **state)
{
	struct jxd d;
	char path[512], *sheet, *strings, *out;

	start_seed002(&d);
	export_xlsx_file(&d, path, sizeof(path));
	assert_int_equal(jxd_jx(&d, &out, NULL, "export", "1", "--format", "xlsx", "-o", "-",
	    NULL), 0);
	assert_true(memcmp(out, "PK\3\4", 4) == 0);
	free(out);
	if (!on_path("unzip")) {
		print_message("unzip is not installed: the workbook's parts are not read\n");
		jxd_stop(&d);
		jxd_cleanup(&d);
		skip();
	}
	const char *sheet_argv[] = { "unzip", "-p", path, "xl/worksheets/sheet1.xml", NULL };
	const char *strings_argv[] = { "unzip", "-p", path, "xl/sharedStrings.xml", NULL };
	const char *list_argv[] = { "unzip", "-l", path, NULL };
	assert_int_equal(run(sheet_argv, &sheet), 0);
	assert_int_equal(run(strings_argv, &strings), 0);
	assert_int_equal(run(list_argv, &out), 0);
	assert_has(out, "xl/worksheets/sheet2.xml"); /* 预算执行 */
	free(out);
	assert_has(sheet, "<v>87.38</v>");
	assert_has(sheet, "<v>4.88</v>");
	assert_has(sheet, "<v>100</v>");
	assert_has(sheet, "<mergeCell ref=\"A5:A9\"/>"); /* 项目安排 over its 4 leaves + 小计 */
	assert_has(strings, "项目安排（15分）");
	assert_has(strings, "立项依据适应性");
	assert_has(strings, "评价等级");
	assert_has(strings, "<t>良</t>");
	free(sheet);
	free(strings);
	jxd_stop(&d);
	jxd_cleanup(&d);
}

/* Replaces the first "<v>from</v>" after `<c r="cell"` in the zip's part with to. */
static void
edit_cell(const char *path, const char *part, const char *cell, const char *from,
    const char *to)
{
	char key[32], vfrom[64], *xml, *at, *v, *edited;
	zip_t *z;
	zip_file_t *zf;
	zip_stat_t st;
	zip_source_t *src;
	size_t len;
	int err;

	assert_non_null(z = zip_open(path, 0, &err));
	assert_int_equal(zip_stat(z, part, 0, &st), 0);
	assert_non_null(xml = calloc(1, st.size + 1));
	assert_non_null(zf = zip_fopen(z, part, 0));
	assert_int_equal(zip_fread(zf, xml, st.size), (zip_int64_t)st.size);
	zip_fclose(zf);
	snprintf(key, sizeof(key), "<c r=\"%s\"", cell);
	snprintf(vfrom, sizeof(vfrom), "<v>%s</v>", from);
	assert_non_null(at = strstr(xml, key));
	assert_non_null(v = strstr(at, vfrom));
	assert_true(strstr(at, "</c>") > v);
	len = st.size + strlen(to) + 16;
	assert_non_null(edited = malloc(len));
	snprintf(edited, len, "%.*s<v>%s</v>%s", (int)(v - xml), xml, to, v + strlen(vfrom));
	assert_non_null(src = zip_source_buffer(z, edited, strlen(edited), 1));
	assert_true(zip_file_add(z, part, src, ZIP_FL_OVERWRITE) >= 0);
	assert_int_equal(zip_close(z), 0);
	free(xml);
}

/*
 * Subtotals, the total and 得分率 are formulas with cached values: a score changed in
 * the workbook (as Excel would save it) moves them when LibreOffice opens it. Names that
 * look like formulas are written as text (issue 11, defect 10).
 */
static void
xlsx_totals_are_formulas(void **state)
{
	const char *office = on_path("libreoffice") ? "libreoffice" : "soffice";
	struct jxd d;
	char path[512], csv[700], profile[600], *sheet, *rows;

	start_seed002(&d);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "node", "set", "1", "4.2.2", "--name",
	    "=HYPERLINK(\"http://example.com\",\"点击\")", NULL), 0);
	export_xlsx_file(&d, path, sizeof(path));
	if (!on_path("unzip") || !on_path(office)) {
		print_message("unzip or LibreOffice is not installed: the formulas are not tried\n");
		jxd_stop(&d);
		jxd_cleanup(&d);
		skip();
	}
	const char *sheet_argv[] = { "unzip", "-p", path, "xl/worksheets/sheet1.xml", NULL };
	assert_int_equal(run(sheet_argv, &sheet), 0);
	assert_has(sheet, "<f>SUM(G5:G8)</f><v>12</v>");
	assert_has(sheet, "<f>G9+G15+G27+G31</f><v>87.38</v>");
	assert_has(sheet, "<f>\"得分率 \"&amp;TEXT(G9/D9,\"0.0%\")</f><v>得分率 80.0%</v>");
	assert_null(strstr(sheet, "HYPERLINK")); /* a shared string, not a formula */
	free(sheet);
	/* 立项依据适应性 3.5 → 1.5, as if typed in Excel. */
	edit_cell(path, "xl/worksheets/sheet1.xml", "G5", "3.5", "1.5");
	/*
	 * LibreOffice trusts the values cached in a file Excel saved (libxlsxwriter says it
	 * is Excel) unless told to recalculate on load, as a user who edits the cell in
	 * LibreOffice gets anyway: a profile of its own that says so.
	 */
	snprintf(profile, sizeof(profile), "%s/lo-recalc/user", d.dir);
	assert_int_equal(mkdir(in_dir(&d, "lo-recalc", csv, sizeof(csv)), 0700), 0);
	assert_int_equal(mkdir(profile, 0700), 0);
	snprintf(csv, sizeof(csv), "%s/registrymodifications.xcu", profile);
	FILE *xcu = fopen(csv, "w");
	assert_non_null(xcu);
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<oor:items "
	      "xmlns:oor=\"http://openoffice.org/2001/registry\" "
	      "xmlns:xs=\"http://www.w3.org/2001/XMLSchema\" "
	      "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\n"
	      "<item oor:path=\"/org.openoffice.Office.Calc/Formula/Load\"><prop "
	      "oor:name=\"OOXMLRecalcMode\" oor:op=\"fuse\"><value>0</value></prop></item>\n"
	      "</oor:items>\n", xcu);
	assert_int_equal(fclose(xcu), 0);
	snprintf(profile, sizeof(profile), "-env:UserInstallation=file://%s/lo-recalc", d.dir);
	const char *argv[] = { office, profile, "--headless", "--convert-to",
		"csv:Text - txt - csv (StarCalc):44,34,76,1", "--outdir", d.dir, path, NULL };
	assert_int_equal(run(argv, NULL), 0);
	rows = slurp(in_dir(&d, "sheet.csv", csv, sizeof(csv)), NULL);
	assert_has(rows, ",1.50\n");
	assert_has(rows, "\n,\"小计\",,15,\"得分率 66.7%\",,10.00\n");
	assert_has(rows, "\n\"合计\",,,100,\"得分率 85.4%\",,85.38\n");
	assert_has(rows, "=HYPERLINK(");
	free(rows);
	jxd_stop(&d);
	jxd_cleanup(&d);
}

/*
 * The report as PDF (headless Chromium), read back with pdftotext: the total, the grade,
 * page numbers; a draft says it is not signed, and once submitted and signed off the
 * signature block names both signers, the revision and their keys' fingerprints. The md
 * and html reports carry the same block.
 */
static void
pdf_report_and_signatures(void **state)
{
	struct jxd d;
	char path[512], *text, *out;

	if (!on_path("chromium") || !on_path("pdftotext")) {
		print_message("chromium or pdftotext is not installed: the PDF is not tried\n");
		skip();
	}
	start_seed002(&d);
	jxd_user(&d, "eva", false);
	jxd_user(&d, "rev", false);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "member", "set", "1", "eva", "evaluator", NULL), 0);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "member", "set", "1", "rev", "reviewer", NULL), 0);
	/* A draft without the team's sections says so; the final report leaves them out. */
	assert_int_equal(jxd_jx(&d, &out, NULL, "export", "1", "--format", "md", NULL), 0);
	assert_has(out, "## 项目概况\n\n尚未录入。");
	free(out);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "ws", "report", "1", "--overview",
	    "项目年初预算 1164.43 万元，用于政务网络运维。\n全年支出 428.54 万元。", "--process",
	    "评价组于 2024 年 4 月进场，查阅资料并访谈。", "--evaluator", "广州某绩效评价机构",
	    "--date", "2024年5月20日", NULL), 0);
	assert_int_equal(jxd_jx(&d, NULL, &out, "ws", "report", "1", "--process", "x", "--rev",
	    "3", NULL), EX_TEMPFAIL);
	assert_has(out, "were changed");
	free(out);
	assert_int_equal(jxd_jx(&d, &out, NULL, "export", "1", "-o",
	    in_dir(&d, "报告.pdf", path, sizeof(path)), NULL), 0);
	assert_has(out, "pdf");
	free(out);
	const char *argv[] = { "pdftotext", "-layout", path, "-", NULL };
	assert_int_equal(run(argv, &text), 0);
	assert_has(text, "87.38");
	assert_has(text, "良");
	assert_has(text, "草稿——未签字");
	assert_has(text, "第 1 页，共");
	assert_has(text, "项目年初预算 1164.43 万元");
	assert_has(text, "评价组于 2024 年 4 月进场");
	assert_has(text, "广州某绩效评价机构");
	assert_has(text, "2024年5月20日");
	free(text);

	assert_int_equal(jxd_jx(&d, NULL, NULL, "--user", "eva", "submit", "1", NULL), 0);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "--user", "rev", "signoff", "1", NULL), 0);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "export", "1", "--format", "pdf", "-o", path,
	    NULL), 0);
	assert_int_equal(run(argv, &text), 0);
	assert_has(text, "签字提交");
	assert_has(text, "复核签字");
	assert_has(text, "eva");
	assert_has(text, "rev");
	assert_null(strstr(text, "未签字"));
	assert_null(strstr(text, "尚未录入"));
	free(text);
	assert_int_equal(jxd_jx(&d, &out, NULL, "export", "1", "--format", "md", NULL), 0);
	assert_has(out, "## 签字");
	assert_has(out, "## 项目概况\n\n项目年初预算 1164.43 万元，用于政务网络运维。\n\n全年支出");
	assert_has(out, "\n广州某绩效评价机构\n");
	assert_has(out, "| 复核签字 / signed off | rev |");
	assert_null(strstr(out, "尚未录入"));
	free(out);
	assert_int_equal(jxd_jx(&d, &out, NULL, "export", "1", "--format", "html", NULL), 0);
	assert_has(out, "<h3>签字</h3>");
	assert_has(out, "<h3>（二）评价工作开展情况</h3>\n<p class=\"text\">评价组于");
	assert_has(out, "<p class=\"closing\">广州某绩效评价机构<br>\n2024年5月20日</p>");
	assert_has(out, "<td>签字提交 / submitted</td><td>eva</td>");
	free(out);
	jxd_stop(&d);
	jxd_cleanup(&d);
}

/* LibreOffice opens the workbook and reads back the sheet's rows and numbers. */
static void
xlsx_reads_back_in_libreoffice(void **state)
{
	const char *office = on_path("libreoffice") ? "libreoffice" : "soffice";
	struct jxd d;
	char path[512], csv[512], profile[600], *rows;

	if (!on_path(office)) {
		print_message("LibreOffice is not installed: the workbook is not read back\n");
		skip();
	}
	start_seed002(&d);
	export_xlsx_file(&d, path, sizeof(path));
	/* Its own profile, so that no running LibreOffice takes the job. */
	snprintf(profile, sizeof(profile), "-env:UserInstallation=file://%s/lo", d.dir);
	const char *argv[] = { office, profile, "--headless", "--convert-to",
		"csv:Text - txt - csv (StarCalc):44,34,76,1", "--outdir", d.dir, path, NULL };
	assert_int_equal(run(argv, NULL), 0);
	rows = slurp(in_dir(&d, "sheet.csv", csv, sizeof(csv)), NULL);
	assert_has(rows, "\"一级指标\",\"二级指标\",\"三级指标\",\"分值\",\"评分标准\","
	    "\"评价情况\",\"评价得分\"\n");
	assert_has(rows, "\n\"项目安排（15分）\",\"立项情况（7分）\",\"立项依据适应性\",4,");
	assert_has(rows, ",3.50\n");
	assert_has(rows, ",4.88\n");
	assert_has(rows, "\n,\"小计\",,15,\"得分率 80.0%\",,12.00\n");
	assert_has(rows, "\n\"合计\",,,100,\"得分率 87.4%\",,87.38\n");
	assert_has(rows, "\n\"评价等级\",,,\"良\",,,");
	free(rows);
	jxd_stop(&d);
	jxd_cleanup(&d);
}

static void
export_refuses_what_it_cannot_do(void **state)
{
	struct jxd d;
	char path[512], *err;

	start_seed002(&d);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "export", "1", "--format", "docx", "-o", "x.docx",
	    NULL), EX_USAGE);
	/* PDF without Chromium on the PATH: a clear error, no file. */
	{
		const char *saved = getenv("PATH");
		char *keep = strdup(saved != NULL ? saved : "");

		setenv("PATH", "/nonexistent", 1);
		assert_int_equal(jxd_jx(&d, NULL, &err, "export", "1", "-o",
		    in_dir(&d, "x.pdf", path, sizeof(path)), NULL), EX_UNAVAILABLE);
		setenv("PATH", keep, 1);
		free(keep);
		assert_has(err, "Chromium");
		free(err);
		assert_int_equal(access(path, F_OK), -1);
	}
	assert_int_equal(jxd_jx(&d, NULL, &err, "export", "1", "-o", "report.txt", NULL),
	    EX_USAGE);
	assert_has(err, "cannot tell the format");
	free(err);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "export", "1", NULL), EX_USAGE);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "export", "7", "-o",
	    in_dir(&d, "none.csv", path, sizeof(path)), NULL), EX_NOINPUT);
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "export", "1", "-o",
	    in_dir(&d, "no/such/dir/a.csv", path, sizeof(path)), NULL), EX_CANTCREAT);
	jxd_stop(&d);
	jxd_cleanup(&d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(csv_round_trip),
		cmocka_unit_test(csv_guards_formulas),
		cmocka_unit_test(md_report),
		cmocka_unit_test(html_report),
		cmocka_unit_test(html_renders_in_chromium),
		cmocka_unit_test(xlsx_holds_the_numbers),
		cmocka_unit_test(xlsx_reads_back_in_libreoffice),
		cmocka_unit_test(xlsx_totals_are_formulas),
		cmocka_unit_test(pdf_report_and_signatures),
		cmocka_unit_test(export_refuses_what_it_cannot_do),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
