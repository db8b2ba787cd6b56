/*
 * Runs a real jixiaod for a test: its own mkdtemp directory and ipc path, started
 * from $JIXIAOD, ready when it prints its readiness line (never a sleep). And runs
 * the real jx from $JX against it.
 */
#ifndef JX_TEST_DAEMON_H
#define JX_TEST_DAEMON_H

#include <stdbool.h>
#include <sys/types.h>

#include "client.h"

struct jxd {
	pid_t pid;
	char dir[256];     /* the test's private directory, removed by jxd_cleanup */
	char data[320];    /* dir/data: the store */
	char url[320];     /* ipc://dir/jixiaod.sock */
	char tcp_url[64];  /* tcp://127.0.0.1:PORT when started with tcp */
	char feed_url[320]; /* ipc://dir/feed.sock: the change feed */
	bool tcp;
	int out_fd;        /* the daemon's stdout */
	char tls_url[64];  /* tls+tcp://127.0.0.1:PORT when started with a certificate */
	char tls_cert[320];
	char tls_key[320];
	bool tls_feed;
};

/* What jxd_start_opts adds to the daemon's command line. */
struct jxd_opts {
	bool tcp;              /* a tcp listener on a free port, as jxd_start */
	const char *tls_cert;  /* with tls_key: a tls+tcp listener on a free port */
	const char *tls_key;
	bool tls_feed;         /* the feed on tls+tcp://127.0.0.1:0 (any free port), not ipc */
};

/*
 * Makes the directory, a store with an admin (jixiaod init with a key made for the
 * test: user "admin"), and starts the daemon; tcp adds a tcp listener on a free port.
 * jx runs as admin unless its arguments say --user NAME: then as NAME, with a key
 * made and registered (as an admin) on first use. jxd_user registers other users.
 */
void jxd_start(struct jxd *d, bool tcp);
/* jxd_start with more listeners; the paths are copied. */
void jxd_start_opts(struct jxd *d, const struct jxd_opts *o);
/* Starts the daemon again on the same data directory (after jxd_stop). */
void jxd_restart(struct jxd *d);
/* SIGTERM, then waits; fails the test unless the daemon exits 0 within 20 s. */
void jxd_stop(struct jxd *d);
/* SIGKILL, then waits: the daemon dies without any chance to clean up. */
void jxd_kill(struct jxd *d);
/* Stops the daemon if running and removes the directory. */
void jxd_cleanup(struct jxd *d);

/*
 * Runs jx --server URL ARGS... (NULL-terminated), with stdin from /dev/null.
 * Returns its exit status; *out (if not NULL) gets its stdout and *err its stderr,
 * malloc'd and NUL-terminated.
 */
int jxd_jx(struct jxd *d, char **out, char **err, ...);
/* Same with an argv array. */
int jxd_jxv(struct jxd *d, char **out, char **err, const char *const *args);

/* Makes name's key (dir/keys/NAME.key) and registers name, an admin or not; once. */
void jxd_user(struct jxd *d, const char *name, bool admin);
/* The key file of name (made by jxd_user or --user). */
const char *jxd_key_path(const struct jxd *d, const char *name, char *buf, size_t len);
/*
 * The identity of name for client_open (made and registered as an admin on first
 * use). Valid until the process exits; safe to share with threads once returned.
 */
const struct client_identity *jxd_identity(struct jxd *d, const char *name);

#endif
