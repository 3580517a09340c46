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
 */
export async function startExplorer(o: { port: number }): Promise<{ url: string; close: () => Promise<void> }> {
  const bundle = await bundlePage();
  const html = await readFile(join(here, 'ui', 'index.html'), 'utf8');
  const server: Server = createServer(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    try {
      if (path === '/' || path === '/index.html') return send(res, 200, TYPES['.html']!, html);
      if (path === '/app.js') return send(res, 200, TYPES['.js']!, bundle.app);
      if (path === '/worker.js') return send(res, 200, TYPES['.js']!, bundle.worker);
      if (path.startsWith('/ort/')) {
        const name = normalize(path.slice(5));
        if (name.includes('..') || name.includes('/')) return send(res, 404, 'text/plain', 'not found');
        const ext = name.slice(name.lastIndexOf('.'));
        return send(res, 200, TYPES[ext] ?? 'application/octet-stream', await readFile(join(ortDist, name)));
      }
      send(res, 404, 'text/plain', 'not found');
    } catch {
      send(res, 404, 'text/plain', 'not found');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : o.port;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

function send(res: import('node:http').ServerResponse, status: number, type: string, body: string | Buffer) {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
}
