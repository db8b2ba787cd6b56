#include "client.h"

#include <stdbool.h>
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
#include "key.h"

#define CLIENT_PIN_LINE 1024

struct client {
	nng_socket sock;
	bool has_key;
	uint8_t sk[KEY_SECRET_LEN];
	char *known_servers;
	char *reason;
	char *user;        /* after login */
	bool admin;        /* what the login said */
	bool has_server_key;
	uint8_t server_key[KEY_PUBLIC_LEN]; /* the server's own key, as pinned at login */
	char url[512];
	ProtobufCAllocator *alloc; /* for the replies; NULL: malloc */
};

static int client_call_once(struct client *cl, const ProtobufCServiceDescriptor *service,
    const ProtobufCMethodDescriptor *m, const uint8_t id[ENVELOPE_REQUEST_ID_LEN],
    const ProtobufCMessage *input, ProtobufCMessage **output, char *message, size_t msglen);

int
client_open(const char *url, const struct client_identity *id, struct client **cp, char *why,
    size_t whylen)
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
	if (id != NULL && id->secret_key != NULL) {
		cl->has_key = true;
		memcpy(cl->sk, id->secret_key, KEY_SECRET_LEN);
	}
	if (id != NULL && id->known_servers != NULL &&
	    (cl->known_servers = strdup(id->known_servers)) == NULL) {
		client_close(cl);
		snprintf(why, whylen, "out of memory");
		return JX_EINTERNAL;
	}
	if ((rv = nng_req0_open(&cl->sock)) != 0) {
		snprintf(why, whylen, "cannot open a socket: %s", nng_strerror(rv));
		cl->sock = (nng_socket)NNG_SOCKET_INITIALIZER;
		client_close(cl);
		return JX_EINTERNAL;
	}
	nng_socket_set_size(cl->sock, NNG_OPT_RECVMAXSZ, CLIENT_MAX_REPLY);
	nng_socket_set_ms(cl->sock, NNG_OPT_RECVTIMEO, CLIENT_TIMEOUT_MS);
	nng_socket_set_ms(cl->sock, NNG_OPT_SENDTIMEO, CLIENT_TIMEOUT_MS);
	/* A dropped connection (a restarted server or listener) is dialed again at once. */
	nng_socket_set_ms(cl->sock, NNG_OPT_RECONNMINT, CLIENT_RECONNECT_MS);
	nng_socket_set_ms(cl->sock, NNG_OPT_RECONNMAXT, 10 * CLIENT_RECONNECT_MS);
	if ((rv = dial_start(cl->sock, url, id != NULL ? id->ca_file : NULL, true, why, whylen)) != 0) {
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
	if (nng_socket_id(cl->sock) > 0)
		nng_close(cl->sock);
	sodium_memzero(cl->sk, sizeof(cl->sk));
	free(cl->known_servers);
	free(cl->reason);
	free(cl->user);
	free(cl);
}

const char *
client_user(const struct client *cl)
{
	return cl->user;
}

bool
client_admin(const struct client *cl)
{
	return cl->user != NULL && cl->admin;
}

const uint8_t *
client_server_key(const struct client *cl)
{
	return cl->has_server_key ? cl->server_key : NULL;
}

int
client_set_reason(struct client *cl, const char *reason)
{
	char *copy = NULL;

	if (reason != NULL && (copy = strdup(reason)) == NULL)
		return JX_EINTERNAL;
	free(cl->reason);
	cl->reason = copy;
	return JX_OK;
}

/*
 * Checks the server's key against the pin for this URL, adding the pin the first time.
 * Returns 0, or -1 with a sentence in message.
 */
static int
client_pin(struct client *cl, const uint8_t pk[KEY_PUBLIC_LEN], char *message, size_t msglen)
{
	char line[CLIENT_PIN_LINE], hex[2 * KEY_PUBLIC_LEN + 1];
	size_t ulen = strlen(cl->url);
	FILE *f;

	if (cl->known_servers == NULL)
		return 0;
	key_hex(pk, KEY_PUBLIC_LEN, hex);
	if ((f = fopen(cl->known_servers, "r")) != NULL) {
		while (fgets(line, sizeof(line), f) != NULL) {
			if (strncmp(line, cl->url, ulen) != 0 || line[ulen] != ' ')
				continue;
			fclose(f);
			line[strcspn(line, "\r\n")] = '\0';
			if (strcmp(line + ulen + 1, hex) == 0)
				return 0;
			snprintf(message, msglen, "the server at %s presents another key than the one "
			    "recorded in %s: it may not be the server you think. If it was reinstalled, "
			    "remove its line there and try again", cl->url, cl->known_servers);
			return -1;
		}
		fclose(f);
	}
	/* First contact: trust and remember, as ssh does. */
	if ((f = fopen(cl->known_servers, "a")) == NULL) {
		snprintf(message, msglen, "cannot record the server's key in %s", cl->known_servers);
		return -1;
	}
	fprintf(f, "%s %s\n", cl->url, hex);
	if (fclose(f) != 0) {
		snprintf(message, msglen, "cannot record the server's key in %s", cl->known_servers);
		return -1;
	}
	return 0;
}

