import { scaleLinear } from 'd3-scale';
import { line } from 'd3-shape';
import { escapeHtml as esc } from './escape.ts';

/** A line series for `linePlot`. */
export interface Series {
  x: ArrayLike<number>; y: ArrayLike<number>; color: string; width?: number; label: string; dash?: string;
  /** x positions marked with short ticks in the series' colour (its knots), stacked per series. */
  marks?: ArrayLike<number>;
}

/**
 * An SVG line plot as a string (d3-scale for the axes, d3-shape for the paths): pure, so the
 * page and the report draw the same way. `band` shades ±band around zero (the certified
 * bound on an error plot); `marks` draws small ticks on the x axis (the knots). `logY`: the y
 * values are log10 of the quantity, ticked at whole powers of ten and labelled 1e3, 1e4, ….
 * `legend: 'right'` puts the legend in a column right of the plot instead of over it.
 */
export function linePlot(o: {
  width: number; height: number; title: string; series: Series[];
  band?: number; marks?: ArrayLike<number>; xLabel?: string; logY?: boolean; legend?: 'inside' | 'right';
}): string {
  const legendWidth = o.legend === 'right' ? 290 : 0;
  const m = { l: 64, r: 12 + legendWidth, t: 24, b: 36 };
  let [x0, x1, y0, y1] = extent(o.series, o.band);
  const sx = scaleLinear().domain([x0, x1]).range([m.l, o.width - m.r]);
  if (o.logY) { y0 = Math.floor(y0); y1 = Math.max(Math.ceil(y1), y0 + 1); }
  const sy = scaleLinear().domain([y0, y1]).nice().range([o.height - m.b, m.t]);
  const linearFmt = sy.tickFormat(5, '~g');
  const fmt = o.logY ? (t: number) => (t === 0 ? '1' : `1e${t}`) : linearFmt;
  const yTicks = o.logY ? Array.from({ length: y1 - y0 + 1 },
    (_, i) => y0 + i).filter((t, _, a) => a.length <= 12 || (t - y0) % Math.ceil(a.length / 10) === 0) : sy.ticks(5);
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${o.width}" height="${o.height}" viewBox="0 0 ` +
    `${o.width} ${o.height}" font-family="DejaVu Sans, sans-serif" font-size="11">`);
  parts.push(`<rect width="100%" height="100%" fill="white"/>`);
  parts.push(`<text x="${m.l}" y="15" font-size="12" font-weight="bold">${esc(o.title)}</text>`);
  if (o.band !== undefined) {
    parts.push(`<rect x="${m.l}" y="${sy(o.band)}" width="${o.width - m.l - m.r}" ` +
      `height="${Math.max(0, sy(-o.band) - sy(o.band))}" fill="#fde2c4" opacity="0.8"/>`);
  }
  for (const t of yTicks) {
    parts.push(`<line x1="${m.l}" x2="${o.width - m.r}" y1="${sy(t)}" y2="${sy(t)}" stroke="#eee"/>`);
    parts.push(`<text x="${m.l - 6}" y="${sy(t) + 4}" text-anchor="end" fill="#444">${esc(fmt(t))}</text>`);
  }
  for (const t of sx.ticks(6)) parts.push(`<text x="${sx(t)}" y="${o.height - m.b + 16}" text-anchor="middle" ` +
    `fill="#444">${esc(sx.tickFormat(6, '~g')(t))}</text>`);
  parts.push(`<line x1="${m.l}" x2="${o.width - m.r}" y1="${o.height - m.b}" y2="${o.height - m.b}" stroke="#888"/>`);
  if (o.xLabel) parts.push(`<text x="${o.width - m.r}" y="${o.height - 4}" text-anchor="end" ` +
    `fill="#444">${esc(o.xLabel)}</text>`);
  if (o.marks) parts.push(...knotTicks(o.marks, sx, o.height - m.b));
  const rowH = o.legend === 'right' ? 16 : 14;
  const lx = o.legend === 'right' ? o.width - legendWidth + 4 : o.width - m.r - 150;
  o.series.forEach((s, k) => {
    // A non-finite value (a formula undefined there) breaks the line instead of bridging the gap.
    const idx = Array.from({ length: s.x.length }, (_, i) => i);
    const d = line<number>().defined((i) => Number.isFinite(s.y[i]!)).x((i) => sx(s.x[i]!)).y((i) => sy(s.y[i]!))(idx)
      ?? '';
    parts.push(`<path d="${d}" fill="none" stroke="${s.color}" ` +
      `stroke-width="${s.width ?? 1.5}"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}/>`);
    if (s.marks) {
      const yb = o.height - m.b - 6 * k;
      const step = Math.max(1, Math.ceil(s.marks.length / 2000));
      for (let i = 0; i < s.marks.length; i += step) parts.push(`<line x1="${sx(s.marks[i]!)}" ` +
        `x2="${sx(s.marks[i]!)}" y1="${yb}" y2="${yb - 5}" stroke="${s.color}"/>`);
    }
    parts.push(`<line x1="${lx}" x2="${lx + 20}" y1="${m.t + 8 + rowH * k}" y2="${m.t + 8 + rowH * k}" ` +
      `stroke="${s.color}" stroke-width="2"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}/>`);
    parts.push(`<text x="${lx + 25}" y="${m.t + 12 + rowH * k}" fill="#222">${esc(s.label)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('');
}

/** The x and y range of the series (non-finite y left out), with the band; an empty or flat y range widened by 1. */
function extent(series: Series[], band: number | undefined): [number, number, number, number] {
  let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
  for (const s of series) for (let i = 0; i < s.x.length; i++) {
    x0 = Math.min(x0, s.x[i]!); x1 = Math.max(x1, s.x[i]!);
    if (Number.isFinite(s.y[i]!)) { y0 = Math.min(y0, s.y[i]!); y1 = Math.max(y1, s.y[i]!); }
  }
  if (band !== undefined) { y0 = Math.min(y0, -band); y1 = Math.max(y1, band); }
  if (!(y1 > y0)) { y0 -= 1; y1 += 1; }
  return [x0, x1, y0, y1];
}

/** Ticks rising from the x axis at `y` at each mark (at most about 2,000 of them drawn). */
function knotTicks(marks: ArrayLike<number>, sx: (x: number) => number, y: number): string[] {
  const ticks: string[] = [];
  const step = Math.max(1, Math.ceil(marks.length / 2000));
  for (let i = 0; i < marks.length; i += step) {
    const px = sx(marks[i]!);
    ticks.push(`<line x1="${px}" x2="${px}" y1="${y}" y2="${y - 7}" stroke="#c0392b" stroke-width="1"/>`);
  }
  return ticks;
}
