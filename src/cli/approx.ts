import type { Command } from 'commander';
import { InputError, WorkError } from '../errors.ts';
import { approximate, DEFAULT_MAX_SECONDS, DEFAULT_MAX_SEGMENTS, MAX_SEGMENTS_LIMIT, ToleranceError,
  type ApproxResult, type SizeBy } from '../approx/approximate.ts';
import type { FitKind } from '../approx/fit.ts';
import type { Placement } from '../approx/placement.ts';
import { parseFormula } from '../expr/parse.ts';
import { collect, parseChoice, parseCount, parseInterval, parsePositive } from './args.ts';
import { approximateOutsideBands } from '../compile/approxbands.ts';
import { approxDeep } from './approx-deep.ts';
import { approxSummary, float32Summary, renderApprox } from './approx-render.ts';
import { networkOutputOptions, saveOutputs, wroteLine } from './outputs.ts';
import { progress, type Progress } from './progress.ts';
import { CLAMP_SEGMENTS_LIMIT, float32Layout, type Float32Layout } from '../approx/clampform.ts';
import { accurateFunction } from '../expr/accurate.ts';

export { approxSummary, minimality } from './approx-render.ts';

/** approx's flags as commander hands them over (strings, as typed; defaults filled in). */
export interface ApproxFlags {
  deep?: boolean;
  levels?: string;
  domain?: string;
  knots?: string;
  spacing?: string;
  maxError?: string;
  rmsError?: string;
  relative?: boolean;
  placement: string;
  fit?: string;
  maxSegments: string;
  maxSeconds?: string;
  json?: boolean;
  save?: string;
  export?: string[];
  dtype: string;
  force?: boolean;
  exclude?: string[];
}

/** approx's request (without --deep), every flag parsed and checked. */
export interface ApproxRequest {
  expr: string; domain: [number, number]; size: SizeBy; maxSegments: number; maxSeconds: number;
  relative: boolean | undefined;
  placement: Placement; fit: FitKind | undefined; dtype: 'float64' | 'float32';
  /** The max error asked for in absolute terms (--max-error without --relative): float32 artifacts are held to it. */
  tolerance: number | undefined;
}

export function registerApprox(program: Command): void {
  networkOutputOptions(program
    .command('approx')
    .description('Approximate a one-variable formula by a one-hidden-layer ReLU network (one ReLU per segment) with ' +
      'a certified max error.')
    .argument('<expr>', 'formula in one variable, e.g. "sqrt(x)" or "x^2"')
    .option('--domain <a:b>', 'the interval to cover, e.g. 0:1 or 1e6:1e7')
    .option('--knots <N>', 'use N segments (N ReLUs)')
    .option('--spacing <h>', 'knots every h from the left end (the last segment ends at b)')
    .option('--max-error <E>', 'fewest segments whose certified max error is <= E')
    .option('--rms-error <E>', 'fewest segments whose measured RMS error is <= E')
    .option('--relative', 'tolerances are relative to max |f| on the domain')
    .option('--placement <p>',
      'knot placement: optimal (fewest segments for --max-error, least error for --knots) | equidistribute | ' +
      'uniform', 'optimal')
    .option('--fit <f>', 'interpolate | minimax | lsq (default: minimax, lsq for --rms-error)')
    .option('--max-segments <N>', 'limit for sizing', String(DEFAULT_MAX_SEGMENTS))
    .option('--max-seconds <s>', 'refuse at once a --max-error build whose estimated time (from the segments it ' +
      'needs) is longer', String(DEFAULT_MAX_SECONDS))
    .option('--dtype <t>', 'dtype of exported weights: float64 | float32', 'float64')
    .option('--exclude <x=c±w>', 'cut the band |x − c| < w out of the certified domain (repeatable, with ' +
      '--max-error); jumps (sign, floor, step, comparisons, …) are accepted when the bands cover them', collect, [])
    .option('--deep', 'x² and a·x²+b·x+c: build by deep sawtooth squaring (with --levels m or --max-error E)')
    .option('--levels <m>', 'sawtooth levels for --deep (error (hi)²·2^(−2m−2))'))
    .addHelpText('after', `
Examples:
  knotnet approx "x^2" --domain 1e6:1e7 --knots 90 --placement uniform --fit interpolate
  knotnet approx "sqrt(x)" --domain 0:1 --max-error 1e-4 --save sqrt.json`)
    .action(approxAction);
}

