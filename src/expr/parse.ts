import type { MathNode } from 'mathjs';
import { InputError } from '../errors.ts';
import { BINARY_FUNCTIONS, exprToString, INTERNAL_FUNCTIONS, UNARY_FUNCTIONS, variablesOf, type Expr } from './ast.ts';
import { callExpr, idOf, JUMP_RULE, REWRITTEN_FUNCTIONS } from './calls.ts';
import { comparisonSite, isJumpPlaceholder, jumpKindOf, jumpSite, substitute, type JumpSite } from './jumps.ts';
import { math } from './mathjs.ts';

export interface Formula {
  text: string;
  expr: Expr;
  /** Variables in order of first appearance. */
  variables: string[];
}

const CONSTANTS: Record<string, number> = { pi: Math.PI, e: Math.E };
const COMPARISONS = ['smaller', 'larger', 'smallerEq', 'largerEq', 'equal', 'unequal', 'and', 'or', 'not', 'xor'];
/** The comparisons a `jumps` list accepts (as steps, expr/jumps.ts). */
const STEPS: Record<string, string> = { smaller: '<', smallerEq: '<=', larger: '>', largerEq: '>=' };
const OPS: Record<string, 'add' | 'sub' | 'mul' | 'div' | 'pow'> = {
  add: 'add', subtract: 'sub', multiply: 'mul', divide: 'div', pow: 'pow',
};

/**
 * Parses a formula with mathjs and converts it to our closed tree. Anything outside the
 * grammar (`+ - * / ^`, the functions of ast.ts, numbers, pi, e, variables) is an InputError
 * naming `argument`. Given a `jumps` list, jump functions and comparisons are accepted: each
 * becomes a placeholder variable and a site in the list (expr/jumps.ts), to be written as a
 * ramp by the caller; `variables` then includes those of the jumps' arguments.
 */
export function parseFormula(text: string, argument = 'expression', jumps?: JumpSite[]): Formula {
  if (typeof text !== 'string' || text.trim() === '') throw new InputError(argument, 'be a non-empty formula', text,
    idOf(argument, 'empty'));
  if (text.length > MAX_FORMULA_CHARS) throw new InputError(argument, `have at most ${MAX_FORMULA_CHARS} characters`,
    `${text.length} characters`, idOf(argument, 'too-long'));
  const nesting = maxNesting(text);
  if (nesting > MAX_FORMULA_DEPTH) throw new InputError(argument, `nest parentheses at most ${MAX_FORMULA_DEPTH} deep`,
    `${nesting} deep`, idOf(argument, 'too-deep'));
  let node: MathNode;
  try {
    node = math.parse(text);
  } catch (e) {
    throw new InputError(argument, `be a valid formula (${(e as Error).message.replace(/\.$/, '')})`, text,
      idOf(argument, 'syntax'));
  }
  const expr = convert(node, text, argument, false, jumps);
  const { nodes, depth } = treeSize(expr);
  if (nodes > MAX_FORMULA_NODES) throw new InputError(argument,
    `have at most ${MAX_FORMULA_NODES} operations, numbers and variables`, `${nodes}`, idOf(argument, 'too-large'));
  if (depth > MAX_FORMULA_DEPTH) throw new InputError(argument,
    `nest at most ${MAX_FORMULA_DEPTH} operations deep (long sums are balanced, other chains are not)`, `${depth} deep`,
      idOf(argument, 'too-deep'));
  const shown = jumps?.length ? substitute(expr, new Map(jumps.map((j) => [j.placeholder, j.arg]))) : expr;
  return { text, expr, variables: variablesOf(shown).filter((v) => !isJumpPlaceholder(v)) };
}

/** Limits that keep every pass over a formula (derivatives, enclosures, evaluation) cheap and within the stack. */
export const MAX_FORMULA_CHARS = 200_000;
/**
 * Every sampled value of f walks all nodes (about 20 ns each once optimized), and sizing and
 * certifying take tens of thousands of values: 10,000 nodes (a 2,500-term sum) keeps that
 * within seconds.
 */
export const MAX_FORMULA_NODES = 10_000;
export const MAX_FORMULA_DEPTH = 400;

/** Deepest parenthesis nesting of the text (mathjs parses nesting recursively). */
function maxNesting(text: string): number {
  let depth = 0, max = 0;
  for (const c of text) {
    if (c === '(' || c === '[') max = Math.max(max, ++depth);
    else if (c === ')' || c === ']') depth--;
  }
  return max;
}

/** Node count and depth of a tree, without recursion. */
export function treeSize(e: Expr): { nodes: number; depth: number } {
  let nodes = 0, depth = 0;
  const stack: [Expr, number][] = [[e, 1]];
  while (stack.length) {
    const [n, d] = stack.pop()!;
    nodes++;
    depth = Math.max(depth, d);
    if (n.op === 'neg' || n.op === 'call') stack.push([n.arg, d + 1]);
    else if (n.op !== 'const' && n.op !== 'var') stack.push([n.a, d + 1], [n.b, d + 1]);
  }
  return { nodes, depth };
}

