import type { MathNode } from 'mathjs';
import { InputError } from '../errors.ts';
import { BINARY_FUNCTIONS, exprToString, INTERNAL_FUNCTIONS, UNARY_FUNCTIONS, variablesOf, type Expr } from './ast.ts';
import { callExpr, idOf, JUMP_RULE, REWRITTEN_FUNCTIONS } from './calls.ts';
import { comparisonSite, isJumpPlaceholder, jumpKindOf, jumpSite, substitute, type JumpSite } from './jumps.ts';
import { parseWithinStack, type ParsedText } from './mathjs.ts';
import { MAX_FORMULA_DEPTH, MAX_FORMULA_NODES, NOT_PLAIN, scanFormulaText } from './prescan.ts';

export interface Formula {
  text: string;
  expr: Expr;
  /** Variables in order of first appearance. */
  variables: string[];
}

/** Names looked up in maps (never in objects: a variable may be named `constructor` or `__proto__`). */
const CONSTANTS = new Map([['pi', Math.PI], ['e', Math.E]]);
const COMPARISONS = ['smaller', 'larger', 'smallerEq', 'largerEq', 'equal', 'unequal', 'and', 'or', 'not', 'xor'];
/** The comparisons a `jumps` list accepts (as steps, expr/jumps.ts). */
const STEPS = new Map([['smaller', '<'], ['smallerEq', '<='], ['larger', '>'], ['largerEq', '>=']]);
const OPS = new Map<string, 'add' | 'sub' | 'mul' | 'div' | 'pow'>([['add', 'add'], ['subtract', 'sub'],
  ['multiply', 'mul'], ['divide', 'div'], ['pow', 'pow']]);

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
  scanFormulaText(text, argument);
  let parsed: ParsedText;
  try {
    parsed = parseWithinStack(text);
  } catch (e) {
    // mathjs quotes the text, which may hold line breaks: escaped, the message stays one line.
    const reason = (e as Error).message.replace(/\.$/, '').replace(/\p{Cc}/gu, (c) => JSON.stringify(c).slice(1, -1));
    throw new InputError(argument, `be a valid formula (${reason})`, text, idOf(argument, 'syntax'));
  }
  const within = 2 * MAX_FORMULA_DEPTH;
  if (mathjsDepth(parsed) > within) throw new InputError(argument,
    `nest at most ${MAX_FORMULA_DEPTH} operations deep (long sums are balanced, other chains are not)`,
    `over ${within - MAX_FORMULA_DEPTH} deep`, idOf(argument, 'too-deep'));
  const expr = convert(parsed.node, { text, argument, internal: false, jumps, groups: parsed.groups });
  const { nodes, depth } = treeSize(expr);
  if (nodes > MAX_FORMULA_NODES) throw new InputError(argument,
    `have at most ${MAX_FORMULA_NODES} operations, numbers and variables`, `${nodes}`, idOf(argument, 'too-large'));
  if (depth > MAX_FORMULA_DEPTH) throw new InputError(argument,
    `nest at most ${MAX_FORMULA_DEPTH} operations deep (long sums are balanced, other chains are not)`, `${depth} deep`,
      idOf(argument, 'too-deep'));
  const shown = jumps?.length ? substitute(expr, new Map(jumps.map((j) => [j.placeholder, j.arg]))) : expr;
  return { text, expr, variables: variablesOf(shown).filter((v) => !isJumpPlaceholder(v)) };
}

export { MAX_FORMULA_CHARS, MAX_FORMULA_DEPTH, MAX_FORMULA_NODES } from './prescan.ts';

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
  return convert(node, { text: node.toString(), argument: 'derivative', internal: true, groups: new Map() });
}

/** What convert needs besides the node: the text and argument for messages, the jump list, the placeholders. */
interface Context {
  text: string;
  argument: string;
  /** Whether the internal functions (sec, sech) are allowed. */
  internal: boolean;
  jumps?: JumpSite[] | undefined;
  groups: Map<string, MathNode>;
}

type Node = MathNode & Record<string, any>;

/**
 * The depth of mathjs's tree as convert recurses into it, without recursion: every node one
 * level (parentheses too), long sums as the balanced trees convert makes, min/max and hypot
 * of k arguments as the k − 1 folds they become. At most the depth of the converted formula
 * plus the parentheses and signs around it (which the text scan bounds).
 */
