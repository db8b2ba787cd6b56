#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "err.h"
#include "snapshot.h"
#include "flusher.h"
#include "log.h"
#include "replay.h"
#include "wal.h"

#define STORE_SCHEMA "2"

/* LMDB's longest key (mdb_env_get_maxkeysize with the default build). */
#define STORE_KEY_MAX 511

/* Below this much free space, an I/O error writing the store is taken for a full disk. */
#define STORE_DISK_LOW ((uint64_t)16 << 20)

struct store {
	MDB_env *env;
	MDB_dbi dbi[STORE_NDBS];
	/* Readers hold it shared; store_grow holds it exclusive while it remaps. */
	pthread_rwlock_t map_lock;
	/* What went wrong in the current write transaction; writer thread only. */
	enum store_failure failure;
	int failure_rc;
	bool broken;      /* the map could not be restored: nothing may touch it */
	size_t map_size;
	size_t max_map;   /* 0: bounded only by the disk */
	int lock_fd;
	/* The log (wal.c) and the changes of the open write transaction, for it. */
	struct wal *wal;
	struct wal_batch batch;
	size_t child_mark; /* batch.len when the nested transaction began */
	bool dirty;        /* the unclean-stop marker is down (replay.c) */
	atomic_uint_fast64_t commits; /* moves with every commit, for the flusher */
	struct flusher *flusher;
	atomic_uint_fast64_t snapshot_every; /* snapshot.h */
	uint64_t snapshot_retry;             /* after a failed one: log bytes to wait for */
	char dir[4096];
};

/* The store's position in its log, in STORE_META; never logged themselves. */
#define STORE_WAL_ID "wal.id"
#define STORE_WAL_LSN "wal.lsn"

static int store_note(struct store *s, int rc);

static const char *const store_db_names[STORE_NDBS] = {
	"meta", "workspaces", "nodes", "history", "codes", "children", "budgets", "templates", "states", "subjects", "units", "claims", "blobs", "users", "findings", "requests",
};

int
store_err(int rc)
{
	switch (rc) {
	case 0:
		return JX_OK;
	case MDB_NOTFOUND:
		return JX_ENOTFOUND;
	case MDB_KEYEXIST:
		return JX_EEXIST;
	case MDB_MAP_FULL:
	case MDB_TXN_FULL:
	case ENOSPC:
		return JX_ENOSPC;
	default:
		return JX_EINTERNAL;
	}
}

static int
store_mkdir(const char *dir, char *why, size_t whylen)
{
	struct stat st;

	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		snprintf(why, whylen, "cannot create data directory %s: %s", dir, strerror(errno));
		return JX_EINTERNAL;
	}
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		snprintf(why, whylen, "%s is not a directory", dir);
		return JX_EINVAL;
	}
	if ((st.st_mode & 077) != 0)
		log_warn("data directory %s is readable by others (mode %03o); 0700 is advised",
		    dir, (unsigned)(st.st_mode & 0777));
	return JX_OK;
}

static int
store_lock_dir(struct store *s, const char *dir, char *why, size_t whylen)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/jixiaod.lock", dir);
	s->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (s->lock_fd < 0) {
		snprintf(why, whylen, "cannot open %s: %s", path, strerror(errno));
		return JX_EINTERNAL;
	}
	if (flock(s->lock_fd, LOCK_EX | LOCK_NB) != 0) {
		snprintf(why, whylen, "another jixiaod is already using the data directory %s",
		    dir);
		return JX_EPRECOND;
	}
	return JX_OK;
}

/*
 * Why a store of format held cannot be opened, and what to do. There is no migration
 * yet: format 2 is the first a release wrote. When the format changes, the step from
 * the one before goes here, run by jixiaod after a backup, never silently.
 */
static void
store_format_refusal(const char *held, char *why, size_t whylen)
{
	char *end;
	long n = strtol(held, &end, 10);

	if (*end == '\0' && n > strtol(STORE_SCHEMA, NULL, 10))
		snprintf(why, whylen, "the data directory holds store format %s, newer than this "
		    "jixiaod's %s: run the jixiaod that wrote it (a newer release), or restore a "
		    "backup made for this one", held, STORE_SCHEMA);
	else
		snprintf(why, whylen, "the data directory holds store format %s, older than this "
		    "jixiaod's %s, and no migration from it exists: keep serving it with the "
		    "jixiaod that wrote it, export each workspace (jx export WS --archive) and "
		    "import them into a new store", held, STORE_SCHEMA);
}

