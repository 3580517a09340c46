import { join } from 'node:path';
import type { Command } from 'commander';
import { InputError, WorkError } from '../errors.ts';
import { fitPoints, shapedNetwork, type DataSize, type Shape } from '../approx/datafit.ts';
import { groupPoints } from '../approx/points.ts';
import { networkSummary, type Network } from '../net/network.ts';
import { linePlot } from '../report/plot.ts';
import { htmlReport } from '../report/html.ts';
import { textLinesWithin } from '../runtime/read-limits.ts';
import { parseChoice, parseCount, parsePositive } from './args.ts';
import { checkCsvRows } from './csv.ts';
import type { OutputTarget } from './files.ts';
import { FORCE_HELP, saveOutputs, wroteLine } from './outputs.ts';
import type { StagedOutput } from './staging.ts';
import { renderPairs } from './table.ts';

interface FitFlags {
  x?: string; y?: string; maxError?: string; segments?: string; rmsError?: string;
  monotone?: string; convex?: boolean; concave?: boolean;
  json?: boolean; save?: string; export?: string[]; dtype: string; report?: string; force?: boolean;
}

export function registerFit(program: Command): void {
  program
    .command('fit')
    .description('Fit data points by a continuous piecewise-linear function (one ReLU per segment): fewest segments ' +
      'within a max error, or least squares with free knots.')
    .argument('<data.csv>', 'CSV file with a header line')
    .option('--x <col>', 'column of the input')
    .option('--y <col>', 'column of the output')
    .option('--max-error <E>', 'fewest segments with every point within E (minimum-link, exact on the points)')
    .option('--segments <N>', 'least squares with N segments, free knots')
    .option('--rms-error <E>', 'fewest segments whose free-knot least squares has RMS error <= E on the points')
    .option('--monotone <dir>', 'increasing | decreasing (exact on the network)')
    .option('--convex', 'convex fit (exact on the network)')
    .option('--concave', 'concave fit (exact on the network)')
    .option('--dtype <t>', 'dtype of exported weights: float64 | float32', 'float64')
    .option('--json', 'print one JSON object instead of the table')
    .option('--save <file.json>', 'write the network in knotnet JSON form')
    .option('--export <file...>', 'write artifacts: .onnx, .json, .safetensors, or a folder for TF.js')
    .option('--report <dir>', 'write an HTML report with a plot of the data, the fit and its knots')
    .option('--force', FORCE_HELP)
    .addHelpText('after', `
Errors are measured on the points only: nothing is claimed between them.
Examples:
  knotnet fit docs/noisy-sin.csv --x x --y y --max-error 0.05
  knotnet fit docs/noisy-sin.csv --x x --y y --segments 8 --report fit-report`)
    .action(fitAction);
}

/** fit's request, every flag parsed and checked (no file read yet). */
interface FitRequest {
  path: string; x: string; y: string; size: DataSize; shape: Shape; dtype: 'float64' | 'float32';
  report: OutputTarget | undefined; json: boolean; force: boolean;
}

/** What fit found, beside the request. */
interface FitOutcome {
  points: ReturnType<typeof groupPoints>; fit: ReturnType<typeof fitPoints>; network: Network;
  segments: number; domain: [number, number]; seconds: number; files: string[];
}

