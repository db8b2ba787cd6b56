/* store_scan and its variants on a real store: prefix bounds, order, early stop, errors. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "err.h"
#include "jxtest.h"
#include "store.h"

/* Keys around the prefix "ab", in LMDB's order (bytes, then the shorter first). */
static const struct {
	const char *key;
	size_t len;
} keys[] = {
	{ "a", 1 },
	{ "aa\xff", 3 },    /* just before the prefix */
	{ "ab", 2 },        /* the prefix itself */
	{ "ab\x00", 3 },
	{ "ab\x01", 3 },
	{ "ab\xff", 3 },
	{ "ab\xff\xff", 4 },
	{ "ac", 2 },        /* just after */
	{ "b", 1 },
	{ "\xff", 1 },
	{ "\xff\xff", 2 },
};
#define NKEYS (sizeof(keys) / sizeof(keys[0]))

struct fixture {
	char dir[64];
	char data[96];
	struct store *s;
	MDB_txn *txn;
};

/* What the scan saw, as indexes into keys[]; stops or fails after a number of records. */
struct seen {
	size_t idx[NKEYS + 1];
	size_t n;
	size_t stop_after; /* 0: never */
	int stop_with;
};

static int
seen_one(void *arg, const void *key, size_t klen, const void *val, size_t vlen)
{
	struct seen *s = arg;
	size_t i;

	for (i = 0; i < NKEYS; i++)
		if (keys[i].len == klen && memcmp(keys[i].key, key, klen) == 0)
			break;
	assert_true(i < NKEYS);
	/* The value is the key's index, so a scan hands each record its own value. */
	assert_int_equal(vlen, 1);
	assert_int_equal(*(const uint8_t *)val, i);
	assert_true(s->n < NKEYS + 1);
	s->idx[s->n++] = i;
	return s->stop_after != 0 && s->n == s->stop_after ? s->stop_with : 0;
}

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	MDB_txn *txn;
	char why[256];

	snprintf(f->dir, sizeof(f->dir), "/tmp/jxscan.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->data, sizeof(f->data), "%s/data", f->dir);
	assert_jx_ok(store_open(f->data, 0, &f->s, why, sizeof(why)));
	assert_jx_ok(store_write_begin(f->s, &txn));
	/* Put in reverse, so the order seen is LMDB's, not the order written. */
	for (size_t i = NKEYS; i-- > 0;) {
		uint8_t v = (uint8_t)i;
		assert_jx_ok(store_put(txn, f->s, STORE_CODES, keys[i].key, keys[i].len, &v, 1));
	}
	assert_jx_ok(store_write_commit(f->s, txn));
	assert_jx_ok(store_read_begin(f->s, &f->txn));
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	store_read_end(f->s, f->txn);
	store_close(f->s);
	assert_int_equal(jxtest_rmtree(f->dir), 0);
	free(f);
	return 0;
}

static void
assert_seen(const struct seen *s, const size_t *want, size_t n)
{
	for (size_t i = 0; i < n && i < s->n; i++)
		if (s->idx[i] != want[i])
			fail_msg("record %zu: got key %zu, want key %zu", i, s->idx[i], want[i]);
	assert_int_equal(s->n, n);
}

static void
prefix_takes_the_prefix_itself_and_nothing_either_side(void **state)
{
	struct fixture *f = *state;
	struct seen s = { 0 };
	const size_t want[] = { 2, 3, 4, 5, 6 };

	assert_jx_ok(store_scan(f->txn, f->s, STORE_CODES, "ab", 2, seen_one, &s));
	assert_seen(&s, want, 5);
}

static void
empty_prefix_walks_every_record_in_order(void **state)
{
	struct fixture *f = *state;
	struct seen s = { 0 };
	size_t want[NKEYS];

	for (size_t i = 0; i < NKEYS; i++)
		want[i] = i;
	assert_jx_ok(store_scan(f->txn, f->s, STORE_CODES, NULL, 0, seen_one, &s));
	assert_seen(&s, want, NKEYS);
}

