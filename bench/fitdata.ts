/** y = sin(x) + uniform noise in [−a, a] at n points of [0, 2π] (Park–Miller generator, seeded). */
export function noisySin(n: number, a: number, seed: number): { x: Float64Array; y: Float64Array } {
  let r = seed;
  const x = Float64Array.from({ length: n }, (_, i) => (2 * Math.PI * i) / (n - 1));
  const y = x.map((t) => { r = (r * 16807) % 2147483647; return Math.sin(t) + a * (2 * (r / 2147483647) - 1); });
  return { x, y };
}
