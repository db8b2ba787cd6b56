/*
 * What an indicator may hold: its code, texts, weight, method and scores, checked
 * before anything is written.
 */
#include "indicators-check.h"

#include <string.h>

#include "decimal.h"
#include "err.h"
#include "method.h"
#include "score.h"
#include "text.h"

#define NAME_MAX_LEN 256
#define CATEGORY_MAX 64
#define WEIGHT_MAX 100000 /* 1000 points, in hundredths */
#define PARAMS_MAX 1024

bool
indicators_check_text(struct rpc_call *c, const char *what, const char *v, size_t max,
    bool multiline)
{
	if (v == NULL)
		return true;
	if (strlen(v) > max) {
		rpc_call_fail(c, JX_EINVAL, "the %s is longer than %zu bytes", what, max);
		return false;
	}
	if (!text_utf8_valid(v) || !text_printable(v, multiline)) {
		rpc_call_fail(c, JX_EINVAL, "the %s is not valid UTF-8 text", what);
		return false;
	}
	return true;
}

bool
indicators_check_code(struct rpc_call *c, const char *code)
{
	if (code[0] == '\0') {
		rpc_call_fail(c, JX_EINVAL, "an indicator code cannot be empty");
		return false;
	}
	if (!indicators_check_text(c, "code", code, INDICATORS_CODE_MAX, false))
		return false;
	for (const char *p = code; *p != '\0'; p++) {
		if (*p == ' ') {
			rpc_call_fail(c, JX_EINVAL, "an indicator code cannot contain spaces");
			return false;
		}
	}
	return true;
}

bool
indicators_check_weight(struct rpc_call *c, int64_t weight)
{
	char buf[DEC_BUFSZ];

	if (weight < 0 || weight > WEIGHT_MAX) {
		rpc_call_fail(c, JX_EINVAL, "a weight must be between 0 and %s points",
		    dec_format_short(WEIGHT_MAX, buf));
		return false;
	}
	return true;
}

/* A score belongs to a leaf with a weight, and lies between 0 and that weight. */
bool
indicators_check_score(struct rpc_call *c, const Jixiao__Node *node, bool leaf)
{
	char s[DEC_BUFSZ], why[256];
	struct method m;

	if (!node->has_score)
		return true;
	if (method_parse(node->method, node->params, &m, s, sizeof(s)) == 0 &&
	    m.kind != METHOD_MANUAL) {
		rpc_call_fail(c, JX_EPRECOND, "indicator %s is scored by its method (%s); its "
		    "score is computed, not entered", node->code, method_name(m.kind));
		return false;
	}
	if (!leaf) {
		rpc_call_fail(c, JX_EPRECOND, "indicator %s has sub-indicators: its score is "
		    "the sum of theirs", node->code);
		return false;
	}
	if (!node->has_weight) {
		rpc_call_fail(c, JX_EPRECOND, "indicator %s needs a weight before a score",
		    node->code);
		return false;
	}
	if (score_manual_check(node->code, node->has_weight, node->weight, node->score,
	    node->comment, why, sizeof(why)) != 0) {
		rpc_call_fail(c, JX_EINVAL, "%s", why);
		return false;
	}
	return true;
}

bool
indicators_check_fields(struct rpc_call *c, const char *name, const char *category,
    const char *criteria, const char *target, const char *actual, const char *comment)
{
	return indicators_check_text(c, "name", name, NAME_MAX_LEN, false) &&
	    indicators_check_text(c, "category", category, CATEGORY_MAX, false) &&
	    indicators_check_text(c, "criteria text", criteria, INDICATORS_TEXT_MAX, true) &&
	    indicators_check_text(c, "target", target, INDICATORS_TEXT_MAX, true) &&
	    indicators_check_text(c, "actual value", actual, INDICATORS_TEXT_MAX, true) &&
	    indicators_check_text(c, "comment", comment, INDICATORS_TEXT_MAX, true);
}

bool
indicators_check_method(struct rpc_call *c, const char *method, const char *params)
{
	struct method m;
	char why[256];

	if (!indicators_check_text(c, "method", method, CATEGORY_MAX, false) ||
	    !indicators_check_text(c, "method parameters", params, PARAMS_MAX, false))
		return false;
	if (method_parse(method, params, &m, why, sizeof(why)) != 0) {
		rpc_call_fail(c, JX_EINVAL, "%s", why);
		return false;
	}
	return true;
}

bool
indicators_check_stated(struct rpc_call *c, int64_t stated)
{
	if (stated < 0 || stated > WEIGHT_MAX) {
		rpc_call_fail(c, JX_EINVAL, "a stated score must be between 0 and 1000 points");
		return false;
	}
	return true;
}

