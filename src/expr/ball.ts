import type { BinaryFn, Expr, UnaryFn } from './ast.ts';
import { erf, normcdf } from './special.ts';
import { chunkFunctions, constantExponent, sameFunction, variableIndex } from './straightline.ts';

/** Functions JavaScript lacks, reachable from generated code as `H.sp` (ball.ts, doubledouble.ts). */
export const SPECIAL_FUNCTIONS = { erf, normcdf };

/**
 * float64 evaluation of a formula with a rigorous bound of its error against the real-valued
 * formula (running error analysis, midpoint–radius or "ball" arithmetic; Higham, "Accuracy
 * and Stability of Numerical Algorithms", 2nd ed., §3.3; van der Hoeven, "Ball arithmetic",
 * 2010). Each node carries its float64 value v and a radius r with |v − exact| ≤ r:
 *   a ± b:  r = r_a + r_b + ε|v|           a·b: r = |a|r_b + |b|r_a + r_a r_b + ε|v| + η
 *   a / b:  r = (|a|r_b + |b|r_a)/(|b|(|b| − r_b)) + ε|v| + η     (|b| > r_b, else unknown)
 *   g(a):   r = L·r_a + k·ε|v| + η, L ≥ max |g'| on [a − r_a, a + r_a] (the table below),
 * with ε = 2^−52 (one ulp, twice the unit roundoff of a correctly rounded operation), k the
 * ulps V8's Math.* may miss by (fdlibm ports, < 1 ulp: 4 is charged), η = 2^−1073 for
 * underflow. Radii are computed in float64 and inflated by 1 + 2^−30 per node, far above the
 * relative rounding of the few operations that form them. Constants and inputs are exact (the
 * formula's constants are the doubles they are read as). A result whose radius is not finite
 * (a ball reaching a pole or outside a function's domain) is "unknown": the caller then
 * evaluates in higher precision (precise.ts).
 */
export interface BallValue {
  value: number;
  /** |value − f(x)| ≤ radius; NaN or Infinity when no bound is known. */
  radius: number;
}

export const EPS = 2 ** -52;
const ETA = 2 ** -1073;
const INFLATE = 1 + 2 ** -30;

/**
 * One entry per unary function: its float64 value (as evaluate.ts computes it, so fast paths
 * agree bit for bit), the ulps that value may miss by, and L(c, r) ≥ max |g'| over
 * [c − r, c + r] (NaN where g is not known to be defined and Lipschitz there). A new function
 * is one line here and one in precise.ts.
 */
export const FLOAT64_FUNCTIONS: Record<UnaryFn, { js: (a: string) => string; ulps: number; lipschitz: (c: number,
  r: number) => number }> = {
  sqrt: { js: (a) => `Math.sqrt(${a})`, ulps: 1, lipschitz: (c, r) => (c - r > 0 ? 0.5 / Math.sqrt(c - r) : NaN) },
  abs: { js: (a) => `Math.abs(${a})`, ulps: 0, lipschitz: () => 1 },
  relu: { js: (a) => `((t) => (t > 0 ? t : t === t ? 0 : t))(${a})`, ulps: 0, lipschitz: () => 1 },
  exp: { js: (a) => `Math.exp(${a})`, ulps: 4, lipschitz: (c, r) => Math.exp(c + r) * (1 + 2 ** -20) },
  log: { js: (a) => `Math.log(${a})`, ulps: 4, lipschitz: (c, r) => (c - r > 0 ? 1 / (c - r) : NaN) },
  log1p: { js: (a) => `Math.log1p(${a})`, ulps: 4, lipschitz: (c, r) => (1 + c - r > 0 ? 1 / (1 + c - r) : NaN) },
  sin: { js: (a) => `Math.sin(${a})`, ulps: 4, lipschitz: () => 1 },
  cos: { js: (a) => `Math.cos(${a})`, ulps: 4, lipschitz: () => 1 },
  tan: { js: (a) => `Math.tan(${a})`, ulps: 4, lipschitz: (c, r) => secSquared(c, r) },
  tanh: { js: (a) => `Math.tanh(${a})`, ulps: 4, lipschitz: () => 1 },
  sigmoid: { js: (a) => `(1 / (1 + Math.exp(-${a})))`, ulps: 4, lipschitz: () => 0.25 },
  // Produced by differentiation only; here for completeness (|sech'| ≤ 1/2, |sec'| ≤ sec²).
  sec: { js: (a) => `(1 / Math.cos(${a}))`, ulps: 4, lipschitz: (c, r) => secSquared(c, r) },
  sech: { js: (a) => `(1 / Math.cosh(${a}))`, ulps: 4, lipschitz: () => 0.5 },
  cosh: { js: (a) => `Math.cosh(${a})`, ulps: 4, lipschitz: (c, r) => Math.cosh(Math.abs(c) + r) * (1 + 2 ** -20) },
  sinh: { js: (a) => `Math.sinh(${a})`, ulps: 4, lipschitz: (c, r) => Math.cosh(Math.abs(c) + r) * (1 + 2 ** -20) },
  atan: { js: (a) => `Math.atan(${a})`, ulps: 4, lipschitz: () => 1 },
  asin: { js: (a) => `Math.asin(${a})`, ulps: 4, lipschitz: (c, r) => arcsineSlope(c, r) },
  acos: { js: (a) => `Math.acos(${a})`, ulps: 4, lipschitz: (c, r) => arcsineSlope(c, r) },
  cbrt: { js: (a) => `Math.cbrt(${a})`, ulps: 4, lipschitz: (c, r) => (Math.abs(c) - r > 0
    ? (1 / (3 * Math.cbrt(Math.abs(c) - r) ** 2)) * (1 + 2 ** -20) : NaN) },
  // Our own float64 erf/normcdf (special.ts): measured within 4 and 6 ulp at 50 digits; 16 charged.
  erf: { js: (a) => `H.sp.erf(${a})`, ulps: 16, lipschitz: () => 1.1284 },
  normcdf: { js: (a) => `H.sp.normcdf(${a})`, ulps: 16, lipschitz: () => 0.399 },
};

