// The CLI as the installed package runs it (bin/knotnet.js's dist/ branch), for spawned test runs
// when dist/ is fresh (test/support/cli.ts CLI_ENTRY): no tsx, so a run starts in a fraction of the time.
import { main } from '../../dist/cli/main.js';

process.exitCode = await main(process.argv);