static int
store_init_dbs(struct store *s, char *why, size_t whylen)
{
	MDB_txn *txn;
	MDB_val val;
	int rc;

	if ((rc = mdb_txn_begin(s->env, NULL, 0, &txn)) != 0)
		goto fail;
	for (int i = 0; i < STORE_NDBS; i++)
		if ((rc = mdb_dbi_open(txn, store_db_names[i], MDB_CREATE, &s->dbi[i])) != 0)
			goto abort;
	rc = mdb_get(txn, s->dbi[STORE_META], &(MDB_val){ 6, "schema" }, &val);
	if (rc == MDB_NOTFOUND) {
		rc = mdb_put(txn, s->dbi[STORE_META], &(MDB_val){ 6, "schema" },
		    &(MDB_val){ strlen(STORE_SCHEMA), STORE_SCHEMA }, 0);
		if (rc != 0)
			goto abort;
	} else if (rc != 0) {
		goto abort;
	} else if (val.mv_size != strlen(STORE_SCHEMA) ||
	    memcmp(val.mv_data, STORE_SCHEMA, val.mv_size) != 0) {
		char held[17];
		snprintf(held, sizeof(held), "%.*s", (int)(val.mv_size > 16 ? 16 : val.mv_size),
		    (const char *)val.mv_data);
		mdb_txn_abort(txn);
		store_format_refusal(held, why, whylen);
		return JX_EPRECOND;
	}
	if ((rc = mdb_txn_commit(txn)) != 0)
		goto fail;
	return JX_OK;
abort:
	mdb_txn_abort(txn);
fail:
	snprintf(why, whylen, "cannot initialise the store: %s", mdb_strerror(rc));
	return store_err(rc);
}

int
store_open(const char *dir, size_t map_size, struct store **sp, char *why, size_t whylen)
{
	enum replay_trust trust;
	struct store *s;
	int rv, rc;

	*sp = NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		snprintf(why, whylen, "out of memory");
		return JX_EINTERNAL;
	}
	s->lock_fd = -1;
	snprintf(s->dir, sizeof(s->dir), "%s", dir);
	pthread_rwlock_init(&s->map_lock, NULL);
	atomic_init(&s->snapshot_every, SNAPSHOT_EVERY);
	if ((rv = store_mkdir(dir, why, whylen)) != 0 ||
	    (rv = store_lock_dir(s, dir, why, whylen)) != 0 ||
	    (rv = replay_prepare(dir, &s->wal, &trust, why, whylen)) != 0)
		goto fail;
	if ((rc = mdb_env_create(&s->env)) != 0)
		goto lmdb_fail;
	s->map_size = map_size != 0 ? map_size : STORE_DEFAULT_MAP;
	if ((rc = mdb_env_set_mapsize(s->env, s->map_size)) != 0 ||
	    (rc = mdb_env_set_maxdbs(s->env, STORE_NDBS)) != 0 ||
	    (rc = mdb_env_set_maxreaders(s->env, 1024)) != 0)
		goto lmdb_fail;
	/*
	 * MDB_NOTLS: nng's threads begin and end read transactions, not one owner thread.
	 * Commits are synced until replay_recover has put the unclean-stop marker down
	 * (a store rebuilt from the log needs no sync: its marker is down already).
	 */
	if ((rc = mdb_env_open(s->env, dir, MDB_NOTLS | (trust == REPLAY_REBUILD ?
	    MDB_NOSYNC : 0), 0600)) != 0)
		goto lmdb_fail;
	{
		/* The file may be bigger than what we asked for: adopt its size. */
		MDB_envinfo info;
		mdb_env_info(s->env, &info);
		s->map_size = info.me_mapsize;
	}
	if ((rv = store_init_dbs(s, why, whylen)) != 0 ||
	    (rv = replay_recover(s, s->wal, trust, why, whylen)) != 0)
		goto fail;
	*sp = s;
	return JX_OK;
lmdb_fail:
	snprintf(why, whylen, "cannot open the store in %s: %s", dir, mdb_strerror(rc));
	rv = store_err(rc);
fail:
	store_close(s);
	return rv;
}

void
store_close(struct store *s)
{
	if (s == NULL)
		return;
	flusher_stop(s->flusher);
	/* A clean stop: the store on the device is current, its marker can go. */
	if (s->env != NULL && s->dirty && !s->broken && mdb_env_sync(s->env, 1) == 0)
		replay_clean(s->dir);
	if (s->env != NULL)
		mdb_env_close(s->env);
	wal_close(s->wal);
	wal_batch_free(&s->batch);
	if (s->lock_fd >= 0)
		close(s->lock_fd);
	pthread_rwlock_destroy(&s->map_lock);
	free(s);
}

