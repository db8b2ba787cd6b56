/*
 * The offline check of a store (jixiaod check, and every backup and restore): every
 * workspace's hash chain against its head, every index against the records it
 * indexes, every evidence file against its hash. Reads one snapshot; changes nothing.
 */
#ifndef JX_FSCK_H
#define JX_FSCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store.h"

#define FSCK_HASH_LEN 32

/* A workspace as its chain ends: what a backup's manifest records. */
struct fsck_workspace {
	uint64_t id;
	uint64_t revision;
	bool has_head;
	uint8_t head[FSCK_HASH_LEN];
};

struct fsck_report {
	unsigned long long records;  /* history records hashed */
	unsigned long long nodes;
	unsigned long long findings;
	unsigned long long users;
	unsigned long long files;    /* evidence files read back and hashed */
	unsigned long long partial;  /* uploads never finished (not linked): not a problem */
	unsigned long long problems;
	struct fsck_workspace *ws;   /* by id, malloc'd */
	size_t nws;
};

/* Called once per problem with a plain sentence. */
typedef void (*fsck_problem_fn)(void *arg, const char *problem);

/*
 * Checks s on one read snapshot, calling problem (may be NULL) for each thing wrong,
 * and fills *r (release with fsck_report_free). Returns 0 when the store could be read
 * to the end, whatever it found (r->problems), or an error when it could not.
 */
int fsck_run(struct store *s, fsck_problem_fn problem, void *arg, struct fsck_report *r);
/* Frees what fsck_run allocated in r. Accepts a zeroed report. */
void fsck_report_free(struct fsck_report *r);

#endif
