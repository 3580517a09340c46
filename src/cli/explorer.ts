import { spawn } from 'node:child_process';
import type { Command } from 'commander';
import { InputError } from '../errors.ts';
import { EXPLORER_PAGE, requireRuntimes } from '../runtime/preflight.ts';
import { startExplorer } from '../web/serve.ts';

export function registerExplore(program: Command): void {
  program
    .command('explore')
    .description('Serve the explorer page on localhost: build networks in the browser, see knots and errors, ' +
      'download artifacts.')
    .option('--port <P>', 'port on 127.0.0.1 (0 = any free port)', '8377')
    .option('--open-browser <yes|no>', 'open the page in the default browser', 'no')
    .addHelpText('after', '\nExample:\n  knotnet explore --port 8377    # then open the printed URL')
    .action(async (flags: { port: string; openBrowser: string }) => {
      const port = Number(flags.port);
      if (!/^\d+$/.test(flags.port.trim()) || port > 65535) throw new InputError('--port',
        'be a whole number from 0 to 65535', flags.port);
      if (flags.openBrowser !== 'yes' && flags.openBrowser !== 'no') throw new InputError('--open-browser',
        'be yes or no', flags.openBrowser);
      requireRuntimes([EXPLORER_PAGE]);
      let server;
      try {
        server = await startExplorer({ port });
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EADDRINUSE') throw new InputError('--port', 'be a free port (another program listens on it)',
          flags.port);
        throw e;
      }
      process.stdout.write(`knotnet explorer at ${server.url} (Ctrl-C to stop)\n`);
      if (flags.openBrowser === 'yes') openBrowser(server.url);
      await new Promise<void>((resolve) => {
        const stop = () => { void server.close().then(resolve); };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
}

/** Asks the desktop to open the URL; without one (a server, a container) says so and goes on. */
function openBrowser(url: string): void {
  const [cmd, args] = process.platform === 'darwin' ? ['open', [url]]
    : process.platform === 'win32' ? ['cmd', ['/c', 'start', '', url]]
    : ['xdg-open', [url]];
  const note = () => process.stderr.write(`knotnet: could not open a browser (${cmd}); open ${url} yourself\n`);
  try {
    const child = spawn(cmd, args, { stdio: 'ignore', detached: true });
    child.once('error', note);
    child.once('exit', (code) => { if (code) note(); });
    child.unref();
  } catch {
    note();
  }
}
