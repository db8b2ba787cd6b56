/*
 * The daemon's dispatch on a scratch store: decode → policy → handler → reply, as
 * rpc_handle runs it for a connection, with writes going through the real writer.
 *
 * The store is made once per process (and made again every FUZZ_DISPATCH_RENEW calls,
 * so it stays small): user admin, user member (an evaluator of workspace 1, which has
 * three indicators), each logged in on a connection of its own, and a third connection
 * that never logs in.
 *
 * An input is one call:
 *   byte 0: the connection (low two bits: admin, anonymous, member); bit 7 set: the rest
 *           is a whole request frame, sent as it is;
 *   else byte 1: the service (index into fuzz_services), byte 2: the method, byte 3:
 *           bit 0 a fresh request id, bit 1 a reason; the rest is the method's payload.
 * Every call must be answered exactly once with a reply frame that decodes.
 */
#define _XOPEN_SOURCE 700 /* nftw */
#include <errno.h>
#include <ftw.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth.h"
#include "envelope.h"
#include "err.h"
#include "fuzz.h"
#include "key.h"
#include "rpc.h"
#include "store.h"
#include "writer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_DISPATCH_RENEW 20000

enum { FUZZ_ADMIN = 1, FUZZ_ANONYMOUS = 2, FUZZ_MEMBER = 3 };

static struct fuzz_dispatch {
	char dir[256];
	struct store *store;
	struct writer *writer;
	struct auth *auth;
	struct rpc *rpc;
	uint8_t admin_sk[KEY_SECRET_LEN], member_sk[KEY_SECRET_LEN];
	unsigned long calls;
	uint64_t ids;
	pthread_mutex_t mtx;
	pthread_cond_t cv;
	uint8_t *reply;
	size_t reply_len;
	int replies;
} scratch = { .mtx = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER };

static __attribute__((noreturn)) void
fuzz_dispatch_die(const char *what, const char *why)
{
	fprintf(stderr, "fuzz_dispatch: %s: %s\n", what, why);
	abort();
}

static void
fuzz_dispatch_on_reply(void *arg, uint8_t *reply, size_t len)
{
	pthread_mutex_lock(&scratch.mtx);
	if (scratch.replies++ == 0) {
		scratch.reply = reply;
		scratch.reply_len = len;
	} else {
		free(reply);
	}
	pthread_cond_signal(&scratch.cv);
	pthread_mutex_unlock(&scratch.mtx);
}

/* Hands a frame to rpc_handle and waits for its one reply (malloc'd). */
static uint8_t *
fuzz_dispatch_roundtrip(uint32_t pipe, const uint8_t *frame, size_t len, size_t *reply_len)
{
	uint8_t *reply;

	scratch.replies = 0;
	scratch.reply = NULL;
	rpc_handle(scratch.rpc, pipe, frame, len, fuzz_dispatch_on_reply, NULL);
	pthread_mutex_lock(&scratch.mtx);
	while (scratch.replies == 0)
		pthread_cond_wait(&scratch.cv, &scratch.mtx);
	reply = scratch.reply;
	*reply_len = scratch.reply_len;
	pthread_mutex_unlock(&scratch.mtx);
	return reply;
}

/* A call the harness makes itself; it must succeed. The caller frees *out. */
static void
fuzz_dispatch_call(uint32_t pipe, const ProtobufCServiceDescriptor *svc, const char *method,
    const ProtobufCMessage *in, ProtobufCMessage **out)
{
	const ProtobufCMethodDescriptor *m = protobuf_c_service_descriptor_get_method_by_name(svc,
	    method);
	uint8_t id[ENVELOPE_REQUEST_ID_LEN] = { 0 }, *frame, *reply;
	size_t len, rlen;
	char *msg = NULL;
	int code;

	scratch.ids++;
	memcpy(id, &scratch.ids, sizeof(scratch.ids));
	if (m == NULL || envelope_request_pack(svc, (unsigned)(m - svc->methods), id, NULL, in,
	    &frame, &len) != JX_OK)
		fuzz_dispatch_die(method, "cannot pack");
	reply = fuzz_dispatch_roundtrip(pipe, frame, len, &rlen);
	free(frame);
	if (envelope_reply_unpack(reply, rlen, m->output, &code, &msg, out) != JX_OK ||
	    code != JX_OK)
		fuzz_dispatch_die(method, msg != NULL ? msg : "refused");
	free(msg);
	free(reply);
}

