import { InputError } from '../errors.ts';
import { compileFormula, type CompileResult } from '../compile/compile.ts';
import type { Expr } from '../expr/ast.ts';
import { derivative } from '../expr/derivative.ts';
import { enclose } from '../expr/interval.ts';
import { parseFormula } from '../expr/parse.ts';
import { networkSummary } from '../net/network.ts';
import { fmt } from '../report/format.ts';
import { parseChoice, parseCount, parsePositive } from './args.ts';
import { saveOutputs, wroteLine } from './outputs.ts';
import { renderPairs } from './table.ts';

/** The flags `approx --deep` reads (see ApproxFlags). */
export interface DeepFlags {
  levels?: string | undefined; maxError?: string | undefined; dtype: string;
  json?: boolean | undefined; save?: string | undefined; export?: string[] | undefined; force?: boolean | undefined;
}

/** `approx --deep`'s request: a quadratic in one variable, and its levels or its tolerance. */
interface DeepRequest {
  expr: string; variable: string; domain: [number, number];
  levels: number | undefined; maxError: number; dtype: 'float64' | 'float32';
}

/** `approx --deep`: quadratics through deep squaring (compile with every square deep). */
export async function approxDeep(expr: string, domain: [number, number], flags: DeepFlags): Promise<void> {
  const started = performance.now();
  const req = parseDeepFlags(expr, domain, flags);
  const tolerance = flags.maxError === undefined ? undefined : req.maxError;
  const saver = saveOutputs({ save: flags.save, exports: flags.export ?? [], dtype: req.dtype, force: flags.force,
    tolerance });
  const r = runDeep(req);
  const seconds = (performance.now() - started) / 1000;
  const { variable } = req;
  const magnitude = Math.max(Math.abs(r.outputRange[0]), Math.abs(r.outputRange[1]));
  const error = { certifiedMax: r.certifiedMax, measuredMax: r.measuredMax, measuredRms: r.measuredRms };
  await saver.write(r.network, { expr, domain: { [variable]: domain }, error }, [[domain[0]], [domain[1]]], r.hints,
    { r64: r.roundingBound, r32: r.certifiedMaxFloat32 - r.certifiedConstruction, outputMagnitude: magnitude });
  if (flags.json) {
    process.stdout.write(`${JSON.stringify({ ...deepSummary(req, r, seconds), files: saver.written })}\n`);
    return;
  }
  process.stdout.write(`${renderDeep(req, r, seconds)}${wroteLine(saver.written)}\n`);
}

/** The flags of `approx --deep` as a request: pure. */
function parseDeepFlags(expr: string, domain: [number, number], flags: DeepFlags): DeepRequest {
  const f = parseFormula(expr);
  if (f.variables.length > 1) {
    throw new InputError('expression', 'have at most one variable for approx (use compile for several)',
      f.variables.join(', '));
  }
  const variable = f.variables[0] ?? 'x';
  if (!isQuadratic(f.expr, variable, domain)) throw new InputError('--deep', 'apply to a quadratic a*x^2+b*x+c', expr);
  if ((flags.levels === undefined) === (flags.maxError === undefined)) {
    throw new InputError('--deep', 'get exactly one of --levels and --max-error',
      flags.levels === undefined ? 'neither' : 'both');
  }
  const levels = flags.levels === undefined ? undefined : parseCount(flags.levels, '--levels', 60);
  const maxError = flags.maxError === undefined ? Number.MAX_VALUE : parsePositive(flags.maxError, '--max-error');
  const dtype = parseChoice(flags.dtype, '--dtype', ['float64', 'float32'] as const);
  return { expr, variable, domain, levels, maxError, dtype };
}

/** Compiles the quadratic with every square deep; refuses it when a piece came out shallow. */
function runDeep(req: DeepRequest): CompileResult {
  const { expr, variable, domain, levels, maxError, dtype } = req;
  const r = compileFormula({
    expr, vars: { [variable]: domain }, maxError, deep: 'always', dtype, ...(levels ? { deepLevels: levels } : {}),
    measureCount: 200_001,
  });
  if (r.nodes.some((n) => n.construction === 'shallow') || !r.nodes.some((n) => n.construction === 'deep')) {
    throw new InputError('--deep', 'apply to a quadratic a*x^2+b*x+c', expr);
  }
  return r;
}

/** approx --deep --json, without the files written. */
function deepSummary(req: DeepRequest, r: CompileResult, seconds: number) {
  const s = networkSummary(r.network);
  const { expr, variable, domain, dtype } = req;
  return {
    expr, variable, relus: s.relus, layers: s.layers, params: s.params, construction: 'deep', levels: deepLevels(r),
    maxError: { certified: r.certifiedMax, measured: r.measuredMax, construction: r.certifiedConstruction },
    float32: { certifiedMax: r.certifiedMaxFloat32 },
    rmsError: r.measuredRms, domain: { [variable]: domain }, dtype, seconds,
  };
}

/** approx --deep's table. */
function renderDeep(req: DeepRequest, r: CompileResult, seconds: number): string {
  const s = networkSummary(r.network);
  return renderPairs([
    ['formula', `${req.expr} on [${req.domain[0]}, ${req.domain[1]}]`],
    ['construction', `deep sawtooth square, ${deepLevels(r).join(', ')} levels`],
    ['ReLUs', s.relus], ['hidden layers', s.layers], ['parameters', s.params],
    ['max error of the construction (exact)', r.certifiedConstruction],
    ['max error, certified (incl. float64 rounding)', r.certifiedMax],
    ['max error in float32, certified', r.certifiedMaxFloat32],
    ['max error, measured', r.measuredMax],
    ['RMS error, measured', r.measuredRms],
    ['seconds', fmt(seconds)],
  ]);
}

/** The sawtooth levels of each deep square. */
function deepLevels(r: CompileResult): (number | undefined)[] {
  return r.nodes.filter((n) => n.construction === 'deep').map((n) => n.levels);
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
