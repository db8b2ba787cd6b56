/* jx unit add|list, jx project add|list: who and what is evaluated. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "cli.h"

static int unit_add(struct cli *cli, int argc, char **argv);
static int unit_list(struct cli *cli, int argc, char **argv);
static int project_add(struct cli *cli, int argc, char **argv);
static int project_list(struct cli *cli, int argc, char **argv);

static const struct cli_command unit_commands[] = {
	{ "add", unit_add, "jx unit add NAME [--parent UNIT] [--department]",
	    "Registers a budget unit (预算单位) under its supervising department or unit, or with\n"
	    "--department a supervising department (主管部门)." },
	{ "list", unit_list, "jx unit list", "Shows the departments and units as a tree." },
};

static const struct cli_command project_commands[] = {
	{ "add", project_add, "jx project add NAME --unit UNIT [--one-off]",
	    "Registers a project (项目) of a budget unit: recurrent (经常性) unless --one-off\n"
	    "(一次性)." },
	{ "list", project_list, "jx project list [--unit UNIT]", "Lists the projects." },
};

int
cmd_unit(struct cli *cli, int argc, char **argv)
{
	return cli_dispatch(cli, "unit", unit_commands,
	    sizeof(unit_commands) / sizeof(unit_commands[0]), argc, argv);
}

int
cmd_project(struct cli *cli, int argc, char **argv)
{
	return cli_dispatch(cli, "project", project_commands,
	    sizeof(project_commands) / sizeof(project_commands[0]), argc, argv);
}

static int
subjects_fetch(struct cli *cli, Jixiao__SubjectKind kind, Jixiao__ListSubjectsReply **out)
{
	Jixiao__ListSubjectsRequest in = JIXIAO__LIST_SUBJECTS_REQUEST__INIT;

	if (kind != 0) {
		in.has_kind = 1;
		in.kind = kind;
	}
	return cli_call(cli, &jixiao__subjects__descriptor, "List", &in.base,
	    (ProtobufCMessage **)out);
}

int
cli_find_subject(struct cli *cli, const char *ref, uint64_t *id)
{
	Jixiao__ListSubjectsReply *out;
	char *end;
	unsigned long long v = strtoull(ref, &end, 10);
	int rv;

	if ((rv = subjects_fetch(cli, 0, &out)) != 0)
		return rv;
	rv = EX_NOINPUT;
	for (size_t i = 0; i < out->n_subjects; i++) {
		const Jixiao__Subject *s = out->subjects[i];
		if (strcmp(s->name, ref) == 0 || (*end == '\0' && end != ref && s->id == v)) {
			*id = s->id;
			rv = 0;
			break;
		}
	}
	jixiao__list_subjects_reply__free_unpacked(out, NULL);
	if (rv != 0)
		cli_error(0, "there is no registered unit or project '%s' (see jx unit list, "
		    "jx project list)", ref);
	return rv;
}

static void
subject_json(struct out_json *j, const Jixiao__Subject *s)
{
	static const char *const kinds[] = { "unspecified", "department", "unit", "project" };

	out_json_object(j, NULL);
	out_json_uint(j, "id", s->id);
	out_json_string(j, "kind", s->kind <= 3 ? kinds[s->kind] : "unknown");
	out_json_string(j, "name", s->name);
	out_json_uint(j, "parent", s->parent);
	if (s->kind == JIXIAO__SUBJECT_KIND__PROJECT)
		out_json_bool(j, "recurrent", s->recurrent);
	out_json_end(j);
}

static int
subject_add(struct cli *cli, Jixiao__AddSubjectRequest *in, const char *parent)
{
	Jixiao__SubjectReply *out;
	int rv;

	if (parent != NULL) {
		if ((rv = cli_find_subject(cli, parent, &in->parent)) != 0)
			return rv;
		in->has_parent = 1;
	}
	if ((rv = cli_call(cli, &jixiao__subjects__descriptor, "Add", &in->base,
	    (ProtobufCMessage **)&out)) != 0)
		return rv;
	if (cli->json) {
		struct out_json *j = out_json_new(stdout);
		subject_json(j, out->subject);
		out_json_free(j);
	} else {
		printf("Registered %s %" PRIu64 ": %s\n",
		    out->subject->kind == JIXIAO__SUBJECT_KIND__PROJECT ? "project" :
		    out->subject->kind == JIXIAO__SUBJECT_KIND__UNIT ? "unit" : "department",
		    out->subject->id, out->subject->name);
	}
	jixiao__subject_reply__free_unpacked(out, NULL);
	return 0;
}

static int
unit_add(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "parent", required_argument, NULL, 'p' },
		{ "department", no_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	Jixiao__AddSubjectRequest in = JIXIAO__ADD_SUBJECT_REQUEST__INIT;
	const char *parent = NULL;
	int c;

	in.kind = JIXIAO__SUBJECT_KIND__UNIT;
	optind = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'h') {
			cli_help(&unit_commands[0], "  --parent UNIT  its department or unit (name or id)\n"
						   "  --department   a supervising department (主管部门)\n");
			return 0;
		} else if (c == 'p') {
			parent = optarg;
		} else if (c == 'd') {
			in.kind = JIXIAO__SUBJECT_KIND__DEPARTMENT;
		} else {
			return EX_USAGE;
		}
	}
	if (argc - optind != 1)
		return cli_usage_error("usage: %s", unit_commands[0].usage);
	in.name = argv[optind];
	return subject_add(cli, &in, parent);
}

static int
project_add(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "unit", required_argument, NULL, 'u' },
		{ "one-off", no_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	Jixiao__AddSubjectRequest in = JIXIAO__ADD_SUBJECT_REQUEST__INIT;
	const char *unit = NULL;
	int c;

	in.kind = JIXIAO__SUBJECT_KIND__PROJECT;
	in.has_recurrent = 1;
	in.recurrent = 1;
	optind = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'h') {
			cli_help(&project_commands[0], "  --unit UNIT  the budget unit (name or id)\n"
						      "  --one-off    a one-off project (一次性项目)\n");
			return 0;
		} else if (c == 'u') {
			unit = optarg;
		} else if (c == 'o') {
			in.recurrent = 0;
		} else {
			return EX_USAGE;
		}
	}
	if (argc - optind != 1 || unit == NULL)
		return cli_usage_error("usage: %s", project_commands[0].usage);
	in.name = argv[optind];
	return subject_add(cli, &in, unit);
}

/* Prints the children of parent, indented by depth. */
static void
unit_tree(const Jixiao__ListSubjectsReply *all, uint64_t parent, int depth)
{
	if (depth > 16)
		return;
	for (size_t i = 0; i < all->n_subjects; i++) {
		const Jixiao__Subject *s = all->subjects[i];
		if (s->parent != parent || s->kind == JIXIAO__SUBJECT_KIND__PROJECT)
			continue;
		printf("%*s%s %" PRIu64 " %s\n", depth * 2, "",
		    s->kind == JIXIAO__SUBJECT_KIND__DEPARTMENT ? "主管部门" : "预算单位", s->id,
		    s->name);
		unit_tree(all, s->id, depth + 1);
	}
}

