/*
 * systemd's service notification protocol (sd_notify(3)), spoken directly: a datagram
 * to $NOTIFY_SOCKET. READY=1 once the listeners accept, STOPPING=1 at shutdown,
 * RELOADING=1 around a reload, and WATCHDOG=1 keep-alives while the writer's loop
 * commits (WatchdogSec=). Outside systemd ($NOTIFY_SOCKET unset) all of it does nothing.
 */
#ifndef JX_NOTIFY_H
#define JX_NOTIFY_H

#include "store.h"
#include "writer.h"

/* Sends state ("READY=1\nSTATUS=..."); 0, or -1 when it could not (logged). */
int notify_send(const char *state);

struct notify_watchdog;

/*
 * When systemd asks for keep-alives ($WATCHDOG_USEC, for this process), starts a thread
 * that every half interval sends a probe through the writer and WATCHDOG=1 once it
 * commits: a wedged writer stops the keep-alives and systemd restarts the daemon.
 * *wp is NULL when no watchdog is asked for. Returns 0 or JX_EINTERNAL.
 */
int notify_watchdog_start(struct writer *w, struct store *s, struct notify_watchdog **wp);
/* Stops the thread. Accepts NULL. */
void notify_watchdog_stop(struct notify_watchdog *wd);

#endif
