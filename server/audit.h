/*
 * The audit log: one JSON line on standard error per mutating call, per login and per
 * call refused for want of a login or a role: when, who (user and key fingerprint), from
 * where (the peer's address), what (service, method, workspace and the revision it
 * made) and how it ended. Never a secret, never a request's content. Under systemd,
 * when standard error is the journal's stream, each record goes to journald with its
 * parts as fields too (JX_AUDIT, JX_USER, JX_KEY, JX_PEER, JX_METHOD, JX_WORKSPACE,
 * JX_REVISION, JX_STATUS), the JSON line as MESSAGE: journalctl -u jixiaod JX_USER=li.
 */
#ifndef JX_AUDIT_H
#define JX_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct audit_event {
	const char *event;      /* "write", "login" or "refused" */
	const char *user;       /* "" when not logged in */
	const uint8_t *key;     /* the caller's public key (32 bytes), or NULL */
	const char *peer;       /* the connection's peer, as audit_peer wrote it */
	const char *service;
	const char *method;
	bool has_workspace;
	uint64_t workspace;
	uint64_t revision;      /* the last revision the call made; 0: none */
	unsigned changes;       /* revisions it made */
	int code;               /* a jx_err */
	const char *message;    /* the reply's sentence for a failure, or NULL */
};

/* The longest peer text audit_peer writes, with its NUL. */
#define AUDIT_PEER_MAX 160

/*
 * The peer of connection pipe as text: "127.0.0.1:53012", "[::1]:53012", "ipc:/path",
 * or "" once the connection is gone: read it before the call is answered.
 */
void audit_peer(uint32_t pipe, char *out, size_t len);
/* Writes e as one line, whole, even with other threads logging. */
void audit_log(const struct audit_event *e);

#endif
