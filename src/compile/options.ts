import {
  choice, DTYPES, listOf, ofType, optionsOf, pairRecord, positiveNumber, required, wholeNumber, type Options,
} from '../validate.ts';
import type { CompileOptions } from './types.ts';
import { MAX_SAMPLED_NUMBERS } from './sample.ts';

const OPTIONS = ['expr', 'vars', 'ranges', 'exclude', 'maxError', 'maxSegments', 'samples', 'measureCount',
  'onProgress', 'seed', 'deep', 'maxDepth', 'deepLevels', 'dtype', 'maxFanIn', 'minimize', 'norm', 'outputs',
  'maxSeconds'] as const;
type Unlisted = Exclude<keyof CompileOptions, (typeof OPTIONS)[number]>;
/** Every option of CompileOptions is listed (else tsc fails here): none is refused as unknown. */
export const OPTIONS_LISTED: Unlisted extends never ? true : never = true;

/**
 * compileFormula's options checked before any work (src/validate.ts has the codes), returned
 * with `vars` and `ranges` copied into records without a prototype (a variable may be named
 * `constructor`). The values' own rules (a < b, maxError > 0, a range of a subexpression, …)
 * stay with the request (compile/request.ts) and keep their codes.
 */
export function checkCompileOptions(opts: unknown): CompileOptions {
  const o = optionsOf(opts, 'options', OPTIONS);
  ofType(required(o, 'expr'), 'expr', 'string');
  const vars = pairRecord(required(o, 'vars'), 'vars')!;
  const ranges = pairRecord(o.ranges, 'ranges');
  listOf(o.exclude, 'exclude', (t, path) => ofType(t, path, 'string'));
  ofType(required(o, 'maxError'), 'maxError', 'number');
  wholeNumber(o.maxSegments, 'maxSegments', 1);
  if (o.samples !== undefined && !(o.samples instanceof Float64Array)) ofType(o.samples, 'samples', 'Float64Array');
  // Samples × inputs within what a sampler fills at once (sample.ts): a count above is refused, not allocated.
  const inputs = Math.max(1, Object.keys(vars).length);
  wholeNumber(o.measureCount, 'measureCount', 1, Math.floor(MAX_SAMPLED_NUMBERS / inputs));
  ofType(o.onProgress, 'onProgress', 'function');
  wholeNumber(o.seed, 'seed', 0);
  choice(o.deep, 'deep', ['auto', 'never', 'always']);
  wholeNumber(o.maxDepth, 'maxDepth', 1);
  wholeNumber(o.deepLevels, 'deepLevels', 1);
  choice(o.dtype, 'dtype', DTYPES);
  wholeNumber(o.maxFanIn, 'maxFanIn', 2);
  choice(o.minimize, 'minimize', ['relus', 'params']);
  choice(o.norm, 'norm', ['auto', 'fold', 'squares']);
  listOf(o.outputs, 'outputs', checkOutput);
  positiveNumber(o.maxSeconds, 'maxSeconds');
  return { ...(o as unknown as CompileOptions), vars, ...(ranges ? { ranges } : {}) };
}

function checkOutput(entry: unknown, path: string): void {
  const out: Options = optionsOf(entry, path, ['name', 'expr', 'maxError']);
  ofType(required(out, 'name', `${path}.name`), `${path}.name`, 'string');
  ofType(required(out, 'expr', `${path}.expr`), `${path}.expr`, 'string');
  ofType(out.maxError, `${path}.maxError`, 'number');
}
