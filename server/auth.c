#include "auth.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "checkpoint.h"
#include "err.h"
#include "text.h"

#define AUTH_KEY_META "server_key"
/*
 * Sessions kept at most. A challenge that arrives after its connection closed leaves a
 * session nobody removes; past this many, the oldest not logged in goes first.
 */
#define AUTH_SESSIONS_MAX 65536

struct auth_session {
	uint32_t pipe;
	uint64_t seq;       /* when it was made: the oldest anonymous one is evicted first */
	bool has_nonce;
	uint8_t nonce[KEY_NONCE_LEN];
	char user[AUTH_NAME_MAX + 1];
	uint8_t pk[KEY_PUBLIC_LEN]; /* the key the user logged in with */
};

struct auth {
	uint8_t pk[KEY_PUBLIC_LEN];
	uint8_t sk[KEY_SECRET_LEN];
	pthread_mutex_t lock;
	struct auth_session *sessions; /* unordered; a few hundred connections at most */
	size_t n, cap;
	uint64_t seq;
};

bool
auth_name_valid(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > AUTH_NAME_MAX || !text_utf8_valid(name) || !text_printable(name, false))
		return false;
	return strpbrk(name, " /\\:") == NULL;
}

static int auth_key_lookup(MDB_txn *txn, struct store *s, char kind,
    const uint8_t pk[KEY_PUBLIC_LEN], char name[AUTH_NAME_MAX + 1]);

static size_t
auth_name_key(uint8_t *key, const char *name)
{
	size_t n = strlen(name);

	key[0] = 'n';
	memcpy(key + 1, name, n);
	return n + 1;
}

int
auth_user_get(MDB_txn *txn, struct store *s, const char *name, Jixiao__User **u)
{
	uint8_t key[AUTH_NAME_MAX + 1];

	*u = NULL;
	if (!auth_name_valid(name))
		return JX_ENOTFOUND;
	return store_get_msg(txn, s, STORE_USERS, key, auth_name_key(key, name),
	    &jixiao__user__descriptor, (ProtobufCMessage **)u);
}

int
auth_user_by_key(MDB_txn *txn, struct store *s, const uint8_t pk[KEY_PUBLIC_LEN],
    char name[AUTH_NAME_MAX + 1])
{
	return auth_key_lookup(txn, s, 'k', pk, name);
}

/* The name under a key index entry ('k' current, 'r' retired) for pk, or an error. */
static int
auth_key_lookup(MDB_txn *txn, struct store *s, char kind, const uint8_t pk[KEY_PUBLIC_LEN],
    char name[AUTH_NAME_MAX + 1])
{
	uint8_t key[1 + KEY_PUBLIC_LEN];
	MDB_val v;
	int rv;

	key[0] = (uint8_t)kind;
	memcpy(key + 1, pk, KEY_PUBLIC_LEN);
	if ((rv = store_get(txn, s, STORE_USERS, key, sizeof(key), &v)) != 0)
		return rv;
	if (v.mv_size == 0 || v.mv_size > AUTH_NAME_MAX)
		return JX_EINTERNAL;
	memcpy(name, v.mv_data, v.mv_size);
	name[v.mv_size] = '\0';
	return JX_OK;
}

int
auth_user_by_retired_key(MDB_txn *txn, struct store *s, const uint8_t pk[KEY_PUBLIC_LEN],
    char name[AUTH_NAME_MAX + 1])
{
	return auth_key_lookup(txn, s, 'r', pk, name);
}

