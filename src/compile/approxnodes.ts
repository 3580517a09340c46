import { reluForm } from '../approx/pwl.ts';
import { scale, type Form, type Program } from '../net/program.ts';
import type { LayoutContext, NodeBuild } from './context.ts';
import { deepSquareError, deepSquareLevels } from './deep.ts';
import { forNode } from './failure.ts';
import type { GNode } from './graph.ts';
import { approximateOnRange, fnOf, holderError, isSqrt, type OneD } from './piece.ts';
import type { Range } from './ranges.ts';
import { exprToString } from '../expr/ast.ts';
import { enclose } from '../expr/interval.ts';

/**
 * Builders of the approximated node kinds, square and unary g(u): on the range W of the
 * computed input (the exact range widened by its error, docs/DESIGN.md §1), a deep
 * sawtooth square or a shallow PWL, error e_g + L·e_in (or the Hölder bound of sqrt, cbrt).
 */

type Approximated = Extract<GNode, { kind: 'square' | 'unary' }>;

/** A node's input as it will be read: its form, the range W it is built on, and whether it already is |u|/hi. */
interface Input { input: Form; W: Range; scaledAbs: boolean }

export function buildApproximated(c: LayoutContext, n: Approximated): NodeBuild {
  const eIn = c.err[n.arg]!;
  const [a, b] = c.ranges[n.arg]!;
  let x: Input = { input: c.forms[n.arg]!, W: [a - eIn, b + eIn], scaledAbs: false };
  if (n.kind === 'square') x = halfRangeInput(c, n, x);
  const exact = c.exactArgs?.get(n.id) ?? [a, b];
  return c.deepSet.has(n.id) ? buildDeepSquare(c, n, x, eIn) : buildShallow(c, n, x, eIn, exact);
}

/**
 * A square reads |u| on [0, max(−lo, hi)]: −u when u ≤ 0, else (u straddling 0) the layout's
 * |u| for a one-term deep square, or relu(u) + relu(−u) (2 ReLUs).
 */
function halfRangeInput(c: LayoutContext, n: Approximated, x: Input): Input {
  const { input, W } = x;
  if (W[1] <= 0) return { input: scale(input, -1), W: [-W[1], -W[0]], scaledAbs: false };
  if (!(W[0] < 0)) return x;
  const single = input.terms.size === 1 && input.constant === 0;
  const special = c.deepSet.has(n.id) && single ? c.layout.deepAbs(c.prog, input, W) : null;
  if (special) return special;
  const p = c.prog.addUnit(input, 0, [W[0], W[1]]);
  const q = c.prog.addUnit(scale(input, -1), 0, [-W[1], -W[0]]);
  const abs: Form = { layer: p.layer, terms: new Map([[p.index, 1], [q.index, 1]]), constant: 0 };
  return { input: abs, W: [0, Math.max(-W[0], W[1])], scaledAbs: false };
}

/** Deep square on [0, hi] (W[0] ≥ 0 here): error hi²·2^(−2m−2) (deep.ts), Lipschitz 2·hi. */
function buildDeepSquare(c: LayoutContext, n: Approximated, x: Input, eIn: number): NodeBuild {
  const budget = c.budgets.get(n.id)!;
  const hi = x.W[1];
  const levels = c.deepLevels ?? deepSquareLevels(hi, budget);
  const form = c.layout.deepSquare(c.prog, x.input, hi, levels, x.scaledAbs);
  const own = deepSquareError(hi, levels);
  const details = { builtOn: [0, hi] as Range, budget, certified: own, construction: 'deep' as const, levels };
  return { form, e: own + 2 * hi * eIn, details };
}

/**
 * Shallow PWL of g on W (piece.ts, fewest segments within the budget). sqrt of a value ≥ 0
 * whose computed input may dip below 0 by its error: the input clamped with relu
 * (1-Lipschitz, the identity on [0, ∞) where the true value lies), built on [0, W[1]]; sqrt
 * is ½-Hölder there, |√a − √b| ≤ √|a − b|. Other functions whose widened range W leaves
 * their domain (asin of x·y on [−1, 1]²): the input clamped to the exact range (clampToRange).
 * `exact`: the exact range of the input.
 */