static void
prefix_without_records_calls_nothing(void **state)
{
	struct fixture *f = *state;
	struct seen s = { 0 };

	/* Between "aa\xff" and "ab", and past the last key. */
	assert_jx_ok(store_scan(f->txn, f->s, STORE_CODES, "aa\xff\x00", 4, seen_one, &s));
	assert_jx_ok(store_scan(f->txn, f->s, STORE_CODES, "\xff\xff\xff", 3, seen_one, &s));
	assert_jx_ok(store_scan(f->txn, f->s, STORE_CODES, "ad", 2, seen_one, &s));
	assert_int_equal(s.n, 0);
	/* And a table with nothing in it. */
	assert_jx_ok(store_scan(f->txn, f->s, STORE_FINDINGS, NULL, 0, seen_one, &s));
	assert_int_equal(s.n, 0);
}

static void
stop_ends_the_scan_without_an_error(void **state)
{
	struct fixture *f = *state;
	struct seen s = { .stop_after = 2, .stop_with = STORE_SCAN_STOP };
	const size_t want[] = { 2, 3 };

	assert_jx_ok(store_scan(f->txn, f->s, STORE_CODES, "ab", 2, seen_one, &s));
	assert_seen(&s, want, 2);
}

static void
an_error_from_fn_ends_the_scan_with_it(void **state)
{
	struct fixture *f = *state;
	struct seen s = { .stop_after = 3, .stop_with = JX_EEXIST };
	struct seen b = { .stop_after = 1, .stop_with = JX_ENOSPC };
	const size_t want[] = { 0, 1, 2 };

	assert_jx_err(store_scan(f->txn, f->s, STORE_CODES, NULL, 0, seen_one, &s), JX_EEXIST);
	assert_seen(&s, want, 3);
	assert_jx_err(store_scan_back(f->txn, f->s, STORE_CODES, "ab", 2, NULL, 0, seen_one, &b),
	    JX_ENOSPC);
	assert_int_equal(b.n, 1);
}

static void
a_scan_that_cannot_begin_is_an_error(void **state)
{
	struct fixture *f = *state;
	struct seen s = { 0 };
	MDB_txn *txn, *child;

	/* LMDB refuses a cursor on a transaction while a nested one is open in it. */
	assert_jx_ok(store_write_begin(f->s, &txn));
	assert_jx_ok(store_child_begin(f->s, txn, &child));
	assert_jx_err(store_scan(txn, f->s, STORE_CODES, "ab", 2, seen_one, &s), JX_EINTERNAL);
	assert_jx_err(store_scan_back(txn, f->s, STORE_CODES, "ab", 2, NULL, 0, seen_one, &s),
	    JX_EINTERNAL);
	assert_int_equal(s.n, 0);
	store_child_abort(f->s, child);
	assert_jx_ok(store_scan(txn, f->s, STORE_CODES, "ab", 2, seen_one, &s));
	assert_int_equal(s.n, 5);
	mdb_txn_abort(txn);
}

#define BIG_RECORDS 3000

static int
count_one(void *arg, const void *key, size_t klen, const void *val, size_t vlen)
{
	(*(size_t *)arg)++;
	return 0;
}

static void
a_damaged_page_mid_walk_is_an_error_not_a_short_list(void **state)
{
	struct fixture *f = *state;
	struct store *s;
	MDB_txn *txn;
	char dir[128], path[160], why[256];
	size_t n = 0;

	snprintf(dir, sizeof(dir), "%s/big", f->dir);
	assert_jx_ok(store_open(dir, 0, &s, why, sizeof(why)));
	assert_jx_ok(store_write_begin(s, &txn));
	for (int i = 0; i < BIG_RECORDS; i++) {
		char key[16], val[64];
		snprintf(key, sizeof(key), "k%05d", i);
		memset(val, 'v', sizeof(val));
		assert_jx_ok(store_put(txn, s, STORE_CODES, key, strlen(key), val, sizeof(val)));
	}
	assert_jx_ok(store_write_commit(s, txn));
	assert_jx_ok(store_read_begin(s, &txn));
	assert_jx_ok(store_scan(txn, s, STORE_CODES, "k", 1, count_one, &n));
	assert_int_equal(n, BIG_RECORDS);
	store_read_end(s, txn);
	store_close(s);

	snprintf(path, sizeof(path), "%s/data.mdb", dir);
	assert_true(jxtest_damage_branches(path) > 0);
	/* Read-only: no start-up repair from the log between the damage and the scan. */
	assert_jx_ok(store_open_readonly(dir, false, &s, why, sizeof(why)));
	assert_jx_ok(store_read_begin(s, &txn));
	n = 0;
	assert_jx_err(store_scan(txn, s, STORE_CODES, "k", 1, count_one, &n), JX_EINTERNAL);
	/* It read the first leaf, then failed: a short list would have looked complete. */
	assert_true(n > 0);
	assert_true(n < BIG_RECORDS);
	store_read_end(s, txn);
	store_close(s);
}

