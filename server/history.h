/*
 * A workspace's past: the state index that makes any revision readable in time
 * proportional to the number of indicators (not to the number of revisions), and the
 * change log. Every recorded change indexes the states it creates (workspace_record).
 */
#ifndef JX_HISTORY_H
#define JX_HISTORY_H

#include <stddef.h>
#include <stdint.h>

#include "proto/jixiao.pb-c.h"
#include "rpc.h"

#define HISTORY_WORKSPACE 0
#define HISTORY_BUDGET UINT64_MAX
/* Findings are entities from here on; indicators' ids stay below it. */
#define HISTORY_FINDINGS ((uint64_t)1 << 62)

#define HISTORY_HASH_LEN 32

/*
 * The hash chain: appends change as ws's record at change->revision, naming ws's head
 * before it (prev), and makes the record's BLAKE2b-256 ws's head. *rec (malloc'd, the
 * caller frees it, also on failure) and *len: the packed record, for the feed. change
 * borrows ws's old head as prev; the caller clears it.
 */
int history_append(struct rpc_call *c, Jixiao__Workspace *ws, Jixiao__Change *change,
    uint8_t **rec, size_t *len);
/* The chain head at revision rev: BLAKE2b-256 of its history record. 0 or JX_ENOTFOUND. */
int history_head_at(struct rpc_call *c, uint64_t ws, uint64_t rev,
    uint8_t head[HISTORY_HASH_LEN]);

/* Indexes the states change creates at its revision. Returns 0 or an error. */
int history_index(struct rpc_call *c, const Jixiao__Change *change);

/*
 * Decodes entity's state as of revision at into *msg (desc's type; caller frees).
 * JX_ENOTFOUND when it did not exist then (or had been removed).
 */
int history_state_at(struct rpc_call *c, uint64_t ws, uint64_t entity, uint64_t at,
    const ProtobufCMessageDescriptor *desc, ProtobufCMessage **msg);

/*
 * Every indicator of ws as of revision at, appended to *nodes (malloc'd array grown as
 * needed, *n and *cap updated; caller frees the nodes and the array).
 */
int history_nodes_at(struct rpc_call *c, uint64_t ws, uint64_t at, Jixiao__Node ***nodes,
    size_t *n, size_t *cap);

/*
 * Every finding of ws as of revision at, appended to *findings as history_nodes_at
 * appends nodes (by id; caller frees the findings and the array).
 */
int history_findings_at(struct rpc_call *c, uint64_t ws, uint64_t at,
    Jixiao__Finding ***findings, size_t *n, size_t *cap);

/*
 * The revision that last changed entity's state such that same() no longer holds,
 * walking back from at: for blame. Calls same(old, now) for each older state; *since
 * gets the revision of the oldest state in the unbroken run that same accepts (0: none).
 * Returns 0 or the store's error.
 */
int history_since(struct rpc_call *c, uint64_t ws, uint64_t entity, uint64_t at,
    int (*same)(const Jixiao__Node *older, const Jixiao__Node *now), const Jixiao__Node *now,
    uint64_t *since);

#endif
