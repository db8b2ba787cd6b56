/*
 * A probe of the writer: a job through its queue, as a client's write would go, that
 * proves its loop runs (the systemd watchdog) and, with write set, that the store
 * commits a write durably (/healthz).
 */
#ifndef JX_PROBE_H
#define JX_PROBE_H

#include <stdbool.h>
#include <stddef.h>

#include "store.h"
#include "writer.h"

/*
 * Sends a probe through w and waits up to timeout_ms for its batch to commit. With
 * write, the probe stores the time under the meta key "health". Returns 0, or an error
 * with a sentence in why (JX_EUNAVAIL when it did not finish in time).
 */
int probe_writer(struct writer *w, struct store *s, bool write, unsigned timeout_ms, char *why,
    size_t whylen);

#endif
