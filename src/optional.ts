/**
 * The heavy runtimes (onnxruntime-node, onnxruntime-web, TensorFlow.js and its wasm backend,
 * resvg, the DejaVu fonts) are optional dependencies: loaded only by the commands that use
 * them, and a missing one is one sentence naming the package to install, not a stack trace.
 */
import { WorkError } from './errors.ts';

/** The optional packages, for the one place (cli/main.ts) that maps raw load failures. */
export const OPTIONAL_PACKAGES = [
  'onnxruntime-node', 'onnxruntime-web', '@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm', '@resvg/resvg-js',
    'dejavu-fonts-ttf', 'esbuild',
] as const;

/** A WorkError (exit 1) saying what needs `name` and how to install it. */
export function missingPackage(name: string, purpose: string): WorkError {
  return new WorkError(`${purpose} needs the optional package ${name}, which is not installed (npm install ${name}).`);
}

/** The optional package a module-loading error is about, if it is one of ours that is missing. */
export function missingOptional(e: unknown): string | undefined {
  const err = e as { code?: unknown; message?: unknown } | null;
  if (!err || (err.code !== 'ERR_MODULE_NOT_FOUND' && err.code !== 'MODULE_NOT_FOUND')) return undefined;
  const message = String(err.message);
  return OPTIONAL_PACKAGES.find((name) => message.includes(`'${name}'`) || message.includes(`'${name}/`)
    || message.includes(`"${name}"`));
}

/** Runs `load` (a literal `import('pkg')`, so bundlers and types see it); a missing `name` becomes missingPackage. */
export async function importOptional<T>(name: string, purpose: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (e) {
    if (missingOptional(e) === name) throw missingPackage(name, purpose);
    throw e;
  }
}