int
store_read_begin(struct store *s, MDB_txn **txn)
{
	int rc;

	pthread_rwlock_rdlock(&s->map_lock);
	if (s->broken) {
		pthread_rwlock_unlock(&s->map_lock);
		return JX_EUNAVAIL;
	}
	if ((rc = mdb_txn_begin(s->env, NULL, MDB_RDONLY, txn)) != 0) {
		pthread_rwlock_unlock(&s->map_lock);
		log_error("read transaction: %s", mdb_strerror(rc));
		return store_err(rc);
	}
	return JX_OK;
}

void
store_read_end(struct store *s, MDB_txn *txn)
{
	mdb_txn_abort(txn);
	pthread_rwlock_unlock(&s->map_lock);
}

/* Free bytes for us on the file system of the data directory, or UINT64_MAX. */
static uint64_t
store_disk_free(const struct store *s)
{
	struct statvfs vfs;

	if (statvfs(s->dir, &vfs) != 0)
		return UINT64_MAX;
	return (uint64_t)vfs.f_bavail * vfs.f_frsize;
}

/*
 * Notes the first failure of a write transaction. A full map is grown; a full disk or
 * an I/O error is not (growing the map does not make room on the disk).
 */
static void
store_fail(struct store *s, int rc)
{
	if (s->failure != STORE_OK)
		return;
	s->failure_rc = rc;
	if (rc == MDB_MAP_FULL)
		s->failure = STORE_MAP_FULL;
	else if (rc == ENOSPC || rc == EDQUOT ||
	    (rc == EIO && store_disk_free(s) < STORE_DISK_LOW))
		s->failure = STORE_DISK_FULL;
	else
		s->failure = STORE_IO;
	if (s->failure != STORE_MAP_FULL)
		log_error("writing the store in %s: %s", s->dir, mdb_strerror(rc));
}

int
store_write_begin(struct store *s, MDB_txn **txn)
{
	int rc;

	s->failure = STORE_OK;
	s->failure_rc = 0;
	if (s->broken)
		return JX_EUNAVAIL;
	if ((rc = mdb_txn_begin(s->env, NULL, 0, txn)) != 0) {
		store_fail(s, rc);
		return rc == MDB_MAP_FULL || s->failure == STORE_DISK_FULL ? JX_ENOSPC
		    : JX_EUNAVAIL;
	}
	wal_batch_reset(&s->batch);
	return JX_OK;
}

/*
 * The log first: the transaction's changes are one record on the device before LMDB
 * commits them (without a sync of its own), so nothing a reader sees or a client is told
 * can be lost. A commit that fails after the append takes the record back, so a batch
 * retried after the map grew is logged once.
 */
int
store_write_commit(struct store *s, MDB_txn *txn)
{
	uint8_t key[8];
	uint64_t lsn = 0;
	int rc, rv;

	if (s->batch.failed) {
		mdb_txn_abort(txn);
		log_error("commit: out of memory recording the changes for the log");
		store_fail(s, ENOMEM);
		return JX_EUNAVAIL;
	}
	if (s->batch.len > 0) {
		store_key_u64(key, wal_last(s->wal) + 1);
		if ((rc = mdb_put(txn, s->dbi[STORE_META], &(MDB_val){ strlen(STORE_WAL_LSN),
		    STORE_WAL_LSN }, &(MDB_val){ 8, key }, 0)) != 0) {
			mdb_txn_abort(txn);
			store_fail(s, rc);
			return s->failure == STORE_IO ? JX_EUNAVAIL : JX_ENOSPC;
		}
		if ((rv = wal_append(s->wal, s->batch.buf, s->batch.len, &lsn)) != 0) {
			mdb_txn_abort(txn);
			store_fail(s, rv == JX_ENOSPC ? ENOSPC : EIO);
			return s->failure == STORE_IO ? JX_EUNAVAIL : JX_ENOSPC;
		}
	}
	/* Committed or not, LMDB has freed txn; the environment stays usable. */
	rc = mdb_txn_commit(txn);
	if (rc == 0) {
		atomic_fetch_add(&s->commits, 1);
		return JX_OK;
	}
	if (lsn != 0)
		wal_undo(s->wal);
	store_fail(s, rc);
	return s->failure == STORE_IO ? JX_EUNAVAIL : JX_ENOSPC;
}

int
store_child_begin(struct store *s, MDB_txn *parent, MDB_txn **child)
{
	s->child_mark = s->batch.len;
	return store_err(mdb_txn_begin(s->env, parent, 0, child));
}

int
store_child_commit(struct store *s, MDB_txn *child)
{
	int rc = mdb_txn_commit(child);

	if (rc != 0)
		wal_batch_rewind(&s->batch, s->child_mark);
	return store_note(s, rc);
}

