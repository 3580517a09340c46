import fc from 'fast-check';

/**
 * Random one-variable formula text over the whole user grammar, for "for all formulas"
 * properties. Constants are small so values stay in float64's comfortable range; the
 * formulas may well be undefined on parts of a box (sqrt, log, division), which is the point.
 */
export function formulaText(maxDepth = 4): fc.Arbitrary<string> {
  const { tree } = fc.letrec<{ tree: string; leaf: string; node: string }>((tie) => ({
    leaf: fc.oneof(
      fc.constant('x'),
      fc.constant('x'),
      fc.integer({ min: -40, max: 40 }).map((k) => `(${k / 8})`),
    ),
    node: fc.oneof(
      fc.tuple(fc.constantFrom('+', '-', '*', '/'), tie('tree'), tie('tree')).map(([op, a, b]) => `(${a} ${op} ${b})`),
      fc.tuple(fc.constantFrom('sqrt', 'abs', 'exp', 'log', 'log1p', 'sin', 'cos', 'tan', 'tanh', 'sigmoid', 'relu'),
        tie('tree')).map(([f, a]) => `${f}(${a})`),
      fc.tuple(fc.constantFrom('min', 'max'), tie('tree'), tie('tree')).map(([f, a, b]) => `${f}(${a}, ${b})`),
      fc.tuple(tie('tree'), fc.integer({ min: -3, max: 4 })).map(([a, p]) => `(${a})^${p < 0 ? `(${p})` : p}`),
      fc.tuple(tie('tree'), fc.constantFrom('0.5', '1.5', '(1/3)')).map(([a, p]) => `(${a})^${p}`),
      fc.tuple(tie('tree')).map(([a]) => `(${a}) * (${a})`),
      fc.tuple(tie('tree')).map(([a]) => `-(${a})`),
    ),
    tree: fc.oneof({ depthSize: 'small', maxDepth, withCrossShrink: true }, tie('leaf'), tie('node')),
  }));
  return tree;
}

/** A random interval [lo, hi] within [-span, 2·span]: wide, narrow or a single point. */
export function box(span = 4): fc.Arbitrary<[number, number]> {
  return fc.tuple(
    fc.double({ min: -span, max: span, noNaN: true }),
    fc.oneof(fc.constant(0), fc.double({ min: 0, max: 1e-6, noNaN: true }), fc.double({ min: 0, max: span,
      noNaN: true })),
  ).map(([lo, w]) => [lo, lo + w] as [number, number]);
}
