/**
 * Test group: checks of the repository as a whole: every documentation example runs as written,
 * every benchmark block has its generator, the house rules hold (ESLint, tsc), the API reference
 * builds without warnings (TypeDoc), the groups keep every test file. Its name sorts it right
 * after approx, so this long group starts early in `npm test` (Node's runner starts the groups
 * in name order).
 * `npm test` runs each group in one process; test/groups.test.ts says why and keeps every test
 * file in exactly one group.
 */
import '../docs/benchmarks.test.ts';
import '../docs/examples.test.ts';
import '../groups.test.ts';
import '../house.test.ts';
import '../package/docs.test.ts';
