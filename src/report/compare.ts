import type { CompareRow } from '../train/compare.ts';
import { errorHistogramSvg, errorQuantilesSvg, errorsOf1DSvg, errorVsTimeSvg, fitsOf1DSvg } from './figures.ts';
import { htmlReport } from './html.ts';
import { svgToPng } from './png.ts';

export interface CompareReportInput {
  expr: string;
  rows: CompareRow[];
  table: { header: string[]; rows: (string | number)[][] };
  samples: { train: number; heldOut: number; source: string };
  backend: string;
  /** One-input formulas: f itself, its domain and variable, for the plots of each fit. */
  oneD?: { f: (x: number) => number; domain: [number, number]; variable: string };
  /** Findings listed under the figures (see `compareNotes`). */
  notes: string[];
  /** What reproduces the report: the command line, seed, training budget, knotnet version and date (ISO 8601). */
  run?: { command: string; seed: number; budgetSeconds: number; version: string; date: string };
}

const g = (v: number) => v.toPrecision(3);

/**
 * What the table means, in sentences for stdout and the report: how LeakyReLU units are
 * counted, whether fine-tuning improved the constructed network or wrecked it, and — when the
 * outputs are large — the float32 floor TensorFlow.js trains under (float32 numbers near
 * max|y| are 2^(⌊log2 max|y|⌋ − 23) apart).
 */
export function compareNotes(rows: CompareRow[], maxAbsY: number): string[] {
  const notes = ['"certified max" is a proven bound over the whole region; every other error is measured on the ' +
    'held-out samples.'];
  if (rows.some((r) => r.name.startsWith("asker's"))) notes.push('LeakyReLU units count as two ReLUs: leaky(z) = ' +
    'relu(z) − 0.3·relu(−z) exactly, so the asker\'s 24 LeakyReLUs are 48 ReLUs.');
  const built = rows.find((r) => r.kind === 'constructed');
  const fine = rows.find((r) => r.init === 'constructed');
  if (built && fine) {
    const verdict = fine.maxError <= built.maxError && fine.rmsError <= built.rmsError ? 'better'
      : fine.maxError > built.maxError && fine.rmsError > built.rmsError ? 'worse' : 'mixed';
    notes.push(`Fine-tuning the constructed network (Adam on MSE, TensorFlow.js): held-out max error ` +
      `${g(built.maxError)} → ${g(fine.maxError)}, RMS ${g(built.rmsError)} → ${g(fine.rmsError)} (${verdict}).`);
    const rt = fine.runtimeFloat32;
    if (rt) notes.push(`TensorFlow.js computes in float32: there the constructed network's held-out error is ` +
      `already max ${g(rt.before.max)}, RMS ${g(rt.before.rms)} before fine-tuning (max ${g(rt.after.max)}, RMS ` +
      `${g(rt.after.rms)} after), so the loss fine-tuning minimizes is ` +
      `${rt.before.rms > 2 * built.rmsError ? "mostly float32 rounding, not the construction's error"
        : 'close to the float64 one'}.`);
  }
  const spacing = maxAbsY > 0 ? 2 ** (Math.floor(Math.log2(maxAbsY)) - 23) : 0;
  if (built && spacing / 2 > built.maxError / 10) notes.push(`float32 numbers near max|y| = ${g(maxAbsY)} are ` +
    `${g(spacing)} apart: a float32 output alone can be off by ${g(spacing / 2)}.`);
  return notes;
}

/**
 * The comparison report as files (pure: bytes in memory; the CLI writes them): index.html
 * with every figure inlined as SVG, and each figure again as .svg and .png.
 */
export function compareReportFiles(c: CompareReportInput): { relativePath: string; bytes: string | Uint8Array }[] {
  const figures: { name: string; caption: string; svg: string }[] = [
    { name: 'error-vs-time',
      caption: 'Held-out RMS error during training (seconds of training, held-out checks not counted); the ' +
      'constructed network is the dashed line.', svg: errorVsTimeSvg(c.rows) },
    { name: 'error-histogram',
      caption: 'Distribution of held-out absolute errors: fraction of samples per tenth of a decade of |error|.',
        svg: errorHistogramSvg(c.rows) },
    { name: 'error-distribution',
      caption: 'Held-out absolute error at each quantile (the right end is the max error).',
        svg: errorQuantilesSvg(c.rows) },
  ];
  if (c.oneD) {
    const { f, domain, variable } = c.oneD;
    figures.push(
      { name: 'fits', caption: `f and each network on the domain; the ticks along the bottom mark each network's ` +
        `kinks, found numerically on a grid of 4000 steps.`, svg: fitsOf1DSvg(f, domain, c.rows, variable) },
      { name: 'fit-errors', caption: '|network − f| along the domain.',
        svg: errorsOf1DSvg(f, domain, c.rows, variable) },
    );
  }
  const html = htmlReport({
    title: `knotnet: construction against training for ${c.expr}`,
    intro: `${c.samples.train} training samples and ${c.samples.heldOut} held-out samples (${c.samples.source}). ` +
      `Every network, constructed or trained (TensorFlow.js, ${c.backend} backend, float32), was converted exactly ` +
      `to a plain ReLU network and measured by the same code on the same held-out samples: knotnet's float64 ` +
      `evaluator.${c.run ? ` Made by knotnet ${c.run.version} on ${c.run.date} with ${c.run.command} ` +
        `(seed ${c.run.seed}, training budget ${c.run.budgetSeconds} s).` : ''}`,
    table: c.table,
    figures: figures.map((f) => ({ caption: f.caption, svg: f.svg })),
    notes: c.notes,
  });
  return [
    { relativePath: 'index.html', bytes: html },
    ...(c.run ? [{ relativePath: 'run.json', bytes: `${JSON.stringify(c.run, null, 2)}\n` }] : []),
    ...figures.flatMap((f) => [{ relativePath: `${f.name}.svg`, bytes: f.svg },
      { relativePath: `${f.name}.png`, bytes: svgToPng(f.svg) }]),
  ];
}
