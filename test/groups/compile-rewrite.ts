/**
 * Test group: the compiler's rewrites of a formula: norms and folds, constant folding and
 * rewriting (split off the compile group so the two halves run side by side in `npm test`).
 * `npm test` runs each group in one process; test/groups.test.ts says why and keeps every test
 * file in exactly one group.
 */
import '../compile/constants.test.ts';
import '../compile/fold.test.ts';
import '../compile/norm.test.ts';
import '../compile/rewrite.test.ts';
import '../compile/rewritecompile.test.ts';
