/**
 * Progress for long work on stderr: one line rewritten in place in a terminal; without a
 * terminal one plain line per step (its first update). Nothing in the command's first second,
 * so quick work prints nothing; `--quiet` (setQuiet) silences it all.
 */
let quiet = false;

/** Help text of every command's --quiet. */
export const QUIET_HELP = 'print no progress on stderr (results and errors still print)';

/** `--quiet`: no progress at all (errors and results still print). */
export function setQuiet(on: boolean): void {
  quiet = on;
}

/** A one-off progress line on stderr (a step of demo or compare), unless --quiet. */
export function note(line: string): void {
  if (!quiet) process.stderr.write(`${line}\n`);
}

export interface Progress {
  /** Says how the current step is going. */
  update: (text: string) => void;
  /** Starts a step under `label`; without a terminal each label gets one line, however often it returns. */
  step: (label: string) => void;
  /** Clears the terminal line. */
  done: () => void;
}

/** Least milliseconds between two rewrites of a terminal's progress line. */
const REWRITE_MS = 100;

/** `now` (milliseconds) is for tests. */
export function progress(label: string, now: () => number = () => performance.now()): Progress {
  const started = now();
  const tty = process.stderr.isTTY === true;
  let current = label;
  const printed = new Set<string>(); // steps already given their line (no terminal)
  let shown = false;
  let written = -Infinity; // when the terminal's line was last rewritten
  return {
    update(text: string) {
      if (quiet) return;
      const t = now();
      if (t - started < 1000) return; // quick work prints nothing
      if (tty && t - written < REWRITE_MS) return; // callers in tight loops update thousands of times a second
      const line = `${current}: ${text} (${((t - started) / 1000).toFixed(0)} s)`;
      if (tty) { process.stderr.write(`\r\x1b[K${line}`); shown = true; written = t; }
      else if (!printed.has(current)) { process.stderr.write(`${line}\n`); printed.add(current); }
    },
    step(next: string) {
      current = next;
    },
    done() {
      if (tty && shown) process.stderr.write('\r\x1b[K');
    },
  };
}