static void
fuzz_dispatch_login(uint32_t pipe, const uint8_t *sk)
{
	Jixiao__ChallengeRequest creq = JIXIAO__CHALLENGE_REQUEST__INIT;
	Jixiao__LoginRequest lreq = JIXIAO__LOGIN_REQUEST__INIT;
	Jixiao__ChallengeReply *ch;
	Jixiao__LoginReply *lr;
	uint8_t pk[KEY_PUBLIC_LEN], sig[KEY_SIG_LEN];

	fuzz_dispatch_call(pipe, &jixiao__auth__descriptor, "Challenge", &creq.base,
	    (ProtobufCMessage **)&ch);
	key_public_of(sk, pk);
	key_sign_login(sk, ch->server_key.data, ch->nonce.data, sig);
	lreq.public_key.data = pk;
	lreq.public_key.len = sizeof(pk);
	lreq.signature.data = sig;
	lreq.signature.len = sizeof(sig);
	fuzz_dispatch_call(pipe, &jixiao__auth__descriptor, "Login", &lreq.base,
	    (ProtobufCMessage **)&lr);
	jixiao__login_reply__free_unpacked(lr, NULL);
	jixiao__challenge_reply__free_unpacked(ch, NULL);
}

/* Workspace 1 with three indicators, and member as its evaluator. */
static void
fuzz_dispatch_populate(void)
{
	Jixiao__AddUserRequest user = JIXIAO__ADD_USER_REQUEST__INIT;
	Jixiao__CreateWorkspaceRequest ws = JIXIAO__CREATE_WORKSPACE_REQUEST__INIT;
	Jixiao__SetMemberRequest member = JIXIAO__SET_MEMBER_REQUEST__INIT;
	Jixiao__AddNodeRequest nodes[3], *pnodes[3];
	Jixiao__NodeRef parent = JIXIAO__NODE_REF__INIT;
	ProtobufCMessage *out;
	uint8_t pk[KEY_PUBLIC_LEN];
	static const char *const codes[] = { "1", "1.1", "2" };
	static const char *const names[] = { "产出指标", "系统用户总数", "满意度指标" };

	key_public_of(scratch.member_sk, pk);
	user.name = "member";
	user.public_key.data = pk;
	user.public_key.len = sizeof(pk);
	fuzz_dispatch_call(FUZZ_ADMIN, &jixiao__users__descriptor, "Add", &user.base, &out);
	protobuf_c_message_free_unpacked(out, NULL);

	parent.code = "1";
	for (int i = 0; i < 3; i++) {
		jixiao__add_node_request__init(&nodes[i]);
		nodes[i].code = (char *)codes[i];
		nodes[i].name = (char *)names[i];
		nodes[i].has_weight = 1;
		nodes[i].weight = 2000;
		nodes[i].target = i == 1 ? "不低于600个" : NULL;
		nodes[i].parent = i == 1 ? &parent : NULL;
		pnodes[i] = &nodes[i];
	}
	ws.subject = "番禺区政务服务数据管理局";
	ws.fiscal_year = 2023;
	ws.kind = JIXIAO__KIND__KEY_EVALUATION;
	ws.n_nodes = 3;
	ws.nodes = pnodes;
	fuzz_dispatch_call(FUZZ_ADMIN, &jixiao__workspaces__descriptor, "Create", &ws.base, &out);
	protobuf_c_message_free_unpacked(out, NULL);

	member.workspace = 1;
	member.user = "member";
	member.role = JIXIAO__ROLE__ROLE_EVALUATOR;
	fuzz_dispatch_call(FUZZ_ADMIN, &jixiao__users__descriptor, "SetMember", &member.base, &out);
	protobuf_c_message_free_unpacked(out, NULL);
}

