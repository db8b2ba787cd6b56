/* The Users service: registered users (name, public key, admin) and workspace members. */
#include <string.h>
#include <stdlib.h>

#include "auth.h"
#include "err.h"
#include "policy.h"
#include "proto/jixiao.pb-c.h"
#include "rpc.h"
#include "store.h"
#include "svc.h"
#include "workspace.h"

#define USERS_LIST_MAX 10000
#define MEMBERS_MAX 256

static void
svc_users_add(Jixiao__Users_Service *service, const Jixiao__AddUserRequest *in,
    Jixiao__UserReply_Closure closure, void *data)
{
	Jixiao__UserReply out = JIXIAO__USER_REPLY__INIT;
	Jixiao__User u = JIXIAO__USER__INIT;
	struct rpc_call *c = data;
	int rv;

	if (!auth_name_valid(in->name)) {
		rpc_call_fail(c, JX_EINVAL, "a user name is 1 to %d characters without spaces, "
		    "slashes or colons", AUTH_NAME_MAX);
		goto out;
	}
	if (in->public_key.len != KEY_PUBLIC_LEN) {
		rpc_call_fail(c, JX_EINVAL, "a public key is 32 bytes (the .pub file jx keygen "
		    "writes)");
		goto out;
	}
	u.name = in->name;
	u.public_key = in->public_key;
	u.has_admin = in->has_admin;
	u.admin = in->admin;
	u.has_created_at = 1;
	u.created_at = rpc_call_now(c);
	u.created_by = (char *)rpc_call_user(c);
	rv = auth_user_put(rpc_call_txn(c), rpc_call_store(c), &u);
	if (rv == JX_EEXIST)
		rpc_call_fail(c, rv, "the name %s or this key is registered already", in->name);
	else if (rv != 0)
		rpc_call_fail(c, rv, "the user could not be saved");
	else
		out.user = &u;
out:
	closure(&out, data);
}

static void
svc_users_list(Jixiao__Users_Service *service, const Jixiao__ListUsersRequest *in,
    Jixiao__ListUsersReply_Closure closure, void *data)
{
	Jixiao__ListUsersReply out = JIXIAO__LIST_USERS_REPLY__INIT;
	struct rpc_call *c = data;
	Jixiao__User **grown;
	MDB_cursor *cur;
	MDB_val k, v;
	size_t cap = 0;
	int rc;

	if (store_cursor(rpc_call_txn(c), rpc_call_store(c), STORE_USERS, &cur) != 0) {
		rpc_call_fail(c, JX_EINTERNAL, "the users cannot be read");
		goto out;
	}
	k.mv_size = 1;
	k.mv_data = "n";
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
	     rc == 0 && ((const char *)k.mv_data)[0] == 'n' && out.n_users < USERS_LIST_MAX;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		Jixiao__User *u = jixiao__user__unpack(NULL, v.mv_size, v.mv_data);
		if (u == NULL)
			continue;
		if (out.n_users == cap) {
			cap = cap ? cap * 2 : 16;
			if ((grown = realloc(out.users, cap * sizeof(*grown))) == NULL) {
				jixiao__user__free_unpacked(u, NULL);
				rpc_call_fail(c, JX_EINTERNAL, "out of memory");
				break;
			}
			out.users = grown;
		}
		out.users[out.n_users++] = u;
	}
	mdb_cursor_close(cur);
out:
	closure(&out, data);
	for (size_t i = 0; i < out.n_users; i++)
		jixiao__user__free_unpacked(out.users[i], NULL);
	free(out.users);
}

static void
svc_users_set_member(Jixiao__Users_Service *service, const Jixiao__SetMemberRequest *in,
    Jixiao__WorkspaceReply_Closure closure, void *data)
{
	Jixiao__WorkspaceReply out = JIXIAO__WORKSPACE_REPLY__INIT;
	Jixiao__Change change = JIXIAO__CHANGE__INIT;
	Jixiao__Member m = JIXIAO__MEMBER__INIT, **list = NULL, **saved = NULL;
	Jixiao__Workspace *ws = NULL;
	Jixiao__User *u = NULL;
	struct rpc_call *c = data;
	size_t nsaved = 0, n = 0;
	bool swapped = false;

	if (in->role == JIXIAO__ROLE__ROLE_ADMIN || (unsigned)in->role > JIXIAO__ROLE__ROLE_OBSERVER) {
		rpc_call_fail(c, JX_EINVAL, "a member's role is evaluator, reviewer, unit or observer "
		    "(admins are users with --admin)");
		goto out;
	}
	if (auth_user_get(rpc_call_txn(c), rpc_call_store(c), in->user, &u) != 0) {
		rpc_call_fail(c, JX_ENOTFOUND, "there is no user %s; add them with jx user add",
		    in->user);
		goto out;
	}
	if (workspace_load(c, in->workspace, &ws) != 0)
		goto out;
	if ((list = calloc(ws->n_members + 1, sizeof(*list))) == NULL) {
		rpc_call_fail(c, JX_EINTERNAL, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < ws->n_members; i++)
		if (strcmp(ws->members[i]->user, in->user) != 0)
			list[n++] = ws->members[i];
	if (in->role != JIXIAO__ROLE__ROLE_UNSPECIFIED) {
		if (n >= MEMBERS_MAX) {
			rpc_call_fail(c, JX_ENOSPC, "a workspace has at most %d members", MEMBERS_MAX);
			goto out;
		}
		m.user = in->user;
		m.role = in->role;
		list[n++] = &m;
	}
	saved = ws->members;
	nsaved = ws->n_members;
	ws->members = list;
	ws->n_members = n;
	swapped = true;
	change.what = "member.set";
	change.workspace_after = ws;
	if (workspace_record(c, ws, &change) == 0)
		out.workspace = ws;
out:
	closure(&out, data);
	if (swapped) {
		ws->members = saved;
		ws->n_members = nsaved;
	}
	free(list);
	if (u != NULL)
		jixiao__user__free_unpacked(u, NULL);
	if (ws != NULL)
		jixiao__workspace__free_unpacked(ws, NULL);
}

static Jixiao__Users_Service svc_users_service = JIXIAO__USERS__INIT(svc_users_);

const struct rpc_service svc_users = {
	.service = &svc_users_service.base,
};
