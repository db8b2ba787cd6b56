/* jx evidence add|ls|get: the evidence files (佐证材料) behind the scores. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include <sodium.h>

#include "cli.h"

#define CHUNK ((size_t)1 << 20)
#define HASH_LEN 32

static int evidence_add(struct cli *cli, int argc, char **argv);
static int evidence_ls(struct cli *cli, int argc, char **argv);
static int evidence_get(struct cli *cli, int argc, char **argv);

static const struct cli_command evidence_commands[] = {
	{ "add", evidence_add, "jx evidence add WS CODE FILE...",
	    "Attaches files to an indicator as its evidence (佐证材料). Each is stored once, by\n"
	    "its BLAKE2b hash, and linked only after the server has checked the whole file." },
	{ "ls", evidence_ls, "jx evidence ls WS",
	    "Lists every evidence file with its indicator, size and hash: the archive\n"
	    "inventory (档案清单)." },
	{ "get", evidence_get, "jx evidence get WS NAME|HASH -o FILE",
	    "Retrieves an evidence file byte for byte (checked against its hash)." },
};

int
cmd_evidence(struct cli *cli, int argc, char **argv)
{
	return cli_dispatch(cli, "evidence", evidence_commands,
	    sizeof(evidence_commands) / sizeof(evidence_commands[0]), argc, argv);
}

static void
hex(const uint8_t *b, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[b[i] >> 4];
		out[2 * i + 1] = digits[b[i] & 15];
	}
	out[2 * n] = '\0';
}

/* Progress on a terminal only: "name 3/10 MiB". */
static void
progress(const char *name, uint64_t done, uint64_t total)
{
	if (!isatty(STDERR_FILENO))
		return;
	fprintf(stderr, "\r%s %.1f/%.1f MiB", name, (double)done / (1 << 20),
	    (double)total / (1 << 20));
	if (done == total)
		fputc('\n', stderr);
}

/* Sends one file and links it to the indicator. Returns a sysexits code. */
static int
evidence_send(struct cli *cli, uint64_t ws, const char *code, const char *path)
{
	Jixiao__PutChunkRequest put = JIXIAO__PUT_CHUNK_REQUEST__INIT;
	Jixiao__AddEvidenceRequest add = JIXIAO__ADD_EVIDENCE_REQUEST__INIT;
	Jixiao__NodeRef ref = JIXIAO__NODE_REF__INIT;
	Jixiao__PutChunkReply *pr;
	Jixiao__EvidenceReply *er;
	crypto_generichash_state st;
	uint8_t hash[HASH_LEN], *buf = malloc(CHUNK);
	const char *name = strrchr(path, '/') != NULL ? strrchr(path, '/') + 1 : path;
	uint64_t size = 0, off;
	size_t n;
	FILE *f;
	int rv = 0;

	if (buf == NULL)
		return cli_error(EX_OSERR, "out of memory");
	if ((f = fopen(path, "rb")) == NULL) {
		free(buf);
		return cli_error(EX_NOINPUT, "cannot open %s: %s", path, strerror(errno));
	}
	/* First the hash of the whole file: the chunks are stored under it. */
	crypto_generichash_init(&st, NULL, 0, HASH_LEN);
	while ((n = fread(buf, 1, CHUNK, f)) > 0) {
		crypto_generichash_update(&st, buf, n);
		size += n;
	}
	crypto_generichash_final(&st, hash, HASH_LEN);
	if (ferror(f) || size == 0) {
		rv = cli_error(EX_DATAERR, "%s is %s", path, size == 0 ? "empty" : "unreadable");
		goto out;
	}
	rewind(f);
	put.hash.data = hash;
	put.hash.len = HASH_LEN;
	for (off = 0; (n = fread(buf, 1, CHUNK, f)) > 0; off += n) {
		put.offset = off;
		put.data.data = buf;
		put.data.len = n;
		if ((rv = cli_call(cli, &jixiao__files__descriptor, "PutChunk", &put.base,
		    (ProtobufCMessage **)&pr)) != 0)
			goto out;
		jixiao__put_chunk_reply__free_unpacked(pr, NULL);
		progress(name, off + n, size);
	}
	ref.code = (char *)code;
	add.workspace = ws;
	add.node = &ref;
	add.name = (char *)name;
	add.hash.data = hash;
	add.hash.len = HASH_LEN;
	add.size = size;
	if ((rv = cli_call(cli, &jixiao__files__descriptor, "AddEvidence", &add.base,
	    (ProtobufCMessage **)&er)) != 0)
		goto out;
	if (cli->json) {
		char h[2 * HASH_LEN + 1];
		struct out_json *j = out_json_new(stdout);
		hex(hash, HASH_LEN, h);
		out_json_object(j, NULL);
		out_json_string(j, "code", code);
		out_json_string(j, "name", name);
		out_json_uint(j, "size", size);
		out_json_string(j, "hash", h);
		out_json_free(j);
	} else {
		printf("Attached %s (%" PRIu64 " bytes) to %s.\n", name, size, code);
	}
	jixiao__evidence_reply__free_unpacked(er, NULL);
out:
	fclose(f);
	free(buf);
	return rv;
}

