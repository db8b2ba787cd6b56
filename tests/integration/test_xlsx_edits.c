/*
 * The offline round trip against a real jixiaod: seed 002's 评分表 exported for editing,
 * three scores and a comment changed in the workbook (its XML edited, as Excel would
 * save it), one of those indicators changed on the server meanwhile; jx import edits,
 * run by the expert with their own key, applies the rest, reports exactly that one
 * conflict with both values, and the history shows the edits under the expert. A
 * workbook whose hidden sheet was altered is refused.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <cmocka.h>

#include <zip.h>

#include "client.h"
#include "daemon.h"
#include "envelope.h"
#include "jxtest.h"

#define SUBJECT "2023年“数字政府”建设专项资金（运维类）项目"
#define SHEET "xl/worksheets/sheet1.xml"

static void
assert_has(const char *text, const char *want)
{
	if (strstr(text, want) == NULL)
		fail_msg("expected %s in:\n%s", want, text);
}

static char *
part_read(zip_t *z, const char *part)
{
	zip_stat_t st;
	zip_file_t *zf;
	char *xml;

	assert_int_equal(zip_stat(z, part, 0, &st), 0);
	assert_non_null(xml = calloc(1, st.size + 1));
	assert_non_null(zf = zip_fopen(z, part, 0));
	assert_int_equal(zip_fread(zf, xml, st.size), (zip_int64_t)st.size);
	zip_fclose(zf);
	return xml;
}

/* Replaces the whole cell ref (<c r="ref" …/> or <c r="ref" …>…</c>) in part with cell. */
static void
replace_cell(const char *path, const char *part, const char *ref, const char *cell)
{
	char key[32], *xml, *at, *end, *edited;
	zip_source_t *src;
	zip_t *z;
	size_t len;
	int err;

	assert_non_null(z = zip_open(path, 0, &err));
	xml = part_read(z, part);
	snprintf(key, sizeof(key), "<c r=\"%s\"", ref);
	if ((at = strstr(xml, key)) == NULL)
		fail_msg("no cell %s in %s", ref, part);
	end = strchr(at, '>');
	if (end[-1] == '/')
		end++;
	else
		end = strstr(at, "</c>") + 4;
	len = strlen(xml) + strlen(cell) + 1;
	assert_non_null(edited = malloc(len));
	snprintf(edited, len, "%.*s%s%s", (int)(at - xml), xml, cell, end);
	assert_non_null(src = zip_source_buffer(z, edited, strlen(edited), 1));
	assert_true(zip_file_add(z, part, src, ZIP_FL_OVERWRITE) >= 0);
	assert_int_equal(zip_close(z), 0);
	free(xml);
}

/* A copy of the workbook at from, with bytes from..to of part replaced. */
static void
copy_file(const char *from, const char *to)
{
	char cmd[1200];

	snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", from, to);
	assert_int_equal(system(cmd), 0);
}

static void
start(struct jxd *d, char *path, size_t len)
{
	char csv[512];

	jxd_start(d, false);
	jxd_user(d, "wang", false);
	assert_int_equal(jxd_jx(d, NULL, NULL, "ws", "create", "--subject", SUBJECT, "--year",
	    "2023", "--kind", "key-evaluation", NULL), 0);
	assert_int_equal(jxd_jx(d, NULL, NULL, "import", "sheet", "1",
	    jxtest_source_path("tests/data/seed002-sheet.csv", csv, sizeof(csv)), NULL), 0);
	assert_int_equal(jxd_jx(d, NULL, NULL, "budget", "set", "1", "--initial", "1164.43",
	    "--adjust", "-30.01", "--adjust", "-626.68", "--spent", "428.54", NULL), 0);
	assert_int_equal(jxd_jx(d, NULL, NULL, "member", "set", "1", "wang", "evaluator", NULL),
	    0);
	snprintf(path, len, "%s/评分表.xlsx", d->dir);
	assert_int_equal(jxd_jx(d, NULL, NULL, "export", "1", "--format", "xlsx", "--for-editing",
	    "-o", path, NULL), 0);
}

