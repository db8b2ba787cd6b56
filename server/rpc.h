/*
 * RPC dispatch: decodes a request frame, finds the service by name and the method
 * by index in its generated ProtobufCServiceDescriptor, and invokes the handler.
 * Reads run at once on a snapshot; writes go to the writer and are answered after
 * their batch is durable. Mutating calls with a request id are idempotent: a
 * resent request gets the original reply, and is never applied twice.
 *
 * Handlers are the generated service functions. They get the call as closure_data,
 * set a failure with rpc_call_fail if any, and always call the closure once,
 * with their output message (or NULL).
 */
#ifndef JX_RPC_H
#define JX_RPC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <lmdb.h>
#include <protobuf-c/protobuf-c.h>

#include "feed.h"
#include "store.h"
#include "writer.h"

/* A service's handlers; what each method needs and writes is in methods.c. */
struct rpc_service {
	ProtobufCService *service;
};

/* Takes ownership of reply (free it with free()). */
typedef void (*rpc_reply_fn)(void *arg, uint8_t *reply, size_t len);

struct rpc;

struct auth;

/*
 * a may be NULL only in tests that never log in: then every call is anonymous. Fails
 * (JX_EINTERNAL, logged) when the method table disagrees with the services.
 */
int rpc_new(struct store *s, struct writer *w, struct feed *f, struct auth *a, struct rpc **rp);
/* Accepts NULL. */
void rpc_free(struct rpc *r);
/*
 * The largest reply sent (default ENVELOPE_MAX): a bigger one is replaced by
 * RESOURCE_EXHAUSTED, and a change that would make a workspace's tree reply bigger
 * is refused.
 */
void rpc_set_max_message(struct rpc *r, size_t max);

/*
 * Handles one frame. Calls reply(arg, ...) exactly once: before returning for reads
 * and refusals, from the writer thread for writes. The frame may be freed as soon
 * as rpc_handle returns.
 */
/* pipe names the connection (its login session). */
void rpc_handle(struct rpc *r, uint32_t pipe, const uint8_t *frame, size_t len,
    rpc_reply_fn reply, void *arg);

/* ---- for handlers */
struct rpc_call;

MDB_txn *rpc_call_txn(struct rpc_call *c);
struct store *rpc_call_store(struct rpc_call *c);
/* The logged-in caller's name; empty before login (only public methods get that far). */
const char *rpc_call_user(struct rpc_call *c);
/* True when the logged-in caller is an admin (looked up once per call). */
bool rpc_call_is_admin(struct rpc_call *c);
/* Why the caller makes this change (the envelope's reason), or NULL. */
const char *rpc_call_reason(struct rpc_call *c);
struct auth *rpc_call_auth(struct rpc_call *c);
/* The connection the call came on. */
uint32_t rpc_call_pipe(struct rpc_call *c);
int64_t rpc_call_now(struct rpc_call *c);
/* Where the change feed is published, or NULL. */
const char *rpc_call_feed_url(struct rpc_call *c);
/* Bytes a handler may put in one reply (the payload, leaving room for the envelope). */
size_t rpc_call_max_reply(struct rpc_call *c);
/* A deep copy of m (caller frees with protobuf_c_message_free_unpacked); fails the call. */
int rpc_call_copy(struct rpc_call *c, const ProtobufCMessage *m, ProtobufCMessage **copy);
/* Marks the call failed with code and a plain sentence; the first failure wins. */
void rpc_call_fail(struct rpc_call *c, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int rpc_call_code(struct rpc_call *c);
/* A note for the user on a call that succeeds (a warning); ignored once it failed. */
void rpc_call_note(struct rpc_call *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* The GetTree reply cache (treecache.h). */
struct treecache *rpc_call_treecache(struct rpc_call *c);
/*
 * Answers with a reply frame packed before (a cached one): takes ownership of frame;
 * the handler then does not call its closure.
 */
void rpc_call_answer_frame(struct rpc_call *c, uint8_t *frame, size_t len);
/* The packed reply frame once the handler has answered; false before. */
bool rpc_call_frame(struct rpc_call *c, const uint8_t **frame, size_t *len);
/* Queues the notice "ws is at revision" for the feed, published once the write is durable. */
int rpc_call_publish(struct rpc_call *c, uint64_t ws, uint64_t revision);

#endif
