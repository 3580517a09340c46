/**
 * T3 networks that several test files of one group build with the same request, built once per
 * process: a group runs its files in one process (test/groups.test.ts), and a file run on its
 * own builds what it asks for. compileFormula's network and certificates do not depend on the
 * samples a build is measured on (it measures after building, compile/result.ts), so each build
 * here names its measurement, and a test that needs another one measures the network itself.
 */
import { compileFormula, type CompileResult } from '../../src/compile/compile.ts';
import { sampleShell } from '../../src/compile/sample.ts';
import { T3, t3Box, t3Ranges } from '../../src/reference.ts';

const built = new Map<string, CompileResult>();

function once(key: string, build: () => CompileResult): CompileResult {
  let r = built.get(key);
  if (!r) built.set(key, r = build());
  return r;
}

/** T3 on its shell (the known range of dx²+dy²+dz²): the request without a tolerance. */
const onShell = () => ({ expr: T3.expr, vars: t3Box(), ranges: t3Ranges() });

/** `n` points of T3's shell drawn with `seed` (sampleShell: the same points for the same seed). */
const shellPoints = (n: number, seed: number) => sampleShell({ dims: 3, inner: T3.inner, outer: T3.outer, n, seed });

/** T3 at max error 1, --norm auto (the fold is kept), measured on 1000 samples of the region. */
export function t3Auto(): CompileResult {
  return once('auto at 1', () => compileFormula({ ...onShell(), maxError: 1, measureCount: 1000 }));
}

/** T3 at max error 1, --norm squares with deep squares where they help, measured on 1e5 shell points (seed 2026). */
export function t3Squares(): CompileResult {
  return once('squares at 1', () => compileFormula({ ...onShell(), maxError: 1, norm: 'squares',
    samples: shellPoints(100_000, 2026) }));
}

/** T3 at max error 1, --norm squares --deep never (shallow squares only), measured on 2e4 shell points (seed 2026). */
export function t3ShallowSquares(): CompileResult {
  return once('shallow squares at 1', () => compileFormula({ ...onShell(), maxError: 1, norm: 'squares',
    deep: 'never', samples: shellPoints(20_000, 2026) }));
}

/** T3 folded for float32 at max error 300 (--norm fold --dtype float32), measured on 3000 shell points (seed 11). */
export function t3Fold32At300(): CompileResult {
  return once('fold float32 at 300', () => compileFormula({ ...onShell(), maxError: 300, norm: 'fold',
    dtype: 'float32', samples: shellPoints(3000, 11) }));
}