int
client_login(struct client *cl, char *message, size_t msglen)
{
	const ProtobufCServiceDescriptor *svc = &jixiao__auth__descriptor;
	Jixiao__ChallengeRequest creq = JIXIAO__CHALLENGE_REQUEST__INIT;
	Jixiao__LoginRequest lreq = JIXIAO__LOGIN_REQUEST__INIT;
	Jixiao__ChallengeReply *ch = NULL;
	Jixiao__LoginReply *lr = NULL;
	uint8_t pk[KEY_PUBLIC_LEN], sig[KEY_SIG_LEN], id[ENVELOPE_REQUEST_ID_LEN];
	int rv;

	if (!cl->has_key) {
		snprintf(message, msglen, "this needs you to log in, and jx has no key of yours: "
		    "make one with jx keygen and ask an admin to add its .pub file");
		return JX_EUNAUTH;
	}
	client_new_request_id(id);
	if ((rv = client_call_once(cl, svc, &svc->methods[0], id, &creq.base,
	    (ProtobufCMessage **)&ch, message, msglen)) != 0)
		goto out;
	if (ch->server_key.len != KEY_PUBLIC_LEN || ch->nonce.len != KEY_NONCE_LEN ||
	    ch->server_signature.len != KEY_SIG_LEN ||
	    key_verify_challenge(ch->server_key.data, ch->nonce.data,
	    ch->server_signature.data) != 0) {
		snprintf(message, msglen, "the server at %s did not prove its identity (its "
		    "challenge is not signed by its key)", cl->url);
		rv = JX_EUNAUTH;
		goto out;
	}
	if (client_pin(cl, ch->server_key.data, message, msglen) != 0) {
		rv = JX_EUNAUTH;
		goto out;
	}
	memcpy(cl->server_key, ch->server_key.data, KEY_PUBLIC_LEN);
	cl->has_server_key = true;
	key_public_of(cl->sk, pk);
	key_sign_login(cl->sk, ch->server_key.data, ch->nonce.data, sig);
	lreq.public_key.data = pk;
	lreq.public_key.len = sizeof(pk);
	lreq.signature.data = sig;
	lreq.signature.len = sizeof(sig);
	client_new_request_id(id);
	if ((rv = client_call_once(cl, svc, &svc->methods[1], id, &lreq.base,
	    (ProtobufCMessage **)&lr, message, msglen)) != 0)
		goto out;
	free(cl->user);
	if ((cl->user = strdup(lr->user)) == NULL)
		rv = JX_EINTERNAL;
	cl->admin = lr->has_admin && lr->admin;
out:
	if (ch != NULL)
		jixiao__challenge_reply__free_unpacked(ch, cl->alloc);
	if (lr != NULL)
		jixiao__login_reply__free_unpacked(lr, cl->alloc);
	return rv;
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

void
client_set_allocator(struct client *cl, ProtobufCAllocator *alloc)
{
	cl->alloc = alloc;
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
	int rv, attempt;

	*output = NULL;
	message[0] = '\0';
	m = protobuf_c_service_descriptor_get_method_by_name(service, method);
	if (m == NULL) {
		snprintf(message, msglen, "the client has no method %s.%s", service->name, method);
		return JX_EINTERNAL;
	}
	rv = client_call_once(cl, service, m, id, input, output, message, msglen);
	if (strcmp(service->name, "jixiao.Auth") == 0)
		return rv;
	/*
	 * Not logged in on this connection (the first call, or nng replaced the connection:
	 * the server restarted, or its listener did): log in and send the same request
	 * again. The server refused it before doing anything, and the same id keeps a
	 * resend from being applied twice. The connection can be replaced again between
	 * the challenge, the login and the resend, so try a few times; a server that
	 * keeps refusing a fresh login is unavailable, not a refusal of this user.
	 */
	for (attempt = 0; rv == JX_EUNAUTH && attempt < CLIENT_LOGIN_ATTEMPTS; attempt++) {
		/* Without a key this says how to get one. */
		if ((rv = client_login(cl, message, msglen)) != 0) {
			if (rv == JX_EUNAUTH && cl->has_key && attempt + 1 < CLIENT_LOGIN_ATTEMPTS)
				continue;
			return rv;
		}
		rv = client_call_once(cl, service, m, id, input, output, message, msglen);
	}
	if (rv == JX_EUNAUTH) {
		snprintf(message, msglen, "jixiaod at %s forgot the login at once, %d times: "
		    "its connection keeps being replaced (is it restarting?); try again",
		    cl->url, CLIENT_LOGIN_ATTEMPTS);
		rv = JX_EUNAVAIL;
	}
	return rv;
}

static int
client_call_once(struct client *cl, const ProtobufCServiceDescriptor *service,
    const ProtobufCMethodDescriptor *m, const uint8_t id[ENVELOPE_REQUEST_ID_LEN],
    const ProtobufCMessage *input, ProtobufCMessage **output, char *message, size_t msglen)
{
	uint8_t *buf = NULL;
	char *text = NULL;
	size_t len;
	void *reply = NULL;
	int rv, code;

	*output = NULL;
	message[0] = '\0';
	if ((rv = envelope_request_pack(service, (unsigned)(m - service->methods), id, cl->reason,
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
	rv = envelope_reply_unpack_with(reply, len, m->output, cl->alloc, &code, &text, output);
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
