/*
 * The change feed: a notice of every commit, published on an nng PUB socket as the
 * workspace id (8 bytes, big-endian, so SUB can filter on it) and a packed FeedNotice
 * (workspace, revision). Anyone who can connect may subscribe, without a login, so the
 * feed carries nothing else: subscribers fetch the changes through the authenticated
 * History.ChangesSince, which answers only those who may read the workspace. PUB may
 * drop messages; clients fill gaps from the history.
 */
#ifndef JX_FEED_H
#define JX_FEED_H

#include <stddef.h>
#include <stdint.h>

#include <nng/nng.h>
#include <nng/supplemental/tls/tls.h>

struct feed;

struct listen;

/*
 * Listens on url through ls (which closes the listener; a tls+tcp:// url uses its
 * certificate). url may be NULL: the feed then has no listener of its own (the web
 * listener adds one with feed_socket). Returns 0 or an error, with a sentence in why.
 */
int feed_open(const char *url, struct listen *ls, struct feed **fp, char *why,
    size_t whylen);
/* Publishes that workspace ws is at revision. Never blocks; f may be NULL (no feed). */
void feed_publish(struct feed *f, uint64_t ws, uint64_t revision);
/* The URL subscribers dial; NULL when f is NULL. */
const char *feed_url(const struct feed *f);
/* The PUB socket, for another listener (the web interface's ws://…/feed). */
nng_socket feed_socket(const struct feed *f);
/* Accepts NULL. */
void feed_close(struct feed *f);

#endif
