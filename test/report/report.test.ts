import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inflateSync } from 'node:zlib';
import { approximate } from '../../src/approx/approximate.ts';
import { compareNotes, compareReportFiles } from '../../src/report/compare.ts';
import { kinksOf1D } from '../../src/report/figures.ts';
import { htmlReport } from '../../src/report/html.ts';
import type { CompareRow } from '../../src/train/compare.ts';
import { linePlot } from '../../src/report/plot.ts';
import { svgToPng } from '../../src/report/png.ts';

/** Width, height and the count of non-white pixels of an 8-bit RGBA PNG. */
function decode(png: Uint8Array): { width: number; height: number; dark: number } {
  const b = Buffer.from(png);
  assert.equal(b.toString('ascii', 1, 4), 'PNG');
  const width = b.readUInt32BE(16);
  const height = b.readUInt32BE(20);
  const idat: Buffer[] = [];
  for (let p = 8; p < b.length;) {
    const len = b.readUInt32BE(p);
    if (b.toString('ascii', p + 4, p + 8) === 'IDAT') idat.push(b.subarray(p + 8, p + 8 + len));
    p += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const bpp = (raw.length / height - 1) / width;
  // Undo the PNG filters (sub, up, average, paeth) row by row.
  const out = Buffer.alloc(width * height * bpp);
  const stride = width * bpp;
  for (let y = 0; y < height; y++) {
    const f = raw[y * (stride + 1)]!;
    for (let x = 0; x < stride; x++) {
      const v = raw[y * (stride + 1) + 1 + x]!;
      const a = x >= bpp ? out[y * stride + x - bpp]! : 0;
      const up = y > 0 ? out[(y - 1) * stride + x]! : 0;
      const c = x >= bpp && y > 0 ? out[(y - 1) * stride + x - bpp]! : 0;
      const pa = Math.abs(up - c), pb = Math.abs(a - c), pc = Math.abs(a + up - 2 * c);
      const pred = f === 0 ? 0 : f === 1 ? a : f === 2 ? up : f === 3 ? (a + up) >> 1 : pa <= pb && pa <= pc ? a
        : pb <= pc ? up : c;
      out[y * stride + x] = (v + pred) & 255;
    }
  }
  let dark = 0;
  for (let i = 0; i < width * height; i++) if (out[i * bpp]! < 200) dark++;
  return { width, height, dark };
}

const svg = linePlot({ width: 400, height: 200, title: 'sqrt(x) and its network', series: [{ x: [0, 0.5, 1], y: [0, 0.7,
  1], color: '#1f77b4', label: 'f' }] });

describe('report figures', () => {
  it('svgToPng renders at the SVG size, not blank', () => {
    const p = decode(svgToPng(svg));
    assert.equal(p.width, 400);
    assert.equal(p.height, 200);
    assert.ok(p.dark > 200);
  });
  it('text is drawn with the shipped fonts: removing the text removes dark pixels', () => {
    const withText = decode(svgToPng(svg)).dark;
    const noText = decode(svgToPng(svg.replace(/<text[^>]*>[^<]*<\/text>/g, ''))).dark;
    assert.ok(withText - noText > 300, `${withText} vs ${noText}`);
  });
  it('a non-finite value breaks the line into two pieces instead of bridging the gap', () => {
    const broken = linePlot({ width: 400, height: 200, title: 't', series: [{ x: [0, 1, 2, 3, 4], y: [1, 2, NaN, 2, 1],
      color: '#000', label: 'f' }] });
    const d = /<path d="([^"]*)"/.exec(broken)![1]!;
    assert.equal((d.match(/M/g) ?? []).length, 2, d);
    assert.doesNotMatch(d, /NaN/);
  });
  it('the HTML report is self-contained: figures inline, no http(s) sources or links', () => {
    const html = htmlReport({ title: 't', intro: 'i', table: { header: ['a', 'b'], rows: [['x', 1.5]] },
      figures: [{ caption: 'c', svg }], notes: ['n'] });
    assert.match(html, /<svg/);
    assert.doesNotMatch(html, /(src|href)\s*=\s*["']?https?:/i);
    assert.doesNotMatch(html, /<link|<script/i);
  });
});

describe('kinksOf1D(net, domain)', () => {
  it('finds every knot of a PWL network within one grid step, and nothing else', () => {
    const a = approximate({ expr: 'sqrt(x)', domain: [0, 1], size: { kind: 'knots', segments: 12 } });
    const inner = Array.from(a.pwl.x).slice(1, -1);
    const step = 1 / 4000;
    const kinks = kinksOf1D(a.network, [0, 1], 4000);
    for (const k of inner) assert.ok(kinks.some((q) => Math.abs(q - k) <= step * 1.001),
      `knot ${k} not found in ${kinks}`);
    for (const q of kinks) assert.ok(inner.some((k) => Math.abs(q - k) <= step * 1.001), `kink ${q} is not a knot`);
  });
});

describe('compareReportFiles', () => {
  const rowOf = (name: string, segments: number, kind: CompareRow['kind']): CompareRow => {
    const a = approximate({ expr: 'sqrt(x)', domain: [0, 1], size: { kind: 'knots', segments } });
    const x = Float64Array.from({ length: 101 }, (_, i) => i / 100);
    const abs = Float64Array.from(x, (v, i) => Math.abs(Math.sqrt(v) - (i % 2 ? 1e-3 : 1e-2)));
    return { name, relus: segments, layers: 1, params: 3 * segments + 1, maxError: a.measuredMax,
      rmsError: a.measuredRms, seconds: 1, kind, network: a.network, curve: kind === 'trained' ? [{ seconds: 0, max: 1,
        rms: 0.5 }, { seconds: 2, max: 0.1, rms: 0.05 }] : [], abs };
  };
  const files = compareReportFiles({
    expr: 'sqrt(x)', rows: [rowOf('built', 16, 'constructed'), rowOf('trained', 4, 'trained')],
      table: { header: ['network'], rows: [['built'], ['trained']] },
    samples: { train: 10, heldOut: 101, source: 'test' }, backend: 'cpu', notes: ['a finding'], oneD: { f: Math.sqrt,
      domain: [0, 1], variable: 'x' },
  });
  it('has index.html with every figure inlined, and each figure as SVG and PNG of the same size', () => {
    const names = files.map((f) => f.relativePath);
    for (const fig of ['error-vs-time', 'error-histogram', 'error-distribution', 'fits', 'fit-errors']) {
      assert.ok(names.includes(`${fig}.svg`) && names.includes(`${fig}.png`), fig);
      const svgText = String(files.find((f) => f.relativePath === `${fig}.svg`)!.bytes);
      const [, w, h] = /width="(\d+)" height="(\d+)"/.exec(svgText)!;
      const p = decode(files.find((f) => f.relativePath === `${fig}.png`)!.bytes as Uint8Array);
      assert.deepEqual([p.width, p.height], [Number(w), Number(h)]);
      assert.ok(p.dark > 1000, `${fig} is nearly blank`);
    }
    const html = String(files.find((f) => f.relativePath === 'index.html')!.bytes);
    assert.equal(html.match(/<svg/g)!.length, 5);
    assert.doesNotMatch(html, /(src|href)\s*=\s*["']?https?:/i);
    assert.doesNotMatch(html, /<link|<script|<img/i);
  });
});

describe('compareNotes(rows, maxAbsY)', () => {
  const net = { inputs: ['x'], outputs: ['y'], layers: [] };
  const row = (name: string, maxError: number, rmsError: number, extra: Partial<CompareRow>): CompareRow => ({ name,
    relus: 1, layers: 1, params: 1, maxError, rmsError, seconds: 1, kind: 'trained', network: net, curve: [],
      abs: new Float64Array(), ...extra });
  const built = row('built', 0.9, 0.58, { kind: 'constructed', certified: 0.91 });
  it('calls fine-tuning worse when it raises both held-out errors, and quotes both', () => {
    const notes = compareNotes([built, row('tuned', 10.7, 2.85, { init: 'constructed' })], 1);
    assert.ok(notes.some((n) => /0\.900 → 10\.7.*0\.580 → 2\.85 \(worse\)/.test(n)), notes.join('\n'));
  });
  it('calls fine-tuning better when it lowers both, mixed otherwise', () => {
    assert.ok(compareNotes([built, row('t', 0.5, 0.3, { init: 'constructed' })], 1).some((n) => /\(better\)/.test(n)));
    assert.ok(compareNotes([built, row('t', 1.5, 0.3, { init: 'constructed' })], 1).some((n) => /\(mixed\)/.test(n)));
  });
  it('states the float32 spacing near max|y| when it matters: 2 near 2.4e7 (2^24 ≤ 2.4e7 < 2^25)', () => {
    assert.ok(compareNotes([built], 2.4e7).some((n) => /are 2\.00 apart/.test(n)));
    assert.ok(!compareNotes([built], 1).some((n) => /apart/.test(n)));
  });
});