size_t
store_child_put_bytes(struct store *s, enum store_db db, const void *prefix, size_t plen,
    size_t room)
{
	struct wal_op op;
	size_t off = s->child_mark, sum = 0;

	while (wal_op_next(s->batch.buf, s->batch.len, &off, &op) == 1)
		if (op.kind == WAL_PUT && op.db == (unsigned)db && op.klen >= plen &&
		    memcmp(op.key, prefix, plen) == 0)
			sum += op.vlen + room;
	return sum;
}

void
store_child_abort(struct store *s, MDB_txn *child)
{
	wal_batch_rewind(&s->batch, s->child_mark);
	mdb_txn_abort(child);
}

enum store_failure
store_failure(const struct store *s)
{
	return s->failure;
}

void
store_set_max(struct store *s, size_t max)
{
	s->max_map = max;
}

void
store_failure_why(const struct store *s, char *why, size_t len)
{
	switch (s->failure) {
	case STORE_OK:
		snprintf(why, len, "the change could not be saved; nothing was changed");
		break;
	case STORE_MAP_FULL:
	case STORE_AT_MAX:
		snprintf(why, len, "数据库已达上限 / the store reached its maximum size of %zu "
		    "MiB (jixiaod --max-store); nothing was changed", s->map_size >> 20);
		break;
	case STORE_DISK_FULL: {
		uint64_t free = store_disk_free(s);
		snprintf(why, len, "数据目录所在磁盘已满 / the disk holding the data directory "
		    "is full: %llu MiB free; nothing was changed",
		    free == UINT64_MAX ? 0ULL : (unsigned long long)(free >> 20));
		break;
	}
	case STORE_IO:
		snprintf(why, len, "the server could not write its store (%s); nothing was "
		    "changed", mdb_strerror(s->failure_rc));
		break;
	}
}

int
store_grow(struct store *s)
{
	size_t next = s->map_size * 2, old = s->map_size;
	uint64_t free = store_disk_free(s);
	MDB_envinfo info;
	MDB_stat st;
	int rc;

	/*
	 * Never bigger than the disk could fill (the file plus the free space) nor than
	 * --max-store: a map that cannot be backed only turns a full disk into a crash.
	 */
	if (free != UINT64_MAX && mdb_env_info(s->env, &info) == 0 &&
	    mdb_env_stat(s->env, &st) == 0) {
		uint64_t used = (uint64_t)(info.me_last_pgno + 1) * st.ms_psize;
		if ((uint64_t)next > used + free)
			next = (size_t)(used + free);
	}
	if (s->max_map != 0 && next > s->max_map)
		next = s->max_map;
	next &= ~(size_t)0xfff; /* whole pages */
	if (next <= old) {
		s->failure = s->max_map != 0 && old >= s->max_map ? STORE_AT_MAX : STORE_DISK_FULL;
		log_error("the store is full at %zu MiB and cannot grow: %s", old >> 20,
		    s->failure == STORE_AT_MAX ? "--max-store" : "the disk is full");
		return JX_ENOSPC;
	}
	pthread_rwlock_wrlock(&s->map_lock);
	rc = mdb_env_set_mapsize(s->env, next);
	if (rc == 0) {
		s->map_size = next;
	} else if (mdb_env_set_mapsize(s->env, old) != 0) {
		/* LMDB unmapped the old map and could not map either size. */
		s->broken = true;
	}
	pthread_rwlock_unlock(&s->map_lock);
	if (rc != 0) {
		log_error("cannot grow the store to %zu bytes: %s%s", next, mdb_strerror(rc),
		    s->broken ? "; the store can no longer be read: restart jixiaod" : "");
		s->failure = STORE_AT_MAX;
		return JX_ENOSPC;
	}
	log_info("store map grown to %zu bytes", next);
	return JX_OK;
}

size_t
store_map_size(const struct store *s)
{
	return s->map_size;
}

/* A put or delete: a failure that spoils the transaction is noted for the writer. */
static int
store_note(struct store *s, int rc)
{
	if (rc == MDB_MAP_FULL || rc == ENOSPC || rc == EDQUOT || rc == EIO)
		store_fail(s, rc);
	return store_err(rc);
}

int
store_get(MDB_txn *txn, struct store *s, enum store_db db, const void *key, size_t klen,
    MDB_val *val)
{
	MDB_val k = { klen, (void *)key };

	return store_err(mdb_get(txn, s->dbi[db], &k, val));
}

int
store_put(MDB_txn *txn, struct store *s, enum store_db db, const void *key, size_t klen,
    const void *val, size_t vlen)
{
	MDB_val k = { klen, (void *)key }, v = { vlen, (void *)val };
	int rc = mdb_put(txn, s->dbi[db], &k, &v, 0);

	if (rc == 0)
		wal_batch_add(&s->batch, WAL_PUT, db, key, klen, val, vlen);
	return store_note(s, rc);
}

