/*
 * The store's depth and size invariants, checked from outside against a running test
 * daemon (jxd_stop runs it before every stop, so every integration test that writes
 * is checked after its writes). In every workspace:
 *   - Tree.GetTree lists every indicator once, in depth-first order, none deeper than
 *     TREE_DEPTH_MAX levels: nothing stored is hidden from the views, the score or
 *     the content digest (which the server and jx compute over exactly that list);
 *   - the history holds exactly the indicators listed: jx verify WS replays the
 *     workspace's records (a source independent of the tree walk), finds every one of
 *     them reached from the top level, and passes.
 * Fails the test naming the workspace and what does not hold.
 */
#ifndef JX_TEST_INVARIANT_H
#define JX_TEST_INVARIANT_H

struct jxd;

void invariant_check(struct jxd *d);

#endif
