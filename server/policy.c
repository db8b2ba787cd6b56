#include "policy.h"

#include <inttypes.h>
#include <string.h>

#include "err.h"
#include "store.h"

enum policy_need {
	NEED_PUBLIC,    /* anyone, before login */
	NEED_USER,      /* any logged-in user */
	NEED_ADMIN,
	NEED_READ,      /* any role in the workspace */
	NEED_EDIT,      /* evaluator */
	NEED_SUBMIT,    /* evaluator, as a member */
	NEED_REVIEW,    /* reviewer, as a member */
	NEED_COMMENT,   /* unit, as a member */
	NEED_PROGRESS,  /* evaluator or reviewer, as a member */
};

struct policy_rule {
	const char *service;
	const char *method; /* NULL: every method of the service */
	enum policy_need need;
};

/* The exceptions to the rule by shape (see policy.h). */
static const struct policy_rule policy_rules[] = {
	{ "jixiao.System", NULL, NEED_PUBLIC },
	{ "jixiao.Auth", NULL, NEED_PUBLIC },
	{ "jixiao.Workspaces", "Archive", NEED_ADMIN },
	{ "jixiao.History", "Carry", NEED_ADMIN },
	{ "jixiao.Users", "SetMember", NEED_ADMIN },
	{ "jixiao.Users", "List", NEED_ADMIN },
	{ "jixiao.Files", "PutChunk", NEED_USER },
	{ "jixiao.Workflow", "Submit", NEED_SUBMIT },
	{ "jixiao.Workflow", "SignOff", NEED_REVIEW },
	{ "jixiao.Workflow", "Reopen", NEED_REVIEW },
	{ "jixiao.Workflow", "Comment", NEED_COMMENT },
	{ "jixiao.Workflow", "EndComments", NEED_PROGRESS },
	{ "jixiao.Workflow", "Settings", NEED_ADMIN },
};

bool
policy_public(const ProtobufCServiceDescriptor *svc)
{
	for (size_t i = 0; i < sizeof(policy_rules) / sizeof(policy_rules[0]); i++)
		if (policy_rules[i].method == NULL && policy_rules[i].need == NEED_PUBLIC &&
		    strcmp(policy_rules[i].service, svc->name) == 0)
			return true;
	return false;
}

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

/* The request's workspace id, when its type has a `workspace` field. */
static bool
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

static enum policy_need
policy_need_of(const ProtobufCServiceDescriptor *svc, const char *method, bool writes,
    bool has_ws)
{
	for (size_t i = 0; i < sizeof(policy_rules) / sizeof(policy_rules[0]); i++)
		if (strcmp(policy_rules[i].service, svc->name) == 0 &&
		    (policy_rules[i].method == NULL || strcmp(policy_rules[i].method, method) == 0))
			return policy_rules[i].need;
	if (has_ws)
		return writes ? NEED_EDIT : NEED_READ;
	return writes ? NEED_ADMIN : NEED_USER;
}

static const char *
policy_need_words(enum policy_need need)
{
	switch (need) {
	case NEED_EDIT:
		return "an evaluator's role";
	case NEED_SUBMIT:
		return "an evaluator's role (a submission is signed by an evaluator)";
	case NEED_REVIEW:
		return "a reviewer's role";
	case NEED_COMMENT:
		return "the evaluated unit's role";
	case NEED_PROGRESS:
		return "an evaluator's or a reviewer's role";
	default:
		return "a role";
	}
}

static bool
policy_allows(enum policy_need need, Jixiao__Role member, bool admin)
{
	switch (need) {
	case NEED_READ:
		return admin || member != JIXIAO__ROLE__ROLE_UNSPECIFIED;
	case NEED_EDIT:
		return admin || member == JIXIAO__ROLE__ROLE_EVALUATOR;
	case NEED_SUBMIT:
		return member == JIXIAO__ROLE__ROLE_EVALUATOR;
	case NEED_REVIEW:
		return member == JIXIAO__ROLE__ROLE_REVIEWER;
	case NEED_COMMENT:
		return member == JIXIAO__ROLE__ROLE_UNIT;
	case NEED_PROGRESS:
		return member == JIXIAO__ROLE__ROLE_EVALUATOR ||
		    member == JIXIAO__ROLE__ROLE_REVIEWER;
	default:
		return false;
	}
}

int
policy_check(struct rpc_call *c, const ProtobufCServiceDescriptor *svc, unsigned method,
    bool writes, const ProtobufCMessage *input)
{
	const char *name = svc->methods[method].name;
	Jixiao__Workspace *ws = NULL;
	enum policy_need need;
	uint8_t key[8];
	uint64_t id = 0;
	bool has_ws = policy_workspace_of(input, &id), admin;
	int rv;

	need = policy_need_of(svc, name, writes, has_ws);
	if (need == NEED_PUBLIC)
		return JX_OK;
	if (rpc_call_user(c)[0] == '\0') {
		rpc_call_fail(c, JX_EUNAUTH, "log in first: this connection has not authenticated "
		    "(jx does it with your key from jx keygen)");
		return JX_EUNAUTH;
	}
	admin = policy_is_admin(c);
	if (need == NEED_USER || (need == NEED_ADMIN && admin))
		return JX_OK;
	if (need == NEED_ADMIN) {
		rpc_call_fail(c, JX_EPERM, "%s.%s needs an admin; %s is not one",
		    svc->short_name, name, rpc_call_user(c));
		return JX_EPERM;
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
	if (policy_allows(need, policy_member_role(c, ws), admin)) {
		rv = JX_OK;
	} else if (!admin && policy_member_role(c, ws) == JIXIAO__ROLE__ROLE_UNSPECIFIED) {
		rpc_call_fail(c, JX_EPERM, "%s has no role in workspace %" PRIu64 "; an admin "
		    "adds members with jx member set", rpc_call_user(c), id);
		rv = JX_EPERM;
	} else {
		rpc_call_fail(c, JX_EPERM, "%s.%s needs %s in workspace %" PRIu64 "; %s is %s there",
		    svc->short_name, name, policy_need_words(need), id, rpc_call_user(c),
		    admin ? "an admin" : policy_role_name(policy_member_role(c, ws)));
		rv = JX_EPERM;
	}
	jixiao__workspace__free_unpacked(ws, NULL);
	return rv;
}
