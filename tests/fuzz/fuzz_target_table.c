/*
 * common/target-table.c: the input as one 绩效指标 cell (split into indicators), and as
 * a CSV table of projects.
 */
#include <stdint.h>
#include <stdlib.h>

#include "csv.h"
#include "err.h"
#include "fuzz.h"
#include "target-table.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fuzz_target_table_items(const struct target_table_item *items, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (items[i].category == NULL || items[i].name == NULL ||
		    items[i].target == NULL || items[i].num < 0)
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct target_table_item *items = NULL;
	struct target_table *table = NULL;
	struct csv *csv = NULL;
	char why[CSV_WHY_MAX], *cell = fuzz_cstr(data, size);
	size_t n = 0;
	int rv;

	why[0] = '\0';
	rv = target_table_split(cell, &items, &n, why, sizeof(why));
	if (rv == JX_OK)
		fuzz_target_table_items(items, n);
	else if (items != NULL || n != 0 || (rv == JX_EINVAL && why[0] == '\0'))
		abort();
	target_table_items_free(items, n);
	free(cell);

	if (csv_parse((const char *)data, size, &csv, why, sizeof(why)) != JX_OK)
		return 0;
	why[0] = '\0';
	rv = target_table_read(csv, &table, why, sizeof(why));
	if (rv == JX_OK) {
		for (size_t i = 0; i < table->n; i++) {
			const struct target_table_project *p = &table->projects[i];
			if (p->name == NULL || p->department == NULL || p->unit == NULL ||
			    p->goal == NULL)
				abort();
			fuzz_target_table_items(p->items, p->nitems);
		}
		target_table_free(table);
	} else if (rv == JX_EINVAL && why[0] == '\0') {
		abort();
	}
	csv_free(csv);
	return 0;
}
