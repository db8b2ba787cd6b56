/*
 * Other programs jx runs (Chromium to print a PDF, LibreOffice to convert .xls): where
 * they are on PATH.
 */
#ifndef JX_PROGRAM_H
#define JX_PROGRAM_H

#include <stdbool.h>
#include <stddef.h>

/*
 * The first of names[0..n) that PATH (or, without one, /usr/local/bin:/usr/bin:/bin)
 * holds as an executable, its path into buf. False when none is, or buf is too short.
 */
bool program_find(const char *const *names, size_t n, char *buf, size_t len);

#endif
