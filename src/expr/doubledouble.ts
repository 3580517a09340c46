import type { Expr } from './ast.ts';
import { EPS, FLOAT64_FUNCTIONS, SPECIAL_FUNCTIONS, type BallValue } from './ball.ts';
import { chunkFunctions, constantExponent, sameFunction, variableIndex } from './straightline.ts';

/**
 * The formula at a point in double-double arithmetic (a value is hi + lo, |lo| ≤ ulp(hi)/2:
 * about 32 digits; Dekker 1971, Bailey's QD library) with a rigorous radius, as in ball.ts.
 * + − × ÷ sqrt and integer powers are double-double: each is charged 2^−100·|result| (64u²), above
 * the proven relative bounds of these algorithms (at most 15u² + O(u³), u = 2^−53: Joldes,
 * Muller & Popescu, "Tight and rigorous error bounds for basic building blocks of double-word
 * arithmetic", ACM TOMS 2017). Other functions are evaluated in float64 at hi with the
 * Lipschitz bounds and ulps of ball.ts, lo being charged as input error. Values beyond 2^±900
 * (where splitting could overflow or products underflow) give an unknown result, as does a
 * ball reaching a pole or outside a function's domain; the caller then uses decimal arithmetic.
 * 50–100 times faster than decimal at 40 digits, so cancelling formulas stay quick.
 */
const OWN = 2 ** -100;
const BIG = 2 ** 900;
const SMALL = 2 ** -900;
const UP = 1 + 2 ** -30;
const SPLIT = 134217729;

/**
 * Double-double kernels writing their result to S.h, S.l (no allocation: the generated code
 * reads them straight after each call). add: Bailey's accurate sum; mul: DWTimesDW without
 * FMA (Dekker's product); div: one Newton correction; sqrt: one Heron correction.
 */
