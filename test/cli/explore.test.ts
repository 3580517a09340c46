import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { CLI_ENTRY, runCli } from '../support/cli.ts';

/** Starts `knotnet explore`, resolves with the URL it prints and the running process. */
function startCli(...args: string[]) {
  const child = spawn(process.execPath, [CLI_ENTRY, 'explore', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr.on('data', (d) => { err += d; });
  const url = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d) => {
      out += d;
      const m = /(http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`explore exited ${code} before printing a URL: ${err}`)));
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, url, exited, stderr: () => err };
}

describe('knotnet explore', () => {
  it('explore --port 0 serves the page, its scripts and onnxruntime-web\'s wasm on 127.0.0.1, and stops on SIGINT ' +
    'with exit 0', async () => {
    const cli = startCli('--port', '0');
    try {
      const url = await cli.url;
      const page = await fetch(url);
      assert.equal(page.status, 200);
      assert.match(page.headers.get('content-type') ?? '', /text\/html/);
      assert.match(await page.text(), /knotnet explorer/);
      for (const script of ['app.js', 'worker.js']) {
        const r = await fetch(new URL(script, url));
        assert.equal(r.status, 200, script);
        assert.match(r.headers.get('content-type') ?? '', /javascript/, script);
        // Both import the chunk of the modules they share (src/web/serve.ts bundles with code splitting).
        assert.match(await r.text(), /from\s*"\.\/chunk-[\w-]+\.js"/, script);
      }
      const wasm = await fetch(new URL('ort/ort-wasm-simd-threaded.wasm', url));
      assert.equal(wasm.status, 200);
      assert.equal(wasm.headers.get('content-type'), 'application/wasm');
      // Nothing outside onnxruntime-web's dist folder is served.
      for (const p of ['ort/..%2Fpackage.json', 'ort/%2e%2e/package.json', 'src/web/serve.ts', 'ort/']) {
        assert.equal((await fetch(new URL(p, url))).status, 404, p);
      }
    } finally {
      cli.child.kill('SIGINT');
    }
    assert.equal(await cli.exited, 0, cli.stderr());
  });

  for (const [args, pattern] of [
    [['--port', '70000'], /--port must be a whole number from 0 to 65535 \(got "70000"\)/],
    [['--port', 'x'], /--port must be a whole number from 0 to 65535 \(got "x"\)/],
    [['--open-browser', 'maybe'], /--open-browser must be yes or no \(got "maybe"\)/],
  ] as const) {
    // Through main in this process: what the real process prints for explore is checked by
    // test/cli/runtimes.test.ts (explore without onnxruntime-web: its exit code and its one line).
    it(`explore ${args.join(' ')} is bad input: exit 2 and one line naming the argument`, async () => {
      const r = await runCli(['explore', ...args]);
      assert.equal(r.code, 2, r.stderr);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.match(r.stderr, pattern);
    });
  }
});
