/*
 * Identity, roles and the signed workflow (issue 5) on a real daemon: every role tries
 * every RPC it must not use and is refused with nothing changed; forged, stale,
 * misplaced and replayed signatures are refused; a final workspace is read-only until
 * a reviewer reopens it with a reason; and jx refuses wide, unknown and mismatched keys.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <unistd.h>
#include <cmocka.h>

#include <sodium.h>

#include "client.h"
#include "daemon.h"
#include "digest.h"
#include "err.h"
#include "jxtest.h"
#include "key.h"
#include "proto/jixiao.pb-c.h"

static void
assert_has(const char *text, const char *want)
{
	if (strstr(text, want) == NULL)
		fail_msg("expected %s in:\n%s", want, text);
}

/* Runs jx; returns its exit status, printing its stderr when it is not 0. */
#define JX(d, ...) jx_run((d), (const char *const[]){ __VA_ARGS__, NULL })

static int
jx_run(struct jxd *d, const char *const *args)
{
	char *err;
	int rv = jxd_jxv(d, NULL, &err, args);

	if (rv != 0)
		print_message("jx %s %s: exit %d: %s", args[0], args[1] ? args[1] : "", rv, err);
	free(err);
	return rv;
}

/*
 * Workspace `subject` with three scored indicators (1, 1.1, 2), a budget, and the
 * members eva (evaluator), rev (reviewer), uni (unit) and obs (observer). Built the same
 * way every time, so two such workspaces are at the same revision.
 */
static void
setup_workspace(struct jxd *d, const char *ws, const char *subject)
{
	assert_int_equal(JX(d, "ws", "create", "--subject", subject, "--year", "2023", "--kind",
	    "key-evaluation"), 0);
	assert_int_equal(JX(d, "node", "add", ws, "产出指标", "--weight", "50"), 0);
	assert_int_equal(JX(d, "node", "add", ws, "数量指标", "--parent", "1", "--weight", "50",
	    "--score", "40", "--comment", "部分完成"), 0);
	assert_int_equal(JX(d, "node", "add", ws, "效益指标", "--weight", "50", "--score", "45",
	    "--comment", "满意度略低"), 0);
	assert_int_equal(JX(d, "budget", "set", ws, "--initial", "100", "--carry", "20"), 0);
	assert_int_equal(JX(d, "member", "set", ws, "eva", "evaluator"), 0);
	assert_int_equal(JX(d, "member", "set", ws, "rev", "reviewer"), 0);
	assert_int_equal(JX(d, "member", "set", ws, "uni", "unit"), 0);
	assert_int_equal(JX(d, "member", "set", ws, "obs", "observer"), 0);
}

