#include "health.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <nng/nng.h>
#include <nng/supplemental/http/http.h>

#include "err.h"
#include "log.h"
#include "metrics.h"
#include "probe.h"

#define HEALTH_URL_MAX 256

struct health {
	nng_http_server *srv;
	nng_http_handler *metrics_h, *healthz_h;
	struct store *store;
	struct writer *writer;
	struct health_hooks hooks;
	bool started;
	char url[HEALTH_URL_MAX];
};

static void
health_reply(nng_aio *aio, uint16_t status, const char *type, const void *body, size_t len)
{
	nng_http_res *res;
	int rv;

	if ((rv = nng_http_res_alloc(&res)) != 0) {
		nng_aio_finish(aio, rv);
		return;
	}
	if ((rv = nng_http_res_set_status(res, status)) != 0 ||
	    (rv = nng_http_res_set_header(res, "Content-Type", type)) != 0 ||
	    (rv = nng_http_res_set_header(res, "Cache-Control", "no-store")) != 0 ||
	    (rv = nng_http_res_copy_data(res, body, len)) != 0) {
		nng_http_res_free(res);
		nng_aio_finish(aio, rv);
		return;
	}
	nng_aio_set_output(aio, 0, res);
	nng_aio_finish(aio, 0);
}

static void
health_metrics_cb(nng_aio *aio)
{
	nng_http_handler *hh = nng_aio_get_input(aio, 1);
	struct health *h = nng_http_handler_get_data(hh);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (f == NULL) {
		nng_aio_finish(aio, NNG_ENOMEM);
		return;
	}
	metrics_render(f);
	fputs("# HELP jixiaod_store_size_bytes The store's file on disk.\n"
	      "# TYPE jixiaod_store_size_bytes gauge\n", f);
	fprintf(f, "jixiaod_store_size_bytes %llu\n", store_file_size(h->store));
	fputs("# HELP jixiaod_store_map_size_bytes The store's map: the most it holds before "
	      "it grows.\n# TYPE jixiaod_store_map_size_bytes gauge\n", f);
	fprintf(f, "jixiaod_store_map_size_bytes %zu\n", store_map_size(h->store));
	fputs("# HELP jixiaod_log_size_bytes The log's files on disk (DATA/wal), since the "
	      "last snapshot.\n# TYPE jixiaod_log_size_bytes gauge\n", f);
	fprintf(f, "jixiaod_log_size_bytes %" PRIu64 "\n", store_log_bytes(h->store));
	if (h->hooks.gauges != NULL)
		h->hooks.gauges(h->hooks.arg, f);
	if (fclose(f) != 0) {
		free(buf);
		nng_aio_finish(aio, NNG_ENOMEM);
		return;
	}
	health_reply(aio, 200, "text/plain; version=0.0.4; charset=utf-8", buf, len);
	free(buf);
}

static void
health_healthz_cb(nng_aio *aio)
{
	nng_http_handler *hh = nng_aio_get_input(aio, 1);
	struct health *h = nng_http_handler_get_data(hh);
	char why[256], body[320];
	int n;

	if (probe_writer(h->writer, h->store, true, HEALTH_PROBE_MS, why, sizeof(why)) != 0 ||
	    (h->hooks.accepting != NULL && h->hooks.accepting(h->hooks.arg, why,
	    sizeof(why)) != 0)) {
		log_warn("health check failed: %s", why);
		n = snprintf(body, sizeof(body), "unhealthy: %s\n", why);
		health_reply(aio, 503, "text/plain; charset=utf-8", body, (size_t)n);
		return;
	}
	health_reply(aio, 200, "text/plain; charset=utf-8", "ok\n", 3);
}

static int
health_handler(struct health *h, const char *path, void (*cb)(nng_aio *),
    nng_http_handler **out)
{
	nng_http_handler *hh;
	int rv;

	if ((rv = nng_http_handler_alloc(&hh, path, cb)) != 0)
		return rv;
	if ((rv = nng_http_handler_set_method(hh, "GET")) != 0 ||
	    (rv = nng_http_handler_set_data(hh, h, NULL)) != 0 ||
	    (rv = nng_http_server_add_handler(h->srv, hh)) != 0) {
		nng_http_handler_free(hh);
		return rv;
	}
	*out = hh;
	return 0;
}

int
health_open(const char *url, struct store *store, struct writer *writer,
    const struct health_hooks *hooks, struct health **hp, char *why, size_t whylen)
{
	struct health *h;
	nng_url *u = NULL;
	nng_sockaddr sa;
	const char *path;
	int rv;

	*hp = NULL;
	if (strncmp(url, "http://", 7) != 0 || strlen(url) >= HEALTH_URL_MAX) {
		snprintf(why, whylen, "--metrics takes an http://HOST:PORT/PATH address, not %s",
		    url);
		return JX_EINVAL;
	}
	if ((h = calloc(1, sizeof(*h))) == NULL) {
		snprintf(why, whylen, "out of memory");
		return JX_EINTERNAL;
	}
	h->store = store;
	h->writer = writer;
	if (hooks != NULL)
		h->hooks = *hooks;
	if ((rv = nng_url_parse(&u, url)) != 0)
		goto nng_fail;
	path = u->u_path[0] != '\0' && strcmp(u->u_path, "/") != 0 ? u->u_path : "/metrics";
	if (strcmp(path, "/healthz") == 0) {
		snprintf(why, whylen, "--metrics cannot be served at /healthz: that is the health "
		    "check's path");
		rv = JX_EINVAL;
		goto fail;
	}
	if ((rv = nng_http_server_hold(&h->srv, u)) != 0 ||
	    (rv = health_handler(h, path, health_metrics_cb, &h->metrics_h)) != 0 ||
	    (rv = health_handler(h, "/healthz", health_healthz_cb, &h->healthz_h)) != 0 ||
	    (rv = nng_http_server_start(h->srv)) != 0)
		goto nng_fail;
	h->started = true;
	if (nng_http_server_get_addr(h->srv, &sa) == 0 && sa.s_family == NNG_AF_INET) {
		uint16_t port = (uint16_t)((sa.s_in.sa_port & 0xff) << 8 | sa.s_in.sa_port >> 8);
		snprintf(h->url, sizeof(h->url), "http://%s:%u%s", u->u_hostname, port, path);
	} else {
		snprintf(h->url, sizeof(h->url), "%s", url);
	}
	nng_url_free(u);
	log_info("metrics on %s, health on /healthz", h->url);
	*hp = h;
	return JX_OK;
nng_fail:
	snprintf(why, whylen, "cannot serve metrics on %s: %s", url, nng_strerror(rv));
	rv = JX_EINVAL;
fail:
	nng_url_free(u);
	health_close(h);
	return rv;
}

const char *
health_url(const struct health *h)
{
	return h->url;
}

void
health_close(struct health *h)
{
	if (h == NULL)
		return;
	if (h->srv != NULL) {
		if (h->started)
			nng_http_server_stop(h->srv);
		if (h->metrics_h != NULL)
			nng_http_server_del_handler(h->srv, h->metrics_h);
		if (h->healthz_h != NULL)
			nng_http_server_del_handler(h->srv, h->healthz_h);
		nng_http_server_release(h->srv);
	}
	nng_http_handler_free(h->metrics_h);
	nng_http_handler_free(h->healthz_h);
	free(h);
}
