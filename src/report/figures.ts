import { evaluate } from '../net/evaluate.ts';
import type { Network } from '../net/network.ts';
import type { CompareRow } from '../train/compare.ts';
import { linePlot } from './plot.ts';

const COLORS = ['#d62728', '#1f77b4', '#ff7f0e', '#2ca02c', '#9467bd', '#8c564b'];
const color = (k: number) => COLORS[k % COLORS.length]!;
const WIDTH = 940;
/** log10 for a log axis; an error of exactly 0 has no place on it (NaN: left out). */
const log10 = (v: number) => (v > 0 ? Math.log10(v) : NaN);

/** Held-out RMS error (log axis) against training time; the constructed network as a flat dashed line. */
export function errorVsTimeSvg(rows: CompareRow[]): string {
  const tMax = Math.max(1, ...rows.flatMap((r) => r.curve.map((p) => p.seconds)));
  const series = rows.map((r, k) => {
    const pts = r.kind === 'constructed' ? [{ seconds: 0, rms: r.rmsError },
      { seconds: tMax, rms: r.rmsError }] : r.curve;
    return { x: pts.map((p) => p.seconds), y: pts.map((p) => log10(p.rms)), color: color(k), label: short(r.name),
      ...(r.kind === 'constructed' ? { dash: '6 3', width: 2 } : {}) };
  });
  return linePlot({ width: WIDTH, height: 340, title: 'held-out RMS error against training time (seconds of training)',
    series, xLabel: 'seconds', logY: true, legend: 'right' });
}

/** Error distributions: |error| at each quantile of the held-out samples (log axis). */
export function errorQuantilesSvg(rows: CompareRow[]): string {
  const series = rows.map((r, k) => {
    const sorted = Float64Array.from(r.abs).sort();
    const n = sorted.length;
    const q: number[] = [];
    const y: number[] = [];
    for (let i = 0; i <= 200; i++) {
      q.push(i / 200);
      y.push(log10(sorted[Math.min(n - 1, Math.floor((i / 200) * (n - 1)))]!));
    }
    return { x: q, y, color: color(k), label: short(r.name) };
  });
  return linePlot({ width: WIDTH, height: 340, title: 'held-out |error| at each quantile (0.5 = median, 1 = max)',
    series, xLabel: 'quantile', logY: true, legend: 'right' });
}

/**
 * Histograms of log10 |error| on the held-out samples, one outline per network, in bins of
 * a tenth of a decade; y is the fraction of samples in each bin.
 */
export function errorHistogramSvg(rows: CompareRow[]): string {
  const logs = rows.map((r) => Array.from(r.abs, log10));
  let lo = Infinity, hi = -Infinity;
  for (const ls of logs) for (const v of ls) if (Number.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  if (!(hi >= lo)) { lo = 0; hi = 1; }
  lo = Math.floor(lo);
  hi = Math.ceil(hi + 1e-9);
  const binsPerDecade = 10;
  const nb = Math.max(1, Math.round((hi - lo) * binsPerDecade));
  const series = logs.map((ls, k) => {
    const counts = new Float64Array(nb);
    for (const v of ls) if (Number.isFinite(v)) counts[Math.min(nb - 1,
      Math.max(0, Math.floor((v - lo) * binsPerDecade)))]! += 1;
    // Outline of the bars: a step path through each bin's corners.
    const x: number[] = [lo];
    const y: number[] = [0];
    counts.forEach((c, b) => { const f = c / ls.length; x.push(lo + b / binsPerDecade,
      lo + (b + 1) / binsPerDecade); y.push(f, f); });
    x.push(lo + nb / binsPerDecade); y.push(0);
    return { x, y, color: color(k), label: short(rows[k]!.name) };
  });
  return linePlot({ width: WIDTH, height: 340,
    title: 'histogram of held-out log10 |error| (fraction of samples per tenth of a decade)', series,
      xLabel: 'log10 |error|', legend: 'right' });
}

/**
 * Breakpoints of a one-input network on [a, b], found numerically: grid points where the
 * second difference is not zero beyond rounding (a kink lies within one grid step of each).
 */
export function kinksOf1D(net: Network, [a, b]: [number, number], n = 4000): number[] {
  const x = Float64Array.from({ length: n + 1 }, (_, i) => a + ((b - a) * i) / n);
  const y = evaluate(net, x);
  let scale = 0;
  for (const v of y) scale = Math.max(scale, Math.abs(v));
  const tol = 1e-9 * (scale || 1);
  const out: number[] = [];
  for (let i = 1; i < n; i++) if (Math.abs(y[i + 1]! - 2 * y[i]! + y[i - 1]!) > tol) out.push(x[i]!);
  return out;
}

/** One-input formulas: f and each network over the domain, each network's kinks ticked in its colour. */
export function fitsOf1DSvg(f: (x: number) => number, domain: [number, number], rows: CompareRow[],
  variable: string): string {
  const n = 1000;
  const x = Float64Array.from({ length: n + 1 }, (_, i) => domain[0] + ((domain[1] - domain[0]) * i) / n);
  const series = [
    { x, y: Array.from(x, f), color: '#000', width: 3, label: 'f (exact)' },
    ...rows.map((r, k) => ({ x, y: evaluate(r.network, x), color: color(k), label: short(r.name),
      marks: kinksOf1D(r.network, domain), ...(r.kind === 'constructed' ? { dash: '6 3' } : {}) })),
  ];
  return linePlot({ width: WIDTH, height: 380,
    title: `f and each network on [${domain[0]}, ${domain[1]}]; ticks at the bottom: each network's kinks (knots)`,
      series, xLabel: variable, legend: 'right' });
}

/** One-input formulas: |network − f| along the domain (log axis). */
export function errorsOf1DSvg(f: (x: number) => number, domain: [number, number], rows: CompareRow[],
  variable: string): string {
  const n = 2000;
  const x = Float64Array.from({ length: n + 1 }, (_, i) => domain[0] + ((domain[1] - domain[0]) * i) / n);
  const fx = Array.from(x, f);
  const series = rows.map((r, k) => {
    const y = evaluate(r.network, x);
    return { x, y: Array.from(y, (v, i) => log10(Math.abs(v - fx[i]!))), color: color(k), label: short(r.name),
      ...(r.kind === 'constructed' ? { dash: '6 3' } : {}) };
  });
  return linePlot({ width: WIDTH, height: 340, title: '|network − f| along the domain', series, xLabel: variable,
    logY: true, legend: 'right' });
}

function short(name: string): string {
  return name.length > 44 ? `${name.slice(0, 42)}…` : name;
}
