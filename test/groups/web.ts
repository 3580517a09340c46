/**
 * Test group: the explorer page in Chromium and its server.
 * `npm test` runs each group in one process; test/groups.test.ts says why and keeps every test
 * file in exactly one group.
 */
import '../web/explorer-outputs.test.ts';
import '../web/explorer.test.ts';
import '../web/float32figures.test.ts';
import '../web/formula-field.test.ts';
import '../web/jobs.test.ts';
import '../web/serve.test.ts';