/* What `jx CMD 1 --json` says of indicator code: want is in its object. */
static void
assert_says(struct jxd *d, const char *cmd, const char *code, const char *want)
{
	char key[64], *out, *at, *next;

	assert_int_equal(jxd_jx(d, &out, NULL, cmd, "1", "--json", NULL), 0);
	snprintf(key, sizeof(key), "\"code\": \"%s\"", code);
	assert_non_null(at = strstr(out, key));
	next = strstr(at + 1, "\"code\": ");
	if (next != NULL)
		*next = '\0';
	assert_has(at, want);
	free(out);
}

static void
assert_node(struct jxd *d, const char *code, const char *want)
{
	assert_says(d, "tree", code, want);
}

static void
round_trip_applies_edits_and_reports_the_conflict(void **state)
{
	struct jxd d;
	char path[512], *out, *err;

	start(&d, path, sizeof(path));
	/*
	 * In the file: 1.1.1 3.5 → 3, 1.1.2 3 → 2, 1.2.1 3 → 3.5 (rows 5-7, column G), and
	 * 1.2.2's comment (F8) rewritten.
	 */
	replace_cell(path, SHEET, "G5", "<c r=\"G5\"><v>3</v></c>");
	replace_cell(path, SHEET, "G6", "<c r=\"G6\"><v>2</v></c>");
	replace_cell(path, SHEET, "G7", "<c r=\"G7\"><v>3.5</v></c>");
	replace_cell(path, SHEET, "F8", "<c r=\"F8\" t=\"inlineStr\"><is><t>专家复核：指标表述已"
	    "规范。</t></is></c>");
	/* Meanwhile on the server: 1.1.2's score (a conflict) and 1.2.1's comment (not). */
	assert_int_equal(jxd_jx(&d, NULL, NULL, "node", "set", "1", "1.1.2", "--score", "2.5",
	    NULL), 0);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "node", "set", "1", "1.2.1", "--comment",
	    "服务器上补充的评价", NULL), 0);

	/* A dry run shows it all and changes nothing. */
	assert_int_equal(jxd_jx(&d, &out, NULL, "--user", "wang", "import", "edits", "1", path,
	    "--dry-run", NULL), EX_TEMPFAIL);
	assert_has(out, "would change 1.1.1");
	assert_has(out, "conflict 1.1.2 前期工作充分性「评价得分」: yours 2, theirs 2.5, base 3");
	free(out);
	assert_node(&d, "1.1.1", "\"score\": 3.5,");

	assert_int_equal(jxd_jx(&d, &out, &err, "--user", "wang", "import", "edits", "1", path,
	    "--json", NULL), EX_TEMPFAIL);
	assert_has(out, "\"applied\": 3,");
	assert_has(out, "\"unchanged\": 19,");
	assert_has(out, "\"code\": \"1.1.2\",");
	assert_has(out, "\"field\": \"score\",");
	assert_has(out, "\"yours\": \"2\",");
	assert_has(out, "\"theirs\": \"2.5\",");
	assert_has(out, "\"base\": \"3\"");
	assert_null(strstr(strstr(out, "\"conflicts\""), "\"code\": \"1.2.1\""));
	free(out);
	free(err);
	assert_node(&d, "1.1.1", "\"score\": 3,");
	assert_node(&d, "1.1.2", "\"score\": 2.5,");
	assert_node(&d, "1.2.1", "\"score\": 3.5,");
	assert_node(&d, "1.2.1", "服务器上补充的评价");
	assert_node(&d, "1.2.2", "专家复核：指标表述已规范。");
	/* The history: the applied edits are wang's. */
	assert_says(&d, "blame", "1.1.1", "\"user\": \"wang\"");
	assert_says(&d, "blame", "1.2.1", "\"user\": \"wang\"");
	assert_int_equal(jxd_jx(&d, &out, NULL, "log", "1", "--json", NULL), 0);
	assert_has(out, "\"wang\"");
	free(out);

	/* Again: what is applied is not applied twice; the conflict stays. */
	assert_int_equal(jxd_jx(&d, &out, NULL, "--user", "wang", "import", "edits", "1", path,
	    "--json", NULL), EX_TEMPFAIL);
	assert_has(out, "\"edits\": 0,");
	free(out);
	jxd_stop(&d);
	jxd_cleanup(&d);
}

