/*
 * The log on its own (server/wal.c): records come back in order across files, a torn
 * tail in the last file is cut, a taken-back record is gone, a missing file or a damaged
 * record followed by others is refused, a batch's nested parts can be rewound, and
 * pruning up to a snapshot removes whole files only, never the one being appended to.
 */
#define _XOPEN_SOURCE 700 /* nftw */
#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "err.h"
#include "jxtest.h"
#include "snapshot.h"
#include "wal.h"

#define SEGMENT 4096

struct fixture {
	char dir[256];
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	const char *tmp = getenv("TMPDIR");

	if (f == NULL)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "%s/jxwal.XXXXXX", tmp != NULL ? tmp : "/tmp");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	jxtest_rmtree(f->dir);
	free(f);
	return 0;
}

/* Record n's payload: n repeated, 100 + n % 300 bytes. */
static size_t
payload(uint64_t n, uint8_t *buf)
{
	size_t len = 100 + n % 300;

	memset(buf, (int)(n & 0xff), len);
	return len;
}

struct seen {
	uint64_t next, count;
};

static int
check_record(void *arg, uint64_t lsn, const uint8_t *p, size_t len)
{
	struct seen *s = arg;
	uint8_t want[512];

	assert_int_equal(lsn, s->next);
	assert_int_equal(len, payload(lsn, want));
	assert_memory_equal(p, want, len);
	s->next++;
	s->count++;
	return 0;
}

static int
count_files(const char *dir)
{
	char path[300];
	struct dirent *e;
	DIR *d;
	int n = 0;

	snprintf(path, sizeof(path), "%s/wal", dir);
	assert_non_null(d = opendir(path));
	while ((e = readdir(d)) != NULL)
		n += strstr(e->d_name, ".log") != NULL;
	closedir(d);
	return n;
}

static void
append_n(struct wal *w, uint64_t n)
{
	uint8_t buf[512];
	uint64_t lsn;

	for (uint64_t i = 0; i < n; i++) {
		uint64_t want = wal_last(w) + 1;
		assert_jx_ok(wal_append(w, buf, payload(want, buf), &lsn));
		assert_int_equal(lsn, want);
	}
}

static void
wal_records_come_back_across_files(void **state)
{
	struct fixture *f = *state;
	struct seen s = { 1, 0 };
	uint8_t id[WAL_ID_LEN], id2[WAL_ID_LEN];
	struct wal *w;
	char why[256];

	assert_jx_ok(wal_open_sized(f->dir, SEGMENT, &w, why, sizeof(why)));
	assert_int_equal(wal_last(w), 0);
	wal_id(w, id);
	append_n(w, 100);
	wal_close(w);
	assert_true(count_files(f->dir) >= 4);

	assert_jx_ok(wal_open_sized(f->dir, SEGMENT, &w, why, sizeof(why)));
	assert_int_equal(wal_last(w), 100);
	wal_id(w, id2);
	assert_memory_equal(id, id2, WAL_ID_LEN);
	assert_jx_ok(wal_replay(w, 0, check_record, &s, why, sizeof(why)));
	assert_int_equal(s.count, 100);
	/* From the middle: only what follows. */
	s = (struct seen){ 58, 0 };
	assert_jx_ok(wal_replay(w, 57, check_record, &s, why, sizeof(why)));
	assert_int_equal(s.count, 43);

	/* A record taken back is gone, and its number is used again. */
	append_n(w, 1);
	assert_jx_ok(wal_undo(w));
	assert_int_equal(wal_last(w), 100);
	append_n(w, 1);
	wal_close(w);
	assert_jx_ok(wal_open_sized(f->dir, SEGMENT, &w, why, sizeof(why)));
	assert_int_equal(wal_last(w), 101);
	s = (struct seen){ 1, 0 };
	assert_jx_ok(wal_replay(w, 0, check_record, &s, why, sizeof(why)));
	assert_int_equal(s.count, 101);
	wal_close(w);
}

/* The newest file's path. */
static void
newest(const char *dir, char *path, size_t len, bool oldest_but_one)
{
	char wdir[300], names[64][32];
	struct dirent *e;
	DIR *d;
	int n = 0;

	snprintf(wdir, sizeof(wdir), "%s/wal", dir);
	assert_non_null(d = opendir(wdir));
	while ((e = readdir(d)) != NULL && n < 64)
		if (strlen(e->d_name) == 20)
			memcpy(names[n++], e->d_name, 21);
	closedir(d);
	qsort(names, (size_t)n, sizeof(names[0]), (int (*)(const void *, const void *))strcmp);
	assert_true(n >= 3);
	snprintf(path, len, "%s/%s", wdir, oldest_but_one ? names[1] : names[n - 1]);
}

