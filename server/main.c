/* jixiaod: the jixiao daemon. */
#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <sysexits.h>

#include "admin.h"
#include "auth.h"
#include "envelope.h"
#include "config.h"
#include "key.h"
#include "log.h"
#include "notify.h"
#include "server.h"
#include "store.h"
#include "tls.h"
#include "web.h"

#define DEFAULT_DATA "jixiao-data"
#define DEFAULT_LISTEN "tcp://127.0.0.1:7410"

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: jixiaod [--data DIR] [--listen URL]... [--feed URL] [options]\n"
	    "       jixiaod init --data DIR --admin-key FILE.pub [--admin-name NAME]\n"
	    "       jixiaod backup --data DIR OUT|--stdout\n"
	    "       jixiaod restore BACKUP|- --data NEWDIR\n"
	    "       jixiaod check --data DIR\n"
	    "\n"
	    "Serves jixiao evaluation workspaces to jx clients. A new store is made with\n"
	    "jixiaod init: it gets the server's own key and its first admin, whose public key\n"
	    "comes from jx keygen (the secret key never leaves the admin's machine).\n"
	    "\n"
	    "  -c, --config FILE      read options from FILE (key = value lines, as in\n"
	    "                         jixiaod.conf.example); the command line wins\n"
	    "  -d, --data DIR         data directory, created 0700 (default ./" DEFAULT_DATA ")\n"
	    "  -l, --listen URL       where clients connect: ipc:///path, tcp://host:port or\n"
	    "                         tls+tcp://host:port; repeat for several\n"
	    "                         (default " DEFAULT_LISTEN ")\n"
	    "  -f, --feed URL         publish a notice of every commit here (nng PUB): the\n"
	    "                         workspace id and revision only, to anyone who can\n"
	    "                         connect; jx watch fetches the changes by login\n"
	    "      --http URL         serve the web interface on http://host:port or\n"
	    "                         https://host:port: the app, and on the same port the\n"
	    "                         RPC (ws://host:port/rpc) and the feed (…/feed)\n"
	    "      --web-root DIR     the web app's files (default " JX_WEB_ROOT ")\n"
	    "      --tls-cert FILE    PEM certificate (chain) for tls+tcp:// and https://\n"
	    "      --tls-key FILE     its PEM private key, mode 0600 or 0640 (may be the\n"
	    "                         same file as --tls-cert)\n"
	    "      --metrics URL      serve Prometheus metrics at URL (http://HOST:PORT/PATH)\n"
	    "                         and a health check at /healthz on the same port\n"
	    "      --map-size BYTES   initial store map size; it grows when full\n"
	    "      --max-store BYTES  largest the store may grow to (default: as far as the\n"
	    "                         disk allows); writes past it are refused\n"
	    "      --snapshot-every BYTES  copy the store to a snapshot each time its log\n"
	    "                         reaches BYTES (default 268435456, 256 MiB, and\n"
	    "                         at least half the store's size); the log before\n"
	    "                         the snapshot is removed\n"
	    "      --max-message BYTES largest request accepted and reply sent (4 MiB, the\n"
	    "                         default, to 64 MiB); a change that would make a\n"
	    "                         workspace's tree bigger than this is refused\n"
	    "      --workers N        requests served at once (default 256)\n"
	    "      --max-evidence BYTES largest evidence file accepted (default 64 MiB)\n"
	    "      --log-level LEVEL  error, warn (default), info or debug\n"
	    "  -v, --verbose          same as --log-level info; twice for debug\n"
	    "  -h, --help             show this help\n"
	    "  -V, --version          show the version\n"
	    "\n"
	    "Prints \"jixiaod: ready on URL...\" on standard output when it accepts requests.\n"
	    "Stops cleanly on SIGINT or SIGTERM. SIGHUP reads the TLS certificate and key\n"
	    "again (systemctl reload jixiaod).\n");
}

