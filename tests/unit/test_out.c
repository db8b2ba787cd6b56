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
#include "out.h"

/* An in-memory FILE whose text the tests compare. */
struct mem {
	FILE *f;
	char *buf;
	size_t len;
};

static FILE *
mem_open(struct mem *m)
{
	m->buf = NULL;
	m->len = 0;
	m->f = open_memstream(&m->buf, &m->len);
	assert_non_null(m->f);
	return m->f;
}

/* Closes the stream and returns its text, which the caller frees. */
static char *
mem_close(struct mem *m)
{
	assert_int_equal(fclose(m->f), 0);
	return m->buf;
}

static void
assert_printed(struct mem *m, const char *want)
{
	char *got = mem_close(m);

	assert_string_equal(got, want);
	free(got);
}

static void
width_counts_columns(void **state)
{
	static const struct {
		const char *s;
		size_t want;
	} cases[] = {
		{ "", 0 }, { "abc", 3 }, { "4.88", 4 }, { "立项依据适应性", 14 }, { "A类指标1", 8 },
		{ "产出指标 (50%)", 14 }, { "，。：（）", 10 }, { "、「」《》【】", 14 },
		{ "ＡＢ１", 6 }, { "한국", 4 }, { "…", 1 },
		{ "\xf0\x9f\x98\x80", 2 },         /* U+1F600, an emoji */
		{ "\xf0\xa0\x80\x80", 2 },         /* U+20000, CJK extension B */
		{ "e\xcc\x81", 1 },                /* e + combining acute */
		{ "\xe3\x81\x8b\xe3\x82\x99", 2 }, /* か + combining dakuten */
		{ "a\xe2\x80\x8bz", 2 },           /* zero-width space */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (out_width(cases[i].s) != cases[i].want)
			fail_msg("out_width(\"%s\") = %zu, want %zu", cases[i].s,
			    out_width(cases[i].s), cases[i].want);
	}
	assert_int_equal(out_width(NULL), 0);
}

static void
width_counts_invalid_bytes_one_each(void **state)
{
	assert_int_equal(out_width("ab\xff\xfe"), 4);
	assert_int_equal(out_width("\x80"), 1);             /* stray continuation */
	assert_int_equal(out_width("\xc0\x80"), 2);         /* overlong NUL */
	assert_int_equal(out_width("\xe0\x80\xaf"), 3);     /* overlong '/' */
	assert_int_equal(out_width("\xed\xa0\x80"), 3);     /* a surrogate */
	assert_int_equal(out_width("\xf4\x90\x80\x80"), 4); /* past U+10FFFF */
	assert_int_equal(out_width("\xe7\xab"), 2);         /* truncated 立 */
	assert_int_equal(out_width("\xe7\xab立"), 4);
	assert_int_equal(out_width("\xe7z"), 2);
}

static void
table_aligns_chinese_and_ascii(void **state)
{
	static const char *const headers[] = { "编号", "指标名称", "分值" };
	static const char *const rows[][3] = {
		{ "1", "立项依据充分性", "4.88" },
		{ "1.2", "budget", "100" },
		{ "2", NULL, "0.5" },
		{ "3", "产出数量（件）", NULL },
	};
	struct out_table *t;
	struct mem m;

	assert_non_null(t = out_table_new(3, headers));
	out_table_align(t, 2, OUT_RIGHT);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		assert_jx_ok(out_table_row(t, rows[i]));
	assert_int_equal(out_table_nrows(t), 4);
	out_table_print(t, mem_open(&m));
	assert_printed(&m,
	    "编号  指标名称        分值\n"
	    "----  --------------  ----\n"
	    "1     立项依据充分性  4.88\n"
	    "1.2   budget           100\n"
	    "2                      0.5\n"
	    "3     产出数量（件）\n");
	out_table_free(t);
}

