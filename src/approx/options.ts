import type { ApproxOptions } from './approximate.ts';
import { choice, listOf, numberPair, ofType, optionsOf, positiveNumber, required, wholeNumber } from '../validate.ts';

/** What each kind of `size` holds: its number's name, as the field errors name it. */
const SIZE_FIELDS: Readonly<Record<string, string>> = { knots: 'segments', spacing: 'h', maxError: 'error',
  rmsError: 'error' };
const OPTIONS = ['expr', 'domain', 'size', 'placement', 'fit', 'relative', 'maxSegments', 'onTrial', 'onProgress',
  'maxSeconds'] as const;
/** What approximateOutsideBands does not read (its pieces are built without them). */
const NOT_BANDED: readonly string[] = ['onProgress', 'maxSeconds'];
/** Every option of ApproxOptions is listed (else tsc fails here): none is refused as unknown. */
export const OPTIONS_LISTED: Exclude<keyof ApproxOptions, (typeof OPTIONS)[number]> extends never ? true : never = true;

/**
 * approximate's options checked before any work (src/validate.ts has the codes): `expr` a
 * string, `domain` a pair, `size` one of the four kinds with its number, `placement` and `fit`
 * from their lists, `relative` a boolean, `maxSegments` a whole number up to MAX_SEGMENTS_LIMIT,
 * `onTrial` and `onProgress` functions, `maxSeconds` a finite number above 0. With `exclude`
 * (approximateOutsideBands), a list of texts (and neither onProgress nor maxSeconds).
 */
export function checkApproxOptions(opts: unknown, segmentsLimit: number, withExclude = false): void {
  const o = optionsOf(opts, 'options', withExclude ? [...OPTIONS.filter((k) => !NOT_BANDED.includes(k)), 'exclude']
    : OPTIONS);
  ofType(required(o, 'expr'), 'expr', 'string');
  numberPair(required(o, 'domain'), 'domain');
  const size = optionsOf(required(o, 'size'), 'size', ['kind', 'segments', 'h', 'error']);
  choice(required(size, 'kind', 'size.kind'), 'size.kind', Object.keys(SIZE_FIELDS));
  const field = SIZE_FIELDS[size.kind as string]!;
  ofType(required(size, field, `size.${field}`), `size.${field}`, 'number');
  choice(o.placement, 'placement', ['optimal', 'uniform', 'equidistribute']);
  choice(o.fit, 'fit', ['minimax', 'interpolate', 'lsq']);
  ofType(o.relative, 'relative', 'boolean');
  wholeNumber(o.maxSegments, 'maxSegments', 1, segmentsLimit);
  ofType(o.onTrial, 'onTrial', 'function');
  ofType(o.onProgress, 'onProgress', 'function');
  positiveNumber(o.maxSeconds, 'maxSeconds');
  if (withExclude) listOf(required(o, 'exclude'), 'exclude', (t, path) => ofType(t, path, 'string'));
}
