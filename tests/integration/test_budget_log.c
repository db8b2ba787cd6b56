/*
 * Budget changes in jx log and jx diff: every fact that changed, before and after, for
 * the first budget, an edit, adjustments added and removed, and in JSON.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "daemon.h"
#include "jxtest.h"

static void
assert_has(const char *hay, const char *needle)
{
	if (strstr(hay, needle) == NULL)
		fail_msg("expected \"%s\" in:\n%s", needle, hay);
}

static void
budget_changes_field_by_field(void **state)
{
	struct jxd d;
	char *out;

	jxd_start(&d, false);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "ws", "create", "--subject", "预算变更", "--year",
	    "2023", "--kind", "self-evaluation", NULL), 0);
	/* Revision 2: the first budget; 3: an edit and an adjustment; 4: adjustments cleared. */
	assert_int_equal(jxd_jx(&d, NULL, NULL, "budget", "set", "1", "--initial", "1164.43",
	    "--adjust=-30.01:2023年第二次预算支出调整表", "--spent", "500", NULL), 0);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "budget", "set", "1", "--initial", "1200",
	    "--adjust", "5:追加", "--spent", "507.74", NULL), 0);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "budget", "set", "1", "--clear-adjustments",
	    NULL), 0);

	assert_int_equal(jxd_jx(&d, &out, NULL, "log", "1", NULL), 0);
	assert_has(out, "budget.set        预算 budget");
	assert_has(out, "年初预算 initial 万元: - → 1164.43; 调整 adjustment 1 万元: - → -30.01; "
			"调整 adjustment 1 document: - → 2023年第二次预算支出调整表; 支出 spent 万元: - → "
			"500.00");
	assert_has(out, "年初预算 initial 万元: 1164.43 → 1200.00; 调整 adjustment 2 万元: - → "
			"5.00; 调整 adjustment 2 document: - → 追加; 支出 spent 万元: 500.00 → 507.74");
	assert_has(out, "调整 adjustment 1 万元: -30.01 → -; 调整 adjustment 1 document: "
			"2023年第二次预算支出调整表 → -; 调整 adjustment 2 万元: 5.00 → -");
	free(out);

	assert_int_equal(jxd_jx(&d, &out, NULL, "diff", "1", "2", "3", NULL), 0);
	assert_has(out, "changed  budget   预算: 年初预算 initial 万元: 1164.43 → 1200.00");
	assert_has(out, "1 change from revision 2 to 3");
	free(out);
	assert_int_equal(jxd_jx(&d, &out, NULL, "diff", "1", "1", "4", NULL), 0);
	assert_has(out, "added    budget   预算: 年初预算 initial 万元: - → 1200.00; 支出 spent 万元: "
			"- → 507.74\n");
	free(out);
	assert_int_equal(jxd_jx(&d, &out, NULL, "diff", "1", "4", "4", NULL), 0);
	assert_has(out, "0 changes from revision 4 to 4");
	free(out);

	assert_int_equal(jxd_jx(&d, &out, NULL, "--json", "log", "1", NULL), 0);
	assert_has(out, "\"changes\": \"年初预算 initial 万元: 1164.43 → 1200.00;");
	assert_has(out, "\"budget_before\": {");
	assert_has(out, "\"budget_after\": {");
	free(out);
	assert_int_equal(jxd_jx(&d, &out, NULL, "--json", "diff", "1", "2", "3", NULL), 0);
	assert_has(out, "\"budget\": \"budget\"");
	assert_has(out, "\"fields\": \"年初预算 initial 万元: 1164.43 → 1200.00;");
	free(out);
	jxd_stop(&d);
	jxd_cleanup(&d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(budget_changes_field_by_field),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
