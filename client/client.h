/*
 * The client library: connect to jixiaod and call its services. One client is one
 * nng REQ socket, used by one thread at a time.
 */
#ifndef JX_CLIENT_H
#define JX_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <protobuf-c/protobuf-c.h>

#include "envelope.h"

/* Largest reply a client accepts: the most any jixiaod may send (envelope.h). */
#define CLIENT_MAX_REPLY ENVELOPE_LIMIT
/* How long a call waits for its reply, in milliseconds. */
#define CLIENT_TIMEOUT_MS 30000
/* First wait before dialing a lost connection again; it doubles up to ten times this. */
#define CLIENT_RECONNECT_MS 20
/* Logins tried for one call whose connection was replaced (a server restart). */
#define CLIENT_LOGIN_ATTEMPTS 4

struct client;

/* Who a client is. */
struct client_identity {
	/* The user's Ed25519 secret key (64 bytes, copied), or NULL: anonymous. */
	const uint8_t *secret_key;
	/*
	 * A file of "URL HEXKEY" lines pinning each server's own key: a server seen for the
	 * first time is added, one presenting another key is refused. NULL: no pinning.
	 */
	const char *known_servers;
	/* The CA certificate (PEM) a tls+tcp:// server's certificate must chain to. */
	const char *ca_file;
};

/*
 * Connects to url (ipc://, tcp:// or tls+tcp://, which needs id->ca_file) as id (NULL:
 * anonymous). The login happens on
 * the first call the server refuses as UNAUTHENTICATED, and again whenever the
 * connection was replaced. Returns 0, or JX_EUNAVAIL with a plain sentence in why
 * when the server cannot be reached.
 */
int client_open(const char *url, const struct client_identity *id, struct client **cp,
    char *why, size_t whylen);
/* The name the server knows this client by once logged in, else NULL. */
const char *client_user(const struct client *cl);
/* True once logged in as an admin (as the login's reply said). */
bool client_admin(const struct client *cl);
/* The server's own key (32 bytes) as checked and pinned at login, else NULL. */
const uint8_t *client_server_key(const struct client *cl);
/* Sends reason with every following call (why the change; NULL: none). Copied. */
int client_set_reason(struct client *cl, const char *reason);
/* Logs in now. Returns 0 or an error with a sentence in message. */
int client_login(struct client *cl, char *message, size_t msglen);
/* Accepts NULL. */
void client_close(struct client *cl);
/*
 * Replies are unpacked with alloc from now on (NULL: malloc, the default); free them
 * with protobuf_c_message_free_unpacked(out, alloc). For a client decoding many
 * replies (jx-bench, with an arena.h arena).
 */
void client_set_allocator(struct client *cl, ProtobufCAllocator *alloc);

/*
 * Calls method of service with input. Returns the reply's status code (0 for OK),
 * with its sentence in message; *output is the decoded reply payload when there is
 * one (also with ABORTED, where it is the current state), to be freed with
 * protobuf_c_message_free_unpacked; otherwise NULL. Transport failures return
 * JX_EUNAVAIL. Every call carries a fresh request id, so a resent request is
 * applied at most once.
 */
int client_call(struct client *cl, const ProtobufCServiceDescriptor *service,
    const char *method, const ProtobufCMessage *input, ProtobufCMessage **output,
    char *message, size_t msglen);

/*
 * A fresh request id: the time in milliseconds (8 bytes, big-endian), then 8 random
 * bytes, so ids from one client sort by time and the server prunes the old end first.
 */
void client_new_request_id(uint8_t id[ENVELOPE_REQUEST_ID_LEN]);

/*
 * client_call with the request id chosen by the caller: sending the same id again
 * (on this or another client) resends the request, which the server answers with
 * the first reply instead of applying it twice.
 */
int client_call_with_id(struct client *cl, const ProtobufCServiceDescriptor *service,
    const char *method, const uint8_t id[ENVELOPE_REQUEST_ID_LEN],
    const ProtobufCMessage *input, ProtobufCMessage **output, char *message,
    size_t msglen);

#endif