static void
table_right_aligns_numbers(void **state)
{
	static const char *const headers[] = { "项目", "预算（元）" };
	struct out_table *t;
	struct mem m;

	assert_non_null(t = out_table_new(2, headers));
	out_table_align(t, 1, OUT_RIGHT);
	out_table_align(t, 7, OUT_RIGHT); /* out of range: ignored */
	assert_jx_ok(out_table_row(t, (const char *const[]){ "设备购置", "1164.43" }));
	assert_jx_ok(out_table_row(t, (const char *const[]){ "培训", "87.38" }));
	assert_jx_ok(out_table_row(t, (const char *const[]){ "Total", "1251.81" }));
	out_table_print(t, mem_open(&m));
	assert_printed(&m,
	    "项目      预算（元）\n"
	    "--------  ----------\n"
	    "设备购置     1164.43\n"
	    "培训           87.38\n"
	    "Total        1251.81\n");
	out_table_free(t);
}

static void
table_cuts_wide_cells(void **state)
{
	static const char *const headers[] = { "名称", "n" };
	struct out_table *t;
	struct mem m;

	assert_non_null(t = out_table_new(2, headers));
	assert_jx_ok(out_table_row(t, (const char *const[]){ "立项依据充分性", "1" }));
	assert_jx_ok(out_table_row(t, (const char *const[]){ "budget-line", "2" }));
	assert_jx_ok(out_table_row(t, (const char *const[]){ "abc", "3" }));
	/* Set after the rows went in: the column narrows to the widest cut cell. */
	out_table_max_width(t, 0, 6);
	out_table_print(t, mem_open(&m));
	assert_printed(&m,
	    "名称    n\n"
	    "------  -\n"
	    "立项…   1\n"
	    "budge…  2\n"
	    "abc     3\n");

	/* A cap of one leaves only the ellipsis; none lets the column grow back. */
	out_table_max_width(t, 0, 1);
	out_table_print(t, mem_open(&m));
	assert_printed(&m,
	    "…  n\n"
	    "-  -\n"
	    "…  1\n"
	    "…  2\n"
	    "…  3\n");
	out_table_max_width(t, 0, 0);
	out_table_print(t, mem_open(&m));
	assert_printed(&m,
	    "名称            n\n"
	    "--------------  -\n"
	    "立项依据充分性  1\n"
	    "budget-line     2\n"
	    "abc             3\n");
	out_table_free(t);
}

static void
table_neutralises_control_characters(void **state)
{
	static const char *const headers[] = { "a", "b" };
	struct out_table *t;
	struct mem m;

	assert_non_null(t = out_table_new(2, headers));
	assert_jx_ok(out_table_row(t, (const char *const[]){ "x\ty\nz", "\x1b[31mred\xff" }));
	out_table_print(t, mem_open(&m));
	assert_printed(&m,
	    "a      b\n"
	    "-----  ---------\n"
	    "x y z  \xef\xbf\xbd[31mred\xef\xbf\xbd\n");
	out_table_free(t);
}

static void
table_edge_cases(void **state)
{
	struct out_table *t;
	struct mem m;

	assert_null(out_table_new(0, NULL));
	out_table_free(NULL);
	assert_non_null(t = out_table_new(2, NULL));
	out_table_print(t, mem_open(&m));
	assert_printed(&m, "\n\n");
	assert_jx_ok(out_table_row(t, (const char *const[]){ "trailing  ", NULL }));
	assert_jx_ok(out_table_row(t, NULL));
	out_table_print(t, mem_open(&m));
	assert_printed(&m, "\n----------\ntrailing\n\n");
	out_table_free(t);
}

