/*
 * The rough edges a new user meets in jx: a mistyped command gets a suggestion, ls and
 * list are one verb everywhere, usage errors under --json are JSON, a URL jx cannot
 * dial is a usage error listing the ones it can, ws list shows a workspace's phase,
 * --subject beside --unit is refused rather than dropped, and tables fit a terminal.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <cmocka.h>

#include <sysexits.h>

#include "daemon.h"
#include "jxtest.h"

static void
assert_has(const char *hay, const char *needle)
{
	if (strstr(hay, needle) == NULL)
		fail_msg("expected \"%s\" in:\n%s", needle, hay);
}

/* Some line of text holds both a and, after it, b. */
static void
assert_row(const char *text, const char *a, const char *b)
{
	for (const char *p = strstr(text, a); p != NULL; p = strstr(p + 1, a)) {
		const char *eol = strchr(p, '\n'), *q = strstr(p, b);
		if (q != NULL && (eol == NULL || q < eol))
			return;
	}
	fail_msg("no line with \"%s\" then \"%s\" in:\n%s", a, b, text);
}

static void
rough_edges(void **state)
{
	struct jxd d;
	char *out, *err;

	jxd_start(&d, false);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "ws", "create", "--subject", "边角", "--year",
	    "2024", "--kind", "self-evaluation", NULL), 0);

	/* A suggestion for a typo, at the top and in a group. */
	assert_int_equal(jxd_jx(&d, NULL, &err, "scroe", "1", NULL), EX_USAGE);
	assert_has(err, "'scroe' is not a jx command; did you mean 'jx score'?");
	free(err);
	assert_int_equal(jxd_jx(&d, NULL, &err, "ws", "lsit", NULL), EX_USAGE);
	assert_has(err, "did you mean 'jx ws list'?");
	free(err);
	assert_int_equal(jxd_jx(&d, NULL, &err, "qqqq", NULL), EX_USAGE);
	assert_null(strstr(err, "did you mean"));
	free(err);

	/* ls and list both, whichever a group calls it. */
	assert_int_equal(jxd_jx(&d, &out, NULL, "ws", "ls", NULL), 0);
	assert_has(out, "边角");
	free(out);
	assert_int_equal(jxd_jx(&d, &out, NULL, "user", "list", NULL), 0);
	assert_has(out, "admin");
	free(out);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "member", "list", "1", NULL), 0);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "template", "ls", NULL), 0);

	/* Usage errors under --json are JSON on stdout. */
	assert_int_equal(jxd_jx(&d, &out, NULL, "--json", "scroe", NULL), EX_USAGE);
	assert_has(out, "\"code\": \"USAGE\"");
	assert_has(out, "did you mean 'jx score'?");
	free(out);
	assert_int_equal(jxd_jx(&d, &out, NULL, "--json", "ws", "create", "--bogus", NULL),
	    EX_USAGE);
	assert_has(out, "\"error\": {");
	assert_has(out, "\"code\": \"USAGE\"");
	free(out);
	assert_int_equal(jxd_jx(&d, &out, NULL, "--json", "node", "set", "1", NULL), EX_USAGE);
	assert_has(out, "\"code\": \"USAGE\"");
	free(out);

	/* A URL jx cannot dial: a usage error naming the ones it can. */
	assert_int_equal(jxd_jx(&d, NULL, &err, "--server", "http://127.0.0.1:1", "ping", NULL),
	    EX_USAGE);
	assert_has(err, "ipc:///PATH, tcp://HOST:PORT or tls+tcp://HOST:PORT");
	free(err);

	/* --subject beside a registered unit is refused, not dropped. */
	assert_int_equal(jxd_jx(&d, NULL, NULL, "unit", "add", "财政局", NULL), 0);
	assert_int_equal(jxd_jx(&d, NULL, &err, "ws", "create", "--subject", "别的", "--unit",
	    "财政局", "--year", "2024", "--kind", "self-evaluation", NULL), EX_USAGE);
	assert_has(err, "--subject 别的 and --project/--unit 财政局 name the subject twice");
	free(err);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "ws", "create", "--subject", "财政局", "--unit",
	    "财政局", "--year", "2025", "--kind", "self-evaluation", NULL), 0);

	/* ws list: draft, then final once an evaluator submits and a reviewer signs off. */
	assert_int_equal(jxd_jx(&d, NULL, NULL, "node", "add", "1", "产出", "--weight", "10",
	    "--score", "10", NULL), 0);
	jxd_user(&d, "li", false);
	jxd_user(&d, "wang", false);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "member", "set", "1", "li", "evaluator", NULL), 0);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "member", "set", "1", "wang", "reviewer", NULL), 0);
	assert_int_equal(jxd_jx(&d, &out, NULL, "ws", "list", NULL), 0);
	assert_row(out, "边角", " draft ");
	free(out);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "--user", "li", "submit", "1", NULL), 0);
	assert_int_equal(jxd_jx(&d, &out, NULL, "ws", "list", NULL), 0);
	assert_row(out, "边角", " submitted ");
	free(out);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "--user", "wang", "signoff", "1", NULL), 0);
	assert_int_equal(jxd_jx(&d, &out, NULL, "ws", "list", NULL), 0);
	assert_row(out, "边角", " final ");
	free(out);
	jxd_stop(&d);
	jxd_cleanup(&d);
}

/* On a terminal (a pty, through script(1)) a wide table is cut to $COLUMNS; piped, never. */
static void
tables_fit_a_terminal(void **state)
{
	struct jxd d;
	char cmd[2048], *out, line[512];
	size_t widest = 0;
	FILE *p;

	if (system("command -v script >/dev/null") != 0) {
		printf("script(1) is not here: the terminal case is not tested\n");
		return;
	}
	jxd_start(&d, false);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "ws", "create", "--subject", "宽表", "--year",
	    "2024", "--kind", "key-evaluation", "--template", "A", NULL), 0);
	/* Piped: as wide as it is. */
	assert_int_equal(jxd_jx(&d, &out, NULL, "score", "1", NULL), 0);
	assert_has(out, "  ----------------------------------------\n");
	free(out);
	snprintf(cmd, sizeof(cmd), "COLUMNS=60 script -qec \"'%s' --server '%s' --key "
	    "'%s/keys/admin.key' score 1\" /dev/null", getenv("JX"), d.url, d.dir);
	assert_non_null(p = popen(cmd, "r"));
	while (fgets(line, sizeof(line), p) != NULL) {
		/* Display columns. */
		size_t w = 0;
		/* The table's lines only: its header, rule and rows (the prose may wrap). */
		if (strncmp(line, "code ", 5) != 0 && strncmp(line, "-----", 5) != 0 &&
		    !(line[0] >= '1' && line[0] <= '9'))
			continue;
		for (const unsigned char *c = (const unsigned char *)line; *c != '\0'; c++) {
			if (*c == '\r' || *c == '\n')
				continue;
			/* U+3000..U+9FFF (CJK) lead with E3..E9 and are two wide; "…" is one. */
			if (*c < 0x80)
				w++;
			else if (*c >= 0xe3 && *c <= 0xe9)
				w += 2;
			else if (*c >= 0xc0)
				w += 1;
		}
		if (w > widest)
			widest = w;
	}
	assert_int_equal(WEXITSTATUS(pclose(p)), 0);
	assert_true(widest > 0 && widest <= 60);
	jxd_stop(&d);
	jxd_cleanup(&d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rough_edges),
		cmocka_unit_test(tables_fit_a_terminal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