int
auth_user_update(MDB_txn *txn, struct store *s, const Jixiao__User *u, const uint8_t *old_key)
{
	uint8_t key[AUTH_NAME_MAX + 1], kkey[1 + KEY_PUBLIC_LEN];
	char other[AUTH_NAME_MAX + 1];
	Jixiao__User *was;
	int rv;

	if (!auth_name_valid(u->name) || u->public_key.len != KEY_PUBLIC_LEN)
		return JX_EINVAL;
	if ((rv = auth_user_get(txn, s, u->name, &was)) != 0)
		return rv;
	jixiao__user__free_unpacked(was, NULL);
	if (old_key != NULL) {
		/* A key is anyone's once: neither a current nor a retired one comes back. */
		if (auth_user_by_key(txn, s, u->public_key.data, other) == 0 ||
		    auth_user_by_retired_key(txn, s, u->public_key.data, other) == 0)
			return JX_EEXIST;
		kkey[0] = 'k';
		memcpy(kkey + 1, old_key, KEY_PUBLIC_LEN);
		if ((rv = store_del(txn, s, STORE_USERS, kkey, sizeof(kkey))) != 0)
			return rv;
		kkey[0] = 'r';
		if ((rv = store_put(txn, s, STORE_USERS, kkey, sizeof(kkey), u->name,
		    strlen(u->name))) != 0)
			return rv;
		kkey[0] = 'k';
		memcpy(kkey + 1, u->public_key.data, KEY_PUBLIC_LEN);
		if ((rv = store_put(txn, s, STORE_USERS, kkey, sizeof(kkey), u->name,
		    strlen(u->name))) != 0)
			return rv;
	}
	return store_put_msg(txn, s, STORE_USERS, key, auth_name_key(key, u->name), &u->base);
}

int
auth_user_current(MDB_txn *txn, struct store *s, const char *name,
    const uint8_t pk[KEY_PUBLIC_LEN])
{
	Jixiao__User *u;
	int rv = JX_EUNAUTH;

	if (auth_user_get(txn, s, name, &u) != 0)
		return JX_EUNAUTH;
	if (!(u->has_disabled && u->disabled) && u->public_key.len == KEY_PUBLIC_LEN &&
	    sodium_memcmp(u->public_key.data, pk, KEY_PUBLIC_LEN) == 0)
		rv = JX_OK;
	jixiao__user__free_unpacked(u, NULL);
	return rv;
}

int
auth_user_put(MDB_txn *txn, struct store *s, const Jixiao__User *u)
{
	uint8_t key[AUTH_NAME_MAX + 1], kkey[1 + KEY_PUBLIC_LEN];
	char other[AUTH_NAME_MAX + 1];
	Jixiao__User *old;
	size_t klen;
	int rv;

	if (!auth_name_valid(u->name) || u->public_key.len != KEY_PUBLIC_LEN)
		return JX_EINVAL;
	if (auth_user_get(txn, s, u->name, &old) == 0) {
		jixiao__user__free_unpacked(old, NULL);
		return JX_EEXIST;
	}
	if (auth_user_by_key(txn, s, u->public_key.data, other) == 0 ||
	    auth_user_by_retired_key(txn, s, u->public_key.data, other) == 0)
		return JX_EEXIST;
	klen = auth_name_key(key, u->name);
	if ((rv = store_put_msg(txn, s, STORE_USERS, key, klen, &u->base)) != 0)
		return rv;
	kkey[0] = 'k';
	memcpy(kkey + 1, u->public_key.data, KEY_PUBLIC_LEN);
	return store_put(txn, s, STORE_USERS, kkey, sizeof(kkey), u->name, strlen(u->name));
}

