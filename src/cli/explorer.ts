import type { Command } from 'commander';
import { InputError } from '../errors.ts';
import { startExplorer } from '../web/serve.ts';

export function registerExplore(program: Command): void {
  program
    .command('explore')
    .description('Serve the explorer page on localhost: build networks in the browser, see knots and errors, download artifacts.')
    .option('--port <P>', 'port on 127.0.0.1 (0 = any free port)', '8377')
    .addHelpText('after', '\nExample:\n  knotnet explore --port 8377    # then open the printed URL')
    .action(async (flags: { port: string }) => {
      const port = Number(flags.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InputError('--port', 'be a whole number from 0 to 65535', flags.port);
      let server;
      try {
        server = await startExplorer({ port });
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EADDRINUSE') throw new InputError('--port', 'be a free port', flags.port);
        throw e;
      }
      process.stdout.write(`knotnet explorer at ${server.url} (Ctrl-C to stop)\n`);
      await new Promise<void>((resolve) => {
        const stop = () => { void server.close().then(resolve); };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
}
