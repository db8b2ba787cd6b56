#include "linearize.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LIN_NIL SIZE_MAX
/* Pending operations an explanation names. */
#define LIN_SHOW 6
/* The most memory the explored sets may take, in words: 256 MiB. */
#define LIN_ARENA_MAX (((size_t)256 << 20) / sizeof(uint64_t))

/* A call or a return of one operation, in real-time order. */
struct lin_entry {
	int64_t time;
	size_t op;
	bool ret;
};

/* A state already explored: the set of ordered operations and the current version. */
struct lin_seen {
	uint64_t hash;
	uint64_t state;
	size_t bits; /* offset of the set in the arena */
	size_t next; /* the bucket's next entry, or LIN_NIL */
};

struct lin {
	const struct linearize_op *ops;
	const size_t *idx; /* our operation i is the caller's idx[i]; NULL: the same */
	size_t n, words;
	struct lin_entry *ent;
	size_t *prev, *next; /* 2n + 1 links; 2n is the head */
	uint64_t *zobrist;   /* a random word per operation: the set's hash is their xor */
	uint64_t *set;
	uint64_t hash;
	size_t *stack_entry;
	uint64_t *stack_state;
	bool *stack_forced; /* the step was an operation that cannot change the version */
	size_t depth;

	size_t *buckets, nbuckets;
	struct lin_seen *seen;
	size_t nseen, capseen;
	uint64_t *arena;
	size_t narena, caparena;

	/* The dead end with the most operations ordered, for the explanation. */
	bool dead;
	size_t dead_depth, dead_blocked, dead_npending;
	uint64_t dead_state;
	size_t dead_pending[LIN_SHOW];
	size_t max_depth;
};

const char *
linearize_result_name(enum linearize_result r)
{
	switch (r) {
	case LINEARIZE_OK:
		return "linearizable";
	case LINEARIZE_UNKNOWN:
		return "unknown";
	case LINEARIZE_VIOLATION:
		return "not linearizable";
	}
	return "?";
}

static uint64_t
lin_mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/* The sequential specification of a compare-and-set register. */
static bool
lin_step(const struct linearize_op *op, uint64_t state, uint64_t *next)
{
	*next = state;
	switch (op->kind) {
	case LINEARIZE_CAS:
		if (state != op->base)
			return false;
		*next = op->version;
		return true;
	case LINEARIZE_CAS_REFUSED:
		return state == op->version && op->version != op->base;
	case LINEARIZE_READ:
		return state == op->version;
	}
	return false;
}

static const struct linearize_op *
lin_op(const struct lin *l, size_t i)
{
	return &l->ops[l->idx != NULL ? l->idx[i] : i];
}

static size_t
lin_name(const struct lin *l, size_t i)
{
	return l->idx != NULL ? l->idx[i] : i;
}

static int
lin_entry_cmp(const void *a, const void *b)
{
	const struct lin_entry *x = a, *y = b;

	if (x->time != y->time)
		return x->time < y->time ? -1 : 1;
	/* At the same instant calls come first: the operations count as concurrent. */
	if (x->ret != y->ret)
		return x->ret ? 1 : -1;
	return x->op < y->op ? -1 : x->op > y->op;
}

static size_t
lin_bucket(const struct lin *l, uint64_t hash, uint64_t state)
{
	return (size_t)(lin_mix(hash ^ lin_mix(state)) & (l->nbuckets - 1));
}

static bool
lin_seen_has(const struct lin *l, uint64_t state)
{
	for (size_t s = l->buckets[lin_bucket(l, l->hash, state)]; s != LIN_NIL;
	     s = l->seen[s].next) {
		const struct lin_seen *e = &l->seen[s];
		if (e->hash == l->hash && e->state == state &&
		    memcmp(&l->arena[e->bits], l->set, l->words * sizeof(uint64_t)) == 0)
			return true;
	}
	return false;
}

static int
lin_seen_grow(struct lin *l)
{
	size_t nb = l->nbuckets * 2, *b;

	if ((b = malloc(nb * sizeof(*b))) == NULL)
		return -1;
	for (size_t i = 0; i < nb; i++)
		b[i] = LIN_NIL;
	free(l->buckets);
	l->buckets = b;
	l->nbuckets = nb;
	for (size_t s = 0; s < l->nseen; s++) {
		size_t k = lin_bucket(l, l->seen[s].hash, l->seen[s].state);
		l->seen[s].next = b[k];
		b[k] = s;
	}
	return 0;
}

