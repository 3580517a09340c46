import type { Command } from 'commander';
import { certifyNetwork, type CertifyResult } from '../certify/certify.ts';
import type { RangeCondition } from '../certify/formula.ts';
import { InputError } from '../errors.ts';
import { toVnnlib } from '../export/vnnlib.ts';
import { parseFormula } from '../expr/parse.ts';
import { singleOutput } from '../net/network.ts';
import { loadPlainNetwork } from '../runtime/plain.ts';
import { collect, parseNumber, parsePositive, parseSeed, parseVarRange } from './args.ts';
import { checkOutputs, type OutputTarget } from './files.ts';
import { FORCE_HELP } from './outputs.ts';
import { writeOutputs, type StagedOutput } from './staging.ts';
import { progress, QUIET_HELP } from './progress.ts';
import { renderPairs } from './table.ts';
import { nameRecord } from '../expr/names.ts';


export interface CertifyRequest {
  model: string;
  expr: string;
  vars: string[];
  ranges: string[];
  gap?: number;
  timeSeconds?: number;
  leakyAlpha?: number;
  seed?: number;
  /** A model with several outputs: the one to prove (its index), the others left out. */
  output?: number;
}

/** Loads the model, checks the region against it and certifies (shared by certify, check and compare). */
export async function certifyModelFile(req: CertifyRequest,
  onProgress?: (text: string) => void): Promise<{ result: CertifyResult; names: string[]; box: [number,
  number][]; format: string }> {
  const formula = parseFormula(req.expr, '--expr');
  const loaded = await loadPlainNetwork(req.model, req.leakyAlpha !== undefined ? { leakyAlpha: req.leakyAlpha } : {});
  const model = req.output === undefined ? loaded : { ...loaded, net: singleOutput(loaded.net, req.output) };
  const names = model.net.inputs;
  const given = nameRecord<[number, number]>();
  for (const v of req.vars) { const p = parseVarRange(v, '--var'); given[p.name] = p.range; }
  for (const v of Object.keys(given)) if (!names.includes(v)) throw new InputError('--var',
    `name one of the model's ${names.length} inputs (${names.join(', ')})`, v);
  for (const v of names) if (!given[v]) throw new InputError('--var',
    `give a range for each of the model's ${names.length} inputs (${names.join(', ')})`,
    Object.keys(given).join(', ') || 'none');
  for (const v of formula.variables) if (!names.includes(v)) throw new InputError('--expr',
    `use only the model's inputs (${names.join(', ')})`, v);
  const ranges: RangeCondition[] = req.ranges.map((t) => {
    const p = parseVarRange(t, '--range');
    const g = parseFormula(p.name, '--range');
    for (const v of g.variables) if (!names.includes(v)) throw new InputError('--range',
      `use only the model's inputs (${names.join(', ')})`, v);
    return { expr: g.expr, lo: p.range[0], hi: p.range[1], text: t };
  });
  const box = names.map((v) => given[v]!);
  const result = certifyNetwork({
    net: model.net, expr: formula.expr, box, ranges, dtype: model.dtype,
    gap: req.gap ?? 0.1, timeSeconds: req.timeSeconds ?? 60, seed: req.seed ?? 1,
    ...(onProgress ? { onProgress: (p) => onProgress(`proven ≤ ${p.upper.toPrecision(4)}, found ` +
      `${p.lower.toPrecision(4)}, ${p.boxes} sub-boxes`) } : {}),
  });
  return { result, names, box, format: `${model.format}, ${model.dtype}` };
}

