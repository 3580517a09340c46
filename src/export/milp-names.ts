/**
 * LP names for a network's inputs and outputs: the network's own names where the CPLEX LP
 * format reads them unambiguously (a letter or _ first, then letters, digits and _; not a
 * keyword of the format; not e/E and a digit, which reads as a number's exponent; at most 255
 * characters; each name once), else `x.i` / `y.j`. Hidden names (h.k.j, o.k.j) have dots, which
 * no kept name has, so no name is taken twice.
 */
import type { Network } from '../net/network.ts';

/** Words the LP format reads as section or bound keywords (compared in lower case). */
const KEYWORDS = new Set(['minimize', 'maximize', 'minimum', 'maximum', 'min', 'max', 'subject', 'to', 'st',
  'such', 'that', 'bounds', 'bound', 'free', 'inf', 'infinity', 'binaries', 'binary', 'bin', 'generals',
  'general', 'gen', 'semi', 'semis', 'semicontinuous', 'sos', 'end']);

const PLAIN = /^[A-Za-z_][A-Za-z0-9_]{0,254}$/;

/** Can `name` stand in an LP file as it is? */
export function isLpName(name: string): boolean {
  return PLAIN.test(name) && !/^[eE][0-9]/.test(name) && !KEYWORDS.has(name.toLowerCase());
}

export interface LpNames {
  inputs: string[];
  outputs: string[];
  /** Names changed for the LP format: [the network's name, the LP name]. */
  renamed: [string, string][];
}

/** The LP names of `net`'s inputs and outputs (see the module note). */
export function lpNames(net: Network): LpNames {
  const taken = new Set<string>();
  const renamed: [string, string][] = [];
  const pick = (name: string, fallback: string): string => {
    const kept = isLpName(name) && !taken.has(name) ? name : fallback;
    if (kept !== name) renamed.push([name, kept]);
    taken.add(kept);
    return kept;
  };
  const inputs = net.inputs.map((n, i) => pick(n, `x.${i}`));
  const outputs = net.outputs.map((n, j) => pick(n, `y.${j}`));
  return { inputs, outputs, renamed };
}