function mathjsDepth({ node, groups }: ParsedText): number {
  let deepest = 0;
  const stack: [Node, number][] = [[node as Node, 1]];
  while (stack.length) {
    const [n, d] = stack.pop()!;
    deepest = Math.max(deepest, d);
    const group = n.type === 'SymbolNode' ? groups.get(n.name as string) : undefined;
    if (group) stack.push([group as Node, d]);
    else if (n.type === 'OperatorNode' && (n.fn === 'add' || n.fn === 'subtract') && n.args.length === 2) {
      const terms = sumTerms(n);
      const levels = terms.length > BALANCE_ABOVE ? Math.ceil(Math.log2(terms.length)) + 1 : terms.length - 1;
      for (const t of terms) stack.push([t.node as Node, d + levels]);
    } else {
      const fold = n.type === 'FunctionNode' ? foldLevels(n.fn?.name, n.args.length) : 1;
      n.forEach((child: MathNode) => stack.push([child as Node, d + fold]));
    }
  }
  return deepest;
}

/** Levels a call of `name` with k arguments becomes (callExpr folds min/max, writes hypot as a sqrt of a sum). */
function foldLevels(name: unknown, k: number): number {
  if (name === 'min' || name === 'max') return Math.max(1, k - 1);
  return name === 'hypot' ? k + 1 : 1;
}

function convert(node: MathNode, ctx: Context): Expr {
  const { text, argument, internal, jumps, groups } = ctx;
  const n = node as Node;
  switch (n.type) {
    case 'ParenthesisNode':
      return convert(n.content, ctx);
    case 'ConstantNode': {
      const v = Number(n.value);
      if (typeof n.value !== 'number' || !Number.isFinite(v)) {
        throw new InputError(argument, 'use only finite numeric constants', String(n.value),
          idOf(argument, 'not-finite'));
      }
      return { op: 'const', value: v };
    }
    case 'SymbolNode':
      return symbol(n.name as string, ctx);
    case 'OperatorNode': {
      if (n.fn === 'add' || n.fn === 'subtract') {
        const terms = sumTerms(n);
        if (terms.length > BALANCE_ABOVE) return balancedSum(terms.map((t) => ({ sign: t.sign, e: convert(t.node,
          ctx) })));
      }
      const args = (n.args as MathNode[]).map((a) => convert(a, ctx));
      const step = STEPS.get(n.fn as string);
      if (jumps && step && args.length === 2) return comparisonSite(step, args[0]!, args[1]!, jumps, argument);
      if (n.fn === 'unaryMinus' && args.length === 1) return { op: 'neg', arg: args[0]! };
      if (n.fn === 'unaryPlus' && args.length === 1) return args[0]!;
      const op = OPS.get(n.fn as string);
      if (COMPARISONS.includes(n.fn as string)) throw new InputError(argument, JUMP_RULE, `${n.op} in ${text}`,
        idOf(argument, 'discontinuous'));
      if (!op || args.length !== 2) {
        throw new InputError(argument, 'use only the operators + - * / ^', `${n.op} in ${text}`,
          idOf(argument, 'unknown-operator'));
      }
      return { op, a: args[0]!, b: args[1]! } as Expr;
    }
    case 'FunctionNode': {
      if (n.fn?.type !== 'SymbolNode' || groups.has(n.fn.name)) throw new InputError(argument, NOT_PLAIN, text,
        idOf(argument, 'not-plain'));
      const name = n.fn.name as string;
      const args = (n.args as MathNode[]).map((a) => convert(a, ctx));
      const kind = jumpKindOf(name);
      if (jumps && kind && args.length === 1) {
        return jumpSite(kind, args[0]!, `${name}(${exprToString(args[0]!)})`, jumps, argument);
      }
      return callExpr(name, args, argument, (f) => internal && (INTERNAL_FUNCTIONS as readonly string[]).includes(f));
    }
    default:
      throw new InputError(argument, NOT_PLAIN, text, idOf(argument, 'not-plain'));
  }
}

/** A name: a placeholder's tree, pi or e, or a variable (a function name without parentheses is refused). */
function symbol(name: string, ctx: Context): Expr {
  const { argument } = ctx;
  const group = ctx.groups.get(name);
  if (group) return convert(group, ctx);
  const constant = CONSTANTS.get(name);
  if (constant !== undefined) return { op: 'const', value: constant };
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new InputError(argument, 'use simple variable names', name,
    idOf(argument, 'bad-name'));
  if ([...UNARY_FUNCTIONS, ...BINARY_FUNCTIONS, ...REWRITTEN_FUNCTIONS].includes(name as never)) {
    throw new InputError(argument, `call ${name} with parentheses`, name, idOf(argument, 'no-parentheses'));
  }
  return { op: 'var', name };
}
