/**
 * The region an exported MILP covers and what its file says about it: each input's bounds
 * (given, else the stored domain), the certified max error where it applies (the region inside
 * the domain the certificate was proven on), the conditions the certificate needs that linear
 * constraints do not state (subexpression ranges, excluded bands), and the comment lines at the
 * top of the LP file that carry all of it with the rules for using the surrogate.
 */
import { InputError } from '../errors.ts';
import type { NetworkMeta } from '../net/json.ts';
import type { Network } from '../net/network.ts';
import { pairRecord } from '../validate.ts';
import type { LpNames } from './milp-names.ts';

export interface MilpRegion {
  /** [lo, hi] per input, in input order. */
  box: [number, number][];
  /** The formula per output (the stored one), or undefined. */
  exprs: (string | undefined)[];
  /** Certified max error per output on this region, or null where none applies. */
  certified: (number | null)[];
  /** Why there is no certificate, when there is none. */
  uncertified?: string;
  /** Conditions of the certificate the constraints do not state ("dx^2+dy^2 in [a, b]"). */
  conditions: string[];
}

const finite = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v
  : undefined);

/** Each input's range: `box` first, then the stored domain; checked finite and ordered. */
function inputBox(net: Network, box: Record<string, [number, number]> | undefined,
  stored: Record<string, [number, number]>): [number, number][] {
  for (const name of Object.keys(box ?? {})) if (!net.inputs.includes(name)) throw new InputError(`box ${name}`,
    `name one of the network's inputs (${net.inputs.join(', ')})`, name, { field: 'box', code: 'unknown-name',
    key: name });
  return net.inputs.map((name) => {
    const r = box?.[name] ?? stored[name];
    if (r === undefined) throw new InputError('box', `give a range for each of the network's inputs (the stored ` +
      `domain has none for ${name})`, name, { field: 'box', code: 'missing', key: name });
    if (!r.every(Number.isFinite)) throw new InputError(`box ${name}`,
      'be finite (big-M constraints need a bound on every input)', `[${r.join(', ')}]`, { field: 'box',
      code: 'unbounded', key: name });
    if (!(r[0] <= r[1])) throw new InputError(`box ${name}`, 'be a range [a, b] with a ≤ b', `[${r.join(', ')}]`,
      { field: 'box', code: 'empty-interval', key: name });
    return [r[0], r[1]];
  });
}

/** The stored certificate per output (error.outputs, else error.certifiedMax for every output). */
function storedCertificates(net: Network, meta: NetworkMeta | undefined): (number | undefined)[] {
  const error = meta?.error;
  const outputs = Array.isArray(error?.outputs) ? error.outputs as Record<string, unknown>[] : undefined;
  return net.outputs.map((name, j) => {
    const own = outputs?.find((o) => o?.name === name) ?? outputs?.[j];
    return finite(own?.certifiedMax) ?? (outputs ? undefined : finite(error?.certifiedMax));
  });
}

/** The region of the MILP of `net`: `box` over the stored domain of `meta`, with its certificate. */
export function regionOf(net: Network, box: Record<string, [number, number]> | undefined,
  meta: NetworkMeta | undefined): MilpRegion {
  const domain = pairRecord(meta?.domain, 'meta.domain') ?? {};
  const stored = Object.fromEntries(Object.entries(domain).filter(([k]) => net.inputs.includes(k)));
  const ranges = Object.entries(domain).filter(([k]) => !net.inputs.includes(k));
  const b = inputBox(net, box, stored);
  const inside = net.inputs.every((name, i) => stored[name] !== undefined && stored[name][0] <= b[i]![0]
    && b[i]![1] <= stored[name][1]);
  const exclude = Array.isArray(meta?.exclude) ? (meta.exclude as unknown[]).filter((t) => typeof t === 'string') : [];
  const conditions = [...ranges.map(([k, r]) => `${k} in [${r[0]}, ${r[1]}]`),
    ...exclude.map((t) => `outside the band ${t}`)];
  const outputs = Array.isArray(meta?.error?.outputs) ? meta.error.outputs as Record<string, unknown>[] : [];
  const exprs = net.outputs.map((name, j) => {
    const own = outputs.find((o) => o?.name === name)?.expr ?? (net.outputs.length === 1 ? meta?.expr : undefined);
    return typeof own === 'string' ? own : undefined;
  });
  const stated = storedCertificates(net, meta);
  const certified = stated.map((c) => (c !== undefined && inside ? c : null));
  const uncertified = stated.every((c) => c === undefined) ? 'the network\'s metadata states no certified error'
    : !inside ? 'the region reaches outside the domain the stored certificate was proven on' : undefined;
  return { box: b, exprs, certified, conditions, ...(uncertified ? { uncertified } : {}) };
}

