/** Reading files through a Host for discovery. */
import type { Host } from '../ports/host.ts';

/** The first of `paths` that exists, with its text (e.g. a unit file in systemd's search order). */
export async function readFirstFile(host: Host, paths: readonly string[]): Promise<{ path: string; text: string } | undefined> {
  for (const path of paths) {
    const data = await host.readFile(path);
    if (data !== undefined) return { path, text: data.toString('utf8') };
  }
  return undefined;
}