/*
 * Remembers the current set with state. Returns 0, or -1 when out of memory or over
 * LIN_ARENA_MAX.
 */
static int
lin_seen_add(struct lin *l, uint64_t state)
{
	size_t k;

	if (l->narena + l->words > LIN_ARENA_MAX)
		return -1;

	if (l->nseen == l->capseen) {
		size_t cap = l->capseen * 2;
		struct lin_seen *s = realloc(l->seen, cap * sizeof(*s));
		if (s == NULL)
			return -1;
		l->seen = s;
		l->capseen = cap;
	}
	if (l->narena + l->words > l->caparena) {
		size_t cap = l->caparena * 2 + l->words;
		uint64_t *a = realloc(l->arena, cap * sizeof(*a));
		if (a == NULL)
			return -1;
		l->arena = a;
		l->caparena = cap;
	}
	if (l->nseen >= l->nbuckets && lin_seen_grow(l) != 0)
		return -1;
	memcpy(&l->arena[l->narena], l->set, l->words * sizeof(uint64_t));
	k = lin_bucket(l, l->hash, state);
	l->seen[l->nseen] = (struct lin_seen){ l->hash, state, l->narena, l->buckets[k] };
	l->buckets[k] = l->nseen++;
	l->narena += l->words;
	return 0;
}

static void
lin_flip(struct lin *l, size_t op)
{
	l->set[op / 64] ^= (uint64_t)1 << (op % 64);
	l->hash ^= l->zobrist[op];
}

/* Takes a call and its return out of the list of what is still to be ordered. */
static void
lin_lift(struct lin *l, size_t call, size_t ret)
{
	l->next[l->prev[call]] = l->next[call];
	l->prev[l->next[call]] = l->prev[call];
	l->next[l->prev[ret]] = l->next[ret];
	if (l->next[ret] != LIN_NIL)
		l->prev[l->next[ret]] = l->prev[ret];
}

/* Puts them back: lifts are undone in the reverse order, so their links still hold. */
static void
lin_unlift(struct lin *l, size_t call, size_t ret)
{
	l->next[l->prev[ret]] = ret;
	if (l->next[ret] != LIN_NIL)
		l->prev[l->next[ret]] = ret;
	l->next[l->prev[call]] = call;
	l->prev[l->next[call]] = call;
}

/*
 * A dead end at the return entry ret: every operation before it in the list is a call
 * still pending, and none of them could go next. Keeps the deepest one.
 */
static void
lin_dead_end(struct lin *l, size_t ret, uint64_t state)
{
	size_t head = 2 * l->n, np = 0;

	if (l->dead && l->depth <= l->dead_depth)
		return;
	l->dead = true;
	l->dead_depth = l->depth;
	l->dead_state = state;
	l->dead_blocked = l->ent[ret].op;
	for (size_t e = l->next[head]; e != ret && e != LIN_NIL; e = l->next[e]) {
		if (l->ent[e].ret || l->ent[e].op == l->dead_blocked)
			continue;
		if (np < LIN_SHOW)
			l->dead_pending[np] = l->ent[e].op;
		np++;
	}
	l->dead_npending = np;
}

static size_t
lin_describe(const struct lin *l, size_t i, char *buf, size_t len)
{
	const struct linearize_op *op = lin_op(l, i);
	int n = 0;

	switch (op->kind) {
	case LINEARIZE_CAS:
		n = snprintf(buf, len, "#%zu CAS %" PRIu64 "->%" PRIu64, lin_name(l, i), op->base,
		    op->version);
		break;
	case LINEARIZE_CAS_REFUSED:
		n = snprintf(buf, len, "#%zu CAS from %" PRIu64 " refused, saw %" PRIu64,
		    lin_name(l, i), op->base, op->version);
		break;
	case LINEARIZE_READ:
		n = snprintf(buf, len, "#%zu READ saw %" PRIu64, lin_name(l, i), op->version);
		break;
	}
	if (n < 0)
		return 0;
	if ((size_t)n < len)
		n += snprintf(buf + n, len - (size_t)n, " [%" PRId64 "..%" PRId64 "]",
		    op->invoke_ns, op->response_ns);
	return (size_t)n;
}

