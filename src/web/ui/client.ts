/**
 * The page's side of the build worker (worker.ts runs jobs.ts): one build at a time, a newer
 * one stops an older one, failures come back as the errors they were.
 */
import { InputError } from '../../errors.ts';
import type { BuildMessage, BuildRequest, BuildResult } from './jobs.ts';

/** A failed build turned back into an error: an InputError when it was one. */
export function failure(m: Extract<BuildMessage, { type: 'failed' }>): Error {
  return m.issue ? new InputError(m.issue.argument, m.issue.rule, m.issue.value, m.issue) : new Error(m.message);
}

/** A newer request replaced this one before it finished. */
export class Superseded extends Error {
  constructor() { super('superseded by a newer build'); this.name = 'Superseded'; }
}

/**
 * Runs builds in a dedicated worker, one at a time. Starting a build while one is running
 * terminates the worker (a long sizing search cannot be interrupted any other way) and
 * rejects the older promise with Superseded.
 */
export class BuildWorker {
  private worker: Worker | null = null;
  private next = 0;
  private pending: { id: number; reject: (e: Error) => void } | null = null;

  constructor(private readonly url: string) {}

  /** Stops the running build, if any (its promise rejects with Superseded). */
  cancel(): void {
    if (!this.pending) return;
    this.worker?.terminate();
    this.worker = null;
    this.pending.reject(new Superseded());
    this.pending = null;
  }

  run(req: BuildRequest, onProgress: (segments: number, error: number) => void = () => {}): Promise<BuildResult> {
    this.cancel();
    const worker = (this.worker ??= new Worker(this.url, { type: 'module' }));
    const id = ++this.next;
    return new Promise<BuildResult>((resolve, reject) => {
      this.pending = { id, reject };
      worker.onmessage = (ev: MessageEvent<BuildMessage>) => {
        const m = ev.data;
        if (m.id !== id) return;
        if (m.type === 'progress') return onProgress(m.segments, m.error);
        this.pending = null;
        if (m.type === 'done') resolve(m.built);
        else reject(failure(m));
      };
      worker.onerror = (ev) => {
        ev.preventDefault();
        this.pending = null;
        this.worker?.terminate();
        this.worker = null;
        reject(new Error(`the build worker failed: ${ev.message || 'no message'}`));
      };
      worker.postMessage({ id, req });
    });
  }
}