/** Parse the flags, check the output paths, size the network (and its float32 layout), write, print. */
async function approxAction(expr: string, flags: ApproxFlags): Promise<void> {
  const started = performance.now();
  if (!flags.domain) throw new InputError('--domain', 'be given as a:b', 'nothing');
  const domain = parseInterval(flags.domain, '--domain');
  refuseUnread(flags);
  if (flags.deep) return approxDeep(expr, domain, flags);
  const req = parseApproxFlags(expr, domain, flags);
  const saver = saveOutputs({ save: flags.save, exports: flags.export ?? [], dtype: req.dtype, force: flags.force,
    tolerance: req.tolerance });
  const { r, f32 } = flags.exclude?.length ? { r: runBanded(req, flags.exclude), f32: undefined } : runApprox(req);
  const exclude = r.exclude ? { exclude: r.exclude } : {};
  const seconds = (performance.now() - started) / 1000;
  await saver.write(f32 ? f32.network : r.network, {
    expr: r.expr,
    domain: { [r.variable]: r.domain }, ...exclude,
    error: { certifiedMax: f32 ? f32.certifiedMax : r.certifiedMax, measuredMax: r.measuredMax,
      measuredRms: r.measuredRms },
    knots: Array.from(r.pwl.x),
  }, [[r.domain[0]], [r.domain[1]]], undefined,
  f32 ? { r64: f32.roundingBound, r32: f32.roundingBoundFloat32,
    outputMagnitude: r.scale } : { outputMagnitude: r.scale });
  const summary = { ...approxSummary(r, seconds), ...(f32 ? float32Summary(f32) : {}) };
  if (flags.json) process.stdout.write(`${JSON.stringify({ ...summary, files: saver.written })}\n`);
  else process.stdout.write(`${renderApprox(r, seconds, f32)}${wroteLine(saver.written)}\n`);
}

/**
 * Options the chosen build would not read are refused, never silently ignored: --deep reads
 * only --levels or --max-error and --dtype; --exclude builds each piece with the optimal
 * placement and the minimax fit; --levels goes with --deep.
 */
export function refuseUnread(flags: ApproxFlags): void {
  if (!flags.deep && flags.levels !== undefined) throw new InputError('--levels', 'go with --deep', flags.levels);
  const unread: [string, unknown][] = !flags.deep ? [] : [
    ['--knots', flags.knots], ['--spacing', flags.spacing], ['--rms-error', flags.rmsError],
    ['--relative', flags.relative ? 'set' : undefined], ['--fit', flags.fit],
    ['--exclude', flags.exclude?.length ? flags.exclude.join(' ') : undefined],
    ['--placement', flags.placement === 'optimal' ? undefined : flags.placement],
    ['--max-segments', Number(flags.maxSegments) === DEFAULT_MAX_SEGMENTS ? undefined : flags.maxSegments],
    ['--max-seconds', secondsGiven(flags)]];
  for (const [name, value] of unread) {
    if (value !== undefined) throw new InputError(name, 'not be given with --deep, which does not read it', value);
  }
  if (!flags.exclude?.length) return;
  const seconds = secondsGiven(flags);
  if (seconds !== undefined) {
    throw new InputError('--max-seconds', 'not be given with --exclude, which does not read it', seconds);
  }
  if (flags.placement !== 'optimal') {
    throw new InputError('--placement', 'be optimal with --exclude (each piece gets the fewest segments)',
      flags.placement);
  }
  if (flags.fit !== undefined && flags.fit !== 'minimax') {
    throw new InputError('--fit', 'be minimax with --exclude (each piece is fitted by minimax)', flags.fit);
  }
}

/** --max-seconds when given other than its default. */
function secondsGiven(flags: ApproxFlags): string | undefined {
  return flags.maxSeconds === undefined || Number(flags.maxSeconds) === DEFAULT_MAX_SECONDS ? undefined
    : flags.maxSeconds;
}

/** approx's flags (but --domain and --deep) as a request: pure. */
export function parseApproxFlags(expr: string, domain: [number, number], flags: ApproxFlags): ApproxRequest {
  const given = (['knots', 'spacing', 'maxError', 'rmsError'] as const).filter((k) => flags[k] !== undefined);
  if (given.length !== 1) {
    const got = given.length ? given.map(flagName).join(' and ') : 'none';
    throw new InputError('approx', 'get exactly one of --knots, --spacing, --max-error, --rms-error', got);
  }
  const maxSegments = parseCount(flags.maxSegments, '--max-segments', MAX_SEGMENTS_LIMIT);
  let size: SizeBy;
  if (flags.knots !== undefined) size = { kind: 'knots', segments: parseCount(flags.knots, '--knots', maxSegments) };
  else if (flags.spacing !== undefined) size = { kind: 'spacing', h: parsePositive(flags.spacing, '--spacing') };
  else if (flags.maxError !== undefined) size = { kind: 'maxError',
    error: parsePositive(flags.maxError, '--max-error') };
  else size = { kind: 'rmsError', error: parsePositive(flags.rmsError!, '--rms-error') };
  const maxSeconds = parsePositive(flags.maxSeconds ?? String(DEFAULT_MAX_SECONDS), '--max-seconds');
  if (size.kind !== 'maxError' && secondsGiven(flags) !== undefined) {
    throw new InputError('--max-seconds', 'go with --max-error (the builds it estimates)', flags.maxSeconds);
  }
  const placement = parseChoice(flags.placement, '--placement', ['uniform', 'optimal', 'equidistribute'] as const);
  const fit = flags.fit === undefined ? undefined : parseChoice(flags.fit, '--fit',
    ['interpolate', 'minimax', 'lsq'] as const);
  const dtype = parseChoice(flags.dtype, '--dtype', ['float64', 'float32'] as const);
  const tolerance = size.kind === 'maxError' && !flags.relative ? size.error : undefined;
  return { expr, domain, size, maxSegments, maxSeconds, relative: flags.relative, placement, fit, dtype, tolerance };
}

