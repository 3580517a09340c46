/**
 * The reference task T3 of the original question, in one place for `knotnet demo`,
 * `knotnet compare`, `knotnet sample` and bench/: the distance sqrt(dx²+dy²+dz²) between
 * far-apart points (GPS-like: each coordinate difference within ±2.4e7 m), on the shell
 * 2.1e7 ≤ |d| ≤ 2.4e7, i.e. dx²+dy²+dz² in [2.1e7², 2.4e7²] = [4.41e14, 5.76e14].
 */
export const T3 = {
  /** The formula. */
  expr: 'sqrt(dx^2+dy^2+dz^2)',
  /** Its inputs. */
  inputs: ['dx', 'dy', 'dz'] as const,
  /** The bound on each coordinate difference: the box is [−R, R]³. */
  R: 2.4e7,
  /** The shell's radii. */
  inner: 2.1e7,
  outer: 2.4e7,
  /** The subexpression whose range states the shell, and that range (inner², outer²). */
  normSquared: 'dx^2+dy^2+dz^2',
  normSquaredRange: [4.41e14, 5.76e14] as [number, number],
} as const;

/** T3's box: each input in [−R, R] (a fresh record each call: callers add to it). */
export function t3Box(): Record<string, [number, number]> {
  return { dx: [-T3.R, T3.R], dy: [-T3.R, T3.R], dz: [-T3.R, T3.R] };
}

/** T3's known range: the shell, as the subexpression range compile takes (a fresh record each call). */
export function t3Ranges(): Record<string, [number, number]> {
  return { [T3.normSquared]: [T3.normSquaredRange[0], T3.normSquaredRange[1]] };
}