static void
lin_explain(const struct lin *l, enum linearize_result r, uint64_t steps, char *why,
    size_t whylen)
{
	size_t used;
	uint64_t ignored;

	if (whylen == 0)
		return;
	if (r == LINEARIZE_UNKNOWN)
		used = (size_t)snprintf(why, whylen, "gave up after %" PRIu64 " steps of search "
		    "with %zu of %zu operations ordered at most", steps, l->max_depth, l->n);
	else
		used = (size_t)snprintf(why, whylen, "no order of its %zu operations fits; the "
		    "longest ordered prefix has %zu, with version %" PRIu64 " current, and then ",
		    l->n, l->dead_depth, l->dead_state);
	if (r == LINEARIZE_UNKNOWN || !l->dead || used >= whylen)
		return;
	used += lin_describe(l, l->dead_blocked, why + used, whylen - used);
	if (used < whylen)
		used += (size_t)snprintf(why + used, whylen - used, " must take effect before it "
		    "returns but %s", lin_step(lin_op(l, l->dead_blocked), l->dead_state,
		    &ignored) ? "leads to a dead end" : "does not fit");
	if (used < whylen && l->dead_npending > 0)
		used += (size_t)snprintf(why + used, whylen - used, ", and neither can the %zu "
		    "operations pending with it:", l->dead_npending);
	for (size_t k = 0; k < l->dead_npending && k < LIN_SHOW && used < whylen; k++) {
		used += (size_t)snprintf(why + used, whylen - used, " ");
		if (used < whylen)
			used += lin_describe(l, l->dead_pending[k], why + used, whylen - used);
		if (used < whylen)
			used += (size_t)snprintf(why + used, whylen - used, " (%s)",
			    lin_step(lin_op(l, l->dead_pending[k]), l->dead_state, &ignored)
				? "leads to a dead end" : "does not fit");
	}
	if (used < whylen && l->dead_npending > LIN_SHOW)
		snprintf(why + used, whylen - used, " and %zu more", l->dead_npending - LIN_SHOW);
}

static void
lin_free(struct lin *l)
{
	free(l->ent);
	free(l->prev);
	free(l->next);
	free(l->zobrist);
	free(l->set);
	free(l->stack_entry);
	free(l->stack_state);
	free(l->stack_forced);
	free(l->buckets);
	free(l->seen);
	free(l->arena);
}

static int
lin_init(struct lin *l, const struct linearize_op *ops, const size_t *idx, size_t n)
{
	size_t m = 2 * n;

	memset(l, 0, sizeof(*l));
	l->ops = ops;
	l->idx = idx;
	l->n = n;
	l->words = (n + 63) / 64;
	l->nbuckets = 1024;
	l->capseen = 1024;
	l->caparena = 1024 * l->words;
	l->ent = malloc(m * sizeof(*l->ent));
	l->prev = malloc((m + 1) * sizeof(*l->prev));
	l->next = malloc((m + 1) * sizeof(*l->next));
	l->zobrist = malloc(n * sizeof(*l->zobrist));
	l->set = calloc(l->words, sizeof(*l->set));
	l->stack_entry = malloc(n * sizeof(*l->stack_entry));
	l->stack_state = malloc(n * sizeof(*l->stack_state));
	l->stack_forced = malloc(n * sizeof(*l->stack_forced));
	l->buckets = malloc(l->nbuckets * sizeof(*l->buckets));
	l->seen = malloc(l->capseen * sizeof(*l->seen));
	l->arena = malloc(l->caparena * sizeof(*l->arena));
	if (l->ent == NULL || l->prev == NULL || l->next == NULL || l->zobrist == NULL ||
	    l->set == NULL || l->stack_entry == NULL || l->stack_state == NULL ||
	    l->stack_forced == NULL ||
	    l->buckets == NULL || l->seen == NULL || l->arena == NULL)
		return -1;
	for (size_t b = 0; b < l->nbuckets; b++)
		l->buckets[b] = LIN_NIL;
	for (size_t i = 0; i < n; i++) {
		l->ent[2 * i] = (struct lin_entry){ lin_op(l, i)->invoke_ns, i, false };
		l->ent[2 * i + 1] = (struct lin_entry){ lin_op(l, i)->response_ns, i, true };
		l->zobrist[i] = lin_mix(i + 1);
	}
	qsort(l->ent, m, sizeof(*l->ent), lin_entry_cmp);
	/* A doubly linked list behind the head m, in time order. */
	for (size_t e = 0; e < m; e++) {
		l->prev[e] = e == 0 ? m : e - 1;
		l->next[e] = e + 1 < m ? e + 1 : LIN_NIL;
	}
	l->next[m] = m > 0 ? 0 : LIN_NIL;
	l->prev[m] = LIN_NIL;
	return 0;
}

/*
 * Whether op never changes the version where it fits. Such an operation, once every
 * operation that must precede it is ordered, can go next whenever it fits: moving it
 * to the front of any valid order leaves every other operation's version unchanged.
 */
