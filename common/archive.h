/*
 * Workspace archives (proto: Archive): everything needed to check a workspace offline.
 * An archive holds the final state, every history record exactly as stored, the keys of
 * everyone who signed and the evidence inventory, and ends in a seal.
 *
 * archive_verify re-checks all of it with no server: the hash chain over the stored
 * record bytes, the state rebuilt by replaying the records against the final state,
 * every signature against the content digest (common/digest.h) at its revision and
 * against the signer's key, the total and grade recomputed with common/sheet.c, and
 * the inventory against the evidence linked at the final revision.
 *
 * An archive also carries the server's signed checkpoint (common/checkpoint.h) of the
 * head it was exported at, checked against the chain.
 *
 * Not covered by any signature or chain hash, only by the seal (which detects damage,
 * not a deliberate edit): the grade bands carried for a template's workspace, the
 * users' names beside their keys, exported_at and exported_by.
 */
#ifndef JX_ARCHIVE_H
#define JX_ARCHIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/jixiao.pb-c.h"

#define ARCHIVE_MAGIC "jixiao-archive"
/* The largest archive file jx reads. */
#define ARCHIVE_MAX ((size_t)1 << 30)
#define ARCHIVE_SEAL_LEN 32
/* Checks kept in a report; failures beyond are counted only. */
#define ARCHIVE_CHECKS_MAX 200
#define ARCHIVE_TEXT_MAX 320

struct archive_check {
	bool ok;
	char text[ARCHIVE_TEXT_MAX]; /* "chain: 12 records …", or what failed, in plain words */
};

struct archive_report {
	struct archive_check *checks; /* in the order they ran; malloc'd */
	size_t n, cap;
	size_t failed;                /* every failure, also those not kept */
	bool decoded;                 /* the seal and the protobuf decoding held */
	uint64_t workspace, revision; /* from the archive, once decoded */
	size_t records, signatures;
	size_t indicators;            /* held at the final revision, by the replay */
	int64_t total;                /* recomputed at the final revision */
	char grade[32];
};

/*
 * Checks an archive of len bytes. Fills *r (zeroed first; free with
 * archive_report_free whatever the result). Returns JX_OK when every check holds,
 * JX_EINVAL when one failed (r says which and why), JX_EINTERNAL when out of memory.
 */
int archive_verify(const uint8_t *buf, size_t len, struct archive_report *r);

struct checkpoint;
/*
 * True (0) when the archive's history extends an earlier checkpoint of the same
 * workspace: it has that many records and the one at its revision hashes to its head.
 * Otherwise -1, with what is wrong in why (the server dropped or rewrote history).
 */
int archive_extends(const uint8_t *buf, size_t len, const struct checkpoint *earlier,
    char *why, size_t whylen);

/* Adds a check to the report; past ARCHIVE_CHECKS_MAX (or out of memory) it is counted only. */
void archive_report_add(struct archive_report *r, bool ok, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Frees what a report holds; accepts NULL. */
void archive_report_free(struct archive_report *r);

/*
 * Packs a, with the magic and format of this version and the seal computed over the
 * bytes before it (a itself is not changed), into *buf (malloc'd, caller frees) and
 * *len. Returns JX_OK, JX_ENOSPC beyond ARCHIVE_MAX, or JX_EINTERNAL.
 */
int archive_pack(const Jixiao__Archive *a, uint8_t **buf, size_t *len);

/*
 * Adds to a's users every signer of the signatures in ws (name and key, each pair
 * once). The users borrow the names and keys; free them with archive_users_free.
 * Returns JX_OK or JX_EINTERNAL.
 */
int archive_add_signers(Jixiao__Archive *a, const Jixiao__Workspace *ws);
void archive_users_free(Jixiao__Archive *a);

#endif
