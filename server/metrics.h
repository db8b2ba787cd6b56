/*
 * The daemon's counters, for Prometheus: requests by service, method and status,
 * request latency, write batches and their sizes, commit latency, connections, feed
 * subscribers, logins. One set per process (jixiaod serves one store); every update is
 * a few atomic adds, so the request path takes no lock.
 */
#ifndef JX_METRICS_H
#define JX_METRICS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <protobuf-c/protobuf-c.h>

/*
 * One finished call: its service (NULL for a frame that named no known method), method
 * index, status (a jx_err) and how long it took from receipt to reply, in nanoseconds.
 */
void metrics_request(const ProtobufCServiceDescriptor *service, unsigned method, int code,
    uint64_t ns);
/* One committed (or failed) write batch of n jobs; ns from its start to its commit. */
void metrics_batch(unsigned long long n, uint64_t ns);
/* One commit's duration. */
void metrics_commit(uint64_t ns);
/* A login accepted or refused. */
void metrics_login(bool ok);
/* A client connection opened (+1) or closed (-1). */
void metrics_connections(int delta);
/* A change-feed subscriber connected (+1) or left (-1). */
void metrics_subscribers(int delta);

/* Nanoseconds on the monotonic clock, for durations. */
uint64_t metrics_now_ns(void);

/*
 * Writes every metric above in the Prometheus text exposition format (version 0.0.4),
 * with build_info; the caller appends its gauges (store size, sessions...).
 */
void metrics_render(FILE *f);

#endif
