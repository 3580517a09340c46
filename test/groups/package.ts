/**
 * Test group: the packed package, its install and its API docs.
 * `npm test` runs each group in one process; test/groups.test.ts says why and keeps every test
 * file in exactly one group.
 */
import '../package/browser.test.ts';
import '../package/docs.test.ts';
import '../package/install.test.ts';
