/*
 * jixiaod --config FILE: "key = value" lines ('#' starts a comment), the format of
 * deploy/jixiaod.conf.example. A value the command line gave wins over the file's.
 */
#ifndef JX_CONFIG_H
#define JX_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "log.h"
#include "server.h"

/* Longest line read; a longer one is an error naming it. */
#define CONFIG_LINE_MAX 4096

struct config;

/*
 * Reads path into cfg and *level, leaving alone each field the command line set (a
 * string or number already non-zero, listen addresses when there are any, the level
 * when level_set). An unknown key, a bad value or a line too long is an error naming
 * the file and line in why. On success *cp owns the strings cfg now points to: free it
 * with config_free after the server is closed.
 */
int config_load(const char *path, struct server_config *cfg, enum log_level *level,
    bool level_set, struct config **cp, char *why, size_t whylen);
/* Accepts NULL. */
void config_free(struct config *c);

/* A positive decimal number of bytes (or items), as the options take it. 0 or -1. */
int config_parse_size(const char *s, size_t *out);

#endif
