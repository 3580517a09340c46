import type { Command } from 'commander';
import { InputError, WorkError } from '../errors.ts';
import { approximate, MAX_SEGMENTS_LIMIT, ToleranceError, type ApproxResult, type SizeBy } from '../approx/approximate.ts';
import { networkSummary } from '../net/network.ts';
import { compileFormula } from '../compile/compile.ts';
import { parseFormula } from '../expr/parse.ts';
import type { Expr } from '../expr/ast.ts';
import { derivative } from '../expr/derivative.ts';
import { enclose } from '../expr/interval.ts';
import { fmt } from '../report/format.ts';
import { parseChoice, parseCount, parseInterval, parsePositive } from './args.ts';
import { FORCE_HELP, saveOutputs } from './outputs.ts';
import { renderPairs } from './table.ts';
import { progress, QUIET_HELP } from './progress.ts';
import { CLAMP_SEGMENTS_LIMIT, float32Layout, type Float32Layout } from '../approx/float32.ts';
import { accurateFunction } from '../expr/accurate.ts';

interface ApproxFlags {
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
  json?: boolean;
  save?: string;
  export?: string[];
  dtype: string;
  force?: boolean;
}

export function registerApprox(program: Command): void {
  program
    .command('approx')
    .description('Approximate a one-variable formula by a one-hidden-layer ReLU network (one ReLU per segment) with a certified max error.')
    .argument('<expr>', 'formula in one variable, e.g. "sqrt(x)" or "x^2"')
    .option('--domain <a:b>', 'the interval to cover, e.g. 0:1 or 1e6:1e7')
    .option('--knots <N>', 'use N segments (N ReLUs)')
    .option('--spacing <h>', 'knots every h from the left end (the last segment ends at b)')
    .option('--max-error <E>', 'fewest segments whose certified max error is <= E')
    .option('--rms-error <E>', 'fewest segments whose measured RMS error is <= E')
    .option('--relative', 'tolerances are relative to max |f| on the domain')
    .option('--placement <p>', 'knot placement: optimal (fewest segments for --max-error, least error for --knots) | equidistribute | uniform', 'optimal')
    .option('--fit <f>', 'interpolate | minimax | lsq (default: minimax, lsq for --rms-error)')
    .option('--max-segments <N>', 'limit for sizing', '1000000')
    .option('--dtype <t>', 'dtype of exported weights: float64 | float32', 'float64')
    .option('--deep', 'x² and a·x²+b·x+c: build by deep sawtooth squaring (with --levels m or --max-error E)')
    .option('--levels <m>', 'sawtooth levels for --deep (error (hi)²·2^(−2m−2))')
    .option('--json', 'print one JSON object instead of the table')
    .option('--quiet', QUIET_HELP)
    .option('--save <file.json>', 'write the network in knotnet JSON form')
    .option('--export <file...>', 'write artifacts: .onnx, .json, .safetensors, or a folder for TF.js')
    .option('--force', FORCE_HELP)
    .addHelpText('after', `
Examples:
  knotnet approx "x^2" --domain 1e6:1e7 --knots 90 --placement uniform --fit interpolate
  knotnet approx "sqrt(x)" --domain 0:1 --max-error 1e-4 --save sqrt.json`)
    .action(async (expr: string, flags: ApproxFlags) => {
      const started = performance.now();
      if (!flags.domain) throw new InputError('--domain', 'be given as a:b', 'nothing');
      const domain = parseInterval(flags.domain, '--domain');
      if (flags.deep) return approxDeep(expr, domain, flags);
      const given = (['knots', 'spacing', 'maxError', 'rmsError'] as const).filter((k) => flags[k] !== undefined);
      if (given.length !== 1) {
        throw new InputError('approx', 'get exactly one of --knots, --spacing, --max-error, --rms-error', given.length ? given.map(flagName).join(' and ') : 'none');
      }
      const maxSegments = parseCount(flags.maxSegments, '--max-segments', MAX_SEGMENTS_LIMIT);
      let size: SizeBy;
      if (flags.knots !== undefined) size = { kind: 'knots', segments: parseCount(flags.knots, '--knots', maxSegments) };
      else if (flags.spacing !== undefined) size = { kind: 'spacing', h: parsePositive(flags.spacing, '--spacing') };
      else if (flags.maxError !== undefined) size = { kind: 'maxError', error: parsePositive(flags.maxError, '--max-error') };
      else size = { kind: 'rmsError', error: parsePositive(flags.rmsError!, '--rms-error') };
      const placement = parseChoice(flags.placement, '--placement', ['uniform', 'optimal', 'equidistribute'] as const);
      const fit = flags.fit === undefined ? undefined : parseChoice(flags.fit, '--fit', ['interpolate', 'minimax', 'lsq'] as const);
      const dtype = parseChoice(flags.dtype, '--dtype', ['float64', 'float32'] as const);
      const outputs = { save: flags.save, exports: flags.export ?? [], dtype, force: flags.force, tolerance: size.kind === 'maxError' && !flags.relative ? size.error : undefined };
      const saver = saveOutputs(outputs); // validates paths before the work
      const bar = progress('sizing');
      const run = (sz: SizeBy) => approximate({ expr, domain, size: sz, placement, fit, relative: flags.relative, maxSegments, onTrial: (t) => bar.update(`${t.segments} segments -> error ${t.error.toPrecision(4)}`) });
      let r = run(size);
      // --dtype float32: the clamp form (2 ReLUs per segment, 2 layers), whose float32 error
      // stays near the size of the values; sized again when float32 rounding eats the margin.
      let f32: Float32Layout | undefined;
      if (dtype === 'float32' && r.segments <= CLAMP_SEGMENTS_LIMIT) {
        const f = accurateFunction(parseFormula(expr).expr, [r.variable]);
        bar.step('float32 analysis');
        bar.update(`clamp layout of ${r.segments} segments`);
        f32 = float32Layout(r, f);
        const tol = size.kind === 'maxError' && !flags.relative ? size.error : undefined;
        if (tol !== undefined && f32.certifiedMaxFloat32 > tol && f32.roundingBoundFloat32 < 0.8 * tol) {
          bar.step('sizing for float32');
          r = float32Resize(() => run({ kind: 'maxError', error: tol - 1.2 * f32!.roundingBoundFloat32 }), tol, f32.roundingBoundFloat32);
          f32 = r.segments <= CLAMP_SEGMENTS_LIMIT ? float32Layout(r, f) : undefined;
        }
      }
      bar.done();
      const seconds = (performance.now() - started) / 1000;
      const summary = { ...approxSummary(r, seconds), ...(f32 ? float32Summary(f32) : {}) };
      await saver.write(f32 ? f32.network : r.network, {
        expr: r.expr,
        domain: { [r.variable]: r.domain },
        error: { certifiedMax: f32 ? f32.certifiedMax : r.certifiedMax, measuredMax: r.measuredMax, measuredRms: r.measuredRms },
        knots: Array.from(r.pwl.x),
      }, [[r.domain[0]], [r.domain[1]]], undefined, f32 ? { r64: f32.roundingBound, r32: f32.roundingBoundFloat32, outputMagnitude: r.scale } : { outputMagnitude: r.scale });
      if (flags.json) process.stdout.write(`${JSON.stringify({ ...summary, files: saver.written })}\n`);
      else process.stdout.write(`${renderApprox(r, seconds, f32)}${saver.written.length ? `\nwrote ${saver.written.join(', ')}` : ''}\n`);
    });
}

