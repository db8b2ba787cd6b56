/*
 * TLS for the daemon's listeners: one server configuration (certificate and private
 * key, PEM) shared by every tls+tcp:// listener and the change feed.
 */
#ifndef JX_TLS_H
#define JX_TLS_H

#include <stdbool.h>
#include <stddef.h>

#include <nng/nng.h>
#include <nng/supplemental/tls/tls.h>

/* Largest certificate or key file read, in bytes. */
#define TLS_MAX_PEM ((size_t)1 << 20)

/* True when url asks for TLS (tls+tcp://, tls+tcp4://, tls+tcp6://). */
bool tls_url(const char *url);

/*
 * Reads the certificate (chain) from cert and the private key from key (which may be
 * the same file) into a new server configuration. Returns 0, or an error with a plain
 * sentence naming the file in why; *cfgp is then NULL. The caller frees *cfgp with
 * nng_tls_config_free. A key file readable by others is refused, one readable by its
 * group only warned about.
 */
int tls_server_config(const char *cert, const char *key, nng_tls_config **cfgp, char *why,
    size_t whylen);

/*
 * Creates and starts a listener on url for sock, with cfg when url is a TLS one
 * (cfg may be NULL otherwise). The listener holds its own reference to cfg. Returns 0
 * or an nng error.
 */
int tls_listen(nng_socket sock, const char *url, nng_tls_config *cfg, nng_listener *lp);

#endif
