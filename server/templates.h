/*
 * Templates (指标体系) in the store: the built-ins seeded at start-up, loading a given or
 * the newest version, and their grade bands as score.h wants them.
 */
#ifndef JX_TEMPLATES_H
#define JX_TEMPLATES_H

#include <stddef.h>
#include <stdint.h>

#include "proto/jixiao.pb-c.h"
#include "rpc.h"
#include "score.h"
#include "store.h"

#define TEMPLATES_ID_MAX 32
#define TEMPLATES_GRADES_MAX 8

/*
 * Stores version 1 of each built-in template (A: project key evaluation, seed 002;
 * B: department-overall self-evaluation, seeds 000/001/003) unless the store has it.
 * Runs before the writer starts. Returns 0 or an error with a sentence in why.
 */
int templates_seed(struct store *s, char *why, size_t whylen);

/* Key of a template version: id, NUL, version big-endian. Returns the key's length. */
size_t templates_key(uint8_t key[TEMPLATES_ID_MAX + 9], const char *id, uint32_t version);

/*
 * Loads template id at version (0: the newest). The caller frees *t with
 * jixiao__template__free_unpacked. Fails the call (NOT_FOUND...) on error.
 */
int templates_load(struct rpc_call *c, const char *id, uint32_t version, Jixiao__Template **t);

/* The newest version of id in txn into *version, 0 when there is none. Returns 0 or an error. */
int templates_newest(MDB_txn *txn, struct store *s, const char *id, uint32_t *version);

/*
 * Points out at t's grade bands (bands has room for TEMPLATES_GRADES_MAX; borrowed
 * from t). Returns 0, or JX_ENOTFOUND when t has none (use the default).
 */
int templates_grades(const Jixiao__Template *t, struct score_grade *bands,
    struct score_grades *out);

#endif
