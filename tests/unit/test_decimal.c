#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "decimal.h"
#include "err.h"

static void
parse_accepts_points_and_money(void **state)
{
	static const struct {
		const char *in;
		int64_t want;
	} ok[] = {
		{ "4.88", 488 }, { "-30.01", -3001 }, { "100", 10000 }, { "0.5", 50 },
		{ "+2.5", 250 }, { "0", 0 }, { "1164.43", 116443 }, { "87.38", 8738 },
	};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		int64_t v = -1;
		assert_int_equal(dec_parse(ok[i].in, &v), JX_OK);
		assert_int_equal(v, ok[i].want);
	}
}

static void
parse_refuses_everything_else(void **state)
{
	static const char *bad[] = { "", "-", ".5", "4.", "4.888", "4,88", " 4", "4 ",
		"1e3", "abc", "99999999999999999999", "10000000000001" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int64_t v = 7;
		assert_int_equal(dec_parse(bad[i], &v), JX_EINVAL);
		assert_int_equal(v, 7);
	}
}

static void
format_round_trips(void **state)
{
	char buf[DEC_BUFSZ];

	assert_string_equal(dec_format(488, buf), "4.88");
	assert_string_equal(dec_format(-3001, buf), "-30.01");
	assert_string_equal(dec_format(5, buf), "0.05");
	assert_string_equal(dec_format(-5, buf), "-0.05");
	assert_string_equal(dec_format(INT64_MIN, buf), "-92233720368547758.08");
	assert_string_equal(dec_format_short(10000, buf), "100");
	assert_string_equal(dec_format_short(350, buf), "3.5");
	assert_string_equal(dec_format_short(0, buf), "0");
	assert_string_equal(dec_format_short(488, buf), "4.88");
}

/* Amounts as spreadsheets and people write them (issue 12), and what stays refused. */
static void
parse_written_amounts(void **state)
{
	static const struct {
		const char *in;
		int ok;
		int64_t v;
	} cases[] = {
		{ "1,164.43", 1, 116443 },
		{ "1,260,000.00", 1, 126000000 },
		{ " 428.54 ", 1, 42854 },
		{ "１１６４.４３", 1, 116443 },
		{ "１，１６４．４３", 1, 116443 },
		{ "\xe3\x80\x80-30.01\xc2\xa0", 1, -3001 },
		{ "－30.01", 1, -3001 },
		{ "123,456,789", 1, 12345678900 },
		{ "1,16", 0, 0 },         /* a decimal comma, or a list: refused */
		{ "12,34,567", 0, 0 },
		{ "1234,567", 0, 0 },
		{ "1,000,00", 0, 0 },
		{ ",100", 0, 0 },
		{ "100,", 0, 0 },
		{ "1.000,50", 0, 0 },     /* the European way round */
		{ "1,000.5,0", 0, 0 },
		{ "4.888", 0, 0 },
		{ "", 0, 0 },
		{ "1 000", 0, 0 },
		{ "abc", 0, 0 },
		{ "１２３x", 0, 0 },
		{ "--1", 0, 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int64_t v = -1;
		int rv = dec_parse_written(cases[i].in, strlen(cases[i].in), &v);

		if ((rv == JX_OK) != cases[i].ok || (cases[i].ok && v != cases[i].v))
			fail_msg("\"%s\": rv %d value %lld", cases[i].in, rv, (long long)v);
	}
	assert_int_equal(dec_parse_written(NULL, 0, NULL), JX_EINVAL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse_accepts_points_and_money),
		cmocka_unit_test(parse_refuses_everything_else),
		cmocka_unit_test(parse_written_amounts),
		cmocka_unit_test(format_round_trips),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
