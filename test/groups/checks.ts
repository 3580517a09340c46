/**
 * Test group: checks of the repository and of the package as users get it: every documentation
 * example runs as written, every benchmark block has its generator, the house rules hold
 * (ESLint, tsc), the API reference builds without warnings (TypeDoc), the groups keep every test
 * file; the packed package installed in a new project and its browser bundles; the explorer page
 * in Chromium and its server. Much of it waits on other processes (tsc, TypeDoc, npm, Chromium),
 * which the two other groups fill.
 * `npm test` runs each group in one process, the three side by side; test/groups.test.ts says why
 * and keeps every test file in exactly one group.
 */
import '../docs/benchmarks.test.ts';
import '../docs/examples.test.ts';
import '../groups.test.ts';
import '../house.test.ts';
import '../package/browser.test.ts';
import '../package/docs.test.ts';
import '../package/install.test.ts';
import '../web/explorer-outputs.test.ts';
import '../web/explorer.test.ts';
import '../web/float32figures.test.ts';
import '../web/formula-field.test.ts';
import '../web/jobs.test.ts';
import '../web/serve.test.ts';
