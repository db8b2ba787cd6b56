/* The store and the group-commit writer: open, put/get, map growth, durability. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <pthread.h>
#include <cmocka.h>

#include "jxtest.h"
#include "store.h"
#include "wal.h"
#include "writer.h"

struct fixture {
	char dir[128];
	char data[160];
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	snprintf(f->dir, sizeof(f->dir), "/tmp/jxstore.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->data, sizeof(f->data), "%s/data", f->dir);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

static void
open_creates_a_private_directory_and_refuses_a_second_opener(void **state)
{
	struct fixture *f = *state;
	struct store *s, *s2;
	struct stat st;
	char why[256];

	assert_jx_ok(store_open(f->data, 0, &s, why, sizeof(why)));
	assert_int_equal(stat(f->data, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	assert_jx_err(store_open(f->data, 0, &s2, why, sizeof(why)), JX_EPRECOND);
	assert_non_null(strstr(why, "another jixiaod"));
	store_close(s);
	assert_jx_ok(store_open(f->data, 0, &s2, why, sizeof(why)));
	store_close(s2);
}

static void
put_get_and_reopen(void **state)
{
	struct fixture *f = *state;
	struct store *s;
	MDB_txn *txn;
	MDB_val v;
	uint8_t key[16];
	char why[256];

	assert_jx_ok(store_open(f->data, 0, &s, why, sizeof(why)));
	store_key_pair(key, 7, 9);
	assert_jx_ok(store_write_begin(s, &txn));
	assert_jx_ok(store_put(txn, s, STORE_NODES, key, sizeof(key), "评价得分", 12));
	assert_jx_ok(store_write_commit(s, txn));
	store_close(s);

	assert_jx_ok(store_open(f->data, 0, &s, why, sizeof(why)));
	assert_jx_ok(store_read_begin(s, &txn));
	assert_jx_ok(store_get(txn, s, STORE_NODES, key, sizeof(key), &v));
	assert_int_equal(v.mv_size, 12);
	assert_memory_equal(v.mv_data, "评价得分", 12);
	store_key_pair(key, 7, 10);
	assert_jx_err(store_get(txn, s, STORE_NODES, key, sizeof(key), &v), JX_ENOTFOUND);
	store_read_end(s, txn);
	assert_int_equal(store_key_get_u64(key + 8), 10);
	store_close(s);
}

/* A job that writes one 1 KiB value under its own key. */
struct put_job {
	struct writer_job job;
	struct store *store;
	uint32_t n;
	int done_err;
	int applied;
	pthread_mutex_t *mtx;
	pthread_cond_t *cv;
	int *remaining;
};

static void
put_apply(struct writer_job *job, MDB_txn *txn)
{
	struct put_job *p = (struct put_job *)job;
	uint8_t key[8], val[1024];

	store_key_u64(key, p->n);
	memset(val, (int)(p->n & 0xff), sizeof(val));
	store_put(txn, p->store, STORE_HISTORY, key, sizeof(key), val, sizeof(val));
	p->applied++;
}

static void
put_done(struct writer_job *job, int err)
{
	struct put_job *p = (struct put_job *)job;

	pthread_mutex_lock(p->mtx);
	p->done_err = err;
	if (--*p->remaining == 0)
		pthread_cond_signal(p->cv);
	pthread_mutex_unlock(p->mtx);
}

static void
tiny_map_grows_and_loses_nothing(void **state)
{
	enum { N = 2000 };
	struct fixture *f = *state;
	pthread_mutex_t mtx = PTHREAD_MUTEX_INITIALIZER;
	pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
	struct put_job *jobs = calloc(N, sizeof(*jobs));
	struct writer *w;
	struct store *s;
	MDB_txn *txn;
	MDB_val v;
	uint8_t key[8];
	char why[256];
	int remaining = N;
	size_t before;

	/* 64 KiB holds a handful of pages: 2 MB of values must grow it several times. */
	assert_jx_ok(store_open(f->data, 64 << 10, &s, why, sizeof(why)));
	before = store_map_size(s);
	assert_jx_ok(writer_start(s, &w));
	for (uint32_t i = 0; i < N; i++) {
		jobs[i] = (struct put_job){ .job = { .apply = put_apply, .done = put_done },
			.store = s, .n = i, .done_err = -1, .mtx = &mtx, .cv = &cv,
			.remaining = &remaining };
		writer_submit(w, &jobs[i].job);
	}
	pthread_mutex_lock(&mtx);
	while (remaining > 0)
		pthread_cond_wait(&cv, &mtx);
	pthread_mutex_unlock(&mtx);
	writer_free(w);

	assert_true(store_map_size(s) > before);
	assert_jx_ok(store_read_begin(s, &txn));
	for (uint32_t i = 0; i < N; i++) {
		assert_jx_ok(jobs[i].done_err);
		store_key_u64(key, i);
		assert_jx_ok(store_get(txn, s, STORE_HISTORY, key, sizeof(key), &v));
		assert_int_equal(v.mv_size, 1024);
		assert_int_equal(((uint8_t *)v.mv_data)[1023], i & 0xff);
	}
	store_read_end(s, txn);
	store_close(s);
	free(jobs);
}

