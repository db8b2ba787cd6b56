#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse_accepts_points_and_money),
		cmocka_unit_test(parse_refuses_everything_else),
		cmocka_unit_test(format_round_trips),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
