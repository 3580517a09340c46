/**
 * The certified property as VNN-LIB (the VNN-COMP property format, SMT-LIB syntax: Bak et al.,
 * "The Second International Verification of Neural Networks Competition", 2021): inputs X_i
 * in the box and the output Y_0 with |Y_0 − f(X)| > bound — the assertions describe a
 * violation, so "unsat" proves the property. VNN-LIB states linear arithmetic, so f must be
 * affine in the inputs (sums, differences, products with and quotients by constants); any
 * other formula is refused. Every number is written as the exact decimal value of its double,
 * so the file states exactly what was certified.
 */
import { InputError } from '../errors.ts';
import type { Expr } from '../expr/ast.ts';

/** The exact decimal expansion of a finite double (no exponent, as SMT-LIB wants). */
export function exactDecimal(x: number): string {
  if (!Number.isFinite(x)) throw new RangeError(`not finite: ${x}`);
  if (x === 0) return '0.0';
  const neg = x < 0;
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Math.abs(x));
  const bits = view.getBigUint64(0);
  const exp = Number((bits >> 52n) & 0x7ffn);
  let mant = bits & ((1n << 52n) - 1n);
  if (exp > 0) mant |= 1n << 52n;
  const e2 = (exp === 0 ? 1 : exp) - 1075; // value = mant · 2^e2
  let text: string;
  if (e2 >= 0) text = `${(mant << BigInt(e2)).toString()}.0`;
  else {
    // mant / 2^k = mant · 5^k / 10^k
    const k = -e2;
    const digits = (mant * 5n ** BigInt(k)).toString().padStart(k + 1, '0');
    text = `${digits.slice(0, digits.length - k)}.${digits.slice(digits.length - k)}`.replace(/0+$/, '').replace(/\.$/,
      '.0');
  }
  return neg ? `(- ${text})` : text;
}

const isConstant = (e: Expr): boolean => e.op === 'const' || (e.op === 'neg' && isConstant(e.arg)) || ((e.op === 'add'
  || e.op === 'sub' || e.op === 'mul' || e.op === 'div') && isConstant(e.a) && isConstant(e.b));

/** f as an SMT-LIB linear term over X_i, or null when f is not affine in this simple sense. */
function term(e: Expr, names: string[]): string | null {
  switch (e.op) {
    case 'const': return exactDecimal(e.value);
    case 'var': return `X_${names.indexOf(e.name)}`;
    case 'neg': { const a = term(e.arg, names); return a && `(- ${a})`; }
    case 'add': case 'sub': {
      const a = term(e.a, names), b = term(e.b, names);
      return a && b && `(${e.op === 'add' ? '+' : '-'} ${a} ${b})`;
    }
    case 'mul': {
      if (!isConstant(e.a) && !isConstant(e.b)) return null;
      const a = term(e.a, names), b = term(e.b, names);
      return a && b && `(* ${a} ${b})`;
    }
    case 'div': {
      if (!isConstant(e.b)) return null;
      const a = term(e.a, names), b = term(e.b, names);
      return a && b && `(/ ${a} ${b})`;
    }
    default: return null;
  }
}

export interface VnnlibProperty {
  expr: Expr;
  exprText: string;
  names: string[];
  box: readonly (readonly [number, number])[];
  /** Proven: |N(x) − f(x)| ≤ bound on the box. */
  bound: number;
}

export function toVnnlib(p: VnnlibProperty): string {
  const f = term(p.expr, p.names);
  if (!f) throw new InputError('--vnnlib', 'go with a formula affine in the inputs (VNN-LIB states linear properties)',
    p.exprText, { field: 'vnnlib', code: 'not-affine' });
  const lines = [
    `; knotnet certify: |Y_0 - f(X)| <= ${p.bound} on the box, f = ${p.exprText}`,
    `; inputs: ${p.names.map((n, i) => `X_${i} = ${n}`).join(', ')}. The assertions state a violation: unsat proves ` +
      `the property.`,
    ...p.names.map((_, i) => `(declare-const X_${i} Real)`),
    '(declare-const Y_0 Real)',
    ...p.box.flatMap(([lo, hi], i) => [`(assert (>= X_${i} ${exactDecimal(lo)}))`,
      `(assert (<= X_${i} ${exactDecimal(hi)}))`]),
    `(assert (or (and (> (- Y_0 ${f}) ${exactDecimal(p.bound)})) (and (< (- Y_0 ${f}) ${exactDecimal(-p.bound)}))))`,
  ];
  return `${lines.join('\n')}\n`;
}
