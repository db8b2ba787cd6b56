/* jx import sheet|targets: bring in what evaluators keep in spreadsheets. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "cli.h"
#include "csv.h"
#include "import.h"
#include "sheet-csv.h"
#include "target-table.h"
#include "table-file.h"
#include "target.h"

static int import_sheet(struct cli *cli, int argc, char **argv);
static int import_targets(struct cli *cli, int argc, char **argv);

static const struct cli_command import_commands[] = {
	{ "sheet", import_sheet, "jx import sheet WS FILE.csv|FILE.xlsx [--sheet NAME|N]",
	    "Imports a scoring sheet (评分表) into an empty workspace, all rows or none.\n"
	    "Columns: 一级指标,二级指标,三级指标,分值,评分标准,评价情况,评价得分 and optionally\n"
	    "指标值,完成值,评分方法,参数,类别 (or English names); a blank level cell repeats the\n"
	    "row above (merged cells). Rows above the header (a title) are skipped." },
	{ "targets", import_targets, "jx import targets FILE.csv|FILE.xlsx --year YYYY [--sheet NAME|N]",
	    "Imports a performance-target table (绩效目标表): columns 主管部门,预算单位,项目名称,\n"
	    "绩效目标,绩效指标, the last holding \"1、产出指标：…，年度指标值：…。2、…\".\n"
	    "Creates one target-declaration workspace per project with its indicators." },
	{ "edits", cmd_import_edits, "jx import edits WS FILE.xlsx [--dry-run] [--add]",
	    "Brings back a 评分表 exported with --for-editing and filled in offline: changed\n"
	    "cells become edits at the exported revision; conflicts are shown, not applied." },
};

int
cmd_import(struct cli *cli, int argc, char **argv)
{
	return cli_dispatch(cli, "import", import_commands,
	    sizeof(import_commands) / sizeof(import_commands[0]), argc, argv);
}

int
import_csv_file(const char *path, struct csv **csv)
{
	return table_file_read(path, NULL, NULL, NULL, csv);
}

/* table_file_read's readers: the sheet or table a workbook's sheet holds. */
static int
import_read_sheet(const struct csv *csv, void *arg, char *why, size_t whylen)
{
	return sheet_csv_read(csv, (struct sheet_csv **)arg, why, whylen);
}

static int
import_read_targets(const struct csv *csv, void *arg, char *why, size_t whylen)
{
	return target_table_read(csv, (struct target_table **)arg, why, whylen);
}

static char *
or_null(char *s)
{
	return s != NULL && s[0] != '\0' ? s : NULL;
}

