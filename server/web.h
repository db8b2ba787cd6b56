/*
 * The web interface's listener: one http:// or https:// host:port served by nng's HTTP
 * server. It serves the browser app's files from a directory, the wire contract
 * (/jixiao.proto, compiled in, so it is always the one this daemon speaks) and the
 * method table (/methods.json, from methods.c: which calls write, who may make them), and on the
 * same port the RPC over nng's WebSocket transport (ws://…/rpc into the daemon's REP
 * socket: the same dispatch, caps, login and authorisation as every listener) and the
 * change feed (ws://…/feed, the feed's PUB socket).
 *
 * Every response it writes carries the security headers (a strict Content-Security-
 * Policy with no inline script and frame-ancestors 'none', nosniff, no referrer). A
 * WebSocket whose Origin is not this listener's own is closed before it is used:
 * browsers always send Origin, so another site's page cannot use a visitor's browser
 * to reach the daemon.
 */
#ifndef JX_WEB_H
#define JX_WEB_H

#include <stdbool.h>
#include <stddef.h>

#include <nng/nng.h>
#include <nng/supplemental/tls/tls.h>

/* The largest file of the app served, in bytes. */
#define WEB_MAX_FILE ((size_t)8 << 20)
/* The longest request path served. */
#define WEB_MAX_PATH 256

struct web_config {
	const char *url;        /* http://host:port or https://host:port (port 0: any) */
	const char *root;       /* the app's directory (index.html, *.js, vendor/…) */
	nng_tls_config *tls;    /* required for https://, else ignored */
	size_t max_message;     /* the largest RPC message (and WebSocket frame) accepted */
};

struct web;

/* True when url is one web_open takes (http:// or https://). */
bool web_url_ok(const char *url);

/*
 * Starts serving on cfg->url: the files, /jixiao.proto, ws://…/rpc on rpc (a REP
 * socket) and ws://…/feed on feed (a PUB socket). Returns 0, or an error with a plain
 * sentence in why; nothing is left running on failure. The sockets stay the caller's;
 * close the web before them.
 */
int web_open(const struct web_config *cfg, nng_socket rpc, nng_socket feed, struct web **wp,
    char *why, size_t whylen);
/* The URL a browser opens, port 0 resolved. */
const char *web_url(const struct web *w);
/* Stops the listeners and the HTTP server. Accepts NULL. */
void web_close(struct web *w);

/*
 * Whether a request path names a file of the app: '/' and then segments of
 * [A-Za-z0-9_.-] that do not start with '.', joined by single '/' (no "..", no
 * encoded characters, no query string), at most WEB_MAX_PATH long. Exposed for tests.
 */
bool web_path_ok(const char *path);

#endif
