#include "listen.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>

#include <nng/supplemental/util/platform.h>
#include <nng/transport/tcp/tcp.h>

#include "log.h"
#include "tls.h"

struct listen_entry {
	nng_socket sock;
	nng_listener l;
	bool up;          /* false: closed by the watchdog, not yet listening again */
	bool ipc;         /* watched, and listening as PATH.new renamed to PATH */
	int64_t failed;   /* "other" minus "accept" when last seen: see listen_watch */
	unsigned quiet;   /* looks since the last probe */
	char url[512];
	char path[108];   /* ipc: the socket's path (sun_path's size) */
	char tmp[108];    /* ipc: PATH.new, the name nng binds and removes */
};

struct listen {
	nng_tls_config *tls;
	pthread_t thread;
	bool running;
	bool stopping;
	pthread_mutex_t mtx;
	pthread_cond_t cv;
	struct listen_entry entries[LISTEN_MAX];
	size_t n;
	unsigned long restarts;
};

/* The direct child of st called name, or NULL (nng_stat_find also looks further). */
static nng_stat *
listen_stat_child(nng_stat *st, const char *name)
{
	for (nng_stat *c = nng_stat_child(st); c != NULL; c = nng_stat_next(c))
		if (strcmp(nng_stat_name(c), name) == 0)
			return c;
	return NULL;
}

/*
 * The stats scope of listener id under st. nng 1.5.2's nng_stat_find_listener returns
 * the first listener's scope whatever the listener, so compare each scope's "id" (a
 * pipe's scope also has a "listener" item: scopes only).
 */
static nng_stat *
listen_stat_node(nng_stat *st, int id)
{
	nng_stat *c, *found, *idst;

	for (; st != NULL; st = nng_stat_next(st)) {
		if (nng_stat_type(st) != NNG_STAT_SCOPE)
			continue;
		if (strcmp(nng_stat_name(st), "listener") == 0 &&
		    (idst = listen_stat_child(st, "id")) != NULL &&
		    nng_stat_value(idst) == (uint64_t)id)
			return st;
		if ((c = nng_stat_child(st)) != NULL && (found = listen_stat_node(c, id)) != NULL)
			return found;
	}
	return NULL;
}

/* The listener's "accept", "other" and "pipes" counts (0 when nng has none). */
static void
listen_counts(nng_listener l, uint64_t *accepted, uint64_t *other, uint64_t *pipes)
{
	nng_stat *all = NULL, *ls, *st;

	*accepted = *other = *pipes = 0;
	if (nng_stats_get(&all) != 0)
		return;
	if ((ls = listen_stat_node(all, nng_listener_id(l))) != NULL) {
		if ((st = listen_stat_child(ls, "accept")) != NULL)
			*accepted = nng_stat_value(st);
		if ((st = listen_stat_child(ls, "other")) != NULL)
			*other = nng_stat_value(st);
		if ((st = listen_stat_child(ls, "pipes")) != NULL)
			*pipes = nng_stat_value(st);
	}
	nng_stats_free(all);
}

/*
 * Failed handshakes that nng counts as "other" errors, plus a constant: an accepted
 * connection counts under "accept" and "pipes", and when it closes it leaves "pipes"
 * for "other"; a handshake the peer hung up on counts only under "other".
 */
static int64_t
listen_failed_now(nng_listener l)
{
	uint64_t accepted, other, pipes;

	listen_counts(l, &accepted, &other, &pipes);
	return (int64_t)(other + pipes - accepted);
}

/*
 * listen_failed_now once two looks agree: a closing connection leaves "pipes" and
 * enters "other" one after the other, and a baseline taken in between would be off.
 */
static int64_t
listen_failed(nng_listener l)
{
	int64_t a = listen_failed_now(l), b;

	for (int i = 0; i < 5 && (nng_msleep(5), b = listen_failed_now(l)) != a; i++)
		a = b;
	return a;
}

/*
 * Whether e's listener still hands connections to its socket: connect to its path, say
 * the SP handshake as its peer protocol would (REQ to REP, SUB to PUB), read the
 * listener's, and see its "accept" count move within LISTEN_PROBE_MS. A stopped
 * listener still completes the transport's handshake, so only the count tells. A plain
 * unix socket rather than an nng dialer: closing an nng socket whose dial raced a
 * stopping listener could block the watchdog for good (seen with nng 1.5.2).
 */
