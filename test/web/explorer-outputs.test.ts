/**
 * The explorer page on a list of formulas "[a, b]": one network with several outputs, built in
 * the page's worker by compileFormula with `outputs` (as `knotnet compile "[a, b]"` builds it).
 * The per-output table shows the library's figures for the same request, the plot says which
 * output it draws, and the downloads carry every output (the ONNX run in onnxruntime-node).
 * Same browser session as explorer.test.ts (test/support/browser.ts: one per process).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { compileFormula } from '../../src/compile/compile.ts';
import { readSafetensors } from '../../src/export/safetensors.ts';
import { evaluate } from '../../src/net/evaluate.ts';
import { networkSummary } from '../../src/net/network.ts';
import { runOnnx } from '../../src/runtime/onnx.ts';
import { PAGE_MEASURE_COUNT } from '../../src/web/ui/jobs.ts';
import { explorerSession, POLL_MS, setFields, skipWithoutBrowser, type PageLog } from '../support/browser.ts';

let page: Page;
let log: PageLog;

const value = async (selector: string, key = 'value') =>
  Number(await page.getAttribute(selector, `data-${key}`));
async function downloadBytes(id: string): Promise<Uint8Array> {
  const [download] = await Promise.all([page.waitForEvent('download', { timeout: 30_000 }), page.click(`#${id}`)]);
  return new Uint8Array(readFileSync(await download.path()));
}

const OUTPUTS = [{ name: 'y1', expr: 'x*y' }, { name: 'y2', expr: 'x+y' }];
const VARS: Record<string, [number, number]> = { x: [-1, 1], y: [0, 2] };

/** The library's build of the same request as the page's, made once for both tests. */
let listBuilt: ReturnType<typeof compileFormula> | undefined;
const listLibrary = () => listBuilt ??= compileFormula({ expr: '[x*y, x+y]', vars: VARS, ranges: {}, maxError: 1e-3,
  outputs: OUTPUTS.map((o) => ({ ...o })), measureCount: PAGE_MEASURE_COUNT });

async function buildList() {
  await setFields(page, { expr: '[x*y, x+y]', vars: 'x=-1:1, y=0:2', ranges: '', line: '', mode: 'maxError',
    value: '1e-3' }, true);
  await page.click('#build');
  await page.waitForFunction(() => document.getElementById('status')?.dataset.state !== 'busy', undefined,
    { timeout: 60_000, polling: POLL_MS });
  assert.equal(await page.getAttribute('#status', 'data-state'), 'ok', await page.textContent('#status') ?? '');
  assert.equal(await page.textContent('#expr-error'), '');
}

async function perOutputTableIsTheLibrarys() {
  await buildList();
  const lib = listLibrary();
  assert.deepEqual(lib.network.outputs, ['y1', 'y2']);
  const s = networkSummary(lib.network);
  assert.equal(await value('#relus'), s.relus);
  assert.equal(await value('#layers'), s.layers);
  assert.equal(await value('#certified'), lib.certifiedMax);
  assert.equal(await page.locator('#outputs-table tr[data-output]').count(), 2);
  for (const o of lib.outputs!) {
    const row = `#outputs-table tr[data-output="${o.name}"]`;
    assert.equal(await page.textContent(`${row} td:nth-child(2)`), o.expr);
    assert.equal(await value(`${row} td[data-certified]`, 'certified'), o.certifiedMax);
    assert.equal(await value(`${row} td[data-certified32]`, 'certified32'), o.certifiedMaxFloat32);
    assert.equal(await value(`${row} td[data-measured]`, 'measured'), o.measuredMax);
    assert.ok(o.measuredMax <= o.certifiedMax);
  }
  // The plot is of the first output, and says so; its error along the line is within that output's certificate.
  assert.match(await page.textContent('#plots') ?? '', /plot: output y1 = x\*y \(of 2\)/);
  const along = await value('#line-measured');
  assert.ok(along > 0 && along <= lib.outputs![0]!.certifiedMax, `along the diagonal ${along}`);
  // The float32 card: the largest of the outputs' certified float32 errors, said to be so.
  assert.equal(await value('#certified32'), lib.certifiedMaxFloat32);
  assert.match(await page.textContent('#float32-note') ?? '', /the largest of its 2 outputs' certified max errors/);
  await page.waitForFunction(() => document.getElementById('ort')?.dataset.state !== 'busy', undefined,
    { timeout: 60_000, polling: POLL_MS });
  assert.equal(await page.getAttribute('#ort', 'data-state'), 'ok', await page.textContent('#ort-detail') ?? '');
  const ortVsF = await value('#ort32f');
  assert.ok(ortVsF <= lib.certifiedMaxFloat32, `float32 ONNX vs f: ${ortVsF}`);
  assert.match(await page.textContent('#ort-detail') ?? '',
    /within \(every output\) the largest of its 2 outputs' certified max error in float32/);
}

async function downloadsCarryEveryOutput() {
  const json = JSON.parse(new TextDecoder().decode(await downloadBytes('dl-json'))) as {
    outputs: string[]; error: { outputs: { name: string; certifiedMax: number }[] } };
  assert.deepEqual(json.outputs, ['y1', 'y2']);
  const certified = await page.$$eval('#outputs-table td[data-certified]',
    (cells) => cells.map((c) => Number((c as HTMLElement).dataset.certified)));
  assert.deepEqual(json.error.outputs.map((o) => [o.name, o.certifiedMax]), [['y1', certified[0]], ['y2',
    certified[1]]]);
  const lib = listLibrary();
  const x = [-1, 0, 0.3, 1.7, 1, 2, -0.5, 0.25];
  const y = await runOnnx(await downloadBytes('dl-onnx64'), x, 4, 2, 'float64');
  assert.equal(y.length, 8); // [batch, 2]
  const mine = evaluate(lib.network, x);
  for (let i = 0; i < 8; i++) assert.ok(Math.abs(y[i]! - mine[i]!) <= 2 * lib.roundingBound, `value ${i}`);
  for (let i = 0; i < 4; i++) {
    const [a, b] = [x[2 * i]!, x[2 * i + 1]!];
    assert.ok(Math.abs(y[2 * i]! - a * b) <= lib.outputs![0]!.certifiedMax);
    assert.ok(Math.abs(y[2 * i + 1]! - (a + b)) <= lib.outputs![1]!.certifiedMax);
  }
  // The safetensors file is float32: its certificates are the float32 ones, top level and per output.
  const st = readSafetensors(await downloadBytes('dl-safetensors'));
  const stored = JSON.parse(st.metadata.error!) as { certifiedMax: number; outputs: { certifiedMax: number }[] };
  assert.equal(stored.certifiedMax, lib.certifiedMaxFloat32);
  assert.deepEqual(stored.outputs.map((o) => o.certifiedMax), lib.outputs!.map((o) => o.certifiedMaxFloat32));
  assert.deepEqual(log, { errors: [], consoleErrors: [], failedRequests: [] });
}

describe('knotnet explore on a list of formulas (several outputs, one network)', { skip: skipWithoutBrowser }, () => {
  before(async () => {
    ({ page, log } = await explorerSession());
  });

  it('[x*y, x+y] builds one two-output network: its per-output table is the library\'s, the plot names output y1',
    perOutputTableIsTheLibrarys);

  it('the downloads carry both outputs: JSON names and certificates, ONNX [batch, 2] in onnxruntime-node',
    downloadsCarryEveryOutput);
});
