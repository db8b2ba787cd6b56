/*
 * Authorisation: what each RPC needs, checked against the caller's role before its
 * handler runs, inside the call's transaction (so a role and the change it allows
 * are read from one snapshot).
 *
 * What a method needs is its row in the method table (methods.c). A need for a role in
 * a workspace is checked against the request's `workspace` field; when an optional one
 * is absent, a read needs a login (its handler then decides) and a write an admin.
 *   any role  : read the workspace, its tree, budget, history, evidence
 *   evaluator : edit indicators, budget, evidence; submit (签字提交)
 *   reviewer  : sign off (复核签字), reopen a final workspace
 *   unit      : comment in the unit's comment round (征求意见)
 *   admin     : users, members, workspaces, templates, subjects; reads and edits anywhere,
 *               but signs only where it holds the role (a signature is a person's act)
 */
#ifndef JX_POLICY_H
#define JX_POLICY_H

#include <stdbool.h>
#include <stdint.h>

#include <protobuf-c/protobuf-c.h>

#include "methods.h"
#include "proto/jixiao.pb-c.h"
#include "rpc.h"

/*
 * Checks that the caller may make this call. Returns 0, or fails the call with
 * UNAUTHENTICATED, PERMISSION_DENIED or NOT_FOUND and returns that.
 */
int policy_check(struct rpc_call *c, const struct method *m, const ProtobufCMessage *input);

/*
 * The decision alone: JX_OK, JX_EUNAUTH or JX_EPERM for a caller who is logged in or
 * not, an admin or not, and holds the role member in the request's workspace.
 */
int policy_decide(enum method_need need, bool logged_in, bool admin, Jixiao__Role member);

/* True for the methods anyone may call before logging in (System, Auth). */
bool policy_public(const struct method *m);

/* The caller's role in ws (ROLE_UNSPECIFIED when none); admins are ROLE_ADMIN. */
Jixiao__Role policy_role(struct rpc_call *c, const Jixiao__Workspace *ws);
/* True when the caller may read ws: an admin or any member. */
bool policy_may_read(struct rpc_call *c, const Jixiao__Workspace *ws);
/* The request's workspace id, when its type has a `workspace` field that is set. */
bool policy_workspace_of(const ProtobufCMessage *input, uint64_t *ws);
/* True when the caller is an admin. */
bool policy_is_admin(struct rpc_call *c);

/* "evaluator" for ROLE_EVALUATOR and so on; parse returns ROLE_UNSPECIFIED when unknown. */
const char *policy_role_name(Jixiao__Role r);
Jixiao__Role policy_role_parse(const char *s);

#endif
