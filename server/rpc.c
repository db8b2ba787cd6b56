#include "rpc.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>


#include "audit.h"
#include "auth.h"
#include "envelope.h"
#include "idem.h"
#include "err.h"
#include "log.h"
#include "methods.h"
#include "metrics.h"
#include "policy.h"
#include "scoresheet.h"
#include "svc.h"
#include "treecache.h"

static const struct rpc_service *const rpc_services[] = {
	&svc_system,
	&svc_workspaces,
	&svc_tree,
	&svc_budgets,
	&svc_templates,
	&svc_history,
	&svc_subjects,
	&svc_files,
	&svc_auth,
	&svc_users,
	&svc_workflow,
	&svc_findings,
};

/*
 * An upper bound of a workspace's tree size (scoresheet_reply_size's estimate, grown by
 * what every later change put), so a change far below the limit is not measured by
 * walking every indicator again.
 */
#define RPC_SIZES 64
struct rpc_size {
	uint64_t ws;   /* 0: empty */
	size_t bound;
};

struct rpc {
	struct store *store;
	struct writer *writer;
	struct feed *feed;
	struct auth *auth;
	size_t max_message;
	struct treecache *trees;
	/* rpc_check_sizes' bounds; the writer thread's only. */
	struct rpc_size sizes[RPC_SIZES];
};

/* Room in a reply frame for its code, message and framing around the payload. */
#define RPC_ENVELOPE_ROOM ((size_t)4096)

struct rpc_change {
	struct rpc_change *next;
	uint64_t ws, revision;
};

struct rpc_call {
	struct writer_job job; /* first: the writer hands it back */
	struct rpc *rpc;
	Jixiao__Request *req;
	const struct rpc_service *svc;
	unsigned method;
	const struct method *row; /* its row in the method table */
	ProtobufCMessage *input;
	uint32_t pipe;
	char user[AUTH_NAME_MAX + 1]; /* empty until the connection logs in */
	uint8_t pk[KEY_PUBLIC_LEN];   /* the key the connection logged in with */
	int admin;                    /* -1 until looked up, then 0 or 1 */
	MDB_txn *txn;
	int64_t now;
	int code;
	char message[ENVELOPE_MESSAGE_MAX];
	bool answered;
	uint8_t *reply;
	size_t reply_len;
	struct rpc_change *changes, **changes_tail;
	rpc_reply_fn reply_fn;
	void *reply_arg;
	uint64_t started_ns; /* when the frame arrived, for the latency metrics */
};

int
rpc_new(struct store *s, struct writer *w, struct feed *f, struct auth *a, struct rpc **rp)
{
	const ProtobufCServiceDescriptor *svcs[sizeof(rpc_services) / sizeof(rpc_services[0])];
	char why[256];
	struct rpc *r;

	for (size_t i = 0; i < sizeof(rpc_services) / sizeof(rpc_services[0]); i++)
		svcs[i] = rpc_services[i]->service->descriptor;
	if (methods_check(svcs, sizeof(svcs) / sizeof(svcs[0]), why, sizeof(why)) != 0) {
		log_error("the method table does not match the protocol: %s", why);
		return JX_EINTERNAL;
	}
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return JX_EINTERNAL;
	if (treecache_new(&r->trees) != 0) {
		free(r);
		return JX_EINTERNAL;
	}
	r->store = s;
	r->writer = w;
	r->feed = f;
	r->auth = a;
	r->max_message = ENVELOPE_MAX;
	*rp = r;
	return JX_OK;
}

void
rpc_set_max_message(struct rpc *r, size_t max)
{
	r->max_message = max;
}

void
rpc_free(struct rpc *r)
{
	if (r != NULL)
		treecache_free(r->trees);
	free(r);
}