static int
unit_list(struct cli *cli, int argc, char **argv)
{
	Jixiao__ListSubjectsReply *out;
	int rv;

	if ((rv = cli_plain_args(&unit_commands[1], argc, argv, 0)) >= 0)
		return rv;
	if ((rv = subjects_fetch(cli, 0, &out)) != 0)
		return rv;
	if (cli->json) {
		struct out_json *j = out_json_new(stdout);
		out_json_object(j, NULL);
		out_json_array(j, "units");
		for (size_t i = 0; i < out->n_subjects; i++)
			if (out->subjects[i]->kind != JIXIAO__SUBJECT_KIND__PROJECT)
				subject_json(j, out->subjects[i]);
		out_json_free(j);
	} else {
		unit_tree(out, 0, 0);
	}
	jixiao__list_subjects_reply__free_unpacked(out, NULL);
	return 0;
}

static int
project_list(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "unit", required_argument, NULL, 'u' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	Jixiao__ListSubjectsReply *out;
	uint64_t unit = 0;
	int c, rv;

	optind = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'h') {
			cli_help(&project_commands[1], "  --unit UNIT  only this unit's projects\n");
			return 0;
		}
		if (c != 'u' || cli_find_subject(cli, optarg, &unit) != 0)
			return EX_USAGE;
	}
	if ((rv = subjects_fetch(cli, JIXIAO__SUBJECT_KIND__PROJECT, &out)) != 0)
		return rv;
	if (cli->json) {
		struct out_json *j = out_json_new(stdout);
		out_json_object(j, NULL);
		out_json_array(j, "projects");
		for (size_t i = 0; i < out->n_subjects; i++)
			if (unit == 0 || out->subjects[i]->parent == unit)
				subject_json(j, out->subjects[i]);
		out_json_free(j);
	} else {
		for (size_t i = 0; i < out->n_subjects; i++) {
			const Jixiao__Subject *s = out->subjects[i];
			if (unit == 0 || s->parent == unit)
				printf("%" PRIu64 "  %s  (%s, unit %" PRIu64 ")\n", s->id, s->name,
				    s->recurrent ? "经常性" : "一次性", s->parent);
		}
	}
	jixiao__list_subjects_reply__free_unpacked(out, NULL);
	return 0;
}
