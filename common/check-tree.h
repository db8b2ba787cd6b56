/*
 * The consistency checks (check.h) of a scoring sheet as GetTree answers it: the one
 * mapping from a TreeReply to check_node that jx check and the server's Tree.Check
 * (the web interface's warnings beside their rows) both use.
 */
#ifndef JX_CHECK_TREE_H
#define JX_CHECK_TREE_H

#include <stddef.h>

#include "check.h"
#include "proto/jixiao.pb-c.h"

/*
 * Runs check_run on t's nodes (depth first, as GetTree orders them) and budget. Returns
 * 0 with *w and *nw as check_run gives them (free with check_free), JX_EINTERNAL when
 * out of memory, or check_run's error.
 */
int check_tree_reply(const Jixiao__TreeReply *t, struct check_warning **w, size_t *nw);

#endif
