/**
 * The core entry (`knotnet`) and `knotnet/export` bundle for the browser with esbuild, and the
 * bundles import nothing: no `node:` module, no Node builtin, no external package.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { build } from 'esbuild';

const SRC = join(import.meta.dirname, '../../src');

describe('browser bundles', () => {
  for (const [name, entry, holds] of [['knotnet', 'index.ts', 'mathjs'], ['knotnet/export', 'export/index.ts',
    'pbf']] as const) {
    it(`${name} bundles for the browser with no node: import`, async () => {
      // node:* stays external, so an import of it would show in the bundle's imports instead of failing.
      const r = await build({
        entryPoints: [join(SRC, entry)], bundle: true, write: false, format: 'esm', platform: 'browser',
        target: 'es2022', external: ['node:*'], metafile: true, logLevel: 'silent', outdir: 'out',
      });
      const imports = Object.values(r.metafile.outputs).flatMap((o) => o.imports.map((i) => i.path));
      assert.deepEqual(imports, []);
      const text = r.outputFiles.map((f) => f.text).join('\n');
      assert.doesNotMatch(text, /["']node:[a-z_/]+["']/);
      const inputs = Object.keys(r.metafile.inputs);
      assert.ok(inputs.some((p) => p.includes(`node_modules/${holds}/`)), `the bundle holds ${holds}`);
      assert.ok(!inputs.some((p) => /onnxruntime|@tensorflow|resvg|src\/(cli|runtime|train|web|report)\//.test(p)),
        inputs.filter((p) => /onnxruntime|@tensorflow|resvg|src\/(cli|runtime|train|web|report)\//.test(p)).join(', '));
    });
  }
});
