/* The services jixiaod serves: one file each (svc-NAME.c), one row in rpc.c's table. */
#ifndef JX_SVC_H
#define JX_SVC_H

#include "rpc.h"

extern const struct rpc_service svc_system;
extern const struct rpc_service svc_workspaces;
extern const struct rpc_service svc_tree;

#endif
