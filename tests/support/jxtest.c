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
#include <string.h>
#include <unistd.h>

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

long
jxtest_damage_branches(const char *path)
{
	long psize = sysconf(_SC_PAGESIZE), changed = 0;
	uint8_t *page = malloc((size_t)psize);
	FILE *fp = fopen(path, "r+b");

	if (page == NULL || fp == NULL) {
		changed = -1;
		goto out;
	}
	/* Pages 0 and 1 are LMDB's meta pages. */
	for (long no = 2; changed >= 0; no++) {
		uint16_t flags, lower;
		if (fseek(fp, no * psize, SEEK_SET) != 0 ||
		    fread(page, 1, (size_t)psize, fp) != (size_t)psize)
			break;
		/* MDB_page: pgno (8), pad (2), flags (2: 0x01 a branch), lower (2), upper (2). */
		memcpy(&flags, page + 10, 2);
		memcpy(&lower, page + 12, 2);
		if ((flags & 0x01) == 0 || lower < 16 || lower > psize)
			continue;
		for (size_t i = 1; i < (size_t)(lower - 16) / 2; i++) {
			uint16_t at, hi = 0xffff;
			memcpy(&at, page + 16 + 2 * i, 2);
			if (at + 4 > psize)
				continue;
			/* MDB_node: the child's page number, low (2) then high (2), little-endian. */
			memcpy(page + at + 2, &hi, 2);
			changed++;
		}
		if (fseek(fp, no * psize, SEEK_SET) != 0 ||
		    fwrite(page, 1, (size_t)psize, fp) != (size_t)psize)
			changed = -1;
	}
out:
	if (fp != NULL && fclose(fp) != 0)
		changed = -1;
	free(page);
	return changed;
}
