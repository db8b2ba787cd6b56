/*
 * Claims: an evaluator says "I am working on this indicator" for a while (STORE_CLAIMS:
 * ws + node -> Claim, the user and until when). A claim only warns: others may still
 * edit, and are told. A claim past its time is no claim.
 */
#ifndef JX_CLAIMS_H
#define JX_CLAIMS_H

#include <stddef.h>
#include <stdint.h>

#include "proto/jixiao.pb-c.h"
#include "rpc.h"

/* The live claim on indicator id of ws, or NULL (caller frees). */
Jixiao__Claim *claims_get(struct rpc_call *c, uint64_t ws, uint64_t id);
/* Claims indicator id of ws for the caller until then (0: gives the claim up). */
int claims_set(struct rpc_call *c, uint64_t ws, uint64_t id, int64_t until);
/* Notes to an editor of node that someone else has claimed it; the edit goes ahead. */
void claims_warn(struct rpc_call *c, uint64_t ws, const Jixiao__Node *node);
/* Fills claimed_by/claimed_until on the nodes of ws that have a live claim. */
void claims_fill(struct rpc_call *c, uint64_t ws, Jixiao__Node **nodes, size_t n);

#endif
