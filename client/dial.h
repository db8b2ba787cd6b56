/*
 * Dialing jixiaod or its change feed: ipc://, tcp://, or tls+tcp:// with the server's
 * certificate verified against a CA file and the URL's host.
 */
#ifndef JX_DIAL_H
#define JX_DIAL_H

#include <stdbool.h>
#include <stddef.h>

#include <nng/nng.h>

/* True when url asks for TLS (tls+tcp://, tls+tcp4://, tls+tcp6://). */
bool dial_is_tls(const char *url);

/*
 * Dials url on sock; a TLS url needs ca_file (PEM), ignored otherwise. With wait, the
 * first connection (and TLS handshake) must succeed now; without, nng keeps trying in
 * the background. Returns 0, JX_EINVAL when the CA file or the url is unusable, or
 * JX_EUNAVAIL when the server cannot be reached, with a plain sentence in why.
 */
int dial_start(nng_socket sock, const char *url, const char *ca_file, bool wait, char *why,
    size_t whylen);

#endif