/* Where the records of a log file end; zeros follow them (server/wal.h). */
static off_t
records_end(const char *path)
{
	uint8_t h[24];
	off_t off = 32;
	int fd = open(path, O_RDONLY);

	assert_true(fd >= 0);
	while (pread(fd, h, sizeof(h), off) == (ssize_t)sizeof(h) && h[0] == 'J')
		off += 24 + (off_t)(h[4] | h[5] << 8 | h[6] << 16 | (uint32_t)h[7] << 24);
	close(fd);
	return off;
}

static void
wal_torn_tail_is_cut_and_damage_refused(void **state)
{
	struct fixture *f = *state;
	struct seen s = { 1, 0 };
	struct wal *w;
	struct stat st;
	off_t len;
	char why[256], path[400];
	int fd;

	assert_jx_ok(wal_open_sized(f->dir, SEGMENT, &w, why, sizeof(why)));
	append_n(w, 60);
	wal_close(w);
	newest(f->dir, path, sizeof(path), false);
	assert_int_equal(stat(path, &st), 0);
	/* The records are followed by zeros, room to grow. */
	assert_true(st.st_size > records_end(path));

	/* Half of the last record: cut back to the 59 before it. */
	assert_int_equal(truncate(path, records_end(path) - 50), 0);
	assert_jx_ok(wal_open_sized(f->dir, SEGMENT, &w, why, sizeof(why)));
	assert_int_equal(wal_last(w), 59);
	assert_jx_ok(wal_replay(w, 0, check_record, &s, why, sizeof(why)));
	assert_int_equal(s.count, 59);
	append_n(w, 1);
	wal_close(w);

	/* Half a header after the last record, then zeros: cut. */
	assert_true((fd = open(path, O_WRONLY)) >= 0);
	assert_int_equal(pwrite(fd, "JXR1\1\0\0\0\x3d", 9, records_end(path)), 9);
	close(fd);
	assert_jx_ok(wal_open_sized(f->dir, SEGMENT, &w, why, sizeof(why)));
	assert_int_equal(wal_last(w), 60);
	wal_close(w);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, records_end(path));

	/*
	 * A damaged record in an older file (read whole only when replayed): the replay
	 * stops there, nothing is cut.
	 */
	newest(f->dir, path, sizeof(path), true);
	assert_int_equal(stat(path, &st), 0);
	assert_true((fd = open(path, O_WRONLY)) >= 0);
	assert_int_equal(pwrite(fd, "XX", 2, 32 + 30), 2);
	close(fd);
	assert_jx_ok(wal_open_sized(f->dir, SEGMENT, &w, why, sizeof(why)));
	s = (struct seen){ 1, 0 };
	assert_int_equal(wal_replay(w, 0, check_record, &s, why, sizeof(why)), JX_EINTERNAL);
	assert_non_null(strstr(why, "damaged"));
	wal_close(w);
	len = st.st_size;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, len);

	/* An older file cut short: its missing records are missed, not skipped. */
	assert_int_equal(truncate(path, 32), 0);
	assert_jx_ok(wal_open_sized(f->dir, SEGMENT, &w, why, sizeof(why)));
	s = (struct seen){ 1, 0 };
	assert_int_equal(wal_replay(w, 0, check_record, &s, why, sizeof(why)), JX_EINTERNAL);
	wal_close(w);

	/* A missing file in the middle: the replay refuses at the gap. */
	assert_int_equal(unlink(path), 0);
	assert_jx_ok(wal_open_sized(f->dir, SEGMENT, &w, why, sizeof(why)));
	s = (struct seen){ 1, 0 };
	assert_int_equal(wal_replay(w, 0, check_record, &s, why, sizeof(why)), JX_EINTERNAL);
	if (strstr(why, "ends before record") == NULL)
		fail_msg("%s", why);
	wal_close(w);
}

