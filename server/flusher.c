#include "flusher.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

#include "err.h"

struct flusher {
	pthread_t thread;
	pthread_mutex_t mtx;
	pthread_cond_t cv;
	bool stopping;
	uint64_t (*changed)(void *arg);
	int (*flush)(void *arg);
	void *arg;
};

static void *
flusher_main(void *arg)
{
	struct flusher *f = arg;
	struct timespec until;
	uint64_t seen = f->changed(f->arg), now;

	pthread_mutex_lock(&f->mtx);
	while (!f->stopping) {
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += FLUSHER_INTERVAL_MS / 1000;
		until.tv_nsec += (long)(FLUSHER_INTERVAL_MS % 1000) * 1000000;
		if (until.tv_nsec >= 1000000000) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000;
		}
		while (!f->stopping &&
		    pthread_cond_timedwait(&f->cv, &f->mtx, &until) == 0)
			;
		if (f->stopping)
			break;
		if ((now = f->changed(f->arg)) == seen)
			continue;
		seen = now;
		pthread_mutex_unlock(&f->mtx);
		f->flush(f->arg);
		pthread_mutex_lock(&f->mtx);
	}
	pthread_mutex_unlock(&f->mtx);
	return NULL;
}

int
flusher_start(uint64_t (*changed)(void *arg), int (*flush)(void *arg), void *arg,
    struct flusher **fp)
{
	struct flusher *f;

	if ((f = calloc(1, sizeof(*f))) == NULL)
		return JX_EINTERNAL;
	f->changed = changed;
	f->flush = flush;
	f->arg = arg;
	pthread_mutex_init(&f->mtx, NULL);
	pthread_cond_init(&f->cv, NULL);
	if (pthread_create(&f->thread, NULL, flusher_main, f) != 0) {
		pthread_cond_destroy(&f->cv);
		pthread_mutex_destroy(&f->mtx);
		free(f);
		return JX_EINTERNAL;
	}
	*fp = f;
	return JX_OK;
}

void
flusher_stop(struct flusher *f)
{
	if (f == NULL)
		return;
	pthread_mutex_lock(&f->mtx);
	f->stopping = true;
	pthread_cond_signal(&f->cv);
	pthread_mutex_unlock(&f->mtx);
	pthread_join(f->thread, NULL);
	pthread_cond_destroy(&f->cv);
	pthread_mutex_destroy(&f->mtx);
	free(f);
}