/* The users, registered as non-admins before anything names them. */
static void
setup_users(struct jxd *d)
{
	static const char *const names[] = { "eva", "rev", "uni", "obs", "out" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		jxd_user(d, names[i], false);
}

static struct client *
open_as(struct jxd *d, const char *name)
{
	struct client *cl;
	char why[256];

	if (client_open(d->url, name != NULL ? jxd_identity(d, name) : NULL, &cl, why,
	    sizeof(why)) != 0)
		fail_msg("client_open: %s", why);
	return cl;
}

/* GetTree of ws at revision at (0: now); the caller frees the reply. */
static Jixiao__TreeReply *
get_tree(struct client *cl, uint64_t ws, uint64_t at)
{
	Jixiao__GetTreeRequest in = JIXIAO__GET_TREE_REQUEST__INIT;
	Jixiao__TreeReply *t;
	char msg[1100];

	in.workspace = ws;
	in.has_at = at != 0;
	in.at = at;
	if (client_call(cl, &jixiao__tree__descriptor, "GetTree", &in.base,
	    (ProtobufCMessage **)&t, msg, sizeof(msg)) != 0)
		fail_msg("GetTree %llu at %llu: %s", (unsigned long long)ws,
		    (unsigned long long)at, msg);
	assert_non_null(t->workspace);
	assert_true(t->has_head && t->head.len == DIGEST_LEN);
	return t;
}

/* The digest of ws at revision at (0: now), as jx computes it; returns that revision. */
static uint64_t
digest_of(struct client *cl, uint64_t ws, uint64_t at, uint8_t digest[DIGEST_LEN])
{
	Jixiao__TreeReply *t = get_tree(cl, ws, at);
	uint64_t rev = t->workspace->revision;

	assert_int_equal(digest_content(t->workspace, rev, t->head.data,
	    (Jixiao__Node *const *)t->nodes, t->n_nodes, t->budget, NULL, 0, digest), 0);
	jixiao__tree_reply__free_unpacked(t, NULL);
	return rev;
}

/* The workspace as it is now (admin's view); the caller frees it. */
static Jixiao__Workspace *
get_ws(struct client *cl, uint64_t ws)
{
	Jixiao__TreeReply *t = get_tree(cl, ws, 0);
	Jixiao__Workspace *w = t->workspace;

	t->workspace = NULL;
	jixiao__tree_reply__free_unpacked(t, NULL);
	return w;
}

/*
 * Sends Submit or SignOff of (ws, rev, digest) signed by sk over kind. Returns the
 * status; *req (when not NULL) gets the request's signature bytes for a replay.
 */
static int
sign_call(struct client *cl, const char *method, uint64_t ws, uint64_t rev,
    const uint8_t digest[DIGEST_LEN], const char *kind, const uint8_t *sk,
    uint8_t sig_out[KEY_SIG_LEN])
{
	Jixiao__SignRequest in = JIXIAO__SIGN_REQUEST__INIT;
	ProtobufCMessage *out;
	uint8_t sig[KEY_SIG_LEN];
	char msg[1100];
	int rv;

	digest_sign(kind, digest, sk, sig);
	in.workspace = ws;
	in.revision = rev;
	in.digest.data = (uint8_t *)digest;
	in.digest.len = DIGEST_LEN;
	in.signature.data = sig;
	in.signature.len = sizeof(sig);
	rv = client_call(cl, &jixiao__workflow__descriptor, method, &in.base, &out, msg,
	    sizeof(msg));
	if (out != NULL)
		protobuf_c_message_free_unpacked(out, NULL);
	if (sig_out != NULL)
		memcpy(sig_out, sig, sizeof(sig));
	return rv;
}

/* Sends a SignRequest with a given signature (a replay). */
static int
sign_raw(struct client *cl, const char *method, uint64_t ws, uint64_t rev,
    const uint8_t digest[DIGEST_LEN], const uint8_t sig[KEY_SIG_LEN])
{
	Jixiao__SignRequest in = JIXIAO__SIGN_REQUEST__INIT;
	ProtobufCMessage *out;
	char msg[1100];
	int rv;

	in.workspace = ws;
	in.revision = rev;
	in.digest.data = (uint8_t *)digest;
	in.digest.len = DIGEST_LEN;
	in.signature.data = (uint8_t *)sig;
	in.signature.len = KEY_SIG_LEN;
	rv = client_call(cl, &jixiao__workflow__descriptor, method, &in.base, &out, msg,
	    sizeof(msg));
	if (out != NULL)
		protobuf_c_message_free_unpacked(out, NULL);
	return rv;
}

static void
load_sk(const struct jxd *d, const char *name, uint8_t sk[KEY_SECRET_LEN])
{
	char path[400], why[600];

	if (key_load_secret(jxd_key_path(d, name, path, sizeof(path)), sk, why, sizeof(why)) != 0)
		fail_msg("%s", why);
}

/* ------------------------------------------------------------ every role, every RPC */

/* What a method needs, written here from the issue, not read from server/policy.c. */
enum need {
	NEED_PUBLIC,   /* anyone, before login */
	NEED_USER,     /* any logged-in user */
	NEED_ADMIN,
	NEED_READ,     /* any role in the workspace */
	NEED_EDIT,     /* an evaluator */
	NEED_REVIEW,   /* a reviewer */
	NEED_COMMENT,  /* the unit */
	NEED_PROGRESS, /* an evaluator or a reviewer */
};

static const struct {
	const char *method; /* service.method */
	enum need need;
} rules[] = {
	{ "jixiao.System.Ping", NEED_PUBLIC },
	{ "jixiao.System.Version", NEED_PUBLIC },
	{ "jixiao.Auth.Challenge", NEED_PUBLIC },
	{ "jixiao.Auth.Login", NEED_PUBLIC },

	{ "jixiao.Workspaces.Create", NEED_ADMIN },
	{ "jixiao.Workspaces.List", NEED_USER },
	{ "jixiao.Workspaces.Get", NEED_READ },
	{ "jixiao.Workspaces.Archive", NEED_ADMIN },
	{ "jixiao.Workspaces.SetReport", NEED_EDIT },

	{ "jixiao.Tree.AddNode", NEED_EDIT },
	{ "jixiao.Tree.UpdateNode", NEED_EDIT },
	{ "jixiao.Tree.MoveNode", NEED_EDIT },
	{ "jixiao.Tree.RemoveNode", NEED_EDIT },
	{ "jixiao.Tree.GetTree", NEED_READ },
	{ "jixiao.Tree.Import", NEED_EDIT },
	{ "jixiao.Tree.Claim", NEED_EDIT },
	{ "jixiao.Tree.Mark", NEED_EDIT },
	{ "jixiao.Tree.ApplyEdits", NEED_EDIT },

	{ "jixiao.Budgets.Get", NEED_READ },
	{ "jixiao.Budgets.Set", NEED_EDIT },

	{ "jixiao.Templates.List", NEED_USER },
	{ "jixiao.Templates.Get", NEED_USER },
	{ "jixiao.Templates.Put", NEED_ADMIN },

	{ "jixiao.History.Log", NEED_READ },
	{ "jixiao.History.ChangesSince", NEED_READ },
	{ "jixiao.History.Records", NEED_READ },
	{ "jixiao.History.Checkpoint", NEED_READ },
	{ "jixiao.History.Blame", NEED_READ },
	{ "jixiao.History.Carry", NEED_ADMIN },
	{ "jixiao.History.Trend", NEED_USER },

	{ "jixiao.Subjects.Add", NEED_ADMIN },
	{ "jixiao.Subjects.List", NEED_USER },

	{ "jixiao.Files.PutChunk", NEED_USER },
	{ "jixiao.Files.AddEvidence", NEED_EDIT },
	{ "jixiao.Files.GetChunk", NEED_READ },

	{ "jixiao.Users.Add", NEED_ADMIN },
	{ "jixiao.Users.List", NEED_ADMIN },
	{ "jixiao.Users.SetMember", NEED_ADMIN },
	{ "jixiao.Users.Disable", NEED_ADMIN },
	{ "jixiao.Users.SetKey", NEED_ADMIN },
	{ "jixiao.Users.Members", NEED_READ },

	{ "jixiao.Workflow.Submit", NEED_EDIT },
	{ "jixiao.Workflow.SignOff", NEED_REVIEW },
	{ "jixiao.Workflow.Reopen", NEED_REVIEW },
	{ "jixiao.Workflow.Comment", NEED_COMMENT },
	{ "jixiao.Workflow.EndComments", NEED_PROGRESS },
	{ "jixiao.Workflow.Settings", NEED_ADMIN },
	{ "jixiao.Workflow.Content", NEED_READ },
	{ "jixiao.Tree.Check", NEED_READ },
	{ "jixiao.Tree.Export", NEED_READ },

	{ "jixiao.Findings.Add", NEED_EDIT },
	{ "jixiao.Findings.Set", NEED_EDIT },
	{ "jixiao.Findings.Remove", NEED_EDIT },
	{ "jixiao.Findings.List", NEED_READ },
};
#define N_RULES (sizeof(rules) / sizeof(rules[0]))

static const ProtobufCServiceDescriptor *const services[] = {
	&jixiao__system__descriptor, &jixiao__workspaces__descriptor, &jixiao__tree__descriptor,
	&jixiao__budgets__descriptor, &jixiao__templates__descriptor,
	&jixiao__history__descriptor, &jixiao__subjects__descriptor, &jixiao__files__descriptor,
	&jixiao__auth__descriptor, &jixiao__users__descriptor, &jixiao__workflow__descriptor,
	&jixiao__findings__descriptor,
};
#define N_SERVICES (sizeof(services) / sizeof(services[0]))

enum role { ROLE_ANON, ROLE_NONE, ROLE_EVAL, ROLE_REV, ROLE_UNIT, ROLE_OBS };

static const struct {
	const char *user; /* NULL: anonymous */
	enum role role;
} callers[] = {
	{ NULL, ROLE_ANON }, { "out", ROLE_NONE }, { "eva", ROLE_EVAL }, { "rev", ROLE_REV },
	{ "uni", ROLE_UNIT }, { "obs", ROLE_OBS },
};
#define N_CALLERS (sizeof(callers) / sizeof(callers[0]))

static bool
allowed(enum need need, enum role role)
{
	switch (need) {
	case NEED_PUBLIC:
		return true;
	case NEED_USER:
		return role != ROLE_ANON;
	case NEED_ADMIN:
		return false;
	case NEED_READ:
		return role != ROLE_ANON && role != ROLE_NONE;
	case NEED_EDIT:
		return role == ROLE_EVAL;
	case NEED_REVIEW:
		return role == ROLE_REV;
	case NEED_COMMENT:
		return role == ROLE_UNIT;
	case NEED_PROGRESS:
		return role == ROLE_EVAL || role == ROLE_REV;
	}
	return false;
}

/*
 * A request of type md built from its descriptor alone: `workspace` is 1, required
 * submessages exist (recursively) so it packs; everything else is its default.
 */
static ProtobufCMessage *
input_new(const ProtobufCMessageDescriptor *md)
{
	ProtobufCMessage *m = calloc(1, md->sizeof_message);

	assert_non_null(m);
	protobuf_c_message_init(md, m);
	for (unsigned i = 0; i < md->n_fields; i++) {
		const ProtobufCFieldDescriptor *f = &md->fields[i];
		char *p = (char *)m + f->offset;

		if (f->label == PROTOBUF_C_LABEL_REPEATED)
			continue;
		if (f->type == PROTOBUF_C_TYPE_UINT64 && strcmp(f->name, "workspace") == 0) {
			*(uint64_t *)p = 1;
			if (f->label == PROTOBUF_C_LABEL_OPTIONAL && f->quantifier_offset != 0)
				*(protobuf_c_boolean *)((char *)m + f->quantifier_offset) = 1;
		}
		if (f->type == PROTOBUF_C_TYPE_MESSAGE && f->label == PROTOBUF_C_LABEL_REQUIRED)
			*(ProtobufCMessage **)p = input_new(f->descriptor);
	}
	return m;
}

static void
input_free(ProtobufCMessage *m)
{
	const ProtobufCMessageDescriptor *md = m->descriptor;

	for (unsigned i = 0; i < md->n_fields; i++) {
		const ProtobufCFieldDescriptor *f = &md->fields[i];
		if (f->type == PROTOBUF_C_TYPE_MESSAGE && f->label == PROTOBUF_C_LABEL_REQUIRED)
			input_free(*(ProtobufCMessage **)((char *)m + f->offset));
	}
	free(m);
}

static int
call_generic(struct client *cl, const ProtobufCServiceDescriptor *svc,
    const ProtobufCMethodDescriptor *m, char *msg, size_t msglen)
{
	ProtobufCMessage *in = input_new(m->input), *out;
	int rv;

	rv = client_call(cl, svc, m->name, in, &out, msg, msglen);
	if (out != NULL)
		protobuf_c_message_free_unpacked(out, NULL);
	input_free(in);
	return rv;
}

static enum need
need_of(const ProtobufCServiceDescriptor *svc, const char *method, bool *seen)
{
	char name[128];

	snprintf(name, sizeof(name), "%s.%s", svc->name, method);
	for (size_t i = 0; i < N_RULES; i++)
		if (strcmp(rules[i].method, name) == 0) {
			seen[i] = true;
			return rules[i].need;
		}
	fail_msg("%s is not in this test's table: say who may call it", name);
	return NEED_ADMIN;
}

/* What must stay the same while everyone tries what they may not do. */
struct snapshot {
	uint64_t revision;
	uint8_t head[DIGEST_LEN];
	char *users;
};

static void
snapshot_take(struct jxd *d, struct client *admin, struct snapshot *s)
{
	Jixiao__TreeReply *t = get_tree(admin, 1, 0);

	s->revision = t->workspace->revision;
	memcpy(s->head, t->head.data, DIGEST_LEN);
	jixiao__tree_reply__free_unpacked(t, NULL);
	assert_int_equal(jxd_jx(d, &s->users, NULL, "user", "ls", "--json", NULL), 0);
}

static void
snapshot_same(struct jxd *d, struct client *admin, const struct snapshot *before)
{
	struct snapshot now;

	snapshot_take(d, admin, &now);
	assert_int_equal(now.revision, before->revision);
	assert_memory_equal(now.head, before->head, DIGEST_LEN);
	assert_string_equal(now.users, before->users);
	free(now.users);
}

/* Every service the proto declares is in services[]: a new one must be classified. */
static void
all_services_listed(void)
{
	size_t len, n = 0;
	char *proto = jxtest_slurp("proto/jixiao.proto", &len);

	for (const char *p = proto; (p = strstr(p, "\nservice ")) != NULL; p++)
		n++;
	free(proto);
	assert_int_equal(n, N_SERVICES);
}

static void
every_role_every_rpc(void **state)
{
	struct client *cl[N_CALLERS], *admin;
	bool seen[N_RULES] = { false };
	struct snapshot before;
	char msg[1100], *out;
	struct jxd d;
	int refused = 0, tried = 0;

	all_services_listed();
	jxd_start(&d, false);
	setup_users(&d);
	setup_workspace(&d, "1", "身份");
	admin = open_as(&d, "admin");
	for (size_t c = 0; c < N_CALLERS; c++)
		cl[c] = open_as(&d, callers[c].user);
	snapshot_take(&d, admin, &before);

	/* First everything each role may not do: refused, and nothing changes. */
	for (size_t s = 0; s < N_SERVICES; s++) {
		const ProtobufCServiceDescriptor *svc = services[s];
		for (unsigned m = 0; m < svc->n_methods; m++) {
			enum need need = need_of(svc, svc->methods[m].name, seen);
			for (size_t c = 0; c < N_CALLERS; c++) {
				int want = callers[c].role == ROLE_ANON ? JX_EUNAUTH : JX_EPERM, rv;
				if (allowed(need, callers[c].role))
					continue;
				rv = call_generic(cl[c], svc, &svc->methods[m], msg, sizeof(msg));
				if (rv != want)
					fail_msg("%s.%s as %s returned %s (%s), expected %s", svc->name,
					    svc->methods[m].name, callers[c].user ? callers[c].user :
					    "anonymous", jx_errname(rv), msg, jx_errname(want));
				refused++;
			}
		}
	}
	for (size_t i = 0; i < N_RULES; i++)
		if (!seen[i])
			fail_msg("%s is in the table but no service has it", rules[i].method);
	snapshot_same(&d, admin, &before);
	assert_int_equal(jxd_jx(&d, &out, NULL, "--user", "out", "ws", "list", "--json", NULL), 0);
	assert_null(strstr(out, "\"id\""));
	free(out);
	assert_int_equal(jxd_jx(&d, &out, NULL, "--user", "obs", "ws", "list", "--json", NULL), 0);
	assert_has(out, "\"id\": 1,");
	free(out);

	/* Then what each may do: not refused for who they are (the empty input may be bad). */
	for (size_t s = 0; s < N_SERVICES; s++) {
		const ProtobufCServiceDescriptor *svc = services[s];
		for (unsigned m = 0; m < svc->n_methods; m++) {
			enum need need = need_of(svc, svc->methods[m].name, seen);
			for (size_t c = 0; c < N_CALLERS; c++) {
				int rv;
				if (!allowed(need, callers[c].role))
					continue;
				rv = call_generic(cl[c], svc, &svc->methods[m], msg, sizeof(msg));
				if (rv == JX_EPERM || rv == JX_EUNAUTH || rv == JX_EUNAVAIL ||
				    rv == JX_EINTERNAL)
					fail_msg("%s.%s as %s returned %s (%s)", svc->name,
					    svc->methods[m].name, callers[c].user ? callers[c].user :
					    "anonymous", jx_errname(rv), msg);
				tried++;
			}
		}
	}
	/* The table covers 47 methods for 6 callers. */
	assert_int_equal(refused + tried, (int)(N_RULES * N_CALLERS));
	assert_true(refused > 150);

	free(before.users);
	for (size_t c = 0; c < N_CALLERS; c++)
		client_close(cl[c]);
	client_close(admin);
	jxd_stop(&d);
	jxd_cleanup(&d);
}

/* ------------------------------------------------------------ signatures */

static void
signatures_are_checked(void **state)
{
	struct client *admin, *eva, *rev, *out;
	uint8_t sk_eva[KEY_SECRET_LEN], sk_rev[KEY_SECRET_LEN], sk_out[KEY_SECRET_LEN];
	uint8_t pk_fresh[KEY_PUBLIC_LEN], sk_fresh[KEY_SECRET_LEN];
	uint8_t d_now[DIGEST_LEN], d_old[DIGEST_LEN], d2[DIGEST_LEN], sig2[KEY_SIG_LEN];
	Jixiao__Workspace *w;
	uint64_t r, r_old, r2;
	struct jxd d;

	jxd_start(&d, false);
	setup_users(&d);
	setup_workspace(&d, "1", "签名");
	admin = open_as(&d, "admin");
	eva = open_as(&d, "eva");
	rev = open_as(&d, "rev");
	out = open_as(&d, "out");
	load_sk(&d, "eva", sk_eva);
	load_sk(&d, "rev", sk_rev);
	load_sk(&d, "out", sk_out);
	key_generate(pk_fresh, sk_fresh);

	r = digest_of(admin, 1, 0, d_now);
	/* Signed by a key that is not eva's. */
	assert_jx_err(sign_call(eva, "Submit", 1, r, d_now, DIGEST_SUBMIT, sk_fresh, NULL),
	    JX_EINVAL);
	/* Eva's key, but over the other kind of statement. */
	assert_jx_err(sign_call(eva, "Submit", 1, r, d_now, DIGEST_SIGNOFF, sk_eva, NULL),
	    JX_EINVAL);
	/* A good signature by someone with no role there. */
	assert_jx_err(sign_call(out, "Submit", 1, r, d_now, DIGEST_SUBMIT, sk_out, NULL),
	    JX_EPERM);
	/* The previous revision, as itself and passed off as the current one. */
	r_old = digest_of(admin, 1, r - 1, d_old);
	assert_int_equal(r_old, r - 1);
	assert_memory_not_equal(d_old, d_now, DIGEST_LEN);
	assert_jx_err(sign_call(eva, "Submit", 1, r - 1, d_old, DIGEST_SUBMIT, sk_eva, NULL),
	    JX_EABORTED);
	assert_jx_err(sign_call(eva, "Submit", 1, r, d_old, DIGEST_SUBMIT, sk_eva, NULL),
	    JX_EINVAL);
	/* A reviewer does not submit. */
	assert_jx_err(sign_call(rev, "Submit", 1, r, d_now, DIGEST_SUBMIT, sk_rev, NULL),
	    JX_EPERM);
	w = get_ws(admin, 1);
	assert_int_equal(w->revision, r);
	assert_int_equal(w->phase, JIXIAO__PHASE__PHASE_DRAFT);
	assert_int_equal(w->n_signatures, 0);
	jixiao__workspace__free_unpacked(w, NULL);

	assert_jx_ok(sign_call(eva, "Submit", 1, r, d_now, DIGEST_SUBMIT, sk_eva, NULL));
	w = get_ws(admin, 1);
	assert_int_equal(w->phase, JIXIAO__PHASE__PHASE_SUBMITTED);
	assert_int_equal(w->submitted_revision, r);
	assert_int_equal(w->revision, r + 1);
	assert_int_equal(w->n_signatures, 1);
	jixiao__workspace__free_unpacked(w, NULL);

	/* Workspace 2, made the same way, submitted and signed off. */
	setup_workspace(&d, "2", "签名二");
	r2 = digest_of(admin, 2, 0, d2);
	assert_int_equal(r2, r);
	assert_memory_not_equal(d2, d_now, DIGEST_LEN);
	assert_jx_ok(sign_call(eva, "Submit", 2, r2, d2, DIGEST_SUBMIT, sk_eva, NULL));
	assert_jx_ok(sign_call(rev, "SignOff", 2, r2, d2, DIGEST_SIGNOFF, sk_rev, sig2));
	w = get_ws(admin, 2);
	assert_int_equal(w->phase, JIXIAO__PHASE__PHASE_FINAL);
	jixiao__workspace__free_unpacked(w, NULL);
	/* That sign-off replayed on workspace 1 (same revision number): refused. */
	assert_jx_err(sign_raw(rev, "SignOff", 1, r2, d2, sig2), JX_EINVAL);
	/* A sign-off by the evaluator's key, or of the submission statement: refused. */
	assert_jx_err(sign_call(rev, "SignOff", 1, r, d_now, DIGEST_SIGNOFF, sk_eva, NULL),
	    JX_EINVAL);
	assert_jx_err(sign_call(rev, "SignOff", 1, r, d_now, DIGEST_SUBMIT, sk_rev, NULL),
	    JX_EINVAL);
	/* Eva may not sign off her own submission, nor anything else. */
	assert_jx_err(sign_call(eva, "SignOff", 1, r, d_now, DIGEST_SIGNOFF, sk_eva, NULL),
	    JX_EPERM);
	w = get_ws(admin, 1);
	assert_int_equal(w->phase, JIXIAO__PHASE__PHASE_SUBMITTED);
	assert_int_equal(w->revision, r + 1);
	assert_int_equal(w->n_signatures, 1);
	jixiao__workspace__free_unpacked(w, NULL);

	/* The reviewer signs off what was submitted: final. */
	assert_jx_ok(sign_call(rev, "SignOff", 1, r, d_now, DIGEST_SIGNOFF, sk_rev, NULL));
	w = get_ws(admin, 1);
	assert_int_equal(w->phase, JIXIAO__PHASE__PHASE_FINAL);
	assert_int_equal(w->n_signatures, 2);
	assert_string_equal(w->signatures[1]->kind, DIGEST_SIGNOFF);
	assert_string_equal(w->signatures[1]->user, "rev");
	jixiao__workspace__free_unpacked(w, NULL);

	sodium_memzero(sk_eva, sizeof(sk_eva));
	sodium_memzero(sk_rev, sizeof(sk_rev));
	sodium_memzero(sk_out, sizeof(sk_out));
	client_close(out);
	client_close(rev);
	client_close(eva);
	client_close(admin);
	jxd_stop(&d);
	jxd_cleanup(&d);
}

/* ------------------------------------------------------------ final and reopen, by jx */

static void
final_and_reopen_through_jx(void **state)
{
	uint8_t sk_rev[KEY_SECRET_LEN], dg[DIGEST_LEN];
	struct client *admin, *rev;
	Jixiao__Workspace *w;
	char *out, *err;
	struct jxd d;

	jxd_start(&d, false);
	setup_users(&d);
	setup_workspace(&d, "1", "终稿");
	assert_int_equal(JX(&d, "--user", "eva", "submit", "1"), 0);
	assert_int_equal(JX(&d, "--user", "rev", "signoff", "1"), 0);

	/* Final: read-only for everyone, with or without a reason. */
	assert_int_equal(jxd_jx(&d, NULL, &err, "--user", "eva", "node", "set", "1", "1.1",
	    "--score", "1", "--reason", "x", NULL), EX_DATAERR);
	assert_has(err, "final");
	free(err);
	assert_int_equal(jxd_jx(&d, NULL, &err, "node", "set", "1", "1.1", "--score", "1",
	    "--reason", "x", NULL), EX_DATAERR);
	assert_has(err, "final");
	free(err);
	assert_int_equal(jxd_jx(&d, NULL, &err, "--user", "eva", "budget", "set", "1", "--initial",
	    "1", "--reason", "x", NULL), EX_DATAERR);
	free(err);

	/* Only a reviewer reopens, and only with a reason. */
	assert_int_equal(jxd_jx(&d, NULL, &err, "--user", "eva", "reopen", "1", "--reason", "r",
	    NULL), EX_NOPERM);
	free(err);
	assert_int_equal(jxd_jx(&d, NULL, &err, "--user", "rev", "reopen", "1", NULL), EX_USAGE);
	free(err);
	assert_int_equal(jxd_jx(&d, &out, NULL, "ws", "show", "1", "--json", NULL), 0);
	assert_has(out, "\"phase\": \"final\"");
	free(out);
	assert_int_equal(JX(&d, "--user", "rev", "reopen", "1", "--reason", "复核发现计算错误"), 0);
	assert_int_equal(jxd_jx(&d, &out, NULL, "ws", "show", "1", "--json", NULL), 0);
	assert_has(out, "\"phase\": \"draft\"");
	assert_has(out, "\"version\": 2,");
	assert_has(out, "\"reopen_reason\": \"复核发现计算错误\"");
	assert_has(out, "\"kind\": \"submit\",\n      \"user\": \"eva\"");
	assert_has(out, "\"kind\": \"signoff\",\n      \"user\": \"rev\"");
	assert_has(out, "\"version\": 1,");
	free(out);
	assert_int_equal(jxd_jx(&d, &out, NULL, "log", "1", "--json", NULL), 0);
	assert_has(out, "\"workflow.reopen\"");
	assert_has(out, "\"reason\": \"复核发现计算错误\"");
	free(out);

	/* A draft again: edits need no reason. */
	assert_int_equal(JX(&d, "--user", "eva", "node", "set", "1", "1.1", "--score", "30",
	    "--comment", "复核后扣分"), 0);
	/* The signed version 1 stays verifiable in the history of the reopened workspace. */
	assert_int_equal(jxd_jx(&d, &out, NULL, "verify", "1", NULL), 0);
	assert_has(out, "submit by eva");
	assert_has(out, "signoff by rev");
	free(out);

	/* Submitted again: an edit now needs a reason, and makes it a draft. */
	assert_int_equal(JX(&d, "--user", "eva", "submit", "1"), 0);
	assert_int_equal(jxd_jx(&d, NULL, &err, "--user", "eva", "node", "set", "1", "1.1",
	    "--score", "35", NULL), EX_DATAERR);
	assert_has(err, "--reason");
	free(err);
	assert_int_equal(jxd_jx(&d, &out, NULL, "ws", "show", "1", "--json", NULL), 0);
	assert_has(out, "\"phase\": \"submitted\"");
	free(out);
	assert_int_equal(JX(&d, "--user", "eva", "node", "set", "1", "1.1", "--score", "35",
	    "--reason", "单位补充了佐证"), 0);
	assert_int_equal(jxd_jx(&d, &out, NULL, "ws", "show", "1", "--json", NULL), 0);
	assert_has(out, "\"phase\": \"draft\"");
	free(out);
	assert_int_equal(jxd_jx(&d, &out, NULL, "log", "1", "--json", NULL), 0);
	assert_has(out, "\"reason\": \"单位补充了佐证\"");
	free(out);

	/* The stale submission is not signed off: not by jx, not by a raw request. */
	assert_int_equal(jxd_jx(&d, NULL, &err, "--user", "rev", "signoff", "1", NULL),
	    EX_DATAERR);
	free(err);
	admin = open_as(&d, "admin");
	rev = open_as(&d, "rev");
	load_sk(&d, "rev", sk_rev);
	w = get_ws(admin, 1);
	assert_true(w->submitted_revision > 0);
	digest_of(admin, 1, w->submitted_revision, dg);
	assert_jx_err(sign_call(rev, "SignOff", 1, w->submitted_revision, dg, DIGEST_SIGNOFF,
	    sk_rev, NULL), JX_EPRECOND);
	jixiao__workspace__free_unpacked(w, NULL);
	w = get_ws(admin, 1);
	assert_int_equal(w->phase, JIXIAO__PHASE__PHASE_DRAFT);
	assert_int_equal(w->version, 2);
	jixiao__workspace__free_unpacked(w, NULL);
	sodium_memzero(sk_rev, sizeof(sk_rev));
	client_close(rev);
	client_close(admin);
	jxd_stop(&d);
	jxd_cleanup(&d);
}

/* ------------------------------------------------------------ keys and logins */

/* A new key pair at dir/name.key (and .pub). */
static const char *
new_key(const struct jxd *d, const char *name, char *path, size_t len, uint8_t *pk_out)
{
	uint8_t pk[KEY_PUBLIC_LEN], sk[KEY_SECRET_LEN];
	char why[600];

	snprintf(path, len, "%s/%s.key", d->dir, name);
	key_generate(pk, sk);
	if (key_save(path, pk, sk, name, why, sizeof(why)) != 0)
		fail_msg("%s", why);
	sodium_memzero(sk, sizeof(sk));
	if (pk_out != NULL)
		memcpy(pk_out, pk, sizeof(pk));
	return path;
}

static char *
read_text(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = calloc(1, 4096);

	assert_non_null(f);
	assert_non_null(buf);
	assert_true(fread(buf, 1, 4095, f) > 0);
	fclose(f);
	return buf;
}

/* Runs jixiaod ARGS... with its output to the test's log; returns its exit status. */
static int
run_jixiaod(const struct jxd *d, const char *const *args)
{
	char cmd[4096];
	size_t n;
	int status;

	n = (size_t)snprintf(cmd, sizeof(cmd), "'%s'", getenv("JIXIAOD"));
	for (; *args != NULL && n < sizeof(cmd); args++)
		n += (size_t)snprintf(cmd + n, sizeof(cmd) - n, " '%s'", *args);
	snprintf(cmd + n, sizeof(cmd) - n, " >>'%s/jixiaod.log' 2>&1 </dev/null", d->dir);
	status = system(cmd);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static void
keys_and_logins(void **state)
{
	char wide[400], stranger[400], other[400], pub[420], known[600], admin_key[400];
	char hex[2 * KEY_PUBLIC_LEN + 1], *err, *before, *after;
	uint8_t pk_other[KEY_PUBLIC_LEN];
	struct jxd d;
	FILE *f;

	jxd_start(&d, false);
	assert_int_equal(key_init(), 0);
	assert_int_equal(JX(&d, "ws", "list"), 0);

	/* A secret key others may read is refused before anything is sent. */
	new_key(&d, "wide", wide, sizeof(wide), NULL);
	assert_int_equal(chmod(wide, 0644), 0);
	assert_int_equal(jxd_jx(&d, NULL, &err, "--key", wide, "ws", "list", NULL), EX_NOPERM);
	assert_has(err, "chmod 600");
	free(err);

	/* A key the server does not know. */
	new_key(&d, "stranger", stranger, sizeof(stranger), NULL);
	assert_int_equal(jxd_jx(&d, NULL, &err, "--key", stranger, "ws", "list", NULL),
	    EX_NOPERM);
	assert_has(err, "not registered");
	free(err);

	/* A server presenting another key than the one pinned for its URL. */
	new_key(&d, "other", other, sizeof(other), pk_other);
	key_hex(pk_other, KEY_PUBLIC_LEN, hex);
	snprintf(known, sizeof(known), "%s/config/jixiao/known_servers", d.dir);
	assert_non_null(f = fopen(known, "w"));
	fprintf(f, "%s %s\n", d.url, hex);
	fclose(f);
	assert_int_equal(jxd_jx(&d, NULL, &err, "ws", "list", NULL), EX_NOPERM);
	assert_has(err, "known_servers");
	free(err);
	/* Its line removed, the server is pinned again on first contact. */
	assert_int_equal(unlink(known), 0);
	assert_int_equal(JX(&d, "ws", "list"), 0);
	after = read_text(known);
	assert_has(after, d.url);
	assert_null(strstr(after, hex));
	free(after);

	/* jx keygen never replaces a key. */
	jxd_key_path(&d, "admin", admin_key, sizeof(admin_key));
	before = read_text(admin_key);
	assert_int_not_equal(jxd_jx(&d, NULL, &err, "--key", admin_key, "keygen", NULL), 0);
	assert_has(err, "exists already");
	free(err);
	after = read_text(admin_key);
	assert_string_equal(before, after);
	free(before);
	free(after);
	assert_int_equal(JX(&d, "ws", "list"), 0);

	/* jixiaod init on a store that has its admin already: refused, nothing changed. */
	jxd_stop(&d);
	snprintf(pub, sizeof(pub), "%s.pub", stranger);
	assert_int_not_equal(run_jixiaod(&d, (const char *const[]){ "init", "--data", d.data,
	    "--admin-key", pub, NULL }), 0);
	assert_int_not_equal(run_jixiaod(&d, (const char *const[]){ "init", "--data", d.data,
	    "--admin-key", pub, "--admin-name", "mallory", NULL }), 0);
	jxd_restart(&d);
	assert_int_equal(JX(&d, "ws", "list"), 0);
	assert_int_equal(jxd_jx(&d, NULL, &err, "--key", stranger, "ws", "list", NULL),
	    EX_NOPERM);
	assert_has(err, "not registered");
	free(err);
	jxd_stop(&d);
	jxd_cleanup(&d);
}

/*
 * The unit's comment round and two reviewers: comments only in the round and only by
 * the unit, no sign-off until the round ends, final only with the second reviewer,
 * a findings-bearing signed sheet that jx verify accepts.
 */
static void
comment_round_and_two_signoffs(void **state)
{
	char *out, *err;
	struct jxd d;

	jxd_start(&d, false);
	setup_users(&d);
	jxd_user(&d, "rev2", false);
	setup_workspace(&d, "1", "征求意见");
	assert_int_equal(JX(&d, "member", "set", "1", "rev2", "reviewer"), 0);
	assert_int_equal(JX(&d, "--user", "eva", "finding", "add", "1", "--kind", "problem",
	    "满意度调查样本偏少"), 0);
	/* Only admins set the workflow, and only with sensible numbers. */
	assert_int_equal(jxd_jx(&d, NULL, &err, "--user", "eva", "workflow", "1", "--signoffs",
	    "2", NULL), EX_NOPERM);
	free(err);
	assert_int_equal(jxd_jx(&d, NULL, &err, "workflow", "1", "--signoffs", "9", NULL),
	    EX_USAGE);
	free(err);
	assert_int_equal(JX(&d, "workflow", "1", "--signoffs", "2", "--comment-round", "on"), 0);

	/* No comments before a submission. */
	assert_int_equal(jxd_jx(&d, NULL, &err, "--user", "uni", "comment", "1", "早了", NULL),
	    EX_DATAERR);
	free(err);
	assert_int_equal(JX(&d, "--user", "eva", "submit", "1"), 0);
	assert_int_equal(jxd_jx(&d, &out, NULL, "ws", "show", "1", "--json", NULL), 0);
	assert_has(out, "\"phase\": \"comment round\"");
	free(out);
	/* In the round: the unit comments, nobody signs off, the evaluator cannot comment. */
	assert_int_equal(jxd_jx(&d, NULL, &err, "--user", "rev", "signoff", "1", NULL),
	    EX_DATAERR);
	free(err);
	assert_int_equal(jxd_jx(&d, NULL, &err, "--user", "eva", "comment", "1", "我也说两句",
	    NULL), EX_NOPERM);
	free(err);
	assert_int_equal(JX(&d, "--user", "uni", "comment", "1", "对效益指标的扣分有异议"), 0);
	assert_int_equal(jxd_jx(&d, NULL, &err, "--user", "uni", "comment", "1", "--end", NULL),
	    EX_NOPERM);
	free(err);
	assert_int_equal(JX(&d, "--user", "eva", "comment", "1", "--end"), 0);

	/* Two reviewers: the first leaves it submitted, signing twice is refused. */
	assert_int_equal(jxd_jx(&d, NULL, &err, "--user", "rev", "signoff", "1", NULL), 0);
	assert_has(err, "1 of 2");
	free(err);
	assert_int_equal(jxd_jx(&d, &out, NULL, "ws", "show", "1", "--json", NULL), 0);
	assert_has(out, "\"phase\": \"submitted\"");
	free(out);
	assert_int_equal(jxd_jx(&d, NULL, &err, "--user", "rev", "signoff", "1", NULL),
	    EX_CANTCREAT);
	free(err);
	assert_int_equal(JX(&d, "--user", "rev2", "signoff", "1"), 0);
	assert_int_equal(jxd_jx(&d, &out, NULL, "ws", "show", "1", "--json", NULL), 0);
	assert_has(out, "\"phase\": \"final\"");
	free(out);
	/* The comment is in the history; the signed sheet, findings and all, verifies. */
	assert_int_equal(jxd_jx(&d, &out, NULL, "log", "1", "--json", NULL), 0);
	assert_has(out, "workflow.comment");
	assert_has(out, "对效益指标的扣分有异议");
	free(out);
	assert_int_equal(jxd_jx(&d, &out, NULL, "verify", "1", NULL), 0);
	assert_has(out, "signoff by rev2");
	free(out);
	jxd_stop(&d);
	jxd_cleanup(&d);
}

/* A call that needs a login (Workspaces.List) on cl; its status, the sentence in msg. */
static int
list_call(struct client *cl, char *msg, size_t len)
{
	Jixiao__ListWorkspacesRequest in = JIXIAO__LIST_WORKSPACES_REQUEST__INIT;
	ProtobufCMessage *out = NULL;
	int rv;

	rv = client_call(cl, &jixiao__workspaces__descriptor, "List", &in.base, &out, msg, len);
	if (out != NULL)
		protobuf_c_message_free_unpacked(out, NULL);
	return rv;
}

/*
 * Issue 11, defect 6: an admin replaces a stolen key and disables a departed reviewer.
 * Live sessions end at once, logins are refused in plain words, the records keep what
 * happened, signatures made before still verify and jx verify says the key was later
 * replaced; the user list is for admins, a workspace's users for its members.
 */
static void
keys_are_revoked_and_users_disabled(void **state)
{
	char fresh[400], pub[420], old_key[400], old_pub[420], msg[600], archive[400];
	struct client *eva, *rev;
	char *out, *err;
	struct jxd d;

	jxd_start(&d, false);
	setup_users(&d);
	setup_workspace(&d, "1", "吊销");

	/* Users: every user and key for admins; a workspace's users for its members. */
	assert_int_equal(jxd_jx(&d, NULL, &err, "--user", "eva", "user", "ls", NULL), EX_NOPERM);
	free(err);
	assert_int_equal(jxd_jx(&d, &out, NULL, "--user", "eva", "user", "ls", "--ws", "1",
	    "--json", NULL), 0);
	assert_has(out, "\"name\": \"rev\"");
	assert_null(strstr(out, "\"name\": \"out\""));
	free(out);
	assert_int_equal(jxd_jx(&d, NULL, &err, "--user", "out", "user", "ls", "--ws", "1",
	    NULL), EX_NOPERM);
	free(err);
	assert_int_equal(jxd_jx(&d, &out, NULL, "--user", "eva", "whoami", NULL), 0);
	assert_has(out, "eva on");
	free(out);

	/* eva submits with her key; then it is stolen and replaced. */
	assert_int_equal(JX(&d, "--user", "eva", "submit", "1"), 0);
	eva = open_as(&d, "eva");
	assert_jx_ok(list_call(eva, msg, sizeof(msg)));
	new_key(&d, "eva-new", fresh, sizeof(fresh), NULL);
	snprintf(pub, sizeof(pub), "%s.pub", fresh);
	assert_int_equal(jxd_jx(&d, NULL, &err, "--user", "rev", "user", "key", "eva", pub, NULL),
	    EX_NOPERM);
	free(err);
	assert_int_equal(JX(&d, "user", "key", "eva", pub, "--reason", "笔记本电脑被盗"), 0);
	/* Her live session ends at once: the client's new login with the old key is refused. */
	assert_jx_err(list_call(eva, msg, sizeof(msg)), JX_EUNAUTH);
	assert_has(msg, "replaced");
	client_close(eva);
	assert_int_equal(jxd_jx(&d, NULL, &err, "--user", "eva", "ws", "list", NULL), EX_NOPERM);
	assert_has(err, "this key was eva's, and has been replaced");
	free(err);
	assert_int_equal(jxd_jx(&d, &out, NULL, "--key", fresh, "whoami", NULL), 0);
	assert_has(out, "eva on");
	free(out);
	/* A replaced key is never registered again, for anyone. */
	jxd_key_path(&d, "eva", old_key, sizeof(old_key));
	snprintf(old_pub, sizeof(old_pub), "%s.pub", old_key);
	assert_int_not_equal(jxd_jx(&d, NULL, &err, "user", "add", "mallory", old_pub, NULL), 0);
	assert_has(err, "registered already");
	free(err);
	assert_int_not_equal(jxd_jx(&d, NULL, &err, "user", "key", "obs", old_pub, NULL), 0);
	assert_has(err, "registered already");
	free(err);

	/* Her submission, signed with the old key, still verifies, and says what came later. */
	assert_int_equal(jxd_jx(&d, &out, NULL, "verify", "1", NULL), 0);
	assert_has(out, "submit by eva");
	assert_has(out, "this key was later replaced (revoked)");
	assert_has(out, "笔记本电脑被盗");
	free(out);
	snprintf(archive, sizeof(archive), "%s/revoked.jxa", d.dir);
	assert_int_equal(JX(&d, "export", "1", "--archive", archive), 0);
	assert_int_equal(jxd_jx(&d, &out, NULL, "verify", archive, NULL), 0);
	assert_has(out, "this key was later replaced (revoked)");
	free(out);

	/* rev leaves: disabled with a reason, his session ends, his logins are refused. */
	rev = open_as(&d, "rev");
	assert_jx_ok(list_call(rev, msg, sizeof(msg)));
	assert_int_equal(jxd_jx(&d, NULL, &err, "user", "disable", "rev", NULL), EX_USAGE);
	free(err);
	assert_int_equal(jxd_jx(&d, NULL, &err, "user", "disable", "admin", "--reason", "x",
	    NULL), EX_DATAERR);
	assert_has(err, "cannot disable yourself");
	free(err);
	assert_int_equal(JX(&d, "user", "disable", "rev", "--reason", "已调离评价组"), 0);
	assert_jx_err(list_call(rev, msg, sizeof(msg)), JX_EUNAUTH);
	assert_has(msg, "user rev is disabled by admin: 已调离评价组");
	client_close(rev);
	assert_int_equal(jxd_jx(&d, NULL, &err, "--user", "rev", "signoff", "1", NULL), EX_NOPERM);
	assert_has(err, "disabled");
	free(err);
	assert_int_equal(jxd_jx(&d, &out, NULL, "user", "ls", "--json", NULL), 0);
	assert_has(out, "\"what\": \"user.key\"");
	assert_has(out, "\"what\": \"user.disable\"");
	assert_has(out, "\"disabled\": true");
	free(out);
	/* Enabled again, he signs off; the record keeps both. */
	assert_int_equal(JX(&d, "user", "enable", "rev"), 0);
	assert_int_equal(JX(&d, "--user", "rev", "signoff", "1"), 0);
	assert_int_equal(jxd_jx(&d, &out, NULL, "user", "ls", "--json", NULL), 0);
	assert_has(out, "\"what\": \"user.enable\"");
	free(out);
	/* Reopened, eva submits again with her new key: the archive lists her with both. */
	assert_int_equal(JX(&d, "--user", "rev", "reopen", "1", "--reason", "补充材料"), 0);
	assert_int_equal(JX(&d, "--key", fresh, "submit", "1"), 0);
	assert_int_equal(jxd_jx(&d, &out, NULL, "verify", "1", NULL), 0);
	assert_has(out, "this key was later replaced (revoked)");
	assert_null(strstr(out, "listed twice"));
	free(out);
	jxd_stop(&d);
	jxd_cleanup(&d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_role_every_rpc),
		cmocka_unit_test(signatures_are_checked),
		cmocka_unit_test(final_and_reopen_through_jx),
		cmocka_unit_test(keys_and_logins),
		cmocka_unit_test(keys_are_revoked_and_users_disabled),
		cmocka_unit_test(comment_round_and_two_signoffs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
