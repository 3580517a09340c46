/**
 * Rows that a float evaluation computes without rounding in any order of summation, recognized
 * from how their operands were computed (issue 32: error-free transformations laid out as ReLU
 * rows). net/roundingaffine.ts asks `row` about each row and charges no rounding where it
 * answers `exact`.
 *
 * Values. Each unit of an analysis holds a computed float, named by an id; units with one id hold
 * the same float bit for bit. Only rows with bias 0 and one or two terms of weight ±1 (stored
 * exactly; a product by ±1 is exact) are classified, every other row gets a fresh id. A row
 * reading no other unit than the terms (the zero columns and a zero bias add exact zeros, in
 * any order, fused or not) computes:
 * - one term x with weight 1: x̂ itself (the same id, exact);
 * - two terms a + b: fl(â + b̂), one correctly rounded addition (recorded as a sum);
 * - two terms x − y: fl(x̂ − ŷ), exact in two cases:
 *   (S) Sterbenz (Sterbenz 1974; Higham, Accuracy and Stability of Numerical Algorithms, Thm
 *       2.5, with gradual underflow too): ŷ/2 ≤ x̂ ≤ 2ŷ makes x̂ − ŷ a float. The caller proves
 *       the two inequalities on its region (`sterbenz`); the row is recorded as a difference.
 *   (F) The error of a rounded-to-nearest addition is a float (Knuth, TAOCP vol. 2, §4.2.2
 *       Thm B; Dekker 1971; Boldo & Daumas 2003, with underflow too: a sum that underflows
 *       is exact). With s = fl(a + b) and z = s − a computed exactly (a difference), b − z =
 *       (a + b) − s is that error, a float: the row b − z (or z − b) is exact. This is the last
 *       step of Fast2Sum (Dekker 1971), s, z = s − a, t = b − z, written as three rows.
 * Signs (what passes a ReLU unchanged, in exact arithmetic and as computed): a ReLU's output is
 * ≥ 0 both ways; so is a row of weights ≥ 0 on such values with a bias ≥ 0 (each product
 * fl(w·x) ≥ 0, and a sum of floats ≥ 0 is ≥ 0 in any order), and s − a with s = fl(a + b),
 * b ≥ 0 (rounding is monotone and â is a float, so fl(â + b̂) ≥ â; exactly, s − a = b when the
 * stored weights are the network's).
 */

/** One term of a row: the id of the value it reads, its stored weight, and whether that value is ≥ 0 (both ways). */
export interface Operand { id: number; w: number; nonneg: boolean }

/** What `row` found: the id of the row's computed value, whether it rounds not at all, and whether it is ≥ 0. */
export interface RowValue { id: number; exact: boolean; nonneg: boolean }

/** The computed values of one analysis and how its sums and exact differences were formed. */
export class ExactRows {
  private count = 0;
  private readonly sums = new Map<number, { a: Operand; b: Operand }>();
  private readonly diffs = new Map<number, { s: number; a: number }>();

  /** A value no rule knows anything about. */
  fresh(): number {
    return this.count++;
  }

  /**
   * The row Σ w·x + bias over `ops` (its nonzero terms, stored weights); `sterbenz(x, y)` proves
   * ŷ/2 ≤ x̂ ≤ 2ŷ for two of them on the caller's region; `stored`: the network's weights are
   * the stored ones.
   */
  row(ops: readonly Operand[], bias: number, sterbenz: (x: Operand, y: Operand) => boolean, stored = true): RowValue {
    const oneSign = bias >= 0 && ops.every((o) => o.w >= 0 && o.nonneg);
    const none = { id: this.fresh(), exact: false, nonneg: oneSign };
    if (bias !== 0 || ops.length === 0 || ops.length > 2) return none;
    if (ops.length === 1) return ops[0]!.w === 1 ? { id: ops[0]!.id, exact: true, nonneg: ops[0]!.nonneg } : none;
    const [p, q] = ops as [Operand, Operand];
    if (p.w === 1 && q.w === 1) {
      const id = this.fresh();
      this.sums.set(id, { a: p, b: q });
      return { id, exact: false, nonneg: p.nonneg && q.nonneg };
    }
    if (Math.abs(p.w) !== 1 || p.w + q.w !== 0) return none;
    const [x, y] = p.w === 1 ? [p, q] : [q, p];
    const error = this.errorTerm(x.id, y.id) || this.errorTerm(y.id, x.id);
    if (error) return { id: this.fresh(), exact: true, nonneg: false };
    if (!sterbenz(x, y)) return none;
    const id = this.fresh();
    this.diffs.set(id, { s: x.id, a: y.id });
    const s = this.sums.get(x.id);
    const nonneg = stored && s !== undefined && ((s.a.id === y.id && s.b.nonneg) || (s.b.id === y.id && s.a.nonneg));
    return { id, exact: true, nonneg };
  }

  /** z is an exact s − a with s = fl(a + b) (rule F). */
  private errorTerm(b: number, z: number): boolean {
    const d = this.diffs.get(z);
    const s = d && this.sums.get(d.s);
    return !!s && ((s.a.id === d.a && s.b.id === b) || (s.b.id === d.a && s.a.id === b));
  }
}