const S = {
  h: 0,
  l: 0,
  twoSum(a: number, b: number): void {
    const s = a + b;
    const bb = s - a;
    S.h = s; S.l = (a - (s - bb)) + (b - bb);
  },
  twoProd(a: number, b: number): void {
    const p = a * b;
    const ca = SPLIT * a; const ah = ca - (ca - a); const al = a - ah;
    const cb = SPLIT * b; const bh = cb - (cb - b); const bl = b - bh;
    S.h = p; S.l = ((ah * bh - p) + ah * bl + al * bh) + al * bl;
  },
  add(xh: number, xl: number, yh: number, yl: number): void {
    S.twoSum(xh, yh);
    let sh = S.h; let sl = S.l;
    S.twoSum(xl, yl);
    const th = S.h; const tl = S.l;
    sl += th;
    let s = sh + sl; sl = sl - (s - sh); sh = s;
    sl += tl;
    s = sh + sl; S.l = sl - (s - sh); S.h = s;
  },
  mul(xh: number, xl: number, yh: number, yl: number): void {
    S.twoProd(xh, yh);
    const ch = S.h;
    const cl = S.l + (xh * yl + xl * yh);
    const s = ch + cl; S.l = cl - (s - ch); S.h = s;
  },
  div(xh: number, xl: number, yh: number, yl: number): void {
    const q1 = xh / yh;
    S.mul(q1, 0, yh, yl);
    S.add(xh, xl, -S.h, -S.l);
    const q2 = (S.h + S.l) / yh;
    const s = q1 + q2; S.l = q2 - (s - q1); S.h = s;
  },
  sqrt(xh: number, xl: number): void {
    if (xh === 0) { S.h = 0; S.l = 0; return; }
    const q = Math.sqrt(xh);
    S.twoProd(q, q);
    const r = ((xh - S.h) - S.l + xl) / (2 * q);
    const s = q + r; S.l = r - (s - q); S.h = s;
  },
  /** |h| within [2^−900, 2^900] or 0, and r finite: else the result is unknown. */
  ok(h: number, r: number): boolean {
    const a = Math.abs(h);
    return a < BIG && (a === 0 || a > SMALL) && r < Infinity;
  },
  own: (h: number): number => OWN * Math.abs(h) + Number.MIN_VALUE,
  fn: {} as Record<string, (t: number) => number>,
  lip: {} as Record<string, (c: number, r: number) => number>,
  /** Integer power by binary powering (2 charges per multiplication); result in S.h, S.l, radius returned. */
  powInt(ah: number, al: number, ar: number, p: number): number {
    let rh = 1, rl = 0, bh = ah, bl = al, k = Math.abs(p), mults = 0;
    while (k > 0) {
      if (k & 1) { S.mul(rh, rl, bh, bl); rh = S.h; rl = S.l; mults++; }
      k >>= 1;
      if (k > 0) { S.mul(bh, bl, bh, bl); bh = S.h; bl = S.l; mults++; }
      if (!S.ok(rh, 0) || !S.ok(bh, 0)) return NaN;
    }
    if (p < 0) { S.div(1, 0, rh, rl); rh = S.h; rl = S.l; mults++; }
    S.h = rh; S.l = rl;
    const lo = Math.abs(ah) - ar * UP;
    const hi = (Math.abs(ah) + ar) * UP;
    if (p < 0 && !(lo > 0)) return NaN;
    const L = ar === 0 ? 0 : Math.abs(p) * Math.max(Math.pow(Math.max(lo, 0), p - 1), Math.pow(hi, p - 1)) * (1
      + 2 ** -20);
    return (L * ar + 2 * mults * S.own(rh)) * UP;
  },
  /** a^b in float64 at the highs, the lows charged as input error (ball.ts's rules); value in S.h. */
  powFloat(ah: number, al: number, ar: number, bh: number, bl: number, br: number): number {
    const ra = (ar + Math.abs(al)) * UP;
    const rb = (br + Math.abs(bl)) * UP;
    const v = Math.pow(ah, bh);
    S.h = v; S.l = 0;
    if (rb === 0) {
      if (!(ah - ra > 0)) return ra === 0 && ah >= 0 ? 4 * EPS * Math.abs(v) + Number.MIN_VALUE : NaN;
      const L = Math.abs(bh) * Math.max(Math.pow(ah - ra, bh - 1), Math.pow(ah + ra, bh - 1)) * (1 + 2 ** -20);
      return (L * ra + 4 * EPS * Math.abs(v) + Number.MIN_VALUE) * UP;
    }
    if (!(ah - ra > 0)) return NaN;
    const inv = 1 / (ah - ra);
    const d = rb * (Math.abs(Math.log(ah)) + ra * inv + 1e-15) + (Math.abs(bh) + rb) * ra * inv;
    return (Math.abs(v) * Math.expm1(d * (1 + 2 ** -20)) * (1 + 8 * EPS) + 4 * EPS * Math.abs(v)
      + Number.MIN_VALUE) * UP;
  },
};
for (const [name, e] of Object.entries(FLOAT64_FUNCTIONS)) {
  // eslint-disable-next-line no-new-func
  S.fn[name] = (new Function('H', 't', `return ${e.js('t')};`) as (h: unknown, t: number) => number).bind(null,
    { sp: SPECIAL_FUNCTIONS });
  S.lip[name] = e.lipschitz;
}

type Compiled = (x: ArrayLike<number>, out: Float64Array) => number;
const compiled = new WeakMap<Expr, Map<string, Compiled>>();

/** A double-double ball for e at the point; radius NaN when not known. */
export function evaluateDoubleDouble(e: Expr, variables: string[], x: ArrayLike<number>): BallValue {
  let byVars = compiled.get(e);
  if (!byVars) { byVars = new Map(); compiled.set(e, byVars); }
  const key = variables.join(',');
  let f = byVars.get(key);
  if (!f) { f = compileDoubleDouble(e, variables); byVars.set(key, f); }
  const out = new Float64Array(1);
  const value = f(x, out);
  return { value, radius: out[0]! };
}

/**
 * e compiled to straight-line code (locals h_i, l_i, r_i per node, kept in Z across the pieces
 * of straightline.ts): returns the double nearest the double-double value, its radius in
 * out[0] (NaN when unknown).
 */
export function compileDoubleDouble(e: Expr, variables: string[]): Compiled {
  const w = new Writer(variables);
  const top = w.gen(e);
  // The double nearest h + l, and the rounding of that sum charged to the radius.
  const parts = chunkFunctions<(s: typeof S, x: ArrayLike<number>, z: Float64Array) => boolean>(['S', 'x', 'Z'],
    w.groups, 'return true;');
  const Z = new Float64Array(3 * w.count);
  return (x, out) => {
    for (let c = 0; c < parts.length; c++) if (!parts[c]!(S, x, Z)) { out[0] = NaN; return NaN; }
    S.twoSum(Z[3 * top]!, Z[3 * top + 1]!);
    out[0] = (Z[3 * top + 2]! + Math.abs(S.l)) * UP;
    return S.h;
  };
}

