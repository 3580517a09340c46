import type { ErrForm, Group } from './errorform.ts';
import type { DenseLayer } from './network.ts';

/** Rows with more weights than this are rarely proportional to another: no grouping for them. */
const MAX_GROUPED_FAN_IN = 64;

/**
 * Row groups of one layer. Units whose weight rows are proportional are ReLUs of one scalar
 * v = row/alpha (alpha the row's largest weight, so every ratio w/alpha is finite):
 * unit = relu(alpha·v + b). A later layer then sees their combination as a piecewise-linear
 * function of v, whose slope range bounds how v's error passes on (net/rowerror.ts).
 * Rows with one weight are grouped by its column; wider rows by their exact ratios w/alpha.
 */
export class RowGroups {
  readonly groups: Group[] = [];
  private readonly byKey = new Map<string, number>();
  private readonly byColumn = new Map<number, number>();

  /**
   * The group of row r (fanIn nonzero weights, the largest one alpha in column firstCol),
   * whose v spans [vA, vB] or [vB, vA]: an existing group widened to it, or a new one whose
   * error form `errorOf(r, alpha)` gives and whose error bound is `magnitude` of it.
   */
  place(
    layer: DenseLayer, r: number, fanIn: number, firstCol: number, alpha: number, vA: number, vB: number,
    errorOf: (r: number, alpha: number) => ErrForm, magnitude: (e: ErrForm) => number,
  ): number {
    const key = fanIn === 1 ? '' : proportionalKey(layer, r, fanIn, alpha);
    const gi = fanIn === 1 ? this.byColumn.get(firstCol) : this.byKey.get(key);
    if (gi !== undefined) {
      const g = this.groups[gi]!;
      g.vLo = Math.min(g.vLo, vA, vB);
      g.vHi = Math.max(g.vHi, vA, vB);
      return gi;
    }
    const err = errorOf(r, alpha);
    this.groups.push({ err, errMag: magnitude(err), vLo: Math.min(vA, vB), vHi: Math.max(vA, vB) });
    const created = this.groups.length - 1;
    if (fanIn === 1) this.byColumn.set(firstCol, created);
    else this.byKey.set(key, created);
    return created;
  }
}

/**
 * A key equal for proportional rows: the nonzero columns with their ratios w/alpha. Empty
 * rows share the key ''; rows wider than MAX_GROUPED_FAN_IN get a key of their own.
 */
function proportionalKey(layer: DenseLayer, r: number, fanIn: number, alpha: number): string {
  let keys = KEYS.get(layer);
  if (!keys) { keys = new Array<string | undefined>(layer.outSize); KEYS.set(layer, keys); }
  return (keys[r] ??= rowKey(layer, r, fanIn, alpha));
}

/**
 * Row keys by layer, computed once: a key depends on the weights alone (fanIn and alpha are the
 * row's), not on the box, and a float32 certificate analyses thousands of sub-boxes of one network.
 */
const KEYS = new WeakMap<DenseLayer, (string | undefined)[]>();

function rowKey(layer: DenseLayer, r: number, fanIn: number, alpha: number): string {
  if (fanIn > MAX_GROUPED_FAN_IN) return `#${r}`;
  if (fanIn === 0) return '';
  const row = r * layer.inSize;
  const parts: string[] = [];
  for (let c = 0; c < layer.inSize; c++) {
    const w = layer.weights[row + c]!;
    if (w !== 0) parts.push(`${c}:${w / alpha}`);
  }
  return parts.join(',');
}