/** Parse, check the output paths, read the columns, fit, write the network and report (both or neither), print. */
async function fitAction(path: string, flags: FitFlags): Promise<void> {
  const started = performance.now();
  const req = parseFitFlags(path, flags);
  const report: StagedOutput | undefined = req.report ? { target: req.report, files: [] } : undefined;
  const saver = saveOutputs({ save: flags.save, exports: flags.export ?? [], dtype: req.dtype, force: flags.force,
    others: report ? [report] : [] });
  const { xs, ys } = readColumns(path, req.x, req.y);
  const points = groupPoints(xs, ys);
  if (points.wasUnsorted) process.stderr.write(`knotnet: ${path}: x was not sorted; sorted it.\n`);
  if (points.repeatedWithSpread > 0) {
    process.stderr.write(`knotnet: ${path}: ${points.repeatedWithSpread} repeated x with different y (widest spread ` +
      `${points.widestSpread} at x = ${points.widestSpreadAt}); the fit takes the spread.\n`);
  }
  const r = fitPoints(points, req.size, req.shape);
  const { network, violation } = shapedNetwork(r.pwl, req.shape, req.x, req.y);
  if (violation >= 0) {
    throw new WorkError(`the fit could not be made ${describe(req.shape)} exactly (segment ${violation + 1}); this ` +
      `is a bug in knotnet, please report it with the command line.`);
  }
  const domain: [number, number] = [points.x[0]!, points.x[points.x.length - 1]!];
  const seconds = (performance.now() - started) / 1000;
  const error = { measuredMax: r.maxError, measuredRms: r.rmsError, on: 'points' };
  const meta = { expr: `fit of ${req.y} over ${req.x} (${path})`, domain: { [req.x]: domain }, error,
    knots: Array.from(r.pwl.x) };
  if (report) report.files = reportFiles(path, req.x, req.y, xs, ys, r.pwl, r.maxError, r.rmsError);
  await saver.write(network, meta, [[domain[0]], [domain[1]]]); // the network files and the report, or none
  if (report) saver.written.push(join(flags.report!, 'index.html'));
  const outcome: FitOutcome = { points, fit: r, network, segments: r.pwl.x.length - 1, domain, seconds,
    files: saver.written };
  process.stdout.write(req.json ? `${JSON.stringify(fitSummary(req, outcome))}\n` : renderFit(req, outcome));
}

/** fit's flags as a request: pure, in the order the flags have always been checked. */
function parseFitFlags(path: string, flags: FitFlags): FitRequest {
  if (!flags.x || !flags.y) throw new InputError(flags.x ? '--y' : '--x', 'name a column of the CSV', 'nothing');
  const given = (['maxError', 'segments', 'rmsError'] as const).filter((k) => flags[k] !== undefined);
  if (given.length !== 1) {
    throw new InputError('fit', 'get exactly one of --max-error, --segments, --rms-error',
      given.length ? given.join(' and ') : 'none');
  }
  if (flags.convex && flags.concave) throw new InputError('--convex', 'not be combined with --concave', 'both');
  const size: DataSize = flags.maxError !== undefined ? { kind: 'maxError',
    error: parsePositive(flags.maxError, '--max-error') }
    : flags.segments !== undefined ? { kind: 'segments', segments: parseCount(flags.segments, '--segments', 1_000_000) }
      : { kind: 'rmsError', error: parsePositive(flags.rmsError!, '--rms-error') };
  const shape: Shape = {
    ...(flags.monotone !== undefined ? { monotone: parseChoice(flags.monotone, '--monotone',
      ['increasing', 'decreasing'] as const) } : {}),
    ...(flags.convex ? { curvature: 'convex' as const } : flags.concave ? { curvature: 'concave' as const } : {}),
  };
  const dtype = parseChoice(flags.dtype, '--dtype', ['float64', 'float32'] as const);
  const report: OutputTarget | undefined = flags.report
    ? { path: flags.report.replace(/(.)[/\\]+$/, '$1'), argument: '--report', kind: 'report' } : undefined;
  return { path, x: flags.x, y: flags.y, size, shape, dtype, report, json: flags.json === true,
    force: flags.force === true };
}

/** fit --json. */
function fitSummary(req: FitRequest, o: FitOutcome) {
  const s = networkSummary(o.network);
  const r = o.fit;
  return {
    relus: s.relus, layers: s.layers, params: s.params, segments: o.segments, knots: Array.from(r.pwl.x),
    maxError: { certified: null, measured: r.maxError, at: r.maxErrorAt }, rmsError: r.rmsError, errorOn: 'points',
    ...(r.segmentsLowerBound !== undefined ? { segmentsLowerBound: r.segmentsLowerBound,
      minimal: o.segments <= r.segmentsLowerBound } : {}),
    points: o.points.total, distinctX: o.points.x.length, sorted: !o.points.wasUnsorted, shape: req.shape,
    domain: { [req.x]: o.domain }, dtype: req.dtype, seconds: o.seconds, files: o.files,
  };
}