static void rpc_refuse(rpc_reply_fn reply, void *arg, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Replies with a status and no payload; used when no call could be made. */
static void rpc_refuse(rpc_reply_fn reply, void *arg, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
rpc_refuse(rpc_reply_fn reply, void *arg, int code, const char *fmt, ...)
{
	char message[ENVELOPE_MESSAGE_MAX];
	uint8_t *buf = NULL;
	size_t len = 0;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	log_debug("refused: %s", message);
	metrics_request(NULL, 0, code, 0);
	if (envelope_reply_pack(code, message, NULL, &buf, &len) != 0)
		log_error("out of memory answering a request");
	reply(arg, buf, len);
}

static const struct rpc_service *
rpc_find_service(const char *name)
{
	for (size_t i = 0; i < sizeof(rpc_services) / sizeof(rpc_services[0]); i++)
		if (strcmp(rpc_services[i]->service->descriptor->name, name) == 0)
			return rpc_services[i];
	return NULL;
}

static void
rpc_call_drop_changes(struct rpc_call *c)
{
	struct rpc_change *ch, *next;

	for (ch = c->changes; ch != NULL; ch = next) {
		next = ch->next;
		free(ch);
	}
	c->changes = NULL;
	c->changes_tail = &c->changes;
}

static void
rpc_call_reset(struct rpc_call *c)
{
	rpc_call_drop_changes(c);
	free(c->reply);
	c->reply = NULL;
	c->reply_len = 0;
	c->code = JX_OK;
	c->message[0] = '\0';
	c->answered = false;
}

static void
rpc_call_free(struct rpc_call *c)
{
	rpc_call_reset(c);
	protobuf_c_message_free_unpacked(c->input, NULL);
	jixiao__request__free_unpacked(c->req, NULL);
	free(c);
}

/* The closure every handler calls: encodes the reply frame. */
static void
rpc_closure(const ProtobufCMessage *output, void *data)
{
	struct rpc_call *c = data;

	if (c->answered) {
		log_error("a handler answered twice");
		return;
	}
	c->answered = true;
	if (envelope_reply_pack(c->code, c->message[0] != '\0' ? c->message : NULL, output,
	    &c->reply, &c->reply_len) != 0) {
		c->code = JX_EINTERNAL;
		c->reply = NULL;
	}
}

static void
rpc_invoke(struct rpc_call *c)
{
	ProtobufCService *service = c->svc->service;

	/*
	 * A login lasts while its user is enabled and its key is theirs, read in the call's
	 * own snapshot: the first call after a Disable or SetKey commits is refused, and
	 * the connection is anonymous again (the client's new login is then refused too).
	 */
	if (c->user[0] != '\0' && c->rpc->auth != NULL && !policy_public(c->row) &&
	    auth_user_current(c->txn, c->rpc->store, c->user, c->pk) != 0) {
		auth_session_end(c->rpc->auth, c->pipe);
		rpc_call_fail(c, JX_EUNAUTH, "your login ended: user %s was disabled or the key "
		    "it logged in with was replaced", c->user);
		rpc_closure(NULL, c);
		return;
	}
	if (policy_check(c, c->row, c->input) != 0) {
		rpc_closure(NULL, c);
		return;
	}
	service->invoke(service, c->method, c->input, rpc_closure, c);
	if (!c->answered) {
		log_error("%s.%s gave no answer", service->descriptor->name,
		    service->descriptor->methods[c->method].name);
		rpc_call_fail(c, JX_EINTERNAL, "the server could not answer");
		rpc_closure(NULL, c);
	}
}

/* A call's audit line, gathered before its reply and written after it. */
struct rpc_audit {
	bool due;
	struct audit_event e;
	char user[AUTH_NAME_MAX + 1];
	char peer[AUDIT_PEER_MAX];
	uint8_t pk[KEY_PUBLIC_LEN];
};

/*
 * What a finished call leaves behind for operators, taken before it is answered (the
 * client may hang up at once, taking its session and address along): its metrics, and
 * in *a its audit line when it wrote, logged in, or was refused for want of a login or a
 * role, which rpc_deliver writes once the reply is sent.
 */
static void
rpc_observe(struct rpc_call *c, struct rpc_audit *a)
{
	const ProtobufCServiceDescriptor *d = c->svc->service->descriptor;
	struct audit_event *e = &a->e;
	bool login = c->svc == &svc_auth && strcmp(d->methods[c->method].name, "Login") == 0;

	memset(a, 0, sizeof(*a));
	metrics_request(d, c->method, c->code, metrics_now_ns() - c->started_ns);
	if (login)
		metrics_login(c->code == JX_OK);
	e->event = "write";
	if (login)
		e->event = "login";
	/* Not the "log in first" that every client meets once before it logs in. */
	else if (c->code == JX_EPERM || (c->code == JX_EUNAUTH && c->user[0] != '\0'))
		e->event = "refused";
	else if (!c->row->writes)
		return;
	a->due = true;
	snprintf(a->user, sizeof(a->user), "%s", c->user);
	if (login) {
		const Jixiao__LoginRequest *in = (const Jixiao__LoginRequest *)c->input;
		if (c->code == JX_OK && c->rpc->auth != NULL)
			auth_session_user(c->rpc->auth, c->pipe, a->user, a->pk);
		if (in->public_key.len == KEY_PUBLIC_LEN)
			e->key = in->public_key.data;
	} else if (c->user[0] != '\0') {
		e->key = c->pk;
	}
	for (struct rpc_change *ch = c->changes; ch != NULL; ch = ch->next) {
		e->has_workspace = true;
		e->workspace = ch->ws;
		e->changes++;
		if (ch->revision > e->revision)
			e->revision = ch->revision;
	}
	/* A call that made no change (refused, or a login) names the workspace it asked for. */
	if (!e->has_workspace)
		e->has_workspace = policy_workspace_of(c->input, &e->workspace);
	audit_peer(c->pipe, a->peer, sizeof(a->peer));
	e->user = a->user;
	e->peer = a->peer;
	e->service = d->short_name;
	e->method = d->methods[c->method].name;
	e->code = c->code;
	e->message = c->message[0] != '\0' ? c->message : NULL;
}

static void
rpc_deliver(struct rpc_call *c)
{
	uint8_t *reply = c->reply;
	size_t len = c->reply_len;
	struct rpc_audit audit;

	rpc_observe(c, &audit);
	/* Never more than --max-message: the client could not be told why otherwise. */
	if (reply != NULL && len > c->rpc->max_message) {
		char message[ENVELOPE_MESSAGE_MAX];
		log_warn("a reply of %zu bytes to %s is over --max-message (%zu)", len,
		    c->req->service, c->rpc->max_message);
		snprintf(message, sizeof(message), "the answer would be %.1f MiB, more than the "
		    "%.1f MiB this server sends in one reply (jixiaod --max-message)",
		    (double)len / (1 << 20), (double)c->rpc->max_message / (1 << 20));
		free(reply);
		reply = NULL;
		if (envelope_reply_pack(JX_ENOSPC, message, NULL, &reply, &len) != 0)
			len = 0;
		c->reply = NULL;
		c->reply_fn(c->reply_arg, reply, len);
		goto audit;
	}
	if (reply == NULL && envelope_reply_pack(JX_EINTERNAL, "out of memory", NULL, &reply,
	    &len) != 0)
		len = 0;
	c->reply = NULL;
	c->reply_fn(c->reply_arg, reply, len);
audit:
	/* After the reply: the client does not wait for its audit line. */
	if (audit.due)
		audit_log(&audit.e);
}

/* Reads: run at once, on a snapshot. */
static void
rpc_read(struct rpc_call *c)
{
	if (store_read_begin(c->rpc->store, &c->txn) != 0) {
		rpc_call_fail(c, JX_EUNAVAIL, "the store cannot be read right now");
		rpc_closure(NULL, c);
	} else {
		rpc_invoke(c);
		store_read_end(c->rpc->store, c->txn);
		c->txn = NULL;
	}
	rpc_deliver(c);
	rpc_call_free(c);
}

/* What the request asks, for the idempotency table: same id, same request. */
static void
rpc_request_digest(const struct rpc_call *c, uint8_t out[IDEM_DIGEST_LEN])
{
	idem_digest(c->user, c->req->service, c->req->method,
	    c->req->has_payload ? c->req->payload.data : NULL,
	    c->req->has_payload ? c->req->payload.len : 0, out);
}

/* Remembers a mutating call's reply under its request id, in txn. */
static void
rpc_remember(struct rpc_call *c, MDB_txn *txn)
{
	uint8_t digest[IDEM_DIGEST_LEN];

	if (!c->req->has_request_id || c->reply == NULL)
		return;
	rpc_request_digest(c, digest);
	idem_remember(txn, c->rpc->store, c->req->request_id.data, c->req->request_id.len,
	    c->now, digest, c->reply, c->reply_len);
}

/*
 * A resent request: answer with the first reply, apply nothing. An id reused for a
 * different request (another user, method or payload) is refused, applying nothing.
 */
static bool
rpc_replay(struct rpc_call *c, MDB_txn *txn)
{
	uint8_t digest[IDEM_DIGEST_LEN];

	if (!c->req->has_request_id)
		return false;
	rpc_request_digest(c, digest);
	switch (idem_lookup(txn, c->rpc->store, c->req->request_id.data, c->req->request_id.len,
	    digest, &c->reply, &c->reply_len)) {
	case IDEM_NONE:
		return false;
	case IDEM_OTHER:
		rpc_call_fail(c, JX_EINVAL, "this request id was already used for another "
		    "request; nothing was changed");
		rpc_closure(NULL, c);
		return true;
	case IDEM_SAME:
		break;
	}
	c->answered = true;
	log_debug("replayed a resent request");
	return true;
}

/*
 * After a change, every workspace it touched must still fit in one reply: a tree
 * bigger than --max-message could never be read again. Replaces the handler's answer
 * with RESOURCE_EXHAUSTED (the caller then aborts the change).
 */
static void
rpc_check_sizes(struct rpc_call *c)
{
	size_t limit = rpc_call_max_reply(c), bytes;
	char message[sizeof(c->message)];
	int rv;

	memcpy(message, c->message, sizeof(message));
	for (struct rpc_change *ch = c->changes; ch != NULL; ch = ch->next) {
		bool seen = false;
		for (struct rpc_change *p = c->changes; p != ch && !seen; p = p->next)
			seen = p->ws == ch->ws;
		if (seen)
			continue;
		/*
		 * Far below the limit by the last estimate plus every indicator record put
		 * since (each counted whole, as scoresheet_reply_size counts it; what was
		 * replaced or removed is not taken off): no need to walk the tree again.
		 */
		struct rpc_size *sz = &c->rpc->sizes[ch->ws % RPC_SIZES];
		uint8_t prefix[8];
		store_key_u64(prefix, ch->ws);
		if (sz->ws == ch->ws) {
			size_t grown = sz->bound + store_child_put_bytes(c->rpc->store, STORE_NODES,
			    prefix, sizeof(prefix), SCORESHEET_RECORD_ROOM);
			if (grown < limit / 2) {
				sz->bound = grown;
				continue;
			}
		}
		sz->ws = 0;
		/* Measuring fails the call if the tree cannot be read: keep the real outcome. */
		rv = scoresheet_reply_size(c, ch->ws, &bytes);
		c->code = JX_OK;
		memcpy(c->message, message, sizeof(message));
		if (rv == 0 && bytes < limit / 2) {
			sz->ws = ch->ws;
			sz->bound = bytes;
		}
		if (rv != 0 || bytes <= limit)
			continue;
		uint64_t ws = ch->ws; /* the reset frees ch */
		log_info("refused a change that makes workspace %" PRIu64 "'s tree %zu bytes",
		    ws, bytes);
		rpc_call_reset(c);
		rpc_call_fail(c, JX_ENOSPC, "workspace %" PRIu64 " would no longer fit in one "
		    "reply: its indicator tree would be %zu KiB, more than the %zu KiB this server "
		    "sends (jixiaod --max-message); nothing was changed", ws, (bytes + 1023) >> 10,
		    limit >> 10);
		rpc_closure(NULL, c);
		return;
	}
}

static void
rpc_write_apply(struct writer_job *job, MDB_txn *txn)
{
	struct rpc_call *c = (struct rpc_call *)job;
	MDB_txn *child;

	if (rpc_replay(c, txn))
		return;
	if (store_child_begin(c->rpc->store, txn, &child) != 0) {
		rpc_call_fail(c, JX_EINTERNAL, "the store cannot be written right now");
		rpc_closure(NULL, c);
		return;
	}
	c->txn = child;
	rpc_invoke(c);
	if (c->code == JX_OK)
		rpc_check_sizes(c);
	c->txn = NULL;
	/* All of a call's changes, or none: a refused call leaves no trace but its reply. */
	if (c->code == JX_OK) {
		if (store_child_commit(c->rpc->store, child) != 0) {
			rpc_call_reset(c);
			rpc_call_fail(c, JX_EINTERNAL, "the change could not be saved");
			rpc_closure(NULL, c);
		}
	} else {
		store_child_abort(c->rpc->store, child);
		rpc_call_drop_changes(c);
	}
	/* A login that ended is no answer to keep: the request is resent after a new one. */
	if (c->code != JX_EUNAUTH)
		rpc_remember(c, txn);
	if (idem_prune(txn, c->rpc->store, c->now) != 0)
		log_warn("old replies could not be pruned from the idempotency table; the "
		    "next write tries again");
}

static void
rpc_write_reset(struct writer_job *job)
{
	rpc_call_reset((struct rpc_call *)job);
}

static void
rpc_write_done(struct writer_job *job, int err)
{
	struct rpc_call *c = (struct rpc_call *)job;
	struct rpc_change *ch;

	if (err != 0) {
		char why[ENVELOPE_MESSAGE_MAX] = "the change could not be saved; nothing was "
						  "changed";
		/* JX_ENOSPC comes from the writer thread: the store's failure is this batch's. */
		if (err == JX_ENOSPC)
			store_failure_why(c->rpc->store, why, sizeof(why));
		rpc_call_reset(c);
		rpc_call_fail(c, err == JX_ENOSPC ? JX_ENOSPC : JX_EUNAVAIL, "%s", why);
		rpc_closure(NULL, c);
	}
	rpc_deliver(c);
	/* The notices after the reply: the writer of the change is not kept waiting. */
	if (err == 0 && c->code == JX_OK)
		for (ch = c->changes; ch != NULL; ch = ch->next)
			feed_publish(c->rpc->feed, ch->ws, ch->revision);
	rpc_call_free(c);
}

void
rpc_handle(struct rpc *r, uint32_t pipe, const uint8_t *frame, size_t len, rpc_reply_fn reply,
    void *arg)
{
	const ProtobufCMethodDescriptor *method;
	const struct rpc_service *svc;
	const struct method *row;
	Jixiao__Request *req;
	ProtobufCMessage *input;
	struct rpc_call *c;
	const char *why = "";
	uint64_t started = metrics_now_ns();

	if (envelope_request_unpack(frame, len, &req, &why) != 0) {
		rpc_refuse(reply, arg, JX_EINVAL, "%s", why);
		return;
	}
	if ((svc = rpc_find_service(req->service)) == NULL) {
		rpc_refuse(reply, arg, JX_EINVAL, "the server has no service %s", req->service);
		goto out;
	}
	if ((method = envelope_method(svc->service->descriptor, req->method)) == NULL ||
	    (row = methods_find(svc->service->descriptor, req->method)) == NULL) {
		rpc_refuse(reply, arg, JX_EINVAL, "the service %s has no method %u", req->service,
		    req->method);
		goto out;
	}
	if (envelope_input_unpack(method, req, &input) != 0) {
		rpc_refuse(reply, arg, JX_EINVAL, "the request to %s.%s could not be decoded",
		    req->service, method->name);
		goto out;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		protobuf_c_message_free_unpacked(input, NULL);
		rpc_refuse(reply, arg, JX_ENOSPC, "the server is out of memory");
		goto out;
	}
	c->rpc = r;
	c->req = req;
	c->svc = svc;
	c->method = req->method;
	c->row = row;
	c->input = input;
	c->pipe = pipe;
	c->admin = -1;
	if (r->auth != NULL)
		auth_session_user(r->auth, pipe, c->user, c->pk);
	c->now = (int64_t)time(NULL);
	c->changes_tail = &c->changes;
	c->reply_fn = reply;
	c->reply_arg = arg;
	c->started_ns = started;
	log_debug("%s.%s from %s", req->service, method->name,
	    c->user[0] != '\0' ? c->user : "(not logged in)");
	/* Before any transaction, so a resend on a new connection is not remembered as refused. */
	if (c->user[0] == '\0' && !policy_public(row)) {
		rpc_call_fail(c, JX_EUNAUTH, "log in first: this connection has not authenticated "
		    "(jx does it with your key from jx keygen)");
		rpc_closure(NULL, c);
		rpc_deliver(c);
		rpc_call_free(c);
		return;
	}
	if (!row->writes) {
		rpc_read(c);
		return;
	}
	c->job.apply = rpc_write_apply;
	c->job.reset = rpc_write_reset;
	c->job.done = rpc_write_done;
	writer_submit(r->writer, &c->job);
	return;
out:
	jixiao__request__free_unpacked(req, NULL);
}

MDB_txn *
rpc_call_txn(struct rpc_call *c)
{
	return c->txn;
}

struct store *
rpc_call_store(struct rpc_call *c)
{
	return c->rpc->store;
}

const char *
rpc_call_user(struct rpc_call *c)
{
	return c->user;
}

bool
rpc_call_is_admin(struct rpc_call *c)
{
	Jixiao__User *u;

	/* Looked up once per call, in the call's own snapshot. */
	if (c->admin < 0) {
		c->admin = 0;
		if (c->user[0] != '\0' && c->txn != NULL &&
		    auth_user_get(c->txn, c->rpc->store, c->user, &u) == 0) {
			c->admin = u->has_admin && u->admin;
			jixiao__user__free_unpacked(u, NULL);
		}
	}
	return c->admin == 1;
}

const char *
rpc_call_reason(struct rpc_call *c)
{
	return c->req->reason != NULL && c->req->reason[0] != '\0' ? c->req->reason : NULL;
}

struct auth *
rpc_call_auth(struct rpc_call *c)
{
	return c->rpc->auth;
}

uint32_t
rpc_call_pipe(struct rpc_call *c)
{
	return c->pipe;
}

int64_t
rpc_call_now(struct rpc_call *c)
{
	return c->now;
}

size_t
rpc_call_max_reply(struct rpc_call *c)
{
	return c->rpc->max_message > RPC_ENVELOPE_ROOM ? c->rpc->max_message - RPC_ENVELOPE_ROOM
						       : 0;
}

const char *
rpc_call_feed_url(struct rpc_call *c)
{
	return feed_url(c->rpc->feed);
}

void
rpc_call_fail(struct rpc_call *c, int code, const char *fmt, ...)
{
	va_list ap;

	if (c->code != JX_OK)
		return;
	c->code = code;
	va_start(ap, fmt);
	vsnprintf(c->message, sizeof(c->message), fmt, ap);
	va_end(ap);
}

void
rpc_call_note(struct rpc_call *c, const char *fmt, ...)
{
	va_list ap;

	if (c->code != JX_OK)
		return;
	va_start(ap, fmt);
	vsnprintf(c->message, sizeof(c->message), fmt, ap);
	va_end(ap);
}

int
rpc_call_copy(struct rpc_call *c, const ProtobufCMessage *m, ProtobufCMessage **copy)
{
	size_t len = protobuf_c_message_get_packed_size(m);
	uint8_t *buf = malloc(len > 0 ? len : 1);

	*copy = NULL;
	if (buf != NULL) {
		protobuf_c_message_pack(m, buf);
		*copy = protobuf_c_message_unpack(m->descriptor, NULL, len, buf);
		free(buf);
	}
	if (*copy == NULL) {
		rpc_call_fail(c, JX_EINTERNAL, "out of memory");
		return JX_EINTERNAL;
	}
	return JX_OK;
}

int
rpc_call_code(struct rpc_call *c)
{
	return c->code;
}

int
rpc_call_publish(struct rpc_call *c, uint64_t ws, uint64_t revision)
{
	struct rpc_change *ch;

	if ((ch = malloc(sizeof(*ch))) == NULL)
		return JX_EINTERNAL;
	ch->next = NULL;
	ch->ws = ws;
	ch->revision = revision;
	*c->changes_tail = ch;
	c->changes_tail = &ch->next;
	return JX_OK;
}

struct treecache *
rpc_call_treecache(struct rpc_call *c)
{
	return c->rpc->trees;
}

void
rpc_call_answer_frame(struct rpc_call *c, uint8_t *frame, size_t len)
{
	if (c->answered) {
		free(frame);
		return;
	}
	c->answered = true;
	c->reply = frame;
	c->reply_len = len;
}

bool
rpc_call_frame(struct rpc_call *c, const uint8_t **frame, size_t *len)
{
	if (!c->answered || c->reply == NULL)
		return false;
	*frame = c->reply;
	*len = c->reply_len;
	return true;
}
