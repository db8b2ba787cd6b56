/*
 * The flusher: LMDB's file to the device in the background, about once a second while
 * the store changes. Commits do not flush LMDB (the log makes them durable), so without
 * it every page a run dirtied would wait for the clean stop's flush, which could then
 * take long on a busy disk; with it the stop flushes about a second of changes. The
 * flush makes nothing durable that was not already (the log did): it only bounds what
 * is left to write.
 */
#ifndef JX_FLUSHER_H
#define JX_FLUSHER_H

#include <stdint.h>

#define FLUSHER_INTERVAL_MS 1000

struct flusher;

/*
 * Starts the thread. changed() returns a number that moves when the store changes;
 * flush() writes LMDB's file to the device. Returns 0 or JX_EINTERNAL.
 */
int flusher_start(uint64_t (*changed)(void *arg), int (*flush)(void *arg), void *arg,
    struct flusher **fp);
/* Stops and frees the thread (it finishes a flush in progress). Accepts NULL. */
void flusher_stop(struct flusher *f);

#endif
