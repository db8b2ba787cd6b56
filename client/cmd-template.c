/* jx template list|show|add: indicator systems (指标体系) and their grade bands. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "cli.h"
#include "csv.h"
#include "decimal.h"
#include "import.h"
#include "sheet-csv.h"

#define GRADES_MAX 8

static int template_list(struct cli *cli, int argc, char **argv);
static int template_show(struct cli *cli, int argc, char **argv);
static int template_add(struct cli *cli, int argc, char **argv);

static const struct cli_command template_commands[] = {
	{ "list", template_list, "jx template list", "Lists the templates, newest versions." },
	{ "show", template_show, "jx template show ID [--version N]",
	    "Shows a template: its indicators, weights, methods and grade bands." },
	{ "add", template_add,
	    "jx template add ID FILE.csv --name NAME [--kind KIND] [--grades BANDS] "
	    "[--description TEXT]",
	    "Stores a template, or a new version of one, from a scoring-sheet CSV (the format of\n"
	    "jx import sheet: levels, 分值, 评分标准, 评分方法, 参数). Workspaces created from it\n"
	    "record the version they started from." },
};

int
cmd_template(struct cli *cli, int argc, char **argv)
{
	return cli_dispatch(cli, "template", template_commands,
	    sizeof(template_commands) / sizeof(template_commands[0]), argc, argv);
}

/* Handles a command whose only option is --help; returns -1 to go on. */
static int
template_help_only(const struct cli_command *cmd, int argc, char **argv, const char *extra,
    const char *extra_arg, const char **value)
{
	const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ extra != NULL ? extra : "help", required_argument, NULL, 'x' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	optind = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'h') {
			cli_help(cmd, extra_arg);
			return 0;
		}
		if (c == 'x' && value != NULL) {
			*value = optarg;
			continue;
		}
		return EX_USAGE;
	}
	return -1;
}

static void
template_json(struct out_json *j, const Jixiao__Template *t, bool nodes)
{
	out_json_object(j, NULL);
	out_json_string(j, "id", t->id);
	out_json_uint(j, "version", t->version);
	out_json_string(j, "name", t->name);
	out_json_string(j, "kind", t->has_kind ? cli_kind_name(t->kind) : NULL);
	out_json_string(j, "description", t->description);
	out_json_uint(j, "signoffs_required",
	    t->has_signoffs_required ? t->signoffs_required : 1);
	out_json_bool(j, "comment_round", t->has_comment_round && t->comment_round);
	out_json_array(j, "grades");
	for (size_t i = 0; i < t->n_grades; i++) {
		out_json_object(j, NULL);
		out_json_string(j, "name", t->grades[i]->name);
		out_json_string(j, "key", t->grades[i]->key);
		out_json_hundredths(j, "min", t->grades[i]->min);
		out_json_end(j);
	}
	out_json_end(j);
	if (nodes) {
		out_json_array(j, "nodes");
		for (size_t i = 0; i < t->n_nodes; i++) {
			const Jixiao__AddNodeRequest *n = t->nodes[i];
			out_json_object(j, NULL);
			out_json_string(j, "code", n->code);
			out_json_string(j, "parent", n->parent != NULL ? n->parent->code : NULL);
			out_json_string(j, "name", n->name);
			if (n->has_weight)
				out_json_hundredths(j, "weight", n->weight);
			out_json_string(j, "method", n->method != NULL ? n->method : "manual");
			out_json_string(j, "params", n->params);
			out_json_string(j, "criteria", n->criteria);
			out_json_end(j);
		}
		out_json_end(j);
	}
	out_json_end(j);
}

static int
template_list(struct cli *cli, int argc, char **argv)
{
	Jixiao__ListTemplatesRequest in = JIXIAO__LIST_TEMPLATES_REQUEST__INIT;
	Jixiao__ListTemplatesReply *out;
	int rv;

	if ((rv = cli_plain_args(&template_commands[0], argc, argv, 0)) >= 0)
		return rv;
	if ((rv = cli_call(cli, &jixiao__templates__descriptor, "List", &in.base,
	    (ProtobufCMessage **)&out)) != 0)
		return rv;
	if (cli->json) {
		struct out_json *j = out_json_new(stdout);
		out_json_object(j, NULL);
		out_json_array(j, "templates");
		for (size_t i = 0; i < out->n_templates; i++)
			template_json(j, out->templates[i], false);
		out_json_free(j);
	} else {
		static const char *const head[] = { "id", "version", "kind", "name" };
		struct out_table *t = out_table_new(4, head);
		char v[16];
		for (size_t i = 0; i < out->n_templates; i++) {
			const Jixiao__Template *x = out->templates[i];
			const char *row[4] = { x->id, v, x->has_kind ? cli_kind_zh(x->kind) : "-",
				x->name };
			snprintf(v, sizeof(v), "%" PRIu32, x->version);
			out_table_row(t, row);
		}
		out_table_print(t, stdout);
		out_table_free(t);
	}
	jixiao__list_templates_reply__free_unpacked(out, NULL);
	return 0;
}