int
auth_init_store(struct store *s, const char *admin, const uint8_t pk[KEY_PUBLIC_LEN],
    char *why, size_t whylen)
{
	Jixiao__User u = JIXIAO__USER__INIT;
	uint8_t spk[KEY_PUBLIC_LEN], ssk[KEY_SECRET_LEN];
	MDB_txn *txn;
	MDB_val v;
	int rv;

	if (!auth_name_valid(admin)) {
		snprintf(why, whylen, "%s is not a valid user name (1 to %d characters, no spaces "
		    "or slashes)", admin, AUTH_NAME_MAX);
		return JX_EINVAL;
	}
	if ((rv = store_write_begin(s, &txn)) != 0) {
		snprintf(why, whylen, "the store cannot be written");
		return rv;
	}
	if (store_get(txn, s, STORE_META, AUTH_KEY_META, strlen(AUTH_KEY_META), &v) == 0) {
		snprintf(why, whylen, "this store is initialised already; admins add users with "
		    "jx user add");
		rv = JX_EEXIST;
		goto fail;
	}
	key_generate(spk, ssk);
	rv = store_put(txn, s, STORE_META, AUTH_KEY_META, strlen(AUTH_KEY_META), ssk,
	    sizeof(ssk));
	sodium_memzero(ssk, sizeof(ssk));
	if (rv != 0)
		goto fail_put;
	u.name = (char *)admin;
	u.public_key.data = (uint8_t *)pk;
	u.public_key.len = KEY_PUBLIC_LEN;
	u.has_admin = u.admin = 1;
	u.has_created_at = 1;
	u.created_at = (int64_t)time(NULL);
	u.created_by = "jixiaod init";
	if ((rv = auth_user_put(txn, s, &u)) != 0)
		goto fail_put;
	if ((rv = store_write_commit(s, txn)) != 0) {
		snprintf(why, whylen, "the store could not be saved");
		return rv;
	}
	return JX_OK;
fail_put:
	snprintf(why, whylen, "the store could not be written");
fail:
	mdb_txn_abort(txn);
	return rv;
}

int
auth_open(struct store *s, struct auth **ap, char *why, size_t whylen)
{
	struct auth *a;
	MDB_txn *txn;
	MDB_val v;
	int rv;

	*ap = NULL;
	if ((a = calloc(1, sizeof(*a))) == NULL) {
		snprintf(why, whylen, "out of memory");
		return JX_EINTERNAL;
	}
	if ((rv = store_read_begin(s, &txn)) != 0) {
		snprintf(why, whylen, "the store cannot be read");
		free(a);
		return rv;
	}
	rv = store_get(txn, s, STORE_META, AUTH_KEY_META, strlen(AUTH_KEY_META), &v);
	if (rv == 0 && v.mv_size == KEY_SECRET_LEN)
		memcpy(a->sk, v.mv_data, KEY_SECRET_LEN);
	store_read_end(s, txn);
	if (rv != 0 || v.mv_size != KEY_SECRET_LEN) {
		snprintf(why, whylen, "this store has no users yet: create its first admin with "
		    "jixiaod init --data DIR --admin-key FILE.pub (the key from jx keygen)");
		free(a);
		return JX_EPRECOND;
	}
	key_public_of(a->sk, a->pk);
	pthread_mutex_init(&a->lock, NULL);
	*ap = a;
	return JX_OK;
}

void
auth_free(struct auth *a)
{
	if (a == NULL)
		return;
	sodium_memzero(a->sk, sizeof(a->sk));
	pthread_mutex_destroy(&a->lock);
	free(a->sessions);
	free(a);
}

const uint8_t *
auth_server_key(const struct auth *a)
{
	return a->pk;
}

int
auth_checkpoint(const struct auth *a, uint64_t ws, uint64_t revision, const uint8_t head[32],
    char *note, size_t len)
{
	struct checkpoint cp = { .workspace = ws, .revision = revision };

	memcpy(cp.head, head, CHECKPOINT_HEAD_LEN);
	return checkpoint_sign(&cp, a->sk, note, len) == 0 ? JX_OK : JX_EINTERNAL;
}

/* The session of pipe, made when make; NULL when none (or out of memory). Locked. */
static struct auth_session *
auth_find(struct auth *a, uint32_t pipe, bool make)
{
	struct auth_session *grown;

	for (size_t i = 0; i < a->n; i++)
		if (a->sessions[i].pipe == pipe)
			return &a->sessions[i];
	if (!make)
		return NULL;
	if (a->n >= AUTH_SESSIONS_MAX) {
		size_t old = a->n;
		for (size_t i = 0; i < a->n; i++)
			if (a->sessions[i].user[0] == '\0' &&
			    (old == a->n || a->sessions[i].seq < a->sessions[old].seq))
				old = i;
		if (old == a->n)
			return NULL;
		a->sessions[old] = a->sessions[--a->n];
	}
	if (a->n == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 64;
		if ((grown = realloc(a->sessions, cap * sizeof(*grown))) == NULL)
			return NULL;
		a->sessions = grown;
		a->cap = cap;
	}
	memset(&a->sessions[a->n], 0, sizeof(a->sessions[a->n]));
	a->sessions[a->n].pipe = pipe;
	a->sessions[a->n].seq = ++a->seq;
	return &a->sessions[a->n++];
}