static bool
listen_alive(struct listen_entry *e)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	struct timeval tv = { 0, LISTEN_PROBE_MS * 1000 };
	uint8_t hello[8] = { 0, 'S', 'P', 0, 0, 0, 0, 0 }, theirs[8];
	uint64_t before, now, other, pipes;
	bool alive = false;
	int fd, proto;

	if (nng_socket_get_int(e->sock, NNG_OPT_PEER, &proto) != 0 ||
	    strlen(e->path) >= sizeof(a.sun_path))
		return true;
	hello[4] = (uint8_t)(proto >> 8);
	hello[5] = (uint8_t)proto;
	memcpy(a.sun_path, e->path, strlen(e->path) + 1);
	listen_counts(e->l, &before, &other, &pipes);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return true;
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
	    send(fd, hello, sizeof(hello), MSG_NOSIGNAL) == (ssize_t)sizeof(hello) &&
	    recv(fd, theirs, sizeof(theirs), MSG_WAITALL) == (ssize_t)sizeof(theirs)) {
		for (int waited = 0; waited < LISTEN_PROBE_MS && !alive; waited += 10) {
			listen_counts(e->l, &now, &other, &pipes);
			alive = now != before;
			if (!alive)
				nng_msleep(10);
		}
	}
	close(fd);
	return alive;
}

/*
 * Listens on e's ipc path without a moment when nothing listens there (a client dialing
 * then would be told the server is not running). nng removes a listener's path when
 * it closes, whoever's socket is there by then, so every listener binds PATH.new and
 * is renamed over PATH: the old one, closing later, removes a PATH.new that is gone.
 */
static int
listen_ipc(struct listen *ls, struct listen_entry *e, nng_listener *lp)
{
	char url[sizeof(e->tmp) + 8];
	int rv;

	snprintf(url, sizeof(url), "ipc://%s", e->tmp);
	unlink(e->tmp);
	if ((rv = tls_listen(e->sock, url, ls->tls, lp)) != 0)
		return rv;
	if (rename(e->tmp, e->path) != 0) {
		rv = NNG_ESYSERR | errno;
		nng_listener_close(*lp);
		return rv;
	}
	return 0;
}

/* Replaces a listener that stopped accepting by a new one on the same address. */
static void
listen_restart(struct listen *ls, struct listen_entry *e)
{
	nng_listener l;
	int rv;

	if (e->up) {
		log_warn("the listener on %s stopped accepting after a client hung up during "
		    "the handshake (nng 1.5.2, issue 1518): starting it again; its clients "
		    "reconnect", e->url);
		ls->restarts++;
	}
	if ((rv = listen_ipc(ls, e, &l)) != 0) {
		log_error("cannot listen on %s again: %s; trying again", e->url,
		    nng_strerror(rv));
		return;
	}
	/* Its connections, stuck or not, close; their clients dial the new one. */
	if (e->up)
		nng_listener_close(e->l);
	e->l = l;
	e->up = true;
	e->failed = listen_failed(e->l);
}

static void *
listen_watch(void *arg)
{
	struct listen *ls = arg;
	struct timespec until;
	int64_t failed;

	pthread_mutex_lock(&ls->mtx);
	while (!ls->stopping) {
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += (long)LISTEN_WATCH_MS * 1000000L;
		until.tv_sec += until.tv_nsec / 1000000000L;
		until.tv_nsec %= 1000000000L;
		pthread_cond_timedwait(&ls->cv, &ls->mtx, &until);
		for (size_t i = 0; i < ls->n && !ls->stopping; i++) {
			struct listen_entry *e = &ls->entries[i];
			if (!e->ipc)
				continue;
			if (!e->up) {
				listen_restart(ls, e);
				continue;
			}
			/*
			 * A handshake failed since the last look: is the listener still there?
			 * The count taken before the probe becomes the baseline, so a failure
			 * during or after the probe moves it again and is looked at next time.
			 */
			if ((failed = listen_failed_now(e->l)) == e->failed &&
			    ++e->quiet < LISTEN_PROBE_EVERY_MS / LISTEN_WATCH_MS)
				continue;
			e->quiet = 0;
			if (listen_alive(e))
				e->failed = failed;
			else
				listen_restart(ls, e);
		}
	}
	pthread_mutex_unlock(&ls->mtx);
	return NULL;
}

int
listen_new(nng_tls_config *tls, struct listen **lp)
{
	struct listen *ls;

	*lp = NULL;
	if ((ls = calloc(1, sizeof(*ls))) == NULL)
		return NNG_ENOMEM;
	ls->tls = tls;
	pthread_mutex_init(&ls->mtx, NULL);
	pthread_cond_init(&ls->cv, NULL);
	if (pthread_create(&ls->thread, NULL, listen_watch, ls) != 0) {
		listen_free(ls);
		return NNG_ENOMEM;
	}
	ls->running = true;
	*lp = ls;
	return 0;
}

