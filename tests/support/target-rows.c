#include "target-rows.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "jxtest.h"

void
target_rows_check(const struct row *r)
{
	struct target t;
	size_t n = 0;

	assert_jx_ok(target_parse(r->in, &t));
	while (n < TARGET_MAX_CLAUSES && r->c[n].label != NULL)
		n++;
	if (t.kind != r->kind || t.join != r->join || t.flagged != r->flagged ||
	    t.nclauses != n)
		fail_msg("\"%s\": kind %d join %d flagged %d clauses %zu, expected %d %d %d %zu",
		    r->in, t.kind, t.join, t.flagged, t.nclauses, r->kind, r->join, r->flagged, n);
	for (size_t k = 0; k < n; k++) {
		const struct target_clause *c = &t.clauses[k];
		const struct want_clause *w = &r->c[k];

		if (strcmp(c->label, w->label) != 0 || c->cmp != w->cmp || c->value != w->value ||
		    strcmp(c->unit, w->unit) != 0 || strcmp(c->tail, w->tail) != 0)
			fail_msg("\"%s\" clause %zu: [%s] %s %lld [%s] [%s], expected "
			    "[%s] %s %lld [%s] [%s]", r->in, k, c->label, target_cmp_symbol(c->cmp),
			    (long long)c->value, c->unit, c->tail, w->label,
			    target_cmp_symbol(w->cmp), (long long)w->value, w->unit, w->tail);
	}
}

uint32_t
target_rows_random(uint32_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 17;
	*x ^= *x << 5;
	return *x;
}
