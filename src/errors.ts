/**
 * Errors as data (after zod's `{code, path, expected, received}`), turned into one sentence
 * in one place. `InputError` is bad usage or bad input (exit 2); `WorkError` is work that
 * could not be done within limits (exit 1); `SoundnessError` is knotnet catching itself
 * wrong — a measured error above the certified bound — (exit 3), never printed silently.
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

/**
 * An internal soundness failure: a measured error (a proven lower bound of the true error)
 * above the certified bound. It is a bug in knotnet; the message asks for a report.
 */
export class SoundnessError extends Error {
  constructor(what: string, measured: number, certified: number) {
    super(`${what}: the measured max error ${measured} is above the certified bound ${certified}. This is a bug in knotnet (a certificate that does not hold); please report it with the command line you ran.`);
    this.name = 'SoundnessError';
  }
}

/**
 * Throws SoundnessError when a measured error exceeds the certified one beyond the rounding
 * of the measurement itself (2^−40 of the errors and of the function's scale).
 */
export function assertMeasuredWithinCertified(what: string, measured: number, certified: number, scale = 0): void {
  if (measured > certified + 2 ** -40 * (Math.abs(certified) + Math.abs(scale))) throw new SoundnessError(what, measured, certified);
}
