/*
 * The daemon as a whole: the store, the writer, the change feed, and an nng REP
 * socket served by many contexts at once, each one request in flight.
 */
#ifndef JX_SERVER_H
#define JX_SERVER_H

#include <stddef.h>

#define SERVER_MAX_LISTEN 8
#define SERVER_DEFAULT_WORKERS 256

struct server_config {
	const char *data_dir;
	const char *listen[SERVER_MAX_LISTEN];
	size_t nlisten;
	const char *feed;      /* NULL: no change feed */
	size_t map_size;       /* 0: the store's default */
	size_t max_store;      /* 0: the map grows as far as the disk allows */
	size_t snapshot_every; /* 0: SNAPSHOT_EVERY */
	size_t max_message;    /* 0: ENVELOPE_MAX */
	unsigned workers;      /* 0: SERVER_DEFAULT_WORKERS */
	size_t max_evidence;   /* 0: SVC_FILES_DEFAULT_MAX */
	const char *tls_cert;  /* PEM certificate for tls+tcp:// listeners and feed */
	const char *tls_key;   /* PEM private key; may be the same file as tls_cert */
	const char *metrics;   /* http://HOST:PORT/PATH for metrics and /healthz, or NULL */
	const char *http;      /* NULL, or http(s)://host:port for the web interface */
	const char *web_root;  /* the web app's directory (with http) */
};

struct server;

/*
 * Opens the store and starts serving every listen URL. Returns 0, or an error with a
 * plain sentence in why; nothing is left running on failure.
 */
int server_open(const struct server_config *cfg, struct server **sp, char *why, size_t whylen);
/*
 * Reads the certificate and key again (after a renewal) and serves them on every
 * tls+tcp:// listener; plain listeners and their connections are untouched. A bad file
 * keeps the old certificate and returns an error with why. The change feed keeps the
 * certificate it started with.
 */
int server_reload_tls(struct server *s, const char *cert, const char *key, char *why,
    size_t whylen);
/* The URLs being served, port 0 resolved, separated by spaces. */
const char *server_urls(const struct server *s);
/*
 * Stops cleanly: no new connections, requests in flight answered (or failed when
 * they do not finish in time), every write durable or refused, the store closed.
 * Accepts NULL.
 */
void server_close(struct server *s);

#endif
