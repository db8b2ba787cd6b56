/* Making the workspaces tests write to, through a real client. */
#ifndef JX_FLATWS_H
#define JX_FLATWS_H

#include <stdint.h>

#include "client.h"

/*
 * Creates a key-evaluation workspace (subject, year) and imports n level-1 indicators
 * with these codes and names, each of weight (hundredths), in one Tree.Import. Returns
 * the workspace's id; *revision (if not NULL) is the workspace revision after the import.
 * Fails the test on any error.
 */
uint64_t jxtest_flat_workspace(struct client *cl, const char *subject, uint32_t year, int n,
    char *const *codes, char *const *names, int64_t weight, uint64_t *revision);

#endif