static int
import_sheet(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "sheet", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	Jixiao__ImportTreeRequest in = JIXIAO__IMPORT_TREE_REQUEST__INIT;
	const char *which = NULL;
	Jixiao__ImportTreeReply *out = NULL;
	struct import_nodes nodes = { 0 };
	struct sheet_csv *sheet = NULL;
	struct csv *csv = NULL;
	int c, rv;

	optind = 0;
	while ((c = getopt_long(argc, argv, "s:h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			which = optarg;
			break;
		case 'h':
			cli_help(&import_commands[0], "  --sheet NAME|N  the workbook's sheet to read "
			    "(default: the first that reads)\n\n" TABLE_FILE_HELP);
			return 0;
		default:
			return EX_USAGE;
		}
	}
	if (argc - optind != 2)
		return cli_usage_error("usage: %s", import_commands[0].usage);
	if (cli_parse_id(argv[optind], "the workspace", &in.workspace) != 0)
		return EX_USAGE;
	if ((rv = table_file_read(argv[optind + 1], which, import_read_sheet, &sheet, &csv)) != 0)
		return rv;
	if (sheet->ignored[0] != '\0')
		fprintf(stderr, "jx: 忽略了这些列：%s / ignored these columns: %s\n", sheet->ignored,
		    sheet->ignored);
	if (import_nodes_from_sheet(sheet, in.workspace, &nodes) != 0) {
		rv = cli_error(EX_OSERR, "out of memory");
		goto out;
	}
	in.nodes = nodes.ptrs;
	in.n_nodes = nodes.n;
	in.has_stated_total = sheet->has_total;
	in.stated_total = sheet->total;
	if ((rv = cli_call(cli, &jixiao__tree__descriptor, "Import", &in.base,
	    (ProtobufCMessage **)&out)) != 0)
		goto out;
	if (cli->json) {
		struct out_json *j = out_json_new(stdout);
		out_json_object(j, NULL);
		out_json_uint(j, "workspace", in.workspace);
		out_json_uint(j, "added", out->added);
		out_json_uint(j, "workspace_revision", out->workspace_revision);
		out_json_free(j);
	} else {
		printf("Imported %u indicators into workspace %" PRIu64 " (revision %" PRIu64
		       "). See them with: jx score %" PRIu64 "\n", out->added, in.workspace,
		    out->workspace_revision, in.workspace);
	}
out:
	if (out != NULL)
		jixiao__import_tree_reply__free_unpacked(out, NULL);
	import_nodes_free(&nodes);
	sheet_csv_free(sheet);
	csv_free(csv);
	return rv;
}

/*
 * One project's indicators as a tree: its categories ("产出指标/数量指标") become
 * parents, in order of first appearance, each indicator a leaf with its target.
 */
struct import_tree {
	Jixiao__AddNodeRequest *reqs;
	Jixiao__AddNodeRequest **ptrs;
	Jixiao__NodeRef *refs;
	char (*codes)[24];
	char **owned;          /* category names cut from the paths */
	size_t n, cap, nowned;
};

static void
import_tree_free(struct import_tree *t)
{
	for (size_t i = 0; i < t->nowned; i++)
		free(t->owned[i]);
	free(t->owned);
	free(t->reqs);
	free(t->ptrs);
	free(t->refs);
	free(t->codes);
	memset(t, 0, sizeof(*t));
}

/* The index of the child of parent (-1: top) named name, added when missing. */
static ptrdiff_t
import_tree_child(struct import_tree *t, uint64_t ws, ptrdiff_t parent, const char *name,
    size_t len, bool leaf)
{
	size_t siblings = 0;
	char *copy;

	for (size_t i = 0; i < t->n && !leaf; i++) {
		const Jixiao__AddNodeRequest *r = t->reqs + i;
		bool same_parent = parent < 0 ? r->parent == NULL :
		    r->parent != NULL && strcmp(r->parent->code, t->codes[parent]) == 0;
		if (same_parent && strlen(r->name) == len && strncmp(r->name, name, len) == 0)
			return (ptrdiff_t)i;
	}
	for (size_t i = 0; i < t->n; i++) {
		const Jixiao__AddNodeRequest *r = t->reqs + i;
		if (parent < 0 ? r->parent == NULL :
		    r->parent != NULL && strcmp(r->parent->code, t->codes[parent]) == 0)
			siblings++;
	}
	if (t->n == t->cap || (copy = strndup(name, len)) == NULL)
		return -2;
	t->owned[t->nowned++] = copy;
	Jixiao__AddNodeRequest *r = &t->reqs[t->n];
	jixiao__add_node_request__init(r);
	jixiao__node_ref__init(&t->refs[t->n]);
	r->workspace = ws;
	r->name = copy;
	char code[sizeof(t->codes[0])];
	if (parent >= 0) {
		snprintf(code, sizeof(code), "%s.%zu", t->codes[parent], siblings + 1);
		t->refs[t->n].code = t->codes[parent];
		r->parent = &t->refs[t->n];
	} else {
		snprintf(code, sizeof(code), "%zu", siblings + 1);
	}
	memcpy(t->codes[t->n], code, sizeof(code));
	r->code = t->codes[t->n];
	t->ptrs[t->n] = r;
	return (ptrdiff_t)t->n++;
}

static int
import_tree_build(struct import_tree *t, uint64_t ws, const struct target_table_project *p)
{
	size_t cap = p->nitems * 4 + 4;

	memset(t, 0, sizeof(*t));
	t->cap = cap;
	if ((t->reqs = calloc(cap, sizeof(*t->reqs))) == NULL ||
	    (t->ptrs = calloc(cap, sizeof(*t->ptrs))) == NULL ||
	    (t->refs = calloc(cap, sizeof(*t->refs))) == NULL ||
	    (t->codes = calloc(cap, sizeof(*t->codes))) == NULL ||
	    (t->owned = calloc(cap, sizeof(*t->owned))) == NULL)
		return -1;
	for (size_t i = 0; i < p->nitems; i++) {
		const struct target_table_item *it = &p->items[i];
		const char *path = it->category, *slash;
		ptrdiff_t parent = -1, leaf;

		/* Up to three category levels, then the indicator itself. */
		for (int level = 0; path[0] != '\0' && level < 3; level++) {
			slash = strchr(path, '/');
			size_t len = slash != NULL ? (size_t)(slash - path) : strlen(path);
			if ((parent = import_tree_child(t, ws, parent, path, len, false)) < 0)
				return -1;
			path = slash != NULL ? slash + 1 : path + len;
		}
		leaf = import_tree_child(t, ws, parent,
		    it->name[0] != '\0' ? it->name : "（未命名指标）",
		    strlen(it->name[0] != '\0' ? it->name : "（未命名指标）"), true);
		if (leaf < 0)
			return -1;
		t->reqs[leaf].target = or_null(it->target);
	}
	return 0;
}

static int
import_targets(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "year", required_argument, NULL, 'y' },
		{ "sheet", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct target_table *table = NULL;
	struct csv *csv = NULL;
	struct out_json *j = NULL;
	size_t items = 0, qualitative = 0, flagged = 0;
	uint32_t year = 0;
	const char *which = NULL;
	int c, rv;

	optind = 0;
	while ((c = getopt_long(argc, argv, "y:s:h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			which = optarg;
			break;
		case 'y':
			if (cli_parse_year(optarg, &year) != 0)
				return EX_USAGE;
			break;
		case 'h':
			cli_help(&import_commands[1], "  --year YYYY  the fiscal year the targets are "
						      "declared for\n"
						      "  --sheet NAME|N  the workbook's sheet to read\n\n"
						      TABLE_FILE_HELP);
			return 0;
		default:
			return EX_USAGE;
		}
	}
	if (argc - optind != 1 || year == 0)
		return cli_usage_error("usage: %s", import_commands[1].usage);
	if ((rv = table_file_read(argv[optind], which, import_read_targets, &table, &csv)) != 0)
		return rv;
	if (cli->json) {
		j = out_json_new(stdout);
		out_json_object(j, NULL);
		out_json_array(j, "workspaces");
	}
	for (size_t i = 0; i < table->n; i++) {
		const struct target_table_project *p = &table->projects[i];
		Jixiao__CreateWorkspaceRequest cw = JIXIAO__CREATE_WORKSPACE_REQUEST__INIT;
		Jixiao__WorkspaceReply *made = NULL;
		struct import_tree tree;
		size_t q = 0, fl = 0;

		if (import_tree_build(&tree, 0, p) != 0) {
			import_tree_free(&tree);
			rv = cli_error(EX_OSERR, "out of memory");
			goto out;
		}
		for (size_t k = 0; k < p->nitems; k++) {
			struct target t;
			if (target_parse(p->items[k].target, &t) == 0 &&
			    t.kind == TARGET_QUALITATIVE) {
				q++;
				fl += t.flagged != 0;
			}
		}
		/* The workspace and its indicators in one call: a project lands whole or not. */
		cw.subject = p->name;
		cw.fiscal_year = year;
		cw.kind = JIXIAO__KIND__TARGET_DECLARATION;
		cw.department = or_null(p->department);
		cw.unit = or_null(p->unit);
		cw.goal = or_null(p->goal);
		cw.nodes = tree.ptrs;
		cw.n_nodes = tree.n;
		rv = cli_call(cli, &jixiao__workspaces__descriptor, "Create", &cw.base,
		    (ProtobufCMessage **)&made);
		import_tree_free(&tree);
		if (rv != 0) {
			cli_error(0, "project %zu of %zu (%s, line %zu) was not imported%s", i + 1,
			    table->n, p->name, p->line, i > 0 ? "; the ones before it were" : "");
			goto out;
		}
		if (j != NULL) {
			out_json_object(j, NULL);
			out_json_uint(j, "id", made->workspace->id);
			out_json_string(j, "project", p->name);
			out_json_uint(j, "indicators", p->nitems);
			out_json_uint(j, "qualitative", q);
			out_json_uint(j, "flagged", fl);
			out_json_end(j);
		} else {
			/* Progress: one line per project as it lands. */
			printf("[%zu/%zu] workspace %" PRIu64 ": %s — %zu indicators%s\n", i + 1,
			    table->n, made->workspace->id, p->name, p->nitems,
			    fl > 0 ? " (some targets need a look: jx tree)" : "");
			fflush(stdout);
		}
		jixiao__workspace_reply__free_unpacked(made, NULL);
		items += p->nitems;
		qualitative += q;
		flagged += fl;
	}
	if (j != NULL) {
		out_json_end(j);
		out_json_uint(j, "projects", table->n);
		out_json_uint(j, "indicators", items);
		out_json_uint(j, "qualitative", qualitative);
		out_json_uint(j, "flagged", flagged);
	} else {
		printf("Imported %zu projects, %zu indicators: %zu quantitative, %zu qualitative "
		       "(定性), %zu not understood and kept as written.\n", table->n, items,
		    items - qualitative, qualitative - flagged, flagged);
	}
out:
	out_json_free(j);
	target_table_free(table);
	csv_free(csv);
	return rv;
}
