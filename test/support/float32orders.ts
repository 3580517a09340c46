import type { Network } from '../../src/net/network.ts';

/** float32 evaluation summing each row in reverse column order with the bias first (a third order). */
export function reversed32(net: Network, x: ArrayLike<number>): number {
  let cur = Array.from(x, Math.fround);
  for (const L of net.layers) {
    const next: number[] = [];
    for (let r = 0; r < L.outSize; r++) {
      let s = Math.fround(L.bias[r]!);
      for (let c = L.inSize - 1; c >= 0; c--) {
        const w = Math.fround(L.weights[r * L.inSize + c]!);
        if (w !== 0) s = Math.fround(s + Math.fround(w * cur[c]!));
      }
      next.push(L.activation === 'relu' && s < 0 ? 0 : s);
    }
    cur = next;
  }
  return cur[0]!;
}