function flagName(k: string): string {
  return `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

export function approxSummary(r: ApproxResult, seconds: number) {
  const s = networkSummary(r.network);
  return {
    expr: r.expr,
    variable: r.variable,
    relus: s.relus,
    layers: s.layers,
    params: s.params,
    segments: r.segments,
    knots: Array.from(r.pwl.x),
    placement: r.placement,
    fit: r.fit,
    maxError: { certified: r.certifiedMax, measured: r.measuredMax },
    rmsError: r.measuredRms,
    relativeMaxError: { certified: r.certifiedMax / r.scale, measured: r.measuredMax / r.scale },
    certifiedBreakdown: { pwl: r.certifiedPwl, float64Rounding: r.roundingBound },
    domain: { [r.variable]: r.domain },
    dtype: 'float64',
    seconds,
    sizingTrials: r.trials,
    ...(r.segmentsLowerBound !== undefined ? { segmentsLowerBound: r.segmentsLowerBound, minimal: r.segments <= r.segmentsLowerBound } : {}),
    ...(r.errorLowerBound !== undefined ? { maxErrorLowerBound: r.errorLowerBound } : {}),
  };
}

/** "minimal (no continuous PWL within E has fewer)" or "within k of minimal". */
export function minimality(segments: number, lowerBound: number): string {
  return segments <= lowerBound ? 'minimal (no continuous PWL within the tolerance has fewer)' : `within ${segments - lowerBound} of minimal (at least ${lowerBound} needed)`;
}


function float32Summary(f: Float32Layout) {
  const s = networkSummary(f.network);
  return {
    relus: s.relus, layers: s.layers, params: s.params, layout: 'clamp (float32)',
    float32: { certifiedMax: f.certifiedMaxFloat32, measuredMax: f.measuredMaxFloat32, roundingBound: f.roundingBoundFloat32 },
    certifiedMaxFloat64Evaluation: f.certifiedMax,
  };
}

function renderApprox(r: ApproxResult, seconds: number, f32?: Float32Layout): string {
  const s = networkSummary(f32 ? f32.network : r.network);
  return renderPairs([
    ['formula', `${r.expr} on [${r.domain[0]}, ${r.domain[1]}]`],
    ['placement / fit', `${r.placement} / ${r.fit}`],
    ['segments', r.segments],
    ...(r.segmentsLowerBound !== undefined ? [['segments: lower bound', minimality(r.segments, r.segmentsLowerBound)]] as [string, string][] : []),
    ...(r.errorLowerBound !== undefined ? [['least max error with this many segments, at least', r.errorLowerBound]] as [string, number][] : []),
    ['ReLUs', f32 ? `${s.relus} (clamp form for float32: 2 per segment, sums of at most 4 terms)` : s.relus],
    ['hidden layers', s.layers],
    ['parameters', s.params],
    ['max error, certified', f32 ? f32.certifiedMax : r.certifiedMax],
    ['max error, measured', r.measuredMax],
    ['RMS error, measured', r.measuredRms],
    ['relative max error (certified / max|f|)', (f32 ? f32.certifiedMax : r.certifiedMax) / r.scale],
    ...(f32 ? [['max error in float32, certified', f32.certifiedMaxFloat32], ['max error in float32, measured', f32.measuredMaxFloat32]] as [string, number][] : []),
    ['seconds', seconds],
  ]);
}

/** `approx --deep`: quadratics through deep squaring (compile with every square deep). */
async function approxDeep(expr: string, domain: [number, number], flags: ApproxFlags): Promise<void> {
  const started = performance.now();
  const f = parseFormula(expr);
  if (f.variables.length > 1) throw new InputError('expression', 'have at most one variable for approx (use compile for several)', f.variables.join(', '));
  const variable = f.variables[0] ?? 'x';
  if (!isQuadratic(f.expr, variable, domain)) throw new InputError('--deep', 'apply to a quadratic a*x^2+b*x+c', expr);
  if ((flags.levels === undefined) === (flags.maxError === undefined)) {
    throw new InputError('--deep', 'get exactly one of --levels and --max-error', flags.levels === undefined ? 'neither' : 'both');
  }
  const levels = flags.levels === undefined ? undefined : parseCount(flags.levels, '--levels', 60);
  const maxError = flags.maxError === undefined ? Number.MAX_VALUE : parsePositive(flags.maxError, '--max-error');
  const dtype = parseChoice(flags.dtype, '--dtype', ['float64', 'float32'] as const);
  const saver = saveOutputs({ save: flags.save, exports: flags.export ?? [], dtype, force: flags.force, tolerance: flags.maxError === undefined ? undefined : maxError });
  const r = compileFormula({ expr, vars: { [variable]: domain }, maxError, deep: 'always', dtype, ...(levels ? { deepLevels: levels } : {}), measureCount: 200_001 });
  const shallow = r.nodes.filter((n) => n.construction === 'shallow');
  if (shallow.length || !r.nodes.some((n) => n.construction === 'deep')) {
    throw new InputError('--deep', 'apply to a quadratic a*x^2+b*x+c', expr);
  }
  const s = networkSummary(r.network);
  const deepNodes = r.nodes.filter((n) => n.construction === 'deep');
  const seconds = (performance.now() - started) / 1000;
  await saver.write(r.network, { expr, domain: { [variable]: domain }, error: { certifiedMax: r.certifiedMax, measuredMax: r.measuredMax, measuredRms: r.measuredRms } }, [[domain[0]], [domain[1]]], r.hints,
    { r64: r.roundingBound, r32: r.certifiedMaxFloat32 - r.certifiedConstruction, outputMagnitude: Math.max(Math.abs(r.outputRange[0]), Math.abs(r.outputRange[1])) });
  const summary = {
    expr, variable, relus: s.relus, layers: s.layers, params: s.params, construction: 'deep', levels: deepNodes.map((n) => n.levels),
    maxError: { certified: r.certifiedMax, measured: r.measuredMax, construction: r.certifiedConstruction },
    float32: { certifiedMax: r.certifiedMaxFloat32 },
    rmsError: r.measuredRms, domain: { [variable]: domain }, dtype, seconds, files: saver.written,
  };
  if (flags.json) { process.stdout.write(`${JSON.stringify(summary)}\n`); return; }
  process.stdout.write(`${renderPairs([
    ['formula', `${expr} on [${domain[0]}, ${domain[1]}]`],
    ['construction', `deep sawtooth square, ${deepNodes.map((n) => n.levels).join(', ')} levels`],
    ['ReLUs', s.relus], ['hidden layers', s.layers], ['parameters', s.params],
    ['max error of the construction (exact)', r.certifiedConstruction],
    ['max error, certified (incl. float64 rounding)', r.certifiedMax],
    ['max error in float32, certified', r.certifiedMaxFloat32],
    ['max error, measured', r.measuredMax],
    ['RMS error, measured', r.measuredRms],
    ['seconds', fmt(seconds)],
  ])}${saver.written.length ? `\nwrote ${saver.written.join(', ')}` : ''}\n`);
}

/** Third derivative enclosed in [0, 0] on the domain: a quadratic (no kinks, no functions). */
function isQuadratic(e: Expr, v: string, domain: [number, number]): boolean {
  try {
    const d3 = derivative(derivative(derivative(e, v), v), v);
    const r = enclose(d3, { [v]: domain });
    return !r.undefinedPart && r.lo === 0 && r.hi === 0;
  } catch {
    return false;
  }
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
    const reached = e.best ? `the approximation itself came down only to ${e.best.error.toPrecision(3)} (${e.best.segments} segments)` : 'the approximation would need more segments than --max-segments allows';
    throw new WorkError(`--max-error ${tol} cannot be met in float32: float32 rounding takes up to ${rounding32.toPrecision(3)} of it, and ${reached}; raise --max-error or use --dtype float64.`);
  }
}