static void
writer_refuses_jobs_after_stop(void **state)
{
	struct fixture *f = *state;
	pthread_mutex_t mtx = PTHREAD_MUTEX_INITIALIZER;
	pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
	struct put_job job = { .job = { .apply = put_apply, .done = put_done }, .done_err = -1,
		.mtx = &mtx, .cv = &cv };
	struct writer *w;
	struct store *s;
	char why[256];
	int remaining = 1;

	assert_jx_ok(store_open(f->data, 0, &s, why, sizeof(why)));
	job.store = s;
	job.remaining = &remaining;
	assert_jx_ok(writer_start(s, &w));
	writer_stop(w);
	writer_submit(w, &job.job);
	assert_jx_err(job.done_err, JX_EUNAVAIL);
	assert_int_equal(job.applied, 0);
	writer_free(w);
	store_close(s);
}

/* Counts, per key of STORE_HISTORY, the puts the log holds. */
static int
count_puts(void *arg, uint64_t lsn, const uint8_t *payload, size_t len)
{
	unsigned *seen = arg;
	struct wal_op op;
	size_t off = 0;
	int r;

	while ((r = wal_op_next(payload, len, &off, &op)) == 1)
		if (op.db == STORE_HISTORY && op.kind == WAL_PUT && op.klen == 8)
			seen[store_key_get_u64(op.key)]++;
	return r < 0 ? JX_EINTERNAL : JX_OK;
}

/*
 * A batch run again after the map grew is in the log once; the store rebuilt from the
 * log alone holds every value.
 */
static void
retried_batches_are_logged_once(void **state)
{
	enum { N = 2000 };
	struct fixture *f = *state;
	pthread_mutex_t mtx = PTHREAD_MUTEX_INITIALIZER;
	pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
	struct put_job *jobs = calloc(N, sizeof(*jobs));
	unsigned *seen = calloc(N, sizeof(*seen));
	struct writer *w;
	struct store *s;
	struct wal *log;
	MDB_txn *txn;
	MDB_val v;
	uint8_t key[8];
	char why[256], path[400];
	int remaining = N;

	assert_jx_ok(store_open(f->data, 64 << 10, &s, why, sizeof(why)));
	assert_jx_ok(writer_start(s, &w));
	for (uint32_t i = 0; i < N; i++) {
		jobs[i] = (struct put_job){ .job = { .apply = put_apply, .done = put_done },
			.store = s, .n = i, .done_err = -1, .mtx = &mtx, .cv = &cv,
			.remaining = &remaining };
		writer_submit(w, &jobs[i].job);
	}
	pthread_mutex_lock(&mtx);
	while (remaining > 0)
		pthread_cond_wait(&cv, &mtx);
	pthread_mutex_unlock(&mtx);
	writer_free(w);
	store_close(s);

	assert_jx_ok(wal_open(f->data, &log, why, sizeof(why)));
	assert_jx_ok(wal_replay(log, 0, count_puts, seen, why, sizeof(why)));
	wal_close(log);
	for (uint32_t i = 0; i < N; i++) {
		assert_jx_ok(jobs[i].done_err);
		if (seen[i] != 1)
			fail_msg("value %u is in the log %u times", i, seen[i]);
	}

	snprintf(path, sizeof(path), "%s/data.mdb", f->data);
	assert_int_equal(unlink(path), 0);
	assert_jx_ok(store_open(f->data, 64 << 10, &s, why, sizeof(why)));
	assert_jx_ok(store_read_begin(s, &txn));
	for (uint32_t i = 0; i < N; i++) {
		store_key_u64(key, i);
		assert_jx_ok(store_get(txn, s, STORE_HISTORY, key, sizeof(key), &v));
		assert_int_equal(v.mv_size, 1024);
		assert_int_equal(((uint8_t *)v.mv_data)[1023], i & 0xff);
	}
	store_read_end(s, txn);
	store_close(s);
	free(seen);
	free(jobs);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    open_creates_a_private_directory_and_refuses_a_second_opener, setup, teardown),
		cmocka_unit_test_setup_teardown(put_get_and_reopen, setup, teardown),
		cmocka_unit_test_setup_teardown(tiny_map_grows_and_loses_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(writer_refuses_jobs_after_stop, setup, teardown),
		cmocka_unit_test_setup_teardown(retried_batches_are_logged_once, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