export function registerCertify(program: Command): void {
  program
    .command('certify')
    .description('Prove the worst-case error of any ReLU network (ONNX, TF.js, safetensors, knotnet JSON) against a ' +
      'formula over a box: bound propagation (CROWN/DeepPoly) and branch and bound give [worst found, proven].')
    .argument('<model>', 'a .onnx, .json or .safetensors file, or a TF.js folder')
    .requiredOption('--expr <formula>', 'the formula the network should compute')
    .option('--var <name=a:b>', 'the range of each model input (repeat)', collect, [])
    .option('--range <subexpr=a:b>',
      'keep only the part of the box where the subexpression lies in [a, b] (repeatable)', collect, [])
    .option('--gap <fraction>', 'stop when proven ≤ (1 + gap) × worst found', '0.1')
    .option('--time <seconds>', 'time limit', '60')
    .option('--leaky-alpha <a>',
      'safetensors only: the hidden activations are LeakyReLU(a) (a state dict does not record them)')
    .option('--seed <N>', 'seed for the search of the worst input', '1')
    .option('--witness <file.csv>', 'write the worst input found as CSV')
    .option('--vnnlib <file.vnnlib>',
      'write the proven property |N(x) − f(x)| ≤ bound over the box (f affine in the inputs)')
    .option('--force', FORCE_HELP)
    .option('--json', 'print one JSON object instead of the table')
    .option('--quiet', QUIET_HELP)
    .addHelpText('after', '\nExample:\n  knotnet certify sin.json --expr "sin(x)" --var x=0:3.14159')
    .action(certifyAction);
}

/** certify's flags as commander hands them over (strings, as typed; defaults filled in). */
export interface CertifyFlags {
  expr: string; var: string[]; range: string[]; gap: string; time: string; leakyAlpha?: string; seed: string;
  witness?: string; vnnlib?: string; force?: boolean; json?: boolean; quiet?: boolean;
}

/** certify's flags, parsed and checked: the proof's request and the files to write. */
interface CertifyCommand {
  req: CertifyRequest; gap: number; witness: OutputTarget | undefined; vnnlib: OutputTarget | undefined;
  force: boolean; json: boolean;
}

/** Parse, check the output paths, prove, write the witness and VNN-LIB files (both or neither), print. */
async function certifyAction(modelPath: string, flags: CertifyFlags): Promise<void> {
  const c = parseCertifyFlags(modelPath, flags);
  checkOutputs([c.witness, c.vnnlib].filter((t) => t !== undefined), c.force);
  if (flags.vnnlib && flags.range.length > 0) {
    throw new InputError('--vnnlib', 'go without --range (VNN-LIB states the property over the box)',
      flags.range.join(', '));
  }
  // Refuse a formula VNN-LIB cannot state before any work.
  if (c.vnnlib) toVnnlib({ expr: parseFormula(flags.expr, '--expr').expr, exprText: flags.expr, names: [], box: [],
    bound: 0 });
  const bar = progress('certify');
  const { result: r, names, box, format } = await certifyModelFile(c.req, bar.update);
  bar.done();
  checkFiniteOutputs(c.req.model, r, names);
  const proven = Number.isFinite(r.upper);
  const vnn = c.vnnlib && proven ? toVnnlib({ expr: parseFormula(flags.expr).expr, exprText: flags.expr, names, box,
    bound: r.upper }) : undefined;
  if (c.vnnlib && !proven) throw new InputError('--vnnlib', 'follow a finite proven bound', r.upper);
  const staged: StagedOutput[] = [];
  if (c.witness && r.worstInput.length) {
    staged.push({ target: c.witness,
      files: [{ relativePath: '', bytes: `${names.join(',')}\n${r.worstInput.map((v) => String(v)).join(',')}\n` }] });
  }
  if (c.vnnlib && vnn) staged.push({ target: c.vnnlib, files: [{ relativePath: '', bytes: vnn }] });
  await writeOutputs(staged, c.force);
  const proof = { r, names, box, format };
  process.stdout.write(`${c.json ? certifyJson(modelPath, flags, proof) : renderCertify(modelPath, c.gap, proof)}\n`);
}

