/**
 * Bench of issue 14 (run alone: node --import tsx bench/minimal.ts; bench/run.ts runs it too):
 * 1. segments of approx --max-error (minimum-link) against the proven lower bound and the
 *    equidistributed placement, on the functions and tolerances;
 * 2. fit on noisy sin(x) from 2,000 to 1,000,000 points: time, and the RMS of --segments
 *    against a free-knot least-squares global search (random multi-start of the same local
 *    optimizer) given the same time, and given 200 starts.
 */
import { approximate } from '../src/approx/approximate.ts';
import { fitPoints } from '../src/approx/datafit.ts';
import { lsqOnKnots, refineKnots } from '../src/approx/freeknots.ts';
import { binPoints, groupPoints, pointErrors } from '../src/approx/points.ts';
import { renderTable } from '../src/cli/table.ts';
import { fmt } from '../src/report/format.ts';
import { noisySin } from './fitdata.ts';
import { recordFor } from './write.ts';

const quick = process.argv.includes('--quick');
const now = () => performance.now() / 1000;

export function benchMinimal(): void {
  console.log('\n# approx --max-error: segments of the minimum-link construction against the proven lower bound ' +
    '(and the equidistributed placement)');
  const fns: [string, number, number][] = [['x^2', -3.5, 3.5], ['log(x)', 1, 32], ['sin(x)', 0, 2 * Math.PI],
    ['tanh(x)', -5, 5], ['sin(x)/x', 1, 12], ['2*x^2+x^3', -2.5, 2.5], ['exp(-x)*sin(x)', -4, 4], ['exp(-100*(x-2)^2)',
    0, 3]];
  const tols = [0.1, 0.05, 0.01, 0.005, 0.001];
  const rows: (string | number)[][] = [];
  let minimal = 0, cases = 0, sumMin = 0, sumEq = 0;
  for (const [expr, a, b] of quick ? fns.slice(0, 3) : fns) {
    const cells: string[] = [];
    for (const E of tols) {
      const r = approximate({ expr, domain: [a, b], size: { kind: 'maxError', error: E } });
      const eq = approximate({ expr, domain: [a, b], size: { kind: 'maxError', error: E },
        placement: 'equidistribute' });
      cases++; if (r.segments === r.segmentsLowerBound) minimal++;
      sumMin += r.segments; sumEq += eq.segments;
      cells.push(`${r.segments}/${r.segmentsLowerBound} (${eq.segments})`);
    }
    rows.push([`${expr} on [${fmt(a)}, ${fmt(b)}]`, ...cells]);
  }
  console.log(renderTable(['function  (minimum-link / lower bound (equidistributed))', ...tols.map(String)], rows));
  console.log(`minimal in ${minimal} of ${cases} cases; equidistributed placement uses ` +
    `${fmt(((sumEq / sumMin) - 1) * 100)}% more segments in total`);

  console.log('\n# fit on noisy sin(x) (uniform noise ±0.05): time, automatic count, and --segments 8 against a ' +
    'free-knot least-squares global search');
  const fitRows: (string | number)[][] = [];
  for (const n of quick ? [2000, 100_000] : [2000, 20_000, 200_000, 1_000_000]) {
    const { x, y } = noisySin(n, 0.05, 11);
    let t0 = now();
    const auto = fitPoints(groupPoints(x, y), { kind: 'maxError', error: 0.06 });
    const tAuto = now() - t0;
    t0 = now();
    const p = groupPoints(x, y);
    const ours = fitPoints(p, { kind: 'segments', segments: 8 });
    const tOurs = now() - t0;
    const sameTime = globalSearch(p, 8, tOurs, Infinity, 1);
    const long = n <= 20_000 ? globalSearch(p, 8, Infinity, 200, 2) : null;
    fitRows.push([n, auto.pwl.x.length - 1, auto.maxError, tAuto, ours.rmsError, tOurs, sameTime.rms, sameTime.starts,
      long ? long.rms : '-', long ? `${fmt((ours.rmsError / long.rms - 1) * 100)}%` : '-']);
  }
  console.log(renderTable(['points', '--max-error 0.06: segments', 'max error', 'seconds', '--segments 8: RMS',
    'seconds', 'global search, same time: RMS', 'starts', 'global search, 200 starts: RMS', 'ours vs 200 starts'],
      fitRows));
}

/**
 * Random multi-start free-knot least squares (the local optimizer refineKnots from uniform random knots), within a time
 * or a number of starts.
 */
function globalSearch(p: ReturnType<typeof groupPoints>, segments: number, seconds: number, starts: number,
  seed: number): { rms: number; starts: number } {
  let r = seed;
  const rand = () => { r = (r * 16807) % 2147483647; return r / 2147483647; };
  const b = binPoints(p, 4000);
  const a0 = p.x[0]!, a1 = p.x[p.x.length - 1]!;
  let best = Infinity;
  let k = 0;
  const t0 = now();
  while (k < starts && (k === 0 || now() - t0 < seconds)) {
    const inner = Array.from({ length: segments - 1 }, () => a0 + (a1 - a0) * rand()).sort((u, v) => u - v);
    const knots = refineKnots(b, Float64Array.from([a0, ...inner, a1]));
    best = Math.min(best, pointErrors(p, lsqOnKnots(p, knots).pwl).rmsError);
    k++;
  }
  return { rms: best, starts: k };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  recordFor('minimal', `node --import tsx bench/minimal.ts ${quick ? '--quick ' : ''}--write`);
  benchMinimal();
}
