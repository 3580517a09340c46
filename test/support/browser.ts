/**
 * The explorer page in a real browser for the web tests: the Debian chromium driven by
 * playwright-core, the explorer served on a free port, and the page's errors, console errors
 * and failed requests collected into the lists given.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
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
export async function openExplorer(log: PageLog): Promise<{
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
