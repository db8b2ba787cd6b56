/*
 * Backups of a store: one file, a compacted copy of the store's LMDB file followed by
 * a text manifest (the store format, the time, the copy's size and BLAKE2b-256, and the
 * revision and chain head of every workspace) and a last line giving the manifest's
 * length. The file is written 0600: the store holds the server's signing key.
 */
#ifndef JX_BACKUP_H
#define JX_BACKUP_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "fsck.h"

struct backup_manifest {
	char format[16];
	char created[32];            /* UTC, ISO 8601 */
	uint64_t bytes;              /* the copy's size */
	uint8_t hash[FSCK_HASH_LEN]; /* BLAKE2b-256 of the copy */
	struct fsck_workspace *ws;   /* by id, malloc'd */
	size_t nws;
};

/*
 * Backs up the store in data_dir, live or not, into the new file out (refused when it
 * exists), or to standard output when out is NULL (spooled first in data_dir). The copy
 * is checked (fsck) before it is kept: problem is told each problem, and a copy with
 * problems is still written but *problems says how many. On success *m is the manifest
 * (release with backup_manifest_free).
 */
int backup_write(const char *data_dir, const char *out, struct backup_manifest *m,
    unsigned long long *problems, fsck_problem_fn problem, void *arg, char *why,
    size_t whylen);

/*
 * Restores the backup file (or standard input when "-") into data_dir, which must not
 * hold a store: the copy's hash, its manifest and every workspace's chain are checked
 * before it becomes data_dir/data.mdb; on any failure nothing is left behind.
 */
int backup_restore(const char *backup, const char *data_dir, struct backup_manifest *m,
    fsck_problem_fn problem, void *arg, char *why, size_t whylen);

/* Writes the manifest's text to f. */
void backup_manifest_print(FILE *f, const struct backup_manifest *m);
/* Accepts a zeroed manifest. */
void backup_manifest_free(struct backup_manifest *m);

#endif