/* Scans the prefix "ab" from key from, forwards or back, and checks the keys seen. */
static void
assert_ab_from(struct fixture *f, bool back, const char *from, size_t flen, const size_t *want,
    size_t n)
{
	struct seen s = { 0 };

	if (back)
		assert_jx_ok(store_scan_back(f->txn, f->s, STORE_CODES, "ab", 2, from, flen,
		    seen_one, &s));
	else
		assert_jx_ok(store_scan_from(f->txn, f->s, STORE_CODES, "ab", 2, from, flen,
		    seen_one, &s));
	assert_seen(&s, want, n);
}

static void
from_starts_at_or_after_the_key(void **state)
{
	const size_t at[] = { 4, 5, 6 }, after[] = { 5, 6 };

	assert_ab_from(*state, false, "ab\x01", 3, at, 3);
	/* A key that is not there: the first after it. */
	assert_ab_from(*state, false, "ab\x02", 3, after, 2);
	/* Before the prefix's first key: from the first. */
	assert_ab_from(*state, false, "ab", 2, (const size_t[]){ 2, 3, 4, 5, 6 }, 5);
}

static void
back_walks_the_prefix_from_its_last_key(void **state)
{
	struct fixture *f = *state;
	struct seen s = { 0 }, t = { 0 }, u = { 0 }, all = { 0 };
	const size_t want[] = { 6, 5, 4, 3, 2 }, want_ff[] = { 6, 5 }, want_top[] = { 10, 9 };
	size_t want_all[NKEYS];

	assert_jx_ok(store_scan_back(f->txn, f->s, STORE_CODES, "ab", 2, NULL, 0, seen_one, &s));
	assert_seen(&s, want, 5);
	/* A prefix that ends in 0xff, and one of nothing but 0xff (its end is the table's). */
	assert_jx_ok(store_scan_back(f->txn, f->s, STORE_CODES, "ab\xff", 3, NULL, 0, seen_one,
	    &t));
	assert_seen(&t, want_ff, 2);
	assert_jx_ok(store_scan_back(f->txn, f->s, STORE_CODES, "\xff", 1, NULL, 0, seen_one, &u));
	assert_seen(&u, want_top, 2);
	for (size_t i = 0; i < NKEYS; i++)
		want_all[i] = NKEYS - 1 - i;
	assert_jx_ok(store_scan_back(f->txn, f->s, STORE_CODES, NULL, 0, NULL, 0, seen_one, &all));
	assert_seen(&all, want_all, NKEYS);
}

static void
back_from_a_key_starts_at_or_before_it(void **state)
{
	const size_t at[] = { 4, 3, 2 }, last[] = { 6, 5, 4, 3, 2 };

	assert_ab_from(*state, true, "ab\x01", 3, at, 3);
	/* A key that is not there: the last before it. */
	assert_ab_from(*state, true, "ab\x02", 3, at, 3);
	/* From past every key of the prefix, and from before its first key. */
	assert_ab_from(*state, true, "ab\xff\xff\xff", 5, last, 5);
	assert_ab_from(*state, true, "aa\xff\xff", 4, NULL, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(prefix_takes_the_prefix_itself_and_nothing_either_side,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(empty_prefix_walks_every_record_in_order, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(prefix_without_records_calls_nothing, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(stop_ends_the_scan_without_an_error, setup, teardown),
		cmocka_unit_test_setup_teardown(an_error_from_fn_ends_the_scan_with_it, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(a_scan_that_cannot_begin_is_an_error, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(a_damaged_page_mid_walk_is_an_error_not_a_short_list,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(from_starts_at_or_after_the_key, setup, teardown),
		cmocka_unit_test_setup_teardown(back_walks_the_prefix_from_its_last_key, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(back_from_a_key_starts_at_or_before_it, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
