/* Helpers shared by jixiao's cmocka tests. */
#ifndef JX_JXTEST_H
#define JX_JXTEST_H

#include "err.h"

/* Asserts rv is JX_OK, printing the error's name when it is not. */
#define assert_jx_ok(expr) jxtest_ok((expr), #expr, __FILE__, __LINE__)
/* Asserts rv is the given error, printing both names when it is not. */
#define assert_jx_err(expr, want) jxtest_err((expr), (want), #expr, __FILE__, __LINE__)

#include <stddef.h>

/* Reads the file at rel under $JX_SOURCE_DIR into a new NUL-terminated buffer. */
char *jxtest_slurp(const char *rel, size_t *len);
/* The path of rel under $JX_SOURCE_DIR, in buf. */
const char *jxtest_source_path(const char *rel, char *buf, size_t len);

/* Removes path and everything below it (not following links). 0, or -1 with errno. */
int jxtest_rmtree(const char *path);

/*
 * Damages the LMDB file at path as a bad disk would: every entry of every branch page
 * but each page's first points at a page past the file's end, so a walk that crosses
 * from one leaf page to the next fails with MDB_PAGE_NOTFOUND. Returns the entries
 * changed, or -1 with errno.
 */
long jxtest_damage_branches(const char *path);

void jxtest_ok(int rv, const char *expr, const char *file, int line);
void jxtest_err(int rv, int want, const char *expr, const char *file, int line);

#endif
