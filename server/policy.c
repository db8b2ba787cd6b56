#include "policy.h"

#include <inttypes.h>
#include <string.h>

#include "err.h"
#include "methods.h"
#include "store.h"

static const char *const policy_role_names[] = {
	[JIXIAO__ROLE__ROLE_UNSPECIFIED] = "none",
	[JIXIAO__ROLE__ROLE_ADMIN] = "admin",
	[JIXIAO__ROLE__ROLE_EVALUATOR] = "evaluator",
	[JIXIAO__ROLE__ROLE_REVIEWER] = "reviewer",
	[JIXIAO__ROLE__ROLE_UNIT] = "unit",
	[JIXIAO__ROLE__ROLE_OBSERVER] = "observer",
};

const char *
policy_role_name(Jixiao__Role r)
{
	if ((unsigned)r < sizeof(policy_role_names) / sizeof(policy_role_names[0]))
		return policy_role_names[r];
	return "unknown";
}

Jixiao__Role
policy_role_parse(const char *s)
{
	for (unsigned i = 1; i < sizeof(policy_role_names) / sizeof(policy_role_names[0]); i++)
		if (strcmp(s, policy_role_names[i]) == 0)
			return (Jixiao__Role)i;
	return JIXIAO__ROLE__ROLE_UNSPECIFIED;
}

bool
policy_is_admin(struct rpc_call *c)
{
	return rpc_call_is_admin(c);
}

/* The caller's role as a member of ws, ignoring admin. */
static Jixiao__Role
policy_member_role(struct rpc_call *c, const Jixiao__Workspace *ws)
{
	const char *user = rpc_call_user(c);

	for (size_t i = 0; i < ws->n_members; i++)
		if (strcmp(ws->members[i]->user, user) == 0)
			return ws->members[i]->role;
	return JIXIAO__ROLE__ROLE_UNSPECIFIED;
}

Jixiao__Role
policy_role(struct rpc_call *c, const Jixiao__Workspace *ws)
{
	return policy_is_admin(c) ? JIXIAO__ROLE__ROLE_ADMIN : policy_member_role(c, ws);
}

bool
policy_may_read(struct rpc_call *c, const Jixiao__Workspace *ws)
{
	return policy_role(c, ws) != JIXIAO__ROLE__ROLE_UNSPECIFIED;
}

bool
policy_workspace_of(const ProtobufCMessage *input, uint64_t *ws)
{
	const ProtobufCFieldDescriptor *f;

	if (input == NULL ||
	    (f = protobuf_c_message_descriptor_get_field_by_name(input->descriptor,
	    "workspace")) == NULL || f->type != PROTOBUF_C_TYPE_UINT64 ||
	    f->label == PROTOBUF_C_LABEL_REPEATED)
		return false;
	if (f->label == PROTOBUF_C_LABEL_OPTIONAL && f->quantifier_offset != 0 &&
	    !*(const protobuf_c_boolean *)((const char *)input + f->quantifier_offset))
		return false;
	*ws = *(const uint64_t *)((const char *)input + f->offset);
	return true;
}

/* Who may do it, in the user's words. */
static const char *
policy_need_words(enum method_need need)
{
	switch (need) {
	case METHOD_EDIT:
	case METHOD_SUBMIT:
		return "an evaluator (评价人员)";
	case METHOD_REVIEW:
		return "a reviewer (复核人员)";
	case METHOD_COMMENT:
		return "the evaluated unit (被评价单位)";
	case METHOD_PROGRESS:
		return "an evaluator (评价人员) or a reviewer (复核人员)";
	default:
		return "a member";
	}
}

/* "an evaluator (评价人员)" for ROLE_EVALUATOR and so on. */
static const char *
policy_role_words(Jixiao__Role r)
{
	switch (r) {
	case JIXIAO__ROLE__ROLE_ADMIN:
		return "an admin";
	case JIXIAO__ROLE__ROLE_EVALUATOR:
		return "an evaluator (评价人员)";
	case JIXIAO__ROLE__ROLE_REVIEWER:
		return "a reviewer (复核人员)";
	case JIXIAO__ROLE__ROLE_UNIT:
		return "the evaluated unit (被评价单位)";
	case JIXIAO__ROLE__ROLE_OBSERVER:
		return "an observer";
	default:
		return "not a member";
	}
}