static bool
lin_neutral_kind(const struct linearize_op *op)
{
	return op->kind != LINEARIZE_CAS || op->base == op->version;
}

/* The first pending call entry that is neutral and fits state, or LIN_NIL. */
static size_t
lin_neutral(const struct lin *l, uint64_t state)
{
	uint64_t next;

	for (size_t e = l->next[2 * l->n]; e != LIN_NIL && !l->ent[e].ret; e = l->next[e]) {
		const struct linearize_op *op = lin_op(l, l->ent[e].op);
		if (lin_neutral_kind(op) && lin_step(op, state, &next))
			return e;
	}
	return LIN_NIL;
}

/*
 * Orders the call entry e next, taking state to next, unless that set and version were
 * explored before. Returns 1 when ordered, 0 when seen, -1 when out of memory.
 */
static int
lin_push(struct lin *l, size_t e, uint64_t state, uint64_t next, bool forced,
    const size_t *ret_of)
{
	size_t op = l->ent[e].op;

	lin_flip(l, op);
	if (lin_seen_has(l, next)) {
		lin_flip(l, op);
		return 0;
	}
	if (lin_seen_add(l, next) != 0) {
		lin_flip(l, op);
		return -1;
	}
	l->stack_entry[l->depth] = e;
	l->stack_state[l->depth] = state;
	l->stack_forced[l->depth++] = forced;
	if (l->depth > l->max_depth)
		l->max_depth = l->depth;
	lin_lift(l, e, ret_of[op]);
	return 1;
}

/*
 * Undoes the newest step, and the steps below it while the undone one was forced (a
 * forced step failing fails its level too); *e becomes the entry to try next and
 * *state the version there. Returns false when there was nothing left to undo.
 */
static bool
lin_backtrack(struct lin *l, const size_t *ret_of, size_t *e, uint64_t *state)
{
	do {
		if (l->depth == 0)
			return false;
		*e = l->stack_entry[--l->depth];
		*state = l->stack_state[l->depth];
		lin_flip(l, l->ent[*e].op);
		lin_unlift(l, *e, ret_of[l->ent[*e].op]);
	} while (l->stack_forced[l->depth]);
	*e = l->next[*e];
	return true;
}

/* Checks operations idx[0..n) of ops (or ops[0..n) when idx is NULL). */
static enum linearize_result
lin_run(const struct linearize_op *ops, const size_t *idx, size_t n, uint64_t initial,
    uint64_t max_steps, uint64_t *stepsp, char *why, size_t whylen)
{
	struct lin l;
	size_t head = 2 * n, e, *ret_of = NULL;
	uint64_t state = initial, next, steps = 0;
	enum linearize_result r = LINEARIZE_OK;
	bool fresh;

	if (whylen > 0)
		why[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		const struct linearize_op *op = &ops[idx != NULL ? idx[i] : i];
		if (op->response_ns < op->invoke_ns) {
			snprintf(why, whylen, "operation #%zu responds before it is invoked",
			    idx != NULL ? idx[i] : i);
			return LINEARIZE_UNKNOWN;
		}
	}
	if (n == 0)
		return LINEARIZE_OK;
	if (lin_init(&l, ops, idx, n) != 0 || (ret_of = malloc(n * sizeof(*ret_of))) == NULL) {
		snprintf(why, whylen, "out of memory for %zu operations", n);
		r = LINEARIZE_UNKNOWN;
		goto out;
	}
	for (e = 0; e < head; e++)
		if (l.ent[e].ret)
			ret_of[l.ent[e].op] = e;

	/*
	 * At each new level, first an operation that cannot change the version (a read, a
	 * refused CAS) if one is pending and fits: taking it at once loses no order, so its
	 * level has no alternatives to try. Then the ordinary search over the others.
	 */
	fresh = true;
	e = l.next[head];
	while (l.next[head] != LIN_NIL) {
		int pushed;

		if (++steps > max_steps) {
			r = LINEARIZE_UNKNOWN;
			break;
		}
		if (fresh) {
			fresh = false;
			if ((e = lin_neutral(&l, state)) != LIN_NIL) {
				if ((pushed = lin_push(&l, e, state, state, true, ret_of)) < 0)
					goto oom;
				if (pushed > 0) {
					fresh = true;
					continue;
				}
				/* Explored before, and failed: so does this level. */
				if (!lin_backtrack(&l, ret_of, &e, &state)) {
					r = LINEARIZE_VIOLATION;
					break;
				}
				continue;
			}
			e = l.next[head];
		}
		if (!l.ent[e].ret) {
			const struct linearize_op *op = lin_op(&l, l.ent[e].op);
			if (!lin_neutral_kind(op) && lin_step(op, state, &next)) {
				if ((pushed = lin_push(&l, e, state, next, false, ret_of)) < 0)
					goto oom;
				if (pushed > 0) {
					state = next;
					fresh = true;
					continue;
				}
			}
			e = l.next[e];
			continue;
		}
		/* A return whose call could not be ordered: a dead end. */
		lin_dead_end(&l, e, state);
		if (!lin_backtrack(&l, ret_of, &e, &state)) {
			r = LINEARIZE_VIOLATION;
			break;
		}
	}
	if (r != LINEARIZE_OK)
		lin_explain(&l, r, steps, why, whylen);
	goto out;
oom:
	snprintf(why, whylen, "gave up after %" PRIu64 " steps of search: %s", steps,
	    l.narena + l.words > LIN_ARENA_MAX ? "the explored states outgrew 256 MiB"
					       : "out of memory");
	r = LINEARIZE_UNKNOWN;
out:
	if (stepsp != NULL)
		*stepsp += steps;
	free(ret_of);
	lin_free(&l);
	return r;
}

