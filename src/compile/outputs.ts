import { InputError, WorkError } from '../errors.ts';
import type { Expr } from '../expr/ast.ts';
import type { Network } from '../net/network.ts';
import { roundingErrorBound, type PreRangeHints } from '../net/rounding.ts';
import type { CompileOptions, CompileResult, NodeReport, OutputReport, OutputSpec } from './types.ts';
import type { Graph } from './graph.ts';
import { measureOnRegion } from './measure.ts';
import type { Range } from './ranges.ts';

/**
 * Several outputs in one network: the names and tolerances checked up front, and the result
 * assembled per output (certificate = construction bound of that output + its float64
 * rounding bound; measured on the same fresh samples of the region).
 */
export function checkOutputs(outputs: OutputSpec[], inputs: string[], dtype: string | undefined): void {
  const seen = new Set<string>();
  for (const out of outputs) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(out.name)) throw new InputError('--out', 'name each output with a simple name (letters, digits, _)', out.name, { field: 'outputs', code: 'bad-name' });
    if (seen.has(out.name)) throw new InputError('--out', 'use each output name once', out.name, { field: 'outputs', code: 'duplicate' });
    if (inputs.includes(out.name)) throw new InputError('--out', 'use output names that are not input names', out.name, { field: 'outputs', code: 'duplicate' });
    if (out.maxError !== undefined && !(out.maxError > 0 && Number.isFinite(out.maxError))) throw new InputError(`--max-error ${out.name}`, 'be a positive number', out.maxError, { field: 'outputs', code: 'not-positive' });
    seen.add(out.name);
  }
  if (dtype === 'float32') throw new InputError('--dtype', 'be float64 when there are several outputs (the float32 layout is one output)', dtype, { field: 'dtype', code: 'unsupported' });
}

interface Built { network: Network; errorOuts: number[]; reports: NodeReport[]; hints: PreRangeHints }

export function multiResult(o: CompileOptions, exprs: Expr[], inputs: string[], built: Built, g: Graph, ranges: Range[], live: Set<number>, outIds: number[], tolerances: number[], rangesGiven: Record<string, Range>): CompileResult {
  const lo = inputs.map((v) => o.vars[v]![0]);
  const hi = inputs.map((v) => o.vars[v]![1]);
  const r64 = roundingErrorBound(built.network, lo, hi, 'float64', built.hints);
  const r32 = roundingErrorBound(built.network, lo, hi, 'float32', built.hints);
  const outputs: OutputReport[] = outIds.map((id, k) => {
    const m = measureOnRegion(exprs[k]!, inputs, built.network, g, ranges, live, o, k);
    const certifiedMax = built.errorOuts[k]! + r64[k]!;
    if (m.max > certifiedMax) throw new WorkError(`measured error ${m.max} of output ${o.outputs![k]!.name} exceeds the certified bound ${certifiedMax}: this is a bug in knotnet, please report it with the command line.`);
    return {
      name: o.outputs![k]!.name, expr: o.outputs![k]!.expr, maxError: tolerances[k]!, certifiedMax,
      certifiedConstruction: built.errorOuts[k]!, roundingBound: r64[k]!, certifiedMaxFloat32: built.errorOuts[k]! + r32[k]!,
      measuredMax: m.max, measuredRms: m.rms, outputRange: ranges[id]!, _count: m.count, _outside: m.outside,
    } as OutputReport & { _count: number; _outside: number };
  });
  const counts = outputs as (OutputReport & { _count: number; _outside: number })[];
  const worst = (f: (r: OutputReport) => number) => Math.max(...outputs.map(f));
  return {
    expr: o.expr, inputs, network: built.network, certifiedMax: worst((r) => r.certifiedMax), certifiedConstruction: worst((r) => r.certifiedConstruction),
    roundingBound: worst((r) => r.roundingBound), measuredMax: worst((r) => r.measuredMax), measuredRms: worst((r) => r.measuredRms),
    measuredSamples: counts[0]!._count, outsideRegion: counts[0]!._outside, certifiedMaxFloat32: worst((r) => r.certifiedMaxFloat32),
    outputRange: [Math.min(...outputs.map((r) => r.outputRange[0])), Math.max(...outputs.map((r) => r.outputRange[1]))],
    hints: built.hints, nodes: built.reports, region: { box: o.vars, ranges: rangesGiven },
    outputs: counts.map(({ _count, _outside, ...r }) => r),
  };
}
