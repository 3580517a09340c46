import type { Command } from 'commander';
import { approximate } from '../approx/approximate.ts';
import { compileFormula } from '../compile/compile.ts';
import { sampleBox, sampleShell } from '../compile/sample.ts';
import { InputError } from '../errors.ts';
import { accurateFunction } from '../expr/accurate.ts';
import { parseFormula } from '../expr/parse.ts';
import type { Network } from '../net/network.ts';
import { rng } from '../random.ts';
import { compareNotes, compareReportFiles } from '../report/compare.ts';
import { initTfjs } from '../runtime/tfjs.ts';
import { collect, parseCount, parseNumberInRange, parsePositive, parseSeed, parseVarRanges } from './args.ts';
import { regionFromData } from './data.ts';
import { checkOutputs } from './files.ts';
import { FORCE_HELP } from './outputs.ts';
import { writeOutputs, type StagedOutput } from './staging.ts';
import { fmt } from '../report/format.ts';
import { renderTable } from './table.ts';
import { note, QUIET_HELP } from './progress.ts';
import { commandLine, VERSION } from './version.ts';
import { certifyNetwork, type CertifyResult } from '../certify/certify.ts';
import type { Expr } from '../expr/ast.ts';
import { buildArtifacts } from '../export/index.ts';

const T3 = 'sqrt(dx^2+dy^2+dz^2)';