/** fit's table (and the files written). */
function renderFit(req: FitRequest, o: FitOutcome): string {
  const r = o.fit;
  const { shape } = req;
  const lower = r.segmentsLowerBound;
  const minimal = lower === undefined ? [] : [['segments: lower bound', o.segments <= lower
    ? 'minimal (no continuous PWL within the tolerance of every point has fewer)'
    : `within ${o.segments - lower} of minimal (the shape constraint costs them)`]] as [string, string][];
  return `${renderPairs([
    ['data', `${req.path}: ${o.points.total} points, ${o.points.x.length} distinct x, ` +
      `${req.y} over ${req.x} on [${o.domain[0]}, ${o.domain[1]}]`],
    ['segments (ReLUs)', o.segments],
    ...minimal,
    ...(shape.monotone || shape.curvature
      ? [['shape (exact on the network)', describe(shape)]] as [string, string][] : []),
    ['max error on the points', r.maxError],
    ['RMS error on the points', r.rmsError],
    ['between points', 'not certified (data, not a formula)'],
    ['seconds', o.seconds],
  ])}${wroteLine(o.files)}\n`;
}

function describe(shape: Shape): string {
  return [shape.monotone, shape.curvature].filter(Boolean).join(', ');
}

/** The two named columns of a CSV with a header, as numbers (other columns are not read). */
export function readColumns(path: string, xCol: string, yCol: string): { xs: Float64Array; ys: Float64Array } {
  const xs: number[] = [];
  const ys: number[] = [];
  let ix = -1, iy = -1, i = -1;
  for (const line of textLinesWithin(path, 'csv', 'data')) { // streamed within the CSV byte limit
    if (++i === 0) {
      const header = line.split(',').map((s) => s.trim());
      [ix, iy] = [header.indexOf(xCol), header.indexOf(yCol)];
      if (ix < 0) throw new InputError('--x', `name a column of ${path} (${header.join(', ')})`, xCol);
      if (iy < 0) throw new InputError('--y', `name a column of ${path} (${header.join(', ')})`, yCol);
      continue;
    }
    if (line.trim() === '') continue;
    checkCsvRows(xs.length + 1, 2, 'data', path);
    const cells = line.split(',');
    const cx = cells[ix]?.trim() ?? '';
    const cy = cells[iy]?.trim() ?? '';
    const x = cx === '' ? NaN : Number(cx);
    const y = cy === '' ? NaN : Number(cy);
    if (!Number.isFinite(x)) throw new InputError(`${path} line ${i + 1} column ${xCol}`, 'be a finite number', cx);
    if (!Number.isFinite(y)) throw new InputError(`${path} line ${i + 1} column ${yCol}`, 'be a finite number', cy);
    xs.push(x);
    ys.push(y);
  }
  if (xs.length < 2) throw new InputError('data', 'have at least 2 points', `${xs.length} in ${path}`);
  return { xs: Float64Array.from(xs), ys: Float64Array.from(ys) };
}

/** index.html and fit.svg: the data (up to 4,000 points shown), the fit with its knots marked, and the residuals. */
function reportFiles(path: string, xName: string, yName: string, xs: Float64Array, ys: Float64Array,
  pwl: { x: Float64Array; y: Float64Array }, maxError: number, rmsError: number) {
  const order = Array.from(xs.keys()).sort((a, b) => xs[a]! - xs[b]!);
  const step = Math.max(1, Math.ceil(order.length / 4000));
  const shown = order.filter((_, k) => k % step === 0);
  const svg = linePlot({
    width: 900, height: 380, title: `${yName} over ${xName}: data, fit and knots`, xLabel: xName,
    series: [
      { x: shown.map((i) => xs[i]!), y: shown.map((i) => ys[i]!), color: '#9bb7d4', width: 0.6,
        label: `data (${xs.length} points${step > 1 ? `, every ${step}th shown` : ''})` },
      { x: pwl.x, y: pwl.y, color: '#c0392b', width: 1.6, label: `fit (${pwl.x.length - 1} segments)`, marks: pwl.x },
    ],
  });
  const html = htmlReport({
    title: `knotnet fit: ${path}`, intro: 'Errors are measured on the data points only; nothing is claimed between ' +
      'them.',
    table: { header: ['segments', 'max error on points', 'RMS error on points'],
      rows: [[pwl.x.length - 1, maxError, rmsError]] },
    figures: [{ caption: 'Data (blue), the continuous piecewise-linear fit (red) and its knots (ticks).',
      svg }], notes: [],
  });
  return [{ relativePath: 'index.html', bytes: html }, { relativePath: 'fit.svg', bytes: svg }];
}
