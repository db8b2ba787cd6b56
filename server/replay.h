/*
 * Start-up and stop of the store against its log (wal.c): which of the two to trust,
 * catching LMDB up, rebuilding it, and the marker of an unclean stop.
 *
 * LMDB commits are not synced while the daemon runs (the log is), so its file on the
 * device is current only after a clean stop. The marker dir/unclean, holding the
 * kernel's boot id, is on the device before the first such commit and removed after a
 * clean stop's sync. At start-up:
 *   - no marker: the last stop was clean; LMDB is trusted;
 *   - the marker of this boot: the process died (kill -9, a crash) but the machine did
 *     not, so every commit LMDB made is in the page cache: trusted, and caught up from
 *     the log (at most the batch in flight);
 *   - the marker of another boot (or no boot id): the machine stopped (a power loss):
 *     LMDB's file may hold any mix of its pages, so it is set aside as data.mdb.untrusted
 *     and rebuilt from the log, with a progress line; once the rebuild is done and on
 *     the device, the file set aside is removed (a rebuild that stops half way keeps it,
 *     and the next start begins again).
 * A rebuild starts from the log's newest snapshot (snapshot.h) when it has one, put in
 * place as data.mdb, and from an empty store otherwise; so does a start with no
 * data.mdb. A store behind the first record its log still holds is refused, with
 * what to do. A trusted store whose log position is behind the log is caught up; an empty store with
 * a log is rebuilt; a store with records but no log of its own (a store from before the
 * log, or restored from a copy) becomes the first records of a new log, any other log
 * being moved aside.
 */
#ifndef JX_REPLAY_H
#define JX_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fsck.h"
#include "store.h"
#include "wal.h"

enum replay_trust {
	REPLAY_CLEAN,   /* no marker */
	REPLAY_CRASHED, /* this boot's marker: the process died */
	REPLAY_REBUILD, /* another boot's marker, or no data.mdb: rebuild from the log */
};

/*
 * Before LMDB opens: opens the log (cutting a torn tail), reads the marker and, for a
 * rebuild, moves LMDB's file aside. Returns 0 or an error, with a sentence in why.
 */
int replay_prepare(const char *dir, struct wal **wp, enum replay_trust *trust, char *why,
    size_t whylen);
/*
 * After LMDB opens: brings it to the log's end (or the log to it), then puts the marker
 * down and switches LMDB to unsynced commits. Returns 0 or an error, with why.
 */
int replay_recover(struct store *s, struct wal *w, enum replay_trust trust, char *why,
    size_t whylen);
/* After a clean stop's sync: removes the marker. */
void replay_clean(const char *dir);

/* What replay_check found of a data directory's log, its snapshot and the store's place in it. */
struct replay_check {
	struct wal_check_report log;
	bool has_snapshot;
	uint64_t snapshot;   /* the newest snapshot's record */
	bool has_position;
	uint64_t position;   /* the record the store has applied */
};
/*
 * jixiaod check's part for the log, without changing anything: the log reads whole
 * (wal_check), the store's position and the newest snapshot's are inside it, and the
 * records before the log's first are in that snapshot. Calls problem for each thing
 * wrong, with a sentence; returns how many.
 */
unsigned replay_check(struct store *s, const char *dir, fsck_problem_fn problem, void *arg,
    struct replay_check *c);

#endif