/** Text safe on one comment line: control characters and line breaks as spaces. */
const oneLine = (s: string): string => s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ');

/** What `milpHeader` reports of the formulation. */
interface HeaderStats { relus: number; active: number; inactive: number; unstable: number; variables: number;
  constraints: number; bigM: number }

/** The comment lines at the top of the file (without the format's comment mark). */
export function milpHeader(region: MilpRegion, names: LpNames, s: HeaderStats): string[] {
  const lines = ['knotnet milp: a ReLU network as mixed-integer linear constraints'];
  names.outputs.forEach((y, j) => lines.push(`formula: ${y} = ${region.exprs[j] ?? '(not stated in the network\'s ' +
    'metadata)'}`));
  lines.push(`region: ${names.inputs.map((x, i) => `${x} in [${region.box[i]!.join(', ')}]`).join(', ')}`);
  names.outputs.forEach((y, j) => {
    const c = region.certified[j];
    lines.push(c !== null && c !== undefined ? `certified max error: |${y} - formula| <= ${c} everywhere on the region`
      : `certified max error of ${y}: none (${region.uncertified ?? 'none stored for this output'})`);
  });
  if (region.conditions.length > 0) lines.push(`the certificate holds only where ${region.conditions.join(' and ')}:` +
    ' these constraints do not state that; keep the optimizer there');
  for (const [from, to] of names.renamed) lines.push(`the network's name ${JSON.stringify(from)} is ${to} here`);
  lines.push(
    `formulation: big-M; ${s.relus} ReLUs: ${s.active} proven on (h = z), ${s.inactive} proven off (left out), ` +
    `${s.unstable} with a binary`,
    `  ${s.variables} variables, ${s.constraints} constraints`,
    '  h.k.j: unit j (from 0) of hidden layer k (from 1); o.k.j = 1 when it is off;',
    '  rows ge/le/on.k.j: h >= z, h <= z - l*o, h <= u*(1 - o) with z in [l, u] proven on the region;',
    '  rows ord.o.1.j: o.1.i <= o.1.j, the order of one-input units\' knots; inc.o.1.j.lo/hi: h.1.i - h.1.j',
    '  between d*(1 - o.1.j) and d*(1 - o.1.i) for units of one weight d apart (the incremental form; valid cuts)',
    `  largest big-M: ${s.bigM}; a binary within t of 0 or 1 lets its unit move by up to t*M, so set the`,
    '  solver\'s integrality tolerance (HiGHS mip_feasibility_tolerance, Gurobi IntFeasTol) well below E/M',
    `how to use: ${names.outputs.join(', ')} is the network's exact value at ${names.inputs.join(', ')};` +
    ' add your own constraints and objective.',
    '  With certified error E, the optimum y* of the surrogate is within E of the formula\'s value at the',
    '  surrogate\'s optimizer x*, and the formula\'s true optimum f* over the same feasible set lies in',
    '  [y* - E, y* + E] (minimizing: f(x*) <= f* + 2E). A constraint f(x) <= c holds wherever y <= c - E',
    '  (the error as a slack on the output).',
  );
  return lines.map(oneLine);
}
