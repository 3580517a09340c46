/**
 * Build step (after tsc): bundles the explorer page and its worker into dist/web/ui (app.js,
 * worker.js and the chunks they share), beside a copy of index.html, so the installed package
 * serves the page without esbuild.
 */
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { bundlePageFromSources } from '../src/web/serve.ts';

const out = new URL('../dist/web/ui/', import.meta.url);
mkdirSync(out, { recursive: true });
for (const [name, text] of await bundlePageFromSources()) writeFileSync(new URL(name, out), text);
copyFileSync(new URL('../src/web/ui/index.html', import.meta.url), new URL('index.html', out));
