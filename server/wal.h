/*
 * The log: jixiao's record of every change, in the data directory's wal/ folder.
 *
 * Every write transaction that changes the store is one record: the key/value puts and
 * deletes it made, in order, under the next log sequence number (LSN, from 1), with a
 * CRC-32C. A record is appended with one write and one fdatasync before the
 * transaction commits in LMDB, so a change a client was told about is in the log.
 * Applying the records in order to an empty store gives the same keys and values
 * (replay.c does it at start-up; a standby could do it from a copy of the log).
 *
 * Files: wal/<first LSN, 16 hex digits>.log, each a 32-byte header (magic, the log's
 * random 16-byte id, the first LSN) then records; a new file is started past
 * WAL_SEGMENT_MAX bytes. A record: magic (4), payload length (4), LSN (8), CRC-32C of
 * length, LSN and payload (4), zero (4), then the payload. Numbers are little-endian.
 * A snapshot (snapshot.c: a copy of the store at an LSN, kept in wal/) makes the
 * files whose records it holds unneeded: wal_prune removes them, so the log begins at
 * its first file's first LSN, not always at 1.
 *
 * One thread at a time (the writer's) appends; wal_open and wal_replay run before it;
 * wal_prune, wal_first, wal_disk_bytes and wal_set_segment_max may run beside it.
 */
#ifndef JX_WAL_H
#define JX_WAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WAL_ID_LEN 16
#define WAL_SEGMENT_MAX ((uint64_t)64 << 20)
/* Largest record accepted when reading, so a damaged length cannot ask for more. */
#define WAL_RECORD_MAX ((size_t)1 << 30)

/* ---- a batch: the operations of one transaction, as they are made */
struct wal_batch {
	uint8_t *buf;
	size_t len, cap;
	bool failed; /* out of memory: the batch must not be logged */
};

enum wal_op_kind { WAL_PUT = 1, WAL_DEL = 2 };

struct wal_op {
	unsigned db;
	enum wal_op_kind kind;
	const uint8_t *key;
	size_t klen;
	const uint8_t *val; /* NULL for WAL_DEL */
	size_t vlen;
};

/* Empties the batch; keeps its buffer unless it has grown large. */
void wal_batch_reset(struct wal_batch *b);
void wal_batch_free(struct wal_batch *b);
/* Appends an operation. On out of memory the batch is marked failed. */
void wal_batch_add(struct wal_batch *b, enum wal_op_kind kind, unsigned db, const void *key,
    size_t klen, const void *val, size_t vlen);
/* Forgets what was added after len (a nested transaction that aborted). */
void wal_batch_rewind(struct wal_batch *b, size_t len);
/*
 * Reads the operation at *off of a record's payload and advances *off. Returns 1, 0 at
 * the end, or -1 when the payload does not parse.
 */
int wal_op_next(const uint8_t *p, size_t len, size_t *off, struct wal_op *op);

/* ---- the log */
struct wal;

/*
 * Opens dir/wal (creating it and a first, empty file with a new id when missing), checks
 * every record and cuts a torn tail: the part of the last file after its last whole
 * record, which only a write never acknowledged can have left. A damaged record with
 * whole records after it is not a torn tail: refused (JX_EINTERNAL) with a sentence in
 * why, nothing cut.
 */
int wal_open(const char *dir, struct wal **wp, char *why, size_t whylen);
/* The same, starting a new file past segment_max bytes instead of WAL_SEGMENT_MAX. */
int wal_open_sized(const char *dir, uint64_t segment_max, struct wal **wp, char *why,
    size_t whylen);
/* Accepts NULL. */
void wal_close(struct wal *w);

/* What wal_check found. */
struct wal_check_report {
	size_t files;
	uint64_t first, last; /* the records it holds (last < first: none) */
	uint64_t bytes;       /* its files' sizes */
	uint64_t torn;        /* bytes of an incomplete record at the end, cut at the next start */
	bool unfinished;      /* the last file's header incomplete: removed at the next start */
	uint8_t id[WAL_ID_LEN];
};
/*
 * Reads dir/wal without changing anything, beside a running jixiaod or not: every
 * file's header, that each file begins where the one before ends, and every record's
 * checksum. Returns 0 (no wal folder is not a problem: files 0), or JX_EINTERNAL with
 * the first damage in why.
 */
int wal_check(const char *dir, struct wal_check_report *r, char *why, size_t whylen);

/* The last LSN in the log, 0 when it is empty. */
uint64_t wal_last(const struct wal *w);
void wal_id(const struct wal *w, uint8_t id[WAL_ID_LEN]);
/* Bytes the log has written since it was opened (headers included). */
uint64_t wal_bytes(const struct wal *w);
/* Bytes its files hold now (headers and records). */
uint64_t wal_disk_bytes(struct wal *w);
/* The first LSN the log still holds (wal_last() + 1 when it holds none). */
uint64_t wal_first(struct wal *w);
/* Starts a new file past bytes instead (from the next append on). */
void wal_set_segment_max(struct wal *w, uint64_t bytes);
/* dir/wal. */
const char *wal_dir(const struct wal *w);
/* How many files the log has. */
size_t wal_files(struct wal *w);
/*
 * Removes the files whose records are all at most LSN upto (never the file being
 * appended to): what a snapshot at upto holds. *removed: how many. 0 or JX_EINTERNAL.
 */
int wal_prune(struct wal *w, uint64_t upto, unsigned *removed);

/*
 * Appends one record of len payload bytes as LSN wal_last() + 1 and waits until it is on
 * the device. Returns 0 (and *lsn), JX_ENOSPC when the disk is full, or JX_EUNAVAIL; on
 * an error nothing of the record stays. After an fdatasync failed, what the file holds
 * is unknown: every later append fails (JX_EUNAVAIL) until a restart reads the log again.
 */
int wal_append(struct wal *w, const void *payload, size_t len, uint64_t *lsn);
/*
 * Takes the last appended record back, when the transaction it records could not commit
 * and its callers are told nothing changed. Returns 0 or JX_EUNAVAIL (then, as above,
 * later appends fail).
 */
int wal_undo(struct wal *w);

/* Called with each record after the starting LSN, in order; a non-zero return stops. */
typedef int (*wal_fn)(void *arg, uint64_t lsn, const uint8_t *payload, size_t len);
/* Reads the records after LSN after and hands each to fn. Returns 0, fn's error or JX_EINTERNAL. */
int wal_replay(struct wal *w, uint64_t after, wal_fn fn, void *arg, char *why, size_t whylen);

/*
 * Moves the log aside to dir/wal.replaced.N and starts an empty one with a new id: when the
 * store in LMDB is the record and this log is not its log.
 */
int wal_restart(struct wal *w, char *why, size_t whylen);

/* Flushes a directory's own entries (a file made, renamed or removed in it). 0 or -1. */
int wal_sync_dir(const char *dir);

#endif
