import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readdir, readFile } from 'node:fs/promises';
import { basename, dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import type { Plugin } from 'esbuild';
import { importOptional, missingPackage } from '../optional.ts';

const here = dirname(fileURLToPath(import.meta.url));
/**
 * The page's folder: index.html, and in dist/ also the scripts bundled at build time (app.js,
 * worker.js and the chunks they share).
 */
const UI = join(here, 'ui');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; ' +
    'charset=utf-8',
  '.wasm': 'application/wasm', '.map': 'application/json',
};

/**
 * The page's icon (a ReLU's kink on the header's blue), served for /favicon.ico and
 * /favicon.svg so a browser's automatic request finds it (no 404 in the console).
 */
export const FAVICON_SVG = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" ' +
  'height="16" rx="3" fill="#1f3a5f"/><path d="M2 11h6l6-7" fill="none" stroke="#fff" stroke-width="2"/></svg>';

/**
 * The page's scripts by file name: app.js (the page), worker.js (its build worker, a module
 * worker), the chunks both import (the core modules and libraries, held once) and mathjs.js,
 * each served at `/<name>`.
 */
export type PageBundle = ReadonlyMap<string, string>;

/** The entry points of the page's bundle; every other script in it is a chunk they share. */
const PAGE_ENTRIES = ['app.js', 'worker.js'];

/** What expr/mathjs.ts imports: mathjs's single-file browser build (UMD), 0.65 MB. */
const MATHJS_BUILD = 'mathjs/lib/browser/math.js';
/** The page's name for it: the bundle imports it from there rather than holding a copy. */
const MATHJS_SCRIPT = 'mathjs.js';

/**
 * The page's scripts: in dist/ the bundle made at build time (scripts/build-page.ts), from
 * the sources (a repository checkout) a fresh esbuild bundle; with either, the installed
 * mathjs's browser build as mathjs.js.
 */
export async function bundlePage(): Promise<PageBundle> {
  const scripts = (await readdir(UI)).filter((f) => f.endsWith('.js'));
  const bundle = PAGE_ENTRIES.every((f) => scripts.includes(f))
    ? await Promise.all(scripts.map(async (f) => [f, await readFile(join(UI, f), 'utf8')] as const))
    : await bundlePageFromSources();
  return new Map([...bundle, [MATHJS_SCRIPT, await mathjsModule()]]);
}

/**
 * mathjs's browser build as an ES module whose default export is the mathjs instance, as
 * expr/mathjs.ts imports it: the UMD file sees CommonJS's `module` and fills it in.
 */
async function mathjsModule(): Promise<string> {
  const umd = await readFile(createRequire(import.meta.url).resolve(MATHJS_BUILD), 'utf8');
  return `var module = { exports: {} }, exports = module.exports;\n${umd.replace(/\/\/# sourceMappingURL=\S+\s*$/,
    '')}\nexport default module.exports;\n`;
}

/** The page's import of mathjs's browser build stays an import, of ./mathjs.js (served beside the bundle). */
const mathjsServed: Plugin = {
  name: 'mathjs-served',
  setup(b) {
    b.onResolve({ filter: /^mathjs\/lib\/browser\/math\.js$/ }, () => ({ path: `./${MATHJS_SCRIPT}`, external: true }));
  },
};

/**
 * Bundles the page and its worker (the core modules included, mathjs imported from
 * ./mathjs.js) with esbuild, in memory: ES modules split so that what both import is one
 * shared chunk, not a copy in each.
 */
export async function bundlePageFromSources(): Promise<PageBundle> {
  const { build } = await importOptional('esbuild', 'Bundling the explorer page from its sources',
    () => import('esbuild'));
  const result = await build({
    entryPoints: { app: join(UI, 'app.ts'), worker: join(UI, 'worker.ts') },
    outdir: 'bundle', bundle: true, splitting: true, write: false, format: 'esm', platform: 'browser',
    target: 'es2022', minify: true, logLevel: 'silent', plugins: [mathjsServed],
  });
  return new Map(result.outputFiles.map((f) => [basename(f.path), f.text]));
}