/**
 * Radius of atan2(y, x) for balls y ± ry, x ± rx: both partial derivatives are at most 1/ρ
 * (ρ = |(x, y)|), and ρ ≥ |(x, y)| − ry − rx over the balls, so the value moves by at most
 * (ry + rx)/(ρ − ry − rx); plus 4 ulp for Math.atan2. Unknown (NaN) where the balls may reach
 * the origin or straddle the cut along the negative x-axis (atan2 jumps by 2π there).
 */
export function atan2Radius(y: number, ry: number, x: number, rx: number, v: number): number {
  const rho = Math.hypot(x, y) * (1 - 2 ** -50);
  const reach = ry + rx;
  if (!(rho - reach > 0)) return NaN;
  if (reach > 0 && x - rx < 0 && Math.abs(y) <= ry) return NaN;
  return ((reach === 0 ? 0 : reach / (rho - reach)) + 4 * EPS * Math.abs(v) + ETA) * INFLATE;
}

/** max 1/sqrt(1 − t²) over [c − r, c + r] (NaN where the ball reaches ±1). */
function arcsineSlope(c: number, r: number): number {
  const m = Math.abs(c) + r;
  return m < 1 ? (1 / Math.sqrt((1 - m) * (1 + m))) * (1 + 2 ** -20) : NaN;
}

/** 1/cos² bounded over [c − r, c + r] (|cos| ≥ |cos c| − r, Math.cos within 1e-15). */
function secSquared(c: number, r: number): number {
  const m = Math.abs(Math.cos(c)) - r - 1e-15;
  return m > 0 ? 1 / (m * m) : NaN;
}

const BINARY: Record<BinaryFn, string> = { min: 'Math.min', max: 'Math.max', atan2: 'Math.atan2' };

/** Radius helpers the generated code calls. */
const H = {
  sp: SPECIAL_FUNCTIONS,
  atan2: atan2Radius,
  /** One closure per function, so each call site in the generated code stays monomorphic. */
  u: Object.fromEntries(Object.entries(FLOAT64_FUNCTIONS).map(([name, e]) => [name, (c: number, r: number,
    v: number): number => {
    const prop = r === 0 ? 0 : e.lipschitz(c, r) * r;
    return (prop + e.ulps * EPS * Math.abs(v) + (e.ulps ? ETA : 0)) * INFLATE;
  }])) as Record<UnaryFn, (c: number, r: number, v: number) => number>,
  div(a: number, ra: number, b: number, rb: number, v: number): number {
    const ab = Math.abs(b);
    if (!(ab > rb)) return NaN;
    const prop = ra === 0 && rb === 0 ? 0 : (Math.abs(a) * rb + ab * ra) / (ab * (ab - rb));
    return (prop + EPS * Math.abs(v) + ETA) * INFLATE;
  },
  /** a^p for a constant p: L = |p|·max |t|^(p−1) over the ball (integer p any sign of a). */
  powConst(a: number, ra: number, p: number, v: number, ulps: number): number {
    if (p === 0) return 0;
    let prop = 0;
    if (ra > 0) {
      const lo = Math.abs(a) - ra;
      const hi = Math.abs(a) + ra;
      if (!Number.isInteger(p) && a - ra < 0) return NaN;
      if (p < 1 && !(lo > 0)) return NaN;
      prop = Math.abs(p) * Math.max(Math.pow(Math.max(lo, 0), p - 1), Math.pow(hi, p - 1)) * ra * (1 + 2 ** -20);
    }
    return (prop + ulps * EPS * Math.abs(v) + ETA) * INFLATE;
  },
  /** a^b = exp(b·ln a), a > 0: |δ(b ln a)| ≤ d, so |δv| ≤ |v|·expm1(d)·(1 + 4ε) plus rounding. */
  pow(a: number, ra: number, b: number, rb: number, v: number): number {
    if (a === 0 && ra === 0 && b - rb > 0) return 0; // 0^b = 0 exactly for every b > 0
    if (!(a - ra > 0)) return NaN;
    const rel = ra / (a - ra);
    const d = rb * (Math.abs(Math.log(a)) + rel) + Math.abs(b) * rel;
    return (Math.abs(v) * Math.expm1(d * (1 + 2 ** -20)) * (1 + 8 * EPS) + 4 * EPS * Math.abs(v) + ETA) * INFLATE;
  },
};