int
policy_decide(enum method_need need, bool logged_in, bool admin, Jixiao__Role member)
{
	if (need == METHOD_PUBLIC)
		return JX_OK;
	if (!logged_in)
		return JX_EUNAUTH;
	switch (need) {
	case METHOD_USER:
		return JX_OK;
	case METHOD_ADMIN:
		return admin ? JX_OK : JX_EPERM;
	case METHOD_READ:
		return admin || member != JIXIAO__ROLE__ROLE_UNSPECIFIED ? JX_OK : JX_EPERM;
	case METHOD_EDIT:
		return admin || member == JIXIAO__ROLE__ROLE_EVALUATOR ? JX_OK : JX_EPERM;
	case METHOD_SUBMIT:
		return member == JIXIAO__ROLE__ROLE_EVALUATOR ? JX_OK : JX_EPERM;
	case METHOD_REVIEW:
		return member == JIXIAO__ROLE__ROLE_REVIEWER ? JX_OK : JX_EPERM;
	case METHOD_COMMENT:
		return member == JIXIAO__ROLE__ROLE_UNIT ? JX_OK : JX_EPERM;
	case METHOD_PROGRESS:
		return member == JIXIAO__ROLE__ROLE_EVALUATOR ||
		    member == JIXIAO__ROLE__ROLE_REVIEWER ? JX_OK : JX_EPERM;
	default:
		return JX_EPERM;
	}
}

bool
policy_public(const struct method *m)
{
	return m->need == METHOD_PUBLIC;
}

int
policy_check(struct rpc_call *c, const struct method *m, const ProtobufCMessage *input)
{
	Jixiao__Workspace *ws = NULL;
	enum method_need need = m->need;
	Jixiao__Role member;
	uint8_t key[8];
	uint64_t id = 0;
	bool logged_in = rpc_call_user(c)[0] != '\0', admin;
	int rv;

	/* A workspace role asked of a request that names none: the handler decides. */
	if (methods_need_workspace(need) && !policy_workspace_of(input, &id))
		need = m->writes ? METHOD_ADMIN : METHOD_USER;
	if (need == METHOD_PUBLIC)
		return JX_OK;
	if (!logged_in) {
		rpc_call_fail(c, JX_EUNAUTH, "log in first: this connection has not authenticated "
		    "(jx does it with your key from jx keygen)");
		return JX_EUNAUTH;
	}
	admin = policy_is_admin(c);
	if (!methods_need_workspace(need)) {
		if ((rv = policy_decide(need, true, admin, JIXIAO__ROLE__ROLE_UNSPECIFIED)) != 0)
			rpc_call_fail(c, rv, "only an admin can %s; %s is not one", m->doing,
			    rpc_call_user(c));
		return rv;
	}
	store_key_u64(key, id);
	rv = store_get_msg(rpc_call_txn(c), rpc_call_store(c), STORE_WORKSPACES, key, sizeof(key),
	    &jixiao__workspace__descriptor, (ProtobufCMessage **)&ws);
	if (rv != 0) {
		/* Admins see the handler's own answer; others learn nothing more. */
		if (admin && rv == JX_ENOTFOUND)
			return JX_OK;
		rpc_call_fail(c, rv == JX_ENOTFOUND ? JX_ENOTFOUND : JX_EINTERNAL,
		    "workspace %" PRIu64 " does not exist", id);
		return rpc_call_code(c);
	}
	member = policy_member_role(c, ws);
	if ((rv = policy_decide(need, true, admin, member)) == JX_OK) {
		;
	} else if (!admin && member == JIXIAO__ROLE__ROLE_UNSPECIFIED) {
		rpc_call_fail(c, rv, "%s has no role in workspace %" PRIu64 "; an admin "
		    "adds members with jx member set", rpc_call_user(c), id);
	} else {
		rpc_call_fail(c, rv, "only %s of workspace %" PRIu64 " can %s; %s is %s there",
		    policy_need_words(need), id, m->doing, rpc_call_user(c),
		    policy_role_words(admin && member == JIXIAO__ROLE__ROLE_UNSPECIFIED ?
		    JIXIAO__ROLE__ROLE_ADMIN : member));
	}
	jixiao__workspace__free_unpacked(ws, NULL);
	return rv;
}