int
store_del(MDB_txn *txn, struct store *s, enum store_db db, const void *key, size_t klen)
{
	MDB_val k = { klen, (void *)key };
	int rc = mdb_del(txn, s->dbi[db], &k, NULL);

	if (rc == 0)
		wal_batch_add(&s->batch, WAL_DEL, db, key, klen, NULL, 0);
	return store_note(s, rc);
}

int
store_get_msg(MDB_txn *txn, struct store *s, enum store_db db, const void *key, size_t klen,
    const ProtobufCMessageDescriptor *desc, ProtobufCMessage **msg)
{
	MDB_val v;
	int rv;

	*msg = NULL;
	if ((rv = store_get(txn, s, db, key, klen, &v)) != 0)
		return rv;
	*msg = protobuf_c_message_unpack(desc, NULL, v.mv_size, v.mv_data);
	if (*msg == NULL) {
		log_error("a %s record in %s does not decode", desc->short_name,
		    store_db_names[db]);
		return JX_EINTERNAL;
	}
	return JX_OK;
}

int
store_put_msg(MDB_txn *txn, struct store *s, enum store_db db, const void *key, size_t klen,
    const ProtobufCMessage *msg)
{
	MDB_val k = { klen, (void *)key }, v;
	int rc;

	/* MDB_RESERVE: encode straight into the page, no intermediate copy. */
	v.mv_size = protobuf_c_message_get_packed_size(msg);
	rc = mdb_put(txn, s->dbi[db], &k, &v, MDB_RESERVE);
	if (rc == 0) {
		protobuf_c_message_pack(msg, v.mv_data);
		wal_batch_add(&s->batch, WAL_PUT, db, key, klen, v.mv_data, v.mv_size);
	}
	return store_note(s, rc);
}

static bool
store_scan_has_prefix(const MDB_val *k, const void *prefix, size_t plen)
{
	return k->mv_size >= plen && (plen == 0 || memcmp(k->mv_data, prefix, plen) == 0);
}

/*
 * Walks from the record k/v that the positioning gave (rc) in direction op while keys
 * start with prefix, calling fn; closes cur.
 */
static int
store_scan_walk(enum store_db db, MDB_cursor *cur, int rc, MDB_val *k,
    MDB_val *v, MDB_cursor_op op, const void *prefix, size_t plen, store_scan_fn fn, void *arg)
{
	int rv = JX_OK;

	for (; rc == 0 && store_scan_has_prefix(k, prefix, plen);
	     rc = mdb_cursor_get(cur, k, v, op))
		if ((rv = fn(arg, k->mv_data, k->mv_size, v->mv_data, v->mv_size)) != 0)
			break;
	mdb_cursor_close(cur);
	if (rv != 0)
		return rv == STORE_SCAN_STOP ? JX_OK : rv;
	if (rc != 0 && rc != MDB_NOTFOUND) {
		log_error("reading %s: %s", store_db_names[db], mdb_strerror(rc));
		return store_err(rc);
	}
	return JX_OK;
}

int
store_scan(MDB_txn *txn, struct store *s, enum store_db db, const void *prefix, size_t plen,
    store_scan_fn fn, void *arg)
{
	return store_scan_from(txn, s, db, prefix, plen, prefix, plen, fn, arg);
}

int
store_scan_from(MDB_txn *txn, struct store *s, enum store_db db, const void *prefix,
    size_t plen, const void *from, size_t flen, store_scan_fn fn, void *arg)
{
	MDB_cursor *cur;
	MDB_val k = { flen, (void *)from }, v;
	int rc;

	if ((rc = mdb_cursor_open(txn, s->dbi[db], &cur)) != 0)
		return store_err(rc);
	/* LMDB has no empty key to seek to. */
	rc = mdb_cursor_get(cur, &k, &v, flen == 0 ? MDB_FIRST : MDB_SET_RANGE);
	return store_scan_walk(db, cur, rc, &k, &v, MDB_NEXT, prefix, plen, fn, arg);
}

