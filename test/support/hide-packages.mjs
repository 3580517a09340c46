// `node --import ./hide-packages.mjs …`: the packages named in $KNOTNET_HIDE_PACKAGES (comma-separated)
// resolve as if they were not installed (ERR_MODULE_NOT_FOUND with Node's own wording), for import()
// and import.meta.resolve alike: how a test sees a command without an optional runtime while the
// normal path keeps loading the real one.
import { register } from 'node:module';

register(`data:text/javascript,${encodeURIComponent(`
const hidden = (process.env.KNOTNET_HIDE_PACKAGES ?? '').split(',').filter(Boolean);
export async function resolve(specifier, context, next) {
  const name = hidden.find((n) => specifier === n || specifier.startsWith(n + '/'));
  if (name === undefined) return next(specifier, context);
  const e = new Error("Cannot find package '" + name + "' imported from " + context.parentURL);
  e.code = 'ERR_MODULE_NOT_FOUND';
  throw e;
}`)}`);
