import { escapeHtml as esc } from './escape.ts';
import { fmt } from './format.ts';

/** A self-contained HTML report: inline SVG figures and a table, no external assets. */
export function htmlReport(o: { title: string; intro: string; table: { header: string[]; rows: (string | number)[][] };
  figures: { caption: string; svg: string }[]; notes: string[] }): string {
  const cell = (v: string | number) => `<td>${esc(typeof v === 'number' ? fmt(v) : v)}</td>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="generator" content="knotnet"><title>${esc(o.title)}</title>
<style>body{font-family:"DejaVu Sans",sans-serif;max-width:960px;margin:24px auto;color:#222}
figure svg{max-width:100%;height:auto}
table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}
th{background:#f3f3f3}td:first-child{text-align:left}figure{margin:18px 0}figcaption{font-size:13px;color:#555}</style>
</head><body>
<h1>${esc(o.title)}</h1>
<p>${esc(o.intro)}</p>
<table><tr>${o.table.header.map((h) => `<th>${esc(h)}</th>`).join('')}</tr>
${o.table.rows.map((r) => `<tr>${r.map(cell).join('')}</tr>`).join('\n')}
</table>
${o.figures.map((f) => `<figure>${f.svg}<figcaption>${esc(f.caption)}</figcaption></figure>`).join('\n')}
<ul>${o.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>
</body></html>
`;
}
