#include "writer.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#include "err.h"
#include "log.h"
#include "metrics.h"

struct writer {
	struct store *store;
	pthread_t thread;
	pthread_mutex_t mtx;
	pthread_cond_t cv;
	struct writer_job *head, **tail;
	bool stopping;
	unsigned long long batches, jobs;
	/* Durable batches waiting for their replies, and the thread that sends them. */
	pthread_t done_thread;
	pthread_cond_t done_cv;
	struct writer_job *done_head, **done_tail;
	bool done_busy; /* the completion thread is calling done */
	bool done_stopping;
};

/* Hands a finished batch to the completion thread: the writer goes on at once. */
static void
writer_finish(struct writer *w, struct writer_job *list, int err)
{
	struct writer_job *job, *last = NULL;

	for (job = list; job != NULL; job = job->next) {
		job->err = err;
		last = job;
	}
	if (last == NULL)
		return;
	pthread_mutex_lock(&w->mtx);
	/*
	 * Nothing waits for the writer and no earlier reply is pending: answer here, which
	 * saves a thread switch on a lone request. Otherwise the next batch comes first.
	 */
	if (w->head == NULL && w->done_head == NULL && !w->done_busy) {
		pthread_mutex_unlock(&w->mtx);
		for (job = list; job != NULL; job = last) {
			last = job->next;
			job->next = NULL;
			job->done(job, job->err);
		}
		return;
	}
	*w->done_tail = list;
	w->done_tail = &last->next;
	pthread_cond_signal(&w->done_cv);
	pthread_mutex_unlock(&w->mtx);
}

/* The completion thread: calls done for every job of every batch, in order. */
static void *
writer_done_main(void *arg)
{
	struct writer *w = arg;
	struct writer_job *job, *next;

	pthread_mutex_lock(&w->mtx);
	for (;;) {
		while (w->done_head == NULL && !w->done_stopping)
			pthread_cond_wait(&w->done_cv, &w->mtx);
		if (w->done_head == NULL)
			break;
		job = w->done_head;
		w->done_head = NULL;
		w->done_tail = &w->done_head;
		w->done_busy = true;
		pthread_mutex_unlock(&w->mtx);
		for (; job != NULL; job = next) {
			next = job->next;
			job->next = NULL;
			job->done(job, job->err);
		}
		pthread_mutex_lock(&w->mtx);
		w->done_busy = false;
	}
	pthread_mutex_unlock(&w->mtx);
	return NULL;
}

/*
 * Applies every job of list in one transaction. Returns 0 when committed, else an
 * error; store_failure says whether the map was full (then grow and run again).
 */
static int
writer_run_once(struct writer *w, struct writer_job *list)
{
	struct writer_job *job;
	MDB_txn *txn;
	int rv;

	if ((rv = store_write_begin(w->store, &txn)) != 0)
		return rv;
	for (job = list; job != NULL; job = job->next) {
		job->apply(job, txn);
		/*
		 * A full map or disk spoils the whole transaction, not only this job: LMDB
		 * may have left it unusable, so start over (with a bigger map) or give up.
		 */
		if (store_failure(w->store) != STORE_OK) {
			mdb_txn_abort(txn);
			return store_failure(w->store) == STORE_IO ? JX_EUNAVAIL : JX_ENOSPC;
		}
	}
	{
		uint64_t t0 = metrics_now_ns();
		rv = store_write_commit(w->store, txn);
		metrics_commit(metrics_now_ns() - t0);
	}
	return rv;
}

static void
writer_run(struct writer *w, struct writer_job *list)
{
	struct writer_job *job;
	int rv;

	for (;;) {
		rv = writer_run_once(w, list);
		/* Only a full map grows it; a full disk is answered, not retried here. */
		if (rv == 0 || store_failure(w->store) != STORE_MAP_FULL)
			break;
		if (store_grow(w->store) != 0) {
			rv = JX_ENOSPC;
			break;
		}
		for (job = list; job != NULL; job = job->next)
			if (job->reset != NULL)
				job->reset(job);
	}
	if (rv != 0)
		log_error("write batch failed: %s", jx_strerror(rv));
	writer_finish(w, list, rv);
}

