import type { Command } from 'commander';
import { InputError } from '../errors.ts';
import { compileFormula } from '../compile/compile.ts';
import { sampleBox, sampleShell } from '../compile/sample.ts';
import { compileFunction } from '../expr/evaluate.ts';
import { parseFormula } from '../expr/parse.ts';
import { errorDistributionSvg, errorVsTimeSvg } from '../report/figures.ts';
import { htmlReport } from '../report/html.ts';
import { svgToPng } from '../report/png.ts';
import { initTfjs } from '../runtime/tfjs.ts';
import { compareWithTraining, type CompareRow } from '../train/compare.ts';
import { parseCount, parsePositive, parseVarRange } from './args.ts';
import { checkWritable, writeDirAtomic } from './files.ts';
import { renderTable } from './table.ts';

const collect = (v: string, acc: string[]) => [...acc, v];
const T3 = 'sqrt(dx^2+dy^2+dz^2)';

export function registerCompare(program: Command): void {
  program
    .command('compare')
    .description('Construction against training (TensorFlow.js): the asker\'s architecture, a same-size MLP, and our network fine-tuned, measured on the same held-out samples.')
    .argument('[expr]', 'formula (default: the original question\'s distance, on the GPS-like shell)')
    .option('--var <name=a:b>', 'input range (repeat; default for the distance: ±2.4e7 each)', collect, [])
    .option('--range <subexpr=a:b>', 'known range of a subexpression (repeatable)', collect, [])
    .option('--max-error <E>', 'certified max error of the constructed network', '1')
    .option('--budget-seconds <S>', 'total training time, shared by the 4 trained networks', '100')
    .option('--samples <N>', 'training samples (as many again are held out)', '20000')
    .option('--seed <N>', 'seed for samples and initializations', '1')
    .option('--report <dir>', 'write an HTML report with SVG and PNG figures into this folder')
    .option('--json', 'print one JSON object instead of the table')
    .addHelpText('after', '\nExample:\n  knotnet compare --budget-seconds 60 --report compare-report')
    .action(async (exprArg: string | undefined, flags: Record<string, any>) => {
      const expr = exprArg ?? T3;
      const budget = parsePositive(flags.budgetSeconds, '--budget-seconds');
      const n = parseCount(flags.samples, '--samples', 10_000_000);
      const seed = Number(flags.seed);
      if (!Number.isInteger(seed) || seed < 0) throw new InputError('--seed', 'be a whole number ≥ 0', flags.seed);
      const maxError = parsePositive(flags.maxError, '--max-error');
      if (flags.report) checkWritable(flags.report.replace(/\/+$/, ''), '--report');
      const formula = parseFormula(expr);
      const vars: Record<string, [number, number]> = {};
      for (const v of flags.var as string[]) { const p = parseVarRange(v, '--var'); vars[p.name] = p.range; }
      const ranges: Record<string, [number, number]> = {};
      for (const r of flags.range as string[]) { const p = parseVarRange(r, '--range'); ranges[p.name] = p.range; }
      const isT3 = expr === T3 && Object.keys(vars).length === 0;
      if (isT3) {
        for (const v of ['dx', 'dy', 'dz']) vars[v] = [-2.4e7, 2.4e7];
        ranges['dx^2+dy^2+dz^2'] ??= [4.41e14, 5.76e14];
      }
      const inputs = formula.variables;
      for (const v of inputs) if (!vars[v]) throw new InputError('--var', `give a range for every variable of the expression (missing ${v})`, Object.keys(vars).join(', ') || 'none');
      const draw = (count: number, s: number) => (isT3 ? sampleShell({ dims: 3, inner: 2.1e7, outer: 2.4e7, n: count, seed: s }) : sampleBox(inputs.map((v) => vars[v]!), count, s));
      const f = compileFunction(formula.expr, inputs);
      const label = (x: Float64Array) => Float64Array.from({ length: x.length / inputs.length }, (_, i) => f(...Array.from(x.subarray(i * inputs.length, (i + 1) * inputs.length))));
      const trainX = draw(n, seed * 2 + 1);
      const heldX = draw(n, seed * 2 + 2);
      const log = (line: string) => process.stderr.write(`${line}\n`);
      log('constructing...');
      const t0 = performance.now();
      const built = compileFormula({ expr, vars, ranges, maxError, samples: heldX });
      const buildSeconds = (performance.now() - t0) / 1000;
      const backend = await initTfjs('wasm');
      log(`training on TensorFlow.js (${backend} backend) for about ${budget} s in all...`);
      const rows = await compareWithTraining({
        inputs, constructed: { network: built.network, seconds: buildSeconds, certified: built.certifiedMax, name: 'knotnet construction' },
        train: { x: trainX, y: label(trainX) }, heldOut: { x: heldX, y: label(heldX) }, budgetSeconds: budget, seed,
        onProgress: (line) => log(line),
      });
      const header = ['network', 'ReLUs', 'layers', 'params', 'held-out max error', 'held-out RMS', 'certified max', 'seconds'];
      const table = rows.map((r) => [r.name, r.relus, r.layers, r.params, r.maxError, r.rmsError, r.certified ?? '', r.seconds] as (string | number)[]);
      if (flags.report) writeReport(flags.report.replace(/\/+$/, ''), expr, rows, header, table, n, backend);
      if (flags.json) {
        process.stdout.write(`${JSON.stringify({ expr, samples: { train: n, heldOut: n }, backend, rows: rows.map((r) => ({ name: r.name, kind: r.kind, relus: r.relus, layers: r.layers, params: r.params, maxError: { measured: r.maxError, certified: r.certified ?? null }, rmsError: r.rmsError, seconds: r.seconds })) })}\n`);
      } else {
        process.stdout.write(`${expr}: ${n} training and ${n} held-out samples; errors measured by knotnet's float64 evaluator on the held-out samples\n${renderTable(header, table)}\n`);
      }
    });
}

function writeReport(dir: string, expr: string, rows: CompareRow[], header: string[], table: (string | number)[][], n: number, backend: string): void {
  const time = errorVsTimeSvg(rows);
  const dist = errorDistributionSvg(rows);
  const html = htmlReport({
    title: `knotnet: construction against training for ${expr}`,
    intro: `${n} training samples and ${n} held-out samples. Every network, constructed or trained (TensorFlow.js, ${backend} backend), was converted exactly to a plain ReLU network and measured by the same evaluator on the same held-out samples. LeakyReLU units count as two ReLUs (leaky(z) = relu(z) − 0.3·relu(−z)).`,
    table: { header, rows: table },
    figures: [{ caption: 'Held-out RMS error during training; the constructed network is the dashed line.', svg: time }, { caption: 'Distribution of held-out absolute errors.', svg: dist }],
    notes: ['"certified" is a proven bound over the whole region; every other figure is measured on samples.'],
  });
  writeDirAtomic(dir, [
    { relativePath: 'index.html', bytes: html },
    { relativePath: 'error-vs-time.svg', bytes: time },
    { relativePath: 'error-vs-time.png', bytes: svgToPng(time) },
    { relativePath: 'error-distribution.svg', bytes: dist },
    { relativePath: 'error-distribution.png', bytes: svgToPng(dist) },
  ]);
}
