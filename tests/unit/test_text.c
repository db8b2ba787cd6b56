/* common/text.c: well-formed UTF-8, and text cut by a bounded copy kept whole. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "text.h"

static void
valid_utf8(void **state)
{
	(void)state;
	assert_true(text_utf8_valid("评价 ok"));
	assert_false(text_utf8_valid("\xe8\xaf"));          /* 评 cut in two */
	assert_false(text_utf8_valid("\xc0\xaf"));          /* an overlong '/' */
	assert_false(text_utf8_valid("\xed\xa0\x80"));      /* a surrogate */
}

static void
whole_characters(void **state)
{
	const char *s = "a评价😀";  /* 1 + 3 + 3 + 4 bytes */

	(void)state;
	assert_int_equal(text_utf8_whole(s, 0), 0);
	assert_int_equal(text_utf8_whole(s, 1), 1);
	/* Inside 评 (bytes 1..3): back to before it. */
	assert_int_equal(text_utf8_whole(s, 2), 1);
	assert_int_equal(text_utf8_whole(s, 3), 1);
	assert_int_equal(text_utf8_whole(s, 4), 4);
	assert_int_equal(text_utf8_whole(s, 5), 4);
	assert_int_equal(text_utf8_whole(s, 7), 7);
	/* Inside the emoji (bytes 7..10). */
	for (size_t n = 8; n < 11; n++)
		assert_int_equal(text_utf8_whole(s, n), 7);
	assert_int_equal(text_utf8_whole(s, 11), 11);
	/* Every cut of a longer text is whole and valid. */
	{
		const char *t = "绩效目标表：面向政府用户≥50或面向公众用户≥200";
		char buf[128];

		for (size_t n = 0; n <= strlen(t); n++) {
			size_t k = text_utf8_whole(t, n);

			assert_true(k <= n && n - k < 4);
			memcpy(buf, t, k);
			buf[k] = '\0';
			assert_true(text_utf8_valid(buf));
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(valid_utf8),
		cmocka_unit_test(whole_characters),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
