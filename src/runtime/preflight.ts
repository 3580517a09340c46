/**
 * Commands check the optional runtimes they will need before they start work: a missing one is
 * named at once (a WorkError, exit 1, with the `npm install` that fixes it), not after minutes
 * of construction (`knotnet demo` used to build T1–T3 for 160 s and then fail at its training
 * step). Present means resolvable from knotnet's own folder, as the import() that later loads
 * it resolves it; nothing is loaded here.
 */
import { createRequire } from 'node:module';
import { missingOptional, missingPackage } from '../optional.ts';

/** An optional package and what needs it, for the message when it is missing. */
export interface RuntimeNeed {
  name: string;
  purpose: string;
}

/** Training networks (compare, demo). The wasm backend is left out: without it tfjs runs on its cpu backend. */
export const TRAINING: RuntimeNeed = { name: '@tensorflow/tfjs', purpose: 'Training networks with TensorFlow.js' };

/** The PNG figures of a report (report/png.ts): the renderer and the fonts it draws text with. */
export const PNG_FIGURES: RuntimeNeed[] = [
  { name: '@resvg/resvg-js', purpose: 'Drawing PNG figures' },
  { name: 'dejavu-fonts-ttf', purpose: 'Drawing PNG figures' },
];

/** The explorer page runs networks in the browser with onnxruntime-web, served from the installed package. */
export const EXPLORER_PAGE: RuntimeNeed = { name: 'onnxruntime-web', purpose: 'The explorer page' };

/** Throws missingPackage for the first of `needs` that is not installed. */
export function requireRuntimes(needs: RuntimeNeed[]): void {
  for (const need of needs) {
    if (!isInstalled(need.name)) throw missingPackage(need.name, need.purpose);
  }
}

/**
 * Resolves like the import() that loads the package (import.meta.resolve, Node 20.6 on), else
 * like require (the fonts and resvg are required).
 */
const resolveHere: (specifier: string) => string = typeof import.meta.resolve === 'function'
  ? (specifier) => import.meta.resolve(specifier) : createRequire(import.meta.url).resolve;

/**
 * Whether package `name` resolves from here. Its package.json is resolved (every package has
 * one, even one without a JavaScript entry such as the fonts); a package whose exports hide
 * it is there all the same.
 */
function isInstalled(name: string): boolean {
  try {
    resolveHere(`${name}/package.json`);
    return true;
  } catch (e) {
    if ((e as { code?: unknown }).code === 'ERR_PACKAGE_PATH_NOT_EXPORTED') return true;
    if (missingOptional(e) === name) return false;
    throw e;
  }
}
