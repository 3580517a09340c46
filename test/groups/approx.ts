/**
 * Test group: one-variable approximation.
 * `npm test` runs each group in one process; test/groups.test.ts says why and keeps every test
 * file in exactly one group.
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