export function registerCompare(program: Command): void {
  program
    .command('compare')
    .description('Construction against training (TensorFlow.js): the asker\'s architecture (raw and standardized), an MLP with our ReLUs and depth, and our network fine-tuned, all measured by one evaluator on the same held-out samples.')
    .argument('[expr]', `formula (default: the original question's distance ${T3} on the GPS-like shell 2.1e7..2.4e7)`)
    .option('--var <name=a:b>', 'input range (repeat; default for the distance: ±2.4e7 each)', collect, [])
    .option('--range <subexpr=a:b>', 'known range of a subexpression (repeatable)', collect, [])
    .option('--data <file.csv>', 'samples (header = variable names), split at random into equal training and held-out halves; ranges not given are taken from them')
    .option('--data-margin <fraction>', 'widen ranges taken from --data by this fraction of their width', '0.01')
    .option('--max-error <E>', 'certified max error of the constructed network (default: 1 for the distance, else 1e-3 of max |f| on the samples)')
    .option('--budget-seconds <S>', 'training time shared equally by the 4 trained networks', '100')
    .option('--samples <N>', 'training samples drawn (as many again, drawn separately, are held out); ignored with --data', '20000')
    .option('--fine-tune-lr <rate>', 'Adam learning rate for fine-tuning our network (default: 1e-3 of its smallest |weight|)')
    .option('--seed <N>', 'seed for samples, shuffling and initializations', '1')
    .option('--report <dir>', 'write index.html (self-contained) with SVG and PNG figures into this folder')
    .option('--export-dir <dir>', 'write every network (constructed and trained) as ONNX float32 and knotnet JSON into this folder')
    .option('--force', FORCE_HELP)
    .option('--certify-seconds <S>', 'prove each network\'s worst case over the region with knotnet certify, at most S seconds each (0: skip)', '20')
    .option('--json', 'print one JSON object instead of the table')
    .option('--quiet', QUIET_HELP)
    .addHelpText('after', '\nExamples:\n  knotnet compare --report compare-report\n  knotnet compare "sqrt(x)" --var x=0:1 --budget-seconds 20 --report sqrt-report')
    .action(async (exprArg: string | undefined, flags: Record<string, any>, command: Command) => {
      const expr = exprArg ?? T3;
      const budget = parsePositive(flags.budgetSeconds, '--budget-seconds');
      const certifySeconds = parseNumberInRange(flags.certifySeconds, '--certify-seconds', 0, 3600);
      const n = parseCount(flags.samples, '--samples', 10_000_000);
      const seed = parseSeed(flags.seed);
      const run = { command: commandLine((command.parent as unknown as { rawArgs?: string[] } | null)?.rawArgs ?? []), seed, budgetSeconds: budget, version: VERSION, date: new Date().toISOString() };
      const fineLr = flags.fineTuneLr !== undefined ? parsePositive(flags.fineTuneLr, '--fine-tune-lr') : undefined;
      const report = flags.report ? String(flags.report).replace(/(.)[/\\]+$/, '$1') : undefined;
      const exportDir = flags.exportDir ? String(flags.exportDir).replace(/(.)[/\\]+$/, '$1') : undefined;
      const targets: StagedOutput[] = [];
      if (report) targets.push({ target: { path: report, argument: '--report', kind: 'report' }, files: [] });
      if (exportDir) targets.push({ target: { path: exportDir, argument: '--export-dir', kind: 'export-dir' }, files: [] });
      checkOutputs(targets.map((t) => t.target), !!flags.force);
      const formula = parseFormula(expr);
      const inputs = formula.variables;
      const vars = parseVarRanges(flags.var as string[], '--var');
      const ranges = parseVarRanges(flags.range as string[], '--range');
      const isT3 = expr === T3 && Object.keys(vars).length === 0 && !flags.data;
      if (isT3) {
        for (const v of ['dx', 'dy', 'dz']) vars[v] = [-2.4e7, 2.4e7];
        ranges['dx^2+dy^2+dz^2'] ??= [4.41e14, 5.76e14];
      }
      let trainX: Float64Array, heldX: Float64Array, source: string;
      if (flags.data) {
        const data = regionFromData(flags.data, expr, vars, ranges, parseNumberInRange(flags.dataMargin, '--data-margin'));
        if (data.count < 2) throw new InputError('--data', 'have at least 2 rows (half are held out)', data.count);
        [trainX, heldX] = splitRows(data.rows, inputs.length, seed);
        source = `${flags.data}, split at random`;
      } else {
        for (const v of inputs) if (!vars[v]) throw new InputError('--var', `give a range for every variable of the expression (missing ${v})`, Object.keys(vars).join(', ') || 'none');
        const draw = (s: number) => (isT3 ? sampleShell({ dims: 3, inner: 2.1e7, outer: 2.4e7, n, seed: s }) : sampleBox(inputs.map((v) => vars[v]!), n, s));
        trainX = draw(seed * 2 + 1);
        heldX = draw(seed * 2 + 2);
        source = `${isT3 ? 'uniform in the shell 2.1e7 ≤ |d| ≤ 2.4e7' : 'uniform in the box'}, the two sets drawn separately`;
      }
      const f = accurateFunction(formula.expr, inputs); // the real formula (expr/accurate.ts)
      const d = inputs.length;
      const label = (x: Float64Array) => Float64Array.from({ length: x.length / d }, (_, i) => f(...Array.from(x.subarray(i * d, (i + 1) * d))));
      const trainY = label(trainX);
      const heldY = label(heldX);
      const maxAbsY = heldY.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      if (flags.maxError === undefined && expr !== T3 && !(maxAbsY > 0)) throw new InputError('--max-error', 'be given when the expression is 0 (or not finite) on every held-out sample (its default is 1e-3 of max |f| there)', `max |f| = ${maxAbsY}`);
      const maxError = flags.maxError !== undefined ? parsePositive(flags.maxError, '--max-error') : expr === T3 ? 1 : 1e-3 * maxAbsY;
      const log = note;
      log(`constructing ${expr} to certified max error ${maxError.toPrecision(3)}...`);
      const t0 = performance.now();
      const built = construct(expr, inputs, vars, ranges, maxError, heldX);
      const buildSeconds = (performance.now() - t0) / 1000;
      const { compareWithTraining } = await import('../train/compare.ts'); // TensorFlow.js: loaded only here
      const backend = await initTfjs('wasm');
      log(`training with TensorFlow.js (${backend} backend), ${budget} s of training in all...`);
      const rows = await compareWithTraining({
        inputs, constructed: { network: built.network, seconds: buildSeconds, certified: built.certified, name: 'knotnet construction' },
        train: { x: trainX, y: trainY }, heldOut: { x: heldX, y: heldY }, budgetSeconds: budget, seed, onProgress: log, ...(fineLr ? { fineTuneLearningRate: fineLr } : {}),
      });
      const proven = certifyRows(rows.map((r) => r.network), formula.expr, inputs.map((v) => vars[v]!), ranges, certifySeconds, log);
      const header = ['network', 'ReLUs', 'layers', 'params', 'held-out max error', 'held-out RMS', 'certified max', ...(proven ? ['proven worst case (certify)'] : []), 'seconds'];
      const table = rows.map((r, i) => [r.name, r.relus, r.layers, r.params, r.maxError, r.rmsError, r.certified ?? '', ...(proven ? [provenCell(proven[i]!, certifySeconds)] : []), r.seconds] as (string | number)[]);
      const nTrain = trainX.length / d, nHeld = heldX.length / d;
      const notes = compareNotes(rows, maxAbsY);
      if (proven) notes.push(`"proven worst case" is knotnet certify's bound of max |N − f| over the whole region (bound propagation and branch and bound, at most ${certifySeconds} s each); where it did not reach 10% of the worst input it found, the interval [found, proven] is shown.`);
      if (report) {
        const oneD = d === 1 ? { f: (x: number) => f(x), domain: vars[inputs[0]!]!, variable: inputs[0]! } : undefined;
        targets[0]!.files = compareReportFiles({ expr, rows, table: { header, rows: table }, samples: { train: nTrain, heldOut: nHeld, source }, backend, notes, run, ...(oneD ? { oneD } : {}) });
      }
      if (exportDir) {
        // The trained networks go through the same exporters as constructed ones.
        const files = rows.flatMap((r) => {
          const slug = r.name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
          const meta = { expr, domain: { ...vars, ...ranges }, error: { measuredMax: r.maxError, measuredRms: r.rmsError, ...(r.certified !== undefined ? { certifiedMax: r.certified } : {}) }, trained: r.kind === 'trained' };
          return [
            // The certificate holds for float64 evaluation: the float32 ONNX states it as that, not as its own.
            ...buildArtifacts(r.network, { ...meta, error: float64Only(meta.error) }, `${slug}.onnx`, 'float32').map((f) => ({ relativePath: `${slug}.onnx`, bytes: f.bytes })),
            ...buildArtifacts(r.network, meta, `${slug}.json`).map((f) => ({ relativePath: `${slug}.json`, bytes: f.bytes })),
          ];
        });
        targets[targets.length - 1]!.files = files;
      }
      await writeOutputs(targets, !!flags.force); // both folders or neither
      if (report) log(`wrote ${report}/index.html`);
      if (exportDir) log(`wrote ${targets[targets.length - 1]!.files.length} files into ${exportDir}`);
      const measuredBy = "knotnet's float64 evaluator on each network's plain ReLU form";
      if (flags.json) {
        process.stdout.write(`${JSON.stringify({
          expr, samples: { train: nTrain, heldOut: nHeld, source }, measuredBy, backend, budgetSeconds: budget, seed, command: run.command, version: run.version, date: run.date,
          rows: rows.map((r, i) => ({ name: r.name, kind: r.kind, ...(proven ? { proven: { certified: Number.isFinite(proven[i]!.upper) ? proven[i]!.upper : null, worstFound: proven[i]!.lower, gapReached: proven[i]!.stopped === 'gap', seconds: proven[i]!.seconds } } : {}), relus: r.relus, layers: r.layers, params: r.params, maxError: { measured: r.maxError, certified: r.certified ?? null }, rmsError: r.rmsError, seconds: r.seconds, ...(r.init ? { init: r.init } : {}), ...(r.runtimeFloat32 ? { runtimeFloat32: r.runtimeFloat32 } : {}), curve: r.curve })),
          notes,
          ...(report ? { report: `${report}/index.html` } : {}),
        })}\n`);
      } else {
        process.stdout.write(`${expr}: ${nTrain} training and ${nHeld} held-out samples (${source}); errors measured by ${measuredBy}, on the held-out samples\n${renderTable(header, table)}\n${notes.map((n) => `- ${n}\n`).join('')}`);
      }
    });
}

