/**
 * The CLI's names for the core's fields, in one table: a core InputError names the option at
 * fault by its field (`maxError`), and the CLI says it as its flag (`--max-error`). Keyed
 * fields add the key (`--var dx`, `--range dx^2+dy^2`).
 */
import { FIELD_FLAGS, formatIssue, type InputIssue } from '../errors.ts';

/** The table lives beside the errors (errors.ts FIELD_FLAGS): the core states its rules with the fields. */
export const FLAGS = FIELD_FLAGS;

/** The issue's argument as the CLI names it: its field's flag (and key), else as given. */
export function cliArgument(issue: InputIssue): string {
  const field = issue.field;
  const flag = field !== undefined && Object.hasOwn(FLAGS, field) ? FLAGS[field] : undefined;
  // An argument that already names the flag keeps its detail ("--spacing (segments it makes)"), as does one that
  // names the field ("spacing (segments it makes)" → "--spacing (segments it makes)").
  if (flag === undefined || issue.argument.startsWith(flag)) return issue.argument;
  const named = issue.argument === field || issue.argument.startsWith(`${field} `);
  if (named) return flag + issue.argument.slice(field!.length);
  return issue.key !== undefined ? `${flag} ${issue.key}` : flag;
}

/** The one-sentence message the CLI prints for a bad input. */
export function cliMessage(issue: InputIssue): string {
  return formatIssue({ ...issue, argument: cliArgument(issue) });
}
