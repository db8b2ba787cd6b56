/* The Users service: registered users (name, public key, admin) and workspace members. */
#include <stdio.h>
#include <string.h>
#include <stdlib.h>

#include <sodium.h>

#include "auth.h"
#include "array.h"
#include "err.h"
#include "policy.h"
#include "proto/jixiao.pb-c.h"
#include "rpc.h"
#include "store.h"
#include "text.h"
#include "svc.h"
#include "workspace.h"

#define USERS_LIST_MAX 10000
#define MEMBERS_MAX 256
#define USERS_REASON_MAX 1024
/* Events kept in a user's record; the oldest go first past this. */
#define USERS_EVENTS_MAX 64

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

struct svc_users_list {
	Jixiao__ListUsersReply *out;
	size_t cap;
};

static int
svc_users_list_one(void *arg, const void *key, size_t klen, const void *val, size_t vlen)
{
	struct svc_users_list *l = arg;
	Jixiao__User *u;

	if (l->out->n_users == USERS_LIST_MAX)
		return STORE_SCAN_STOP;
	if ((u = jixiao__user__unpack(NULL, vlen, val)) == NULL)
		return 0;
	if (array_grow(&l->out->users, l->out->n_users, &l->cap, sizeof(u), 16) != 0) {
		jixiao__user__free_unpacked(u, NULL);
		return JX_EINTERNAL;
	}
	l->out->users[l->out->n_users++] = u;
	return 0;
}

