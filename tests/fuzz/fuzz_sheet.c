/*
 * common/sheet-csv.c on any CSV: the sheet is read or refused with a sentence; a sheet
 * read is depth-first and consistent, and writes out as a CSV that reads again.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "csv.h"
#include "err.h"
#include "sheet-csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fuzz_sheet_check(const struct sheet_csv *sh)
{
	for (size_t i = 0; i < sh->n; i++) {
		const struct sheet_csv_node *n = &sh->nodes[i];
		if (n->depth < 1 || n->depth > SHEET_CSV_LEVELS || n->name == NULL ||
		    n->criteria == NULL || n->comment == NULL || n->target == NULL ||
		    n->actual == NULL || n->method == NULL || n->params == NULL ||
		    n->category == NULL)
			abort();
		/* Depth-first: a parent comes before its children. */
		if (n->parent >= (ptrdiff_t)i || (n->parent < 0) != (n->depth == 1))
			abort();
		if (n->parent >= 0 && sh->nodes[n->parent].depth != n->depth - 1)
			abort();
		if (n->weight < 0 || (n->has_score && n->score < 0))
			abort();
	}
}

/* Written out and read again (the reading may refuse: see sheet_csv_write's caveats). */
static void
fuzz_sheet_rewrite(const struct sheet_csv *sh)
{
	struct sheet_csv *back = NULL;
	struct csv *csv = NULL;
	char *buf = NULL, why[CSV_WHY_MAX];
	size_t len = 0;
	FILE *f;

	if ((f = open_memstream(&buf, &len)) == NULL)
		abort();
	if (sheet_csv_write(sh, f) != JX_OK)
		abort();
	fclose(f);
	if (csv_parse(buf, len, &csv, why, sizeof(why)) != JX_OK) {
		fprintf(stderr, "a written sheet is not CSV: %s\n", why);
		abort();
	}
	if (sheet_csv_read(csv, &back, why, sizeof(why)) == JX_OK) {
		fuzz_sheet_check(back);
		sheet_csv_free(back);
	}
	csv_free(csv);
	free(buf);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sheet_csv *sh = NULL;
	struct csv *csv = NULL;
	char why[CSV_WHY_MAX];
	int rv;

	if (csv_parse((const char *)data, size, &csv, why, sizeof(why)) != JX_OK)
		return 0;
	why[0] = '\0';
	rv = sheet_csv_read(csv, &sh, why, sizeof(why));
	if (rv == JX_OK) {
		fuzz_sheet_check(sh);
		fuzz_sheet_rewrite(sh);
		sheet_csv_free(sh);
	} else if (rv == JX_EINVAL && why[0] == '\0') {
		abort();
	}
	csv_free(csv);
	return 0;
}
