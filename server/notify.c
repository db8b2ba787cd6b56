#include "notify.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "err.h"
#include "log.h"
#include "probe.h"

int
notify_send(const char *state)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t plen, slen;
	socklen_t alen;
	int fd, rv = 0;

	if (path == NULL || path[0] == '\0')
		return 0;
	plen = strlen(path);
	if ((path[0] != '/' && path[0] != '@') || plen >= sizeof(sa.sun_path)) {
		log_warn("NOTIFY_SOCKET is not a socket path: %s", path);
		return -1;
	}
	memcpy(sa.sun_path, path, plen);
	/* "@name" is an abstract socket: its name starts with a NUL. */
	if (path[0] == '@')
		sa.sun_path[0] = '\0';
	alen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + plen +
	    (path[0] == '/' ? 1 : 0));
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0) {
		log_warn("cannot notify systemd: %s", strerror(errno));
		return -1;
	}
	slen = strlen(state);
	if (sendto(fd, state, slen, MSG_NOSIGNAL, (struct sockaddr *)&sa, alen) != (ssize_t)slen) {
		log_warn("cannot notify systemd (%s): %s", path, strerror(errno));
		rv = -1;
	}
	close(fd);
	return rv;
}

struct notify_watchdog {
	struct writer *writer;
	struct store *store;
	unsigned long long interval_us;
	pthread_t thread;
	pthread_mutex_t mtx;
	pthread_cond_t cv;
	bool stopping;
};

static void *
notify_watchdog_main(void *arg)
{
	struct notify_watchdog *wd = arg;
	unsigned half_ms = (unsigned)(wd->interval_us / 2000);
	struct timespec until;
	char why[256];

	pthread_mutex_lock(&wd->mtx);
	while (!wd->stopping) {
		pthread_mutex_unlock(&wd->mtx);
		if (probe_writer(wd->writer, wd->store, false, half_ms, why, sizeof(why)) == 0)
			notify_send("WATCHDOG=1");
		else
			log_error("no watchdog keep-alive: %s", why);
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += half_ms / 1000;
		until.tv_nsec += (long)(half_ms % 1000) * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_mutex_lock(&wd->mtx);
		while (!wd->stopping &&
		    pthread_cond_timedwait(&wd->cv, &wd->mtx, &until) != ETIMEDOUT)
			;
	}
	pthread_mutex_unlock(&wd->mtx);
	return NULL;
}

int
notify_watchdog_start(struct writer *w, struct store *s, struct notify_watchdog **wp)
{
	const char *usec = getenv("WATCHDOG_USEC"), *pid = getenv("WATCHDOG_PID");
	struct notify_watchdog *wd;
	unsigned long long us;
	char *end;

	*wp = NULL;
	if (usec == NULL || getenv("NOTIFY_SOCKET") == NULL)
		return JX_OK;
	if (pid != NULL && strtol(pid, NULL, 10) != (long)getpid())
		return JX_OK;
	errno = 0;
	us = strtoull(usec, &end, 10);
	if (errno != 0 || end == usec || *end != '\0' || us < 2000) {
		log_warn("WATCHDOG_USEC is not a usable interval: %s", usec);
		return JX_OK;
	}
	if ((wd = calloc(1, sizeof(*wd))) == NULL)
		return JX_EINTERNAL;
	wd->writer = w;
	wd->store = s;
	wd->interval_us = us;
	pthread_mutex_init(&wd->mtx, NULL);
	pthread_cond_init(&wd->cv, NULL);
	if (pthread_create(&wd->thread, NULL, notify_watchdog_main, wd) != 0) {
		pthread_cond_destroy(&wd->cv);
		pthread_mutex_destroy(&wd->mtx);
		free(wd);
		return JX_EINTERNAL;
	}
	log_info("watchdog keep-alives every %llu ms", us / 2000);
	*wp = wd;
	return JX_OK;
}

void
notify_watchdog_stop(struct notify_watchdog *wd)
{
	if (wd == NULL)
		return;
	pthread_mutex_lock(&wd->mtx);
	wd->stopping = true;
	pthread_cond_signal(&wd->cv);
	pthread_mutex_unlock(&wd->mtx);
	pthread_join(wd->thread, NULL);
	pthread_cond_destroy(&wd->cv);
	pthread_mutex_destroy(&wd->mtx);
	free(wd);
}
