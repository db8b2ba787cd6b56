#include "budget.h"

#include <stdlib.h>

#include "err.h"

int
budget_derive(Jixiao__Budget *b)
{
	int64_t *adj = NULL, *amounts = NULL;
	int rv = JX_EINTERNAL;

	b->has_final = b->has_rate = b->has_lines_total = 0;
	if ((adj = calloc(b->n_adjustments + 1, sizeof(*adj))) == NULL ||
	    (amounts = calloc(b->n_lines + 1, sizeof(*amounts))) == NULL)
		goto out;
	for (size_t i = 0; i < b->n_adjustments; i++)
		adj[i] = b->adjustments[i]->amount;
	for (size_t i = 0; i < b->n_lines; i++)
		amounts[i] = b->lines[i]->amount;
	if (b->has_initial && budget_final(b->initial, b->carry_over, adj, b->n_adjustments,
	    &b->final) == 0) {
		b->has_final = 1;
		if (b->has_spent && budget_rate(b->spent, b->final, &b->rate) == 0)
			b->has_rate = 1;
	}
	if (b->n_lines > 0 && budget_sum(amounts, b->n_lines, &b->lines_total) == 0)
		b->has_lines_total = 1;
	rv = JX_OK;
out:
	free(adj);
	free(amounts);
	return rv;
}
