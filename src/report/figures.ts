import type { CompareRow } from '../train/compare.ts';
import { linePlot } from './plot.ts';

const COLORS = ['#d62728', '#1f77b4', '#ff7f0e', '#2ca02c', '#9467bd', '#8c564b'];

/** Held-out RMS error (log10) against training time; the constructed network as a flat line. */
export function errorVsTimeSvg(rows: CompareRow[]): string {
  const tMax = Math.max(1, ...rows.flatMap((r) => r.curve.map((p) => p.seconds)));
  const series = rows.map((r, k) => {
    const pts = r.kind === 'constructed' ? [{ seconds: 0, rms: r.rmsError }, { seconds: tMax, rms: r.rmsError }] : r.curve;
    return { x: pts.map((p) => p.seconds), y: pts.map((p) => Math.log10(p.rms)), color: COLORS[k % COLORS.length]!, label: short(r.name), ...(r.kind === 'constructed' ? { dash: '6 3', width: 2 } : {}) };
  });
  return linePlot({ width: 820, height: 320, title: 'held-out RMS error (log10) against training time (s)', series, xLabel: 'seconds' });
}

/** Error distributions: log10 |error| at each quantile of the held-out samples. */
export function errorDistributionSvg(rows: CompareRow[]): string {
  const series = rows.map((r, k) => {
    const sorted = Float64Array.from(r.abs).sort();
    const n = sorted.length;
    const q: number[] = [];
    const y: number[] = [];
    for (let i = 0; i <= 200; i++) {
      const idx = Math.min(n - 1, Math.floor((i / 200) * (n - 1)));
      q.push(i / 200);
      y.push(Math.log10(Math.max(sorted[idx]!, 1e-300)));
    }
    return { x: q, y, color: COLORS[k % COLORS.length]!, label: short(r.name) };
  });
  return linePlot({ width: 820, height: 320, title: 'held-out |error| (log10) at each quantile', series, xLabel: 'quantile' });
}

function short(name: string): string {
  return name.length > 24 ? `${name.slice(0, 22)}…` : name;
}
