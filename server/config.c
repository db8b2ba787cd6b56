#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"

struct config {
	char **strings; /* what cfg points to */
	size_t n, cap;
	size_t nlisten; /* listen lines taken from the file */
};

int
config_parse_size(const char *s, size_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v == 0 || s[0] == '-' || s[0] == '+' ||
	    v > SIZE_MAX)
		return -1;
	*out = (size_t)v;
	return 0;
}

void
config_free(struct config *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->n; i++)
		free(c->strings[i]);
	free(c->strings);
	free(c);
}

static const char *
config_keep(struct config *c, const char *v)
{
	char *copy;

	if (c->n == c->cap) {
		size_t ncap = c->cap ? c->cap * 2 : 16;
		char **p = realloc(c->strings, ncap * sizeof(*p));
		if (p == NULL)
			return NULL;
		c->strings = p;
		c->cap = ncap;
	}
	if ((copy = strdup(v)) == NULL)
		return NULL;
	c->strings[c->n++] = copy;
	return copy;
}

static char *
config_trim(char *s)
{
	char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r' ||
	    end[-1] == '\n'))
		*--end = '\0';
	return s;
}

/* A string option: the file's value unless the command line gave one. */
static int
config_string(struct config *c, const char **field, const char *v, bool *oom)
{
	const char *kept;

	if (*field != NULL)
		return 0;
	if ((kept = config_keep(c, v)) == NULL) {
		*oom = true;
		return -1;
	}
	*field = kept;
	return 0;
}

/* One "key = value"; returns 0, or -1 with the reason in why (without the line). */
static int
config_apply(struct config *c, const char *key, const char *v, struct server_config *cfg,
    enum log_level *level, bool level_set, bool *oom, char *why, size_t whylen)
{
	size_t n;

	if (strcmp(key, "data") == 0)
		return config_string(c, &cfg->data_dir, v, oom);
	if (strcmp(key, "feed") == 0)
		return config_string(c, &cfg->feed, v, oom);
	if (strcmp(key, "tls_cert") == 0)
		return config_string(c, &cfg->tls_cert, v, oom);
	if (strcmp(key, "tls_key") == 0)
		return config_string(c, &cfg->tls_key, v, oom);
	if (strcmp(key, "metrics") == 0)
		return config_string(c, &cfg->metrics, v, oom);
	if (strcmp(key, "http") == 0)
		return config_string(c, &cfg->http, v, oom);
	if (strcmp(key, "listen") == 0) {
		const char *kept;
		/* The command line's addresses replace all of the file's. */
		if (cfg->nlisten > c->nlisten)
			return 0;
		if (cfg->nlisten == SERVER_MAX_LISTEN) {
			snprintf(why, whylen, "at most %d listen addresses", SERVER_MAX_LISTEN);
			return -1;
		}
		if ((kept = config_keep(c, v)) == NULL) {
			*oom = true;
			return -1;
		}
		cfg->listen[cfg->nlisten++] = kept;
		c->nlisten++;
		return 0;
	}
	if (strcmp(key, "log_level") == 0) {
		enum log_level l;
		if (log_parse_level(v, &l) != 0) {
			snprintf(why, whylen, "log_level is error, warn, info or debug, not %s", v);
			return -1;
		}
		if (!level_set)
			*level = l;
		return 0;
	}
	if (strcmp(key, "max_message_bytes") == 0 || strcmp(key, "map_size_bytes") == 0 ||
	    strcmp(key, "max_evidence_bytes") == 0 || strcmp(key, "max_store_bytes") == 0 ||
	    strcmp(key, "snapshot_every_bytes") == 0 ||
	    strcmp(key, "workers") == 0) {
		if (config_parse_size(v, &n) != 0 || (key[0] == 'w' && n > 65536)) {
			snprintf(why, whylen, "%s takes a positive whole number, not %s", key, v);
			return -1;
		}
		if (key[0] == 'w' && cfg->workers == 0)
			cfg->workers = (unsigned)n;
		else if (strcmp(key, "max_message_bytes") == 0 && cfg->max_message == 0)
			cfg->max_message = n;
		else if (strcmp(key, "map_size_bytes") == 0 && cfg->map_size == 0)
			cfg->map_size = n;
		else if (strcmp(key, "max_evidence_bytes") == 0 && cfg->max_evidence == 0)
			cfg->max_evidence = n;
		else if (strcmp(key, "max_store_bytes") == 0 && cfg->max_store == 0)
			cfg->max_store = n;
		else if (strcmp(key, "snapshot_every_bytes") == 0 && cfg->snapshot_every == 0)
			cfg->snapshot_every = n;
		return 0;
	}
	snprintf(why, whylen, "unknown key %s (known: data, listen, feed, tls_cert, tls_key, "
	    "metrics, http, log_level, max_message_bytes, map_size_bytes, max_evidence_bytes, "
	    "max_store_bytes, snapshot_every_bytes, workers)", key);
	return -1;
}

int
config_load(const char *path, struct server_config *cfg, enum log_level *level,
    bool level_set, struct config **cp, char *why, size_t whylen)
{
	char line[CONFIG_LINE_MAX + 2], reason[384];
	struct config *c;
	bool oom = false;
	int lineno = 0, rv = JX_OK;
	FILE *f;

	*cp = NULL;
	if ((f = fopen(path, "r")) == NULL) {
		snprintf(why, whylen, "cannot read the configuration %s: %s", path, strerror(errno));
		return JX_ENOTFOUND;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		fclose(f);
		snprintf(why, whylen, "out of memory");
		return JX_EINTERNAL;
	}
	/* Listen addresses from the command line count as set: the file's are not added. */
	c->nlisten = 0;
	while (fgets(line, sizeof(line), f) != NULL) {
		char *eq, *key, *v, *hash;
		lineno++;
		if (strchr(line, '\n') == NULL && !feof(f)) {
			snprintf(why, whylen, "%s:%d: the line is longer than %d bytes", path, lineno,
			    CONFIG_LINE_MAX);
			rv = JX_EINVAL;
			break;
		}
		if ((hash = strchr(line, '#')) != NULL)
			*hash = '\0';
		key = config_trim(line);
		if (*key == '\0')
			continue;
		if ((eq = strchr(key, '=')) == NULL) {
			snprintf(why, whylen, "%s:%d: expected key = value, not \"%s\"", path, lineno,
			    key);
			rv = JX_EINVAL;
			break;
		}
		*eq = '\0';
		key = config_trim(key);
		v = config_trim(eq + 1);
		if (*v == '\0') {
			snprintf(why, whylen, "%s:%d: %s has no value", path, lineno, key);
			rv = JX_EINVAL;
			break;
		}
		if (config_apply(c, key, v, cfg, level, level_set, &oom, reason,
		    sizeof(reason)) != 0) {
			if (oom)
				snprintf(why, whylen, "out of memory");
			else
				snprintf(why, whylen, "%s:%d: %s", path, lineno, reason);
			rv = oom ? JX_EINTERNAL : JX_EINVAL;
			break;
		}
	}
	if (rv == JX_OK && ferror(f)) {
		snprintf(why, whylen, "cannot read the configuration %s: %s", path, strerror(errno));
		rv = JX_EINTERNAL;
	}
	fclose(f);
	if (rv != JX_OK) {
		config_free(c);
		return rv;
	}
	*cp = c;
	return JX_OK;
}
