import type { Network } from '../../src/net/network.ts';

/**
 * Exact real arithmetic on doubles for reference values: every finite double is m·2^e with
 * integers m, e, and sums and products of such numbers stay in that form (BigInt m).
 */
export interface Dyadic { m: bigint; e: number }

const view = new DataView(new ArrayBuffer(8));

export function dyadic(v: number): Dyadic {
  if (!Number.isFinite(v)) throw new RangeError(`not finite: ${v}`);
  if (v === 0) return { m: 0n, e: 0 };
  view.setFloat64(0, v);
  const bits = view.getBigUint64(0);
  const sign = bits >> 63n ? -1n : 1n;
  const exp = Number((bits >> 52n) & 0x7ffn);
  const frac = bits & ((1n << 52n) - 1n);
  return exp === 0 ? { m: sign * frac, e: -1074 } : { m: sign * ((1n << 52n) | frac), e: exp - 1075 };
}

export function add(a: Dyadic, b: Dyadic): Dyadic {
  const e = Math.min(a.e, b.e);
  return { m: (a.m << BigInt(a.e - e)) + (b.m << BigInt(b.e - e)), e };
}

export const mul = (a: Dyadic, b: Dyadic): Dyadic => ({ m: a.m * b.m, e: a.e + b.e });
export const sub = (a: Dyadic, b: Dyadic): Dyadic => add(a, { m: -b.m, e: b.e });
export const abs = (a: Dyadic): Dyadic => ({ m: a.m < 0n ? -a.m : a.m, e: a.e });

/** a ≤ b, exactly. */
export function lessEq(a: Dyadic, b: Dyadic): boolean {
  const d = sub(b, a);
  return d.m >= 0n;
}

/** Nearest double (good to a few ulps; used only to print). */
export function toNumber(a: Dyadic): number {
  if (a.m === 0n) return 0;
  const neg = a.m < 0n;
  let m = neg ? -a.m : a.m;
  let e = a.e;
  const len = m.toString(2).length;
  if (len > 60) { m >>= BigInt(len - 60); e += len - 60; }
  const v = Number(m) * 2 ** e;
  return neg ? -v : v;
}

/** The network's output in exact real arithmetic: y = act(W·x + b) layer by layer. */
export function exactOutputs(net: Network, x: readonly number[]): Dyadic[] {
  let cur = x.map(dyadic);
  for (const layer of net.layers) {
    const next: Dyadic[] = [];
    for (let r = 0; r < layer.outSize; r++) {
      let s = dyadic(layer.bias[r]!);
      for (let c = 0; c < layer.inSize; c++) s = add(s, mul(dyadic(layer.weights[r * layer.inSize + c]!), cur[c]!));
      next.push(layer.activation === 'relu' && s.m < 0n ? { m: 0n, e: 0 } : s);
    }
    cur = next;
  }
  return cur;
}
