/**
 * The page's text fields parsed into the core's inputs. Errors are InputErrors named like the
 * CLI's arguments (`--domain`, `--var x`, `--range`), so the page can put each message beside
 * its field.
 */
import { InputError } from '../../errors.ts';

type Interval = [number, number];

/** `a:b` with finite a < b. */
export function parseInterval(text: string, argument: string): Interval {
  const m = /^\s*([^:]+?)\s*:\s*([^:]+?)\s*$/.exec(text);
  const a = m ? Number(m[1]) : NaN;
  const b = m ? Number(m[2]) : NaN;
  if (!Number.isFinite(a) || !Number.isFinite(b) || !(a < b)) throw new InputError(argument, 'be an interval a:b with finite a < b', text.trim());
  return [a, b];
}

/** `name=a:b` pairs separated by `sep`; the last `=` splits (a subexpression may hold none). */
function parsePairs(text: string, sep: string, argument: string, form: string): Record<string, Interval> {
  const out: Record<string, Interval> = {};
  for (const part of text.split(sep).filter((p) => p.trim())) {
    const eq = part.lastIndexOf('=');
    const name = (eq < 0 ? part : part.slice(0, eq)).trim();
    if (eq < 0 || !name) throw new InputError(argument, `be ${form}`, part.trim());
    out[name] = parseInterval(part.slice(eq + 1), `${argument} ${name}`);
  }
  return out;
}

/** `dx=-1:1, dy=0:2` → per-variable ranges. */
export function parseVars(text: string): Record<string, Interval> {
  return parsePairs(text, ',', '--var', 'name=a:b, separated by commas');
}

/** `dx^2+dy^2=0.25:2; x*y=0:1` → known ranges of subexpressions (`;` since formulas hold commas). */
export function parseRanges(text: string): Record<string, Interval> {
  return parsePairs(text, ';', '--range', 'subexpression=a:b, separated by semicolons');
}
