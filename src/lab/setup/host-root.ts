/**
 * A lab host's root folder: the skeleton a real host would have (so writing `/etc/sysconfig/etcd` works as it
 * does there) and the DomeOS etcd binaries, as symlinks to this machine's etcd.
 */
import { lstat, mkdir, readlink, symlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { FerryError } from '../../errors.ts';
import { buildHostRoot, mapPathIntoRoot } from '../paths.ts';

/** Folders every lab host has, like a CentOS host (unit files go to /lib/systemd/system in DomeOS). */
const SKELETON = ['/etc/sysconfig', '/etc/systemd/system', '/lib/systemd/system', '/usr/lib/systemd/system', '/var/lib', '/var/log', '/run', '/tmp', '/root'];

export interface LabBinaries {
  /** This machine's etcd; default `/usr/bin/etcd`. */
  readonly etcd: string;
  /** This machine's etcdctl; default `/usr/bin/etcdctl`. */
  readonly etcdctl: string;
}

export const DEFAULT_LAB_BINARIES: LabBinaries = { etcd: '/usr/bin/etcd', etcdctl: '/usr/bin/etcdctl' };

async function ensureSymlink(linkPath: string, target: string): Promise<void> {
  const st = await lstat(linkPath).catch(() => undefined);
  if (st !== undefined) {
    if (st.isSymbolicLink() && (await readlink(linkPath)) === target) return;
    throw new FerryError('LAB_HOST_SETUP_FAILED', `${linkPath} exists and is not a link to ${target}`, { subjects: { file: linkPath } });
  }
  await mkdir(dirname(linkPath), { recursive: true });
  await symlink(target, linkPath);
}

/**
 * Create the host's root with its skeleton, and for each member binary path (e.g.
 * `/usr/sbin/domeos/etcd/current/etcd`) a link to this machine's etcd, with `etcdctl` beside it.
 * Idempotent. Returns the root.
 */
export async function writeLabHostRoot(labDir: string, address: string, memberBinaries: readonly string[], binaries: LabBinaries = DEFAULT_LAB_BINARIES): Promise<string> {
  const root = buildHostRoot(labDir, address);
  for (const dir of SKELETON) await mkdir(mapPathIntoRoot(root, dir), { recursive: true });
  for (const binary of new Set(memberBinaries)) {
    await ensureSymlink(mapPathIntoRoot(root, binary), binaries.etcd);
    await ensureSymlink(join(dirname(mapPathIntoRoot(root, binary)), 'etcdctl'), binaries.etcdctl);
  }
  return root;
}
