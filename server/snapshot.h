/*
 * Snapshots: a copy of the store at a position of its log, so that the log before
 * that position can go, and a store that cannot be trusted after a power loss is
 * rebuilt from the copy and the rest of the log instead of from the whole log.
 *
 * A snapshot is DATA/wal/<LSN, 16 hex digits>.snapshot: LMDB's compacted copy of one read
 * snapshot (store_copy_fd, which never holds the writer), flushed, then renamed into
 * place; LSN is the log position that snapshot had applied, read back from the copy's
 * own record of it. Once it is on the device, older snapshots and the log files
 * holding only records up to LSN are removed (wal_prune). Living in wal/, snapshots
 * go with their log when it is moved aside (wal_restart).
 *
 * When: after each of the flusher's flushes, once the log's files hold at least
 * `every` bytes (jixiaod --snapshot-every, default SNAPSHOT_EVERY) and at least half
 * the store's file (so the copies write at most twice what the log does: the store
 * keeps every revision's history too, so it grows about as fast as its log), and
 * a log file could go, and the disk has room for the copy and SNAPSHOT_ROOM more (a full
 * disk is the log's to use). The log is kept in files of a quarter of that.
 */
#ifndef JX_SNAPSHOT_H
#define JX_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store.h"
#include "wal.h"

#define SNAPSHOT_EVERY ((uint64_t)256 << 20)
#define SNAPSHOT_EVERY_MIN ((uint64_t)256 << 10)
/* Free disk beyond the store's size a snapshot leaves for the log; with less, none is made. */
#define SNAPSHOT_ROOM ((uint64_t)64 << 20)

/* Whether a log of log_bytes in files files, beside a store of store_bytes, is due one. */
bool snapshot_due(uint64_t log_bytes, size_t files, uint64_t store_bytes, uint64_t every);
/* The log's file size for a snapshot every `every` bytes. */
uint64_t snapshot_segment(uint64_t every);
/*
 * Makes a snapshot of s (whose log is w) and prunes the log up to it. Returns 0 and its
 * LSN, or an error with a sentence in why; nothing is removed unless the copy is whole.
 */
int snapshot_make(struct store *s, struct wal *w, uint64_t *lsn, char *why, size_t whylen);
/* The newest snapshot in the log folder wdir: 0 and its LSN and path, or JX_ENOTFOUND. */
int snapshot_newest(const char *wdir, uint64_t *lsn, char *path, size_t pathlen);
/*
 * Before LMDB opens, when dir holds no data.mdb: puts the newest snapshot of dir's log
 * in place as dir/data.mdb (through a flushed temporary file). Returns 0 and its LSN,
 * JX_ENOTFOUND when there is none, or an error with why.
 */
int snapshot_install(const char *dir, uint64_t *lsn, char *why, size_t whylen);

#endif
