#include "server.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nng/nng.h>
#include <nng/protocol/reqrep0/rep.h>
#include <nng/protocol/reqrep0/req.h>
#include <nng/supplemental/util/platform.h>

#include "auth.h"
#include "envelope.h"
#include "err.h"
#include "feed.h"
#include "listen.h"
#include "health.h"
#include "log.h"
#include "metrics.h"
#include "notify.h"
#include "rpc.h"
#include "store.h"
#include "svc.h"
#include "templates.h"
#include "tls.h"
#include "web.h"
#include "writer.h"

/* How long server_close waits for requests in flight. */
#define SERVER_DRAIN_MS 5000

enum worker_state { WORKER_RECV, WORKER_BUSY, WORKER_SEND };

struct server_worker {
	struct server *srv;
	nng_aio *aio;
	nng_ctx ctx;
	enum worker_state state;
};

struct server {
	struct store *store;
	struct auth *auth;
	struct writer *writer;
	struct feed *feed;
	struct rpc *rpc;
	struct web *web;       /* NULL: no --http */
	nng_socket sock;
	bool sock_open;
	nng_tls_config *tls;   /* NULL: no TLS certificate given */
	struct listen *listen; /* every listener, the feed's too */
	struct server_worker *workers;
	unsigned nworkers;
	atomic_int busy;
	atomic_bool stopping;
	struct health *health; /* NULL: no --metrics */
	struct notify_watchdog *watchdog; /* NULL: systemd asks for none */
	char urls[(SERVER_MAX_LISTEN + 2) * 256]; /* listeners, metrics, web */
};

static void
server_worker_reply(void *arg, uint8_t *reply, size_t len)
{
	struct server_worker *w = arg;
	nng_msg *msg;

	if (nng_msg_alloc(&msg, len) != 0) {
		/* Cannot answer: the client's REQ will resend, and idempotency covers it. */
		free(reply);
		log_error("out of memory sending a reply");
		atomic_fetch_sub(&w->srv->busy, 1);
		w->state = WORKER_RECV;
		nng_ctx_recv(w->ctx, w->aio);
		return;
	}
	if (len > 0)
		memcpy(nng_msg_body(msg), reply, len);
	free(reply);
	w->state = WORKER_SEND;
	nng_aio_set_msg(w->aio, msg);
	nng_ctx_send(w->ctx, w->aio);
}

static void
server_worker_cb(void *arg)
{
	struct server_worker *w = arg;
	struct server *s = w->srv;
	nng_msg *msg;
	int rv;

	switch (w->state) {
	case WORKER_RECV:
		if ((rv = nng_aio_result(w->aio)) != 0) {
			if (rv == NNG_ECLOSED || atomic_load(&s->stopping))
				return;
			log_debug("receive: %s", nng_strerror(rv));
			nng_ctx_recv(w->ctx, w->aio);
			return;
		}
		msg = nng_aio_get_msg(w->aio);
		w->state = WORKER_BUSY;
		atomic_fetch_add(&s->busy, 1);
		/* May answer at once (server_worker_reply) or later from the writer. */
		rpc_handle(s->rpc, nng_pipe_id(nng_msg_get_pipe(msg)), nng_msg_body(msg),
		    nng_msg_len(msg), server_worker_reply, w);
		nng_msg_free(msg);
		break;
	case WORKER_SEND:
		if ((rv = nng_aio_result(w->aio)) != 0) {
			if ((msg = nng_aio_get_msg(w->aio)) != NULL)
				nng_msg_free(msg);
			log_debug("send: %s", nng_strerror(rv));
		}
		atomic_fetch_sub(&s->busy, 1);
		if (atomic_load(&s->stopping))
			return;
		w->state = WORKER_RECV;
		nng_ctx_recv(w->ctx, w->aio);
		break;
	case WORKER_BUSY:
		log_error("worker woken while busy");
		break;
	}
}

/* A connection closed: its login ends with it. */
static void
server_pipe_removed(nng_pipe p, nng_pipe_ev ev, void *arg)
{
	struct server *s = arg;

	metrics_connections(-1);
	auth_pipe_closed(s->auth, (uint32_t)nng_pipe_id(p));
}

static void
server_pipe_added(nng_pipe p, nng_pipe_ev ev, void *arg)
{
	metrics_connections(1);
}

/* For /healthz: each plain listener takes a connection (TLS ones are not dialled). */
static int
server_accepting(void *arg, char *why, size_t whylen)
{
	struct server *s = arg;
	char url[256];
	const char *p = s->urls;

	if (atomic_load(&s->stopping)) {
		snprintf(why, whylen, "the server is stopping");
		return JX_EUNAVAIL;
	}
	while (*p != '\0') {
		size_t n = strcspn(p, " ");
		nng_socket probe;
		int rv;
		snprintf(url, sizeof(url), "%.*s", (int)n, p);
		p += n + (p[n] == ' ');
		if (strncmp(url, "tcp://", 6) != 0 && strncmp(url, "ipc://", 6) != 0)
			continue;
		if ((rv = nng_req0_open(&probe)) == 0) {
			rv = nng_dial(probe, url, NULL, 0);
			nng_close(probe);
		}
		if (rv != 0) {
			snprintf(why, whylen, "%s does not accept connections: %s", url,
			    nng_strerror(rv));
			return JX_EUNAVAIL;
		}
	}
	return JX_OK;
}

