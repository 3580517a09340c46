/**
 * `knotnet milp MODEL --out model.lp`: any model file the other commands read, written as
 * mixed-integer linear constraints in the CPLEX LP format or free MPS (export/milp.ts), over the stored
 * domain or the `--var` box, with the stored certificate in the file's comments.
 */
import type { Command } from 'commander';
import { InputError } from '../errors.ts';
import { buildMilp, type Milp } from '../export/milp.ts';
import type { NetworkMeta } from '../net/json.ts';
import { loadPlainNetwork } from '../runtime/plain.ts';
import { collect, parseVarRanges } from './args.ts';
import { checkOutputs, type OutputTarget } from './files.ts';
import { FORCE_HELP, wroteLine } from './outputs.ts';
import { writeOutputs } from './staging.ts';
import { readStoredFacts, type StoredFacts } from './stored.ts';
import { renderPairs } from './table.ts';

export function registerMilp(program: Command): void {
  program
    .command('milp')
    .description('Write any ReLU network (ONNX, TF.js, safetensors, knotnet JSON) as mixed-integer linear ' +
      'constraints (CPLEX LP or MPS, for HiGHS, Gurobi, CPLEX, SCIP, CBC): big-M with bounds proven on the region, ' +
      'one binary per ReLU whose sign the region leaves open, the certified error in the comments.')
    .argument('<model>', 'a .onnx, .json or .safetensors file, or a TF.js folder')
    .requiredOption('--out <file>', 'the file to write: .lp (CPLEX LP format) or .mps (free MPS)')
    .option('--var <name=a:b>', 'the range of a model input (repeat; default: the domain stored in the model)',
      collect, [])
    .option('--objective <output>', 'the output the objective names (default: the first)')
    .option('--maximize', 'maximize the objective (default: minimize)')
    .option('--force', FORCE_HELP)
    .option('--json', 'print one JSON object instead of the table')
    .addHelpText('after', '\nExample:\n  knotnet approx "x^4-3*x^2+x" --domain -2:2 --max-error 1e-3 --save f.json\n' +
      '  knotnet milp f.json --out f.lp')
    .action(milpAction);
}

/** milp's flags as commander hands them over. */
export interface MilpFlags {
  out: string; var: string[]; objective?: string; maximize?: boolean; force?: boolean; json?: boolean;
}

/** Parse, check the output path, load, build, write, print. */
async function milpAction(modelPath: string, flags: MilpFlags): Promise<void> {
  const format: 'lp' | 'mps' = /\.mps$/i.test(flags.out) ? 'mps' : 'lp';
  if (!/\.(lp|mps)$/i.test(flags.out)) throw new InputError('--out', 'end in .lp (the CPLEX LP format) or .mps (free ' +
    'MPS)', flags.out);
  const box = parseVarRanges(flags.var, '--var');
  const target: OutputTarget = { path: flags.out, argument: '--out', kind: 'milp' };
  const force = flags.force === true;
  checkOutputs([target], force);
  const model = await loadPlainNetwork(modelPath);
  const facts = readStoredFacts(model.metadata, model.net.inputs, modelPath);
  const milp = inCliTerms(() => buildMilp(model.net, { box, meta: metaOf(facts), format,
    sense: flags.maximize ? 'maximize' : 'minimize', ...(flags.objective !== undefined
      ? { objective: flags.objective } : {}) }));
  await writeOutputs([{ target, files: [{ relativePath: '', bytes: milp.text }] }], force);
  const summary = { model: modelPath, format: `${model.format}, ${model.dtype}`, out: flags.out, fileFormat: format,
    milp };
  process.stdout.write(`${flags.json ? milpJson(summary) : renderMilp(summary)}\n`);
}

/** The stored facts as the metadata buildMilp reads (every format's metadata read one way: cli/stored.ts). */
function metaOf(facts: StoredFacts): NetworkMeta {
  return {
    ...(facts.expr !== undefined ? { expr: facts.expr } : {}),
    domain: { ...facts.box, ...facts.ranges },
    error: {
      ...(facts.certified !== undefined ? { certifiedMax: facts.certified } : {}),
      ...(facts.outputs ? { outputs: facts.outputs.map((o) => ({ name: o.name, expr: o.expr,
        certifiedMax: o.certified })) } : {}),
    },
    ...(facts.exclude ? { exclude: facts.exclude } : {}),
  };
}

/** The library's `box`, `objective` and `net` said as the flags (or argument) that give them. */
function inCliTerms<T>(build: () => T): T {
  try {
    return build();
  } catch (e) {
    const flag = e instanceof InputError ? { box: '--var', objective: '--objective', net: 'model file' }[e.field ?? '']
      : undefined;
    if (!flag || !(e instanceof InputError)) throw e;
    const key = e.issue.key === undefined ? '' : ` ${e.issue.key}`;
    throw new InputError(`${flag}${e.issue.argument.includes(' ') ? key : ''}`, e.issue.rule, e.issue.value);
  }
}

interface Summary { model: string; format: string; out: string; fileFormat: 'lp' | 'mps'; milp: Milp }

/** milp --json. */
function milpJson({ model, format, out, fileFormat, milp }: Summary): string {
  const { stats, region, inputs, outputs } = milp;
  return JSON.stringify({
    model, format, out, fileFormat, formulation: 'big-M', inputs, outputs,
    domain: Object.fromEntries(inputs.map((x, i) => [x, region.box[i]])),
    maxError: { certified: outputs.length === 1 ? region.certified[0] : region.certified },
    conditions: region.conditions, ...stats,
  });
}

/** milp's table. */
function renderMilp({ model, format, out, milp }: Summary): string {
  const { stats: s, region, inputs, outputs } = milp;
  const certified = outputs.map((y, j) => `${outputs.length > 1 ? `${y}: ` : ''}${region.certified[j] ?? 'none'}`);
  return renderPairs([
    ['model', `${model} (${format})`],
    ['region', inputs.map((x, i) => `${x} in [${region.box[i]!.join(', ')}]`).join(', ')],
    ...(region.conditions.length ? [['certificate holds where', region.conditions.join(' and ')] as [string, string]]
      : []),
    ['max error, certified', `${certified.join(', ')}${region.uncertified ? ` (${region.uncertified})` : ''}`],
    ['formulation', 'big-M, one binary per ReLU of open sign, ordering and incremental cuts'],
    ['ReLUs', s.relus],
    ['  proven on (linear)', s.active],
    ['  proven off (left out)', s.inactive],
    ['binaries', s.binaries],
    ['largest big-M', s.bigM],
    ['variables', s.variables],
    ['constraints', s.constraints],
  ]) + wroteLine([out]);
}
