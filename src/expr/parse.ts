import { parse, type MathNode } from 'mathjs';
import { InputError, type InputId } from '../errors.ts';
import { BINARY_FUNCTIONS, INTERNAL_FUNCTIONS, UNARY_FUNCTIONS, variablesOf, type BinaryFn, type Expr, type UnaryFn } from './ast.ts';

export interface Formula {
  text: string;
  expr: Expr;
  /** Variables in order of first appearance. */
  variables: string[];
}

const CONSTANTS: Record<string, number> = { pi: Math.PI, e: Math.E };
const OPS: Record<string, 'add' | 'sub' | 'mul' | 'div' | 'pow'> = {
  add: 'add', subtract: 'sub', multiply: 'mul', divide: 'div', pow: 'pow',
};

/**
 * Parses a formula with mathjs and converts it to our closed tree. Anything outside the
 * grammar (`+ - * / ^`, the functions of ast.ts, numbers, pi, e, variables) is an InputError
 * naming `argument`.
 */
/** The field a formula's errors belong to: the core's own arguments ('expression', a `--range` subexpression). */
function idOf(argument: string, code: string): InputId {
  return { code, ...(argument === 'expression' ? { field: 'expr' } : argument === '--range' ? { field: 'ranges' } : {}) };
}

export function parseFormula(text: string, argument = 'expression'): Formula {
  if (typeof text !== 'string' || text.trim() === '') throw new InputError(argument, 'be a non-empty formula', text, idOf(argument, 'empty'));
  let node: MathNode;
  try {
    node = parse(text);
  } catch (e) {
    throw new InputError(argument, `be a valid formula (${(e as Error).message.replace(/\.$/, '')})`, text, idOf(argument, 'syntax'));
  }
  const expr = convert(node, text, argument, false);
  return { text, expr, variables: variablesOf(expr) };
}

/** Converts a mathjs tree (e.g. a derivative) that may use the internal functions. */
export function fromMathjs(node: MathNode): Expr {
  return convert(node, node.toString(), 'derivative', true);
}

function convert(node: MathNode, text: string, argument: string, internal: boolean): Expr {
  const n = node as MathNode & Record<string, any>;
  switch (n.type) {
    case 'ParenthesisNode':
      return convert(n.content, text, argument, internal);
    case 'ConstantNode': {
      const v = Number(n.value);
      if (typeof n.value !== 'number' || !Number.isFinite(v)) {
        throw new InputError(argument, 'use only finite numeric constants', String(n.value), idOf(argument, 'not-finite'));
      }
      return { op: 'const', value: v };
    }
    case 'SymbolNode': {
      const name = n.name as string;
      if (name in CONSTANTS) return { op: 'const', value: CONSTANTS[name]! };
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new InputError(argument, 'use simple variable names', name, idOf(argument, 'bad-name'));
      if ((UNARY_FUNCTIONS as readonly string[]).includes(name) || (BINARY_FUNCTIONS as readonly string[]).includes(name)) {
        throw new InputError(argument, `call ${name} with parentheses`, name, idOf(argument, 'no-parentheses'));
      }
      return { op: 'var', name };
    }
    case 'OperatorNode': {
      const args = (n.args as MathNode[]).map((a) => convert(a, text, argument, internal));
      if (n.fn === 'unaryMinus' && args.length === 1) return { op: 'neg', arg: args[0]! };
      if (n.fn === 'unaryPlus' && args.length === 1) return args[0]!;
      const op = OPS[n.fn as string];
      if (!op || args.length !== 2) {
        throw new InputError(argument, 'use only the operators + - * / ^', `${n.op} in ${text}`, idOf(argument, 'unknown-operator'));
      }
      return { op, a: args[0]!, b: args[1]! } as Expr;
    }
    case 'FunctionNode': {
      const name = (n.fn?.name ?? String(n.fn)) as string;
      const args = (n.args as MathNode[]).map((a) => convert(a, text, argument, internal));
      if ((UNARY_FUNCTIONS as readonly string[]).includes(name) || (internal && (INTERNAL_FUNCTIONS as readonly string[]).includes(name))) {
        if (args.length !== 1) throw new InputError(argument, `call ${name} with exactly 1 argument`, `${name} with ${args.length}`, idOf(argument, 'arity'));
        return { op: 'call', fn: name as UnaryFn, arg: args[0]! };
      }
      if ((BINARY_FUNCTIONS as readonly string[]).includes(name)) {
        if (args.length < 2) throw new InputError(argument, `call ${name} with at least 2 arguments`, `${name} with ${args.length}`, idOf(argument, 'arity'));
        // min(a, b, c) = min(min(a, b), c)
        return args.slice(1).reduce<Expr>((acc, b) => ({ op: 'call2', fn: name as BinaryFn, a: acc, b }), args[0]!);
      }
      throw new InputError(argument, `use only known functions (${[...UNARY_FUNCTIONS, ...BINARY_FUNCTIONS].join(', ')})`, name, idOf(argument, 'unknown-function'));
    }
    default:
      throw new InputError(argument, 'be a plain formula (no assignments, matrices, units or strings)', text, idOf(argument, 'not-plain'));
  }
}