/* The gauges only the server knows, for the metrics. */
static void
server_gauges(void *arg, FILE *f)
{
	struct server *s = arg;

	fputs("# HELP jixiaod_sessions Connections logged in now.\n"
	      "# TYPE jixiaod_sessions gauge\n", f);
	fprintf(f, "jixiaod_sessions %zu\n", s->auth != NULL ? auth_sessions(s->auth) : 0);
	fputs("# HELP jixiaod_requests_in_flight Requests being served now.\n"
	      "# TYPE jixiaod_requests_in_flight gauge\n", f);
	fprintf(f, "jixiaod_requests_in_flight %d\n", atomic_load(&s->busy));
}

static int
server_listen(struct server *s, const char *url, char *why, size_t whylen)
{
	size_t used = strlen(s->urls);
	char bound[512];
	int rv;

	if (tls_url(url) && s->tls == NULL) {
		snprintf(why, whylen, "%s needs a certificate and key: give --tls-cert FILE "
		    "and --tls-key FILE", url);
		return JX_EINVAL;
	}
	if ((rv = listen_add(s->listen, s->sock, url, bound, sizeof(bound))) != 0) {
		snprintf(why, whylen, "cannot listen on %s: %s", url, nng_strerror(rv));
		return JX_EINVAL;
	}
	snprintf(s->urls + used, sizeof(s->urls) - used, "%s%s", used ? " " : "", bound);
	return JX_OK;
}

static int
server_start_workers(struct server *s, unsigned n)
{
	if ((s->workers = calloc(n, sizeof(*s->workers))) == NULL)
		return JX_EINTERNAL;
	for (unsigned i = 0; i < n; i++) {
		struct server_worker *w = &s->workers[i];
		w->srv = s;
		if (nng_aio_alloc(&w->aio, server_worker_cb, w) != 0 ||
		    nng_ctx_open(&w->ctx, s->sock) != 0) {
			nng_aio_free(w->aio);
			w->aio = NULL;
			return JX_EINTERNAL;
		}
		s->nworkers++;
	}
	for (unsigned i = 0; i < n; i++) {
		s->workers[i].state = WORKER_RECV;
		nng_ctx_recv(s->workers[i].ctx, s->workers[i].aio);
	}
	return JX_OK;
}

/* The web interface on cfg->http: its files, and the RPC and feed over WebSocket. */
static int
server_web(struct server *s, const struct server_config *cfg, char *why, size_t whylen)
{
	struct web_config wc = {
		.url = cfg->http,
		.root = cfg->web_root,
		.tls = s->tls,
		.max_message = cfg->max_message != 0 ? cfg->max_message : ENVELOPE_MAX,
	};
	size_t used = strlen(s->urls);
	int rv;

	if ((rv = web_open(&wc, s->sock, feed_socket(s->feed), &s->web, why, whylen)) != 0)
		return rv;
	snprintf(s->urls + used, sizeof(s->urls) - used, "%s%s", used ? " " : "",
	    web_url(s->web));
	return JX_OK;
}

