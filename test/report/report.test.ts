import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inflateSync } from 'node:zlib';
import { htmlReport } from '../../src/report/html.ts';
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
      const pred = f === 0 ? 0 : f === 1 ? a : f === 2 ? up : f === 3 ? (a + up) >> 1 : pa <= pb && pa <= pc ? a : pb <= pc ? up : c;
      out[y * stride + x] = (v + pred) & 255;
    }
  }
  let dark = 0;
  for (let i = 0; i < width * height; i++) if (out[i * bpp]! < 200) dark++;
  return { width, height, dark };
}

const svg = linePlot({ width: 400, height: 200, title: 'sqrt(x) and its network', series: [{ x: [0, 0.5, 1], y: [0, 0.7, 1], color: '#1f77b4', label: 'f' }] });

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
  it('the HTML report is self-contained: figures inline, no http(s) sources or links', () => {
    const html = htmlReport({ title: 't', intro: 'i', table: { header: ['a', 'b'], rows: [['x', 1.5]] }, figures: [{ caption: 'c', svg }], notes: ['n'] });
    assert.match(html, /<svg/);
    assert.doesNotMatch(html, /(src|href)\s*=\s*["']?https?:/i);
    assert.doesNotMatch(html, /<link|<script/i);
  });
});
