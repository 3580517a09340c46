/**
 * Test group: one-variable approximation and the compiler (planning, pieces, domains, functions,
 * fusion, several outputs, excluded bands, rewrites, norms and folds, T3): one process, so the
 * compile pipeline is loaded and warmed once.
 * `npm test` runs each group in one process, the three side by side; test/groups.test.ts says why
 * and keeps every test file in exactly one group.
 */
import '../approx/approximate.test.ts';
import '../approx/cancelling.test.ts';
import '../approx/certify.test.ts';
import '../approx/clampform.test.ts';
import '../approx/datafit.test.ts';
import '../approx/fardomains.test.ts';
import '../approx/fit.test.ts';
import '../approx/functions.test.ts';
import '../approx/kinks.test.ts';
import '../approx/measure.test.ts';
import '../approx/minimal.test.ts';
import '../approx/minlink.test.ts';
import '../approx/placement.test.ts';
import '../approx/pwl.test.ts';
import '../approx/soundness.test.ts';
import '../approx/target.test.ts';
import '../compile/approxbands.test.ts';
import '../compile/budget.test.ts';
import '../compile/coefficients.test.ts';
import '../compile/compile.test.ts';
import '../compile/constants.test.ts';
import '../compile/cost.test.ts';
import '../compile/costconstant.test.ts';
import '../compile/deep.test.ts';
import '../compile/domainclamp.test.ts';
import '../compile/exactarg.test.ts';
import '../compile/exclude.test.ts';
import '../compile/float32cert.test.ts';
import '../compile/float32outputs.test.ts';
import '../compile/fold.test.ts';
import '../compile/foldbase.test.ts';
import '../compile/functions.test.ts';
import '../compile/fuse.test.ts';
import '../compile/norm.test.ts';
import '../compile/outputs.test.ts';
import '../compile/piece.test.ts';
import '../compile/ranges.test.ts';
import '../compile/region.test.ts';
import '../compile/rewrite.test.ts';
import '../compile/rewritecompile.test.ts';
import '../net/exactrows.test.ts';
