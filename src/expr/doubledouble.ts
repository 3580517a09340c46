import type { Expr } from './ast.ts';
import { EPS, FLOAT64_FUNCTIONS, SPECIAL_FUNCTIONS, type BallValue } from './ball.ts';
import { chunkFunctions, sameFunction } from './straightline.ts';

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
    const L = ar === 0 ? 0 : Math.abs(p) * Math.max(Math.pow(Math.max(lo, 0), p - 1), Math.pow(hi, p - 1)) * (1 + 2 ** -20);
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
    return (Math.abs(v) * Math.expm1(d * (1 + 2 ** -20)) * (1 + 8 * EPS) + 4 * EPS * Math.abs(v) + Number.MIN_VALUE) * UP;
  },
};
for (const [name, e] of Object.entries(FLOAT64_FUNCTIONS)) {
  // eslint-disable-next-line no-new-func
  S.fn[name] = (new Function('H', 't', `return ${e.js('t')};`) as (h: unknown, t: number) => number).bind(null, { sp: SPECIAL_FUNCTIONS });
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
 * of straightline.ts): returns the double
 * nearest the double-double value, its radius in out[0] (NaN when unknown).
 */
export function compileDoubleDouble(e: Expr, variables: string[]): Compiled {
  const L: string[] = [];
  const groups: string[] = [];
  const groupOf: number[] = [];
  let k = 0;
  const fail = 'return false;';
  // An operand computed in the same piece is a local; one from an earlier piece is read from Z.
  const near = (i: number) => sameFunction(groupOf[i]!, groups.length);
  const H = (i: number) => (near(i) ? `h${i}` : `Z[${3 * i}]`);
  const Lo = (i: number) => (near(i) ? `l${i}` : `Z[${3 * i + 1}]`);
  const R = (i: number) => (near(i) ? `r${i}` : `Z[${3 * i + 2}]`);
  const gen = (n: Expr): number => {
    const i = k++;
    const h = `h${i}`, l = `l${i}`, r = `r${i}`;
    const set = (rad: string) => L.push(`const ${h} = S.h, ${l} = S.l, ${r} = ${rad}; if (!S.ok(${h}, ${r})) { ${fail} }`);
    switch (n.op) {
      case 'const': L.push(`const ${h} = ${n.value}, ${l} = 0, ${r} = 0; if (!S.ok(${h}, 0)) { ${fail} }`); break;
      case 'var': {
        const j = variables.indexOf(n.name);
        if (j < 0) throw new RangeError(`variable ${n.name} is not among ${variables.join(', ')}`);
        L.push(`const ${h} = x[${j}], ${l} = 0, ${r} = 0; if (!S.ok(${h}, 0)) { ${fail} }`);
        break;
      }
      case 'neg': { const a = gen(n.arg); L.push(`const ${h} = -${H(a)}, ${l} = -${Lo(a)}, ${r} = ${R(a)};`); break; }
      case 'add': case 'sub': {
        const a = gen(n.a); const b = gen(n.b);
        const sg = n.op === 'add' ? '' : '-';
        L.push(`S.add(${H(a)}, ${Lo(a)}, ${sg}${H(b)}, ${sg}${Lo(b)});`);
        set(`(${R(a)} + ${R(b)} + S.own(S.h)) * ${UP}`);
        break;
      }
      case 'mul': {
        const a = gen(n.a); const b = gen(n.b);
        L.push(`S.mul(${H(a)}, ${Lo(a)}, ${H(b)}, ${Lo(b)});`);
        set(`(Math.abs(${H(a)}) * ${1 + EPS} * ${R(b)} + Math.abs(${H(b)}) * ${1 + EPS} * ${R(a)} + ${R(a)} * ${R(b)} + S.own(S.h)) * ${UP}`);
        break;
      }
      case 'div': {
        const a = gen(n.a); const b = gen(n.b);
        L.push(`const d${i} = Math.abs(${H(b)}) * ${1 - EPS}; if (!(d${i} > ${R(b)})) { ${fail} }`);
        L.push(`S.div(${H(a)}, ${Lo(a)}, ${H(b)}, ${Lo(b)});`);
        set(`((${R(a)} === 0 && ${R(b)} === 0 ? 0 : (Math.abs(${H(a)}) * ${1 + EPS} * ${R(b)} + Math.abs(${H(b)}) * ${1 + EPS} * ${R(a)}) / (d${i} * (d${i} - ${R(b)}))) + S.own(S.h)) * ${UP * UP}`);
        break;
      }
      case 'pow': {
        const a = gen(n.a);
        const p = n.b.op === 'const' ? n.b.value : n.b.op === 'neg' && n.b.arg.op === 'const' ? -n.b.arg.value : null;
        if (p !== null && Number.isInteger(p) && Math.abs(p) <= 1024) {
          if (p === 0) L.push(`const ${h} = 1, ${l} = 0, ${r} = 0;`);
          else { L.push(`const q${i} = S.powInt(${H(a)}, ${Lo(a)}, ${R(a)}, ${p});`); set(`q${i}`); }
        } else {
          const b = gen(n.b);
          L.push(`const q${i} = S.powFloat(${H(a)}, ${Lo(a)}, ${R(a)}, ${H(b)}, ${Lo(b)}, ${R(b)});`);
          set(`q${i}`);
        }
        break;
      }
      case 'call2': {
        const a = gen(n.a); const b = gen(n.b);
        if (n.fn === 'atan2') { L.push(fail); break; } // no double-double atan2: unknown here, decided in decimal
        const aFirst = `(${H(a)} < ${H(b)} || (${H(a)} === ${H(b)} && ${Lo(a)} <= ${Lo(b)}))`;
        const pickA = n.fn === 'min' ? aFirst : `!${aFirst}`;
        L.push(`const p${i} = ${pickA}; const ${h} = p${i} ? ${H(a)} : ${H(b)}, ${l} = p${i} ? ${Lo(a)} : ${Lo(b)}, ${r} = Math.max(${R(a)}, ${R(b)});`);
        break;
      }
      case 'call': {
        const a = gen(n.arg);
        if (n.fn === 'sqrt') {
          L.push(`if (${H(a)} < 0 || (${R(a)} > 0 && !(${H(a)} - ${R(a)} > 0))) { ${fail} }`);
          L.push(`S.sqrt(${H(a)}, ${Lo(a)});`);
          set(`((${R(a)} === 0 ? 0 : (0.5 / Math.sqrt((${H(a)} - ${R(a)}) * ${1 - EPS})) * ${R(a)} * ${1 + EPS}) + S.own(S.h)) * ${UP}`);
        } else if (n.fn === 'abs' || n.fn === 'relu') {
          const neg = `(${H(a)} < 0 || (${H(a)} === 0 && ${Lo(a)} < 0))`;
          const hv = n.fn === 'abs' ? `-${H(a)}` : '0';
          const lv = n.fn === 'abs' ? `-${Lo(a)}` : '0';
          L.push(`const n${i} = ${neg}; const ${h} = n${i} ? ${hv} : ${H(a)}, ${l} = n${i} ? ${lv} : ${Lo(a)}, ${r} = ${R(a)};`);
        } else {
          // float64 at hi; lo is charged as input error.
          const ulps = FLOAT64_FUNCTIONS[n.fn].ulps;
          L.push(`const a${i} = (${R(a)} + Math.abs(${Lo(a)})) * ${UP}; S.h = S.fn.${n.fn}(${H(a)}); S.l = 0;`);
          set(`((a${i} === 0 ? 0 : S.lip.${n.fn}(${H(a)}, a${i}) * a${i}) + ${ulps * EPS} * Math.abs(S.h) + Number.MIN_VALUE) * ${UP}`);
        }
        break;
      }
    }
    groups.push(`${L.join(' ')} Z[${3 * i}] = h${i}; Z[${3 * i + 1}] = l${i}; Z[${3 * i + 2}] = r${i};`);
    L.length = 0;
    groupOf[i] = groups.length - 1;
    return i;
  };
  const top = gen(e);
  // The double nearest h + l, and the rounding of that sum charged to the radius.
  const parts = chunkFunctions<(s: typeof S, x: ArrayLike<number>, z: Float64Array) => boolean>(['S', 'x', 'Z'], groups, 'return true;');
  const Z = new Float64Array(3 * k);
  return (x, out) => {
    for (let c = 0; c < parts.length; c++) if (!parts[c]!(S, x, Z)) { out[0] = NaN; return NaN; }
    S.twoSum(Z[3 * top]!, Z[3 * top + 1]!);
    out[0] = (Z[3 * top + 2]! + Math.abs(S.l)) * UP;
    return S.h;
  };
}