const FAIL = 'return false;';

/**
 * Writes the statements of each node (one group per node): `h_i, l_i` its double-double value,
 * `r_i` its radius, an unknown result returning false. An operand computed in the same piece
 * is a local; one from an earlier piece is read from Z.
 */
class Writer {
  readonly groups: string[] = [];
  private readonly groupOf: number[] = [];
  private readonly lines: string[] = [];
  count = 0;

  constructor(private readonly variables: string[]) {}

  private near(i: number): boolean { return sameFunction(this.groupOf[i]!, this.groups.length); }
  H(i: number): string { return this.near(i) ? `h${i}` : `Z[${3 * i}]`; }
  Lo(i: number): string { return this.near(i) ? `l${i}` : `Z[${3 * i + 1}]`; }
  R(i: number): string { return this.near(i) ? `r${i}` : `Z[${3 * i + 2}]`; }
  push(line: string): void { this.lines.push(line); }
  /** Node i takes the kernel's result S.h, S.l with radius rad. */
  set(i: number, rad: string): void {
    this.push(`const h${i} = S.h, l${i} = S.l, r${i} = ${rad}; if (!S.ok(h${i}, r${i})) { ${FAIL} }`);
  }

  /** Emits node n and the nodes it reads; returns its index. */
  gen(n: Expr): number {
    const i = this.count++;
    nodeStatements(this, n, i);
    this.groups.push(`${this.lines.join(' ')} Z[${3 * i}] = h${i}; Z[${3 * i + 1}] = l${i}; Z[${3 * i + 2}] = r${i};`);
    this.lines.length = 0;
    this.groupOf[i] = this.groups.length - 1;
    return i;
  }

  variable(name: string): number { return variableIndex(name, this.variables); }
}

/** The statements of node n (index i). */
function nodeStatements(w: Writer, n: Expr, i: number): void {
  const h = `h${i}`, l = `l${i}`, r = `r${i}`;
  switch (n.op) {
    case 'const': w.push(`const ${h} = ${n.value}, ${l} = 0, ${r} = 0; if (!S.ok(${h}, 0)) { ${FAIL} }`); break;
    case 'var': w.push(`const ${h} = x[${w.variable(n.name)}], ${l} = 0, ${r} = 0; if (!S.ok(${h}, 0)) { ${FAIL} ` +
      `}`); break;
    case 'neg': { const a = w.gen(n.arg); w.push(`const ${h} = -${w.H(a)}, ${l} = -${w.Lo(a)}, ${r} ` +
      `= ${w.R(a)};`); break; }
    case 'add': case 'sub': case 'mul': case 'div': arithmetic(w, n, i); break;
    case 'pow': power(w, n, i); break;
    case 'call2': minMax(w, n, i); break;
    case 'call': call(w, n, i); break;
  }
}

/** + − × ÷ in double-double, each charged S.own of its result besides the operands' radii. */
function arithmetic(w: Writer, n: Extract<Expr, { op: 'add' | 'sub' | 'mul' | 'div' }>, i: number): void {
  const a = w.gen(n.a); const b = w.gen(n.b);
  const [ha, la, ra, hb, lb, rb] = [w.H(a), w.Lo(a), w.R(a), w.H(b), w.Lo(b), w.R(b)];
  // Propagated error of a product or quotient: |a|·r_b + |b|·r_a, each |·| rounded up.
  const cross = `Math.abs(${ha}) * ${1 + EPS} * ${rb} + Math.abs(${hb}) * ${1 + EPS} * ${ra}`;
  if (n.op === 'add' || n.op === 'sub') {
    const sg = n.op === 'add' ? '' : '-';
    w.push(`S.add(${ha}, ${la}, ${sg}${hb}, ${sg}${lb});`);
    w.set(i, `(${ra} + ${rb} + S.own(S.h)) * ${UP}`);
  } else if (n.op === 'mul') {
    w.push(`S.mul(${ha}, ${la}, ${hb}, ${lb});`);
    w.set(i, `(${cross} + ${ra} * ${rb} + S.own(S.h)) * ${UP}`);
  } else {
    w.push(`const d${i} = Math.abs(${hb}) * ${1 - EPS}; if (!(d${i} > ${rb})) { ${FAIL} }`);
    w.push(`S.div(${ha}, ${la}, ${hb}, ${lb});`);
    w.set(i, `((${ra} === 0 && ${rb} === 0 ? 0 : (${cross}) / (d${i} * (d${i} - ${rb}))) + S.own(S.h)) * ${UP * UP}`);
  }
}

