import { InputError } from './errors.ts';

/** Seeded pseudo-random numbers (mulberry32): every sample in knotnet is reproducible. */
export function rng(seed: number): () => number {
  if (!Number.isFinite(seed)) throw new InputError('seed', 'be a finite number', String(seed),
    { field: 'seed', code: 'not-finite' });
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal deviates by Box–Muller. */
export function gaussian(rand: () => number): () => number {
  return () => {
    let u = 0;
    while (u === 0) u = rand();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
  };
}
