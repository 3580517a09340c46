import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { approximate } from '../../src/approx/approximate.ts';
import { networkSummary } from '../../src/net/network.ts';
import { startExplorer } from '../../src/web/serve.ts';

const CHROMIUM = '/usr/bin/chromium';
const haveBrowser = existsSync(CHROMIUM);
// In CI a missing browser is a failure, never a skip.
const skip = !haveBrowser && process.env.CI !== 'true' ? `no browser at ${CHROMIUM} (apt-get install chromium)` : false;

describe('knotnet explore in a real browser (Debian chromium via playwright-core)', { skip }, () => {
  let server: Awaited<ReturnType<typeof startExplorer>>;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];

  before(async () => {
    assert.ok(haveBrowser, `chromium is required at ${CHROMIUM} (.ci/run installs it)`);
    server = await startExplorer({ port: 0 });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
      timeout: 60_000,
    });
    page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(server.url, { timeout: 60_000 });
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  async function buildWith(fields: Record<string, string>) {
    for (const [id, value] of Object.entries(fields)) await page.fill(`#${id}`, value);
    await page.click('#build');
    await page.waitForFunction(() => document.getElementById('status')?.dataset.state !== 'busy', undefined, { timeout: 60_000 });
  }
  const value = async (id: string) => Number(await page.getAttribute(`#${id}`, 'data-value'));

  it('T2 sqrt(x) on 0:1 to 1e-4: the ReLUs and certified error shown are the library\'s, and onnxruntime-web agrees', async () => {
    await buildWith({ expr: 'sqrt(x)', domain: '0:1', vars: '', value: '1e-4' });
    assert.equal(await page.getAttribute('#status', 'data-state'), 'ok');
    const lib = approximate({ expr: 'sqrt(x)', domain: [0, 1], size: { kind: 'maxError', error: 1e-4 }, placement: 'optimal', fit: 'minimax' });
    assert.equal(await value('relus'), networkSummary(lib.network).relus);
    const shown = await value('certified');
    assert.ok(Math.abs(shown - lib.certifiedMax) <= 1e-12 * lib.certifiedMax, `page ${shown}, library ${lib.certifiedMax}`);
    assert.ok(shown <= 1e-4);
    assert.ok(await value('measured') <= shown);
    await page.waitForFunction(() => document.getElementById('ort')?.dataset.state !== 'busy', undefined, { timeout: 60_000 });
    assert.equal(await page.getAttribute('#ort', 'data-state'), 'ok', await page.textContent('#ort') ?? '');
    assert.ok(await value('ort') < 1e-5, `onnxruntime-web differs by ${await value('ort')}`);
    // The knots crowd toward 0: more than half of them lie in the first tenth of the domain.
    const inFirstTenth = lib.pwl.x.filter((k) => k < 0.1).length;
    assert.ok(inFirstTenth > lib.pwl.x.length / 2);
    const svgTicks = await page.locator('#plots svg').first().locator('line[stroke="#c0392b"]').count();
    assert.equal(svgTicks, lib.pwl.x.length);
    const shots = mkdtempSync(join(tmpdir(), 'knotnet-shot-'));
    await page.screenshot({ path: join(shots, 'explorer-sqrt.png'), fullPage: true });
    mkdirSync(join(import.meta.dirname, '../../docs'), { recursive: true });
    await page.screenshot({ path: join(import.meta.dirname, '../../docs/explorer-sqrt.png'), fullPage: true });
  });

  it('a bad formula shows a message beside the field and the last good result stays', async () => {
    const before = await value('relus');
    await buildWith({ expr: 'sqrt(' });
    assert.match(await page.textContent('#expr-error') ?? '', /expression must be a valid formula.*sqrt\(/);
    assert.equal(await page.getAttribute('#status', 'data-state'), 'error');
    assert.equal(await value('relus'), before);
    await buildWith({ expr: 'sqrt(x)', domain: '1:0' });
    assert.match(await page.textContent('#domain-error') ?? '', /--domain.*1:0/);
    assert.equal(await value('relus'), before);
  });

  it('a two-variable formula compiles in the page with its per-node table', async () => {
    await buildWith({ expr: 'x*y + max(x, y)', vars: 'x=-1:1, y=-1:1', value: '1e-2' });
    assert.equal(await page.getAttribute('#status', 'data-state'), 'ok', await page.textContent('#status') ?? '');
    assert.ok(await value('certified') <= 1e-2);
    assert.ok(await value('measured') <= await value('certified'));
    assert.ok((await page.locator('#nodes-table tr').count()) >= 3);
    assert.deepEqual(errors, []);
  });
});
