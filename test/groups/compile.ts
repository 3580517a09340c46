/**
 * Test group: the compiler.
 * `npm test` runs each group in one process; test/groups.test.ts says why and keeps every test
 * file in exactly one group.
 */
import '../compile/approxbands.test.ts';
import '../compile/budget.test.ts';
import '../compile/compile.test.ts';
import '../compile/deep.test.ts';
import '../compile/domainclamp.test.ts';
import '../compile/exactarg.test.ts';
import '../compile/exclude.test.ts';
import '../compile/float32outputs.test.ts';
import '../compile/fold.test.ts';
import '../compile/functions.test.ts';
import '../compile/fuse.test.ts';
import '../compile/norm.test.ts';
import '../compile/outputs.test.ts';
import '../compile/piece.test.ts';
import '../compile/ranges.test.ts';
import '../compile/region.test.ts';
import '../compile/rewrite.test.ts';
import '../compile/rewritecompile.test.ts';
import '../compile/constants.test.ts';