static int
evidence_add(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t ws;
	int c, rv;

	optind = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c != 'h')
			return EX_USAGE;
		cli_help(&evidence_commands[0], NULL);
		return 0;
	}
	if (argc - optind < 3)
		return cli_usage_error("usage: %s", evidence_commands[0].usage);
	if (cli_parse_id(argv[optind], "the workspace", &ws) != 0)
		return EX_USAGE;
	if (sodium_init() < 0)
		return cli_error(EX_SOFTWARE, "the crypto library failed to start");
	for (int i = optind + 2; i < argc; i++)
		if ((rv = evidence_send(cli, ws, argv[optind + 1], argv[i])) != 0)
			return rv;
	return 0;
}

static int
evidence_tree(struct cli *cli, uint64_t ws, Jixiao__TreeReply **out)
{
	Jixiao__GetTreeRequest in = JIXIAO__GET_TREE_REQUEST__INIT;

	in.workspace = ws;
	return cli_call(cli, &jixiao__tree__descriptor, "GetTree", &in.base,
	    (ProtobufCMessage **)out);
}

static int
evidence_ls(struct cli *cli, int argc, char **argv)
{
	Jixiao__TreeReply *t;
	struct out_json *j = NULL;
	struct out_table *tab = NULL;
	static const char *const head[] = { "code", "file", "bytes", "hash", "added by" };
	char h[2 * HASH_LEN + 1], size[24];
	uint64_t ws;
	size_t files = 0;
	int rv;

	if ((rv = cli_ws_arg(&evidence_commands[1], argc, argv, &ws)) >= 0)
		return rv;
	if ((rv = evidence_tree(cli, ws, &t)) != 0)
		return rv;
	if (cli->json) {
		j = out_json_new(stdout);
		out_json_object(j, NULL);
		out_json_uint(j, "workspace", ws);
		out_json_array(j, "evidence");
	} else {
		tab = out_table_new(5, head);
		out_table_align(tab, 2, OUT_RIGHT);
		out_table_max_width(tab, 1, 40);
	}
	for (size_t i = 0; i < t->n_nodes; i++) {
		const Jixiao__Node *n = t->nodes[i];
		for (size_t k = 0; k < n->n_evidence; k++, files++) {
			const Jixiao__Evidence *e = n->evidence[k];
			hex(e->hash.data, e->hash.len < HASH_LEN ? e->hash.len : HASH_LEN, h);
			snprintf(size, sizeof(size), "%" PRIu64, e->size);
			if (j != NULL) {
				out_json_object(j, NULL);
				out_json_string(j, "code", n->code);
				out_json_string(j, "name", e->name);
				out_json_uint(j, "size", e->size);
				out_json_string(j, "hash", h);
				out_json_string(j, "added_by", e->added_by);
				out_json_int(j, "added_at", e->added_at);
				out_json_end(j);
			} else {
				const char *row[5] = { n->code, e->name, size, h, e->added_by };
				h[16] = '\0';
				out_table_row(tab, row);
			}
		}
	}
	if (j != NULL) {
		out_json_free(j);
	} else if (files == 0) {
		printf("No evidence yet: attach some with 'jx evidence add %" PRIu64 " CODE FILE'.\n",
		    ws);
	} else {
		out_table_print(tab, stdout);
		printf("\n%zu files (档案清单); hashes are BLAKE2b-256, shortened here, whole in "
		       "--json.\n", files);
	}
	out_table_free(tab);
	jixiao__tree_reply__free_unpacked(t, NULL);
	return 0;
}