static int
template_show(struct cli *cli, int argc, char **argv)
{
	Jixiao__GetTemplateRequest in = JIXIAO__GET_TEMPLATE_REQUEST__INIT;
	Jixiao__TemplateReply *out;
	const char *version = NULL;
	uint64_t v;
	int rv;

	if ((rv = template_help_only(&template_commands[1], argc, argv, "version",
	    "  --version N  an older version (default: the newest)\n", &version)) >= 0)
		return rv;
	if (argc - optind != 1)
		return cli_usage_error("usage: %s", template_commands[1].usage);
	in.id = argv[optind];
	if (version != NULL) {
		if (cli_parse_id(version, "the version", &v) != 0 || v > UINT32_MAX)
			return EX_USAGE;
		in.has_version = 1;
		in.version = (uint32_t)v;
	}
	if ((rv = cli_call(cli, &jixiao__templates__descriptor, "Get", &in.base,
	    (ProtobufCMessage **)&out)) != 0)
		return rv;
	if (cli->json) {
		struct out_json *j = out_json_new(stdout);
		template_json(j, out->template_, true);
		out_json_free(j);
	} else {
		const Jixiao__Template *t = out->template_;
		static const char *const head[] = { "code", "indicator", "weight", "method" };
		struct out_table *tab = out_table_new(4, head);
		char w[DEC_BUFSZ], name[512], min[DEC_BUFSZ];

		printf("template %s version %" PRIu32 ": %s\n", t->id, t->version, t->name);
		if (t->description != NULL)
			printf("%s\n", t->description);
		printf("\n");
		out_table_align(tab, 2, OUT_RIGHT);
		for (size_t i = 0; i < t->n_nodes; i++) {
			const Jixiao__AddNodeRequest *n = t->nodes[i];
			int depth = 0;
			for (const char *p = n->code; *p != '\0'; p++)
				depth += *p == '.';
			snprintf(name, sizeof(name), "%*s%s", depth * 2, "", n->name);
			const char *row[4] = { n->code, name,
				n->has_weight ? dec_format(n->weight, w) : "-",
				n->method != NULL ? n->method : "manual" };
			out_table_row(tab, row);
		}
		out_table_print(tab, stdout);
		out_table_free(tab);
		printf("\ngrades:");
		for (size_t i = 0; i < t->n_grades; i++)
			printf(" %s ≥ %s%s", t->grades[i]->name,
			    dec_format_short(t->grades[i]->min, min),
			    i + 1 < t->n_grades ? "," : "\n");
		printf("sign-off: %u reviewer%s%s\n",
		    t->has_signoffs_required ? t->signoffs_required : 1,
		    t->has_signoffs_required && t->signoffs_required > 1 ? "s" : "",
		    t->has_comment_round && t->comment_round ?
		    ", after the unit's comment round (征求意见)" : "");
	}
	jixiao__template_reply__free_unpacked(out, NULL);
	return 0;
}

/* Parses "优:90,良:80,中:70,低:60,差:0" (names with optional /key: 优/excellent:90). */
static int
template_parse_grades(char *s, Jixiao__GradeBand *bands, Jixiao__GradeBand **ptrs, size_t *n)
{
	static const struct { const char *zh, *key; } keys[] = {
		{ "优", "excellent" }, { "良", "good" }, { "中", "fair" }, { "低", "low" },
		{ "差", "poor" },
	};
	char *item = s;

	*n = 0;
	while (item != NULL && *item != '\0') {
		char *next = strchr(item, ','), *colon, *slash;
		if (next != NULL)
			*next++ = '\0';
		if (*n == GRADES_MAX || (colon = strrchr(item, ':')) == NULL)
			return -1;
		*colon = '\0';
		jixiao__grade_band__init(&bands[*n]);
		if (dec_parse_written(colon + 1, strlen(colon + 1), &bands[*n].min) != 0)
			return -1;
		if ((slash = strchr(item, '/')) != NULL) {
			*slash = '\0';
			bands[*n].key = slash + 1;
		} else {
			bands[*n].key = item;
			for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
				if (strcmp(item, keys[k].zh) == 0)
					bands[*n].key = (char *)keys[k].key;
		}
		bands[*n].name = item;
		ptrs[*n] = &bands[*n];
		(*n)++;
		item = next;
	}
	return *n > 0 ? 0 : -1;
}

