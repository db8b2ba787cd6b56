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

#include <nng/transport/tcp/tcp.h>

#include "log.h"
#include "tls.h"

struct listen_entry {
	nng_socket sock;
	nng_listener l;
	bool up;          /* false: closed by the watchdog, not yet listening again */
	bool watched;     /* ipc:// only, see listen.h */
	bool moved;       /* listening under another name, renamed to the url's path */
	uint64_t other;   /* the listener's "other" error count when last seen */
	char url[512];
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

/* The listener's count of accepts that failed for a reason nng files under "other". */
static uint64_t
listen_other_errors(nng_listener l)
{
	nng_stat *all = NULL, *ls, *st;
	uint64_t v = 0;

	if (nng_stats_get(&all) != 0)
		return 0;
	if ((ls = listen_stat_node(all, nng_listener_id(l))) != NULL &&
	    (st = listen_stat_child(ls, "other")) != NULL)
		v = nng_stat_value(st);
	nng_stats_free(all);
	return v;
}

/*
 * Replaces the stopped ipc listener of e without a moment when nothing listens at its
 * path (a client dialing then would be told the server is not running). nng unlinks
 * a listener's path when it closes, whoever's socket is there by then, so: listen at
 * PATH.new, rename it over PATH (new clients now reach the new listener), give it the
 * name PATH.new again, close the old listener (which unlinks PATH), and rename
 * PATH.new back to PATH. Returns 0 or an nng error (nothing changed).
 */
static int
listen_replace(struct listen *ls, struct listen_entry *e)
{
	const char *path = e->url + strlen("ipc://");
	char url[sizeof(e->url) + 8], tmp[sizeof(e->url) + 8];
	nng_listener l;
	int rv;

	snprintf(url, sizeof(url), "%s.new", e->url);
	snprintf(tmp, sizeof(tmp), "%s.new", path);
	if (strlen(tmp) >= 108) /* sun_path */
		return NNG_EADDRINVAL;
	unlink(tmp);
	if ((rv = tls_listen(e->sock, url, ls->tls, &l)) != 0)
		return rv;
	if (rename(tmp, path) != 0 || link(path, tmp) != 0) {
		rv = NNG_ESYSERR | errno;
		nng_listener_close(l);
		return rv;
	}
	nng_listener_close(e->l);
	if (rename(tmp, path) != 0)
		log_error("cannot put the socket %s back in place: %s", path, strerror(errno));
	e->l = l;
	e->moved = true;
	return 0;
}

/* Closes a listener that stopped accepting and listens on its address again. */
static void
listen_restart(struct listen *ls, struct listen_entry *e)
{
	int rv;

	if (e->up) {
		log_warn("the listener on %s stopped accepting after a client hung up during "
		    "the handshake (nng 1.5.2, issue 1518): starting it again; its clients "
		    "reconnect", e->url);
		ls->restarts++;
		if (listen_replace(ls, e) == 0) {
			e->other = listen_other_errors(e->l);
			return;
		}
		/* No second name to be had: close, then listen again. */
		nng_listener_close(e->l);
		e->up = false;
	}
	if ((rv = tls_listen(e->sock, e->url, ls->tls, &e->l)) != 0) {
		log_error("cannot listen on %s again: %s; trying again", e->url,
		    nng_strerror(rv));
		return;
	}
	e->up = true;
	e->moved = false;
	e->other = listen_other_errors(e->l);
	log_info("listening on %s again", e->url);
}

static void *
listen_watch(void *arg)
{
	struct listen *ls = arg;
	struct timespec until;

	pthread_mutex_lock(&ls->mtx);
	while (!ls->stopping) {
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += (long)LISTEN_WATCH_MS * 1000000L;
		until.tv_sec += until.tv_nsec / 1000000000L;
		until.tv_nsec %= 1000000000L;
		pthread_cond_timedwait(&ls->cv, &ls->mtx, &until);
		for (size_t i = 0; i < ls->n && !ls->stopping; i++) {
			struct listen_entry *e = &ls->entries[i];
			if (e->watched && (!e->up || listen_other_errors(e->l) != e->other))
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
	e->watched = strncmp(url, "ipc://", 6) == 0;
	if ((rv = tls_listen(sock, url, ls->tls, &e->l)) != 0)
		goto out;
	e->up = true;
	e->other = e->watched ? listen_other_errors(e->l) : 0;
	ls->n++;
	/* tcp://host:0 asks for any free port: clients need the one we got. */
	colon = strrchr(url, ':');
	if ((strncmp(url, "tcp://", 6) == 0 || strncmp(url, "tls+tcp://", 10) == 0) &&
	    colon != NULL && nng_listener_get_int(e->l, NNG_OPT_TCP_BOUND_PORT, &port) == 0)
		snprintf(bound, boundlen, "%.*s:%d", (int)(colon - url), url, port);
	else
		snprintf(bound, boundlen, "%s", url);
out:
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
		if (ls->entries[i].moved)
			unlink(ls->entries[i].url + strlen("ipc://"));
	}
	pthread_cond_destroy(&ls->cv);
	pthread_mutex_destroy(&ls->mtx);
	free(ls);
}
