import { compileFormula } from './src/compile/compile.ts';
import { parseFormula } from './src/expr/parse.ts';
const cases = [[3,[{"a":3,"b":3,"c":1.3e-191,"single":false},{"a":3,"b":3,"c":-3.5e-304,"single":true}],0.000001,5],[3,[{"a":0.05,"b":0.05,"c":0,"single":false},{"a":0.05,"b":0.05,"c":0,"single":true}],0.1,1]] as any[];
for (const [dims, terms, E, seed] of cases) {
  const all = Array.from({ length: dims }, (_, i) => `x${i}`);
  const forms = terms.map((t: any, i: number) => t.single ? `${t.a}*${all[i % dims]}` : `${t.a}*${all[i % dims]} + ${t.b}*${all[(i + 1) % dims]} + ${t.c}`);
  const expr = `sqrt(${forms.map((f: string) => `(${f})^2`).join(' + ')})`;
  const names = parseFormula(expr).variables;
  const vars: Record<string, [number, number]> = {};
  for (const v of names) vars[v] = [-2, 2];
  try { const r = compileFormula({ expr, vars, maxError: E, norm: 'fold', measureCount: 3000, seed });
  console.log(expr, r.certifiedMax, r.measuredMax, r.certifiedMaxFloat32, r.nodes.map(n=>n.construction).join());
  } catch (e) { console.log(expr, String(e)); }
}