static int
template_add(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "kind", required_argument, NULL, 'k' },
		{ "grades", required_argument, NULL, 'g' },
		{ "description", required_argument, NULL, 'd' },
		{ "signoffs", required_argument, NULL, 's' },
		{ "comment-round", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	Jixiao__PutTemplateRequest in = JIXIAO__PUT_TEMPLATE_REQUEST__INIT;
	Jixiao__Template t = JIXIAO__TEMPLATE__INIT;
	Jixiao__GradeBand bands[GRADES_MAX], *bandp[GRADES_MAX];
	Jixiao__TemplateReply *out = NULL;
	struct import_nodes nodes = { 0 };
	struct sheet_csv *sheet = NULL;
	struct csv *csv = NULL;
	char grades[256] = "优:90,良:80,中:70,低:60,差:0", why[512], *end;
	size_t nbands;
	int c, rv;

	optind = 0;
	while ((c = getopt_long(argc, argv, "n:k:g:d:s:c:h", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			t.name = optarg;
			break;
		case 'k':
			if (cli_parse_kind(optarg, &t.kind) != 0)
				return EX_USAGE;
			t.has_kind = 1;
			break;
		case 'g':
			snprintf(grades, sizeof(grades), "%s", optarg);
			break;
		case 'd':
			t.description = optarg;
			break;
		case 's':
			t.signoffs_required = (uint32_t)strtoul(optarg, &end, 10);
			if (*end != '\0' || optarg[0] == '-' || t.signoffs_required < 1 ||
			    t.signoffs_required > 5)
				return cli_usage_error("--signoffs is 1 to 5, not %s", optarg);
			t.has_signoffs_required = 1;
			break;
		case 'c':
			if (strcmp(optarg, "on") != 0 && strcmp(optarg, "off") != 0)
				return cli_usage_error("--comment-round is on or off, not %s", optarg);
			t.has_comment_round = 1;
			t.comment_round = strcmp(optarg, "on") == 0;
			break;
		case 'h':
			cli_help(&template_commands[2],
			    "  --name NAME         what the template is called\n"
			    "  --kind KIND         the kind of workspace it is for\n"
			    "  --grades BANDS      best first, e.g. 优:90,良:80,中:60,差:0 (Ministry of\n"
			    "                      Finance); default Guangzhou's 优:90,良:80,中:70,低:60,差:0\n"
			    "  --description TEXT  a longer description\n"
			    "  --signoffs N        reviewers' sign-offs that make a workspace final (1-5)\n"
			    "  --comment-round on|off  the evaluated unit comments before sign-off\n");
			return 0;
		default:
			return EX_USAGE;
		}
	}
	if (argc - optind != 2 || t.name == NULL)
		return cli_usage_error("usage: %s", template_commands[2].usage);
	if (template_parse_grades(grades, bands, bandp, &nbands) != 0)
		return cli_usage_error("--grades is NAME:MIN,... best first, like 优:90,良:80,差:0");
	t.id = argv[optind];
	t.grades = bandp;
	t.n_grades = nbands;
	t.has_veto_cap = 1;
	/* A veto caps the grade at 中 when the bands have one, else at the third band. */
	t.veto_cap = nbands > 2 ? 2 : (uint32_t)nbands - 1;
	for (size_t i = 0; i < nbands; i++)
		if (strcmp(bands[i].name, "中") == 0)
			t.veto_cap = (uint32_t)i;
	if ((rv = import_csv_file(argv[optind + 1], &csv)) != 0)
		return rv;
	if (sheet_csv_read(csv, &sheet, why, sizeof(why)) != 0) {
		rv = cli_error(EX_DATAERR, "%s: %s", argv[optind + 1], why);
		goto out;
	}
	if (import_nodes_from_sheet(sheet, 0, &nodes) != 0) {
		rv = cli_error(EX_OSERR, "out of memory");
		goto out;
	}
	t.nodes = nodes.ptrs;
	t.n_nodes = nodes.n;
	in.template_ = &t;
	if ((rv = cli_call(cli, &jixiao__templates__descriptor, "Put", &in.base,
	    (ProtobufCMessage **)&out)) != 0)
		goto out;
	if (cli->json) {
		struct out_json *j = out_json_new(stdout);
		template_json(j, out->template_, false);
		out_json_free(j);
	} else {
		printf("Stored template %s version %" PRIu32 " (%zu indicators).\n",
		    out->template_->id, out->template_->version, nodes.n);
	}
out:
	if (out != NULL)
		jixiao__template_reply__free_unpacked(out, NULL);
	import_nodes_free(&nodes);
	sheet_csv_free(sheet);
	csv_free(csv);
	return rv;
}
