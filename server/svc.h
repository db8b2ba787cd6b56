/* The services jixiaod serves: one file each (svc-NAME.c), one row in rpc.c's table. */
#ifndef JX_SVC_H
#define JX_SVC_H

#include <stdint.h>

#include "proto/jixiao.pb-c.h"
#include "rpc.h"

extern const struct rpc_service svc_system;
extern const struct rpc_service svc_workspaces;
extern const struct rpc_service svc_tree;
extern const struct rpc_service svc_budgets;
extern const struct rpc_service svc_templates;

/*
 * Loads workspace ws's budget facts with the computed fields filled; *budget is NULL
 * when it has none (freed with jixiao__budget__free_unpacked). Fails the call on error.
 */
/*
 * Adds indicators to ws (loaded, editable) as AddNode would, in order, each its own
 * revision; stops at the first refusal (the call fails, the transaction is dropped).
 */
int svc_tree_add_all(struct rpc_call *c, Jixiao__Workspace *ws,
    Jixiao__AddNodeRequest *const *nodes, size_t n);

int svc_budgets_load(struct rpc_call *c, uint64_t ws, Jixiao__Budget **budget);

#endif
