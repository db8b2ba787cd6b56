#include "jxtest.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

void
jxtest_ok(int rv, const char *expr, const char *file, int line)
{
	if (rv != JX_OK)
		fail_msg("%s:%d: %s returned %s (%s)", file, line, expr, jx_errname(rv),
		    jx_strerror(rv));
}

void
jxtest_err(int rv, int want, const char *expr, const char *file, int line)
{
	if (rv != want)
		fail_msg("%s:%d: %s returned %s, expected %s", file, line, expr, jx_errname(rv),
		    jx_errname(want));
}
