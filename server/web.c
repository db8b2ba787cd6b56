#include "web.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nng/supplemental/http/http.h>
#include <nng/transport/ws/websocket.h>

#include "err.h"
#include "log.h"
#include "methods.h"

/* The wire contract, compiled in from proto/jixiao.proto (web-proto.c, generated). */
extern const unsigned char web_proto[];
extern const size_t web_proto_len;

#define WEB_RPC_PATH "/rpc"
#define WEB_FEED_PATH "/feed"

/*
 * No inline script or style, nothing from elsewhere: scripts, styles and connections
 * ('self' covers ws:// and wss:// to this host:port) only from this origin; no frames.
 */
#define WEB_CSP "default-src 'none'; script-src 'self'; style-src 'self'; " \
	"img-src 'self' data: blob:; connect-src 'self'; font-src 'self'; " \
	"manifest-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

struct web {
	nng_http_server *http;
	nng_http_handler *files;
	nng_listener rpc_l, feed_l;
	bool files_added, http_started;
	nng_socket rpc, feed;
	bool tls;
	bool wildcard;          /* listening on 0.0.0.0 or [::]: any host name reaches it */
	char *methods;          /* methods_json(): the method table for the app */
	char root[1024];
	char url[256];
};

bool
web_url_ok(const char *url)
{
	return strncmp(url, "http://", 7) == 0 || strncmp(url, "https://", 8) == 0;
}

bool
web_path_ok(const char *path)
{
	size_t len = strnlen(path, WEB_MAX_PATH + 1);

	if (len == 0 || len > WEB_MAX_PATH || path[0] != '/')
		return false;
	for (size_t i = 1; i < len; i++) {
		char c = path[i], prev = path[i - 1];
		bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '_' || c == '-';

		if (c == '/' && prev != '/')
			continue;
		if (c == '.' && prev != '/')
			continue;
		if (!plain)
			return false;
	}
	return true;
}

static const char *
web_content_type(const char *path)
{
	static const struct {
		const char *ext, *type;
	} types[] = {
		{ ".html", "text/html; charset=utf-8" },
		{ ".js", "text/javascript; charset=utf-8" },
		{ ".mjs", "text/javascript; charset=utf-8" },
		{ ".css", "text/css; charset=utf-8" },
		{ ".json", "application/json" },
		{ ".proto", "text/plain; charset=utf-8" },
		{ ".svg", "image/svg+xml" },
		{ ".png", "image/png" },
		{ ".ico", "image/x-icon" },
		{ ".txt", "text/plain; charset=utf-8" },
	};
	size_t len = strlen(path);

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		size_t n = strlen(types[i].ext);
		if (len > n && strcmp(path + len - n, types[i].ext) == 0)
			return types[i].type;
	}
	return NULL;
}

/* The headers every response of ours carries. */
static int
web_headers(nng_http_res *res, bool tls)
{
	int rv;

	if ((rv = nng_http_res_set_header(res, "Content-Security-Policy", WEB_CSP)) != 0 ||
	    (rv = nng_http_res_set_header(res, "X-Content-Type-Options", "nosniff")) != 0 ||
	    (rv = nng_http_res_set_header(res, "Referrer-Policy", "no-referrer")) != 0 ||
	    (rv = nng_http_res_set_header(res, "X-Frame-Options", "DENY")) != 0 ||
	    (rv = nng_http_res_set_header(res, "Cross-Origin-Opener-Policy", "same-origin")) !=
	    0 ||
	    (rv = nng_http_res_set_header(res, "Cross-Origin-Resource-Policy", "same-origin")) !=
	    0 ||
	    (rv = nng_http_res_set_header(res, "Cache-Control", "no-cache")) != 0)
		return rv;
	if (tls)
		rv = nng_http_res_set_header(res, "Strict-Transport-Security", "max-age=31536000");
	return rv;
}

/* A whole response: status, our headers, a body (copied). */
static int
web_respond(struct web *w, nng_aio *aio, uint16_t status, const char *type, const void *body,
    size_t len)
{
	nng_http_res *res;
	int rv;

	if ((rv = nng_http_res_alloc(&res)) != 0)
		return rv;
	if ((rv = nng_http_res_set_status(res, status)) != 0 ||
	    (rv = web_headers(res, w->tls)) != 0 ||
	    (rv = nng_http_res_set_header(res, "Content-Type", type)) != 0 ||
	    (rv = nng_http_res_copy_data(res, body, len)) != 0) {
		nng_http_res_free(res);
		return rv;
	}
	nng_aio_set_output(aio, 0, res);
	nng_aio_finish(aio, 0);
	return 0;
}

static void
web_error(struct web *w, nng_aio *aio, uint16_t status, const char *text)
{
	if (web_respond(w, aio, status, "text/plain; charset=utf-8", text, strlen(text)) != 0)
		nng_aio_finish(aio, NNG_ENOMEM);
}

