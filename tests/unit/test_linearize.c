/*
 * The linearizability checker of tests/support/linearize.c on hand-made histories of
 * compare-and-set registers: ones that have an order, ones that cannot have one, and
 * a long generated one.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "linearize.h"

#define K 7 /* the key of single-key histories */

static struct linearize_op
cas(int64_t invoke, int64_t response, uint64_t base, uint64_t version)
{
	return (struct linearize_op){ K, invoke, response, LINEARIZE_CAS, base, version };
}

static struct linearize_op
refused(int64_t invoke, int64_t response, uint64_t base, uint64_t saw)
{
	return (struct linearize_op){ K, invoke, response, LINEARIZE_CAS_REFUSED, base, saw };
}

static struct linearize_op
readv(int64_t invoke, int64_t response, uint64_t saw)
{
	return (struct linearize_op){ K, invoke, response, LINEARIZE_READ, 0, saw };
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

static enum linearize_result
check(const struct linearize_op *ops, size_t n, uint64_t initial, char *why, size_t len)
{
	return linearize_key(ops, n, initial, LINEARIZE_STEPS_DEFAULT, NULL, why, len);
}

static void
assert_linearizable(const struct linearize_op *ops, size_t n, uint64_t initial)
{
	char why[1024];
	enum linearize_result r = check(ops, n, initial, why, sizeof(why));

	if (r != LINEARIZE_OK)
		fail_msg("%s: %s", linearize_result_name(r), why);
}

/* Not linearizable, and the explanation names every operation in names. */
static void
assert_violation(const struct linearize_op *ops, size_t n, uint64_t initial,
    const char *const *names)
{
	char why[1024];
	enum linearize_result r = check(ops, n, initial, why, sizeof(why));

	if (r != LINEARIZE_VIOLATION)
		fail_msg("expected a violation, got %s", linearize_result_name(r));
	for (; names != NULL && *names != NULL; names++)
		if (strstr(why, *names) == NULL)
			fail_msg("the explanation does not name %s: %s", *names, why);
}

static void
empty_and_sequential_histories_are_linearizable(void **state)
{
	const struct linearize_op seq[] = {
		cas(0, 10, 1, 2), readv(11, 12, 2), refused(13, 14, 1, 2), cas(15, 20, 2, 5),
		readv(21, 22, 5),
	};

	assert_int_equal(check(NULL, 0, 1, NULL, 0), LINEARIZE_OK);
	assert_linearizable(seq, N(seq), 1);
}

static void
overlapping_cas_are_ordered_by_their_versions(void **state)
{
	/* B was invoked first but is based on A's version: A takes effect first. */
	const struct linearize_op ops[] = {
		cas(5, 30, 2, 3), /* B */
		cas(10, 20, 1, 2), /* A */
		cas(0, 40, 3, 4), /* C, overlapping both */
	};

	assert_linearizable(ops, N(ops), 1);
}

static void
refused_cas_may_observe_a_concurrent_success(void **state)
{
	const struct linearize_op ops[] = {
		cas(0, 100, 1, 2),
		refused(10, 20, 1, 2),  /* saw the success before it returned */
		refused(30, 120, 1, 2), /* and after */
		refused(5, 8, 3, 1),    /* saw the version before it */
	};

	assert_linearizable(ops, N(ops), 1);
}

static void
operations_at_the_same_instant_are_concurrent(void **state)
{
	/* The read's call and the write's return carry the same time: either order. */
	const struct linearize_op ops[] = { cas(0, 10, 1, 2), readv(10, 20, 1) };

	assert_linearizable(ops, N(ops), 1);
}

static void
refused_cas_observing_a_version_outside_its_interval(void **state)
{
	/* Version 3 appears only at 20, after the refused CAS returned at 18. */
	const struct linearize_op ops[] = {
		cas(0, 10, 1, 2), cas(20, 30, 2, 3), refused(12, 18, 1, 3),
	};
	/* A version that never existed at all. */
	const struct linearize_op never[] = { cas(0, 10, 1, 2), refused(5, 15, 1, 9) };
	static const char *const names[] = { "#2 CAS from 1 refused, saw 3", NULL };
	static const char *const names_never[] = { "#1 CAS from 1 refused, saw 9", NULL };

	assert_violation(ops, N(ops), 1, names);
	assert_violation(never, N(never), 1, names_never);
}

static void
refused_cas_observing_its_own_base(void **state)
{
	const struct linearize_op ops[] = { refused(0, 10, 1, 1) };
	static const char *const names[] = { "#0 CAS from 1 refused, saw 1", "does not fit",
		NULL };

	assert_violation(ops, N(ops), 1, names);
}

static void
two_successful_cas_from_one_base(void **state)
{
	const struct linearize_op overlapping[] = { cas(0, 10, 1, 2), cas(5, 15, 1, 3) };
	const struct linearize_op apart[] = { cas(0, 10, 1, 2), cas(20, 30, 1, 3),
		readv(40, 50, 3) };
	static const char *const names[] = { "#1 CAS 1->3", NULL };

	assert_violation(overlapping, N(overlapping), 1, NULL);
	assert_violation(apart, N(apart), 1, names);
}

static void
stale_read_after_a_completed_write(void **state)
{
	const struct linearize_op ops[] = { cas(0, 10, 1, 2), readv(20, 30, 1) };
	/* New then old: once a read saw 2, a later read cannot see 1. */
	const struct linearize_op inversion[] = {
		cas(0, 100, 1, 2), readv(10, 20, 2), readv(30, 40, 1),
	};
	static const char *const names[] = { "#1 READ saw 1", "version 2 current", NULL };

	assert_violation(ops, N(ops), 1, names);
	assert_violation(inversion, N(inversion), 1, NULL);
}

static void
keys_are_checked_one_by_one(void **state)
{
	/* Interleaved in time; key 2's history is wrong, key 1's is not. */
	const struct linearize_op ops[] = {
		{ 1, 0, 10, LINEARIZE_CAS, 10, 11 },
		{ 2, 0, 10, LINEARIZE_CAS, 20, 21 },
		{ 1, 20, 30, LINEARIZE_READ, 0, 11 },
		{ 2, 20, 30, LINEARIZE_READ, 0, 20 },
		{ 3, 0, 5, LINEARIZE_READ, 0, 0 },
	};
	const struct linearize_init init[] = { { 2, 20 }, { 1, 10 } };
	struct linearize_report r;

	assert_int_equal(linearize_check(ops, N(ops), init, N(init), 1000, &r),
	    LINEARIZE_VIOLATION);
	assert_int_equal(r.keys, 3);
	assert_int_equal(r.ops, 5);
	assert_int_equal(r.violations, 1);
	assert_int_equal(r.unknown, 0);
	assert_int_equal(r.key, 2);
	/* Operations are named by their index in the whole history. */
	if (strstr(r.why, "key 2:") == NULL || strstr(r.why, "#3 READ saw 20") == NULL)
		fail_msg("%s", r.why);
	assert_int_equal(linearize_check(ops, 3, init, N(init), 1000, &r), LINEARIZE_OK);
	assert_int_equal(r.keys, 2);
}

static void
the_search_gives_up_at_its_cap(void **state)
{
	struct linearize_op ops[24];
	char why[1024];
	uint64_t steps;

	/* Twelve concurrent reads and writes: plenty of orders to try, 3 steps allowed. */
	for (size_t i = 0; i < N(ops); i++)
		ops[i] = i % 2 == 0 ? cas(0, 100, i / 2, i / 2 + 1) : readv(0, 100, i / 2);
	assert_int_equal(linearize_key(ops, N(ops), 0, 3, &steps, why, sizeof(why)),
	    LINEARIZE_UNKNOWN);
	assert_true(steps <= 4);
	assert_non_null(strstr(why, "gave up"));
	assert_int_equal(linearize_key(ops, N(ops), 0, LINEARIZE_STEPS_DEFAULT, &steps, why,
	    sizeof(why)), LINEARIZE_OK);
	/* Bad input is not a verdict. */
	ops[0].response_ns = -1;
	assert_int_equal(check(ops, N(ops), 0, why, sizeof(why)), LINEARIZE_UNKNOWN);
}

/*
 * Thirty refused edits that saw a write, all pending at once with it, and a read of
 * the version before it: trying their orders one by one would take 2^30 steps.
 */
static void
reads_and_refused_edits_do_not_multiply_the_search(void **state)
{
	struct linearize_op ops[32];
	char why[1024];
	uint64_t steps;

	ops[0] = cas(0, 1000, 1, 2);
	for (int i = 1; i <= 30; i++)
		ops[i] = refused(10 + i, 2000, 1, 2);
	ops[31] = readv(50, 900, 1);
	assert_int_equal(linearize_key(ops, N(ops), 1, 1000, &steps, why, sizeof(why)),
	    LINEARIZE_OK);
	/* The read after the write returned: stale, and found so as quickly. */
	ops[31] = readv(1100, 1200, 1);
	assert_int_equal(linearize_key(ops, N(ops), 1, 1000, &steps, why, sizeof(why)),
	    LINEARIZE_VIOLATION);
	if (strstr(why, "#31 READ saw 1") == NULL)
		fail_msg("%s", why);
}

static uint64_t
rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/*
 * A sequential run of several registers by many overlapping clients, each operation
 * stretched around the instant it took effect: linearizable by construction. Then one
 * read is made to see a version that never existed, and one key's history breaks.
 */
static void
a_long_generated_history(void **state)
{
	enum { OPS = 6000, KEYS = 4 };
	struct linearize_op *ops = calloc(OPS, sizeof(*ops));
	uint64_t cur[KEYS], next = 100, seed = 42;
	struct linearize_init init[KEYS];
	struct linearize_report r;

	assert_non_null(ops);
	for (int k = 0; k < KEYS; k++) {
		cur[k] = next++;
		init[k] = (struct linearize_init){ (uint64_t)k, cur[k] };
	}
	for (size_t i = 0; i < OPS; i++) {
		int64_t at = (int64_t)i * 100;
		uint64_t k = rnd(&seed) % KEYS, roll = rnd(&seed) % 10;
		struct linearize_op *op = &ops[i];

		op->key = k;
		op->invoke_ns = at - (int64_t)(rnd(&seed) % 2000);
		op->response_ns = at + (int64_t)(rnd(&seed) % 2000);
		if (roll < 4) {
			op->kind = LINEARIZE_CAS;
			op->base = cur[k];
			op->version = cur[k] = next++;
		} else if (roll < 7) {
			op->kind = LINEARIZE_CAS_REFUSED;
			op->base = cur[k] - 1 - rnd(&seed) % 5;
			op->version = cur[k];
		} else {
			op->kind = LINEARIZE_READ;
			op->version = cur[k];
		}
	}
	assert_int_equal(linearize_check(ops, OPS, init, KEYS, LINEARIZE_STEPS_DEFAULT, &r),
	    LINEARIZE_OK);
	assert_int_equal(r.keys, KEYS);
	for (size_t i = OPS / 2; i < OPS; i++) {
		if (ops[i].kind == LINEARIZE_READ) {
			ops[i].version = 99999;
			assert_int_equal(linearize_check(ops, OPS, init, KEYS,
			    LINEARIZE_STEPS_DEFAULT, &r), LINEARIZE_VIOLATION);
			assert_int_equal(r.violations, 1);
			assert_int_equal(r.key, ops[i].key);
			break;
		}
	}
	free(ops);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(empty_and_sequential_histories_are_linearizable),
		cmocka_unit_test(overlapping_cas_are_ordered_by_their_versions),
		cmocka_unit_test(refused_cas_may_observe_a_concurrent_success),
		cmocka_unit_test(operations_at_the_same_instant_are_concurrent),
		cmocka_unit_test(refused_cas_observing_a_version_outside_its_interval),
		cmocka_unit_test(refused_cas_observing_its_own_base),
		cmocka_unit_test(two_successful_cas_from_one_base),
		cmocka_unit_test(stale_read_after_a_completed_write),
		cmocka_unit_test(keys_are_checked_one_by_one),
		cmocka_unit_test(the_search_gives_up_at_its_cap),
		cmocka_unit_test(reads_and_refused_edits_do_not_multiply_the_search),
		cmocka_unit_test(a_long_generated_history),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