static void
wal_batch_rewinds_a_nested_part(void **state)
{
	struct wal_batch b = { 0 };
	struct wal_op op;
	size_t off = 0, mark;

	wal_batch_add(&b, WAL_PUT, 3, "k1", 2, "v1", 2);
	mark = b.len;
	wal_batch_add(&b, WAL_DEL, 4, "k2", 2, NULL, 0);
	wal_batch_rewind(&b, mark);
	wal_batch_add(&b, WAL_DEL, 5, "k3", 2, NULL, 0);
	assert_false(b.failed);
	assert_int_equal(wal_op_next(b.buf, b.len, &off, &op), 1);
	assert_int_equal(op.db, 3);
	assert_int_equal(op.kind, WAL_PUT);
	assert_memory_equal(op.key, "k1", 2);
	assert_memory_equal(op.val, "v1", 2);
	assert_int_equal(wal_op_next(b.buf, b.len, &off, &op), 1);
	assert_int_equal(op.db, 5);
	assert_int_equal(op.kind, WAL_DEL);
	assert_memory_equal(op.key, "k3", 2);
	assert_int_equal(wal_op_next(b.buf, b.len, &off, &op), 0);
	/* A payload cut inside an operation does not parse. */
	off = 0;
	assert_int_equal(wal_op_next(b.buf, b.len - 1, &off, &op), 1);
	assert_int_equal(wal_op_next(b.buf, b.len - 1, &off, &op), -1);
	wal_batch_free(&b);
}

/*
 * Pruning up to LSN removes the files whose records are all at most LSN, never the last
 * one; the log then begins at its first remaining file, also after a reopen, and its
 * records from there come back.
 */
static void
wal_prune_removes_whole_files_up_to_a_snapshot(void **state)
{
	struct fixture *f = *state;
	struct seen s;
	struct wal *w;
	char why[256];
	unsigned removed;
	uint64_t first, disk;
	int files;

	assert_jx_ok(wal_open_sized(f->dir, SEGMENT, &w, why, sizeof(why)));
	/* A new log holds its header only; a record adds its header and payload. */
	assert_int_equal(wal_disk_bytes(w), 32);
	append_n(w, 1);
	assert_int_equal(wal_disk_bytes(w), 32 + 24 + payload(1, (uint8_t[512]){ 0 }));
	append_n(w, 199);
	files = count_files(f->dir);
	assert_true(files > 4);
	assert_int_equal(wal_files(w), (size_t)files);
	assert_int_equal(wal_first(w), 1);
	disk = wal_disk_bytes(w);

	/* Nothing before record 1: nothing goes. */
	assert_jx_ok(wal_prune(w, 0, &removed));
	assert_int_equal(removed, 0);
	assert_jx_ok(wal_prune(w, 100, &removed));
	assert_true(removed > 0);
	assert_int_equal(count_files(f->dir), files - (int)removed);
	first = wal_first(w);
	assert_true(first > 1 && first <= 101);
	assert_true(wal_disk_bytes(w) < disk);
	/* Every record after 100 is still there; appends go on. */
	append_n(w, 10);
	wal_close(w);

	assert_jx_ok(wal_open_sized(f->dir, SEGMENT, &w, why, sizeof(why)));
	assert_int_equal(wal_first(w), first);
	assert_int_equal(wal_last(w), 210);
	s = (struct seen){ first, 0 };
	assert_jx_ok(wal_replay(w, first - 1, check_record, &s, why, sizeof(why)));
	assert_int_equal(s.next, 211);

	/* Up to the end: only the last file stays, whatever LSN says. */
	assert_jx_ok(wal_prune(w, UINT64_MAX - 1, &removed));
	assert_int_equal(wal_files(w), 1);
	assert_int_equal(count_files(f->dir), 1);
	append_n(w, 1);
	assert_int_equal(wal_last(w), 211);
	wal_close(w);
}

/* Due once the log is past the threshold and half the store's size, with a file to remove. */
static void
wal_snapshot_is_due_when_the_log_outgrows_the_store(void **state)
{
	(void)state;
	assert_false(snapshot_due(1000, 1, 10, 100));   /* one file: nothing to remove */
	assert_false(snapshot_due(99, 3, 10, 100));     /* below the threshold */
	assert_false(snapshot_due(1000, 3, 2002, 100)); /* the copy would cost more */
	assert_true(snapshot_due(1000, 2, 2000, 100));
	assert_int_equal(snapshot_segment(SNAPSHOT_EVERY), WAL_SEGMENT_MAX);
	assert_int_equal(snapshot_segment(SNAPSHOT_EVERY_MIN), SNAPSHOT_EVERY_MIN / 4);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(wal_records_come_back_across_files, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(wal_torn_tail_is_cut_and_damage_refused, setup,
		    teardown),
		cmocka_unit_test(wal_batch_rewinds_a_nested_part),
		cmocka_unit_test_setup_teardown(wal_prune_removes_whole_files_up_to_a_snapshot,
		    setup, teardown),
		cmocka_unit_test(wal_snapshot_is_due_when_the_log_outgrows_the_store),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
