#include "probe.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "err.h"

/*
 * Shared by the waiting caller and the writer: the last of the two to let go frees it,
 * since a probe that timed out may still run later.
 */
struct probe {
	struct writer_job job; /* first: the writer hands it back */
	struct store *store;
	bool write;
	pthread_mutex_t mtx;
	pthread_cond_t cv;
	int refs;
	bool done;
	int err;
};

static void
probe_release(struct probe *p)
{
	bool last;

	pthread_mutex_lock(&p->mtx);
	last = --p->refs == 0;
	pthread_mutex_unlock(&p->mtx);
	if (last) {
		pthread_cond_destroy(&p->cv);
		pthread_mutex_destroy(&p->mtx);
		free(p);
	}
}

static void
probe_apply(struct writer_job *job, MDB_txn *txn)
{
	struct probe *p = (struct probe *)job;
	uint8_t when[8];

	if (!p->write)
		return;
	store_key_u64(when, (uint64_t)time(NULL));
	p->err = store_put(txn, p->store, STORE_META, "health", 6, when, sizeof(when));
}

static void
probe_reset(struct writer_job *job)
{
	((struct probe *)job)->err = 0;
}

static void
probe_done(struct writer_job *job, int err)
{
	struct probe *p = (struct probe *)job;

	pthread_mutex_lock(&p->mtx);
	if (err != 0)
		p->err = err;
	p->done = true;
	pthread_cond_signal(&p->cv);
	pthread_mutex_unlock(&p->mtx);
	probe_release(p);
}

int
probe_writer(struct writer *w, struct store *s, bool write, unsigned timeout_ms, char *why,
    size_t whylen)
{
	struct probe *p = calloc(1, sizeof(*p));
	struct timespec until;
	int rv = 0;

	if (p == NULL) {
		snprintf(why, whylen, "out of memory");
		return JX_EINTERNAL;
	}
	p->store = s;
	p->write = write;
	p->refs = 2;
	p->job.apply = probe_apply;
	p->job.reset = probe_reset;
	p->job.done = probe_done;
	pthread_mutex_init(&p->mtx, NULL);
	pthread_cond_init(&p->cv, NULL);
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += timeout_ms / 1000;
	until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	writer_submit(w, &p->job);
	pthread_mutex_lock(&p->mtx);
	while (!p->done && rv != ETIMEDOUT)
		rv = pthread_cond_timedwait(&p->cv, &p->mtx, &until);
	if (!p->done)
		snprintf(why, whylen, "the store's writer did not commit within %u ms", timeout_ms);
	else if (p->err != 0)
		snprintf(why, whylen, "the store does not take writes: %s", jx_strerror(p->err));
	rv = !p->done ? JX_EUNAVAIL : p->err;
	pthread_mutex_unlock(&p->mtx);
	probe_release(p);
	return rv;
}
