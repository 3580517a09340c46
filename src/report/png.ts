import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Resvg } from '@resvg/resvg-js';

/**
 * SVG → PNG with @resvg/resvg-js, drawing text with the DejaVu fonts shipped in the
 * dejavu-fonts-ttf package (resvg draws no text without font files; system fonts are not
 * used, so the pictures are the same on every machine). Node-only (native renderer).
 */
export function svgToPng(svg: string, width?: number): Uint8Array {
  const require = createRequire(import.meta.url);
  const dir = join(dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf');
  const r = new Resvg(svg, {
    font: { fontFiles: [join(dir, 'DejaVuSans.ttf'), join(dir, 'DejaVuSans-Bold.ttf')], loadSystemFonts: false, defaultFontFamily: 'DejaVu Sans' },
    ...(width ? { fitTo: { mode: 'width' as const, value: width } } : {}),
    background: 'white',
  });
  return r.render().asPng();
}