int
server_open(const struct server_config *cfg, struct server **sp, char *why, size_t whylen)
{
	struct server *s;
	int rv;

	*sp = NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		snprintf(why, whylen, "out of memory");
		return JX_EINTERNAL;
	}
	/* A bad certificate or key stops the start before the store is touched. */
	if (cfg->tls_cert != NULL && cfg->tls_key != NULL &&
	    (rv = tls_server_config(cfg->tls_cert, cfg->tls_key, &s->tls, why, whylen)) != 0)
		goto fail;
	if ((rv = store_open(cfg->data_dir, cfg->map_size, &s->store, why, whylen)) != 0 ||
	    (store_set_max(s->store, cfg->max_store), 0) ||
	    (cfg->snapshot_every != 0 && (store_set_snapshot(s->store,
	    cfg->snapshot_every), 0)) ||
	    (rv = templates_seed(s->store, why, whylen)) != 0 ||
	    (rv = auth_open(s->store, &s->auth, why, whylen)) != 0)
		goto fail;
	if ((rv = writer_start(s->store, &s->writer)) != 0) {
		snprintf(why, whylen, "cannot start the writer thread");
		goto fail;
	}
	if (listen_new(s->tls, &s->listen) != 0) {
		snprintf(why, whylen, "cannot start the listener watchdog");
		rv = JX_EINTERNAL;
		goto fail;
	}
	if ((rv = notify_watchdog_start(s->writer, s->store, &s->watchdog)) != 0) {
		snprintf(why, whylen, "cannot start the watchdog thread");
		goto fail;
	}
	/* The web interface publishes the feed on its own port even without --feed. */
	if ((cfg->feed != NULL || cfg->http != NULL) &&
	    (rv = feed_open(cfg->feed, s->listen, &s->feed, why, whylen)) != 0)
		goto fail;
	svc_files_set_max(cfg->max_evidence);
	if ((rv = rpc_new(s->store, s->writer, s->feed, s->auth, &s->rpc)) != 0) {
		snprintf(why, whylen, "out of memory");
		goto fail;
	}
	rpc_set_max_message(s->rpc, cfg->max_message != 0 ? cfg->max_message : ENVELOPE_MAX);
	if ((rv = nng_rep0_open(&s->sock)) != 0) {
		snprintf(why, whylen, "cannot open the socket: %s", nng_strerror(rv));
		rv = JX_EINTERNAL;
		goto fail;
	}
	s->sock_open = true;
	nng_pipe_notify(s->sock, NNG_PIPE_EV_REM_POST, server_pipe_removed, s);
	nng_pipe_notify(s->sock, NNG_PIPE_EV_ADD_POST, server_pipe_added, s);
	/* nng accepts messages of any size unless told: cap it before any listener. */
	nng_socket_set_size(s->sock, NNG_OPT_RECVMAXSZ,
	    cfg->max_message != 0 ? cfg->max_message : ENVELOPE_MAX);
	if ((rv = server_start_workers(s, cfg->workers != 0 ? cfg->workers
	    : SERVER_DEFAULT_WORKERS)) != 0) {
		snprintf(why, whylen, "cannot start the request workers");
		goto fail;
	}
	for (size_t i = 0; i < cfg->nlisten; i++)
		if ((rv = server_listen(s, cfg->listen[i], why, whylen)) != 0)
			goto fail;
	if (cfg->metrics != NULL) {
		const struct health_hooks hooks = { s, server_gauges, server_accepting };
		size_t used = strlen(s->urls);
		if ((rv = health_open(cfg->metrics, s->store, s->writer, &hooks, &s->health, why,
		    whylen)) != 0)
			goto fail;
		snprintf(s->urls + used, sizeof(s->urls) - used, " %s", health_url(s->health));
	}
	if (cfg->http != NULL && (rv = server_web(s, cfg, why, whylen)) != 0)
		goto fail;
	log_info("serving %s with %u workers, store in %s", s->urls, s->nworkers,
	    cfg->data_dir);
	*sp = s;
	return JX_OK;
fail:
	server_close(s);
	return rv;
}

int
server_reload_tls(struct server *s, const char *cert, const char *key, char *why,
    size_t whylen)
{
	nng_tls_config *tls;
	int rv, reopened = 0;

	if (s->tls == NULL || cert == NULL || key == NULL)
		return JX_OK;
	if ((rv = tls_server_config(cert, key, &tls, why, whylen)) != 0)
		return rv;
	rv = listen_reload_tls(s->listen, tls, &reopened, why, whylen);
	nng_tls_config_free(s->tls);
	s->tls = tls;
	if (rv != 0)
		return JX_EUNAVAIL;
	log_info("TLS certificate reloaded from %s for %d listener%s", cert, reopened,
	    reopened == 1 ? "" : "s");
	return JX_OK;
}
const char *
server_urls(const struct server *s)
{
	return s->urls;
}

void
server_close(struct server *s)
{
	int waited;

	if (s == NULL)
		return;
	atomic_store(&s->stopping, true);
	web_close(s->web);
	/* The feed's listener too: the feed's socket closes later, with the feed. */
	listen_free(s->listen);
	s->listen = NULL;
	health_close(s->health);
	for (waited = 0; atomic_load(&s->busy) > 0 && waited < SERVER_DRAIN_MS; waited += 10)
		nng_msleep(10);
	if (atomic_load(&s->busy) > 0)
		log_warn("%d requests still in flight at shutdown", atomic_load(&s->busy));
	notify_watchdog_stop(s->watchdog);
	/* Every queued write is committed or refused, and answered, before the socket goes. */
	writer_stop(s->writer);
	if (s->sock_open)
		nng_close(s->sock);
	for (unsigned i = 0; i < s->nworkers; i++) {
		nng_aio_stop(s->workers[i].aio);
		nng_aio_free(s->workers[i].aio);
	}
	free(s->workers);
	writer_free(s->writer);
	feed_close(s->feed);
	rpc_free(s->rpc);
	auth_free(s->auth);
	store_close(s->store);
	if (s->tls != NULL)
		nng_tls_config_free(s->tls);
	free(s);
}
