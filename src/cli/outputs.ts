import type { Command } from 'commander';
import { buildArtifacts, distinctOutputNames, exportFormatFor, type ExportFormat } from '../export/index.ts';
import { networkToJson, type NetworkMeta } from '../net/json.ts';
import type { Network } from '../net/network.ts';
import { layerRanges, roundingErrorBound, UNIT_ROUNDOFF, type PreRangeHints } from '../net/rounding.ts';
import { WorkError } from '../errors.ts';
import { checkOutputs, type OutputKind, type OutputTarget } from './files.ts';
import { writeOutputs, type StagedOutput } from './staging.ts';
import { float32ErrorMeta } from '../export/float32meta.ts';
import { QUIET_HELP } from './progress.ts';

export interface OutputRequest {
  save?: string | undefined;
  exports: string[];
  dtype: 'float64' | 'float32';
  /** The max error asked for: a float32 export whose certified bound exceeds it is refused (exit 1). */
  tolerance?: number | undefined;
  /** Replace existing files and folders that are not previous knotnet outputs of the same kind. */
  force?: boolean | undefined;
  /**
   * The command's other outputs (fit's report), checked with these before the work and written
   * in the same all-or-nothing step; their `files` are filled in before `write`.
   */
  others?: StagedOutput[] | undefined;
}

/** The line after a command's table that lists the files it wrote (none: nothing). */
export const wroteLine = (files: readonly string[]): string => (files.length ? `\nwrote ${files.join(', ')}` : '');

/** Help text of every writing command's --force. */
export const FORCE_HELP = 'replace existing files that are not knotnet\'s own previous outputs of the kind, and ' +
  'write folder outputs into existing folders, keeping the files knotnet does not write (nothing else is removed)';

/** The options of a command that builds a network: --json, --quiet, --save, --export and --force. */
export function networkOutputOptions(cmd: Command): Command {
  return cmd
    .option('--json', 'print one JSON object instead of the table')
    .option('--quiet', QUIET_HELP)
    .option('--save <file.json>', 'write the network in knotnet JSON form')
    .option('--export <file...>', 'write artifacts: .onnx, .json, .safetensors, or a folder for TF.js')
    .option('--force', FORCE_HELP);
}

const KIND_OF: Record<ExportFormat, OutputKind> = { json: 'network-json', onnx: 'onnx', safetensors: 'safetensors',
  tfjs: 'tfjs' };

/**
 * Validates every output path up front (so bad paths fail before any work, files.ts), then
 * writes all artifacts, with the command's other outputs, or none (staging.ts) once the
 * network exists.
 */
