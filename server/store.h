/*
 * The store: jixiao's persistence, an LMDB environment in a data directory, and its log.
 *
 * Readers run concurrently on snapshots (store_read_begin/end, any thread). Writes
 * happen only on the writer thread (writer.c), through store_write_* and the put/del
 * functions below, which record every change; a commit appends the changes to the log
 * (wal.c) with one flush and then commits LMDB without one, so a success is durable:
 * after a crash LMDB is caught up from the log, after a power loss rebuilt from it
 * (replay.c). Nothing but this file touches LMDB's write functions. When the map is full,
 * store_put returns JX_ENOSPC and notes it (store_failure); the writer then aborts,
 * grows the map (store_grow) and runs the batch again. A full disk or an I/O error is
 * noted the same way but not retried: the batch is refused with store_failure_why,
 * reads go on, and the next batch tries again (so writes resume when space returns).
 */
#ifndef JX_STORE_H
#define JX_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <lmdb.h>
#include <protobuf-c/protobuf-c.h>

enum store_db {
	STORE_META,       /* "schema" -> version; counters */
	STORE_WORKSPACES, /* ws id (8) -> Workspace */
	STORE_NODES,      /* ws id (8) + node id (8) -> Node */
	STORE_HISTORY,    /* ws id (8) + revision (8) -> Change */
	STORE_CODES,      /* ws id (8) + node code -> node id (8) */
	STORE_CHILDREN,   /* ws id (8) + parent id (8) + child id (8) -> nothing */
	STORE_BUDGETS,    /* ws id (8) -> Budget */
	STORE_TEMPLATES,  /* template id + NUL + version (8) -> Template */
	STORE_STATES,     /* ws (8) + entity (8) + revision (8) -> its state from then on:
			   * entity 0 the Workspace, a node id its Node (empty: removed),
			   * HISTORY_BUDGET the Budget, HISTORY_FINDINGS + id a Finding */
	STORE_SUBJECTS,   /* subject + NUL + year (4) + kind (4) + ws id (8) -> nothing */
	STORE_UNITS,      /* 'i' + id (8) -> Subject; 'n' + name -> id (8) */
	STORE_CLAIMS,     /* ws (8) + node (8) -> Claim */
	STORE_BLOBS,      /* hash (32) + offset (8) -> a chunk of an evidence file;
			   * 'l' + ws (8) + hash (32) -> nothing: the file is linked in ws */
	STORE_USERS,      /* 'n' + name -> User; 'k' + public key (32) -> name */
	STORE_FINDINGS,   /* ws (8) + finding id (8) -> Finding */
	STORE_REQUESTS,   /* request id (16) -> time (8) + packed Reply of a mutating call */
	STORE_NDBS
};

#define STORE_DEFAULT_MAP ((size_t)256 << 20)

struct store;

/*
 * Opens (creating if needed, mode 0700) the data directory dir and its environment.
 * map_size is the initial map in bytes (0: STORE_DEFAULT_MAP). Refuses a directory
 * another process has open. Returns 0 or an error, with a sentence in why.
 */
int store_open(const char *dir, size_t map_size, struct store **sp, char *why, size_t whylen);
/* Closes the environment; no transaction may be open. Accepts NULL. */
void store_close(struct store *s);

/* Begins a read-only snapshot; pair with store_read_end on any thread. */
int store_read_begin(struct store *s, MDB_txn **txn);
void store_read_end(struct store *s, MDB_txn *txn);

/*
 * Writer thread only. A failed commit has freed txn (LMDB's rule); the environment
 * stays usable. Both return 0, JX_ENOSPC (the map or the disk is full) or JX_EUNAVAIL.
 */
int store_write_begin(struct store *s, MDB_txn **txn);
int store_write_commit(struct store *s, MDB_txn *txn);
/*
 * Nested transaction inside a write transaction: one per request in a batch. End it with
 * store_child_commit or store_child_abort (never mdb_txn_*): they keep the log's record
 * of the batch to what was kept.
 */
int store_child_begin(struct store *s, MDB_txn *parent, MDB_txn **child);
int store_child_commit(struct store *s, MDB_txn *child);
/*
 * Bytes of the puts to db under key prefix made in the nested transaction so far, plus
 * room for each: what a change added there at most.
 */
size_t store_child_put_bytes(struct store *s, enum store_db db, const void *prefix,
    size_t plen, size_t room);
void store_child_abort(struct store *s, MDB_txn *child);
enum store_failure {
	STORE_OK,
	STORE_MAP_FULL,  /* the map is full: grow it and run the batch again */
	STORE_AT_MAX,    /* the map is full and may not grow (--max-store) */
	STORE_DISK_FULL, /* no room on the file system of the data directory */
	STORE_IO,        /* another error writing */
};
/*
 * What went wrong in the write transaction since store_write_begin (or in the last
 * store_grow); store_failure_why says it in one sentence for the client.
 */
enum store_failure store_failure(const struct store *s);
void store_failure_why(const struct store *s, char *why, size_t len);
/*
 * Doubles the map, waiting for readers to leave, but never past max (store_set_max)
 * nor past what the disk could hold. Returns 0 or JX_ENOSPC (store_failure says why).
 * If LMDB cannot map the old size back after a failed resize, the store refuses
 * every later transaction instead of crashing.
 */
int store_grow(struct store *s);
/* The largest map store_grow makes, in bytes; 0: as large as the disk allows. */
void store_set_max(struct store *s, size_t max);
/*
 * Makes a snapshot (snapshot.h) each time the log's files reach every bytes (at
 * least SNAPSHOT_EVERY_MIN; SNAPSHOT_EVERY until this is called).
 */
