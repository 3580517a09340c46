/** knotnet's version, as `--version` prints it and reports record it (package.json's). */
export const VERSION = '0.1.0';

/** The command line as typed, for a report to record: `knotnet` and the arguments, quoted where needed. */
export function commandLine(rawArgs: readonly string[]): string {
  const quote = (a: string) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, "'\\''")}'`);
  return ['knotnet', ...rawArgs.slice(2).map(quote)].join(' ');
}
