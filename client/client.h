/*
 * The client library: connect to jixiaod and call its services. One client is one
 * nng REQ socket, used by one thread at a time.
 */
#ifndef JX_CLIENT_H
#define JX_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include <protobuf-c/protobuf-c.h>

#include "envelope.h"

/* Largest reply a client accepts. */
#define CLIENT_MAX_REPLY ((size_t)64 << 20)
/* How long a call waits for its reply, in milliseconds. */
#define CLIENT_TIMEOUT_MS 30000

struct client;

/*
 * Connects to url (ipc:// or tcp://) as user (NULL: no name). Returns 0, or
 * JX_EUNAVAIL with a plain sentence in why when the server cannot be reached.
 */
int client_open(const char *url, const char *user, struct client **cp, char *why,
    size_t whylen);
/*
 * client_open for every kind of url, with ca_file (PEM) to verify a tls+tcp:// server's
 * certificate and host name; ca_file is required for TLS and ignored otherwise.
 * Returns 0, JX_EINVAL when the CA file is missing or unusable, or JX_EUNAVAIL when
 * the server cannot be reached or its certificate is refused.
 */
int client_open_tls(const char *url, const char *user, const char *ca_file, struct client **cp,
    char *why, size_t whylen);
/* Accepts NULL. */
void client_close(struct client *cl);

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
