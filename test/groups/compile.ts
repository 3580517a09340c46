/**
 * Test group: the compiler: planning, pieces, domains, functions, fusion, several outputs,
 * excluded bands, T3 (its rewrites and norms are the compile-rewrite group, split off so the
 * two halves run side by side in `npm test`).
 * `npm test` runs each group in one process; test/groups.test.ts says why and keeps every test
 * file in exactly one group.
 */
import '../compile/approxbands.test.ts';
import '../compile/budget.test.ts';
import '../compile/coefficients.test.ts';
import '../compile/compile.test.ts';
import '../compile/deep.test.ts';
import '../compile/domainclamp.test.ts';
import '../compile/exactarg.test.ts';
import '../compile/exclude.test.ts';
import '../compile/float32outputs.test.ts';
import '../compile/functions.test.ts';
import '../compile/fuse.test.ts';
import '../compile/outputs.test.ts';
import '../compile/piece.test.ts';
import '../compile/ranges.test.ts';
import '../compile/region.test.ts';
