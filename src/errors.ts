/**
 * Errors as data (after zod's `{code, path, expected, received}`), turned into one sentence
 * in one place. `InputError` is bad usage or bad input (exit 2); `WorkError` is work that
 * could not be done within limits (exit 1); `SoundnessError` is knotnet catching itself
 * wrong — a measured error above the certified bound — (exit 3), never printed silently.
 * Each InputError of the core carries a stable
 * identity apart from its wording (after chebfun's error identifiers): the `field` of the
 * options at fault (e.g. `maxError`), a `code` saying what is wrong (e.g. `not-positive`), and
 * for keyed fields the `key` (the variable of `vars`, the subexpression of `ranges`). The CLI
 * maps fields to its flags (cli/flags.ts), the page to its form inputs (web/ui/app.ts).
 */

export interface InputIssue {
  /** The argument or field at fault as the message names it, e.g. `--domain` or `expression`. */
  argument: string;
  /** The rule that was broken, phrased to follow "must": e.g. `be a finite number`. */
  rule: string;
  /** The bad value as the user gave it. */
  value: unknown;
  /** The option at fault in the library's terms: `expr`, `domain`, `maxError`, `vars`, … (stable). */
  field?: string | undefined;
  /** What is wrong, stable across wording changes: `not-positive`, `empty-interval`, … */
  code?: string | undefined;
  /** Which entry of a keyed field: a variable of `vars`, a subexpression of `ranges`. */
  key?: string | undefined;
}

/** The stable identity of an input error (the InputError constructor's optional 4th argument). */
export interface InputId {
  field?: string | undefined;
  code?: string | undefined;
  key?: string | undefined;
}

/**
 * The CLI's flag of each field (cli/flags.ts prints with it). A core rule written with the
 * flag (`--domain`) is stated to library callers with the field (`domain`) instead.
 */
export const FIELD_FLAGS: Readonly<Record<string, string>> = {
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

/** `argument` in the library's terms: a leading flag of `field` (`--var x`) said as the field (`vars x`). */
function libraryArgument(argument: string, field: string | undefined): string {
  const flag = field !== undefined && Object.hasOwn(FIELD_FLAGS, field) ? FIELD_FLAGS[field]! : undefined;
  const named = flag?.startsWith('--') && (argument === flag || argument.startsWith(`${flag} `));
  return named ? field + argument.slice(flag!.length) : argument;
}

export function formatIssue(issue: InputIssue): string {
  const shown = typeof issue.value === 'string' ? JSON.stringify(issue.value) : String(issue.value);
  return `${issue.argument} must ${issue.rule} (got ${shown}).`;
}

/**
 * Bad usage or bad input (exit 2), as data: `issue` holds the argument, the rule, the value,
 * and the stable identity: `field` (the option at fault in the library's terms: `domain`,
 * `size.segments`, `vars`, …; the CLI says it as its flag) and `code` (what is wrong, stable
 * across wordings; test/library-options.test.ts keeps this list complete).
 *
 * Codes of the up-front checks (src/validate.ts): `not-object`, `unknown-option`,
 * `missing`, `wrong-type`, `not-one-of`, `not-whole`, `out-of-range`, `not-finite`,
 * `malformed` (a network or file), `wrong-length`.
 * Of formulas (expr/parse.ts, expr/calls.ts): `empty`, `syntax`, `too-long`, `too-deep`,
 * `too-large`, `not-plain`, `unknown-operator`, `unknown-function`, `arity`, `bad-name`,
 * `bad-names`, `no-parentheses`, `discontinuous`, `too-many-variables`, `variable-exponent`.
 * Of values and regions: `undefined-on-domain`, `undefined-on-range`, `division-by-zero`,
 * `unbounded`, `empty-interval`, `empty-region`, `not-positive`, `unknown-name`, `duplicate`,
 * `not-subexpression`, `no-overlap`, `not-affine`, `not-lowered`, `too-wide`,
 * `too-few-points`, `below-dtype-floor`, `below-float64-floor`, `unsupported`.
 * Of jumps and bands (--exclude): `jump-not-covered`, `nested-jump`, `too-many-jumps`.
 * Of constant subexpressions (sqrt(2), …) folded with their rounding charged: `too-many-kinks`,
 * `unbounded-slope`, `below-floor` (the tolerance is used up by that charge).
 * Of exports: `not-float32`, `float32-overflow`, `unknown-format`.
 * WorkError's `code`: `work-limit`, or `tolerance-not-met` (ToleranceError, with `why` and the
 * `best` reached); SoundnessError's: `unsound-certificate` (a bug in knotnet: a measured error
 * above the certified bound).
 */
export class InputError extends Error {
  readonly issue: InputIssue;
  /** `id`: the field, code and key (a bare string is the code). */
  constructor(argument: string, rule: string, value: unknown, id?: string | InputId) {
    const { field, code, key } = typeof id === 'string' ? { code: id } as InputId : id ?? {};
    const issue: InputIssue = { argument: libraryArgument(argument, field), rule, value,
      ...(field !== undefined ? { field } : {}), ...(code !== undefined ? { code } : {}),
      ...(key !== undefined ? { key } : {}) };
    super(formatIssue(issue));
    this.name = 'InputError';
    this.issue = issue;
  }

  /** The option at fault (see InputIssue.field). */
  get field(): string | undefined { return this.issue.field; }
  /** What is wrong (see InputIssue.code). */
  get code(): string | undefined { return this.issue.code; }
}

/**
 * Work that could not be done within limits (exit 1). `code`: `work-limit` (a stated limit of
 * segments, samples, time or size would be passed), `tolerance-not-met` (ToleranceError: the
 * tolerance cannot be reached within the limits), or a subclass's own.
 */
export class WorkError extends Error {
  constructor(message: string, readonly code: string = 'work-limit') {
    super(message);
    this.name = 'WorkError';
  }
}

/**
 * An internal soundness failure: a measured error (a proven lower bound of the true error)
 * above the certified bound. It is a bug in knotnet; the message asks for a report.
 */
export class SoundnessError extends Error {
  /** Always `unsound-certificate`. */
  readonly code = 'unsound-certificate';
  constructor(what: string, measured: number, certified: number) {
    super(`${what}: the measured max error ${measured} is above the certified bound ${certified}. This is a bug in ` +
      `knotnet (a certificate that does not hold); please report it with the command line you ran.`);
    this.name = 'SoundnessError';
  }
}

/**
 * Throws SoundnessError when a measured error exceeds the certified one beyond the rounding
 * of the measurement itself (2^−40 of the errors and of the function's scale).
 */
export function assertMeasuredWithinCertified(what: string, measured: number, certified: number, scale = 0): void {
  if (measured > certified + 2 ** -40 * (Math.abs(certified) + Math.abs(scale))) throw new SoundnessError(what,
    measured, certified);
}

/** Thrown inside CLI commands to end with a given exit code after output was printed. */
export class ExitCode extends Error {
  constructor(readonly code: number) { super(`exit ${code}`); }
}
