/**
 * The lab's layout on disk, and how a lab host's own file system is emulated: every lab host has a root folder,
 * and absolute paths the host's files and commands name are mapped into it (pure).
 *
 *   <labDir>/lab.json                  the lab's state (LabState, setup/state.ts)
 *   <labDir>/supervisor.sock           the supervisor's HTTP/JSON API (unix socket)
 *   <labDir>/supervisor.log            the supervisor's own output
 *   <labDir>/supervisor-state.json     pids of the supervisor and every unit, for emergency cleanup
 *   <labDir>/hosts/<address>/          each host's root folder (`/etc/sysconfig/etcd` → `<root>/etc/sysconfig/etcd`)
 */
import { join, posix } from 'node:path';

export interface LabPaths {
  readonly labDir: string;
  readonly stateFile: string;
  readonly socketPath: string;
  readonly supervisorLog: string;
  readonly supervisorStateFile: string;
  readonly hostsDir: string;
}

export function buildLabPaths(labDir: string): LabPaths {
  return {
    labDir,
    stateFile: join(labDir, 'lab.json'),
    socketPath: join(labDir, 'supervisor.sock'),
    supervisorLog: join(labDir, 'supervisor.log'),
    supervisorStateFile: join(labDir, 'supervisor-state.json'),
    hostsDir: join(labDir, 'hosts'),
  };
}

/** The entries a lab folder may hold; `ferry lab down` refuses to delete a folder holding anything else. */
export const LAB_DIR_ENTRIES: readonly string[] = ['lab.json', 'supervisor.sock', 'supervisor.log', 'supervisor-state.json', 'hosts'];

/** A host address usable as a folder name (no separators, no `..`). */
export function isValidLabAddress(address: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9.:_-]*$/.test(address) && !address.includes('..');
}

export function buildHostRoot(labDir: string, address: string): string {
  return join(labDir, 'hosts', address);
}

/** The kernel's file systems are the same on every host, so they are not mapped. */
const SHARED_PREFIXES = ['/dev', '/proc', '/sys'] as const;

function isShared(p: string): boolean {
  return SHARED_PREFIXES.some((prefix) => p === prefix || p.startsWith(`${prefix}/`));
}

/**
 * `/etc/x` on the host → `<root>/etc/x`. The path is normalised first, so `..` cannot leave the root. Relative
 * paths are returned unchanged (commands run with cwd = root, so they resolve inside it); `/dev`, `/proc` and `/sys`
 * are shared with the machine.
 */
export function mapPathIntoRoot(root: string, p: string): string {
  if (!p.startsWith('/')) return p;
  const normalized = posix.resolve('/', p);
  if (isShared(normalized)) return normalized;
  return normalized === '/' ? root : join(root, normalized);
}

const FLAG_WITH_PATH = /^(--?([A-Za-z0-9][A-Za-z0-9._-]*)=)(\/.*)$/s;

/**
 * Flags whose `/…` value is not a file: an etcd key prefix (kube-apiserver's `--etcd-prefix=/registry`,
 * flanneld's `-etcd-prefix=/flannel/network`). Mapping those into the root would change the keys.
 */
const NOT_PATH_FLAGS: ReadonlySet<string> = new Set(['etcd-prefix']);

/**
 * Map every absolute path in a command line into the root: words that are absolute paths (the executable too),
 * and the value of `--flag=/abs` or `-flag=/abs` (except etcd key prefixes). URLs and every other word are left
 * alone.
 */
export function mapArgvIntoRoot(root: string, argv: readonly string[]): string[] {
  return argv.map((word) => {
    if (word.startsWith('/')) return mapPathIntoRoot(root, word);
    const flag = FLAG_WITH_PATH.exec(word);
    if (flag !== null && !NOT_PATH_FLAGS.has(flag[2] as string)) return `${flag[1] as string}${mapPathIntoRoot(root, flag[3] as string)}`;
    return word;
  });
}

/** The lab's login file for ferry, at this path on the console's lab host (mode 0600; removed by `ferry lab down`). */
export const LAB_CONSOLE_CREDENTIALS_PATH = '/etc/domeos/credentials.yaml';