static int
evidence_get(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	Jixiao__GetChunkRequest in = JIXIAO__GET_CHUNK_REQUEST__INIT;
	const Jixiao__Evidence *found = NULL;
	crypto_generichash_state st;
	Jixiao__TreeReply *t = NULL;
	const char *output = NULL;
	uint8_t got[HASH_LEN];
	char h[2 * HASH_LEN + 1];
	uint64_t ws, off;
	FILE *f = NULL;
	int c, rv;

	optind = 0;
	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		if (c == 'h') {
			cli_help(&evidence_commands[2], "  -o, --output FILE  where to write it (- for "
							 "standard output)\n");
			return 0;
		}
		if (c != 'o')
			return EX_USAGE;
		output = optarg;
	}
	if (argc - optind != 2 || output == NULL)
		return cli_usage_error("usage: %s", evidence_commands[2].usage);
	if (cli_parse_id(argv[optind], "the workspace", &ws) != 0)
		return EX_USAGE;
	if (sodium_init() < 0)
		return cli_error(EX_SOFTWARE, "the crypto library failed to start");
	if ((rv = evidence_tree(cli, ws, &t)) != 0)
		return rv;
	for (size_t i = 0; i < t->n_nodes && found == NULL; i++)
		for (size_t k = 0; k < t->nodes[i]->n_evidence && found == NULL; k++) {
			const Jixiao__Evidence *e = t->nodes[i]->evidence[k];
			hex(e->hash.data, e->hash.len < HASH_LEN ? e->hash.len : HASH_LEN, h);
			if (strcmp(e->name, argv[optind + 1]) == 0 ||
			    (strlen(argv[optind + 1]) >= 8 &&
			    strncmp(h, argv[optind + 1], strlen(argv[optind + 1])) == 0))
				found = e;
		}
	if (found == NULL) {
		rv = cli_error(EX_NOINPUT, "workspace %" PRIu64 " has no evidence named %s", ws,
		    argv[optind + 1]);
		goto out;
	}
	if ((f = strcmp(output, "-") == 0 ? stdout : fopen(output, "wb")) == NULL) {
		rv = cli_error(EX_CANTCREAT, "cannot create %s: %s", output, strerror(errno));
		goto out;
	}
	crypto_generichash_init(&st, NULL, 0, HASH_LEN);
	in.hash = found->hash;
	in.has_workspace = 1;
	in.workspace = ws;
	for (off = 0; off < found->size; off += CHUNK) {
		Jixiao__GetChunkReply *r;
		in.offset = off;
		if ((rv = cli_call(cli, &jixiao__files__descriptor, "GetChunk", &in.base,
		    (ProtobufCMessage **)&r)) != 0)
			goto out;
		crypto_generichash_update(&st, r->data.data, r->data.len);
		if (fwrite(r->data.data, 1, r->data.len, f) != r->data.len) {
			jixiao__get_chunk_reply__free_unpacked(r, NULL);
			rv = cli_error(EX_IOERR, "cannot write %s", output);
			goto out;
		}
		jixiao__get_chunk_reply__free_unpacked(r, NULL);
		progress(found->name, off + CHUNK < found->size ? off + CHUNK : found->size,
		    found->size);
	}
	crypto_generichash_final(&st, got, HASH_LEN);
	if (sodium_memcmp(got, found->hash.data, HASH_LEN) != 0)
		rv = cli_error(EX_DATAERR, "%s does not match its hash: do not trust this copy",
		    found->name);
out:
	if (f != NULL && f != stdout && fclose(f) != 0 && rv == 0)
		rv = cli_error(EX_IOERR, "cannot write %s", output);
	if (t != NULL)
		jixiao__tree_reply__free_unpacked(t, NULL);
	return rv;
}
