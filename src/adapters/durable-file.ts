/**
 * Writing a file of the run folder so that it survives a crash or a power cut whole: a temp file beside it,
 * fsynced, renamed over the target, and the folder fsynced. A reader sees the old content or the new, never half.
 * Mode 0600: the run folder's files are the operator's alone.
 */
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export function writeFileDurably(path: string, text: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, text, { mode: 0o600 });
    syncPath(tmp);
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  syncPath(dirname(path));
}

function syncPath(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