/** Each network's proven worst case over the region (knotnet certify), or undefined when skipped. */
function certifyRows(nets: Network[], expr: Expr, box: [number, number][], ranges: Record<string, [number, number]>, seconds: number, log: (line: string) => void): CertifyResult[] | undefined {
  if (seconds <= 0) return undefined;
  const conditions = Object.entries(ranges).map(([text, [lo, hi]]) => ({ expr: parseFormula(text, '--range').expr, lo, hi, text }));
  return nets.map((net, i) => {
    log(`certifying network ${i + 1} of ${nets.length} (at most ${seconds} s)...`);
    return certifyNetwork({ net, expr, box, ranges: conditions, timeSeconds: seconds });
  });
}

const provenCell = (c: CertifyResult, seconds: number): string =>
  c.stopped === 'gap' ? fmt(c.upper) : Number.isFinite(c.upper) ? `[${fmt(c.lower)}, ${fmt(c.upper)}]: not within ${seconds} s` : `found ${fmt(c.lower)}, no finite bound within ${seconds} s`;

/** One input: the 1-D construction (optimal knots, minimax); several: the compiler. */
function construct(expr: string, inputs: string[], vars: Record<string, [number, number]>, ranges: Record<string, [number, number]>, maxError: number, samples: Float64Array): { network: Network; certified: number } {
  if (inputs.length === 1) {
    const r = approximate({ expr, domain: vars[inputs[0]!]!, size: { kind: 'maxError', error: maxError } });
    return { network: r.network, certified: r.certifiedMax };
  }
  const r = compileFormula({ expr, vars, ranges, maxError, samples });
  return { network: r.network, certified: r.certifiedMax };
}

/** Rows shuffled with the seed, then cut in two halves: training first, held-out second. */
function splitRows(rows: Float64Array, d: number, seed: number): [Float64Array, Float64Array] {
  const count = rows.length / d;
  const order = Array.from({ length: count }, (_, i) => i);
  const rand = rng(seed);
  for (let i = count - 1; i > 0; i--) { const j = Math.floor(rand() * (i + 1)); [order[i], order[j]] = [order[j]!, order[i]!]; }
  const pick = (idx: number[]) => { const out = new Float64Array(idx.length * d); idx.forEach((r, k) => out.set(rows.subarray(r * d, r * d + d), k * d)); return out; };
  const half = Math.ceil(count / 2);
  return [pick(order.slice(0, half)), pick(order.slice(half))];
}

/** Errors for a float32 file whose certificate was proven for float64: kept as certifiedMaxFloat64 only. */
function float64Only(error: { certifiedMax?: number; [k: string]: unknown }): Record<string, unknown> {
  const { certifiedMax, ...rest } = error;
  return certifiedMax === undefined ? rest : { ...rest, certifiedMaxFloat64: certifiedMax };
}
