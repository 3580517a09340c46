/**
 * `knotnet compare`'s outputs from its results: the table (stdout and report), the JSON, and
 * the exported networks' files (pure: bytes in memory; the action writes them).
 */
import type { CertifyResult } from '../certify/certify.ts';
import { buildArtifacts } from '../export/index.ts';
import { fmt } from '../report/format.ts';
import type { CompareRow } from '../train/compare.ts';
import type { CompareSamples } from './compare-run.ts';
import { renderTable } from './table.ts';

/** Who measured every error in the table. */
export const MEASURED_BY = "knotnet's float64 evaluator on each network's plain ReLU form";

/** The comparison's results, as the outputs need them. */
export interface CompareOutcome {
  expr: string; rows: CompareRow[]; proven: CertifyResult[] | undefined; certifySeconds: number;
  samples: { train: number; heldOut: number; source: string }; notes: string[]; backend: string;
  run: { command: string; seed: number; budgetSeconds: number; version: string; date: string };
}

/** Sample counts and their source. */
export function sampleCounts(s: CompareSamples, d: number): CompareOutcome['samples'] {
  return { train: s.trainX.length / d, heldOut: s.heldX.length / d, source: s.source };
}

/** The table's header and rows (a "proven worst case" column when certify ran). */
export function compareTable(o: CompareOutcome): { header: string[]; rows: (string | number)[][] } {
  const { proven } = o;
  const header = [
    'network', 'ReLUs', 'layers', 'params', 'held-out max error', 'held-out RMS', 'certified max',
    ...(proven ? ['proven worst case (certify)'] : []), 'seconds',
  ];
  const rows = o.rows.map((r, i) => [
    r.name, r.relus, r.layers, r.params, r.maxError, r.rmsError, r.certified ?? '',
    ...(proven ? [provenCell(proven[i]!, o.certifySeconds)] : []), r.seconds,
  ] as (string | number)[]);
  return { header, rows };
}

/** The note on the "proven worst case" column. */
export function provenNote(certifySeconds: number): string {
  return `"proven worst case" is knotnet certify's bound of max |N − f| over the whole region (bound propagation and ` +
    `branch and bound, at most ${certifySeconds} s each); where it did not reach 10% of the worst input it found, ` +
      `the interval [found, proven] is shown.`;
}

const provenCell = (c: CertifyResult, seconds: number): string =>
  c.stopped === 'gap' ? fmt(c.upper)
  : Number.isFinite(c.upper) ? `[${fmt(c.lower)}, ${fmt(c.upper)}]: not within ${seconds} s`
  : `found ${fmt(c.lower)}, no finite bound within ${seconds} s`;

/** compare --json. */
export function compareJson(o: CompareOutcome, report: string | undefined): string {
  const { samples, run, proven } = o;
  return JSON.stringify({
    expr: o.expr, samples, measuredBy: MEASURED_BY, backend: o.backend,
    budgetSeconds: run.budgetSeconds, seed: run.seed,
    command: run.command, version: run.version, date: run.date,
    rows: o.rows.map((r, i) => ({
      name: r.name, kind: r.kind, ...(proven ? { proven: provenJson(proven[i]!) } : {}),
      relus: r.relus, layers: r.layers, params: r.params, maxError: { measured: r.maxError,
        certified: r.certified ?? null },
      rmsError: r.rmsError, seconds: r.seconds, ...(r.init ? { init: r.init } : {}),
      ...(r.runtimeFloat32 ? { runtimeFloat32: r.runtimeFloat32 } : {}), curve: r.curve,
    })),
    notes: o.notes,
    ...(report ? { report: `${report}/index.html` } : {}),
  });
}

function provenJson(c: CertifyResult) {
  return { certified: Number.isFinite(c.upper) ? c.upper : null, worstFound: c.lower, gapReached: c.stopped === 'gap',
    seconds: c.seconds };
}

/** compare's table on stdout, with the samples above it and the notes below. */
export function renderCompare(o: CompareOutcome): string {
  const { header, rows } = compareTable(o);
  const s = o.samples;
  const head = `${o.expr}: ${s.train} training and ${s.heldOut} held-out samples (${s.source}); errors measured by ` +
    `${MEASURED_BY}, on the held-out samples`;
  return `${head}\n${renderTable(header, rows)}\n${o.notes.map((n) => `- ${n}\n`).join('')}`;
}

/**
 * --export-dir: every network, constructed and trained, as ONNX float32 and knotnet JSON
 * (the trained ones go through the same exporters as constructed ones).
 */
export function exportFiles(o: CompareOutcome, domain: Record<string,
  [number, number]>): { relativePath: string; bytes: string | Uint8Array }[] {
  return o.rows.flatMap((r) => {
    const slug = r.name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
    const error = { measuredMax: r.maxError, measuredRms: r.rmsError,
      ...(r.certified !== undefined ? { certifiedMax: r.certified } : {}) };
    const meta = { expr: o.expr, domain, error, trained: r.kind === 'trained' };
    return [
      // The certificate holds for float64 evaluation: the float32 ONNX states it as that, not as its own.
      ...buildArtifacts(r.network, { ...meta, error: float64Only(meta.error) }, `${slug}.onnx`, 'float32')
        .map((f) => ({ relativePath: `${slug}.onnx`, bytes: f.bytes })),
      ...buildArtifacts(r.network, meta, `${slug}.json`).map((f) => ({ relativePath: `${slug}.json`, bytes: f.bytes })),
    ];
  });
}

/** Errors for a float32 file whose certificate was proven for float64: kept as certifiedMaxFloat64 only. */
function float64Only(error: { certifiedMax?: number; [k: string]: unknown }): Record<string, unknown> {
  const { certifiedMax, ...rest } = error;
  return certifiedMax === undefined ? rest : { ...rest, certifiedMaxFloat64: certifiedMax };
}