enum linearize_result
linearize_key(const struct linearize_op *ops, size_t n, uint64_t initial, uint64_t max_steps,
    uint64_t *steps, char *why, size_t whylen)
{
	if (steps != NULL)
		*steps = 0;
	return lin_run(ops, NULL, n, initial, max_steps, steps, why, whylen);
}

struct lin_sort {
	const struct linearize_op *ops;
	size_t i;
};

static int
lin_by_key(const void *a, const void *b)
{
	const struct lin_sort *x = a, *y = b;
	uint64_t kx = x->ops[x->i].key, ky = y->ops[y->i].key;

	if (kx != ky)
		return kx < ky ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

static int
lin_init_cmp(const void *a, const void *b)
{
	const struct linearize_init *x = a, *y = b;

	return x->key < y->key ? -1 : x->key > y->key;
}

enum linearize_result
linearize_check(const struct linearize_op *ops, size_t n, const struct linearize_init *init,
    size_t ninit, uint64_t max_steps, struct linearize_report *r)
{
	struct lin_sort *sorted = NULL;
	struct linearize_init *inits = NULL;
	size_t *idx = NULL;
	enum linearize_result worst = LINEARIZE_OK;

	memset(r, 0, sizeof(*r));
	r->ops = n;
	if (n == 0)
		return LINEARIZE_OK;
	sorted = malloc(n * sizeof(*sorted));
	idx = malloc(n * sizeof(*idx));
	inits = malloc((ninit > 0 ? ninit : 1) * sizeof(*inits));
	if (sorted == NULL || idx == NULL || inits == NULL) {
		snprintf(r->why, sizeof(r->why), "out of memory for %zu operations", n);
		worst = LINEARIZE_UNKNOWN;
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		sorted[i] = (struct lin_sort){ ops, i };
	qsort(sorted, n, sizeof(*sorted), lin_by_key);
	for (size_t i = 0; i < n; i++)
		idx[i] = sorted[i].i;
	if (ninit > 0)
		memcpy(inits, init, ninit * sizeof(*inits));
	qsort(inits, ninit, sizeof(*inits), lin_init_cmp);

	for (size_t lo = 0, hi; lo < n; lo = hi) {
		uint64_t key = ops[idx[lo]].key, initial = 0;
		struct linearize_init want = { key, 0 };
		const struct linearize_init *found;
		enum linearize_result kr;
		char why[sizeof(r->why) - 32]; /* room for the key */

		for (hi = lo + 1; hi < n && ops[idx[hi]].key == key; hi++)
			;
		found = bsearch(&want, inits, ninit, sizeof(*inits), lin_init_cmp);
		if (found != NULL)
			initial = found->version;
		kr = lin_run(ops, idx + lo, hi - lo, initial, max_steps, &r->steps, why,
		    sizeof(why));
		r->keys++;
		if (kr == LINEARIZE_VIOLATION)
			r->violations++;
		else if (kr == LINEARIZE_UNKNOWN)
			r->unknown++;
		/* The first violation explains best; an unknown key only until one turns up. */
		if (kr > worst) {
			worst = kr;
			r->key = key;
			snprintf(r->why, sizeof(r->why), "key %" PRIu64 ": %s", key, why);
		}
	}
out:
	free(inits);
	free(idx);
	free(sorted);
	return worst;
}