/* jixiaod init: a new store with the server's key and its first admin. */
static int
init_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "data", required_argument, NULL, 'd' },
		{ "admin-key", required_argument, NULL, 'k' },
		{ "admin-name", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *data = DEFAULT_DATA, *keyfile = NULL, *name = "admin";
	uint8_t pk[KEY_PUBLIC_LEN];
	char why[512], fp[KEY_FINGERPRINT_LEN];
	struct store *st = NULL;
	int c, rv;

	while ((c = getopt_long(argc, argv, "d:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			data = optarg;
			break;
		case 'k':
			keyfile = optarg;
			break;
		case 'n':
			name = optarg;
			break;
		case 'h':
			printf("usage: jixiaod init --data DIR --admin-key FILE.pub [--admin-name NAME]\n"
			       "\n"
			       "Creates the store in DIR with the server's own key and its first admin\n"
			       "(named admin unless --admin-name): the public key FILE.pub that\n"
			       "jx keygen wrote. Refuses a store that has users already.\n");
			return 0;
		default:
			return EX_USAGE;
		}
	}
	if (keyfile == NULL || optind < argc) {
		fprintf(stderr, "usage: jixiaod init --data DIR --admin-key FILE.pub "
				"[--admin-name NAME]\n");
		return EX_USAGE;
	}
	if (key_init() != 0) {
		fprintf(stderr, "jixiaod: the crypto library failed to start\n");
		return EX_SOFTWARE;
	}
	if (key_load_public(keyfile, pk, why, sizeof(why)) != 0) {
		fprintf(stderr, "jixiaod: %s\n", why);
		return EX_DATAERR;
	}
	if (store_open(data, 0, &st, why, sizeof(why)) != 0) {
		fprintf(stderr, "jixiaod: %s\n", why);
		return EX_CANTCREAT;
	}
	rv = auth_init_store(st, name, pk, why, sizeof(why));
	store_close(st);
	if (rv != 0) {
		fprintf(stderr, "jixiaod: %s\n", why);
		return EX_DATAERR;
	}
	key_fingerprint(pk, fp);
	printf("jixiaod: store %s created; admin %s has key %s\n", data, name, fp);
	return 0;
}

/* A tls+tcp:// address needs both --tls-cert and --tls-key, and they need one. */
static int
check_tls(const struct server_config *cfg)
{
	const char *tls = NULL;

	for (size_t i = 0; i < cfg->nlisten && tls == NULL; i++)
		if (tls_url(cfg->listen[i]))
			tls = cfg->listen[i];
	if (tls == NULL && cfg->feed != NULL && tls_url(cfg->feed))
		tls = cfg->feed;
	if (tls == NULL && cfg->http != NULL && strncmp(cfg->http, "https://", 8) == 0)
		tls = cfg->http;
	if (tls != NULL && (cfg->tls_cert == NULL || cfg->tls_key == NULL)) {
		fprintf(stderr, "jixiaod: %s needs a certificate and its key: give --tls-cert "
		    "FILE and --tls-key FILE\n", tls);
		return EX_USAGE;
	}
	if (tls == NULL && (cfg->tls_cert != NULL || cfg->tls_key != NULL)) {
		fprintf(stderr, "jixiaod: --tls-cert and --tls-key are only for tls+tcp:// "
		    "and https:// addresses, and no --listen, --feed or --http has one\n");
		return EX_USAGE;
	}
	return 0;
}

#ifdef JX_SANITIZE
/*
 * LeakSanitizer's suppressions for the sanitizer build. A reply handed to nng to send is
 * nng's from then on, and nng 1.5.2 can drop one that is in flight on a WebSocket when
 * the socket closes at shutdown (the class of nng issue 1713, fixed after 1.5.2).
 */
const char *__lsan_default_suppressions(void);
const char *
__lsan_default_suppressions(void)
{
	return "leak:server_worker_reply\n";
}
#endif

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "data", required_argument, NULL, 'd' },
		{ "listen", required_argument, NULL, 'l' },
		{ "feed", required_argument, NULL, 'f' },
		{ "map-size", required_argument, NULL, 'm' },
		{ "max-message", required_argument, NULL, 'M' },
		{ "workers", required_argument, NULL, 'w' },
		{ "max-evidence", required_argument, NULL, 'E' },
		{ "log-level", required_argument, NULL, 'L' },
		{ "tls-cert", required_argument, NULL, 'C' },
		{ "tls-key", required_argument, NULL, 'K' },
		{ "http", required_argument, NULL, 'H' },
		{ "web-root", required_argument, NULL, 'W' },
		{ "max-store", required_argument, NULL, 'S' },
		{ "snapshot-every", required_argument, NULL, 'k' },
		{ "metrics", required_argument, NULL, 'P' },
		{ "config", required_argument, NULL, 'c' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct server_config cfg = { .web_root = JX_WEB_ROOT };
	struct config *conf = NULL;
	const char *conf_path = NULL;
	struct server *srv;
	enum log_level level = LOG_WARN;
	bool level_set = false;
	char why[512];
	sigset_t sigs;
	size_t n;
	int c, sig, rv;

	if (argc > 1 && strcmp(argv[1], "init") == 0)
		return init_main(argc - 1, argv + 1);
	if (argc > 1 && strcmp(argv[1], "backup") == 0)
		return admin_backup_main(argc - 1, argv + 1);
	if (argc > 1 && strcmp(argv[1], "restore") == 0)
		return admin_restore_main(argc - 1, argv + 1);
	if (argc > 1 && strcmp(argv[1], "check") == 0)
		return admin_check_main(argc - 1, argv + 1);
	while ((c = getopt_long(argc, argv, "c:d:l:f:vhV", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			cfg.data_dir = optarg;
			break;
		case 'l':
			if (cfg.nlisten == SERVER_MAX_LISTEN) {
				fprintf(stderr, "jixiaod: at most %d --listen addresses\n",
				    SERVER_MAX_LISTEN);
				return EX_USAGE;
			}
			cfg.listen[cfg.nlisten++] = optarg;
			break;
		case 'f':
			cfg.feed = optarg;
			break;
		case 'C':
			cfg.tls_cert = optarg;
			break;
		case 'K':
			cfg.tls_key = optarg;
			break;
		case 'P':
			cfg.metrics = optarg;
			break;
		case 'c':
			conf_path = optarg;
			break;
		case 'H':
			if (!web_url_ok(optarg)) {
				fprintf(stderr, "jixiaod: --http takes http://host:port or "
				    "https://host:port, not %s\n", optarg);
				return EX_USAGE;
			}
			cfg.http = optarg;
			break;
		case 'W':
			cfg.web_root = optarg;
			break;
		case 'm':
		case 'M':
		case 'E':
		case 'S':
		case 'k':
		case 'w':
			if (config_parse_size(optarg, &n) != 0 || (c == 'w' && n > 65536)) {
				fprintf(stderr, "jixiaod: %s is not a valid number for --%s\n", optarg,
				    c == 'm' ? "map-size" : c == 'M' ? "max-message" :
				    c == 'E' ? "max-evidence" : c == 'S' ? "max-store" :
				    c == 'k' ? "snapshot-every" : "workers");
				return EX_USAGE;
			}
			if (c == 'm')
				cfg.map_size = n;
			else if (c == 'M')
				cfg.max_message = n;
			else if (c == 'E')
				cfg.max_evidence = n;
			else if (c == 'S')
				cfg.max_store = n;
			else if (c == 'k')
				cfg.snapshot_every = n;
			else
				cfg.workers = (unsigned)n;
			break;
		case 'L':
			if (log_parse_level(optarg, &level) != 0) {
				fprintf(stderr, "jixiaod: log level must be error, warn, info or "
						"debug, not %s\n", optarg);
				return EX_USAGE;
			}
			level_set = true;
			break;
		case 'v':
			if (level < LOG_DEBUG)
				level++;
			level_set = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("jixiaod %s\n", JX_VERSION);
			return 0;
		default:
			usage(stderr);
			return EX_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "jixiaod: unexpected argument %s (see jixiaod --help)\n",
		    argv[optind]);
		return EX_USAGE;
	}
	if (conf_path != NULL &&
	    config_load(conf_path, &cfg, &level, level_set, &conf, why, sizeof(why)) != 0) {
		fprintf(stderr, "jixiaod: %s\n", why);
		return EX_CONFIG;
	}
	if (cfg.data_dir == NULL)
		cfg.data_dir = DEFAULT_DATA;
	if (cfg.http != NULL && !web_url_ok(cfg.http)) {
		fprintf(stderr, "jixiaod: http takes http://host:port or https://host:port, "
		    "not %s\n", cfg.http);
		return EX_CONFIG;
	}
	if (cfg.max_message != 0 &&
	    (cfg.max_message < ENVELOPE_MAX || cfg.max_message > ENVELOPE_LIMIT)) {
		fprintf(stderr, "jixiaod: --max-message must be between %zu (4 MiB, what jx may "
		    "send) and %zu (64 MiB, the most jx reads)\n", ENVELOPE_MAX, ENVELOPE_LIMIT);
		return EX_USAGE;
	}
	if (cfg.nlisten == 0)
		cfg.listen[cfg.nlisten++] = DEFAULT_LISTEN;
	if ((rv = check_tls(&cfg)) != 0) {
		config_free(conf);
		return rv;
	}
	log_set_level(level);

	/*
	 * Every client is a descriptor: take all the hard limit allows, so thousands of
	 * connections do not stop the listeners accepting (Debian's soft limit is 1024).
	 */
	{
		struct rlimit rl;
		if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
			rl.rlim_cur = rl.rlim_max;
			if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
				log_warn("cannot raise the open file limit: %s", strerror(errno));
		}
	}
	/*
	 * Replies of a big tree (100 KB and more) come from the heap, not a fresh mmap with
	 * its page faults for every call.
	 */
	mallopt(M_MMAP_THRESHOLD, 32 << 20);
	mallopt(M_TRIM_THRESHOLD, 64 << 20);

	/* Block the stop signals before nng starts threads, so only sigwait sees them. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (server_open(&cfg, &srv, why, sizeof(why)) != 0) {
		fprintf(stderr, "jixiaod: %s\n", why);
		config_free(conf);
		return EX_UNAVAILABLE;
	}
	printf("jixiaod: ready on %s\n", server_urls(srv));
	fflush(stdout);
	{
		char state[SERVER_MAX_LISTEN * 256 + 320];
		snprintf(state, sizeof(state), "READY=1\nSTATUS=serving %s", server_urls(srv));
		notify_send(state);
	}

	for (;;) {
		if (sigwait(&sigs, &sig) != 0)
			continue;
		if (sig != SIGHUP)
			break;
		/* SIGHUP (systemctl reload): the TLS certificate again, after a renewal. */
		notify_send("RELOADING=1");
		if (server_reload_tls(srv, cfg.tls_cert, cfg.tls_key, why, sizeof(why)) != 0)
			log_error("reload: %s; the old certificate stays", why);
		notify_send("READY=1");
	}
	log_info("stopping on signal %d", sig);
	notify_send("STOPPING=1");
	server_close(srv);
	config_free(conf);
	log_info("stopped");
	return 0;
}