/* True when something accepts connections on the unix socket at path. */
static bool
listen_ipc_in_use(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	bool used;
	int fd;

	if (strlen(path) >= sizeof(a.sun_path) ||
	    (fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return false;
	memcpy(a.sun_path, path, strlen(path) + 1);
	used = connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
	close(fd);
	return used;
}

int
listen_add(struct listen *ls, nng_socket sock, const char *url, char *bound, size_t boundlen)
{
	struct listen_entry *e;
	const char *colon;
	int rv, port;

	pthread_mutex_lock(&ls->mtx);
	if (ls->n == LISTEN_MAX) {
		rv = NNG_ENOSPC;
		goto out;
	}
	e = &ls->entries[ls->n];
	memset(e, 0, sizeof(*e));
	if (strlen(url) >= sizeof(e->url)) {
		rv = NNG_EADDRINVAL;
		goto out;
	}
	snprintf(e->url, sizeof(e->url), "%s", url);
	e->sock = sock;
	e->ipc = strncmp(url, "ipc://", 6) == 0;
	if (e->ipc) {
		if (strlen(url + 6) + 5 > sizeof(e->path) - 1) {
			rv = NNG_EADDRINVAL;
			goto out;
		}
		snprintf(e->path, sizeof(e->path), "%s", url + 6);
		snprintf(e->tmp, sizeof(e->tmp), "%s.new", url + 6);
		/* Renaming over PATH would steal another server's socket: refuse as nng does. */
		if (listen_ipc_in_use(e->path)) {
			rv = NNG_EADDRINUSE;
			goto out;
		}
		rv = listen_ipc(ls, e, &e->l);
	} else {
		rv = tls_listen(sock, url, ls->tls, &e->l);
	}
	if (rv != 0)
		goto out;
	e->up = true;
	e->failed = e->ipc ? listen_failed(e->l) : 0;
	ls->n++;
	/* tcp://host:0 asks for any free port: clients need the one we got. */
	colon = strrchr(url, ':');
	if ((strncmp(url, "tcp://", 6) == 0 || strncmp(url, "tls+tcp://", 10) == 0) &&
	    colon != NULL && nng_listener_get_int(e->l, NNG_OPT_TCP_BOUND_PORT, &port) == 0)
		snprintf(e->url, sizeof(e->url), "%.*s:%d", (int)(colon - url), url, port);
	snprintf(bound, boundlen, "%s", e->url);
out:
	pthread_mutex_unlock(&ls->mtx);
	return rv;
}

int
listen_reload_tls(struct listen *ls, nng_tls_config *tls, int *reopened, char *why,
    size_t whylen)
{
	int rv = 0;

	*reopened = 0;
	pthread_mutex_lock(&ls->mtx);
	ls->tls = tls;
	for (size_t i = 0; i < ls->n && rv == 0; i++) {
		struct listen_entry *e = &ls->entries[i];

		if (!tls_url(e->url) || !e->up)
			continue;
		nng_listener_close(e->l);
		if ((rv = tls_listen(e->sock, e->url, tls, &e->l)) != 0) {
			/* Not watched: it stays down, and /healthz says so. */
			e->up = false;
			snprintf(why, whylen, "cannot listen on %s again: %s", e->url,
			    nng_strerror(rv));
		} else {
			(*reopened)++;
		}
	}
	pthread_mutex_unlock(&ls->mtx);
	return rv;
}

unsigned long
listen_restarts(struct listen *ls)
{
	unsigned long n;

	pthread_mutex_lock(&ls->mtx);
	n = ls->restarts;
	pthread_mutex_unlock(&ls->mtx);
	return n;
}

void
listen_free(struct listen *ls)
{
	if (ls == NULL)
		return;
	pthread_mutex_lock(&ls->mtx);
	ls->stopping = true;
	pthread_cond_signal(&ls->cv);
	pthread_mutex_unlock(&ls->mtx);
	if (ls->running)
		pthread_join(ls->thread, NULL);
	for (size_t i = 0; i < ls->n; i++) {
		if (!ls->entries[i].up)
			continue;
		nng_listener_close(ls->entries[i].l);
		/* nng removed the name it listened under, not the one it was renamed to. */
		if (ls->entries[i].ipc)
			unlink(ls->entries[i].path);
	}
	pthread_cond_destroy(&ls->cv);
	pthread_mutex_destroy(&ls->mtx);
	free(ls);
}
