/**
 * The explorer page in a real browser for the web tests: the Debian chromium driven by
 * playwright-core, the explorer served on a free port, and the page's errors, console errors
 * and failed requests collected into the lists given.
 *
 * The suites share one session per process (`explorerSession`): launching the browser and
 * loading the page (its bundle, its worker, onnxruntime-web's wasm) costs some 10 s of CPU,
 * so in `npm test`, where the web suites run in one process, it is paid once. Each suite
 * starts from the form's defaults (`resetForm`); the session closes when the process's tests end.
 *
 * The page's work runs in Chromium's renderer, whose CPU time the test process's own figures
 * (`/usr/bin/time`, rusage of children) do not include: the tests keep it to what they assert.
 * Fields are set in one step (`setFields`), so the page's debounce (300 ms) sees one burst and
 * starts no build for a half-filled form (each stopped build also restarts its worker); waits
 * poll every POLL_MS instead of on every animation frame.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startExplorer } from '../../src/web/serve.ts';

export const CHROMIUM = '/usr/bin/chromium';
export const haveBrowser = existsSync(CHROMIUM);
// In CI (CI=true, or any value but "" / "0" / "false") a missing browser is a failure, never a skip.
const inCI = !['', '0', 'false'].includes((process.env.CI ?? '').toLowerCase());
/** The describe's skip option: a reason when there is no browser outside CI, else false. */
export const skipWithoutBrowser = !haveBrowser && !inCI ? `no browser at ${CHROMIUM} (apt-get install chromium)`
  : false;

/** Where the page's troubles go: uncaught errors, console errors, failed requests (and HTTP status >= 400). */
export interface PageLog { errors: string[]; consoleErrors: string[]; failedRequests: string[] }

/** Starts the explorer and the browser, and opens the page with `log` listening. */
async function openExplorer(log: PageLog): Promise<{
  server: Awaited<ReturnType<typeof startExplorer>>; browser: Browser; page: Page }> {
  assert.ok(haveBrowser, `chromium is required at ${CHROMIUM} (.ci/run installs it)`);
  const server = await startExplorer({ port: 0 });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--disable-quic'],
    timeout: 60_000,
  });
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  page.setDefaultTimeout(30_000);
  page.on('pageerror', (e) => log.errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') log.consoleErrors.push(m.text()); });
  page.on('requestfailed', (r) => log.failedRequests.push(`${r.url()}: ${r.failure()?.errorText}`));
  page.on('response', (r) => { if (r.status() >= 400) log.failedRequests.push(`${r.url()}: ${r.status()}`); });
  await page.goto(server.url, { timeout: 60_000 });
  return { server, browser, page };
}

/** How often a wait for the page polls its condition, in ms (playwright's default polls on every frame). */
export const POLL_MS = 100;

/**
 * Sets form fields by id (an input's text, a select's option) in one step. With `events`, each
 * field then sends what typing or choosing sends (`input`; a select also `change`), so the page
 * sees one burst of edits; without, the page is not told and the next build reads them.
 */
export async function setFields(page: Page, fields: Record<string, string>, events: boolean): Promise<void> {
  await page.evaluate(([given, send]) => {
    for (const [id, value] of Object.entries(given)) {
      const el = document.getElementById(id);
      if (!(el instanceof HTMLInputElement || el instanceof HTMLSelectElement)) throw new Error(`no form field #${id}`);
      el.value = value;
      if (el.value !== value) throw new Error(`#${id} cannot hold ${JSON.stringify(value)}`);
      if (!send) continue;
      el.dispatchEvent(new Event('input', { bubbles: true }));
      if (el instanceof HTMLSelectElement) el.dispatchEvent(new Event('change', { bubbles: true }));
    }
  }, [fields, events] as const);
}

/** One explorer session: the server, the browser, the page, and what the page logged since it opened. */
export interface ExplorerSession {
  server: Awaited<ReturnType<typeof startExplorer>>; browser: Browser; page: Page; log: PageLog;
}

let session: Promise<ExplorerSession> | undefined;

/** This process's explorer session, opened on first use, with the form reset to its defaults. */
export async function explorerSession(): Promise<ExplorerSession> {
  session ??= (async () => {
    const log: PageLog = { errors: [], consoleErrors: [], failedRequests: [] };
    return { ...await openExplorer(log), log };
  })();
  const s = await session;
  await resetForm(s.page);
  return s;
}

// Root-level hook: runs once every test of this process has finished (a group's, or one file's).
after(async () => {
  if (!session) return;
  const s = await session;
  await s.browser.close();
  await s.server.close();
});

/**
 * Every field and choice of the form back to the value the page was served with, without
 * telling the page (no build of the defaults starts: the suite's first test builds what it needs).
 */
async function resetForm(page: Page): Promise<void> {
  const defaults = await page.$$eval('#form input, #form select', (els) => els.map((el) => {
    if (!(el instanceof HTMLSelectElement)) return [el.id, (el as HTMLInputElement).defaultValue] as const;
    const chosen = Array.from(el.options).find((o) => o.defaultSelected) ?? el.options[0]!;
    return [el.id, chosen.value] as const;
  }));
  await setFields(page, Object.fromEntries(defaults), false);
}
