#define _XOPEN_SOURCE 700 /* nftw */
#include "jxtest.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>
#include <ftw.h>

const char *
jxtest_source_path(const char *rel, char *buf, size_t len)
{
	const char *dir = getenv("JX_SOURCE_DIR");

	if (dir == NULL || dir[0] == '\0')
		fail_msg("JX_SOURCE_DIR is not set: run the tests through ctest");
	snprintf(buf, len, "%s/%s", dir, rel);
	return buf;
}

char *
jxtest_slurp(const char *rel, size_t *len)
{
	char path[4096], *buf;
	FILE *f;
	long n;

	jxtest_source_path(rel, path, sizeof(path));
	if ((f = fopen(path, "rb")) == NULL)
		fail_msg("cannot open %s", path);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	assert_true((n = ftell(f)) >= 0);
	rewind(f);
	assert_non_null(buf = malloc((size_t)n + 1));
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

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

static int
jxtest_rm(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

int
jxtest_rmtree(const char *path)
{
	return nftw(path, jxtest_rm, 16, FTW_DEPTH | FTW_PHYS);
}
