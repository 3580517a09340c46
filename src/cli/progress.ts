/**
 * Progress for long work on stderr: one line rewritten in place in a terminal, plain lines
 * (at most one every 2 s) otherwise. Quiet for the first second so quick commands print nothing.
 */
export function progress(label: string): { update: (text: string) => void; done: () => void } {
  const started = performance.now();
  const tty = process.stderr.isTTY === true;
  let lastPlain = 0;
  let shown = false;
  return {
    update(text: string) {
      const now = performance.now();
      if (now - started < 1000) return;
      const line = `${label}: ${text} (${((now - started) / 1000).toFixed(0)} s)`;
      if (tty) { process.stderr.write(`\r\x1b[K${line}`); shown = true; }
      else if (now - lastPlain >= 2000) { process.stderr.write(`${line}\n`); lastPlain = now; }
    },
    done() {
      if (tty && shown) process.stderr.write('\r\x1b[K');
    },
  };
}