static void *
writer_main(void *arg)
{
	struct writer *w = arg;
	struct writer_job *list, **cut;
	unsigned long long n;

	pthread_mutex_lock(&w->mtx);
	for (;;) {
		while (w->head == NULL && !w->stopping)
			pthread_cond_wait(&w->cv, &w->mtx);
		if (w->head == NULL)
			break;
		/* Take up to WRITER_BATCH_MAX jobs; later arrivals wait for the next batch. */
		list = w->head;
		for (n = 1, cut = &list->next; *cut != NULL && n < WRITER_BATCH_MAX; n++)
			cut = &(*cut)->next;
		w->head = *cut;
		*cut = NULL;
		if (w->head == NULL)
			w->tail = &w->head;
		pthread_mutex_unlock(&w->mtx);

		uint64_t t0 = metrics_now_ns();
		writer_run(w, list);
		metrics_batch(n, metrics_now_ns() - t0);

		pthread_mutex_lock(&w->mtx);
		w->batches++;
		w->jobs += n;
	}
	pthread_mutex_unlock(&w->mtx);
	return NULL;
}

int
writer_start(struct store *s, struct writer **wp)
{
	struct writer *w;

	if ((w = calloc(1, sizeof(*w))) == NULL)
		return JX_EINTERNAL;
	w->store = s;
	w->tail = &w->head;
	w->done_tail = &w->done_head;
	pthread_mutex_init(&w->mtx, NULL);
	pthread_cond_init(&w->cv, NULL);
	pthread_cond_init(&w->done_cv, NULL);
	if (pthread_create(&w->done_thread, NULL, writer_done_main, w) != 0)
		goto fail;
	if (pthread_create(&w->thread, NULL, writer_main, w) != 0) {
		pthread_mutex_lock(&w->mtx);
		w->done_stopping = true;
		pthread_cond_signal(&w->done_cv);
		pthread_mutex_unlock(&w->mtx);
		pthread_join(w->done_thread, NULL);
		goto fail;
	}
	*wp = w;
	return JX_OK;
fail:
	pthread_cond_destroy(&w->done_cv);
	pthread_cond_destroy(&w->cv);
	pthread_mutex_destroy(&w->mtx);
	free(w);
	return JX_EINTERNAL;
}

void
writer_submit(struct writer *w, struct writer_job *job)
{
	job->next = NULL;
	pthread_mutex_lock(&w->mtx);
	if (w->stopping) {
		pthread_mutex_unlock(&w->mtx);
		job->done(job, JX_EUNAVAIL);
		return;
	}
	*w->tail = job;
	w->tail = &job->next;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mtx);
}

void
writer_stop(struct writer *w)
{
	if (w == NULL)
		return;
	pthread_mutex_lock(&w->mtx);
	if (w->stopping) {
		pthread_mutex_unlock(&w->mtx);
		return;
	}
	w->stopping = true;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mtx);
	pthread_join(w->thread, NULL);
	/* Every reply of every batch is sent before the writer counts as stopped. */
	pthread_mutex_lock(&w->mtx);
	w->done_stopping = true;
	pthread_cond_signal(&w->done_cv);
	pthread_mutex_unlock(&w->mtx);
	pthread_join(w->done_thread, NULL);
	log_info("writer stopped after %llu transactions for %llu writes", w->batches, w->jobs);
}

void
writer_free(struct writer *w)
{
	if (w == NULL)
		return;
	writer_stop(w);
	pthread_cond_destroy(&w->done_cv);
	pthread_cond_destroy(&w->cv);
	pthread_mutex_destroy(&w->mtx);
	free(w);
}

void
writer_stats(struct writer *w, unsigned long long *batches, unsigned long long *jobs)
{
	pthread_mutex_lock(&w->mtx);
	*batches = w->batches;
	*jobs = w->jobs;
	pthread_mutex_unlock(&w->mtx);
}