export function saveOutputs(req: OutputRequest) {
  const targets: OutputTarget[] = [];
  if (req.save) targets.push({ path: req.save, argument: '--save', kind: 'network-json' });
  for (const p of req.exports) targets.push({ path: p.replace(/(.)[/\\]+$/, '$1'), argument: '--export',
    kind: KIND_OF[exportFormatFor(p)] });
  const others = req.others ?? [];
  checkOutputs([...targets, ...others.map((o) => o.target)], !!req.force);
  const written: string[] = [];
  return {
    written,
    /** `box` = [lo per input, hi per input] of the certified region, for the float32 bound. */
    /**
     * `known`: rounding bounds the caller already proved (compile's, over the region rather
     * than the whole box) and the output's magnitude there; else computed here over the box.
     * Several outputs: `certified32`, the largest of their float32 certificates, `fits32`,
     * whether each is within its own tolerance, and `misses32`, the first output that is not.
     */
    async write(net: Network, meta: NetworkMeta, box: [number[], number[]], hints?: PreRangeHints,
      known?: { r64?: number; r32?: number; outputMagnitude: number; certified32?: number; fits32?: boolean;
        misses32?: OutputMiss },
    ): Promise<void> {
      const err = (meta.error ?? {}) as Record<string, unknown>;
      const certified = typeof err.certifiedMax === 'number' ? err.certifiedMax : null;
      const tfjs = req.exports.some((p) => exportFormatFor(p) === 'tfjs');
      const wants32 = tfjs || (req.dtype === 'float32' && req.exports.some((p) => exportFormatFor(p) !== 'json'));
      // The rounding bounds matter only for a float32 artifact (a second of work per 1e5 units).
      const r64 = !wants32 ? 0 : known?.r64 ?? roundingErrorBound(net, box[0], box[1], 'float64', hints)[0] ?? 0;
      const r32 = !wants32 ? 0 : known?.r32 ?? roundingErrorBound(net, box[0], box[1], 'float32', hints)[0] ?? 0;
      const c32 = certified === null ? null : known?.certified32 ?? certified - r64 + r32;
      const fits = known?.fits32 ?? !(req.tolerance !== undefined && c32 !== null && c32 > req.tolerance);
      if (wants32 && !fits && c32 !== null) {
        const miss = known?.misses32;
        const magnitude = miss?.magnitude ?? (known ? known.outputMagnitude : Math.max(...roundingMagnitude(net, box)));
        throw new WorkError(float32Refusal(miss?.tolerance ?? req.tolerance ?? c32, miss?.bound ?? c32, magnitude, tfjs,
          req.dtype === 'float32', miss?.output));
      }
      const staged: StagedOutput[] = [];
      if (req.save) staged.push({ target: targets[0]!,
        files: [{ relativePath: '',
        bytes: `${JSON.stringify(networkToJson(distinctOutputNames(net), { ...meta, dtype: 'float64' }))}\n` }] });
      for (const [i, p] of req.exports.entries()) {
        const format = exportFormatFor(p);
        const dtype = format === 'tfjs' ? 'float32' : format === 'json' ? 'float64' : req.dtype;
        const errorMeta = dtype === 'float32' && certified !== null && c32 !== null
          ? float32ErrorMeta(err, certified, c32, r32) : err;
        staged.push({ target: targets[i + (req.save ? 1 : 0)]!,
          files: buildArtifacts(net, { ...meta, error: errorMeta, dtype }, p, dtype) });
      }
      await writeOutputs([...staged, ...others], !!req.force);
      if (req.save) written.push(req.save);
      written.push(...req.exports);
    },
  };
}

/** An output of a several-output network whose float32 certificate is above its own tolerance. */
export interface OutputMiss { output: string; tolerance: number; bound: number; magnitude: number }

/**
 * Why float32 files cannot keep the tolerance, in the user's terms: their --max-error, the
 * float32 bound reached, |f|'s magnitude (the function's, not an internal layer's) and only
 * the ways out that apply: TF.js is float32 only, so with a TF.js export the way is
 * --dtype float32 (a layout built for float32) when it was not asked, never --dtype float64.
 */
export function float32Refusal(tolerance: number, bound: number, magnitude: number, tfjs: boolean,
  asked32: boolean, output?: string): string {
  const ways = tfjs && !asked32
    ? 'TF.js stores float32 weights only: rerun with --dtype float32 (a network laid out for float32 rounding), ' +
      'leave out the TF.js export (the other files can stay float64), or raise --max-error'
    : tfjs
      ? 'TF.js stores float32 weights only: raise --max-error, or leave out the TF.js export and use --dtype ' +
        'float64 for the other files'
      : 'export with --dtype float64, or raise --max-error';
  const flag = `--max-error ${tolerance}${output === undefined ? '' : ` (output ${output})`}`;
  return `${flag} cannot be kept in float32 by this network: its certified float32 bound ` +
    `is ${bound.toPrecision(4)} (worst-case rounding over any summation order), where |f| ` +
      `reaches ${magnitude.toPrecision(3)} and float32 resolves ` +
        `about ${(magnitude * UNIT_ROUNDOFF.float32).toPrecision(3)}; ${ways}.`;
}

/** Largest |output| over the box (interval propagation), for the float32 floor. */
function roundingMagnitude(net: Network, box: [number[], number[]]): number[] {
  const r = layerRanges(net, box[0], box[1]);
  const last = r[r.length - 1]!;
  return Array.from(last.lo, (lo, i) => Math.max(Math.abs(lo), Math.abs(last.hi[i]!)));
}
