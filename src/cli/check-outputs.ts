/**
 * `check` on a model with several outputs (compile "[a, b]" or --out): one formula per output
 * (--expr "[a, b]", --out name=formula, else the stored ones), every output measured on the
 * same inputs against its own real formula, beside its own stored certificate (error.outputs,
 * or the file's largest where only that is stored, a bound of every output), and judged by its
 * own --max-error (E for all, name=E for one); --certify proves each output's max error.
 */
import { ExitCode, InputError } from '../errors.ts';
import type { ArtifactRunner } from '../runtime/index.ts';
import { parsePositive } from './args.ts';
import { parseWithBands, resolveBands } from './check-bands.ts';
import { measure, type Measured } from './check-measure.ts';
import { renderSeveral, severalJson, type OutputCheck } from './check-outputs-render.ts';
import { certifyModelFile } from './certify.ts';
import {
  checkInputs, refuseUndefined, resolveRegion, storedRegion, type CheckFlags, type CheckRegion,
} from './check-request.ts';
import { say } from './printable.ts';
import { progress } from './progress.ts';
import { listFormulas } from '../expr/list.ts';
import { readStoredFacts, type StoredFacts } from './stored.ts';

/** Whether check takes the several-output path: k > 1 outputs, --out, or a list as the formula. */
export function isSeveral(runner: ArtifactRunner, flags: CheckFlags): boolean {
  const text = flags.expr ?? (typeof runner.metadata.expr === 'string' ? runner.metadata.expr : '');
  return runner.outputs.length > 1 || flags.out.length > 0 || listFormulas(text) !== undefined;
}

/** Measure every output, print the table (or JSON), then judge each output. */
export async function checkSeveral(model: string, runner: ArtifactRunner, flags: CheckFlags,
  started: number): Promise<void> {
  const stored = readStoredFacts(runner.metadata, runner.inputs, model);
  const names = runner.inputs;
  const outputs = runner.outputs;
  const texts = outputFormulas(model, outputs, stored, flags);
  const parsed = texts.map((t) => parseWithBands(t, stored.exclude, names));
  const limits = outputLimits(flags.maxError, outputs);
  const region = resolveRegion(model, names, stored, flags);
  const resolved = parsed.map((p) => resolveBands(p, stored.exclude, names, region.box, region.ranges,
    flags.certify === true));
  const bands = resolved[0]?.bands ?? [];
  const x = checkInputs({ ...region, names, bands }, flags);
  const d = names.length;
  const n = x.length / d;
  const y = await runner.run(x, n);
  const inStored = storedRegion(stored, names, bands);
  const checks = outputs.map((name, j): OutputCheck => {
    const cert = outputCertificate(stored, texts, j);
    const inRegion = cert.certified !== undefined && inStored ? inStored : () => false;
    const yj = Float64Array.from({ length: n }, (_, i) => y[i * outputs.length + j]!);
    const m = measure(resolved[j]!.formula.expr, names, x, yj, limits[j], inRegion);
    const worstInput = Object.fromEntries(names.map((v, c) => [v, x[m.at * d + c]]));
    const certified = inStored ? cert.certified : undefined;
    return { name, expr: texts[j]!, m, limit: limits[j], worstInput,
      ...(certified !== undefined ? { certified } : {}),
      ...(certified !== undefined && cert.certifiedFloat64 !== undefined
        ? { certifiedFloat64: cert.certifiedFloat64 } : {}) };
  });
  for (const c of checks) refuseUndefined(c.m, x, names, region.box, flags.data,
    { subject: `${c.name}'s formula`, formula: `${c.name} = ${c.expr}` });
  if (flags.certify) await certifyOutputs(model, checks, names, region);
  const head = { model, format: runner.format, dtype: runner.dtype, samples: n, exclude: stored.exclude };
  if (flags.json) process.stdout.write(`${JSON.stringify(severalJson(head, checks, started))}\n`);
  else process.stdout.write(`${renderSeveral(head, checks)}\n`);
  verdictSeveral(model, checks);
}

/** check --certify: each output's max error proven over the box (and ranges), one output at a time. */
async function certifyOutputs(model: string, checks: OutputCheck[], names: string[], region: CheckRegion) {
  const vars = names.map((v) => `${v}=${region.box[v]![0]}:${region.box[v]![1]}`);
  for (const [j, c] of checks.entries()) {
    const bar = progress(`certify ${c.name}`);
    try {
      c.proven = (await certifyModelFile({ model, expr: c.expr, vars, ranges: region.rangeTexts, output: j },
        bar.update)).result;
    } finally {
      bar.done();
    }
  }
}