static int
fuzz_dispatch_rm(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static void
fuzz_dispatch_close(void)
{
	writer_stop(scratch.writer);
	writer_free(scratch.writer);
	rpc_free(scratch.rpc);
	auth_free(scratch.auth);
	store_close(scratch.store);
	scratch.writer = NULL;
	scratch.rpc = NULL;
	scratch.auth = NULL;
	scratch.store = NULL;
	if (scratch.dir[0] != '\0')
		nftw(scratch.dir, fuzz_dispatch_rm, 16, FTW_DEPTH | FTW_PHYS);
	scratch.dir[0] = '\0';
}

/* A new scratch store in memory (/dev/shm) when it can, else in $TMPDIR. */
static void
fuzz_dispatch_open(void)
{
	const char *tmp = getenv("TMPDIR");
	uint8_t pk[KEY_PUBLIC_LEN];
	char why[512], data[300];

	snprintf(scratch.dir, sizeof(scratch.dir), "%s/jxfuzz.XXXXXX",
	    access("/dev/shm", W_OK) == 0 ? "/dev/shm" : tmp != NULL ? tmp : "/tmp");
	if (mkdtemp(scratch.dir) == NULL)
		fuzz_dispatch_die(scratch.dir, strerror(errno));
	snprintf(data, sizeof(data), "%s/data", scratch.dir);
	if (key_init() != 0)
		fuzz_dispatch_die("key_init", "libsodium");
	key_generate(pk, scratch.admin_sk);
	key_generate(pk, scratch.member_sk);
	key_public_of(scratch.admin_sk, pk);
	if (store_open(data, 0, &scratch.store, why, sizeof(why)) != JX_OK ||
	    auth_init_store(scratch.store, "admin", pk, why, sizeof(why)) != JX_OK ||
	    auth_open(scratch.store, &scratch.auth, why, sizeof(why)) != JX_OK)
		fuzz_dispatch_die("store", why);
	if (writer_start(scratch.store, &scratch.writer) != JX_OK ||
	    rpc_new(scratch.store, scratch.writer, NULL, scratch.auth, &scratch.rpc) != JX_OK)
		fuzz_dispatch_die("rpc", "cannot start");
	fuzz_dispatch_login(FUZZ_ADMIN, scratch.admin_sk);
	fuzz_dispatch_populate();
	fuzz_dispatch_login(FUZZ_MEMBER, scratch.member_sk);
}

/* The input's call as a request frame (malloc'd). */
static uint8_t *
fuzz_dispatch_frame(const uint8_t *data, size_t size, size_t *len)
{
	Jixiao__Request req = JIXIAO__REQUEST__INIT;
	const ProtobufCServiceDescriptor *svc = fuzz_services[data[1] % fuzz_nservices];
	uint8_t id[ENVELOPE_REQUEST_ID_LEN] = { 0xf0 }, *frame;

	req.protocol = JIXIAO__PROTOCOL__PROTOCOL_VERSION;
	req.service = (char *)svc->name;
	req.method = data[2] % svc->n_methods;
	if (data[3] & 1) {
		scratch.ids++;
		memcpy(id + 1, &scratch.ids, sizeof(scratch.ids));
		req.has_request_id = 1;
		req.request_id.data = id;
		req.request_id.len = sizeof(id);
	}
	if (data[3] & 2)
		req.reason = "fuzz";
	req.has_payload = 1;
	req.payload.data = (uint8_t *)data + 4;
	req.payload.len = size - 4;
	*len = protobuf_c_message_get_packed_size(&req.base);
	if ((frame = malloc(*len)) == NULL)
		abort();
	protobuf_c_message_pack(&req.base, frame);
	return frame;
}

/* Keeps the two logins: a call may have ended them (a new challenge on the connection). */
static void
fuzz_dispatch_relogin(void)
{
	char user[AUTH_NAME_MAX + 1];
	uint8_t pk[KEY_PUBLIC_LEN];

	auth_session_user(scratch.auth, FUZZ_ADMIN, user, pk);
	if (strcmp(user, "admin") != 0)
		fuzz_dispatch_login(FUZZ_ADMIN, scratch.admin_sk);
	auth_session_user(scratch.auth, FUZZ_MEMBER, user, pk);
	if (strcmp(user, "member") != 0)
		fuzz_dispatch_login(FUZZ_MEMBER, scratch.member_sk);
	/* The anonymous connection stays anonymous, whatever the input did. */
	auth_pipe_closed(scratch.auth, FUZZ_ANONYMOUS);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint32_t pipes[] = { FUZZ_ADMIN, FUZZ_ANONYMOUS, FUZZ_MEMBER, FUZZ_ADMIN };
	const ProtobufCMessageDescriptor *output = NULL;
	ProtobufCMessage *out = NULL;
	uint8_t *frame, *reply;
	size_t len, rlen;
	char *msg = NULL;
	int code;

	if (size < 4)
		return 0;
	if (scratch.store == NULL ||
	    scratch.calls++ % FUZZ_DISPATCH_RENEW == FUZZ_DISPATCH_RENEW - 1) {
		if (scratch.store != NULL)
			fuzz_dispatch_close();
		else
			atexit(fuzz_dispatch_close);
		fuzz_dispatch_open();
	}
	fuzz_dispatch_relogin();
	if (data[0] & 0x80) {
		len = size - 1;
		frame = malloc(len + 1);
		if (frame == NULL)
			abort();
		memcpy(frame, data + 1, len);
	} else {
		const ProtobufCServiceDescriptor *svc = fuzz_services[data[1] % fuzz_nservices];
		output = svc->methods[data[2] % svc->n_methods].output;
		frame = fuzz_dispatch_frame(data, size, &len);
	}
	reply = fuzz_dispatch_roundtrip(pipes[data[0] & 3], frame, len, &rlen);
	free(frame);
	/* The reply decodes, its payload as the method's output. */
	if (envelope_reply_unpack(reply, rlen, output, &code, &msg, &out) != JX_OK)
		fuzz_dispatch_die("reply", "does not decode");
	protobuf_c_message_free_unpacked(out, NULL);
	free(msg);
	free(reply);
	/* Exactly one reply: a second one would have come by now for a read; see on_reply. */
	if (scratch.replies != 1)
		fuzz_dispatch_die("reply", "answered twice");
	return 0;
}
