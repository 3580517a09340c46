/**
 * Test group: the compiler: planning, pieces, domains, functions, fusion and T3's builds
 * (its rewrites, norms and several outputs are the compile-rewrite group, split off so the two
 * halves run side by side in `npm test`).
 * `npm test` runs each group in one process; test/groups.test.ts says why and keeps every test
 * file in exactly one group.
 */
import '../compile/budget.test.ts';
import '../compile/compile.test.ts';
import '../compile/deep.test.ts';
import '../compile/domainclamp.test.ts';
import '../compile/exactarg.test.ts';
import '../compile/functions.test.ts';
import '../compile/fuse.test.ts';
import '../compile/piece.test.ts';
import '../compile/ranges.test.ts';
import '../compile/region.test.ts';
