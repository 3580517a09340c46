/**
 * A list of formulas "[a, f(b, c), …]" (the outputs of one network) split into its formulas:
 * at the commas outside parentheses and brackets. Pure text work; each part is parsed by its user.
 */

/** The formulas of a list "[a, f(b, c), …]"; undefined when the text is not a list. */
export function listFormulas(text: string): string[] | undefined {
  return /^\s*\[.*\]\s*$/s.test(text) ? splitTopLevel(text.trim().slice(1, -1)) : undefined;
}

/** Splits "a, f(b, c), d" at commas outside parentheses. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(' || c === '[') depth++;
    else if (c === ')' || c === ']') depth--;
    else if (c === ',' && depth === 0) { parts.push(text.slice(start, i).trim()); start = i + 1; }
  }
  parts.push(text.slice(start).trim());
  return parts;
}
