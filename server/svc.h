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

/* The indicator ref names in ws (caller frees); fails the call when there is none. */
int svc_tree_resolve(struct rpc_call *c, uint64_t ws, const Jixiao__NodeRef *ref,
    Jixiao__Node **node);
/* A deep copy of node (caller frees). */
int svc_tree_copy(struct rpc_call *c, const Jixiao__Node *node, Jixiao__Node **copy);
/* Saves node as changed by this call and records the change from before (what). */
int svc_tree_save(struct rpc_call *c, Jixiao__Workspace *ws, Jixiao__Node *before,
    Jixiao__Node *node, const char *what, Jixiao__Change *change, Jixiao__NodeReply *out);

/*
 * Every finding of ws as of revision at (0: now), unsorted, into a malloc'd array;
 * release with svc_findings_free. Fails the call on error.
 */
int svc_findings_load(struct rpc_call *c, uint64_t ws, uint64_t at, Jixiao__Finding ***all,
    size_t *n);
void svc_findings_free(Jixiao__Finding **all, size_t n);

/* Loads a registered subject (caller frees); fails the call when there is none. */
int svc_subjects_load(struct rpc_call *c, uint64_t id, Jixiao__Subject **s);

/*
 * Loads workspace ws's budget facts with the computed fields filled; *budget is NULL
 * when it has none (freed with jixiao__budget__free_unpacked). Fails the call on error.
 */
/*
 * Adds indicators to ws (loaded, editable) as AddNode would, in order, each its own
 * revision; stops at the first refusal (the call fails, the transaction is dropped).
 */
int svc_tree_add_all(struct rpc_call *c, Jixiao__Workspace *ws,
    Jixiao__AddNodeRequest *const *nodes, size_t n, const uint64_t *lineages);

/* A workspace's scoring sheet as of a revision, computed: what GetTree answers. */
struct svc_tree_sheet {
	Jixiao__TreeReply reply;  /* borrows everything below */
	Jixiao__Workspace *ws;
	Jixiao__Budget *budget;
	Jixiao__Template *tmpl;
	struct sheet_node *sheet;
	struct tree_walk *walk;
	uint8_t head[32];         /* the chain head at the sheet's revision */
};

/*
 * Loads and scores workspace ws as of revision at (0: now) into r. Fails the call on
 * error. Always release r with svc_tree_sheet_free, also after a failure.
 */
int svc_tree_sheet(struct rpc_call *c, uint64_t ws, uint64_t at, struct svc_tree_sheet *r);
void svc_tree_sheet_free(struct svc_tree_sheet *r);
/*
 * How many bytes workspace ws's tree reply (GetTree) is now, in c's transaction; an
 * estimate from the stored records when it is well under rpc_call_max_reply. May
 * call rpc_call_fail when the tree cannot be read: save the call's outcome first.
 */
/* What svc_tree_reply_size's estimate counts per indicator beyond its stored record. */
#define SVC_TREE_RECORD_ROOM 256
int svc_tree_reply_size(struct rpc_call *c, uint64_t ws, size_t *bytes);

/* Fills a budget's computed fields (final, rate, lines total). */
void svc_budgets_derive(Jixiao__Budget *b);

int svc_budgets_load(struct rpc_call *c, uint64_t ws, Jixiao__Budget **budget);

#endif
