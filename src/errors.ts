/**
 * Errors as data (after zod's `{code, path, expected, received}`), turned into one sentence
 * in one place. `InputError` is bad usage or bad input (exit 2); `WorkError` is work that
 * could not be done within limits (exit 1).
 */

export interface InputIssue {
  /** The argument or field at fault, e.g. `--domain` or `expression`. */
  argument: string;
  /** The rule that was broken, phrased to follow "must": e.g. `be a finite number`. */
  rule: string;
  /** The bad value as the user gave it. */
  value: unknown;
}

export function formatIssue(issue: InputIssue): string {
  const shown = typeof issue.value === 'string' ? JSON.stringify(issue.value) : String(issue.value);
  return `${issue.argument} must ${issue.rule} (got ${shown}).`;
}

export class InputError extends Error {
  readonly issue: InputIssue;
  constructor(argument: string, rule: string, value: unknown) {
    const issue = { argument, rule, value };
    super(formatIssue(issue));
    this.name = 'InputError';
    this.issue = issue;
  }
}

export class WorkError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WorkError';
  }
}
