/* Helpers shared by jixiao's cmocka tests. */
#ifndef JX_JXTEST_H
#define JX_JXTEST_H

#include "err.h"

/* Asserts rv is JX_OK, printing the error's name when it is not. */
#define assert_jx_ok(expr) jxtest_ok((expr), #expr, __FILE__, __LINE__)
/* Asserts rv is the given error, printing both names when it is not. */
#define assert_jx_err(expr, want) jxtest_err((expr), (want), #expr, __FILE__, __LINE__)

void jxtest_ok(int rv, const char *expr, const char *file, int line);
void jxtest_err(int rv, int want, const char *expr, const char *file, int line);

#endif