/* Reads root/path whole (a regular file, at most WEB_MAX_FILE). 0, or an HTTP status. */
static uint16_t
web_read(const struct web *w, const char *path, char **datap, size_t *lenp)
{
	char full[sizeof(w->root) + WEB_MAX_PATH + 16];
	struct stat st;
	size_t used = 0;
	char *data = NULL;
	ssize_t n;
	int fd;
	uint16_t status = NNG_HTTP_STATUS_NOT_FOUND;

	if ((size_t)snprintf(full, sizeof(full), "%s%s", w->root, path) >= sizeof(full))
		return NNG_HTTP_STATUS_NOT_FOUND;
	/* No symbolic links: what is served is what was installed, nothing it points at. */
	if ((fd = open(full, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0)
		return NNG_HTTP_STATUS_NOT_FOUND;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
		goto out;
	if ((size_t)st.st_size > WEB_MAX_FILE) {
		log_warn("web: %s is larger than %zu bytes; not served", full, WEB_MAX_FILE);
		status = NNG_HTTP_STATUS_INTERNAL_SERVER_ERROR;
		goto out;
	}
	if ((data = malloc((size_t)st.st_size + 1)) == NULL) {
		status = NNG_HTTP_STATUS_INTERNAL_SERVER_ERROR;
		goto out;
	}
	while (used < (size_t)st.st_size &&
	    (n = read(fd, data + used, (size_t)st.st_size - used)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			status = NNG_HTTP_STATUS_INTERNAL_SERVER_ERROR;
			goto out;
		}
		used += (size_t)n;
	}
	*datap = data;
	*lenp = used;
	data = NULL;
	status = 0;
out:
	free(data);
	close(fd);
	return status;
}

/* GET of any path but /rpc and /feed: the app's files and the .proto. */
static void
web_serve(nng_aio *aio)
{
	nng_http_req *req = nng_aio_get_input(aio, 0);
	nng_http_handler *h = nng_aio_get_input(aio, 1);
	struct web *w = nng_http_handler_get_data(h);
	const char *uri = nng_http_req_get_uri(req), *type;
	char path[WEB_MAX_PATH + 16];
	char *data = NULL;
	size_t len = 0;
	uint16_t status;

	if (strcmp(uri, "/methods.json") == 0) {
		if (web_respond(w, aio, NNG_HTTP_STATUS_OK, "application/json", w->methods,
		    strlen(w->methods)) != 0)
			nng_aio_finish(aio, NNG_ENOMEM);
		return;
	}
	if (strcmp(uri, "/jixiao.proto") == 0) {
		if (web_respond(w, aio, NNG_HTTP_STATUS_OK, "text/plain; charset=utf-8", web_proto,
		    web_proto_len) != 0)
			nng_aio_finish(aio, NNG_ENOMEM);
		return;
	}
	/* The raw request line: anything encoded, dotted or odd is refused before a file. */
	if (!web_path_ok(uri)) {
		log_debug("web: refused the path %.80s", uri);
		web_error(w, aio, NNG_HTTP_STATUS_BAD_REQUEST, "bad path\n");
		return;
	}
	snprintf(path, sizeof(path), "%s%s", uri,
	    uri[strlen(uri) - 1] == '/' ? "index.html" : "");
	if ((type = web_content_type(path)) == NULL) {
		web_error(w, aio, NNG_HTTP_STATUS_NOT_FOUND, "not found\n");
		return;
	}
	if ((status = web_read(w, path, &data, &len)) != 0) {
		web_error(w, aio, status, status == NNG_HTTP_STATUS_NOT_FOUND ? "not found\n"
		    : "the file cannot be served\n");
		return;
	}
	if (web_respond(w, aio, NNG_HTTP_STATUS_OK, type, data, len) != 0)
		nng_aio_finish(aio, NNG_ENOMEM);
	free(data);
}

/*
 * One header's value from a WebSocket pipe's request headers ("Name: value\r\n…"),
 * into out. Returns 0, or -1 when absent or too long.
 */
static int
web_pipe_header(nng_pipe p, const char *name, char *out, size_t outlen)
{
	char *all = NULL;
	const char *line;
	size_t n = strlen(name);
	int rv = -1;

	if (nng_pipe_get_string(p, NNG_OPT_WS_REQUEST_HEADERS, &all) != 0)
		return -1;
	for (line = all; line != NULL && *line != '\0';) {
		const char *end = strstr(line, "\r\n");
		size_t llen = end != NULL ? (size_t)(end - line) : strlen(line);

		if (llen > n && strncasecmp(line, name, n) == 0 && line[n] == ':') {
			const char *v = line + n + 1;
			while (*v == ' ' || *v == '\t')
				v++;
			if ((size_t)(line + llen - v) < outlen) {
				memcpy(out, v, (size_t)(line + llen - v));
				out[line + llen - v] = '\0';
				rv = 0;
			}
			break;
		}
		line = end != NULL ? end + 2 : NULL;
	}
	nng_strfree(all);
	return rv;
}

/*
 * A new WebSocket connection to /rpc or /feed: a browser's Origin must be this very
 * scheme://host:port, the Host it connected to. Without an Origin it is no browser (a
 * program that could connect anyway), and it is let in.
 */
static void
web_pipe_added(nng_pipe p, nng_pipe_ev ev, void *arg)
{
	struct web *w = arg;
	nng_listener l = nng_pipe_listener(p);
	char origin[256], host[256], want[300];

	if (w == NULL || (nng_listener_id(l) != nng_listener_id(w->rpc_l) &&
	    nng_listener_id(l) != nng_listener_id(w->feed_l)))
		return;
	if (web_pipe_header(p, "Origin", origin, sizeof(origin)) != 0)
		return;
	if (web_pipe_header(p, "Host", host, sizeof(host)) != 0) {
		log_info("web: refused a WebSocket without a Host header");
		nng_pipe_close(p);
		return;
	}
	/*
	 * Listening on one named host, the origin is that host: a page whose name was made
	 * to resolve to it (DNS rebinding) has its own name as Host and Origin, and is
	 * refused (nng's WebSocket handler already wants that Host; this does not rely on
	 * it). On a wildcard address any name may reach it, so the Host decides.
	 */
	if (w->wildcard)
		snprintf(want, sizeof(want), "%s://%s", w->tls ? "https" : "http", host);
	else
		snprintf(want, sizeof(want), "%s", w->url);
	if (strcasecmp(origin, want) != 0) {
		log_info("web: refused a WebSocket from origin %s (this is %s)", origin, want);
		nng_pipe_close(p);
	}
}

/* A missing app is no reason not to start (the RPC works), but worth saying. */
static void
web_check_root(const struct web *w)
{
	char index[sizeof(w->root) + 16];

	snprintf(index, sizeof(index), "%s/index.html", w->root);
	if (access(index, R_OK) != 0)
		log_warn("web: %s has no index.html: the web interface will answer 404 (give "
		    "--web-root DIR)", w->root);
}

/* A ws:// or wss:// listener at path on sock, sharing the HTTP server's port. */
static int
web_listen(struct web *w, const struct web_config *cfg, nng_socket sock, const char *path,
    nng_listener *lp, char *why, size_t whylen)
{
	char url[320];
	const char *hostport = w->url + (w->tls ? 8 : 7);
	nng_listener l;
	int rv;

	snprintf(url, sizeof(url), "%s://%s%s", w->tls ? "wss" : "ws", hostport, path);
	if ((rv = nng_listener_create(&l, sock, url)) != 0) {
		snprintf(why, whylen, "cannot listen on %s: %s", url, nng_strerror(rv));
		return JX_EINVAL;
	}
	*lp = l;
	if ((rv = nng_listener_set_size(l, NNG_OPT_RECVMAXSZ, cfg->max_message)) != 0 ||
	    (rv = nng_listener_set_size(l, NNG_OPT_WS_RECVMAXFRAME, cfg->max_message)) != 0 ||
	    (w->tls && (rv = nng_listener_set_ptr(l, NNG_OPT_TLS_CONFIG, cfg->tls)) != 0) ||
	    (rv = nng_listener_start(l, 0)) != 0) {
		snprintf(why, whylen, "cannot listen on %s: %s", url, nng_strerror(rv));
		return JX_EINVAL;
	}
	return JX_OK;
}

int
web_open(const struct web_config *cfg, nng_socket rpc, nng_socket feed, struct web **wp,
    char *why, size_t whylen)
{
	struct web *w;
	nng_url *url = NULL;
	nng_sockaddr sa;
	int rv, port;

	*wp = NULL;
	if (!web_url_ok(cfg->url)) {
		snprintf(why, whylen, "--http takes http://host:port or https://host:port, not %s",
		    cfg->url);
		return JX_EINVAL;
	}
	if ((w = calloc(1, sizeof(*w))) == NULL) {
		snprintf(why, whylen, "out of memory");
		return JX_EINTERNAL;
	}
	w->rpc = rpc;
	w->feed = feed;
	w->tls = strncmp(cfg->url, "https://", 8) == 0;
	if ((size_t)snprintf(w->root, sizeof(w->root), "%s", cfg->root) >= sizeof(w->root)) {
		snprintf(why, whylen, "the web directory's name is too long");
		rv = JX_EINVAL;
		goto fail;
	}
	web_check_root(w);
	if ((w->methods = methods_json()) == NULL) {
		snprintf(why, whylen, "out of memory");
		rv = JX_EINTERNAL;
		goto fail;
	}
	if (w->tls && cfg->tls == NULL) {
		snprintf(why, whylen, "%s needs a certificate and key: give --tls-cert FILE and "
		    "--tls-key FILE", cfg->url);
		rv = JX_EINVAL;
		goto fail;
	}
	if ((rv = nng_url_parse(&url, cfg->url)) != 0 || url->u_port == NULL ||
	    (url->u_path[0] != '\0' && strcmp(url->u_path, "/") != 0)) {
		snprintf(why, whylen, "--http takes http://host:port or https://host:port, not %s",
		    cfg->url);
		rv = JX_EINVAL;
		goto fail;
	}
	if ((rv = nng_http_server_hold(&w->http, url)) != 0) {
		snprintf(why, whylen, "cannot serve %s: %s", cfg->url, nng_strerror(rv));
		rv = JX_EINVAL;
		goto fail;
	}
	if ((w->tls && (rv = nng_http_server_set_tls(w->http, cfg->tls)) != 0) ||
	    (rv = nng_http_handler_alloc(&w->files, "/", web_serve)) != 0 ||
	    (rv = nng_http_handler_set_tree(w->files)) != 0 ||
	    (rv = nng_http_handler_collect_body(w->files, true, 0)) != 0 ||
	    (rv = nng_http_handler_set_data(w->files, w, NULL)) != 0 ||
	    (rv = nng_http_server_add_handler(w->http, w->files)) != 0) {
		snprintf(why, whylen, "cannot serve %s: %s", cfg->url, nng_strerror(rv));
		rv = JX_EINVAL;
		goto fail;
	}
	w->files_added = true;
	/* Started first, so port 0 is resolved before the WebSocket listeners join it. */
	if ((rv = nng_http_server_start(w->http)) != 0) {
		snprintf(why, whylen, "cannot serve %s: %s", cfg->url, nng_strerror(rv));
		rv = JX_EINVAL;
		goto fail;
	}
	w->http_started = true;
	port = atoi(url->u_port);
	if (nng_http_server_get_addr(w->http, &sa) == 0 && sa.s_family == NNG_AF_INET)
		port = ntohs(sa.s_in.sa_port);
	else if (nng_http_server_get_addr(w->http, &sa) == 0 && sa.s_family == NNG_AF_INET6)
		port = ntohs(sa.s_in6.sa_port);
	snprintf(w->url, sizeof(w->url), "%s://%s%s%s:%d", w->tls ? "https" : "http",
	    strchr(url->u_hostname, ':') != NULL ? "[" : "", url->u_hostname,
	    strchr(url->u_hostname, ':') != NULL ? "]" : "", port);

	w->wildcard = url->u_hostname[0] == '\0' || strcmp(url->u_hostname, "0.0.0.0") == 0 ||
	    strcmp(url->u_hostname, "::") == 0;
	nng_pipe_notify(rpc, NNG_PIPE_EV_ADD_PRE, web_pipe_added, w);
	nng_pipe_notify(feed, NNG_PIPE_EV_ADD_PRE, web_pipe_added, w);
	if ((rv = web_listen(w, cfg, rpc, WEB_RPC_PATH, &w->rpc_l, why, whylen)) != 0 ||
	    (rv = web_listen(w, cfg, feed, WEB_FEED_PATH, &w->feed_l, why, whylen)) != 0)
		goto fail;
	nng_url_free(url);
	*wp = w;
	return JX_OK;
fail:
	nng_url_free(url);
	web_close(w);
	return rv;
}

const char *
web_url(const struct web *w)
{
	return w->url;
}

void
web_close(struct web *w)
{
	if (w == NULL)
		return;
	if (nng_listener_id(w->rpc_l) > 0)
		nng_listener_close(w->rpc_l);
	if (nng_listener_id(w->feed_l) > 0)
		nng_listener_close(w->feed_l);
	if (nng_socket_id(w->rpc) > 0)
		nng_pipe_notify(w->rpc, NNG_PIPE_EV_ADD_PRE, NULL, NULL);
	if (nng_socket_id(w->feed) > 0)
		nng_pipe_notify(w->feed, NNG_PIPE_EV_ADD_PRE, NULL, NULL);
	if (w->http != NULL && w->http_started)
		nng_http_server_stop(w->http);
	/* Added, the server holds it until it is taken back; never added, it is ours. */
	if (w->files != NULL && (!w->files_added ||
	    nng_http_server_del_handler(w->http, w->files) == 0))
		nng_http_handler_free(w->files);
	if (w->http != NULL)
		nng_http_server_release(w->http);
	free(w->methods);
	free(w);
}
