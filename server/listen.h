/*
 * The daemon's listeners, watched. Every --listen address and the feed's are made
 * here, so that one watchdog can keep them accepting.
 *
 * Why a watchdog: nng 1.5.2 (Debian 12's) has a bug in its ipc:// transport (nng
 * issue 1518, fixed in 1.5.3): a peer that hangs up during the 8-byte SP handshake
 * makes the listener stop accepting for good, silently. Connections then still
 * complete their handshake but never reach the socket, so every later client hangs.
 * The only trace is in the listener's statistics: a failed handshake counts as an
 * "other" error without an "accept". The watchdog reads them every LISTEN_WATCH_MS;
 * after such a failure it dials the listener itself and, if the connection is not
 * accepted within LISTEN_PROBE_MS, replaces the listener by a new one on the same
 * address (the old one's connections close, and their clients dial again), saying so
 * in the log. The statistics do not tell every time (a wedge can land between two
 * looks that a probe just re-based), so each ipc listener is also probed every
 * LISTEN_PROBE_EVERY_MS whatever they say. tcp:// and tls+tcp:// are not affected and
 * not touched.
 */
#ifndef JX_LISTEN_H
#define JX_LISTEN_H

#include <stddef.h>

#include <nng/nng.h>
#include <nng/supplemental/tls/tls.h>

/* How often the watchdog looks, in milliseconds. */
#define LISTEN_WATCH_MS 200
/* How long an accepted probe may take to reach the socket before the listener is
 * taken for stopped. */
#define LISTEN_PROBE_MS 250
/* How often an ipc listener is probed even when its statistics look clean. */
#define LISTEN_PROBE_EVERY_MS 600
/* Most listeners one set holds (every --listen and the feed). */
#define LISTEN_MAX 16

struct listen;

/* A set with its watchdog running. tls (may be NULL) is used by tls+tcp:// urls. */
int listen_new(nng_tls_config *tls, struct listen **lp);

/*
 * Listens on url for sock. bound gets the URL clients dial, a tcp port 0 replaced by
 * the port the system chose. Returns 0, or an nng error (NNG_EINVAL also when a TLS
 * url has no certificate, NNG_ENOSPC when the set is full).
 */
int listen_add(struct listen *ls, nng_socket sock, const char *url, char *bound,
    size_t boundlen);

/*
 * Listens again on every tls+tcp:// address (the feed's too) with tls, which the set
 * uses from now on; the caller keeps owning it. nng 1.5 cannot change a configuration
 * in use, so each TLS listener is closed and opened again on the same address: the
 * connections it had accepted close and their clients reconnect; plain listeners are
 * not touched. reopened counts them. Returns 0, or an nng error with why.
 */
int listen_reload_tls(struct listen *ls, nng_tls_config *tls, int *reopened, char *why,
    size_t whylen);

/* Listeners re-created by the watchdog since listen_new. */
unsigned long listen_restarts(struct listen *ls);

/* Stops the watchdog and closes every listener (not the sockets). Accepts NULL. */
void listen_free(struct listen *ls);

#endif
