import type { MathJsInstance, MathNode } from 'mathjs';
import bundle from 'mathjs/lib/browser/math.js';

/**
 * mathjs, loaded from its single-file distribution (`mathjs/lib/browser/math.js`, one of the
 * package's exported entry points) rather than its ES-module tree: the tree is 1,262 files,
 * which Node takes 2 s to load (5 s through a loader such as tsx), the bundle 0.2 s. Same
 * version, same functions; typed by mathjs's own declarations.
 */
export const math: MathJsInstance = bundle;

/** mathjs's tree of a text, and the trees its placeholder symbols stand for. */
export interface ParsedText {
  node: MathNode;
  /** Placeholder name → the subtree it stands for (names no text can contain). */
  groups: Map<string, MathNode>;
}

/** Parenthesis levels mathjs parses in one go (about 38 stack frames each; 261 overflow Node's stack). */
const LEVELS_PER_PARSE = 24;

/**
 * Parses text with balanced parentheses (expr/prescan.ts checks that) within the stack however
 * deep they nest: the groups LEVELS_PER_PARSE levels high are parsed on their own, innermost
 * first, as the arguments of a call `P(…)`, and stand in their parent's text as placeholders
 * `(p1, p2, …)`: the parent is read exactly as before (a group or a call of the same arguments)
 * and resolves each placeholder to its tree. Shallower texts are one mathjs call, unchanged.
 * Throws mathjs's own error for a syntax error.
 */
export function parseWithinStack(text: string): ParsedText {
  const groups = new Map<string, MathNode>();
  const prefix = `${'$'.repeat(longestRun(text, '$') + 1)}k`;
  const frames: { parts: string[]; height: number }[] = [{ parts: [], height: 0 }];
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c !== '(' && c !== ')') continue;
    const top = frames[frames.length - 1]!;
    top.parts.push(text.slice(start, i));
    start = i + 1;
    if (c === '(') frames.push({ parts: [], height: 0 });
    else if (frames.length > 1) {
      const inner = frames.pop()!;
      const parent = frames[frames.length - 1]!;
      const content = inner.parts.join('');
      const height = inner.height + 1;
      if (height < LEVELS_PER_PARSE) {
        parent.parts.push(`(${content})`);
        parent.height = Math.max(parent.height, height);
      } else {
        parent.parts.push(`(${placeholders(content, prefix, groups).join(', ')})`);
        parent.height = Math.max(parent.height, 1);
      }
    } else top.parts.push(')');
  }
  const root = frames.map((f, k) => (k > 0 ? '(' : '') + f.parts.join('')).join('') + text.slice(start);
  return { node: math.parse(root), groups };
}

/** Parses `content` as call arguments; each argument's tree is stored under a new placeholder name. */
function placeholders(content: string, prefix: string, groups: Map<string, MathNode>): string[] {
  const call = math.parse(`${prefix}(${content})`) as MathNode & { args?: MathNode[] };
  if (call.type !== 'FunctionNode' || !call.args) throw new SyntaxError('Parenthesis ) expected');
  return call.args.map((arg) => {
    const name = `${prefix}${groups.size + 1}`;
    groups.set(name, arg);
    return name;
  });
}

function longestRun(text: string, c: string): number {
  let run = 0, longest = 0;
  for (const d of text) longest = Math.max(longest, run = d === c ? run + 1 : 0);
  return longest;
}
