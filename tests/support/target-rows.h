/*
 * Table tests of the target parser (test_target, test_target_forms): a text and the
 * parse it must give, written with the macros below, and the check of one row.
 */
#ifndef JX_TARGET_ROWS_H
#define JX_TARGET_ROWS_H

#include <stdint.h>

#include "target.h"

struct want_clause {
	const char *label; /* NULL ends the list */
	enum target_cmp cmp;
	int64_t value;
	const char *unit;
	const char *tail;
};

struct row {
	const char *in;
	enum target_kind kind;
	enum target_join join;
	int flagged;
	struct want_clause c[TARGET_MAX_CLAUSES];
};

#define C(l, k, v, u, t) { .label = (l), .cmp = (k), .value = (v), .unit = (u), .tail = (t) }
#define ONE(txt, l, k, v, u, t) \
	{ .in = (txt), .kind = TARGET_QUANTITATIVE, .join = TARGET_ALL, .c = { C(l, k, v, u, t) } }
#define ALL(txt, ...) \
	{ .in = (txt), .kind = TARGET_QUANTITATIVE, .join = TARGET_ALL, .c = { __VA_ARGS__ } }
#define ANY(txt, ...) \
	{ .in = (txt), .kind = TARGET_QUANTITATIVE, .join = TARGET_ANY, .c = { __VA_ARGS__ } }
#define QUAL(txt) { .in = (txt), .kind = TARGET_QUALITATIVE, .join = TARGET_ALL }
#define FLAG(txt) { .in = (txt), .kind = TARGET_QUALITATIVE, .join = TARGET_ALL, .flagged = 1 }

/* Parses r->in and fails the test, saying how, unless it gives exactly r's parse. */
void target_rows_check(const struct row *r);

/* The next of a xorshift32 sequence (for repeatable random texts). */
uint32_t target_rows_random(uint32_t *x);

#endif