/** Chains of + and − longer than this are rebuilt as balanced trees (depth log n, same sum). */
const BALANCE_ABOVE = 16;

/**
 * The terms of a left-leaning chain a ± b ± c …, found without recursion (mathjs builds
 * long sums 10,000 levels deep).
 */
function sumTerms(node: MathNode): { sign: 1 | -1; node: MathNode }[] {
  const terms: { sign: 1 | -1; node: MathNode }[] = [];
  let n = node as MathNode & Record<string, any>;
  while (n.type === 'OperatorNode' && (n.fn === 'add' || n.fn === 'subtract') && n.args.length === 2) {
    terms.push({ sign: n.fn === 'add' ? 1 : -1, node: n.args[1] });
    n = n.args[0];
  }
  terms.push({ sign: 1, node: n });
  return terms.reverse();
}

/** Σ sign_i·e_i as a balanced tree; each half starts with a + term (sub absorbs the sign). */
function balancedSum(terms: { sign: 1 | -1; e: Expr }[]): Expr {
  if (terms.length === 1) return terms[0]!.sign > 0 ? terms[0]!.e : { op: 'neg', arg: terms[0]!.e };
  const mid = terms.length >> 1;
  const left = balancedSum(terms.slice(0, mid));
  const right = terms.slice(mid);
  const flip = right[0]!.sign < 0;
  const r = balancedSum(flip ? right.map((t) => ({ sign: (-t.sign) as 1 | -1, e: t.e })) : right);
  return { op: flip ? 'sub' : 'add', a: left, b: r };
}

/** Converts a mathjs tree (e.g. a derivative) that may use the internal functions. */
export function fromMathjs(node: MathNode): Expr {
  return convert(node, node.toString(), 'derivative', true);
}

function convert(node: MathNode, text: string, argument: string, internal: boolean, jumps?: JumpSite[]): Expr {
  const n = node as MathNode & Record<string, any>;
  switch (n.type) {
    case 'ParenthesisNode':
      return convert(n.content, text, argument, internal, jumps);
    case 'ConstantNode': {
      const v = Number(n.value);
      if (typeof n.value !== 'number' || !Number.isFinite(v)) {
        throw new InputError(argument, 'use only finite numeric constants', String(n.value),
          idOf(argument, 'not-finite'));
      }
      return { op: 'const', value: v };
    }
    case 'SymbolNode': {
      const name = n.name as string;
      if (name in CONSTANTS) return { op: 'const', value: CONSTANTS[name]! };
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new InputError(argument, 'use simple variable names', name,
        idOf(argument, 'bad-name'));
      if ([...UNARY_FUNCTIONS, ...BINARY_FUNCTIONS, ...REWRITTEN_FUNCTIONS].includes(name as never)) {
        throw new InputError(argument, `call ${name} with parentheses`, name, idOf(argument, 'no-parentheses'));
      }
      return { op: 'var', name };
    }
    case 'OperatorNode': {
      if (n.fn === 'add' || n.fn === 'subtract') {
        const terms = sumTerms(n);
        if (terms.length > BALANCE_ABOVE) return balancedSum(terms.map((t) => ({ sign: t.sign, e: convert(t.node, text,
          argument, internal, jumps) })));
      }
      const args = (n.args as MathNode[]).map((a) => convert(a, text, argument, internal, jumps));
      const step = Object.hasOwn(STEPS, n.fn as string) ? STEPS[n.fn as string] : undefined;
      if (jumps && step && args.length === 2) return comparisonSite(step, args[0]!, args[1]!, jumps, argument);
      if (n.fn === 'unaryMinus' && args.length === 1) return { op: 'neg', arg: args[0]! };
      if (n.fn === 'unaryPlus' && args.length === 1) return args[0]!;
      const op = OPS[n.fn as string];
      if (COMPARISONS.includes(n.fn as string)) throw new InputError(argument, JUMP_RULE, `${n.op} in ${text}`,
        idOf(argument, 'discontinuous'));
      if (!op || args.length !== 2) {
        throw new InputError(argument, 'use only the operators + - * / ^', `${n.op} in ${text}`,
          idOf(argument, 'unknown-operator'));
      }
      return { op, a: args[0]!, b: args[1]! } as Expr;
    }
    case 'FunctionNode': {
      const name = (n.fn?.name ?? String(n.fn)) as string;
      const args = (n.args as MathNode[]).map((a) => convert(a, text, argument, internal, jumps));
      const kind = jumpKindOf(name);
      if (jumps && kind && args.length === 1) {
        return jumpSite(kind, args[0]!, `${name}(${exprToString(args[0]!)})`, jumps, argument);
      }
      return callExpr(name, args, argument, (f) => internal && (INTERNAL_FUNCTIONS as readonly string[]).includes(f));
    }
    default:
      throw new InputError(argument, 'be a plain formula (no assignments, matrices, units or strings)', text,
        idOf(argument, 'not-plain'));
  }
}