int
store_scan_back(MDB_txn *txn, struct store *s, enum store_db db, const void *prefix,
    size_t plen, const void *from, size_t flen, store_scan_fn fn, void *arg)
{
	uint8_t past[STORE_KEY_MAX];
	MDB_cursor *cur;
	MDB_val k, v;
	int rc;

	if (from == NULL) {
		/* Past the last key with prefix: the prefix with its last byte below 0xff raised. */
		if (plen > sizeof(past))
			return JX_EINVAL;
		if (plen > 0)
			memcpy(past, prefix, plen);
		for (flen = plen; flen > 0 && past[flen - 1] == 0xff; flen--)
			;
		if (flen > 0)
			past[flen - 1]++;
		from = past;
	}
	if ((rc = mdb_cursor_open(txn, s->dbi[db], &cur)) != 0)
		return store_err(rc);
	k.mv_size = flen;
	k.mv_data = (void *)from;
	rc = flen == 0 ? MDB_NOTFOUND : mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
	/* On the first key at or after from: one step back unless it is from itself. */
	if (rc == MDB_NOTFOUND)
		rc = mdb_cursor_get(cur, &k, &v, MDB_LAST);
	else if (rc == 0 && (from == past || k.mv_size != flen ||
	    memcmp(k.mv_data, from, flen) != 0))
		rc = mdb_cursor_get(cur, &k, &v, MDB_PREV);
	return store_scan_walk(db, cur, rc, &k, &v, MDB_PREV, prefix, plen, fn, arg);
}

void
store_key_u64(uint8_t key[8], uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		key[i] = (uint8_t)v;
}

uint64_t
store_key_get_u64(const uint8_t key[8])
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | key[i];
	return v;
}

void
store_key_pair(uint8_t key[16], uint64_t a, uint64_t b)
{
	store_key_u64(key, a);
	store_key_u64(key + 8, b);
}

const char *
store_format(void)
{
	return STORE_SCHEMA;
}

/* The format the store in txn holds must be ours. */
static int
store_check_format(struct store *s, MDB_txn *txn, char *why, size_t whylen)
{
	MDB_val val;
	int rc;

	rc = mdb_get(txn, s->dbi[STORE_META], &(MDB_val){ 6, "schema" }, &val);
	if (rc != 0) {
		snprintf(why, whylen, "this is not a jixiao store (it has no format version)");
		return JX_EINVAL;
	}
	if (val.mv_size != strlen(STORE_SCHEMA) ||
	    memcmp(val.mv_data, STORE_SCHEMA, val.mv_size) != 0) {
		char held[17];
		snprintf(held, sizeof(held), "%.*s", (int)(val.mv_size > 16 ? 16 : val.mv_size),
		    (const char *)val.mv_data);
		store_format_refusal(held, why, whylen);
		return JX_EPRECOND;
	}
	return JX_OK;
}

int
store_open_readonly(const char *path, bool file, struct store **sp, char *why, size_t whylen)
{
	unsigned flags = MDB_RDONLY | MDB_NOTLS | (file ? MDB_NOSUBDIR | MDB_NOLOCK : 0);
	struct store *s;
	MDB_txn *txn = NULL;
	MDB_envinfo info;
	int rv, rc;

	*sp = NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		snprintf(why, whylen, "out of memory");
		return JX_EINTERNAL;
	}
	s->lock_fd = -1;
	pthread_rwlock_init(&s->map_lock, NULL);
	if (!file) {
		char data[4096];
		snprintf(data, sizeof(data), "%s/data.mdb", path);
		if (access(data, R_OK) != 0) {
			snprintf(why, whylen, "%s holds no store (no %s: %s)", path, data,
			    strerror(errno));
			rv = JX_ENOTFOUND;
			goto fail;
		}
	}
	if ((rc = mdb_env_create(&s->env)) != 0 ||
	    (rc = mdb_env_set_maxdbs(s->env, STORE_NDBS)) != 0 ||
	    (rc = mdb_env_set_maxreaders(s->env, 1024)) != 0 ||
	    (rc = mdb_env_open(s->env, path, flags, 0600)) != 0)
		goto lmdb_fail;
	mdb_env_info(s->env, &info);
	s->map_size = info.me_mapsize;
	if ((rc = mdb_txn_begin(s->env, NULL, MDB_RDONLY, &txn)) != 0)
		goto lmdb_fail;
	for (int i = 0; i < STORE_NDBS; i++)
		if ((rc = mdb_dbi_open(txn, store_db_names[i], 0, &s->dbi[i])) != 0) {
			snprintf(why, whylen, "%s is not a jixiao store of format %s: it has no "
			    "%s table", path, STORE_SCHEMA, store_db_names[i]);
			rv = rc == MDB_NOTFOUND ? JX_EPRECOND : store_err(rc);
			goto fail;
		}
	if ((rv = store_check_format(s, txn, why, whylen)) != 0)
		goto fail;
	/* A read transaction's commit keeps the tables' handles open for the env. */
	rc = mdb_txn_commit(txn);
	txn = NULL;
	if (rc != 0)
		goto lmdb_fail;
	*sp = s;
	return JX_OK;
