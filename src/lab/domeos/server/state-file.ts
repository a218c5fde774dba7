/**
 * The stand-in's state on disk: one JSON file, read at start (seeded when missing) and rewritten atomically
 * (temp file + rename) after every change, so a test can read what the console holds.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { ServerState } from './model.ts';

export function readStateFile(path: string): ServerState | undefined {
  if (!existsSync(path)) return undefined;
  return JSON.parse(readFileSync(path, 'utf8')) as ServerState;
}

export function writeStateFile(path: string, state: ServerState): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, path);
}