static void
altered_and_reshaped_workbooks(void **state)
{
	struct jxd d;
	char path[512], bad[600], *out, *err;

	start(&d, path, sizeof(path));
	/* The hidden sheet says another revision: its digest no longer matches. */
	snprintf(bad, sizeof(bad), "%s/altered.xlsx", d.dir);
	copy_file(path, bad);
	replace_cell(bad, "xl/worksheets/sheet3.xml", "B3", "<c r=\"B3\"><v>3</v></c>");
	assert_int_equal(jxd_jx(&d, NULL, &err, "import", "edits", "1", bad, NULL), EX_DATAERR);
	assert_has(err, "altered");
	free(err);
	/* Another workspace's file. */
	assert_int_equal(jxd_jx(&d, NULL, &err, "import", "edits", "2", path, NULL), EX_DATAERR);
	assert_has(err, "exported from workspace 1");
	free(err);
	/* Not exported for editing. */
	snprintf(bad, sizeof(bad), "%s/plain.xlsx", d.dir);
	assert_int_equal(jxd_jx(&d, NULL, NULL, "export", "1", "-o", bad, NULL), 0);
	assert_int_equal(jxd_jx(&d, NULL, &err, "import", "edits", "1", bad, NULL), EX_DATAERR);
	assert_has(err, "--for-editing");
	free(err);
	/* A row whose id was lost reads as deleted (reported, not deleted) and as new. */
	snprintf(bad, sizeof(bad), "%s/reshaped.xlsx", d.dir);
	copy_file(path, bad);
	replace_cell(bad, SHEET, "H5", "<c r=\"H5\"/>");
	if (jxd_jx(&d, &out, &err, "import", "edits", "1", bad, NULL) != 0)
		fail_msg("import edits: %s", err);
	assert_has(err, "1.1.1 was deleted in the file: not deleted");
	assert_has(err, "row 5 is new");
	free(out);
	free(err);
	assert_node(&d, "1.1.1", "\"score\": 3.5,");
	/* With --add it becomes a new indicator beside its neighbours. */
	assert_int_equal(jxd_jx(&d, &out, &err, "import", "edits", "1", bad, "--add", "--json",
	    NULL), 0);
	assert_has(out, "\"added\": 1,");
	free(out);
	free(err);
	assert_node(&d, "1.1.3", "\"name\": \"立项依据适应性\"");
	jxd_stop(&d);
	jxd_cleanup(&d);
}

/* After a submission the import is an edit like any other: it needs a reason. */
static void
after_submission_it_needs_a_reason(void **state)
{
	struct jxd d;
	char path[512], *out, *err;

	start(&d, path, sizeof(path));
	assert_int_equal(jxd_jx(&d, NULL, NULL, "--user", "wang", "submit", "1", NULL), 0);
	replace_cell(path, SHEET, "G5", "<c r=\"G5\"><v>3</v></c>");
	assert_int_equal(jxd_jx(&d, NULL, &err, "--user", "wang", "import", "edits", "1", path,
	    NULL), EX_DATAERR);
	assert_has(err, "--reason");
	free(err);
	assert_node(&d, "1.1.1", "\"score\": 3.5,");
	assert_int_equal(jxd_jx(&d, &out, NULL, "--user", "wang", "--reason", "专家复核后调整",
	    "import", "edits", "1", path, "--json", NULL), 0);
	assert_has(out, "\"applied\": 1,");
	free(out);
	assert_node(&d, "1.1.1", "\"score\": 3,");
	jxd_stop(&d);
	jxd_cleanup(&d);
}

/* The node with code in tree t. */
static const Jixiao__Node *
find_code(const Jixiao__TreeReply *t, const char *code)
{
	for (size_t i = 0; i < t->n_nodes; i++)
		if (strcmp(t->nodes[i]->code, code) == 0)
			return t->nodes[i];
	fail_msg("no indicator %s", code);
	return NULL;
}

