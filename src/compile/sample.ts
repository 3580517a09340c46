import { InputError } from '../errors.ts';
import { gaussian, rng } from '../random.ts';
import { numberPair, ofType, optionsOf, positiveNumber, required, wholeNumber } from '../validate.ts';

/** Most points a sampler fills at once (8e7 numbers, 640 MB): a count above is refused, not allocated. */
export const MAX_SAMPLED_NUMBERS = 80_000_000;

/**
 * n points uniform in the spherical shell inner ≤ |p| ≤ outer in `dims` dimensions
 * (direction: normalized Gaussian; radius: inverse CDF of r^dims). Row-major n × dims.
 */
export function sampleShell(o: { dims: number; inner: number; outer: number; n: number; seed: number }): Float64Array {
  const opts = optionsOf(o, 'options', ['dims', 'inner', 'outer', 'n', 'seed']);
  wholeNumber(required(opts, 'dims'), 'dims', 1, 10_000);
  positiveNumber(required(opts, 'outer'), 'outer');
  ofType(required(opts, 'inner'), 'inner', 'number');
  if (!(o.inner >= 0 && o.inner <= o.outer)) throw new InputError('inner', 'be between 0 and outer', o.inner,
    { field: 'inner', code: 'out-of-range' });
  wholeNumber(required(opts, 'n'), 'n', 0, Math.floor(MAX_SAMPLED_NUMBERS / o.dims));
  wholeNumber(required(opts, 'seed'), 'seed', 0);
  const out = new Float64Array(o.n * o.dims);
  let at = 0;
  for (const rows of sampleShellBatches(o, o.n)) { out.set(rows, at); at += rows.length; }
  return out;
}

/**
 * The same points as sampleShell, in batches of at most `batch` rows (memory bounded by the
 * batch, not by n): concatenated, the batches equal sampleShell(o).
 */
export function* sampleShellBatches(
  o: { dims: number; inner: number; outer: number; n: number; seed: number }, batch = 4096,
): Generator<Float64Array> {
  const rand = rng(o.seed);
  const g = gaussian(rand);
  // Radius by inverse CDF in a form that does not overflow in many dimensions:
  // r = outer·(ρ + U·(1 − ρ))^(1/dims), ρ = (inner/outer)^dims.
  const rho = Math.pow(o.inner / o.outer, o.dims);
  for (let start = 0; start < o.n; start += batch) {
    const count = Math.min(batch, o.n - start);
    const out = new Float64Array(count * o.dims);
    for (let i = 0; i < count; i++) {
      let norm = 0;
      for (let d = 0; d < o.dims; d++) { const v = g(); out[i * o.dims + d] = v; norm += v * v; }
      norm = Math.sqrt(norm);
      const r = o.outer * Math.pow(rho + rand() * (1 - rho), 1 / o.dims);
      for (let d = 0; d < o.dims; d++) out[i * o.dims + d] = (out[i * o.dims + d]! / norm) * r;
    }
    yield out;
  }
}

/** n points uniform in a box. Row-major n × dims. */
export function sampleBox(box: [number, number][], n: number, seed: number): Float64Array {
  if (!Array.isArray(box) || box.length === 0) throw new InputError('box', 'be a list of pairs [a, b]', String(box),
    { field: 'box', code: 'wrong-type' });
  box.forEach((b, i) => numberPair(b, 'box', String(i)));
  wholeNumber(n, 'n', 0, Math.floor(MAX_SAMPLED_NUMBERS / box.length));
  wholeNumber(seed, 'seed', 0);
  const rand = rng(seed);
  const out = new Float64Array(n * box.length);
  for (let i = 0; i < n; i++) {
    for (let d = 0; d < box.length; d++) out[i * box.length + d] = box[d]![0] + rand() * (box[d]![1] - box[d]![0]);
  }
  return out;
}
