#include "replay.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "snapshot.h"
#include "err.h"
#include "log.h"
#include "wal.h"

#define REPLAY_PATH_MAX 4200
#define REPLAY_BOOT_ID_MAX 64
#define REPLAY_BOOT_ID_FILE "/proc/sys/kernel/random/boot_id"
/* A rebuild commits every this many records or bytes. */
#define REPLAY_GROUP_RECORDS 1024
#define REPLAY_GROUP_BYTES ((size_t)32 << 20)
/* A store that had no log is written into it in records of about this size. */
#define REPLAY_SNAPSHOT_RECORD ((size_t)8 << 20)

static int64_t
replay_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Reads a small file into buf, without a trailing newline. Returns 0 or -1. */
static int
replay_read_line(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd;

	buf[0] = '\0';
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

/* Puts the marker down: this boot's id in dir/unclean, on the device. */
static int
replay_mark(const char *dir, char *why, size_t whylen)
{
	char path[REPLAY_PATH_MAX], boot[REPLAY_BOOT_ID_MAX];
	size_t len;
	int fd;

	if (replay_read_line(REPLAY_BOOT_ID_FILE, boot, sizeof(boot)) != 0)
		boot[0] = '\0';
	len = strlen(boot);
	boot[len++] = '\n';
	snprintf(path, sizeof(path), "%s/unclean", dir);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0 ||
	    write(fd, boot, len) != (ssize_t)len || fdatasync(fd) != 0 ||
	    wal_sync_dir(dir) != 0) {
		snprintf(why, whylen, "cannot write %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return JX_EINTERNAL;
	}
	close(fd);
	return JX_OK;
}

void
replay_clean(const char *dir)
{
	char path[REPLAY_PATH_MAX];

	snprintf(path, sizeof(path), "%s/unclean", dir);
	if (unlink(path) != 0 || wal_sync_dir(dir) != 0)
		log_error("cannot remove %s: %s", path, strerror(errno));
}

/*
 * With no data.mdb (set aside, or gone), the newest snapshot of the log becomes it, to be
 * brought up to the log's end as a rebuild is.
 */
static int
replay_from_snapshot(const char *dir, struct wal **wp, enum replay_trust *trust, char *why,
    size_t whylen)
{
	char path[REPLAY_PATH_MAX];
	uint64_t lsn;
	int rv;

	snprintf(path, sizeof(path), "%s/data.mdb", dir);
	if (access(path, F_OK) == 0)
		return JX_OK;
	if ((rv = snapshot_install(dir, &lsn, why, whylen)) == 0)
		*trust = REPLAY_REBUILD;
	if (rv == 0 || rv == JX_ENOTFOUND)
		return JX_OK;
	wal_close(*wp);
	*wp = NULL;
	return rv;
}

int
replay_prepare(const char *dir, struct wal **wp, enum replay_trust *trust, char *why,
    size_t whylen)
{
	char path[REPLAY_PATH_MAX], aside[REPLAY_PATH_MAX];
	char mark[REPLAY_BOOT_ID_MAX], boot[REPLAY_BOOT_ID_MAX];
	int rv;

	/* The data directory's own name on the device, before anything in it is acknowledged. */
	snprintf(path, sizeof(path), "%s", dir);
	if (strrchr(path, '/') != NULL && strrchr(path, '/') != path)
		*strrchr(path, '/') = '\0';
	else
		snprintf(path, sizeof(path), "%s", dir[0] == '/' ? "/" : ".");
	if (wal_sync_dir(path) != 0)
		log_warn("cannot flush the folder %s that holds the data directory: %s", path,
		    strerror(errno));
	if ((rv = wal_open(dir, wp, why, whylen)) != 0)
		return rv;
	snprintf(path, sizeof(path), "%s/unclean", dir);
	if (replay_read_line(path, mark, sizeof(mark)) != 0) {
		*trust = REPLAY_CLEAN;
		return replay_from_snapshot(dir, wp, trust, why, whylen);
	}
	if (replay_read_line(REPLAY_BOOT_ID_FILE, boot, sizeof(boot)) == 0 && boot[0] != '\0' &&
	    strcmp(mark, boot) == 0) {
		*trust = REPLAY_CRASHED;
		return replay_from_snapshot(dir, wp, trust, why, whylen);
	}
	*trust = REPLAY_REBUILD;
	snprintf(path, sizeof(path), "%s/data.mdb", dir);
	snprintf(aside, sizeof(aside), "%s/data.mdb.untrusted", dir);
	/*
	 * A file set aside before, by a rebuild that did not finish, is the one to keep:
	 * what is in data.mdb then is that rebuild's partial work.
	 */
	if (access(path, F_OK) == 0 && (access(aside, F_OK) == 0 ? unlink(path) :
	    rename(path, aside)) != 0) {
		snprintf(why, whylen, "cannot move %s aside: %s", path, strerror(errno));
		wal_close(*wp);
		*wp = NULL;
		return JX_EINTERNAL;
	}
	if (wal_sync_dir(dir) != 0) {
		snprintf(why, whylen, "cannot flush the data directory %s: %s", dir,
		    strerror(errno));
		wal_close(*wp);
		*wp = NULL;
		return JX_EINTERNAL;
	}
	log_warn("jixiaod did not stop cleanly and the machine has restarted since (a power "
	    "loss?): the store's file may be incomplete, so it is set aside as %s and rebuilt "
	    "from the log", aside);
	return replay_from_snapshot(dir, wp, trust, why, whylen);
}

/* Applying records of the log, a group of them per LMDB transaction. */
struct replay_run {
	struct store *s;
	MDB_txn *txn;
	uint8_t id[WAL_ID_LEN];
	uint64_t done;  /* last LSN committed */
	uint64_t total; /* the log's last LSN */
	unsigned records;
	size_t bytes;
	uint64_t total_bytes;
	bool progress;  /* print progress lines */
	int64_t start_ms, shown_ms;
};

static int
replay_flush(struct replay_run *r, uint64_t lsn)
{
	int rv;

	if (r->txn == NULL)
		return JX_OK;
	rv = store_set_position(r->s, r->txn, r->id, lsn);
	if (rv == 0)
		rv = store_commit_applied(r->s, r->txn);
	else
		mdb_txn_abort(r->txn);
	r->txn = NULL;
	if (rv == 0) {
		r->done = lsn;
		r->total_bytes += r->bytes;
	}
	r->records = 0;
	r->bytes = 0;
	return rv;
}

static int
replay_record(void *arg, uint64_t lsn, const uint8_t *payload, size_t len)
{
	struct replay_run *r = arg;
	int64_t now;
	int rv;

	if (r->txn == NULL && (rv = store_write_begin(r->s, &r->txn)) != 0)
		return rv;
	if ((rv = store_apply(r->s, r->txn, payload, len)) != 0)
		return rv;
	r->records++;
	r->bytes += len;
	if ((r->records >= REPLAY_GROUP_RECORDS || r->bytes >= REPLAY_GROUP_BYTES ||
	    lsn == r->total) && (rv = replay_flush(r, lsn)) != 0)
		return rv;
	now = replay_now_ms();
	if (r->progress && now - r->shown_ms >= 1000) {
		r->shown_ms = now;
		log_warn("rebuilding the store from the log: record %" PRIu64 " of %" PRIu64
		    " (%d%%)", lsn, r->total, (int)(lsn * 100 / (r->total != 0 ? r->total : 1)));
	}
	return JX_OK;
}

/* Applies the log's records after LSN from; a full map grows and the group runs again. */
static int
replay_apply(struct store *s, struct wal *w, uint64_t from, bool progress, char *why,
    size_t whylen)
{
	struct replay_run r = { .s = s, .done = from, .total = wal_last(w),
		.progress = progress };
	int64_t ms;
	int rv;

	wal_id(w, r.id);
	r.start_ms = r.shown_ms = replay_now_ms();
	for (;;) {
		rv = wal_replay(w, r.done, replay_record, &r, why, whylen);
		if (rv == 0)
			rv = replay_flush(&r, r.total);
		if (r.txn != NULL) {
			mdb_txn_abort(r.txn);
			r.txn = NULL;
			r.records = 0;
			r.bytes = 0;
		}
		if (rv != JX_ENOSPC)
			break;
		if ((rv = store_grow(s)) != 0) {
			snprintf(why, whylen, "the disk is too small for the store rebuilt from "
			    "the log");
			return rv;
		}
	}
	if (rv != 0)
		return rv;
	/* An empty log still gives the store its id. */
	if (r.total == from && from == 0) {
		MDB_txn *txn;
		if ((rv = store_write_begin(s, &txn)) != 0)
			return rv;
		if ((rv = store_set_position(s, txn, r.id, 0)) != 0) {
			mdb_txn_abort(txn);
			return rv;
		}
		if ((rv = store_commit_applied(s, txn)) != 0)
			return rv;
	}
	ms = replay_now_ms() - r.start_ms;
	if (progress)
		log_warn("rebuilt the store from the log: %" PRIu64 " records (%.1f MB, from "
		    "record %" PRIu64 ") in %.2f s: %.0f records/s, %.1f MB/s", r.total - from,
		    (double)r.total_bytes / 1e6, from + 1, (double)ms / 1000.0, (double)(r.total - from) * 1000.0 / (double)(ms > 0 ? ms : 1),
		    (double)r.total_bytes / 1e3 / (double)(ms > 0 ? ms : 1));
	else if (r.total > from)
		log_info("caught the store up with the log: records %" PRIu64 " to %" PRIu64,
		    from + 1, r.total);
	return JX_OK;
}

/* Writing a store that had no log as the first records of its new log. */
struct replay_snapshot {
	struct wal *w;
	struct wal_batch batch;
	uint64_t records;
};

static int
replay_snapshot_flush(struct replay_snapshot *sn)
{
	uint64_t lsn;
	int rv;

	if (sn->batch.failed)
		return JX_EINTERNAL;
	if (sn->batch.len == 0)
		return JX_OK;
	rv = wal_append(sn->w, sn->batch.buf, sn->batch.len, &lsn);
	wal_batch_reset(&sn->batch);
	return rv;
}

static int
replay_snapshot_put(void *arg, enum store_db db, const void *key, size_t klen,
    const void *val, size_t vlen)
{
	struct replay_snapshot *sn = arg;

	wal_batch_add(&sn->batch, WAL_PUT, db, key, klen, val, vlen);
	sn->records++;
	return sn->batch.len >= REPLAY_SNAPSHOT_RECORD ? replay_snapshot_flush(sn) : JX_OK;
}

static int
replay_adopt(struct store *s, struct wal *w, char *why, size_t whylen)
{
	struct replay_snapshot sn = { .w = w };
	uint8_t id[WAL_ID_LEN];
	MDB_txn *txn;
	int rv;

	if (wal_last(w) > 0 && (rv = wal_restart(w, why, whylen)) != 0)
		return rv;
	if ((rv = store_read_begin(s, &txn)) != 0)
		return rv;
	rv = store_each(s, txn, replay_snapshot_put, &sn);
	store_read_end(s, txn);
	if (rv == 0)
		rv = replay_snapshot_flush(&sn);
	wal_batch_free(&sn.batch);
	if (rv != 0) {
		snprintf(why, whylen, "cannot write the store into a new log: %s",
		    jx_strerror(rv));
		return rv;
	}
	wal_id(w, id);
	if ((rv = store_write_begin(s, &txn)) != 0)
		return rv;
	if ((rv = store_set_position(s, txn, id, wal_last(w))) != 0) {
		mdb_txn_abort(txn);
		return rv;
	}
	if ((rv = store_commit_applied(s, txn)) != 0)
		return rv;
	log_warn("the store had no log: its %" PRIu64 " records are the first %" PRIu64
	    " records of a new one", sn.records, wal_last(w));
	return JX_OK;
}

/* The log still holds every record after LSN from: no snapshot took any of them. */
static int
replay_check_start(struct wal *w, uint64_t from, char *why, size_t whylen)
{
	uint64_t first = wal_first(w);

	if (from + 1 >= first)
		return JX_OK;
	if (from == 0)
		snprintf(why, whylen, "the store is empty and its log begins at record %" PRIu64
		    ", but no snapshot holds the records before it (wal/*.snapshot is missing): "
		    "restore the data directory from a backup (jixiaod restore)", first);
	else
		snprintf(why, whylen, "the store is at record %" PRIu64 " of its log, but the "
		    "log now begins at record %" PRIu64 ": the store file is older than its log "
		    "(put back from a copy?). Move data.mdb aside: the next start rebuilds it "
		    "from the newest snapshot and the log", from, first);
	return JX_EINTERNAL;
}

int
replay_recover(struct store *s, struct wal *w, enum replay_trust trust, char *why,
    size_t whylen)
{
	uint8_t id[WAL_ID_LEN], wid[WAL_ID_LEN];
	uint64_t lsn;
	bool has;
	int rv;

	why[0] = '\0';
	wal_id(w, wid);
	if ((rv = store_position(s, id, &lsn, &has)) != 0)
		return rv;
	if (trust == REPLAY_REBUILD) {
		/* From the snapshot put in place, or from nothing. */
		if (!has || memcmp(id, wid, WAL_ID_LEN) != 0)
			lsn = 0;
		if ((rv = replay_check_start(w, lsn, why, whylen)) == 0)
			rv = replay_apply(s, w, lsn, true, why, whylen);
		goto marked;
	}
	if (has && memcmp(id, wid, WAL_ID_LEN) == 0) {
		if (lsn > wal_last(w)) {
			snprintf(why, whylen, "the store has applied record %" PRIu64 " of its "
			    "log, but the log ends at record %" PRIu64 ": the log is missing "
			    "acknowledged changes. Keep a copy of the data directory; moving its "
			    "wal folder aside makes the store the start of a new log", lsn,
			    wal_last(w));
			return JX_EINTERNAL;
		}
		if ((rv = replay_check_start(w, lsn, why, whylen)) != 0)
			goto marked;
		if (trust == REPLAY_CLEAN && lsn < wal_last(w))
			log_warn("the store stopped cleanly at record %" PRIu64 " of its log but "
			    "the log goes on to %" PRIu64 " (was the store restored from a copy?): "
			    "applying the rest", lsn, wal_last(w));
		rv = replay_apply(s, w, lsn, false, why, whylen);
	} else if (store_is_empty(s)) {
		if (wal_last(w) > 0)
			log_warn("the store is empty and its log holds %" PRIu64 " records: "
			    "rebuilding it from the log", wal_last(w));
		if ((rv = replay_check_start(w, 0, why, whylen)) == 0)
			rv = replay_apply(s, w, 0, wal_last(w) > 0, why, whylen);
	} else {
		rv = replay_adopt(s, w, why, whylen);
	}
marked:
	if (rv != 0) {
		if (why[0] == '\0')
			snprintf(why, whylen, "cannot bring the store up to its log: %s",
			    jx_strerror(rv));
		return rv;
	}
	/* A rebuild ran unsynced: on the device before the marker says this boot. */
	if (trust == REPLAY_REBUILD && (rv = store_sync(s)) != 0) {
		snprintf(why, whylen, "cannot flush the rebuilt store");
		return rv;
	}
	if ((rv = replay_mark(store_dir(s), why, whylen)) != 0)
		return rv;
	if (trust == REPLAY_REBUILD) {
		/* Rebuilt whole from the log: the file set aside holds nothing more. */
		char aside[REPLAY_PATH_MAX];
		snprintf(aside, sizeof(aside), "%s/data.mdb.untrusted", store_dir(s));
		if (unlink(aside) != 0 && errno != ENOENT)
			log_warn("cannot remove %s: %s", aside, strerror(errno));
	}
	return store_set_dirty(s);
}

unsigned
replay_check(struct store *s, const char *dir, fsck_problem_fn problem, void *arg,
    struct replay_check *c)
{
	char why[600], sentence[REPLAY_PATH_MAX + 1200], path[REPLAY_PATH_MAX];
	char wdir[REPLAY_PATH_MAX];
	uint8_t id[WAL_ID_LEN];
	struct store *snap = NULL;
	unsigned n = 0;
	bool has;

	memset(c, 0, sizeof(*c));
	if (wal_check(dir, &c->log, why, sizeof(why)) != 0) {
		snprintf(sentence, sizeof(sentence), "the log is damaged: %s", why);
		problem(arg, sentence);
		return 1;
	}
	if (c->log.files == 0)
		return 0;
	if (store_position(s, id, &c->position, &has) == 0 && has &&
	    memcmp(id, c->log.id, WAL_ID_LEN) == 0) {
		c->has_position = true;
		if (c->position > c->log.last) {
			snprintf(sentence, sizeof(sentence), "the store has applied record %" PRIu64
			    " of its log, but the log ends at record %" PRIu64 ": acknowledged "
			    "changes are missing from the log", c->position, c->log.last);
			problem(arg, sentence);
			n++;
		} else if (c->position + 1 < c->log.first) {
			snprintf(sentence, sizeof(sentence), "the store is at record %" PRIu64 ", "
			    "older than its log's first record %" PRIu64 ": jixiaod will refuse to "
			    "start until data.mdb is moved aside", c->position, c->log.first);
			problem(arg, sentence);
			n++;
		}
	}
	snprintf(wdir, sizeof(wdir), "%s/wal", dir);
	if (snapshot_newest(wdir, &c->snapshot, path, sizeof(path)) == 0) {
		c->has_snapshot = true;
		why[0] = '\0';
		if (store_open_readonly(path, true, &snap, why, sizeof(why)) != 0 ||
		    store_position(snap, id, &c->snapshot, &has) != 0 || !has ||
		    memcmp(id, c->log.id, WAL_ID_LEN) != 0) {
			if (snap != NULL)
				store_close(snap);
			snap = NULL;
			snprintf(sentence, sizeof(sentence), "the snapshot %s cannot be read as a "
			    "copy of this log's store%s%s", path, why[0] != '\0' ? ": " : "", why);
			problem(arg, sentence);
			return n + 1;
		}
		store_close(snap);
		if (c->snapshot + 1 < c->log.first || c->snapshot > c->log.last) {
			snprintf(sentence, sizeof(sentence), "the snapshot is at record %" PRIu64
			    ", outside the log's records %" PRIu64 " to %" PRIu64, c->snapshot,
			    c->log.first, c->log.last);
			problem(arg, sentence);
			n++;
		}
	} else if (c->log.first > 1) {
		snprintf(sentence, sizeof(sentence), "the log begins at record %" PRIu64 " and no "
		    "snapshot holds the records before it: after a power loss the store could "
		    "not be rebuilt", c->log.first);
		problem(arg, sentence);
		n++;
	}
	return n;
}