lmdb_fail:
	snprintf(why, whylen, "cannot open the store %s: %s", path, mdb_strerror(rc));
	rv = store_err(rc);
fail:
	if (txn != NULL)
		mdb_txn_abort(txn);
	store_close(s);
	return rv;
}

int
store_copy_fd(struct store *s, int fd, char *why, size_t whylen)
{
	int rc;

	/* Inside the daemon (a snapshot), the map must not be resized under the copy. */
	pthread_rwlock_rdlock(&s->map_lock);
	rc = mdb_env_copyfd2(s->env, fd, MDB_CP_COMPACT);

	/* The daemon grew the map since we opened: adopt the new size and copy again. */
	if (rc == MDB_MAP_RESIZED && (rc = mdb_env_set_mapsize(s->env, 0)) == 0) {
		if (lseek(fd, 0, SEEK_SET) == 0 && ftruncate(fd, 0) == 0)
			rc = mdb_env_copyfd2(s->env, fd, MDB_CP_COMPACT);
		else
			rc = errno;
	}
	pthread_rwlock_unlock(&s->map_lock);
	if (rc != 0) {
		snprintf(why, whylen, "cannot copy the store: %s", mdb_strerror(rc));
		return store_err(rc);
	}
	return JX_OK;
}

unsigned long long
store_file_size(const struct store *s)
{
	mdb_filehandle_t fd;
	struct stat st;

	if (mdb_env_get_fd(s->env, &fd) != 0 || fstat(fd, &st) != 0)
		return 0;
	return (unsigned long long)st.st_size;
}

int
store_lock(const char *dir, int *lock_fd, char *why, size_t whylen)
{
	struct store tmp = { .lock_fd = -1 };
	int rv;

	*lock_fd = -1;
	if ((rv = store_mkdir(dir, why, whylen)) != 0 ||
	    (rv = store_lock_dir(&tmp, dir, why, whylen)) != 0) {
		if (tmp.lock_fd >= 0)
			close(tmp.lock_fd);
		return rv;
	}
	*lock_fd = tmp.lock_fd;
	return JX_OK;
}

/* ---- for replay.c */

int
store_position(struct store *s, uint8_t id[WAL_ID_LEN], uint64_t *lsn, bool *has)
{
	MDB_txn *txn;
	MDB_val v;
	int rc;

	*lsn = 0;
	*has = true;
	memset(id, 0, WAL_ID_LEN);
	if ((rc = mdb_txn_begin(s->env, NULL, MDB_RDONLY, &txn)) != 0)
		return store_err(rc);
	if (mdb_get(txn, s->dbi[STORE_META], &(MDB_val){ strlen(STORE_WAL_ID), STORE_WAL_ID },
	    &v) == 0 && v.mv_size == WAL_ID_LEN)
		memcpy(id, v.mv_data, WAL_ID_LEN);
	else
		*has = false;
	if (mdb_get(txn, s->dbi[STORE_META], &(MDB_val){ strlen(STORE_WAL_LSN), STORE_WAL_LSN },
	    &v) == 0 && v.mv_size == 8)
		*lsn = store_key_get_u64(v.mv_data);
	mdb_txn_abort(txn);
	return JX_OK;
}

const char *
store_dir(const struct store *s)
{
	return s->dir;
}

bool
store_is_empty(struct store *s)
{
	MDB_txn *txn;
	MDB_stat st;
	bool empty = true;

	if (mdb_txn_begin(s->env, NULL, MDB_RDONLY, &txn) != 0)
		return false;
	for (int i = 0; i < STORE_NDBS && empty; i++)
		if (i != STORE_META && (mdb_stat(txn, s->dbi[i], &st) != 0 || st.ms_entries != 0))
			empty = false;
	mdb_txn_abort(txn);
	return empty;
}

int
store_apply(struct store *s, MDB_txn *txn, const uint8_t *payload, size_t len)
{
	struct wal_op op;
	size_t off = 0;
	int r, rc = 0;

	while (rc == 0 && (r = wal_op_next(payload, len, &off, &op)) == 1) {
		MDB_val k = { op.klen, (void *)op.key }, v = { op.vlen, (void *)op.val };
		if (op.db >= STORE_NDBS)
			return JX_EINTERNAL;
		if (op.kind == WAL_PUT)
			rc = mdb_put(txn, s->dbi[op.db], &k, &v, 0);
		else if ((rc = mdb_del(txn, s->dbi[op.db], &k, NULL)) == MDB_NOTFOUND)
			rc = 0;
	}
	if (rc != 0)
		return store_err(rc);
	return r < 0 ? JX_EINTERNAL : JX_OK;
}

