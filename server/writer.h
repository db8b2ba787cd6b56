/*
 * The writer: the one thread that changes the store. It drains every job waiting
 * when it wakes into one LMDB transaction, each job in a nested transaction of its
 * own, and commits once (group commit): N concurrent edits cost one log append and
 * one flush. Only after the commit is durable are the jobs' done called, on a
 * completion thread of their own, in order, while the writer starts the next batch.
 */
#ifndef JX_WRITER_H
#define JX_WRITER_H

#include <lmdb.h>

#include "store.h"

/* Most jobs one transaction takes; the rest wait for the next. */
#define WRITER_BATCH_MAX 1024

struct writer_job {
	/*
	 * Applies the job inside txn, the batch's transaction. A job that may fail half
	 * way works in a nested transaction of its own (store_child_begin) and commits or
	 * aborts it before returning. Runs again from scratch if the batch is retried
	 * (after the map grew), once reset has forgotten the previous run.
	 */
	void (*apply)(struct writer_job *job, MDB_txn *txn);
	/* Forgets the outcome of an apply before the batch runs again. May be NULL. */
	void (*reset)(struct writer_job *job);
	/*
	 * Called exactly once: err 0 when the batch holding the job is durable (the job's
	 * own outcome is its business), else why the batch failed. The writer does not
	 * touch the job after calling done.
	 */
	void (*done)(struct writer_job *job, int err);
	struct writer_job *next;
	int err; /* the writer's: the batch's outcome, for done */
};

struct writer;

/* Starts the writer thread on s. Returns 0 or JX_EINTERNAL. */
int writer_start(struct store *s, struct writer **wp);
/* Queues a job. After writer_stop has begun, done(job, JX_EUNAVAIL) runs at once. */
void writer_submit(struct writer *w, struct writer_job *job);
/* Runs every queued job and stops the thread; later jobs are refused. Accepts NULL. */
void writer_stop(struct writer *w);
/* Frees a stopped writer. Accepts NULL. */
void writer_free(struct writer *w);

/* Transactions committed and jobs run since start (for logs and benchmarks). */
void writer_stats(struct writer *w, unsigned long long *batches, unsigned long long *jobs);

#endif