/** approx --exclude: float64, --max-error in absolute terms (compile/approxbands.ts). */
function runBanded(req: ApproxRequest, exclude: string[]): ApproxResult {
  if (req.dtype !== 'float64' || req.relative) {
    throw new InputError('--exclude', 'go with --dtype float64 and an absolute --max-error in approx',
      req.relative ? '--relative' : `--dtype ${req.dtype}`, { field: 'exclude', code: 'unsupported' });
  }
  const bar = progress('sizing');
  try {
    return approximateOutsideBands({ expr: req.expr, domain: req.domain, size: req.size, maxSegments: req.maxSegments,
      exclude, onTrial: (t) => bar.update(`${t.segments} segments -> error ${t.error.toPrecision(4)}`) });
  } finally {
    bar.done();
  }
}

function flagName(k: string): string {
  return `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/**
 * Sizes the one-layer network; with --dtype float32 also its clamp form (2 ReLUs per segment,
 * 2 layers), whose float32 error stays near the size of the values, sized again when float32
 * rounding eats the margin.
 */
export function runApprox(req: ApproxRequest): { r: ApproxResult; f32: Float32Layout | undefined } {
  const bar = progress('sizing');
  const { expr, domain, placement, fit, relative, maxSegments, maxSeconds } = req;
  const run = (size: SizeBy) => approximate({
    expr, domain, size, placement, fit, relative, maxSegments, maxSeconds,
    onTrial: (t) => { bar.step('sizing'); bar.update(`${t.segments} segments -> error ${t.error.toPrecision(4)}`); },
    onProgress: (stage, detail) => { bar.step(`sizing, ${stage}`); bar.update(detail); },
  });
  let r = run(req.size);
  let f32: Float32Layout | undefined;
  if (req.dtype === 'float32' && r.segments <= CLAMP_SEGMENTS_LIMIT) ({ r, f32 } = float32Sized(r, req.tolerance, run,
    bar));
  bar.done();
  return { r, f32 };
}

/** The clamp form of `r`; when float32 rounding pushes it past `tol`, the network sized again for the rest. */
function float32Sized(r: ApproxResult, tol: number | undefined, run: (size: SizeBy) => ApproxResult, bar: Progress) {
  const f = accurateFunction(parseFormula(r.expr).expr, [r.variable]);
  bar.step('float32 analysis');
  bar.update(`clamp layout of ${r.segments} segments`);
  let f32: Float32Layout | undefined = float32Layout(r, f);
  if (tol !== undefined && f32.certifiedMaxFloat32 > tol && f32.roundingBoundFloat32 < 0.8 * tol) {
    bar.step('sizing for float32');
    const rounding = f32.roundingBoundFloat32;
    r = float32Resize(() => run({ kind: 'maxError', error: tol - 1.2 * rounding }), tol, rounding);
    f32 = r.segments <= CLAMP_SEGMENTS_LIMIT ? float32Layout(r, f) : undefined;
  }
  return { r, f32 };
}

/**
 * The float32 re-run asks the search for the tolerance minus the float32 rounding: a number
 * the user never typed. Its failure is said with the user's --max-error and the rounding.
 */
function float32Resize<T>(resize: () => T, tol: number, rounding32: number): T {
  try {
    return resize();
  } catch (e) {
    if (!(e instanceof ToleranceError)) throw e;
    const reached = e.best
      ? `the approximation itself came down only to ${e.best.error.toPrecision(3)} (${e.best.segments} segments)`
      : 'the approximation would need more segments than --max-segments allows';
    throw new WorkError(`--max-error ${tol} cannot be met in float32: float32 rounding takes up to ` +
      `${rounding32.toPrecision(3)} of it, and ${reached}; raise --max-error or use --dtype float64.`);
  }
}