int
store_set_position(struct store *s, MDB_txn *txn, const uint8_t id[WAL_ID_LEN], uint64_t lsn)
{
	uint8_t key[8];
	int rc;

	store_key_u64(key, lsn);
	rc = mdb_put(txn, s->dbi[STORE_META], &(MDB_val){ strlen(STORE_WAL_LSN), STORE_WAL_LSN },
	    &(MDB_val){ 8, key }, 0);
	if (rc == 0 && id != NULL)
		rc = mdb_put(txn, s->dbi[STORE_META], &(MDB_val){ strlen(STORE_WAL_ID),
		    STORE_WAL_ID }, &(MDB_val){ WAL_ID_LEN, (void *)id }, 0);
	return store_err(rc);
}

int
store_commit_applied(struct store *s, MDB_txn *txn)
{
	int rc = mdb_txn_commit(txn);

	if (rc != 0)
		log_error("commit: %s", mdb_strerror(rc));
	return store_err(rc);
}

int
store_each(struct store *s, MDB_txn *txn, store_each_fn fn, void *arg)
{
	MDB_cursor *cur;
	MDB_val k, v;
	int rc, rv = 0;

	for (int i = 0; i < STORE_NDBS && rv == 0; i++) {
		if ((rc = mdb_cursor_open(txn, s->dbi[i], &cur)) != 0)
			return store_err(rc);
		for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0 && rv == 0;
		     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT))
			if (i != STORE_META || k.mv_size < 4 || memcmp(k.mv_data, "wal.", 4) != 0)
				rv = fn(arg, (enum store_db)i, k.mv_data, k.mv_size, v.mv_data,
				    v.mv_size);
		mdb_cursor_close(cur);
		if (rv == 0 && rc != MDB_NOTFOUND)
			rv = store_err(rc);
	}
	return rv;
}

int
store_sync(struct store *s)
{
	int rc = mdb_env_sync(s->env, 1);

	if (rc != 0)
		log_error("store sync: %s", mdb_strerror(rc));
	return store_err(rc);
}

static uint64_t
store_commits(void *arg)
{
	struct store *s = arg;

	return atomic_load(&s->commits);
}

/* The flusher's work: LMDB's pages to the device, then a snapshot when one is due. */
static int
store_flush(void *arg)
{
	struct store *s = arg;
	uint64_t every = atomic_load(&s->snapshot_every), log_bytes, lsn;
	char why[512];
	int rv = store_sync(s);

	log_bytes = wal_disk_bytes(s->wal);
	if (rv != 0 || s->broken || log_bytes < s->snapshot_retry ||
	    !snapshot_due(log_bytes, wal_files(s->wal), store_file_size(s), every))
		return rv;
	/* The copy must not take the room the log's next records need. */
	if (store_disk_free(s) < store_file_size(s) + SNAPSHOT_ROOM) {
		s->snapshot_retry = log_bytes + snapshot_segment(every);
		log_warn("no snapshot of the store now: the disk has %" PRIu64 " MiB free, less "
		    "than the store's %llu MiB and %llu MiB to spare; the log keeps every record "
		    "meanwhile", store_disk_free(s) >> 20, store_file_size(s) >> 20,
		    (unsigned long long)(SNAPSHOT_ROOM >> 20));
		return rv;
	}
	if (snapshot_make(s, s->wal, &lsn, why, sizeof(why)) != 0) {
		/* Not again at once: after another log file's worth. */
		s->snapshot_retry = log_bytes + snapshot_segment(every);
		log_error("cannot make a snapshot of the store: %s; the log keeps every "
		    "record meanwhile", why);
	} else
		s->snapshot_retry = 0;
	return rv;
}

void
store_set_snapshot(struct store *s, uint64_t every)
{
	if (every < SNAPSHOT_EVERY_MIN)
		every = SNAPSHOT_EVERY_MIN;
	atomic_store(&s->snapshot_every, every);
	if (s->wal != NULL)
		wal_set_segment_max(s->wal, snapshot_segment(every));
}

int
store_set_dirty(struct store *s)
{
	int rc = mdb_env_set_flags(s->env, MDB_NOSYNC, 1);

	if (rc != 0)
		return store_err(rc);
	s->dirty = true;
	/* LMDB's pages reach the device about once a second, not all at the stop. */
	return flusher_start(store_commits, store_flush, s, &s->flusher);
}

const char *
store_db_name(enum store_db db)
{
	return (unsigned)db < STORE_NDBS ? store_db_names[db] : "?";
}

uint64_t
store_log_bytes(const struct store *s)
{
	return s->wal != NULL ? wal_disk_bytes(s->wal) : 0;
}