static void
table_grows(void **state)
{
	static const char *const headers[] = { "i" };
	struct out_table *t;
	struct mem m;
	char buf[16], *got;

	assert_non_null(t = out_table_new(1, headers));
	out_table_align(t, 0, OUT_RIGHT);
	for (int i = 0; i < 1000; i++) {
		snprintf(buf, sizeof(buf), "%d", i);
		assert_jx_ok(out_table_row(t, (const char *const[]){ buf }));
	}
	out_table_print(t, mem_open(&m));
	got = mem_close(&m);
	assert_non_null(strstr(got, "  i\n---\n  0\n  1\n"));
	assert_non_null(strstr(got, " 99\n100\n"));
	assert_non_null(strstr(got, "999\n"));
	free(got);
	out_table_free(t);
}

static void
json_nests_and_formats(void **state)
{
	struct out_json *j;
	struct mem m;

	assert_non_null(j = out_json_new(mem_open(&m)));
	out_json_object(j, NULL);
	out_json_string(j, "name", "立项依据充分性");
	out_json_int(j, "n", -3);
	out_json_int(j, "min", INT64_MIN);
	out_json_uint(j, "u", UINT64_MAX);
	out_json_bool(j, "ok", 1);
	out_json_bool(j, "bad", 0);
	out_json_null(j, "none");
	out_json_string(j, "missing", NULL);
	out_json_array(j, "scores");
	out_json_hundredths(j, "ignored", 488);
	out_json_hundredths(j, NULL, 10000);
	out_json_hundredths(j, NULL, -5);
	out_json_hundredths(j, NULL, 350);
	out_json_hundredths(j, NULL, 0);
	out_json_object(j, NULL);
	out_json_end(j);
	out_json_array(j, NULL);
	out_json_end(j);
	out_json_end(j);
	out_json_object(j, "nested");
	out_json_array(j, "list");
	out_json_int(j, NULL, 1);
	out_json_end(j);
	out_json_end(j);
	out_json_end(j);
	out_json_end(j); /* nothing open: ignored */
	out_json_free(j);
	assert_printed(&m,
	    "{\n"
	    "  \"name\": \"立项依据充分性\",\n"
	    "  \"n\": -3,\n"
	    "  \"min\": -9223372036854775808,\n"
	    "  \"u\": 18446744073709551615,\n"
	    "  \"ok\": true,\n"
	    "  \"bad\": false,\n"
	    "  \"none\": null,\n"
	    "  \"missing\": null,\n"
	    "  \"scores\": [\n"
	    "    4.88,\n"
	    "    100,\n"
	    "    -0.05,\n"
	    "    3.5,\n"
	    "    0,\n"
	    "    {},\n"
	    "    []\n"
	    "  ],\n"
	    "  \"nested\": {\n"
	    "    \"list\": [\n"
	    "      1\n"
	    "    ]\n"
	    "  }\n"
	    "}\n");
}

static void
json_escapes_strings_and_keys(void **state)
{
	struct out_json *j;
	struct mem m;

	assert_non_null(j = out_json_new(mem_open(&m)));
	out_json_object(j, NULL);
	out_json_string(j, "q\"k\\", "say \"好\" \\ done");
	out_json_string(j, "ctl", "a\nb\tc\rd\be\ff\x01g\x1fh\x7f");
	out_json_string(j, "c1", "\xc2\x9b-");
	out_json_string(j, "keep", "（一）产出指标 ≥ 95% \xe2\x80\xa8 \xf0\x9f\x98\x80");
	out_json_string(j, "bad", "ok\xff\xc0\x80中\xed\xa0\x80\xe4\xb8");
	out_json_string(j, NULL, "");
	out_json_free(j);
	assert_printed(&m,
	    "{\n"
	    "  \"q\\\"k\\\\\": \"say \\\"好\\\" \\\\ done\",\n"
	    "  \"ctl\": \"a\\nb\\tc\\rd\\be\\ff\\u0001g\\u001fh\\u007f\",\n"
	    "  \"c1\": \"\\u009b-\",\n"
	    "  \"keep\": \"（一）产出指标 ≥ 95% \xe2\x80\xa8 \xf0\x9f\x98\x80\",\n"
	    "  \"bad\": \"ok\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd中"
	    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\",\n"
	    "  \"\": \"\"\n"
	    "}\n");
}

