#include "client.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <nng/nng.h>
#include <nng/protocol/reqrep0/req.h>
#include <sodium.h>

#include "dial.h"
#include "envelope.h"
#include "err.h"

struct client {
	nng_socket sock;
	char *user;
	char url[512];
};

int
client_open(const char *url, const char *user, struct client **cp, char *why, size_t whylen)
{
	return client_open_tls(url, user, NULL, cp, why, whylen);
}

int
client_open_tls(const char *url, const char *user, const char *ca_file, struct client **cp,
    char *why, size_t whylen)
{
	struct client *cl;
	int rv;

	*cp = NULL;
	if (sodium_init() < 0) {
		snprintf(why, whylen, "the crypto library failed to start");
		return JX_EINTERNAL;
	}
	if ((cl = calloc(1, sizeof(*cl))) == NULL) {
		snprintf(why, whylen, "out of memory");
		return JX_EINTERNAL;
	}
	snprintf(cl->url, sizeof(cl->url), "%s", url);
	if (user != NULL && (cl->user = strdup(user)) == NULL) {
		free(cl);
		snprintf(why, whylen, "out of memory");
		return JX_EINTERNAL;
	}
	if ((rv = nng_req0_open(&cl->sock)) != 0) {
		snprintf(why, whylen, "cannot open a socket: %s", nng_strerror(rv));
		free(cl->user);
		free(cl);
		return JX_EINTERNAL;
	}
	nng_socket_set_size(cl->sock, NNG_OPT_RECVMAXSZ, CLIENT_MAX_REPLY);
	nng_socket_set_ms(cl->sock, NNG_OPT_RECVTIMEO, CLIENT_TIMEOUT_MS);
	nng_socket_set_ms(cl->sock, NNG_OPT_SENDTIMEO, CLIENT_TIMEOUT_MS);
	if ((rv = dial_start(cl->sock, url, ca_file, true, why, whylen)) != 0) {
		client_close(cl);
		return rv;
	}
	*cp = cl;
	return JX_OK;
}

void
client_close(struct client *cl)
{
	if (cl == NULL)
		return;
	nng_close(cl->sock);
	free(cl->user);
	free(cl);
}

void
client_new_request_id(uint8_t id[ENVELOPE_REQUEST_ID_LEN])
{
	struct timespec now;
	uint64_t ms;

	/*
	 * Milliseconds first, then randomness: ids from one client sort by time, so the
	 * server appends them to its idempotency table and prunes the old end.
	 */
	clock_gettime(CLOCK_REALTIME, &now);
	ms = (uint64_t)now.tv_sec * 1000 + (uint64_t)now.tv_nsec / 1000000;
	for (int i = 0; i < 8; i++)
		id[i] = (uint8_t)(ms >> (8 * (7 - i)));
	randombytes_buf(id + 8, ENVELOPE_REQUEST_ID_LEN - 8);
}

int
client_call(struct client *cl, const ProtobufCServiceDescriptor *service, const char *method,
    const ProtobufCMessage *input, ProtobufCMessage **output, char *message, size_t msglen)
{
	uint8_t id[ENVELOPE_REQUEST_ID_LEN];

	client_new_request_id(id);
	return client_call_with_id(cl, service, method, id, input, output, message, msglen);
}

int
client_call_with_id(struct client *cl, const ProtobufCServiceDescriptor *service,
    const char *method, const uint8_t id[ENVELOPE_REQUEST_ID_LEN],
    const ProtobufCMessage *input, ProtobufCMessage **output, char *message, size_t msglen)
{
	const ProtobufCMethodDescriptor *m;
	uint8_t *buf = NULL;
	char *text = NULL;
	size_t len;
	void *reply = NULL;
	int rv, code;

	*output = NULL;
	message[0] = '\0';
	m = protobuf_c_service_descriptor_get_method_by_name(service, method);
	if (m == NULL) {
		snprintf(message, msglen, "the client has no method %s.%s", service->name, method);
		return JX_EINTERNAL;
	}
	if ((rv = envelope_request_pack(service, (unsigned)(m - service->methods), id, cl->user,
	    input, &buf, &len)) != 0) {
		snprintf(message, msglen, "the request is too large to send");
		return rv;
	}
	rv = nng_send(cl->sock, buf, len, 0);
	free(buf);
	if (rv == 0)
		rv = nng_recv(cl->sock, &reply, &len, NNG_FLAG_ALLOC);
	if (rv != 0) {
		snprintf(message, msglen, "no answer from jixiaod at %s: %s", cl->url,
		    rv == NNG_ETIMEDOUT ? "it did not reply in time" : nng_strerror(rv));
		return JX_EUNAVAIL;
	}
	rv = envelope_reply_unpack(reply, len, m->output, &code, &text, output);
	nng_free(reply, len);
	if (rv != 0) {
		snprintf(message, msglen, "jixiaod sent a reply this client cannot read; "
		    "are both the same version?");
		return JX_EINTERNAL;
	}
	if (text != NULL)
		snprintf(message, msglen, "%s", text);
	else if (code != JX_OK)
		snprintf(message, msglen, "%s", jx_strerror(code));
	free(text);
	return code;
}