/**
 * The formula is finite on the region (checked before the proof), so a non-finite worst error is
 * the network's own output overflowing float64 (weights near 1e308 printed "worst found Infinity"
 * with exit 0; issue 30 sweep).
 */
function checkFiniteOutputs(model: string, r: CertifyResult, names: string[]): void {
  if (Number.isFinite(r.lower)) return;
  const at = names.map((v, i) => `${v} = ${r.worstInput[i]}`).join(', ');
  throw new InputError('model file', 'compute finite outputs on the region', `${model}: ${r.lower} at ${at}`,
    { field: 'net', code: 'not-finite' });
}

/** certify's flags as a request: pure, in the order the flags have always been checked. */
function parseCertifyFlags(model: string, flags: CertifyFlags): CertifyCommand {
  const gap = parsePositive(flags.gap, '--gap');
  const timeSeconds = parsePositive(flags.time, '--time');
  const seed = parseSeed(flags.seed);
  const leakyAlpha = flags.leakyAlpha !== undefined ? parseNumber(flags.leakyAlpha, '--leaky-alpha') : undefined;
  const witness: OutputTarget | undefined = flags.witness ? { path: flags.witness, argument: '--witness',
    kind: 'csv' } : undefined;
  const vnnlib: OutputTarget | undefined = flags.vnnlib ? { path: flags.vnnlib, argument: '--vnnlib',
    kind: 'vnnlib' } : undefined;
  const req: CertifyRequest = {
    model, expr: flags.expr, vars: flags.var, ranges: flags.range, gap, timeSeconds, seed,
    ...(leakyAlpha !== undefined ? { leakyAlpha } : {}),
  };
  return { req, gap, witness, vnnlib, force: flags.force === true, json: flags.json === true };
}

/** A finished proof: its result, the model's inputs and their box, and the model's format. */
interface Proof { r: CertifyResult; names: string[]; box: [number, number][]; format: string }

/** certify --json. */
function certifyJson(modelPath: string, flags: CertifyFlags, { r, names, box, format }: Proof): string {
  const proven = Number.isFinite(r.upper);
  return JSON.stringify({
    model: modelPath, format, relus: r.relus, expr: flags.expr, domain: Object.fromEntries(names.map((v, i) => [v,
      box[i]])), ranges: flags.range,
    maxError: { certified: proven ? r.upper : null,
      measured: r.lower }, certifiedExactArithmetic: proven ? r.upperExact : null, roundingBound: r.rounding,
    worstInput: worstOf(names,
      r), gap: Number.isFinite(r.gap) ? r.gap : null, gapReached: r.stopped === 'gap', stopped: r.stopped,
    subBoxes: r.boxes, openBoxes: r.open, seconds: r.seconds,
  });
}

/** certify's table. */
function renderCertify(modelPath: string, gap: number, { r, names, format }: Proof): string {
  const limit = r.stopped === 'time' ? 'time limit' : 'sub-box limit';
  return renderPairs([
    ['model', `${modelPath} (${format}, ${r.relus} ReLUs)`],
    ['max error, certified',
      Number.isFinite(r.upper) ? r.upper : 'not proven (the formula may be undefined on part of the region)'],
    ['  exact arithmetic + rounding',
      `${r.upperExact.toPrecision(6)} + ${r.rounding.toPrecision(3)} (the network's own ${r.dtype} rounding)`],
    ['max error, worst found', r.lower],
    ['worst input', JSON.stringify(worstOf(names, r))],
    ['gap (certified − found)/found',
      r.stopped === 'gap' ? r.gap : `${fmtGap(r.gap)}: not within --gap ${gap} by the ${limit}`],
    ['sub-boxes', r.boxes],
    ['seconds', r.seconds],
  ]);
}

const worstOf = (names: string[], r: CertifyResult) => Object.fromEntries(names.map((v, i) => [v, r.worstInput[i]]));

const fmtGap = (g: number): string => (Number.isFinite(g) ? g.toPrecision(3) : 'unbounded');
