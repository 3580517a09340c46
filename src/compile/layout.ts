import { scale, type Form, type Program } from '../net/program.ts';
import { deepSquareUnits, deepSquareUnitsPrecise } from './deep.ts';
import type { Range } from './ranges.ts';

/**
 * How the network is laid out for the dtype that must keep the certified bound: one assembler
 * (assemble.ts), parameterized by these choices, as d3-scale's `transformer(t, u)` is by its
 * transform. float64 lays out for fewest units; float32 (compile --dtype float32) for small
 * rounding: exact sawtooth teeth, Sterbenz-exact PWL units, small folds, an offset output.
 */
export interface LayoutStrategy {
  readonly dtype: 'float64' | 'float32';
  /**
   * Folded norms (foldunits.ts): largest k of one fold, extra layers allowed, and whether the
   * reflections of foldbase.ts (the float32 layout) may be chosen.
   */
  readonly fold: { readonly maxK: number; readonly extraLayers: number; readonly base?: boolean };
  /** The output as its lower bound + relu(y − lower bound), one layer later (Program.toNetwork). */
  readonly offsetOutput: boolean;
  /**
   * |u| for a deep square whose one-term input u straddles 0 (W = [lo, hi], lo < 0 < hi): the
   * new input and the range it is built on, or null for the generic relu(u) + relu(−u).
   */
  deepAbs(prog: Program, input: Form, W: Range): { input: Form; W: Range; scaledAbs: boolean } | null;
  /** hi²·f_m(u/hi) for u in [0, hi] (deep.ts); `scaledAbs`: the input already is |u|/hi. */
  deepSquare(prog: Program, input: Form, hi: number, levels: number, scaledAbs: boolean): Form;
  /**
   * The input of a shallow PWL of `segments` units on W carried as one unit first, or null to
   * leave the choice to the generic rule (assemble's wide fan-in carry).
   */
  carryPwlInput(prog: Program, input: Form, W: Range, segments: number): Form | null;
}

/** float64: the fewest units; the rounding is small at any layout (net/rounding.ts bounds it). */
export const float64Layout: LayoutStrategy = {
  dtype: 'float64',
  fold: { maxK: 16, extraLayers: 0 },
  offsetOutput: false,
  deepAbs: () => null,
  deepSquare: (prog, input, hi, levels) => deepSquareUnits(prog, input, hi, levels),
  carryPwlInput: () => null,
};

/**
 * float32: |u|/hi as relu(u/hi) + relu(−u/hi), one rounding shared by both halves (they are
 * exact negatives) feeding exact sawtooth teeth (deepSquareUnitsPrecise); a PWL's input
 * carried as the value itself (not value − W[0]), so that each unit's u − k_i subtracts
 * numbers within a factor 2 of each other (exact, by Sterbenz's lemma) when W[1] ≤ 2·W[0];
 * folds of at most k = 3 with one extra layer, or the reflections of foldbase.ts where they need fewer ReLUs.
 */
export const float32Layout: LayoutStrategy = {
  dtype: 'float32',
  fold: { maxK: 3, extraLayers: 1, base: true },
  offsetOutput: true,
  deepAbs: (prog, input, W) => {
    const top = Math.max(-W[0], W[1]);
    const p = prog.addUnit(scale(input, 1 / top), 0, [W[0] / top, W[1] / top]);
    const q = prog.addUnit(scale(input, -1 / top), 0, [-W[1] / top, -W[0] / top]);
    const abs: Form = { layer: p.layer, terms: new Map([[p.index, 1], [q.index, 1]]), constant: 0 };
    return { input: abs, W: [0, top], scaledAbs: true };
  },
  deepSquare: (prog, input, hi, levels, scaledAbs) => deepSquareUnitsPrecise(prog, input, hi, levels, scaledAbs),
  carryPwlInput: (prog, input, W, segments) => {
    const sum = input.terms.size > 1 || input.constant !== 0;
    return W[0] > 0 && segments > 1 && sum ? prog.carry(input, input.layer + 1, 0, W[1]) : null;
  },
};

/** The layout for a dtype. */
export function layoutFor(dtype: 'float64' | 'float32'): LayoutStrategy {
  return dtype === 'float32' ? float32Layout : float64Layout;
}
