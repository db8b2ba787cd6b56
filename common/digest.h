/*
 * The canonical digest of a workspace's content at a revision, and the statements
 * evaluators and reviewers sign over it. Server and client compute it with this one
 * function, from the same stored fields, so the server can check what a client signed
 * and anyone can check an exported archive offline.
 *
 * The digest is BLAKE2b-256 over, in order:
 *   "jixiao-content-v1" NUL
 *   u64 workspace id, u64 revision, 32-byte chain head at that revision
 *   the workspace header (a Workspace message holding only its content fields:
 *     subject, fiscal_year, kind, title, department, unit, goal, template, subject id,
 *     lead, stated total (合计), and the report's sections overview, process, evaluator,
 *     report_date, which encode to nothing when absent; id and state fixed, revision 0)
 *   each indicator, by id ascending: the Node as stored (the computed-on-read fields
 *     total, depth, unscored, computed, vetoed, note, claimed_by, claimed_until cleared)
 *   the budget as stored (final, rate, lines_total cleared), or nothing when it is
 *     absent or empty
 *   each finding (存在问题/建议/经验做法), by id ascending, as stored
 * each part as u64 big-endian length + its protobuf encoding. protobuf-c writes fields
 * in field-number order and keeps repeated fields in order, so the encoding of the same
 * values is the same bytes on both sides.
 */
#ifndef JX_DIGEST_H
#define JX_DIGEST_H

#include <stddef.h>
#include <stdint.h>

#include "proto/jixiao.pb-c.h"

#define DIGEST_LEN 32
#define DIGEST_SUBMIT "submit"
#define DIGEST_SIGNOFF "signoff"

/*
 * The digest of ws's content at revision with chain head (32 bytes). nodes and
 * findings need not be sorted; budget may be NULL. Returns 0, or -1 when out of memory.
 */
int digest_content(const Jixiao__Workspace *ws, uint64_t revision, const uint8_t *head,
    Jixiao__Node *const *nodes, size_t n, const Jixiao__Budget *budget,
    Jixiao__Finding *const *findings, size_t nfindings, uint8_t out[DIGEST_LEN]);

/*
 * The parts the digest hashes after the workspace id, revision and head, each the exact
 * bytes of its protobuf encoding, in order: the header, the nodes (by id), the budget
 * (when not empty) and the findings (by id). A client that must not trust the server's
 * word for what it signs (the browser) gets these bytes, shows what they decode to, and
 * hashes the same bytes with digest_of_parts' rule.
 */
struct digest_parts {
	uint8_t *header;
	size_t header_len;
	uint8_t **nodes;
	size_t *node_lens;
	size_t n_nodes;
	uint8_t *budget;       /* NULL when there are no budget facts */
	size_t budget_len;
	uint8_t **findings;
	size_t *finding_lens;
	size_t n_findings;
};

/* Fills p (free with digest_parts_free, also after a failure). Returns 0 or -1 (memory). */
int digest_parts(const Jixiao__Workspace *ws, Jixiao__Node *const *nodes, size_t n,
    const Jixiao__Budget *budget, Jixiao__Finding *const *findings, size_t nfindings,
    struct digest_parts *p);
void digest_parts_free(struct digest_parts *p);
/* The digest of the parts of workspace id at revision with chain head (32 bytes). */
void digest_of_parts(uint64_t id, uint64_t revision, const uint8_t *head,
    const struct digest_parts *p, uint8_t out[DIGEST_LEN]);

/* Signs the statement (kind, digest) with an Ed25519 secret key (64 bytes). */
void digest_sign(const char *kind, const uint8_t digest[DIGEST_LEN], const uint8_t *sk,
    uint8_t sig[64]);

/* Checks a signature on the statement (kind, digest). Returns 0 when it is good. */
int digest_verify(const char *kind, const uint8_t digest[DIGEST_LEN], const uint8_t *pk,
    const uint8_t *sig, size_t siglen);

#endif
