/**
 * Writing a lab host's files during `ferry lab up`, the way an install script writes them: plain writes at the
 * files' real paths inside the host's root (a thousand nodes' files need no fsync), folders created as needed.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { mapPathIntoRoot } from '../paths.ts';

/** `files`: host path → content. */
export async function writeHostFiles(root: string, files: Readonly<Record<string, string>>): Promise<void> {
  for (const [path, text] of Object.entries(files)) {
    const target = mapPathIntoRoot(root, path);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, text);
  }
}
