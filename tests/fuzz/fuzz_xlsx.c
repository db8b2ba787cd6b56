/*
 * common/xlsx.c on any bytes: a workbook is opened or refused with a sentence; every
 * sheet is read into a table or refused with a sentence; a table keeps csv.h's caps,
 * each row's line ascending, and each cell valid UTF-8 without NUL.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "err.h"
#include "text.h"
#include "xlsx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fuzz_xlsx_check(const struct csv *t)
{
	size_t last = 0;

	if (csv_nrows(t) > XLSX_MAX_ROWS)
		abort();
	for (size_t r = 0; r < csv_nrows(t); r++) {
		if (csv_line(t, r) <= last || csv_ncols(t, r) > XLSX_MAX_COLS)
			abort();
		last = csv_line(t, r);
		for (size_t c = 0; c < csv_ncols(t, r); c++) {
			const char *s = csv_cell(t, r, c);
			if (strlen(s) > XLSX_MAX_CELL || !text_utf8_valid(s))
				abort();
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xlsx *x = NULL;
	char why[XLSX_WHY_MAX] = "";
	int rv;

	rv = xlsx_open(data, size, &x, why, sizeof(why));
	if (rv != JX_OK) {
		if (rv == JX_EINVAL && why[0] == '\0')
			abort();
		return 0;
	}
	for (size_t i = 0; i < xlsx_nsheets(x); i++) {
		struct csv *t = NULL;

		why[0] = '\0';
		rv = xlsx_sheet(x, i, &t, why, sizeof(why));
		if (rv == JX_OK) {
			fuzz_xlsx_check(t);
			csv_free(t);
		} else if (rv == JX_EINVAL && why[0] == '\0') {
			abort();
		}
	}
	xlsx_free(x);
	return 0;
}
