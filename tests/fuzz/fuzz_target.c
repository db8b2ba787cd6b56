/*
 * common/target.c on any text: parsed, rendered, and the rendering parsed again gives
 * the same clauses (target.h's promise).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "fuzz.h"
#include "target.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fuzz_target_same(const struct target *a, const struct target *b, const char *text,
    const char *rendered)
{
	if (a->kind != b->kind || a->nclauses != b->nclauses ||
	    (a->nclauses > 1 && a->join != b->join))
		goto differ;
	for (size_t i = 0; i < a->nclauses; i++) {
		const struct target_clause *x = &a->clauses[i], *y = &b->clauses[i];
		if (x->cmp != y->cmp || x->value != y->value || strcmp(x->unit, y->unit) != 0 ||
		    strcmp(x->label, y->label) != 0 || strcmp(x->tail, y->tail) != 0)
			goto differ;
	}
	return;
differ:
	fprintf(stderr, "\"%s\" renders as \"%s\", which parses differently\n", text, rendered);
	abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct target t, back;
	static char buf[TARGET_FORMAT_MAX];
	char *text = fuzz_cstr(data, size);
	int rv;

	rv = target_parse(text, &t);
	if (rv != JX_OK) {
		if (strlen(text) <= TARGET_TEXT_MAX)
			abort();
		goto out;
	}
	if (t.nclauses > TARGET_MAX_CLAUSES || (t.kind == TARGET_QUALITATIVE) != (t.nclauses == 0))
		abort();
	(void)target_direction(&t);
	for (size_t i = 0; i < t.nclauses; i++)
		(void)target_cmp_symbol(t.clauses[i].cmp);
	if (target_format(&t, buf, sizeof(buf)) != JX_OK)
		abort();
	if (t.kind == TARGET_QUANTITATIVE) {
		if (target_parse(buf, &back) != JX_OK)
			abort();
		fuzz_target_same(&t, &back, text, buf);
	}
	/* A small buffer is filled as far as it goes, never past its end. */
	(void)target_format(&t, buf, 1 + size % 64);
out:
	free(text);
	return 0;
}
