/**
 * What an artifact written by `approx`/`compile` says about itself, read back for `check`:
 * the formula, the region its certificate covers (a box per input and ranges of
 * subexpressions) and the certificate (the file's dtype, and float64 beside a float32 one).
 * Every format carries the same keys (export/index.ts buildArtifacts): ONNX metadata_props
 * and the safetensors `__metadata__` as strings (objects JSON-encoded), the network JSON and
 * TF.js model.json's userDefinedMetadata as JSON values.
 */
import { InputError } from '../errors.ts';
import { nameRecord } from '../expr/names.ts';

export interface StoredFacts {
  expr?: string;
  /** Range per input name. */
  box: Record<string, [number, number]>;
  /** Range per subexpression (text as the user wrote it). */
  ranges: Record<string, [number, number]>;
  /** Proven max error of the file's network in its own dtype. */
  certified?: number;
  /** For a float32 file: the proven max error of the same weights evaluated in float64. */
  certifiedFloat64?: number;
  /** Bands cut out of the certified region (compile --exclude), as "formula=c±w" texts. */
  exclude?: string[];
  /** Several outputs (compile "[a, b]" or --out): each one's formula and certificates, in output order. */
  outputs?: StoredOutput[];
}

/** One output's stored facts: its name, formula and certificates (file's dtype; float64 beside float32). */
export interface StoredOutput { name: string; expr?: string; certified?: number; certifiedFloat64?: number }

const isRange = (v: unknown): v is [number, number] =>
  Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'number' && Number.isFinite(x)) && v[0] <= v[1];

/** A metadata value as JSON: stored strings are parsed, other values taken as they are. */
function jsonValue(metadata: Record<string, unknown>, key: string, model: string): unknown {
  const raw = metadata[key];
  if (typeof raw !== 'string') return raw;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    throw new InputError(`${model} metadata "${key}"`, 'be JSON', raw.length > 80 ? `${raw.slice(0, 80)}…` : raw,
      { field: 'model', code: 'bad-metadata' });
  }
}

function rangesOf(value: unknown, key: string, model: string): Record<string, [number, number]> {
  if (value === undefined || value === null) return {};
  const bad = () => new InputError(`${model} metadata "${key}"`, 'map names to ranges [a, b]',
    JSON.stringify(value).slice(0, 80), { field: 'model', code: 'bad-metadata' });
  if (typeof value !== 'object' || Array.isArray(value)) throw bad();
  for (const v of Object.values(value)) if (!isRange(v)) throw bad();
  return value as Record<string, [number, number]>;
}

/** A stored input range, held to what `--var` must be: a < b, a width float64 holds (sampling divides by it). */
function storedInputRange([a, b]: [number, number], name: string, model: string): [number, number] {
  if (!(a < b && b - a < Infinity)) throw new InputError(`${model} metadata "domain" ${name}`,
    'be a non-empty interval [a, b] with a < b and a width float64 holds', `[${a}, ${b}]`,
    { field: 'model', code: 'bad-metadata' });
  return [a, b];
}

const finite = (v: unknown): number | undefined =>
  (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined);

/**
 * The facts stored in `metadata` of the model `model` with inputs `inputs`. The region is
 * "domain": its keys that name an input are the box, the others subexpression ranges
 * (compile and compare store both in one object).
 */
export function readStoredFacts(metadata: Record<string, unknown>, inputs: readonly string[],
  model: string): StoredFacts {
  const expr = typeof metadata.expr === 'string' && metadata.expr.trim() !== '' ? metadata.expr : undefined;
  const box = nameRecord<[number, number]>();
  const ranges = nameRecord<[number, number]>();
  for (const [k, v] of Object.entries(rangesOf(jsonValue(metadata, 'domain', model), 'domain', model))) {
    if (inputs.includes(k)) box[k] = storedInputRange(v, k, model);
    else ranges[k] = v;
  }
  const error = jsonValue(metadata, 'error', model) as Record<string, unknown> | undefined;
  const certified = finite(error?.certifiedMax);
  const certifiedFloat64 = finite(error?.certifiedMaxFloat64);
  const exclude = jsonValue(metadata, 'exclude', model);
  if (exclude !== undefined && (!Array.isArray(exclude) || !exclude.every((t) => typeof t === 'string'))) {
    throw new InputError(`${model} metadata "exclude"`, 'be a list of texts formula=c±w',
      JSON.stringify(exclude).slice(0, 80), { field: 'model', code: 'bad-metadata' });
  }
  const outputs = storedOutputs(error?.outputs, model);
  return { ...(expr ? { expr } : {}), box, ranges, ...(certified !== undefined ? { certified } : {}),
    ...(outputs ? { outputs } : {}),
    ...(certifiedFloat64 !== undefined ? { certifiedFloat64 } : {}),
    ...(Array.isArray(exclude) && exclude.length ? { exclude: exclude as string[] } : {}) };
}

/** error.outputs of a several-output file: per output {name, expr, certifiedMax, certifiedMaxFloat64}. */
function storedOutputs(value: unknown, model: string): StoredOutput[] | undefined {
  if (value === undefined || value === null) return undefined;
  const ok = Array.isArray(value) && value.every((o) => typeof o === 'object' && o !== null &&
    typeof (o as Record<string, unknown>).name === 'string');
  if (!ok) {
    throw new InputError(`${model} metadata "error.outputs"`, 'be a list of {name, expr, certifiedMax}',
      JSON.stringify(value).slice(0, 80), { field: 'model', code: 'bad-metadata' });
  }
  return (value as Record<string, unknown>[]).map((o) => {
    const certified = finite(o.certifiedMax);
    const certifiedFloat64 = finite(o.certifiedMaxFloat64);
    return { name: o.name as string, ...(typeof o.expr === 'string' ? { expr: o.expr } : {}),
      ...(certified !== undefined ? { certified } : {}),
      ...(certifiedFloat64 !== undefined ? { certifiedFloat64 } : {}) };
  });
}
