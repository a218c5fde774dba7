/**
 * Paths as an agent meets them (pure). The supervisor maps absolute paths of a unit's command line into the host's
 * root before the agent sees them (`--kubeconfig=/etc/x` → `--kubeconfig=<root>/etc/x`); paths an agent uses by
 * default (flannel's `/run/flannel/subnet.env`) are host paths still. Both must land in the root.
 */
import { mapPathIntoRoot } from '../paths.ts';

/** The file on this machine for a path given to the agent (already mapped or not). */
export function resolveHostPath(root: string, path: string): string {
  if (path === root || path.startsWith(`${root}/`)) return path;
  return mapPathIntoRoot(root, path);
}

/** The path as the host sees it (`<root>/etc/x` → `/etc/x`); other paths unchanged. */
export function toHostPath(root: string, path: string): string {
  if (path === root) return '/';
  return path.startsWith(`${root}/`) ? path.slice(root.length) : path;
}
