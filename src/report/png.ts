import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type * as ResvgJs from '@resvg/resvg-js';
import { missingPackage } from '../optional.ts';

/**
 * SVG → PNG with @resvg/resvg-js, drawing text with the DejaVu fonts shipped in the
 * dejavu-fonts-ttf package (resvg draws no text without font files; system fonts are not
 * used, so the pictures are the same on every machine). Node-only (native renderer).
 */
export function svgToPng(svg: string, width?: number): Uint8Array {
  const require = createRequire(import.meta.url);
  const { Resvg } = requireOptional<typeof ResvgJs>(require, '@resvg/resvg-js');
  const dir = join(dirname(requireOptional<string>(require, 'dejavu-fonts-ttf/package.json', true)), 'ttf');
  const r = new Resvg(svg, {
    font: { fontFiles: [join(dir, 'DejaVuSans.ttf'), join(dir, 'DejaVuSans-Bold.ttf')], loadSystemFonts: false,
      defaultFontFamily: 'DejaVu Sans' },
    ...(width ? { fitTo: { mode: 'width' as const, value: width } } : {}),
    background: 'white',
  });
  return r.render().asPng();
}

/** The optional package `id` (loaded on first use, synchronously), or its path with `resolveOnly`. */
function requireOptional<T>(require: NodeJS.Require, id: string, resolveOnly = false): T {
  try {
    return (resolveOnly ? require.resolve(id) : require(id)) as T;
  } catch (e) {
    if ((e as { code?: string }).code === 'MODULE_NOT_FOUND') throw missingPackage(id.split('/package.json')[0]!,
      'Drawing PNG figures');
    throw e;
  }
}
