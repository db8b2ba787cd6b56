/* Starting and stopping a jixiaod for the benchmarks, shared by jx-bench and history-bench. */
#ifndef JX_BENCH_DAEMON_H
#define JX_BENCH_DAEMON_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "client.h"
#include "key.h"

#define BENCH_WAIT_MS 20000       /* for the readiness line, and for a stop */
#define BENCH_LOG_MAX ((size_t)1 << 20)

struct bench_daemon {
	const char *path;
	bool tcp;
	pid_t pid;
	int out_fd;
	char dir[256];
	char data[300];
	char log[300];
	char url[320];
	/* The benchmark's admin, made by the first start (jixiaod init). */
	bool initialised;
	uint8_t sk[KEY_SECRET_LEN];
	struct client_identity id;
};

/* Set by a signal handler: stop waiting and wind down. */
extern volatile sig_atomic_t bench_stop;

uint64_t bench_now_ns(void);
void bench_sleep_ms(long ms);

/* Starts jixiaod -v on d->data (d->path, d->dir, d->data, d->log set); a restart keeps
 * the address. Returns 0, or -1 after printing why and the daemon's log. */
int bench_daemon_start(struct bench_daemon *d);
/* The writer's counters from the log of a stopped daemon. */
bool bench_daemon_stats(const struct bench_daemon *d, unsigned long long *commits,
    unsigned long long *writes);
/* SIGTERM and a clean exit within 20 s, else SIGKILL. Returns 0 on a clean exit. */
int bench_daemon_stop(struct bench_daemon *d);

#endif
