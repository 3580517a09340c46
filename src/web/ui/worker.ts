/** The build worker's entry: one request in, progress and one answer out (see jobs.ts). */
import { answer, type BuildMessage, type BuildRequest } from './jobs.ts';

const scope = self as unknown as { onmessage: ((ev: MessageEvent<{ id: number; req: BuildRequest }>) => void) | null;
  postMessage(m: BuildMessage): void };

scope.onmessage = (ev) => answer(ev.data.id, ev.data.req, (m) => scope.postMessage(m));
