/*
 * The one table of RPCs: for every method of every service jixiaod serves, whether it
 * writes and what its caller needs. Dispatch (reads on a snapshot, writes on the writer),
 * authorisation (policy.c), the audit and metrics, and clients (the web app reads it as
 * JSON from methods_json) learn these facts here and nowhere else.
 *
 * methods_check compares the table with the generated service descriptors at start-up:
 * every method has exactly one row, in the order of the proto (methods are append-only
 * there, since the wire carries their index), and a need that names a workspace role is
 * only given to a method whose request has a `workspace` field.
 *
 * Adding an RPC is: add it to the proto, write its handler, add its row in methods.c.
 */
#ifndef JX_METHODS_H
#define JX_METHODS_H

#include <stdbool.h>
#include <stddef.h>

#include <protobuf-c/protobuf-c.h>

/* What a caller needs to make a call. */
enum method_need {
	METHOD_PUBLIC,   /* anyone, before login */
	METHOD_USER,     /* any logged-in user */
	METHOD_ADMIN,    /* an admin */
	METHOD_READ,     /* any role in the request's workspace */
	METHOD_EDIT,     /* an evaluator there (or an admin) */
	METHOD_SUBMIT,   /* an evaluator there, as a member: a signature is a person's act */
	METHOD_REVIEW,   /* a reviewer there, as a member */
	METHOD_COMMENT,  /* the evaluated unit there, as a member */
	METHOD_PROGRESS, /* an evaluator or a reviewer there, as a member */
};

struct method {
	const char *service;   /* the full service name, "jixiao.Tree" */
	const char *name;      /* as in the proto, "AddNode" */
	bool writes;           /* runs on the writer, answered once durable */
	enum method_need need;
	const char *doing;     /* what the call does, in the user's words: "add indicators" */
};

/*
 * Checks the table against the n services' descriptors and indexes it for
 * methods_find. Returns 0, or -1 with the first discrepancy in why. Call it once at
 * start-up, before any thread calls methods_find.
 */
int methods_check(const ProtobufCServiceDescriptor *const *svcs, size_t n, char *why,
    size_t whylen);

/* The row of svc's method index, or NULL (unknown, or methods_check not yet passed). */
const struct method *methods_find(const ProtobufCServiceDescriptor *svc, unsigned index);

/* True when the need is a role in the request's workspace. */
bool methods_need_workspace(enum method_need need);

/* The rows, in the proto's order. */
size_t methods_count(void);
const struct method *methods_at(size_t i);

/*
 * The table as JSON for clients: {"jixiao.Tree":[{"name":"AddNode","writes":true,
 * "need":"edit"},…],…}, the array index being the method's index on the wire.
 * Returns a malloc'd string (caller frees) or NULL when out of memory.
 */
char *methods_json(void);

/* "edit" for METHOD_EDIT and so on. */
const char *methods_need_name(enum method_need need);

#endif