static void
svc_users_list(Jixiao__Users_Service *service, const Jixiao__ListUsersRequest *in,
    Jixiao__ListUsersReply_Closure closure, void *data)
{
	Jixiao__ListUsersReply out = JIXIAO__LIST_USERS_REPLY__INIT;
	struct svc_users_list l = { &out, 0 };
	struct rpc_call *c = data;

	if (store_scan(rpc_call_txn(c), rpc_call_store(c), STORE_USERS, "n", 1, svc_users_list_one,
	    &l) != 0)
		rpc_call_fail(c, JX_EINTERNAL, "the users cannot be read");
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

/*
 * Loads user name for a change of standing by the caller, with reason (required when
 * needed) checked. Returns 0, or fails the call.
 */
static int
svc_users_load(struct rpc_call *c, const char *name, const char *reason, bool need_reason,
    Jixiao__User **u)
{
	if (reason != NULL && reason[0] == '\0')
		reason = NULL;
	if (need_reason && reason == NULL) {
		rpc_call_fail(c, JX_EINVAL, "give the reason (it is kept in the user's record)");
		return JX_EINVAL;
	}
	if (reason != NULL && (strlen(reason) > USERS_REASON_MAX || !text_utf8_valid(reason) ||
	    !text_printable(reason, true))) {
		rpc_call_fail(c, JX_EINVAL, "a reason is printable UTF-8 of at most %d bytes",
		    USERS_REASON_MAX);
		return JX_EINVAL;
	}
	if (auth_user_get(rpc_call_txn(c), rpc_call_store(c), name, u) != 0) {
		rpc_call_fail(c, JX_ENOTFOUND, "there is no user %s", name);
		return JX_ENOTFOUND;
	}
	return JX_OK;
}

/*
 * Appends e to u's events (dropping the oldest past USERS_EVENTS_MAX) and saves u, with
 * old_key when the key changes. The events array is swapped back before returning, so
 * u stays the unpacked message it was. Returns 0, or fails the call.
 */
static int
svc_users_record(struct rpc_call *c, Jixiao__User *u, Jixiao__UserEvent *e,
    const uint8_t *old_key)
{
	Jixiao__UserEvent **saved = u->events, **list;
	size_t nsaved = u->n_events, skip, n = 0;
	int rv;

	if ((list = calloc(nsaved + 1, sizeof(*list))) == NULL) {
		rpc_call_fail(c, JX_EINTERNAL, "out of memory");
		return JX_EINTERNAL;
	}
	skip = nsaved >= USERS_EVENTS_MAX ? nsaved - USERS_EVENTS_MAX + 1 : 0;
	for (size_t i = skip; i < nsaved; i++)
		list[n++] = saved[i];
	e->time = rpc_call_now(c);
	e->by = (char *)rpc_call_user(c);
	list[n++] = e;
	u->events = list;
	u->n_events = n;
	rv = auth_user_update(rpc_call_txn(c), rpc_call_store(c), u, old_key);
	u->events = saved;
	u->n_events = nsaved;
	free(list);
	if (rv == JX_EEXIST)
		rpc_call_fail(c, rv, "this key is (or was) registered already; each person "
		    "makes a new key with jx keygen");
	else if (rv != 0)
		rpc_call_fail(c, rv, "the user could not be saved");
	return rv;
}

static void
svc_users_disable(Jixiao__Users_Service *service, const Jixiao__DisableUserRequest *in,
    Jixiao__UserReply_Closure closure, void *data)
{
	Jixiao__UserReply out = JIXIAO__USER_REPLY__INIT;
	Jixiao__UserEvent e = JIXIAO__USER_EVENT__INIT;
	struct rpc_call *c = data;
	Jixiao__User *u = NULL;
	bool disable = !(in->has_enable && in->enable);

	if (svc_users_load(c, in->name, in->reason, disable, &u) != 0)
		goto out;
	if (disable && strcmp(u->name, rpc_call_user(c)) == 0) {
		rpc_call_fail(c, JX_EPRECOND, "you cannot disable yourself; another admin can");
		goto out;
	}
	if ((u->has_disabled && u->disabled) == disable) {
		rpc_call_fail(c, JX_EPRECOND, "user %s is %s already", u->name,
		    disable ? "disabled" : "enabled");
		goto out;
	}
	u->has_disabled = 1;
	u->disabled = disable;
	e.what = disable ? "user.disable" : "user.enable";
	e.reason = in->reason != NULL && in->reason[0] != '\0' ? in->reason : NULL;
	if (svc_users_record(c, u, &e, NULL) == 0)
		out.user = u;
out:
	closure(&out, data);
	if (u != NULL)
		jixiao__user__free_unpacked(u, NULL);
}

static void
svc_users_set_key(Jixiao__Users_Service *service, const Jixiao__SetUserKeyRequest *in,
    Jixiao__UserReply_Closure closure, void *data)
{
	Jixiao__UserReply out = JIXIAO__USER_REPLY__INIT;
	Jixiao__UserEvent e = JIXIAO__USER_EVENT__INIT;
	uint8_t old[KEY_PUBLIC_LEN];
	struct rpc_call *c = data;
	Jixiao__User *u = NULL;
	ProtobufCBinaryData was;

	if (in->public_key.len != KEY_PUBLIC_LEN) {
		rpc_call_fail(c, JX_EINVAL, "a public key is 32 bytes (the .pub file jx keygen "
		    "writes)");
		goto out;
	}
	if (svc_users_load(c, in->name, in->reason, false, &u) != 0)
		goto out;
	if (u->public_key.len != KEY_PUBLIC_LEN) {
		rpc_call_fail(c, JX_EINTERNAL, "the record of user %s is damaged", u->name);
		goto out;
	}
	if (sodium_memcmp(u->public_key.data, in->public_key.data, KEY_PUBLIC_LEN) == 0) {
		rpc_call_fail(c, JX_EPRECOND, "that is %s's key already", u->name);
		goto out;
	}
	memcpy(old, u->public_key.data, KEY_PUBLIC_LEN);
	e.what = "user.key";
	e.reason = in->reason != NULL && in->reason[0] != '\0' ? in->reason : NULL;
	e.has_old_key = e.has_new_key = 1;
	e.old_key.data = old;
	e.old_key.len = KEY_PUBLIC_LEN;
	e.new_key = in->public_key;
	was = u->public_key;
	u->public_key = in->public_key;
	if (svc_users_record(c, u, &e, old) == 0)
		out.user = u;
	closure(&out, data);
	u->public_key = was;
	jixiao__user__free_unpacked(u, NULL);
	return;
out:
	closure(&out, data);
	if (u != NULL)
		jixiao__user__free_unpacked(u, NULL);
}

/* Adds name's record to out unless it is there already. */
static int
svc_users_members_add(struct rpc_call *c, Jixiao__ListUsersReply *out, size_t cap,
    const char *name)
{
	Jixiao__User *u;

	for (size_t i = 0; i < out->n_users; i++)
		if (strcmp(out->users[i]->name, name) == 0)
			return JX_OK;
	if (out->n_users >= cap)
		return JX_ENOSPC;
	if (auth_user_get(rpc_call_txn(c), rpc_call_store(c), name, &u) != 0)
		return JX_OK; /* a signer whose record is gone: nothing to show */
	out->users[out->n_users++] = u;
	return JX_OK;
}

static void
svc_users_members(Jixiao__Users_Service *service, const Jixiao__ListMembersRequest *in,
    Jixiao__ListUsersReply_Closure closure, void *data)
{
	Jixiao__ListUsersReply out = JIXIAO__LIST_USERS_REPLY__INIT;
	Jixiao__Workspace *ws = NULL;
	struct rpc_call *c = data;
	size_t cap;

	if (workspace_load(c, in->workspace, &ws) != 0)
		goto out;
	cap = ws->n_members + ws->n_signatures;
	if (cap > 0 && (out.users = calloc(cap, sizeof(*out.users))) == NULL) {
		rpc_call_fail(c, JX_EINTERNAL, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < ws->n_members; i++)
		svc_users_members_add(c, &out, cap, ws->members[i]->user);
	for (size_t i = 0; i < ws->n_signatures; i++)
		svc_users_members_add(c, &out, cap, ws->signatures[i]->user);
out:
	closure(&out, data);
	for (size_t i = 0; i < out.n_users; i++)
		jixiao__user__free_unpacked(out.users[i], NULL);
	free(out.users);
	if (ws != NULL)
		jixiao__workspace__free_unpacked(ws, NULL);
}

static Jixiao__Users_Service svc_users_service = JIXIAO__USERS__INIT(svc_users_);

const struct rpc_service svc_users = {
	.service = &svc_users_service.base,
};