/** The code of one node: its value and its radius, from the code of its operands. */
interface NodeCode { value: string; radius: string }

/**
 * Compiles e to a function of its variables (in the order given) returning the float64 value
 * and writing the radius to out[0]. Straight-line code, two slots of Z per node, run in
 * pieces (straightline.ts).
 */
export function compileBall(e: Expr, variables: string[]): (args: ArrayLike<number>, out: Float64Array) => number {
  const groups: string[] = [];
  const groupOf: number[] = [];
  let k = 0;
  // An operand computed in the same piece is a local; one from an earlier piece is read from Z.
  const near = (i: number) => groupOf[i] === undefined || sameFunction(groupOf[i]!, groups.length);
  const operand: Operand = {
    v: (i) => (near(i) ? `v${i}` : `Z[${2 * i}]`),
    r: (i) => (near(i) ? `r${i}` : `Z[${2 * i + 1}]`),
    gen: (n) => {
      const i = k++;
      const { value, radius } = nodeCode(n, i, operand, variables);
      groups.push(`const v${i} = ${value}; const r${i} = ${radius}; Z[${2 * i}] = v${i}; Z[${2 * i + 1}] = r${i};`);
      groupOf[i] = groups.length - 1;
      return i;
    },
  };
  const top = operand.gen(e);
  const parts = chunkFunctions<(h: typeof H, x: ArrayLike<number>, z: Float64Array) => void>(['H', 'x', 'Z'], groups);
  const Z = new Float64Array(2 * k);
  return (x, out) => {
    for (let c = 0; c < parts.length; c++) parts[c]!(H, x, Z);
    const value = Z[2 * top]!;
    out[0] = Number.isFinite(value) ? Z[2 * top + 1]! : NaN;
    return value;
  };
}

/** Code generation of operands: gen emits a node and returns its index; v, r name its value and radius. */
interface Operand { gen: (n: Expr) => number; v: (i: number) => string; r: (i: number) => string }

/** Value and radius code of node n (index i), by the rules of the comment above BallValue. */
function nodeCode(n: Expr, i: number, { gen, v, r }: Operand, variables: string[]): NodeCode {
  const set = (value: string, radius: string): NodeCode => ({ value, radius });
  switch (n.op) {
    case 'const': return set(`${n.value}`, '0');
    case 'var': return set(`x[${variableIndex(n.name, variables)}]`, '0');
    case 'neg': { const a = gen(n.arg); return set(`-${v(a)}`, r(a)); }
    case 'add': case 'sub': {
      const a = gen(n.a); const b = gen(n.b);
      return set(`${v(a)} ${n.op === 'add' ? '+' : '-'} ${v(b)}`,
        `(${r(a)} + ${r(b)} + ${EPS} * Math.abs(${v(i)})) * ${INFLATE}`);
    }
    case 'mul': {
      const a = gen(n.a); const b = gen(n.b);
      const prop = `Math.abs(${v(a)}) * ${r(b)} + Math.abs(${v(b)}) * ${r(a)} + ${r(a)} * ${r(b)}`;
      return set(`${v(a)} * ${v(b)}`, `(${prop} + ${EPS} * Math.abs(${v(i)}) + ${ETA}) * ${INFLATE}`);
    }
    case 'div': {
      const a = gen(n.a); const b = gen(n.b);
      return set(`${v(a)} / ${v(b)}`, `H.div(${v(a)}, ${r(a)}, ${v(b)}, ${r(b)}, ${v(i)})`);
    }
    case 'pow': {
      const a = gen(n.a);
      const p = constantExponent(n.b);
      if (p === 2 && n.b.op === 'const') return set(`${v(a)} * ${v(a)}`, `H.powConst(${v(a)}, ${r(a)}, 2, ${v(i)}, 1)`);
      if (p !== null) return set(`Math.pow(${v(a)}, ${p})`, `H.powConst(${v(a)}, ${r(a)}, ${p}, ${v(i)}, 4)`);
      const b = gen(n.b);
      return set(`Math.pow(${v(a)}, ${v(b)})`, `H.pow(${v(a)}, ${r(a)}, ${v(b)}, ${r(b)}, ${v(i)})`);
    }
    case 'call': { const a = gen(n.arg); return set(FLOAT64_FUNCTIONS[n.fn].js(v(a)),
      `H.u.${n.fn}(${v(a)}, ${r(a)}, ${v(i)})`); }
    case 'call2': {
      const a = gen(n.a); const b = gen(n.b);
      const radius = n.fn === 'atan2' ? `H.atan2(${v(a)}, ${r(a)}, ${v(b)}, ${r(b)}, ${v(i)})`
        : `Math.max(${r(a)}, ${r(b)})`;
      return set(`${BINARY[n.fn]}(${v(a)}, ${v(b)})`, radius);
    }
  }
}