void store_set_snapshot(struct store *s, uint64_t every);
size_t store_map_size(const struct store *s);

/* Gets a value; JX_ENOTFOUND when absent. The value lives as long as the txn. */
int store_get(MDB_txn *txn, struct store *s, enum store_db db, const void *key, size_t klen,
    MDB_val *val);
/* Puts a value; JX_ENOSPC (and marks the store) when the map is full. */
int store_put(MDB_txn *txn, struct store *s, enum store_db db, const void *key, size_t klen,
    const void *val, size_t vlen);
int store_del(MDB_txn *txn, struct store *s, enum store_db db, const void *key, size_t klen);

/*
 * Message helpers: store_get_msg decodes into *msg (caller frees with
 * protobuf_c_message_free_unpacked); a record that does not decode is JX_EINTERNAL.
 */
int store_get_msg(MDB_txn *txn, struct store *s, enum store_db db, const void *key, size_t klen,
    const ProtobufCMessageDescriptor *desc, ProtobufCMessage **msg);
int store_put_msg(MDB_txn *txn, struct store *s, enum store_db db, const void *key, size_t klen,
    const ProtobufCMessage *msg);

/*
 * What a store_scan_fn returns to end a scan early without an error. It returns 0 to go
 * on, or an error (a JX_E*; they are all positive) to end the scan with it.
 */
#define STORE_SCAN_STOP (-1)
typedef int (*store_scan_fn)(void *arg, const void *key, size_t klen, const void *val,
    size_t vlen);
/*
 * Calls fn for each record of db whose key starts with prefix (plen 0: every record),
 * in key order; key and value live as long as txn. Returns 0 (also when fn stopped the
 * scan), fn's error, or the error of a failed read: a scan never ends short in silence.
 */
int store_scan(MDB_txn *txn, struct store *s, enum store_db db, const void *prefix,
    size_t plen, store_scan_fn fn, void *arg);
/* The same from the first key at or after from, which starts with prefix. */
int store_scan_from(MDB_txn *txn, struct store *s, enum store_db db, const void *prefix,
    size_t plen, const void *from, size_t flen, store_scan_fn fn, void *arg);
/*
 * The same backwards, in reverse key order: from the last key at or before from (NULL:
 * the last key with prefix) down to the first key with prefix.
 */
int store_scan_back(MDB_txn *txn, struct store *s, enum store_db db, const void *prefix,
    size_t plen, const void *from, size_t flen, store_scan_fn fn, void *arg);

/* Big-endian keys, so LMDB's byte order is numeric order. */
void store_key_u64(uint8_t key[8], uint64_t v);
uint64_t store_key_get_u64(const uint8_t key[8]);
void store_key_pair(uint8_t key[16], uint64_t a, uint64_t b);

/*
 * Opens an existing store read-only, for backup and check: path is a data directory,
 * or with file set a store file of its own (a backup's copy, opened without a lock
 * file). Takes no lock on the directory, so it may run beside a live jixiaod: LMDB's
 * readers never block its writer. Refuses a store of another format.
 */
int store_open_readonly(const char *path, bool file, struct store **sp, char *why,
    size_t whylen);
/*
 * Writes a compacted copy of the store's current snapshot to fd (LMDB's copy with
 * MDB_CP_COMPACT): consistent, and it holds a read snapshot, never the writer.
 */
int store_copy_fd(struct store *s, int fd, char *why, size_t whylen);
/*
 * Takes the data directory's lock as jixiaod does (creating dir 0700 if needed), so no
 * daemon starts on it meanwhile: for restore. Close *lock_fd to release it.
 */
int store_lock(const char *dir, int *lock_fd, char *why, size_t whylen);
/* The store format this jixiaod reads and writes ("2"). */
const char *store_format(void);
/* Bytes the store's file takes on disk now, or 0 when it cannot tell. */
unsigned long long store_file_size(const struct store *s);

/* Maps an MDB_* or errno code to a jx_err. */
int store_err(int rc);
const char *store_db_name(enum store_db db);
/* Bytes the log's files hold now. */
uint64_t store_log_bytes(const struct store *s);

/* ---- for replay.c: applying the log at start-up */

/* The log id and LSN the store has applied; *has false when it has no log id. */
int store_position(struct store *s, uint8_t id[16], uint64_t *lsn, bool *has);
/* The data directory. */
const char *store_dir(const struct store *s);
/* True when every table but the meta table is empty. */
bool store_is_empty(struct store *s);
/* Applies one log record's operations in txn, recording nothing. */
int store_apply(struct store *s, MDB_txn *txn, const uint8_t *payload, size_t len);
/* Records in txn the LSN applied, and the log's id unless id is NULL. */
int store_set_position(struct store *s, MDB_txn *txn, const uint8_t id[16], uint64_t lsn);
/* Commits a transaction of store_apply, appending nothing to the log. */
int store_commit_applied(struct store *s, MDB_txn *txn);
/* Calls fn for every record of every table in order, but the store's log position. */
typedef int (*store_each_fn)(void *arg, enum store_db db, const void *key, size_t klen,
    const void *val, size_t vlen);
int store_each(struct store *s, MDB_txn *txn, store_each_fn fn, void *arg);
/* Flushes LMDB's file to the device. */
int store_sync(struct store *s);
/* From now on commits are not synced (the log is): the unclean-stop marker is down. */
int store_set_dirty(struct store *s);

#endif