int
auth_challenge(struct auth *a, uint32_t pipe, uint8_t nonce[KEY_NONCE_LEN],
    uint8_t sig[KEY_SIG_LEN])
{
	struct auth_session *s;
	int rv = JX_EINTERNAL;

	randombytes_buf(nonce, KEY_NONCE_LEN);
	key_sign_challenge(a->sk, nonce, sig);
	pthread_mutex_lock(&a->lock);
	if ((s = auth_find(a, pipe, true)) != NULL) {
		memcpy(s->nonce, nonce, KEY_NONCE_LEN);
		s->has_nonce = true;
		rv = JX_OK;
	}
	pthread_mutex_unlock(&a->lock);
	return rv;
}

int
auth_login(struct auth *a, uint32_t pipe, const uint8_t pk[KEY_PUBLIC_LEN],
    const uint8_t sig[KEY_SIG_LEN], const char *user)
{
	struct auth_session *s;
	uint8_t nonce[KEY_NONCE_LEN];
	bool had;

	pthread_mutex_lock(&a->lock);
	s = auth_find(a, pipe, false);
	had = s != NULL && s->has_nonce;
	if (had) {
		memcpy(nonce, s->nonce, KEY_NONCE_LEN);
		s->has_nonce = false;
	}
	pthread_mutex_unlock(&a->lock);
	if (!had || key_verify_login(pk, a->pk, nonce, sig) != 0)
		return JX_EUNAUTH;
	pthread_mutex_lock(&a->lock);
	/* The pipe may have closed meanwhile: then there is nobody to log in. */
	if ((s = auth_find(a, pipe, false)) != NULL) {
		snprintf(s->user, sizeof(s->user), "%s", user);
		memcpy(s->pk, pk, KEY_PUBLIC_LEN);
	}
	pthread_mutex_unlock(&a->lock);
	return s != NULL ? JX_OK : JX_EUNAUTH;
}

void
auth_session_user(struct auth *a, uint32_t pipe, char user[AUTH_NAME_MAX + 1],
    uint8_t pk[KEY_PUBLIC_LEN])
{
	struct auth_session *s;

	user[0] = '\0';
	memset(pk, 0, KEY_PUBLIC_LEN);
	pthread_mutex_lock(&a->lock);
	if ((s = auth_find(a, pipe, false)) != NULL) {
		memcpy(user, s->user, AUTH_NAME_MAX + 1);
		memcpy(pk, s->pk, KEY_PUBLIC_LEN);
	}
	pthread_mutex_unlock(&a->lock);
}

void
auth_session_end(struct auth *a, uint32_t pipe)
{
	struct auth_session *s;

	pthread_mutex_lock(&a->lock);
	if ((s = auth_find(a, pipe, false)) != NULL) {
		s->user[0] = '\0';
		sodium_memzero(s->pk, sizeof(s->pk));
	}
	pthread_mutex_unlock(&a->lock);
}

void
auth_pipe_closed(struct auth *a, uint32_t pipe)
{
	pthread_mutex_lock(&a->lock);
	for (size_t i = 0; i < a->n; i++) {
		if (a->sessions[i].pipe == pipe) {
			sodium_memzero(&a->sessions[i], sizeof(a->sessions[i]));
			a->sessions[i] = a->sessions[--a->n];
			break;
		}
	}
	pthread_mutex_unlock(&a->lock);
}

size_t
auth_sessions(struct auth *a)
{
	size_t n = 0;

	pthread_mutex_lock(&a->lock);
	for (size_t i = 0; i < a->n; i++)
		n += a->sessions[i].user[0] != '\0';
	pthread_mutex_unlock(&a->lock);
	return n;
}
