/**
 * What a path in an inventory may be. ferry renames a member's data dir aside (archives it) and rewrites its config
 * file, so a data dir of `/` or `/etc`, or a config file of `/etc/passwd`, would be a disaster, not a typo: these
 * rules refuse them before anything runs. Each rule returns the reason worded to follow the value in a message
 * (`dataDir "/etc" is a system folder; …`), or undefined when the path is fine. Pure.
 */
import { posix } from 'node:path';

/** Folders of the operating system itself: never a data dir, a config file or a lab folder. */
const SYSTEM_FOLDERS: ReadonlySet<string> = new Set([
  '/', '/bin', '/boot', '/dev', '/etc', '/home', '/lib', '/lib32', '/lib64', '/media', '/mnt', '/opt', '/proc', '/root', '/run', '/sbin',
  '/srv', '/sys', '/tmp', '/usr', '/var', '/etc/sysconfig', '/etc/systemd', '/usr/bin', '/usr/lib', '/usr/local', '/usr/sbin', '/usr/share',
  '/var/lib', '/var/log', '/var/run', '/var/tmp',
]);

/** Files whose loss locks operators out of a host. */
const SYSTEM_FILES: ReadonlySet<string> = new Set([
  '/etc/passwd', '/etc/shadow', '/etc/group', '/etc/gshadow', '/etc/sudoers', '/etc/fstab', '/etc/hosts', '/etc/resolv.conf',
  '/etc/hostname', '/etc/ssh/sshd_config', '/etc/crontab', '/etc/profile', '/etc/environment', '/etc/ld.so.preload',
]);

/** Kernel file systems, shared by every process: nothing of etcd's lives there. */
const KERNEL = ['/proc', '/sys', '/dev'];

/** An absolute path on a host, spelt plainly: no `.` or `..` parts, no doubled or trailing slash, no control characters. */
export function checkRemotePath(path: string): string | undefined {
  if (!path.startsWith('/')) return 'is not an absolute path';
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(path)) return 'holds a control character (a newline, a tab, …)';
  if (path.split('/').some((part) => part === '.' || part === '..')) return `holds "." or ".." parts; write it plainly, e.g. ${posix.resolve(path)}`;
  if (path !== '/' && (path.endsWith('/') || path.includes('//'))) return `has a doubled or trailing slash; write it plainly, e.g. ${posix.resolve(path)}`;
  if (KERNEL.some((k) => path === k || path.startsWith(`${k}/`))) return 'is on a kernel file system (/proc, /sys, /dev)';
  return undefined;
}

/** A data dir: a folder of its own, which ferry may archive (rename) as a whole. */
export function checkDataDir(path: string): string | undefined {
  const plain = checkRemotePath(path);
  if (plain !== undefined) return plain;
  if (SYSTEM_FOLDERS.has(path)) return 'is a system folder; ferry archives a member\'s data dir as a whole, so it must be a folder of its own, e.g. /var/lib/etcd';
  return undefined;
}

/** A file ferry reads or rewrites on a host (an etcd binary, its config file). */
export function checkRemoteFile(path: string): string | undefined {
  const plain = checkRemotePath(path);
  if (plain !== undefined) return plain;
  if (SYSTEM_FOLDERS.has(path)) return 'is a system folder, not a file';
  if (SYSTEM_FILES.has(path)) return 'is a system file that ferry must never rewrite';
  return undefined;
}

/** A folder on this machine (`access.labDir`): absolute or under `~`, of its own (not `~` itself, not a system folder). */
export function checkLocalFolder(path: string): string | undefined {
  if (path === '~' || path === '~/') return 'is your home folder; give the lab a folder of its own, e.g. ~/.ferry/lab';
  if (!path.startsWith('/') && !path.startsWith('~/')) return 'is a relative path; write it absolute or under ~ (e.g. ~/.ferry/lab) so it does not depend on the current folder';
  if (path.split('/').some((part) => part === '..')) return 'holds ".." parts; write it plainly';
  if (path.startsWith('/') && SYSTEM_FOLDERS.has(posix.resolve(path))) return 'is a system folder; give the lab a folder of its own, e.g. ~/.ferry/lab';
  return undefined;
}
