import { parse, type MathNode } from 'mathjs';
import { InputError } from '../errors.ts';
import { BINARY_FUNCTIONS, INTERNAL_FUNCTIONS, UNARY_FUNCTIONS, variablesOf, type Expr } from './ast.ts';
import { callExpr, JUMP_RULE, REWRITTEN_FUNCTIONS } from './calls.ts';

export interface Formula {
  text: string;
  expr: Expr;
  /** Variables in order of first appearance. */
  variables: string[];
}

const CONSTANTS: Record<string, number> = { pi: Math.PI, e: Math.E };
const COMPARISONS = ['smaller', 'larger', 'smallerEq', 'largerEq', 'equal', 'unequal', 'and', 'or', 'not', 'xor'];
const OPS: Record<string, 'add' | 'sub' | 'mul' | 'div' | 'pow'> = {
  add: 'add', subtract: 'sub', multiply: 'mul', divide: 'div', pow: 'pow',
};

/**
 * Parses a formula with mathjs and converts it to our closed tree. Anything outside the
 * grammar (`+ - * / ^`, the functions of ast.ts, numbers, pi, e, variables) is an InputError
 * naming `argument`.
 */
export function parseFormula(text: string, argument = 'expression'): Formula {
  if (typeof text !== 'string' || text.trim() === '') throw new InputError(argument, 'be a non-empty formula', text);
  let node: MathNode;
  try {
    node = parse(text);
  } catch (e) {
    throw new InputError(argument, `be a valid formula (${(e as Error).message.replace(/\.$/, '')})`, text);
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
        throw new InputError(argument, 'use only finite numeric constants', String(n.value));
      }
      return { op: 'const', value: v };
    }
    case 'SymbolNode': {
      const name = n.name as string;
      if (name in CONSTANTS) return { op: 'const', value: CONSTANTS[name]! };
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new InputError(argument, 'use simple variable names', name);
      if ([...UNARY_FUNCTIONS, ...BINARY_FUNCTIONS, ...REWRITTEN_FUNCTIONS].includes(name as never)) {
        throw new InputError(argument, `call ${name} with parentheses`, name);
      }
      return { op: 'var', name };
    }
    case 'OperatorNode': {
      const args = (n.args as MathNode[]).map((a) => convert(a, text, argument, internal));
      if (n.fn === 'unaryMinus' && args.length === 1) return { op: 'neg', arg: args[0]! };
      if (n.fn === 'unaryPlus' && args.length === 1) return args[0]!;
      const op = OPS[n.fn as string];
      if (COMPARISONS.includes(n.fn as string)) throw new InputError(argument, JUMP_RULE, `${n.op} in ${text}`);
      if (!op || args.length !== 2) {
        throw new InputError(argument, 'use only the operators + - * / ^', `${n.op} in ${text}`);
      }
      return { op, a: args[0]!, b: args[1]! } as Expr;
    }
    case 'FunctionNode': {
      const name = (n.fn?.name ?? String(n.fn)) as string;
      const args = (n.args as MathNode[]).map((a) => convert(a, text, argument, internal));
      return callExpr(name, args, argument, (f) => internal && (INTERNAL_FUNCTIONS as readonly string[]).includes(f));
    }
    default:
      throw new InputError(argument, 'be a plain formula (no assignments, matrices, units or strings)', text);
  }
}
