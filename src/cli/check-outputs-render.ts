/**
 * check's report for a model with several outputs: a table with one row per output (measured
 * beside the stored certificate, worst input) and the same as `--json`'s `outputs`.
 */
import type { CertifyResult } from '../certify/certify.ts';
import { fmt } from '../report/format.ts';
import type { Measured } from './check-measure.ts';
import { shorten } from './compile-render.ts';
import { renderPairs, renderTable } from './table.ts';

/** One output's check: its formula, measurement, stored certificate(s) and --max-error. */
export interface OutputCheck {
  name: string; expr: string; m: Measured; limit: number | undefined;
  worstInput: Record<string, number | undefined>;
  /** The file's certificate of this output (its dtype), where compared. */
  certified?: number;
  /** A float32 file: the same weights' float64 certificate. */
  certifiedFloat64?: number;
  /** check --certify: this output's max error proven by certify. */
  proven?: CertifyResult;
}

/** What the table's head says: the model and the samples. */
export interface SeveralHead {
  model: string; format: string; dtype: string; samples: number; exclude: string[] | undefined;
}

/** check --json for several outputs: per output as the one-output keys, the top level the largest. */
export function severalJson(head: SeveralHead, checks: OutputCheck[], started: number) {
  return {
    model: head.model, format: head.format, dtype: head.dtype,
    expr: `[${checks.map((c) => c.expr).join(', ')}]`, samples: head.samples,
    maxError: { measured: Math.max(...checks.map((c) => c.m.max)) },
    outputs: checks.map((c) => ({
      name: c.name, expr: c.expr,
      maxError: {
        measured: c.m.max,
        ...(c.certified !== undefined ? { certifiedInFile: c.certified, measuredInCertifiedRegion: c.m.maxInRegion,
          samplesInCertifiedRegion: c.m.inRegion } : {}),
        ...(c.certifiedFloat64 !== undefined ? { certifiedInFileFloat64: c.certifiedFloat64 } : {}),
        ...(c.limit !== undefined ? { limit: c.limit } : {}),
        ...(c.proven ? { certified: c.proven.upper, certifyWorstFound: c.proven.lower,
          certifyGapReached: c.proven.stopped === 'gap' } : {}),
      },
      rmsError: c.m.rms, relativeMaxError: c.m.rel, undefinedSamples: c.m.undefinedCount,
      nonFiniteOutputs: c.m.nonFinite, worstInput: c.worstInput, certifiedInFile: c.certified ?? null,
    })),
    seconds: (performance.now() - started) / 1000,
  };
}

/** check's table for several outputs: the head, then one row per output. */
export function renderSeveral(head: SeveralHead, checks: OutputCheck[]): string {
  const outside = checks.some((c) => c.certified !== undefined && c.m.counted > c.m.inRegion);
  const undef = checks.some((c) => c.m.undefinedCount > 0);
  const f64 = checks.some((c) => c.certifiedFloat64 !== undefined);
  const proven = checks.some((c) => c.proven);
  const bands = head.exclude ? `, outside ${head.exclude.join(', ')}` : '';
  const header = ['output', 'formula', ...(undef ? ['undefined (not counted)'] : []), 'max error, measured',
    ...(outside ? ['measured in certified region'] : []), `certified (stored, ${head.dtype}${bands})`,
    ...(f64 ? ['certified (stored, float64)'] : []), ...(proven ? ['certified (certify)'] : []), 'RMS, measured',
    'relative max', 'worst input'];
  const rows = checks.map((c) => [c.name, shorten(c.expr, 50), ...(undef ? [c.m.undefinedCount] : []), c.m.max,
    ...(outside ? [c.certified === undefined ? '-' : c.m.maxInRegion] : []), c.certified ?? 'none',
    ...(f64 ? [c.certifiedFloat64 ?? '-'] : []), ...(proven ? [provenText(c.proven)] : []), c.m.rms, c.m.rel,
    JSON.stringify(c.worstInput)]);
  const samplesOutside = checks.find((c) => c.certified !== undefined);
  const pairs: [string, string | number][] = [
    ['model', `${head.model} (${head.format}, ${head.dtype})`],
    ['samples', head.samples],
    ...(outside && samplesOutside ? [['samples outside the certified region',
      samplesOutside.m.counted - samplesOutside.m.inRegion]] as [string, number][] : []),
  ];
  return `${renderPairs(pairs)}\n\nper output\n${renderTable(header, rows)}`;
}

/** check --certify's bound of one output and the worst input it found. */
function provenText(p: CertifyResult | undefined): string {
  if (!p) return '-';
  return `${fmt(p.upper)} (worst found ${fmt(p.lower)}${p.stopped === 'gap' ? '' : ', gap not within 10%'})`;
}
