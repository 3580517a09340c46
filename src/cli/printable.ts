/**
 * Text the CLI prints, made printable: bytes from user data (a CSV header, a stored formula or
 * output name, a file name) are shown, never obeyed by the terminal.
 */

/**
 * `text` with every control character shown as its `\uXXXX` escape, so it cannot move the
 * cursor, retitle the terminal or hide text: C0 and C1 controls, DEL, and the bidirectional
 * marks and overrides. `keepNewlines` keeps line ends (commander's own multi-line output); a
 * one-sentence message has none of its own.
 */
export function printable(text: string, o: { keepNewlines?: boolean } = {}): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (c) =>
    (o.keepNewlines && c === '\n' ? c : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
}

/** Longest message printed: a value echoed from a file (a cell, a name) must not flood the terminal. */
const MAX_MESSAGE_CHARS = 2000;

/** Prints one message of the CLI's own on stderr ("knotnet: …"), made printable and at most MAX_MESSAGE_CHARS long. */
export function say(message: string): void {
  const shown = message.length > MAX_MESSAGE_CHARS ? `${message.slice(0, MAX_MESSAGE_CHARS)}… (${message.length
    - MAX_MESSAGE_CHARS} more characters)` : message;
  process.stderr.write(`knotnet: ${printable(shown)}\n`);
}
