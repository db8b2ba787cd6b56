/*
 * The method table (server/methods.c) and the authorisation decision (server/policy.c)
 * on their own: the table against the generated descriptors, its JSON for clients, and
 * every need × login × admin × role against an expectation written here independently.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "err.h"
#include "jxtest.h"
#include "methods.h"
#include "policy.h"
#include "proto/jixiao.pb-c.h"

/* Every service of the proto, listed here rather than taken from rpc.c. */
static const ProtobufCServiceDescriptor *const test_policy_services[] = {
	&jixiao__system__descriptor,
	&jixiao__workspaces__descriptor,
	&jixiao__tree__descriptor,
	&jixiao__budgets__descriptor,
	&jixiao__templates__descriptor,
	&jixiao__history__descriptor,
	&jixiao__subjects__descriptor,
	&jixiao__files__descriptor,
	&jixiao__auth__descriptor,
	&jixiao__users__descriptor,
	&jixiao__workflow__descriptor,
	&jixiao__findings__descriptor,
};
#define NSERVICES (sizeof(test_policy_services) / sizeof(test_policy_services[0]))

static void
table_matches_every_method(void **state)
{
	char why[256] = "";
	size_t total = 0;

	(void)state;
	if (methods_check(test_policy_services, NSERVICES, why, sizeof(why)) != 0)
		fail_msg("methods_check: %s", why);
	for (size_t s = 0; s < NSERVICES; s++) {
		const ProtobufCServiceDescriptor *d = test_policy_services[s];

		for (unsigned m = 0; m < d->n_methods; m++) {
			const struct method *row = methods_find(d, m);

			assert_non_null(row);
			assert_string_equal(row->service, d->name);
			assert_string_equal(row->name, d->methods[m].name);
			assert_non_null(row->doing);
			/* Nothing that writes is open before login or to every member. */
			if (row->writes)
				assert_true(row->need != METHOD_PUBLIC && row->need != METHOD_READ);
		}
		assert_null(methods_find(d, d->n_methods));
		total += d->n_methods;
	}
	assert_int_equal(total, methods_count());
}

static void
table_rows_that_must_write(void **state)
{
	/* Spot checks written from the proto's comments: a typo in the table fails here. */
	static const struct {
		const char *service, *name;
		bool writes;
		enum method_need need;
	} want[] = {
		{ "jixiao.Tree", "UpdateNode", true, METHOD_EDIT },
		{ "jixiao.Tree", "GetTree", false, METHOD_READ },
		{ "jixiao.Tree", "Claim", true, METHOD_EDIT },
		{ "jixiao.Workflow", "Submit", true, METHOD_SUBMIT },
		{ "jixiao.Workflow", "SignOff", true, METHOD_REVIEW },
		{ "jixiao.Workflow", "Comment", true, METHOD_COMMENT },
		{ "jixiao.Users", "Add", true, METHOD_ADMIN },
		{ "jixiao.Files", "PutChunk", true, METHOD_USER },
		{ "jixiao.Auth", "Login", false, METHOD_PUBLIC },
		{ "jixiao.History", "Carry", true, METHOD_ADMIN },
		{ "jixiao.Findings", "Remove", true, METHOD_EDIT },
	};
	size_t found = 0;

	(void)state;
	for (size_t i = 0; i < methods_count(); i++) {
		const struct method *m = methods_at(i);

		for (size_t j = 0; j < sizeof(want) / sizeof(want[0]); j++)
			if (strcmp(m->service, want[j].service) == 0 &&
			    strcmp(m->name, want[j].name) == 0) {
				assert_int_equal(m->writes, want[j].writes);
				assert_int_equal(m->need, want[j].need);
				found++;
			}
	}
	assert_int_equal(found, sizeof(want) / sizeof(want[0]));
	assert_null(methods_at(methods_count()));
}

static void
table_refuses_a_mismatch(void **state)
{
	ProtobufCMethodDescriptor methods[16];
	ProtobufCServiceDescriptor renamed;
	const ProtobufCServiceDescriptor *svcs[NSERVICES];
	char why[256] = "";

	(void)state;
	/* A service left out: its rows have no service. */
	assert_int_equal(methods_check(test_policy_services, NSERVICES - 1, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "not served"));
	/* A method renamed in the proto but not in the table. */
	memcpy(svcs, test_policy_services, sizeof(svcs));
	renamed = jixiao__budgets__descriptor;
	assert_true(renamed.n_methods <= 16);
	memcpy(methods, renamed.methods, renamed.n_methods * sizeof(methods[0]));
	methods[1].name = "Sett";
	renamed.methods = methods;
	svcs[3] = &renamed;
	assert_int_equal(methods_check(svcs, NSERVICES, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "Sett"));
	/* A method added to the proto without a row. */
	renamed.methods = jixiao__budgets__descriptor.methods;
	renamed.n_methods = jixiao__budgets__descriptor.n_methods + 1;
	memcpy(methods, jixiao__budgets__descriptor.methods,
	    jixiao__budgets__descriptor.n_methods * sizeof(methods[0]));
	methods[renamed.n_methods - 1] = methods[0];
	methods[renamed.n_methods - 1].name = "Forecast";
	renamed.methods = methods;
	assert_int_equal(methods_check(svcs, NSERVICES, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "Forecast"));
	/* Failed checks leave nothing to find; a good one restores it. */
	assert_null(methods_find(&jixiao__tree__descriptor, 0));
	assert_int_equal(methods_check(test_policy_services, NSERVICES, why, sizeof(why)), 0);
	assert_non_null(methods_find(&jixiao__tree__descriptor, 0));
}

