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
	char metrics_url[128]; /* http://127.0.0.1:PORT/metrics when started with metrics */
	bool want_metrics;
	/*
	 * jxd_stop checks the store's invariants (invariant.h) before it stops the daemon;
	 * a test whose store is meant to be broken (a restored older copy) sets this.
	 */
	bool no_invariants;
	const char *const *args; /* more daemon options (jxd_opts.args) */
};

/* What jxd_start_opts adds to the daemon's command line. */
struct jxd_opts {
	bool tcp;              /* a tcp listener on a free port, as jxd_start */
	const char *tls_cert;  /* with tls_key: a tls+tcp listener on a free port */
	const char *tls_key;
	bool tls_feed;         /* the feed on tls+tcp://127.0.0.1:0 (any free port), not ipc */
	/* More options for the daemon, NULL-terminated (at most 8); must outlive the test. */
	const char *const *args;
	bool metrics;          /* --metrics on a free port: d->metrics_url */
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
/*
 * Checks the store's invariants (unless d->no_invariants), then SIGTERM, and waits;
 * fails the test unless both hold and the daemon exits 0 within 20 s.
 */
void jxd_stop(struct jxd *d);
/* SIGKILL (a crash), then reaps it; jxd_restart starts it again. */
void jxd_kill(struct jxd *d);
/* Checks the invariants as jxd_stop does, kills the daemon if running, removes the directory. */
void jxd_cleanup(struct jxd *d);

/*
 * Runs jx --server URL ARGS... (NULL-terminated), with stdin from /dev/null.
 * Returns its exit status; *out (if not NULL) gets its stdout and *err its stderr,
 * malloc'd and NUL-terminated.
 */
int jxd_jx(struct jxd *d, char **out, char **err, ...);
/* Same with an argv array. */
int jxd_jxv(struct jxd *d, char **out, char **err, const char *const *args);
/*
 * jxd_jxv with a configuration directory of its own (dir/config-aside): what that jx
 * keeps (checkpoints, known servers) leaves the test's jx untouched.
 */
int jxd_jx_aside(struct jxd *d, char **out, char **err, const char *const *args);

/*
 * A jx started in the background (jxd_jx_start, same arguments as jxd_jxv): the test
 * may signal exactly this pid (never processes found by name), then jxd_jx_wait
 * collects its outputs and exit status as jxd_jxv does.
 */
struct jxd_proc {
	pid_t pid;
	int out_fd, err_fd;
};
void jxd_jx_start(struct jxd *d, struct jxd_proc *p, const char *const *args);
int jxd_jx_wait(struct jxd_proc *p, char **out, char **err);

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
