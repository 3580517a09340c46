import { WorkError } from '../errors.ts';

/**
 * A tolerance the 1-D search could not meet, with why and the best it reached, so a caller
 * whose tolerance was a share of the user's (compile's per-node budgets, approx's float32
 * re-run) can say it in the user's terms instead of quoting the share.
 */
export class ToleranceError extends WorkError {
  constructor(message: string, readonly why: 'rounding' | 'segments' | 'enclosure',
    readonly best: { error: number; segments: number } | null) {
    super(message, 'tolerance-not-met');
    this.name = 'ToleranceError';
  }
}
