import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import { basename, dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
// onnxruntime-web's main entry lives in its dist/ folder, beside the .wasm files.
const ortDist = dirname(createRequire(import.meta.url).resolve('onnxruntime-web'));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm', '.map': 'application/json',
};

/** The page's scripts: the page itself and its build worker, bundled with the core modules. */
export interface PageBundle { app: string; worker: string }

/** Bundles the page and its worker (the core modules included) with esbuild, in memory. */
export async function bundlePage(): Promise<PageBundle> {
  const result = await build({
    entryPoints: { app: join(here, 'ui', 'app.ts'), worker: join(here, 'ui', 'worker.ts') },
    outdir: 'bundle', bundle: true, write: false, format: 'esm', platform: 'browser', target: 'es2022', minify: true, logLevel: 'silent',
  });
  const text = (name: string) => result.outputFiles.find((f) => basename(f.path) === `${name}.js`)!.text;
  return { app: text('app'), worker: text('worker') };
}

/**
 * Serves the explorer on 127.0.0.1 only: the page, its bundle, and onnxruntime-web's files.
 * port 0 picks a free port. Returns the URL and a close function.
 *
 * Hardened for a machine with a browser open on other sites: only GET and HEAD are answered
 * (405 otherwise); a request whose Host is not this server's loopback name and port is
 * refused (421), so a page reaching the port through DNS rebinding gets nothing; static
 * files are read from disk once and then served from memory, so concurrent requests share
 * one buffer (memory stays flat however many there are).
 */
export async function startExplorer(o: { port: number }): Promise<{ url: string; close: () => Promise<void> }> {
  const bundle = await bundlePage();
  const html = await readFile(join(here, 'ui', 'index.html'), 'utf8');
  const cache = new Map<string, Promise<Buffer>>();
  const ortFile = (name: string) => {
    let p = cache.get(name);
    if (!p) { p = readFile(join(ortDist, name)); cache.set(name, p); p.catch(() => cache.delete(name)); }
    return p;
  };
  let hosts = new Set<string>();
  const server: Server = createServer(async (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(req, res, 405, 'text/plain', 'method not allowed', { allow: 'GET, HEAD' });
    if (!hosts.has((req.headers.host ?? '').toLowerCase())) return send(req, res, 421, 'text/plain', 'this server answers only requests for its own loopback address');
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    try {
      if (path === '/' || path === '/index.html') return send(req, res, 200, TYPES['.html']!, html);
      if (path === '/app.js') return send(req, res, 200, TYPES['.js']!, bundle.app);
      if (path === '/worker.js') return send(req, res, 200, TYPES['.js']!, bundle.worker);
      if (path.startsWith('/ort/')) {
        const name = normalize(path.slice(5));
        if (name.includes('..') || name.includes('/') || name.includes('\\')) return send(req, res, 404, 'text/plain', 'not found');
        const ext = name.slice(name.lastIndexOf('.'));
        return send(req, res, 200, TYPES[ext] ?? 'application/octet-stream', await ortFile(name));
      }
      send(req, res, 404, 'text/plain', 'not found');
    } catch {
      send(req, res, 404, 'text/plain', 'not found');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : o.port;
  hosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

function send(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse, status: number, type: string, body: string | Buffer, extra: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'content-length': String(Buffer.byteLength(body)), ...extra });
  res.end(req.method === 'HEAD' ? undefined : body);
}
