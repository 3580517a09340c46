/**
 * Test group: the command line, in process and spawned.
 * `npm test` runs each group in one process; test/groups.test.ts says why and keeps every test
 * file in exactly one group.
 */
import '../cli/approx.test.ts';
import '../cli/certify.test.ts';
import '../cli/check-outputs.test.ts';
import '../cli/check.test.ts';
import '../cli/compile.test.ts';
import '../cli/demo-float32.test.ts';
import '../cli/exclude.test.ts';
import '../cli/explore.test.ts';
import '../cli/files.test.ts';
import '../cli/fit.test.ts';
import '../cli/functions.test.ts';
import '../cli/interrupt.test.ts';
import '../cli/leftovers.test.ts';
import '../cli/limits.test.ts';
import '../cli/main.test.ts';
import '../cli/messages.test.ts';
import '../cli/outputs-overlap.test.ts';
import '../cli/outputs-own.test.ts';
import '../cli/parse.test.ts';
import '../cli/pipe.test.ts';
import '../cli/predict-outputs.test.ts';
import '../cli/predict.test.ts';
import '../cli/progress.test.ts';
import '../cli/read-limits.test.ts';
import '../cli/runtimes.test.ts';
import '../cli/table.test.ts';
import '../cli/truth.test.ts';