function buildShallow(c: LayoutContext, n: Approximated, x: Input, eIn: number, exact: Range): NodeBuild {
  const fn = fnOf(n);
  const budget = c.budgets.get(n.id)!;
  let { input, W } = x;
  if (n.kind === 'unary' && isSqrt(fn) && W[0] < 0 && exact[0] >= 0) {
    const p = c.prog.addUnit(input, 0, [W[0], W[1]]);
    input = { layer: p.layer, terms: new Map([[p.index, 1]]), constant: 0 };
    W = [0, W[1]];
  } else if (n.kind === 'unary') {
    ({ input, W } = clampToRange(c.prog, fn, input, W, exact));
  }
  const range = W;
  const piece: OneD = forNode(n.text, range, () => approximateOnRange(fn, range, budget, c.limit), n.kind === 'square');
  const segs = piece.pwl.x.length - 1;
  const form = pwlUnits(c.prog, carryInput(c, input, W, segs), piece, W);
  // Exact input (eIn = 0) adds nothing even where f is not Lipschitz (sqrt at 0).
  const holder = eIn === 0 ? null : holderError(fn, eIn);
  const carried = eIn === 0 ? 0 : holder !== null ? Math.min(piece.lipschitz * eIn, holder) : piece.lipschitz * eIn;
  const e = piece.certified + carried;
  const details = { builtOn: W, budget, certified: piece.certified, segments: segs, construction: 'shallow' as const };
  if (n.kind !== 'unary' || !n.fused) return { form, e, details };
  return { form, e, details: { ...details, fused: { fn: exprToString(fn), form: c.g.nodes[n.arg]!.text } } };
}

/** g is undefined or not finite somewhere on [lo, hi] (interval enclosure). */
function leavesDomain(fn: ReturnType<typeof fnOf>, lo: number, hi: number): boolean {
  if (!(lo < hi)) return false;
  const e = enclose(fn, { u: [lo, hi] });
  return e.undefinedPart || !Number.isFinite(e.lo) || !Number.isFinite(e.hi);
}

/**
 * The computed input t clamped on each side where W leaves g's domain to the exact range
 * [a, b] (defined there: ranges.ts checked it): a + relu(t − a) below, b − relu(b − t) above,
 * a + relu(t − a) − relu(t − b) on both sides (one ReLU a side, one layer). The true value u
 * lies in [a, b] and clamping projects onto that interval, so |clamp(t) − u| ≤ |t − u|: the
 * input error is unchanged and the PWL is built on W ∩ [a, b]; where g's slope is infinite at
 * an end (asin, acos at ±1) the error carried is its modulus of continuity (piece.ts holderError).
 * Unchanged when W stays in the domain.
 */
function clampToRange(
  prog: Program, fn: ReturnType<typeof fnOf>, input: Form, W: Range, exact: Range,
): Input {
  const [a, b] = exact;
  const low = W[0] < a && leavesDomain(fn, W[0], a);
  const high = W[1] > b && leavesDomain(fn, b, W[1]);
  if (!low && !high) return { input, W, scaledAbs: false };
  const terms = new Map<number, number>();
  let layer = input.layer;
  if (low) {
    const p = prog.addUnit(input, -a, [W[0] - a, W[1] - a]);
    [layer] = [p.layer, terms.set(p.index, 1)];
  }
  if (high) {
    // Both sides: a + relu(t − a) − relu(t − b); only above: b − relu(b − t).
    const q = low ? prog.addUnit(input, -b, [W[0] - b, W[1] - b])
      : prog.addUnit(scale(input, -1), b, [b - W[1], b - W[0]]);
    [layer] = [q.layer, terms.set(q.index, -1)];
  }
  const form: Form = { layer, terms, constant: low ? a : b };
  return { input: form, W: [low ? a : W[0], high ? b : W[1]], scaledAbs: false };
}

/**
 * The input a PWL's units read: the layout's choice, else (wide fan-in feeding many units) the
 * value carried as one unit first (1 ReLU) rather than a dense block of fan-in × units weights.
 */
function carryInput(c: LayoutContext, input: Form, W: Range, segs: number): Form {
  const chosen = c.layout.carryPwlInput(c.prog, input, W, segs);
  if (chosen) return chosen;
  const k = input.terms.size;
  if (k > 2 && segs > 2 && k * segs > 10 * (k + segs)) return c.prog.carry(input, input.layer + 1, W[0], W[1]);
  return input;
}

/** The PWL's ReLU form (approx/pwl.ts reluForm) as units reading `input`, built on W. */
function pwlUnits(prog: Program, input: Form, piece: OneD, W: Range): Form {
  const { knots, weights, constant } = reluForm(piece.pwl);
  const terms = new Map<number, number>();
  let layer = input.layer + 1;
  for (let i = 0; i < weights.length; i++) {
    const u = prog.addUnit(input, -knots[i]!, [W[0] - knots[i]!, W[1] - knots[i]!]);
    layer = u.layer;
    terms.set(u.index, weights[i]!);
  }
  return { layer, terms, constant };
}
