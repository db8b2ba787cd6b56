/* jx check WS: the consistency checks real reports fail (DOMAIN §8), computed here. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "check-tree.h"
#include "cli.h"
#include "err.h"

static const struct cli_command check_command = { "check", cmd_check, "jx check WS",
	"Reports what does not add up in a workspace, one plain sentence per warning with the\n"
	"indicator code: weights that do not sum, stated subtotals that differ from their\n"
	"children, formula texts that disagree with the weight, amounts in the wrong unit,\n"
	"full marks with a critical comment, missing names, comments and measurable targets,\n"
	"leaves not scored yet (the grade is provisional), targets the parser did not\n"
	"understand, a sheet's 合计 that is not its indicators' sum, and stated budget\n"
	"figures (jx budget set --stated-final/--stated-rate) the arithmetic contradicts.\n"
	"Exit status 0 when there is nothing to report, 1 when there are warnings." };

int
cmd_check(struct cli *cli, int argc, char **argv)
{
	Jixiao__GetTreeRequest in = JIXIAO__GET_TREE_REQUEST__INIT;
	Jixiao__TreeReply *out;
	struct check_warning *w = NULL;
	size_t nw = 0;
	int rv;

	if ((rv = cli_ws_arg(&check_command, argc, argv, &in.workspace)) >= 0)
		return rv;
	if ((rv = cli_call(cli, &jixiao__tree__descriptor, "GetTree", &in.base,
	    (ProtobufCMessage **)&out)) != 0)
		return rv;
	if (check_tree_reply(out, &w, &nw) != 0) {
		jixiao__tree_reply__free_unpacked(out, NULL);
		return cli_error(EX_DATAERR, "workspace %" PRIu64 " is too large to check",
		    in.workspace);
	}
	if (cli->json) {
		struct out_json *j = out_json_new(stdout);
		out_json_object(j, NULL);
		out_json_uint(j, "workspace", in.workspace);
		out_json_array(j, "warnings");
		for (size_t i = 0; i < nw; i++) {
			out_json_object(j, NULL);
			out_json_string(j, "code", w[i].code);
			out_json_string(j, "kind", w[i].kind);
			out_json_string(j, "text", w[i].text);
			out_json_end(j);
		}
		out_json_free(j);
	} else if (nw == 0) {
		printf("workspace %" PRIu64 ": nothing to report.\n", in.workspace);
	} else {
		for (size_t i = 0; i < nw; i++)
			printf("%-8s %s\n", w[i].code != NULL ? w[i].code : "(all)", w[i].text);
		printf("\n%zu warning%s in workspace %" PRIu64 ".\n", nw, nw == 1 ? "" : "s",
		    in.workspace);
	}
	check_free(w);
	jixiao__tree_reply__free_unpacked(out, NULL);
	return nw == 0 ? 0 : 1;
}
