#!/usr/bin/env node
// The installed package runs the compiled dist/ (no tsx at run time). A repository checkout
// (src/ beside dist/; the package ships no src/) runs the TypeScript sources through tsx, so
// there is no build step to forget while developing.
import { existsSync } from 'node:fs';

let main;
if (existsSync(new URL('../src/cli/main.ts', import.meta.url))) {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../src/cli/main.ts'));
} else {
  ({ main } = await import('../dist/cli/main.js'));
}
process.exitCode = await main(process.argv);
