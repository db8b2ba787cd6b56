/*
 * The checks of an indicator's fields, for add, update and mark. Each returns true when
 * the value may be stored, and otherwise fails the call with a sentence naming what is
 * wrong (INVALID_ARGUMENT, or FAILED_PRECONDITION for a score the node cannot take).
 */
#ifndef JX_INDICATORS_CHECK_H
#define JX_INDICATORS_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/jixiao.pb-c.h"
#include "rpc.h"

/* The longest indicator code, in bytes. */
#define INDICATORS_CODE_MAX 32
/* The longest criteria, target, actual value or comment, in bytes. */
#define INDICATORS_TEXT_MAX 8192

/* v (NULL: not given) is at most max bytes of valid UTF-8, one line unless multiline. */
bool indicators_check_text(struct rpc_call *c, const char *what, const char *v, size_t max,
    bool multiline);
/* A code is not empty, at most INDICATORS_CODE_MAX bytes of text, without spaces. */
bool indicators_check_code(struct rpc_call *c, const char *code);
bool indicators_check_weight(struct rpc_call *c, int64_t weight);
/* A score belongs to a leaf (leaf) with a weight, and lies between 0 and that weight. */
bool indicators_check_score(struct rpc_call *c, const Jixiao__Node *node, bool leaf);
/* The free texts of an indicator (each may be NULL: not given). */
bool indicators_check_fields(struct rpc_call *c, const char *name, const char *category,
    const char *criteria, const char *target, const char *actual, const char *comment);
/* A scoring method jixiao knows, with parameters it accepts. */
bool indicators_check_method(struct rpc_call *c, const char *method, const char *params);
/* The score the sheet itself states (its own total), 0 to 1000 points. */
bool indicators_check_stated(struct rpc_call *c, int64_t stated);

#endif
