/**
 * What a folder holds, file by file (hidden ones too, recursively): SHA-256 and mode, so a test
 * can assert that a command left every file the user did not name byte-identical.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';

/** relative path → "sha256 mode" (folders: "folder mode", links: "link to target"). */
export function folderHash(dir: string, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const name of readdirSync(join(dir, prefix)).sort()) {
    const rel = join(prefix, name);
    const st = lstatSync(join(dir, rel));
    const mode = (st.mode & 0o777).toString(8);
    if (st.isDirectory()) {
      out.set(rel, `folder ${mode}`);
      for (const [k, v] of folderHash(dir, rel)) out.set(k, v);
    } else if (st.isSymbolicLink()) {
      out.set(rel, `link to ${readlinkSync(join(dir, rel))}`);
    } else {
      out.set(rel, `${createHash('sha256').update(readFileSync(join(dir, rel))).digest('hex')} ${mode}`);
    }
  }
  return out;
}

/**
 * Every entry of `before` but the files `written` (relative paths: the files a command was
 * named to write) is in `after` unchanged: same bytes, same mode.
 */
export function assertUntouched(before: Map<string, string>, after: Map<string, string>, written: string[] = []): void {
  for (const [rel, hash] of before) {
    if (!written.includes(rel)) assert.equal(after.get(rel), hash, `${rel} changed or disappeared`);
  }
}
