/**
 * The CLI's names for the core's fields, in one table: a core InputError names the option at
 * fault by its field (`maxError`), and the CLI says it as its flag (`--max-error`). Keyed
 * fields add the key (`--var dx`, `--range dx^2+dy^2`).
 */
import { formatIssue, type InputIssue } from '../errors.ts';

export const FLAGS: Readonly<Record<string, string>> = {
  expr: 'expression',
  domain: '--domain',
  knots: '--knots',
  spacing: '--spacing',
  maxError: '--max-error',
  rmsError: '--rms-error',
  vars: '--var',
  ranges: '--range',
  exclude: '--exclude',
  dtype: '--dtype',
  path: '--export',
  seed: '--seed',
};

/** The issue's argument as the CLI names it: its field's flag (and key), else as given. */
export function cliArgument(issue: InputIssue): string {
  const flag = issue.field !== undefined ? FLAGS[issue.field] : undefined;
  // An argument that already names the flag keeps its detail ("--spacing (segments it makes)").
  if (flag === undefined || issue.argument.startsWith(flag)) return issue.argument;
  return issue.key !== undefined ? `${flag} ${issue.key}` : flag;
}

/** The one-sentence message the CLI prints for a bad input. */
export function cliMessage(issue: InputIssue): string {
  return formatIssue({ ...issue, argument: cliArgument(issue) });
}