/**
 * Serves the explorer on 127.0.0.1 only: the page, its scripts (only the file names of its
 * bundle, read once), and onnxruntime-web's files.
 * port 0 picks a free port. Returns the URL and a close function.
 *
 * Hardened for a machine with a browser open on other sites: only GET and HEAD are answered
 * (405 otherwise); a request whose Host is not this server's loopback name and port is
 * refused (421), so a page reaching the port through DNS rebinding gets nothing; static
 * files are read from disk once and then served from memory, so concurrent requests share
 * one buffer (memory stays flat however many there are).
 */
export async function startExplorer(o: { port: number }): Promise<{ url: string; close: () => Promise<void> }> {
  const ortDist = onnxruntimeWebDist();
  const bundle = await bundlePage();
  const html = await readFile(join(UI, 'index.html'), 'utf8');
  const cache = new Map<string, Promise<Buffer>>();
  const ortFile = (name: string) => {
    let p = cache.get(name);
    if (!p) { p = readFile(join(ortDist, name)); cache.set(name, p); p.catch(() => cache.delete(name)); }
    return p;
  };
  let hosts = new Set<string>();
  const answer = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(req, res, 405, 'text/plain', 'method not allowed',
      { allow: 'GET, HEAD' });
    if (!hosts.has((req.headers.host ?? '').toLowerCase())) return send(req, res, 421, 'text/plain',
      'this server answers only requests for its own loopback address');
    const path = requestPath(req.url);
    if (path === null) return send(req, res, 400, 'text/plain', 'bad request target');
    if (path === '/' || path === '/index.html') return send(req, res, 200, TYPES['.html']!, html);
    const script = bundle.get(path.slice(1));
    if (script !== undefined) return send(req, res, 200, TYPES['.js']!, script);
    if (path === '/favicon.ico' || path === '/favicon.svg') return send(req, res, 200, 'image/svg+xml', FAVICON_SVG);
    if (path.startsWith('/ort/')) {
      const name = normalize(path.slice(5));
      if (name.includes('..') || name.includes('/') || name.includes('\\')) return send(req, res, 404, 'text/plain',
        'not found');
      const ext = name.slice(name.lastIndexOf('.'));
      const body = await ortFile(name).catch(() => null);
      if (body) return send(req, res, 200, TYPES[ext] ?? 'application/octet-stream', body);
    }
    send(req, res, 404, 'text/plain', 'not found');
  };
  // Whatever a request holds, it is answered or dropped, never a throw that ends the process.
  const server: Server = createServer((req, res) => {
    answer(req, res).catch(() => {
      if (res.headersSent) res.destroy();
      else send(req, res, 400, 'text/plain', 'bad request');
    });
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

/** onnxruntime-web's dist/ folder (its main entry lives there, beside the .wasm files the page loads). */
function onnxruntimeWebDist(): string {
  try {
    return dirname(createRequire(import.meta.url).resolve('onnxruntime-web'));
  } catch {
    throw missingPackage('onnxruntime-web', 'The explorer page');
  }
}

/**
 * The path of a request target, or null when it is not one a browser sends for a page of
 * this server: targets such as `//`, `/\`, `http://` or `//[::1` are authority-like or
 * unparsable (WHATWG URL throws on several), and are answered 400.
 */
export function requestPath(target: string | undefined): string | null {
  if (!target || !target.startsWith('/') || target.startsWith('//') || target.includes('\\')) return null;
  try {
    return new URL(target, 'http://localhost').pathname;
  } catch {
    return null;
  }
}

function send(req: IncomingMessage, res: ServerResponse, status: number,
  type: string, body: string | Buffer, extra: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store',
    'content-length': String(Buffer.byteLength(body)), ...extra });
  res.end(req.method === 'HEAD' ? undefined : body);
}
