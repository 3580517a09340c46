import { InputError, WorkError } from '../errors.ts';
import type { Network } from '../net/network.ts';
import { roundingErrorBound, type PreRangeHints } from '../net/rounding.ts';
import type { CompileOptions, CompileResult, NodeReport, OutputReport, OutputSpec } from './types.ts';
import { measureColumnsOnRegion } from './measure.ts';
import type { Request } from './request.ts';
import { certifiedRegion, type Compiled } from './result.ts';
import { withCharge } from './constants.ts';

/**
 * Several outputs in one network: the names and tolerances checked up front, and the result
 * assembled per output (certificate = construction bound of that output + its float64
 * rounding bound; measured on the same fresh samples of the region).
 */
export function checkOutputs(outputs: OutputSpec[], inputs: string[]): void {
  const seen = new Set<string>();
  for (const out of outputs) {
    const name = out.name;
    const simple = 'name each output with a simple name (letters, digits, _)';
    const bad = !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name);
    if (bad) throw new InputError('--out', simple, name, { field: 'outputs', code: 'bad-name' });
    const once = 'use each output name once';
    if (seen.has(name)) throw new InputError('--out', once, name, { field: 'outputs', code: 'duplicate' });
    const notInput = 'use output names that are not input names';
    if (inputs.includes(name)) throw new InputError('--out', notInput, name, { field: 'outputs', code: 'duplicate' });
    if (out.maxError !== undefined && !(out.maxError > 0 && Number.isFinite(out.maxError))) {
      const rule = 'be a positive number';
      throw new InputError(`--max-error ${name}`, rule, out.maxError, { field: 'outputs', code: 'not-positive' });
    }
    seen.add(name);
  }
}

interface Built { network: Network; errorOuts: number[]; reports: NodeReport[]; hints: PreRangeHints }

type Measured = OutputReport & { _count: number; _outside: number };

/**
 * The result of a several-output compile: one report per output, the top-level figures their maxima.
 * `charges[k]` (constants.ts) bounds the effect of output k's rounded constants: added to its construction.
 */
export function multiResult(
  o: CompileOptions, req: Request, c: Compiled, outIds: number[], built: Built, charges: number[] = [],
): CompileResult {
  const inputs = req.inputs;
  const errorOuts = built.errorOuts.map((e, k) => withCharge(e, charges[k] ?? 0));
  const outputs = measureOutputs(o, req, c, outIds, { ...built, errorOuts });
  const worst = (f: (r: OutputReport) => number) => Math.max(...outputs.map(f));
  return {
    expr: o.expr, inputs, network: built.network,
    certifiedMax: worst((r) => r.certifiedMax), certifiedConstruction: worst((r) => r.certifiedConstruction),
    roundingBound: worst((r) => r.roundingBound), measuredMax: worst((r) => r.measuredMax),
    measuredRms: worst((r) => r.measuredRms), measuredSamples: outputs[0]!._count, outsideRegion: outputs[0]!._outside,
    certifiedMaxFloat32: worst((r) => r.certifiedMaxFloat32),
    outputRange: [Math.min(...outputs.map((r) => r.outputRange[0])), Math.max(...outputs.map((r) => r.outputRange[1]))],
    hints: built.hints, nodes: built.reports, region: certifiedRegion(o, c),
    outputs: outputs.map(({ _count, _outside, ...r }) => r),
  };
}

/** Each output's certificate (construction + float64 rounding) and measurement on the same samples. */
function measureOutputs(o: CompileOptions, req: Request, c: Compiled, outIds: number[], built: Built): Measured[] {
  const { g, ranges, live } = c;
  const inputs = req.inputs;
  const lo = inputs.map((v) => o.vars[v]![0]);
  const hi = inputs.map((v) => o.vars[v]![1]);
  const r64 = roundingErrorBound(built.network, lo, hi, 'float64', built.hints);
  const r32 = roundingErrorBound(built.network, lo, hi, 'float32', built.hints);
  const measured = measureColumnsOnRegion(req.formulas.map((f) => f.expr), inputs, built.network, g, ranges, live,
    { ...o, bands: req.bands }, outIds.map((_, k) => k));
  return outIds.map((id, k) => {
    const m = measured[k]!;
    const certifiedMax = built.errorOuts[k]! + r64[k]!;
    const out = o.outputs![k]!;
    if (m.max > certifiedMax) {
      throw new WorkError(`measured error ${m.max} of output ${out.name} exceeds the certified bound ${certifiedMax}: `
        + 'this is a bug in knotnet, please report it with the command line.');
    }
    return {
      name: out.name, expr: out.expr, maxError: out.maxError ?? o.maxError, certifiedMax,
      certifiedConstruction: built.errorOuts[k]!, roundingBound: r64[k]!,
      certifiedMaxFloat32: built.errorOuts[k]! + r32[k]!,
      measuredMax: m.max, measuredRms: m.rms, outputRange: ranges[id]!, _count: m.count, _outside: m.outside,
    };
  });
}

/**
 * Several outputs: each one's certificates as saved metadata keeps them (error.outputs, in
 * output order): the float64 one, and the float32 one a float32 file stores as its own.
 */
export function storedOutputs(outputs: OutputReport[]) {
  return outputs.map((o) => ({ name: o.name, expr: o.expr, certifiedMax: o.certifiedMax,
    certifiedMaxFloat32: o.certifiedMaxFloat32, measuredMax: o.measuredMax, measuredRms: o.measuredRms }));
}
