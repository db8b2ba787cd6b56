/* The Auth service: challenge-response login on the user's Ed25519 key (see auth.h). */
#include <string.h>

#include "auth.h"
#include "err.h"
#include "proto/jixiao.pb-c.h"
#include "rpc.h"
#include "svc.h"

static void
svc_auth_challenge(Jixiao__Auth_Service *service, const Jixiao__ChallengeRequest *in,
    Jixiao__ChallengeReply_Closure closure, void *data)
{
	Jixiao__ChallengeReply out = JIXIAO__CHALLENGE_REPLY__INIT;
	struct rpc_call *c = data;
	struct auth *a = rpc_call_auth(c);
	uint8_t nonce[KEY_NONCE_LEN], sig[KEY_SIG_LEN];

	if (a == NULL || auth_challenge(a, rpc_call_pipe(c), nonce, sig) != 0) {
		rpc_call_fail(c, JX_EUNAVAIL, "the server cannot log anyone in right now");
		closure(NULL, data);
		return;
	}
	out.server_key.data = (uint8_t *)auth_server_key(a);
	out.server_key.len = KEY_PUBLIC_LEN;
	out.nonce.data = nonce;
	out.nonce.len = sizeof(nonce);
	out.server_signature.data = sig;
	out.server_signature.len = sizeof(sig);
	closure(&out, data);
}

/* The newest "user.disable" event of u, or NULL. */
static const Jixiao__UserEvent *
svc_auth_last_disable(const Jixiao__User *u)
{
	for (size_t i = u->n_events; i-- > 0;)
		if (strcmp(u->events[i]->what, "user.disable") == 0)
			return u->events[i];
	return NULL;
}

static void
svc_auth_login(Jixiao__Auth_Service *service, const Jixiao__LoginRequest *in,
    Jixiao__LoginReply_Closure closure, void *data)
{
	Jixiao__LoginReply out = JIXIAO__LOGIN_REPLY__INIT;
	struct rpc_call *c = data;
	struct auth *a = rpc_call_auth(c);
	char name[AUTH_NAME_MAX + 1];
	Jixiao__User *u = NULL;

	if (a == NULL) {
		rpc_call_fail(c, JX_EUNAVAIL, "the server cannot log anyone in right now");
		goto out;
	}
	if (in->public_key.len != KEY_PUBLIC_LEN || in->signature.len != KEY_SIG_LEN) {
		rpc_call_fail(c, JX_EINVAL, "a login is a 32-byte public key and a 64-byte "
		    "signature");
		goto out;
	}
	if (auth_user_by_retired_key(rpc_call_txn(c), rpc_call_store(c), in->public_key.data,
	    name) == 0) {
		rpc_call_fail(c, JX_EUNAUTH, "this key was %s's, and has been replaced: it logs in "
		    "no more; log in with %s's new key", name, name);
		goto out;
	}
	if (auth_user_by_key(rpc_call_txn(c), rpc_call_store(c), in->public_key.data, name) != 0 ||
	    auth_user_get(rpc_call_txn(c), rpc_call_store(c), name, &u) != 0) {
		rpc_call_fail(c, JX_EUNAUTH, "this key is not registered here; an admin adds it "
		    "with jx user add NAME FILE.pub");
		goto out;
	}
	if (u->has_disabled && u->disabled) {
		const Jixiao__UserEvent *e = svc_auth_last_disable(u);
		rpc_call_fail(c, JX_EUNAUTH, "user %s is disabled%s%s%s%s; an admin can enable "
		    "them again", name, e != NULL && e->by != NULL ? " by " : "",
		    e != NULL && e->by != NULL ? e->by : "", e != NULL && e->reason != NULL ?
		    ": " : "", e != NULL && e->reason != NULL ? e->reason : "");
		goto out;
	}
	if (auth_login(a, rpc_call_pipe(c), in->public_key.data, in->signature.data, name) != 0) {
		rpc_call_fail(c, JX_EUNAUTH, "the login was not signed by this key for this "
		    "server's challenge; ask for a new challenge");
		goto out;
	}
	out.user = u->name;
	out.has_admin = 1;
	out.admin = u->has_admin && u->admin;
out:
	closure(rpc_call_code(c) == JX_OK ? &out : NULL, data);
	if (u != NULL)
		jixiao__user__free_unpacked(u, NULL);
}

static Jixiao__Auth_Service svc_auth_service = JIXIAO__AUTH__INIT(svc_auth_);

const struct rpc_service svc_auth = {
	.service = &svc_auth_service.base,
};
