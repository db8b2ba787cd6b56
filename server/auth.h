/*
 * Who is calling: the server's own Ed25519 key, registered users, and one session
 * per connection (an nng pipe). A connection starts anonymous; Auth.Challenge gives
 * it a nonce signed by the server's key, Auth.Login answers with the user's signature
 * over (server key, nonce), and from then on every request on that pipe is the user's.
 * A nonce is good for one login. A session ends when its pipe closes, and at once when
 * its user is disabled or the key it logged in with is replaced (every call checks).
 *
 * Sessions are shared by every worker thread: the table has its own lock.
 */
#ifndef JX_AUTH_H
#define JX_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "key.h"
#include "proto/jixiao.pb-c.h"
#include "store.h"

#define AUTH_NAME_MAX 64

struct auth;

/*
 * Makes a new store's identity: the server's key pair and the first admin, named
 * admin with public key pk. Refuses a store that already has users. Returns 0 or an
 * error with why.
 */
int auth_init_store(struct store *s, const char *admin, const uint8_t pk[KEY_PUBLIC_LEN],
    char *why, size_t whylen);

/*
 * Loads the server's key from an initialised store. Fails with why (pointing at
 * jixiaod init) when the store has none.
 */
int auth_open(struct store *s, struct auth **ap, char *why, size_t whylen);
/* Accepts NULL. */
void auth_free(struct auth *a);

const uint8_t *auth_server_key(const struct auth *a);
/* The server's signed checkpoint of a workspace's history (common/checkpoint.h). */
int auth_checkpoint(const struct auth *a, uint64_t ws, uint64_t revision,
    const uint8_t head[32], char *note, size_t len);

/* A fresh nonce for pipe (replacing any earlier one), signed by the server. */
int auth_challenge(struct auth *a, uint32_t pipe, uint8_t nonce[KEY_NONCE_LEN],
    uint8_t sig[KEY_SIG_LEN]);
/*
 * Checks pk's answer to pipe's nonce, and consumes the nonce either way. On success
 * the pipe's requests are user's. Returns 0, JX_EUNAUTH (no challenge or a bad
 * signature) or JX_EINTERNAL.
 */
int auth_login(struct auth *a, uint32_t pipe, const uint8_t pk[KEY_PUBLIC_LEN],
    const uint8_t sig[KEY_SIG_LEN], const char *user);
/* The user logged in on pipe into user (empty when none), and the key they used. */
void auth_session_user(struct auth *a, uint32_t pipe, char user[AUTH_NAME_MAX + 1],
    uint8_t pk[KEY_PUBLIC_LEN]);
/* Ends pipe's login (its user was disabled or their key replaced): it is anonymous again. */
void auth_session_end(struct auth *a, uint32_t pipe);
/* Connections logged in now. */
size_t auth_sessions(struct auth *a);
/* Forgets pipe's session. */
void auth_pipe_closed(struct auth *a, uint32_t pipe);

/* A user's record by name (caller frees), or JX_ENOTFOUND. */
int auth_user_get(MDB_txn *txn, struct store *s, const char *name, Jixiao__User **u);
/* The name registered for public key pk into name, or JX_ENOTFOUND. */
int auth_user_by_key(MDB_txn *txn, struct store *s, const uint8_t pk[KEY_PUBLIC_LEN],
    char name[AUTH_NAME_MAX + 1]);
/* The user a key used to be registered for (replaced by Users.SetKey), or JX_ENOTFOUND. */
int auth_user_by_retired_key(MDB_txn *txn, struct store *s, const uint8_t pk[KEY_PUBLIC_LEN],
    char name[AUTH_NAME_MAX + 1]);
/* Stores a new user; JX_EEXIST when the name or the key is (or was) taken. */
int auth_user_put(MDB_txn *txn, struct store *s, const Jixiao__User *u);
/*
 * Rewrites an existing user's record. With old_key (their key until now), u's key
 * replaces it in the index and the old one is kept as retired: it logs in no more, and
 * is never registered again. JX_EEXIST when u's new key is (or was) anyone's.
 */
int auth_user_update(MDB_txn *txn, struct store *s, const Jixiao__User *u, const uint8_t *old_key);
/*
 * JX_OK while name may use the session made with key pk: the user exists, is not
 * disabled, and pk is still their key; JX_EUNAUTH otherwise. Checked on every call.
 */
int auth_user_current(MDB_txn *txn, struct store *s, const char *name,
    const uint8_t pk[KEY_PUBLIC_LEN]);
/* True when name is a valid user name: 1 to AUTH_NAME_MAX bytes of [A-Za-z0-9._-] or UTF-8. */
bool auth_name_valid(const char *name);

#endif