static void
table_as_json(void **state)
{
	char *json = methods_json();
	int depth = 0;

	(void)state;
	assert_non_null(json);
	assert_non_null(strstr(json, "\"jixiao.Tree\":[{\"name\":\"AddNode\",\"writes\":true,"
	    "\"need\":\"edit\"}"));
	assert_non_null(strstr(json, "{\"name\":\"Ping\",\"writes\":false,\"need\":\"public\"}"));
	for (const char *p = json; *p != '\0'; p++) {
		depth += *p == '{' || *p == '[';
		depth -= *p == '}' || *p == ']';
		assert_true(depth >= 0);
	}
	assert_int_equal(depth, 0);
	assert_int_equal(json[0], '{');
	free(json);
}

/* What each need allows, written out role by role. */
static bool
expect(enum method_need need, bool admin, Jixiao__Role r)
{
	switch (need) {
	case METHOD_PUBLIC:
	case METHOD_USER:
		return true;
	case METHOD_ADMIN:
		return admin;
	case METHOD_READ:
		return admin || r == JIXIAO__ROLE__ROLE_EVALUATOR || r == JIXIAO__ROLE__ROLE_REVIEWER ||
		    r == JIXIAO__ROLE__ROLE_UNIT || r == JIXIAO__ROLE__ROLE_OBSERVER ||
		    r == JIXIAO__ROLE__ROLE_ADMIN;
	case METHOD_EDIT:
		return admin || r == JIXIAO__ROLE__ROLE_EVALUATOR;
	case METHOD_SUBMIT:
		return r == JIXIAO__ROLE__ROLE_EVALUATOR;
	case METHOD_REVIEW:
		return r == JIXIAO__ROLE__ROLE_REVIEWER;
	case METHOD_COMMENT:
		return r == JIXIAO__ROLE__ROLE_UNIT;
	case METHOD_PROGRESS:
		return r == JIXIAO__ROLE__ROLE_EVALUATOR || r == JIXIAO__ROLE__ROLE_REVIEWER;
	}
	return false;
}

static void
decide_every_case(void **state)
{
	static const Jixiao__Role roles[] = {
		JIXIAO__ROLE__ROLE_UNSPECIFIED, JIXIAO__ROLE__ROLE_EVALUATOR,
		JIXIAO__ROLE__ROLE_REVIEWER, JIXIAO__ROLE__ROLE_UNIT, JIXIAO__ROLE__ROLE_OBSERVER,
	};
	int cases = 0;

	(void)state;
	for (int need = METHOD_PUBLIC; need <= METHOD_PROGRESS; need++)
		for (int admin = 0; admin < 2; admin++)
			for (size_t r = 0; r < sizeof(roles) / sizeof(roles[0]); r++) {
				int got = policy_decide((enum method_need)need, false, admin, roles[r]);

				/* Before login only the public methods. */
				assert_int_equal(got, need == METHOD_PUBLIC ? JX_OK : JX_EUNAUTH);
				got = policy_decide((enum method_need)need, true, admin, roles[r]);
				if (expect((enum method_need)need, admin, roles[r]))
					assert_jx_ok(got);
				else
					assert_jx_err(got, JX_EPERM);
				cases++;
			}
	assert_int_equal(cases, 9 * 2 * 5);
	/* An admin signs nothing as admin: a signature is a member's act. */
	assert_jx_err(policy_decide(METHOD_SUBMIT, true, true, JIXIAO__ROLE__ROLE_UNSPECIFIED),
	    JX_EPERM);
	assert_jx_err(policy_decide(METHOD_REVIEW, true, true, JIXIAO__ROLE__ROLE_EVALUATOR),
	    JX_EPERM);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(table_matches_every_method),
		cmocka_unit_test(table_rows_that_must_write),
		cmocka_unit_test(table_refuses_a_mismatch),
		cmocka_unit_test(table_as_json),
		cmocka_unit_test(decide_every_case),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
