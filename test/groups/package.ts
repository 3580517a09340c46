/**
 * Test group: the packed package and its install (its API docs build in the checks group).
 * `npm test` runs each group in one process; test/groups.test.ts says why and keeps every test
 * file in exactly one group.
 */
import '../package/browser.test.ts';
import '../package/install.test.ts';
