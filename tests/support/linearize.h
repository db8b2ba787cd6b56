/*
 * A linearizability checker for histories of operations on independent keys, each key
 * a compare-and-set register whose versions are never reused (an indicator and its
 * revision). Linearizability is local, so every key is checked on its own: the
 * checker looks for a total order of the key's operations that respects real time
 * (an operation that responded before another was invoked comes first) and the
 * sequential specification:
 *
 *   CAS          base is the current version; version becomes current
 *   CAS refused  the current version, observed as version, is not base
 *   READ         version is the current version
 *
 * The search is Wing & Gong's, as porcupine does it: a depth-first search over the
 * operations that are minimal in real time, memoising (set of operations ordered,
 * current version) so no state is explored twice, and giving up with
 * LINEARIZE_UNKNOWN after a cap on its steps (or 256 MiB of explored states) instead
 * of running forever. One reduction on top: a pending read or refused CAS that fits
 * the current version is ordered at once, without trying the orders around it, since
 * moving such an operation earlier changes no other operation's version. Without it,
 * many refused edits pending with one write make the search exponential.
 */
#ifndef JX_LINEARIZE_H
#define JX_LINEARIZE_H

#include <stddef.h>
#include <stdint.h>

enum linearize_kind {
	LINEARIZE_CAS,         /* succeeded: base -> version */
	LINEARIZE_CAS_REFUSED, /* refused: based on base, observed version as current */
	LINEARIZE_READ,        /* observed version as current */
};

/* One completed operation; times in nanoseconds of one clock (CLOCK_MONOTONIC). */
struct linearize_op {
	uint64_t key;
	int64_t invoke_ns;
	int64_t response_ns;
	enum linearize_kind kind;
	uint64_t base;    /* CAS and CAS refused: the version the operation was based on */
	uint64_t version; /* CAS: the new version; otherwise the version observed */
};

/* A key's version before the history starts; keys not listed start at 0. */
struct linearize_init {
	uint64_t key;
	uint64_t version;
};

enum linearize_result {
	LINEARIZE_OK,        /* every key has a linearization */
	LINEARIZE_UNKNOWN,   /* some key was given up on (step cap, memory, bad input) */
	LINEARIZE_VIOLATION, /* some key has none */
};

/* Steps of search per key a caller may pass when it has no better number. */
#define LINEARIZE_STEPS_DEFAULT ((uint64_t)20000000)

struct linearize_report {
	size_t keys;       /* keys checked */
	size_t ops;        /* operations checked */
	size_t violations; /* keys without a linearization */
	size_t unknown;    /* keys given up on */
	uint64_t steps;    /* search steps over all keys */
	uint64_t key;      /* the first key that was not found linearizable */
	char why[1536];    /* for that key: which operations could not be ordered */
};

/* The result's name: "linearizable", "unknown", "not linearizable". */
const char *linearize_result_name(enum linearize_result r);

/*
 * Checks n operations of one key (their key fields are ignored), starting from version
 * initial, with at most max_steps steps of search. On anything but LINEARIZE_OK, why
 * says which operations (#index into ops) could not be ordered. steps may be NULL.
 */
enum linearize_result linearize_key(const struct linearize_op *ops, size_t n,
    uint64_t initial, uint64_t max_steps, uint64_t *steps, char *why, size_t whylen);

/*
 * Checks a history of n operations over any number of keys, one key at a time, each
 * with at most max_steps steps. The result is the worst of the keys' results; r (not
 * NULL) gets the counts and the explanation for the first bad key, whose operations
 * are named by their index in ops.
 */
enum linearize_result linearize_check(const struct linearize_op *ops, size_t n,
    const struct linearize_init *init, size_t ninit, uint64_t max_steps,
    struct linearize_report *r);

#endif
