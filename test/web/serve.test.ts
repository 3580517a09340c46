import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { after, before, test } from 'node:test';
import { CLI_ENTRY } from '../support/cli.ts';

const WASM = '/ort/ort-wasm-simd-threaded.jsep.wasm'; // the largest file served (28 MB)
let server: ChildProcess;
let port = 0;

/** Resident memory of a process in bytes, from /proc (Linux). */
function rss(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m![1]) * 1024;
}

/** One request; with `firstChunkOnly` the response is dropped after its first bytes. */
function fetchRaw(o: { method?: string; path?: string; host?: string; firstChunkOnly?: boolean }): Promise<{
  status: number; headers: Record<string, unknown>; body: number }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: o.method ?? 'GET', path: o.path ?? '/',
      headers: { host: o.host ?? `127.0.0.1:${port}` } }, (res) => {
      let body = 0;
      res.on('data', (c: Buffer) => { body += c.length; if (o.firstChunkOnly) res.destroy(); });
      res.on('close', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

before(async () => {
  server = spawn(process.execPath, [CLI_ENTRY, 'explore', '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  port = await new Promise<number>((resolve, reject) => {
    let out = '';
    server.stdout!.on('data', (b: Buffer) => { out += b; const m = /127\.0\.0\.1:(\d+)/.exec(out); if (m) resolve(
      Number(m[1])); });
    server.once('exit', (code) => reject(new Error(`explore exited with ${code}`)));
  });
});
after(() => { server.kill('SIGTERM'); });

test('the page server answers GET and HEAD only: POST, PUT and DELETE get 405 with Allow', async () => {
  for (const method of ['POST', 'PUT', 'DELETE']) {
    const r = await fetchRaw({ method });
    assert.equal(r.status, 405, method);
    assert.equal(r.headers.allow, 'GET, HEAD');
  }
  const head = await fetchRaw({ method: 'HEAD', path: WASM });
  assert.equal(head.status, 200);
  assert.equal(head.body, 0);
  assert.ok(Number(head.headers['content-length']) > 1e7);
});

test('a request whose Host is not the loopback name and port served is refused with 421 (DNS rebinding)', async () => {
  assert.equal((await fetchRaw({ host: `evil.example:${port}` })).status, 421);
  assert.equal((await fetchRaw({ host: `127.0.0.1:${port + 1}` })).status, 421);
  assert.equal((await fetchRaw({ host: `localhost:${port}` })).status, 200);
  assert.equal((await fetchRaw({})).status, 200);
});

test('300 concurrent requests for the 28 MB wasm leave the server\'s memory within 100 MB of where it started',
  async () => {
  const start = rss(server.pid!);
  const rs = await Promise.all(Array.from({ length: 300 }, () => fetchRaw({ path: WASM, firstChunkOnly: true })));
  assert.ok(rs.every((r) => r.status === 200));
  const end = rss(server.pid!);
  assert.ok(end - start < 100 * 2 ** 20, `RSS went from ${(start / 2 ** 20).toFixed(0)} MB ` +
    `to ${(end / 2 ** 20).toFixed(0)} MB`);
});

/** The status line's code of one raw GET of `target` (fetch and http.request would normalize it). */
function rawStatus(target: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n` +
      'Connection: close\r\n\r\n'));
    let text = '';
    socket.on('data', (b: Buffer) => { text += b.toString('latin1'); });
    socket.on('error', reject);
    socket.on('close', () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0)));
  });
}

test('request targets that are not paths (//, ///, /\\, http://, //x:99999/, //[::1, //@) get 400 and the server ' +
  'answers the next GET', async () => {
  for (const target of ['//', '///', '/\\', 'http://', '//x:99999/', '//[::1', '//@']) {
    assert.equal(await rawStatus(target), 400, target);
  }
  assert.equal(server.exitCode, null);
  assert.equal(await rawStatus('/'), 200);
  assert.equal(await rawStatus('/favicon.svg'), 200);
});

/** The relative scripts a minified ES module imports (`from"./x.js"`, `import"./x.js"`). */
const importsOf = (code: string): string[] => [...code.matchAll(/(?:from|import)\s*"\.\/([\w-]+\.js)"/g)]
  .map((m) => m[1]!);

test('the page\'s scripts are served by name: app.js and worker.js import one shared chunk, which imports the ' +
  'installed mathjs\'s browser build as mathjs.js; other names get 404', async () => {
  const get = async (path: string) => {
    const r = await fetch(`http://127.0.0.1:${port}${path}`);
    return { status: r.status, type: r.headers.get('content-type'), text: await r.text() };
  };
  const served = new Map<string, string>();
  const load = async (name: string): Promise<string[]> => {
    if (served.has(name)) return importsOf(served.get(name)!);
    const r = await get(`/${name}`);
    assert.equal(r.status, 200, name);
    assert.match(r.type ?? '', /^text\/javascript/, name);
    served.set(name, r.text);
    return importsOf(r.text);
  };
  const appImports = await load('app.js');
  const shared = await load('worker.js');
  assert.ok(shared.length > 0 && shared.every((f) => appImports.includes(f)), shared.join(', '));
  let todo = [...appImports, ...shared];
  while (todo.length > 0) todo = (await Promise.all(todo.map(load))).flat().filter((f) => !served.has(f));
  assert.ok(served.has('mathjs.js'), [...served.keys()].join(', '));
  assert.match(served.get('mathjs.js')!, /export default module\.exports;\n$/);
  assert.equal([...served.values()].filter((t) => t.includes('DimensionError')).length, 1, 'mathjs is served once');
  for (const path of ['/app.ts', '/worker.ts', '/serve.js', '/ui/app.js', `/ui/${shared[0]}`, '/chunk.js',
    '/%2e%2e/serve.js', '/index.js', '/math.js', '/math.js.map']) {
    assert.equal((await fetchRaw({ path })).status, 404, path);
  }
});