static void
json_free_closes_what_is_open(void **state)
{
	struct out_json *j;
	struct mem m;

	assert_non_null(j = out_json_new(mem_open(&m)));
	out_json_object(j, NULL);
	out_json_array(j, "a");
	out_json_object(j, NULL);
	out_json_free(j);
	assert_printed(&m,
	    "{\n"
	    "  \"a\": [\n"
	    "    {}\n"
	    "  ]\n"
	    "}\n");

	/* Nothing written, nothing printed; NULL writers are no-ops. */
	assert_non_null(j = out_json_new(mem_open(&m)));
	out_json_free(j);
	assert_printed(&m, "");
	assert_null(out_json_new(NULL));
	out_json_object(NULL, NULL);
	out_json_string(NULL, "k", "v");
	out_json_end(NULL);
	out_json_free(NULL);
}

static void
json_top_level_values_go_on_lines(void **state)
{
	struct out_json *j;
	struct mem m;

	assert_non_null(j = out_json_new(mem_open(&m)));
	out_json_string(j, "ignored", "a");
	out_json_int(j, NULL, 7);
	out_json_array(j, NULL);
	out_json_end(j);
	out_json_free(j);
	assert_printed(&m, "\"a\"\n7\n[]\n");
}

/* Appends n copies of s to buf at *len. */
static void
repeat(char *buf, size_t size, size_t *len, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		*len += (size_t)snprintf(buf + *len, size - *len, "%s", s);
	assert_true(*len < size);
}

static void
json_caps_depth(void **state)
{
	enum { EXTRA = 8 };
	struct out_json *j;
	struct mem m;
	char want[4096];
	size_t len = 0;
	char *got;

	assert_non_null(j = out_json_new(mem_open(&m)));
	for (int i = 0; i < OUT_JSON_DEPTH + EXTRA; i++)
		out_json_array(j, NULL);
	out_json_int(j, NULL, 1); /* too deep: ignored */
	out_json_object(j, NULL);
	out_json_string(j, "k", "v");
	out_json_end(j);
	for (int i = 0; i < EXTRA; i++)
		out_json_end(j);
	out_json_int(j, NULL, 2); /* in the deepest array kept */
	for (int i = 0; i < OUT_JSON_DEPTH; i++)
		out_json_end(j);
	out_json_int(j, NULL, 3); /* back at top level */
	out_json_free(j);

	for (size_t d = 0; d < OUT_JSON_DEPTH; d++) {
		repeat(want, sizeof(want), &len, "  ", d);
		repeat(want, sizeof(want), &len, "[\n", 1);
	}
	repeat(want, sizeof(want), &len, "  ", OUT_JSON_DEPTH);
	repeat(want, sizeof(want), &len, "2\n", 1);
	for (size_t d = OUT_JSON_DEPTH; d-- > 0;) {
		repeat(want, sizeof(want), &len, "  ", d);
		repeat(want, sizeof(want), &len, d > 0 ? "]\n" : "]\n3\n", 1);
	}
	got = mem_close(&m);
	assert_string_equal(got, want);
	free(got);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(width_counts_columns),
		cmocka_unit_test(width_counts_invalid_bytes_one_each),
		cmocka_unit_test(table_aligns_chinese_and_ascii),
		cmocka_unit_test(table_right_aligns_numbers),
		cmocka_unit_test(table_cuts_wide_cells),
		cmocka_unit_test(table_neutralises_control_characters),
		cmocka_unit_test(table_edge_cases),
		cmocka_unit_test(table_grows),
		cmocka_unit_test(json_nests_and_formats),
		cmocka_unit_test(json_escapes_strings_and_keys),
		cmocka_unit_test(json_free_closes_what_is_open),
		cmocka_unit_test(json_top_level_values_go_on_lines),
		cmocka_unit_test(json_caps_depth),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