/** Each output's formula: --out name=formula, else --expr's list entry, else the stored one. */
function outputFormulas(model: string, outputs: string[], stored: StoredFacts, flags: CheckFlags): string[] {
  const k = outputs.length;
  const given = flags.expr === undefined ? undefined : listFormulas(flags.expr) ?? [flags.expr];
  if (given && (given.length !== k || given.some((t) => t === ''))) throw new InputError('--expr',
    `list one formula per model output ("[f1, f2]" for ${outputs.join(', ')})`, flags.expr);
  const texts: (string | undefined)[] = given ?? outputs.map((_, j) => storedFormula(stored, k, j));
  for (const o of flags.out) {
    const eq = o.indexOf('=');
    const j = outputs.indexOf(o.slice(0, Math.max(eq, 0)).trim());
    if (eq <= 0 || j < 0 || o.slice(eq + 1).trim() === '') throw new InputError('--out',
      `be name=formula with the name of a model output (${outputs.join(', ')})`, o);
    texts[j] = o.slice(eq + 1).trim();
  }
  const missing = texts.findIndex((t) => t === undefined);
  if (missing >= 0) throw new InputError('--expr', `be given for output ${outputs[missing]} (--out ` +
    `${outputs[missing]}=formula, or a list "[f1, f2]"): ${model} stores no formula for it`, 'none');
  return texts as string[];
}

/** Output j's stored formula: error.outputs, else the stored list's entry, else (one output) the stored formula. */
function storedFormula(stored: StoredFacts, k: number, j: number): string | undefined {
  const list = stored.expr === undefined ? undefined : listFormulas(stored.expr);
  const fromList = list && list.length === k ? list[j] : undefined;
  return stored.outputs?.[j]?.expr ?? fromList ?? (k === 1 && !list ? stored.expr : undefined);
}

/**
 * Output j's stored certificate when its formula is the stored one: its own (error.outputs),
 * else the file's largest (a bound of every output).
 */
function outputCertificate(stored: StoredFacts, texts: string[], j: number) {
  const same = texts[j] === storedFormula(stored, texts.length, j);
  const own = stored.outputs?.length === texts.length ? stored.outputs[j] : undefined;
  if (!same) return { certified: undefined, certifiedFloat64: undefined };
  return { certified: own?.certified ?? stored.certified, certifiedFloat64: own?.certifiedFloat64 ??
    (own ? undefined : stored.certifiedFloat64) };
}

/** --max-error per output: "E" for every output, "name=E" for one (the later flag wins). */
function outputLimits(texts: string[], outputs: string[]): (number | undefined)[] {
  const limits: (number | undefined)[] = outputs.map(() => undefined);
  for (const t of texts) {
    const eq = t.indexOf('=');
    if (eq < 0) { limits.fill(parsePositive(t, '--max-error')); continue; }
    const j = outputs.indexOf(t.slice(0, eq).trim());
    if (j < 0) throw new InputError('--max-error', `be E or name=E with a model output's name (${outputs.join(', ')})`,
      t);
    limits[j] = parsePositive(t.slice(eq + 1), `--max-error ${outputs[j]}`);
  }
  return limits;
}

/** Exit 1 (after the table) when any output is not finite, fails its certificate or its --max-error. */
function verdictSeveral(model: string, checks: OutputCheck[]): void {
  const lines: string[] = [];
  for (const c of checks) lines.push(...failures(model, c, c.m));
  for (const line of lines) say(line);
  if (lines.length) throw new ExitCode(1);
}

/** Why one output fails, in the one-output check's words. */
function failures(model: string, c: OutputCheck, m: Measured): string[] {
  if (m.nonFinite > 0) return [`output ${c.name} of the model is not finite (NaN or infinite) at ${m.nonFinite} of ` +
    `${m.counted} samples, e.g. at ${JSON.stringify(c.worstInput)}: its max error is infinite.`];
  const out: string[] = [];
  if (c.certified !== undefined && m.inRegion > 0 && m.maxInRegion > c.certified) {
    out.push(`${model} fails its own certificate for output ${c.name}: the measured max error ${m.maxInRegion} in ` +
      `its certified region is above the certified ${c.certified} stored in the file; the file may have been ` +
      'modified since knotnet wrote it.');
  }
  if (c.limit !== undefined && m.max > c.limit) {
    out.push(`measured max error ${m.max} of output ${c.name} is above --max-error ${c.limit}.`);
  }
  return out;
}
