/*
 * Workspace records for handlers: loading, id allocation, and recording a change
 * (revision, hash-chained history record, change feed) inside the call's
 * transaction.
 */
#ifndef JX_WORKSPACE_H
#define JX_WORKSPACE_H

#include <stdint.h>

#include "proto/jixiao.pb-c.h"
#include "rpc.h"

#include "history.h"

#define WORKSPACE_HASH_LEN HISTORY_HASH_LEN

/*
 * Loads workspace id. On success the caller frees *ws with
 * jixiao__workspace__free_unpacked. On failure the call is failed (NOT_FOUND...) and
 * the error returned.
 */
int workspace_load(struct rpc_call *c, uint64_t id, Jixiao__Workspace **ws);
/* Like workspace_load, but refuses a workspace that is not open for edits. */
int workspace_load_editable(struct rpc_call *c, uint64_t id, Jixiao__Workspace **ws);

/* Next value of the named counter in the meta database (1, 2, ...). */
int workspace_next_seq(struct rpc_call *c, const char *name, uint64_t *v);

/*
 * Records one change to ws: bumps ws->revision, stamps the change with it, the time
 * and the user, appends it to the hash chain (history_append), saves ws with its new
 * head, and queues the change for the feed. The caller keeps ownership of ws and
 * change. Fails the call and returns the error on failure.
 */
int workspace_record(struct rpc_call *c, Jixiao__Workspace *ws, Jixiao__Change *change);


/* Replaces a malloc'd string field of an unpacked message with a copy of v. */
int workspace_set_str(char **field, const char *v);

#endif

/* ---- the subject index: a subject's workspaces by fiscal year and kind */
#define WORKSPACE_SUBJECT_KEY_MAX (256 + 1 + 4 + 4 + 8)

/* Indexes ws under its subject, year and kind. */
int workspace_index_subject(struct rpc_call *c, const Jixiao__Workspace *ws);

/*
 * Calls fn for every workspace id indexed under subject (and year/kind when not 0),
 * by year then kind then id. fn returns 0 to go on, STORE_SCAN_STOP to stop, or an
 * error to stop with it. Returns 0, fn's error or the store's (as store_scan does).
 */
int workspace_each_of_subject(struct rpc_call *c, const char *subject, uint32_t year,
    uint32_t kind, int (*fn)(void *arg, uint64_t ws, uint32_t year, uint32_t kind),
    void *arg);

/*
 * Refuses (ALREADY_EXISTS) a second active workspace for the same subject, year and
 * kind: a subject has one evaluation of each kind a year.
 */
int workspace_check_unique(struct rpc_call *c, const char *subject, uint32_t year,
    uint32_t kind);
