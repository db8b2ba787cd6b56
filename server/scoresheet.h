/*
 * The scoring sheet of a workspace as of a revision: its indicators in depth-first
 * order, each with its computed total, and the sheet's total and grade — what GetTree
 * answers. Made in the call's read transaction.
 */
#ifndef JX_SCORESHEET_H
#define JX_SCORESHEET_H

#include <stddef.h>
#include <stdint.h>

#include "proto/jixiao.pb-c.h"
#include "rpc.h"

struct scoresheet {
	Jixiao__TreeReply reply;  /* borrows everything below */
	Jixiao__Workspace *ws;
	Jixiao__Budget *budget;
	Jixiao__Template *tmpl;
	struct sheet_node *sheet;
	struct scoresheet_walk *walk;
	uint8_t head[32];         /* the chain head at the sheet's revision */
};

/*
 * Loads and scores workspace ws as of revision at (0: now) into r. Fails the call on
 * error. Always release r with scoresheet_free, also after a failure.
 */
int scoresheet_load(struct rpc_call *c, uint64_t ws, uint64_t at, struct scoresheet *r);
void scoresheet_free(struct scoresheet *r);

/* What scoresheet_reply_size's estimate counts per indicator beyond its stored record. */
#define SCORESHEET_RECORD_ROOM 256
/*
 * How many bytes workspace ws's tree reply (GetTree) is now, in c's transaction; an
 * estimate from the stored records when it is well under rpc_call_max_reply. May
 * call rpc_call_fail when the tree cannot be read: save the call's outcome first.
 */
int scoresheet_reply_size(struct rpc_call *c, uint64_t ws, size_t *bytes);

#endif
