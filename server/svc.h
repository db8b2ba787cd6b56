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
extern const struct rpc_service svc_history;
extern const struct rpc_service svc_subjects;
extern const struct rpc_service svc_files;
extern const struct rpc_service svc_auth;
extern const struct rpc_service svc_users;
extern const struct rpc_service svc_workflow;
extern const struct rpc_service svc_findings;

/* Evidence travels in chunks of this size; files are at most the configured maximum. */
#define SVC_FILES_CHUNK ((uint64_t)1 << 20)
#define SVC_FILES_DEFAULT_MAX ((uint64_t)64 << 20)
/* Sets the largest evidence file accepted (jixiaod --max-evidence). */
void svc_files_set_max(uint64_t bytes);

/*
 * Every finding of ws as of revision at (0: now), unsorted, into a malloc'd array;
 * release with svc_findings_free. Fails the call on error.
 */
int svc_findings_load(struct rpc_call *c, uint64_t ws, uint64_t at, Jixiao__Finding ***all,
    size_t *n);
void svc_findings_free(Jixiao__Finding **all, size_t n);

/* Loads a registered subject (caller frees); fails the call when there is none. */
int svc_subjects_load(struct rpc_call *c, uint64_t id, Jixiao__Subject **s);

/* Fills a budget's computed fields (final, rate, lines total). */
void svc_budgets_derive(Jixiao__Budget *b);
/*
 * Loads workspace ws's budget facts with the computed fields filled; *budget is NULL
 * when it has none (freed with jixiao__budget__free_unpacked). Fails the call on error.
 */
int svc_budgets_load(struct rpc_call *c, uint64_t ws, Jixiao__Budget **budget);

#endif