/*
 * Tree.ApplyEdits itself: a stale edit comes back as the indicator is now and is not
 * applied; resent with the same request id, the batch is answered with the first reply
 * and applies nothing twice.
 */
static void
apply_edits_resent_applies_once(void **state)
{
	Jixiao__GetTreeRequest gin = JIXIAO__GET_TREE_REQUEST__INIT;
	Jixiao__ApplyEditsRequest in = JIXIAO__APPLY_EDITS_REQUEST__INIT;
	Jixiao__UpdateNodeRequest e[2], *ep[2] = { &e[0], &e[1] };
	Jixiao__NodeRef ref[3];
	Jixiao__AddNodeRequest add = JIXIAO__ADD_NODE_REQUEST__INIT, *addp = &add;
	Jixiao__TreeReply *t;
	ProtobufCMessage *out;
	uint8_t id[ENVELOPE_REQUEST_ID_LEN];
	struct client *cl;
	struct jxd d;
	char path[512], why[256], msg[1100];
	uint64_t rev = 0;

	start(&d, path, sizeof(path));
	assert_int_equal(client_open(d.url, jxd_identity(&d, "wang"), &cl, why, sizeof(why)), 0);
	gin.workspace = 1;
	assert_jx_ok(client_call(cl, &jixiao__tree__descriptor, "GetTree", &gin.base,
	    (ProtobufCMessage **)&t, msg, sizeof(msg)));
	for (int i = 0; i < 2; i++) {
		jixiao__update_node_request__init(&e[i]);
		jixiao__node_ref__init(&ref[i]);
		e[i].workspace = 1;
		e[i].node = &ref[i];
		ref[i].has_id = 1;
		e[i].has_score = 1;
		e[i].score = 100;
	}
	ref[0].id = find_code(t, "1.1.1")->id;
	e[0].base_revision = find_code(t, "1.1.1")->revision;
	ref[1].id = find_code(t, "1.1.2")->id;
	e[1].base_revision = find_code(t, "1.1.2")->revision - 1; /* stale */
	jixiao__node_ref__init(&ref[2]);
	ref[2].has_id = 1;
	ref[2].id = find_code(t, "1.1")->id;
	add.workspace = 1;
	add.parent = &ref[2];
	add.name = "专家补充的指标";
	add.has_weight = 1;
	add.weight = 100;
	jixiao__tree_reply__free_unpacked(t, NULL);
	in.workspace = 1;
	in.edits = ep;
	in.n_edits = 2;
	in.added = &addp;
	in.n_added = 1;
	client_new_request_id(id);
	for (int i = 0; i < 2; i++) {
		Jixiao__ApplyEditsReply *r;

		assert_jx_ok(client_call_with_id(cl, &jixiao__tree__descriptor, "ApplyEdits", id,
		    &in.base, &out, msg, sizeof(msg)));
		r = (Jixiao__ApplyEditsReply *)out;
		assert_int_equal(r->n_applied, 1);
		assert_string_equal(r->applied[0]->code, "1.1.1");
		assert_int_equal(r->n_stale, 1);
		assert_string_equal(r->stale[0]->code, "1.1.2");
		assert_int_equal(r->n_added, 1);
		if (i == 0)
			rev = r->workspace_revision;
		assert_int_equal(r->workspace_revision, rev);
		protobuf_c_message_free_unpacked(out, NULL);
	}
	client_close(cl);
	assert_node(&d, "1.1.1", "\"score\": 1,");
	assert_node(&d, "1.1.2", "\"score\": 3,");
	assert_node(&d, "1.1.3", "\"name\": \"专家补充的指标\"");
	{
		char *tree;

		assert_int_equal(jxd_jx(&d, &tree, NULL, "tree", "1", "--json", NULL), 0);
		assert_null(strstr(tree, "\"code\": \"1.1.4\""));
		free(tree);
	}
	jxd_stop(&d);
	jxd_cleanup(&d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(round_trip_applies_edits_and_reports_the_conflict),
		cmocka_unit_test(altered_and_reshaped_workbooks),
		cmocka_unit_test(apply_edits_resent_applies_once),
		cmocka_unit_test(after_submission_it_needs_a_reason),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
