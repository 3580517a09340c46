// `node --import ./trace-imports.mjs …`: appends every resolved module URL to $KNOTNET_TRACE_IMPORTS
// (a resolve hook, so dynamic imports count too).
import { register } from 'node:module';

register(`data:text/javascript,${encodeURIComponent(`
import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  appendFileSync(process.env.KNOTNET_TRACE_IMPORTS, r.url + '\\n');
  return r;
}`)}`);
