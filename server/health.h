/*
 * The operator's HTTP listener (jixiaod --metrics URL, nng's HTTP server): the metrics
 * in the Prometheus text format at URL's path, and /healthz, 200 only when the store
 * takes a write (a probe through the writer, durable) and the listeners accept.
 */
#ifndef JX_HEALTH_H
#define JX_HEALTH_H

#include <stddef.h>
#include <stdio.h>

#include "store.h"
#include "writer.h"

/* How long /healthz waits for the writer's probe before it answers 503. */
#define HEALTH_PROBE_MS 2000

struct health_hooks {
	void *arg;
	/* Appends the daemon's own gauges (sessions...) to f, Prometheus text. */
	void (*gauges)(void *arg, FILE *f);
	/* 0 when every listener accepts; else an error, with a sentence in why. */
	int (*accepting)(void *arg, char *why, size_t whylen);
};

struct health;

/*
 * Serves url (http://HOST:PORT/PATH; port 0 picks a free one, PATH defaults to
 * /metrics) for store and writer. hooks is copied. Returns 0 or an error with why.
 */
int health_open(const char *url, struct store *store, struct writer *writer,
    const struct health_hooks *hooks, struct health **hp, char *why, size_t whylen);
/* The metrics URL served, its port resolved. */
const char *health_url(const struct health *h);
/* Stops serving; answers in flight finish first. Accepts NULL. */
void health_close(struct health *h);

#endif
