/*
 * common/csv.c: any bytes are parsed or refused with a sentence; a parsed table's
 * cells are valid UTF-8 without NUL, and writing them out and reading them back gives
 * the same cells.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Writes csv's rows and reads them back: the same rows of the same cells. */
static void
fuzz_csv_roundtrip(const struct csv *csv)
{
	const char *cells[CSV_MAX_COLS];
	struct csv *back = NULL;
	char *buf = NULL, why[CSV_WHY_MAX];
	size_t len = 0;
	FILE *f;

	if ((f = open_memstream(&buf, &len)) == NULL)
		abort();
	for (size_t r = 0; r < csv_nrows(csv); r++) {
		size_t n = csv_ncols(csv, r);
		for (size_t c = 0; c < n; c++)
			cells[c] = csv_cell(csv, r, c);
		if (csv_write_row(f, cells, n) != JX_OK)
			abort();
	}
	fclose(f);
	if (csv_parse(buf, len, &back, why, sizeof(why)) != JX_OK) {
		fprintf(stderr, "a written table does not read back: %s\n", why);
		abort();
	}
	if (csv_nrows(back) != csv_nrows(csv))
		abort();
	for (size_t r = 0; r < csv_nrows(csv); r++) {
		if (csv_ncols(back, r) != csv_ncols(csv, r))
			abort();
		for (size_t c = 0; c < csv_ncols(csv, r); c++)
			if (strcmp(csv_cell(back, r, c), csv_cell(csv, r, c)) != 0)
				abort();
	}
	csv_free(back);
	free(buf);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct csv *csv = NULL;
	char why[CSV_WHY_MAX];
	int rv;

	why[0] = '\0';
	rv = csv_parse((const char *)data, size, &csv, why, sizeof(why));
	if (rv != JX_OK) {
		/* A refusal always says why. */
		if (rv == JX_EINVAL && why[0] == '\0')
			abort();
		return 0;
	}
	for (size_t r = 0; r < csv_nrows(csv); r++) {
		if (csv_line(csv, r) == 0)
			abort();
		for (size_t c = 0; c < csv_ncols(csv, r); c++) {
			const char *cell = csv_cell(csv, r, c);
			const char *start;
			(void)csv_trim(cell, &start);
			(void)csv_blank(cell);
			(void)csv_header_eq(cell, "一级指标");
		}
	}
	fuzz_csv_roundtrip(csv);
	csv_free(csv);
	return 0;
}