/** a^p for an integer constant |p| ≤ 1024 in double-double (S.powInt), else in float64 (S.powFloat). */
function power(w: Writer, n: Extract<Expr, { op: 'pow' }>, i: number): void {
  const a = w.gen(n.a);
  const p = constantExponent(n.b);
  if (p !== null && Number.isInteger(p) && Math.abs(p) <= 1024) {
    if (p === 0) w.push(`const h${i} = 1, l${i} = 0, r${i} = 0;`);
    else { w.push(`const q${i} = S.powInt(${w.H(a)}, ${w.Lo(a)}, ${w.R(a)}, ${p});`); w.set(i, `q${i}`); }
    return;
  }
  const b = w.gen(n.b);
  w.push(`const q${i} = S.powFloat(${w.H(a)}, ${w.Lo(a)}, ${w.R(a)}, ${w.H(b)}, ${w.Lo(b)}, ${w.R(b)});`);
  w.set(i, `q${i}`);
}

/** min and max pick an operand exactly (its radius at most the larger one); atan2 is unknown here. */
function minMax(w: Writer, n: Extract<Expr, { op: 'call2' }>, i: number): void {
  const a = w.gen(n.a); const b = w.gen(n.b);
  if (n.fn === 'atan2') { w.push(FAIL); return; } // no double-double atan2: unknown here, decided in decimal
  const aFirst = `(${w.H(a)} < ${w.H(b)} || (${w.H(a)} === ${w.H(b)} && ${w.Lo(a)} <= ${w.Lo(b)}))`;
  const pickA = n.fn === 'min' ? aFirst : `!${aFirst}`;
  const value = `h${i} = p${i} ? ${w.H(a)} : ${w.H(b)}, l${i} = p${i} ? ${w.Lo(a)} : ${w.Lo(b)}`;
  w.push(`const p${i} = ${pickA}; const ${value}, r${i} = Math.max(${w.R(a)}, ${w.R(b)});`);
}

/** sqrt in double-double; abs and relu exactly; other functions in float64 at hi (lo charged as input error). */
function call(w: Writer, n: Extract<Expr, { op: 'call' }>, i: number): void {
  const a = w.gen(n.arg);
  const [ha, la, ra] = [w.H(a), w.Lo(a), w.R(a)];
  if (n.fn === 'sqrt') {
    w.push(`if (${ha} < 0 || (${ra} > 0 && !(${ha} - ${ra} > 0))) { ${FAIL} }`);
    w.push(`S.sqrt(${ha}, ${la});`);
    const prop = `(0.5 / Math.sqrt((${ha} - ${ra}) * ${1 - EPS})) * ${ra} * ${1 + EPS}`;
    w.set(i, `((${ra} === 0 ? 0 : ${prop}) + S.own(S.h)) * ${UP}`);
  } else if (n.fn === 'abs' || n.fn === 'relu') {
    const neg = `(${ha} < 0 || (${ha} === 0 && ${la} < 0))`;
    const hv = n.fn === 'abs' ? `-${ha}` : '0';
    const lv = n.fn === 'abs' ? `-${la}` : '0';
    w.push(`const n${i} = ${neg}; const h${i} = n${i} ? ${hv} : ${ha}, l${i} = n${i} ? ${lv} : ${la}, r${i} = ${ra};`);
  } else {
    const ulps = FLOAT64_FUNCTIONS[n.fn].ulps;
    w.push(`const a${i} = (${ra} + Math.abs(${la})) * ${UP}; S.h = S.fn.${n.fn}(${ha}); S.l = 0;`);
    const prop = `(a${i} === 0 ? 0 : S.lip.${n.fn}(${ha}, a${i}) * a${i})`;
    w.set(i, `(${prop} + ${ulps * EPS} * Math.abs(S.h) + Number.MIN_VALUE) * ${UP}`);
  }
}
