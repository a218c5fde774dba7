/**
 * Repointing one node at a new master and/or a new etcd cluster — what DomeOS's update_node_configs.sh did
 * (runbook step 5, docs/design/domeos.md §2.5), done so that it cannot leave a node half-changed:
 *   read the files → compute the changes (pure, changes.ts) → print them → back up every file it will change
 *   → write (atomically) → restart flanneld, kubelet, kube-proxy (those whose config changed) and check each is
 *   active → wait until the node is Ready, with a fresh heartbeat, on the master → check the units again.
 * Any failure after the first write rolls back (restore-node.ts) and prints `Rollback finished`.
 * A second run finds nothing to change, restarts nothing, and still checks that the node is Ready.
 */
import { posix } from 'node:path';
import { ExitCode, FerryError, messageOf } from '../errors.ts';
import type { Host, ServiceState } from '../ports/host.ts';
import { realSleep, type Sleep } from '../util/retry.ts';
import { buildNodeChanges, NODE_FILES, validateNodeTarget, type NodeFilePath, type NodeFileTexts, type NodeUnit } from './changes.ts';
import { restoreNode, type WrittenFile } from './restore-node.ts';
import { waitUnitActive, type UnitWaitOptions } from './unit-active.ts';
import type { WaitReady } from './wait-ready.ts';

export { buildNodeChanges, normalizeEtcdList, normalizeMasterURL, NODE_FILES, NODE_UNITS, validateNodeTarget } from './changes.ts';
export type { NodeChange, NodeChangePlan, NodeFileChange, NodeFileTexts, NodeUnit, RepointTarget } from './changes.ts';

/** Where `ferry node update-config` keeps its backups on the node unless told otherwise. */
export const DEFAULT_NODE_BACKUP_DIR = '/var/lib/ferry/node-backup';

export interface RepointOptions {
  /** The new apiserver, `http(s)://ip:port`. */
  readonly master?: string;
  /** The new etcd cluster (entries without a scheme get http://). */
  readonly etcd?: readonly string[];
  /** Folder on the host for the backups; each file goes to `<backupDir>/<path, / → _>`. An existing backup is kept. */
  readonly backupDir: string;
  readonly waitReady: WaitReady;
  /** Bound on waitReady; default 60 000 ms. */
  readonly readyTimeoutMs?: number;
  /** Bound on a restarted unit becoming active; default 15 000 ms. */
  readonly serviceActiveTimeoutMs?: number;
  /** The units are checked again no sooner than this after their restart (a unit may crash a moment after it started); default 5 000 ms. */
  readonly serviceSettleMs?: number;
  readonly log: (line: string) => void;
  /** Cancels the update; what was changed is rolled back. */
  readonly signal?: AbortSignal;
  readonly sleep?: Sleep;
  readonly now?: () => number;
}

export interface RepointResult {
  readonly node: string;
  /** Paths written. */
  readonly changed: readonly string[];
  readonly backups: readonly { readonly path: string; readonly backup: string }[];
  readonly restarted: readonly string[];
  readonly alreadyUpToDate: boolean;
  /** From the first restart (or the start of the check, when nothing changed) until Ready. */
  readonly readyAfterMs: number;
}

/** `/etc/sysconfig/kubelet` → `<backupDir>/etc_sysconfig_kubelet`. */
export function buildBackupPath(backupDir: string, path: string): string {
  return posix.join(backupDir, path.replace(/^\/+/, '').replace(/\//g, '_'));
}

/** Files are edited as text; bytes that are not UTF-8 are carried through latin1 so they survive unchanged. */
function decode(buf: Buffer): { text: string; encoding: 'utf8' | 'latin1' } {
  const text = buf.toString('utf8');
  return Buffer.from(text, 'utf8').equals(buf) ? { text, encoding: 'utf8' } : { text: buf.toString('latin1'), encoding: 'latin1' };
}

function show(v: string | undefined): string {
  return v === undefined ? '(missing)' : JSON.stringify(v);
}

async function readNodeName(host: Host, fromFiles: string | undefined): Promise<string> {
  if (fromFiles !== undefined) return fromFiles;
  // Like kubelet 1.4 without --hostname-override: the host name, trimmed and lowercased.
  const name = (await host.run(['hostname'])).stdout.trim().toLowerCase();
  if (name === '') throw new FerryError('NODE_NAME_UNKNOWN', `${host.address}: no --hostname-override and \`hostname\` printed nothing`, { subjects: { host: host.address } });
  return name;
}

export async function applyRepoint(host: Host, opts: RepointOptions): Promise<RepointResult> {
  const { log } = opts;
  const now = opts.now ?? Date.now;
  const sleep = opts.sleep ?? realSleep;
  const readyTimeoutMs = opts.readyTimeoutMs ?? 60_000;
  const unitWait: UnitWaitOptions = { timeoutMs: opts.serviceActiveTimeoutMs ?? 15_000, sleep, now };

  const target = { ...(opts.master !== undefined ? { master: opts.master } : {}), ...(opts.etcd !== undefined ? { etcd: opts.etcd } : {}) };
  validateNodeTarget(target); // bad options are refused before the host is touched at all

  const raw = new Map<NodeFilePath, Buffer>();
  const texts: Partial<Record<NodeFilePath, string>> = {};
  const encodings = new Map<NodeFilePath, 'utf8' | 'latin1'>();
  for (const path of Object.values(NODE_FILES)) {
    const buf = await host.readFile(path);
    if (buf === undefined) continue;
    const { text, encoding } = decode(buf);
    raw.set(path, buf);
    texts[path] = text;
    encodings.set(path, encoding);
  }
  const plan = buildNodeChanges(texts as NodeFileTexts, target);
  const node = await readNodeName(host, plan.nodeName);
  for (const w of plan.warnings) log(`warning: ${w}`);

  const waitReady = async (sinceMs: number): Promise<number> => {
    const timeout = AbortSignal.timeout(readyTimeoutMs);
    const signal = opts.signal === undefined ? timeout : AbortSignal.any([opts.signal, timeout]);
    log(`waiting until node ${node} is Ready on ${plan.readyMasterURL} (at most ${Math.round(readyTimeoutMs / 1000)} s)`);
    try {
      await opts.waitReady(node, plan.readyMasterURL, signal, sinceMs);
    } catch (err) {
      if (opts.signal?.aborted === true) {
        throw new FerryError('NODE_UPDATE_INTERRUPTED', `interrupted while waiting for node ${node} (${messageOf(opts.signal.reason)})`, { subjects: { node, host: host.address }, exitCode: ExitCode.interrupted, cause: err });
      }
      if (!timeout.aborted) throw err;
      throw new FerryError('NODE_NOT_READY', `${messageOf(err)} (waited ${Math.round(readyTimeoutMs / 1000)} s)`, {
        hint: `look at the kubelet on ${host.address} (journalctl -u kubelet) and at \`kubectl --server ${plan.readyMasterURL} get nodes\``,
        subjects: { node, master: plan.readyMasterURL, host: host.address },
        cause: err,
      });
    }
    const after = now() - sinceMs;
    log(`node ${node} is Ready on ${plan.readyMasterURL}`);
    return after;
  };

  if (plan.files.length === 0) {
    log(`node ${node} is already up to date: nothing to change, nothing to restart`);
    const readyAfterMs = await waitReady(now()).catch((err: unknown) => {
      if (!(err instanceof FerryError) || err.code !== 'NODE_NOT_READY') throw err;
      throw new FerryError('NODE_NOT_READY', `${err.message}; the files already hold the wanted values`, {
        hint: `if an earlier run was interrupted before its restarts, restart the units on ${host.address}: systemctl restart flanneld kubelet kube-proxy (backups of the original files: ${opts.backupDir})`,
        subjects: { node, host: host.address },
        cause: err,
      });
    });
    return { node, changed: [], backups: [], restarted: [], alreadyUpToDate: true, readyAfterMs };
  }

  for (const c of plan.changes) log(`${c.path}: ${c.key} ${show(c.before)} → ${show(c.after)}`);
  log(`then restart: ${plan.units.join(', ') || '(nothing)'}`);

  const statesBefore = new Map<string, ServiceState>();
  for (const unit of plan.units) statesBefore.set(unit, await host.serviceState(unit));

  // Every backup is made before the first file changes (the first backup ever made is kept: Host.writeFile's rule).
  const planned: WrittenFile[] = plan.files.map((f) => ({ path: f.path, original: raw.get(f.path) as Buffer, backup: buildBackupPath(opts.backupDir, f.path) }));
  await host.mkdir(opts.backupDir, 0o700);
  for (const f of planned) {
    const existing = await host.readFile(f.backup);
    if (existing === undefined) {
      await host.writeFile(f.backup, f.original, { mode: 0o600 }); // kubelet.config holds a password
      const check = await host.readFile(f.backup);
      if (check === undefined || !check.equals(f.original)) {
        throw new FerryError('NODE_BACKUP_FAILED', `${host.address}: the backup ${f.backup} of ${f.path} does not read back identical; nothing was changed`, { subjects: { host: host.address, file: f.backup } });
      }
      log(`backed up ${f.path} to ${f.backup}`);
    } else {
      log(`kept the existing backup ${f.backup} of ${f.path}${existing.equals(f.original) ? '' : ' (from an earlier run: it differs from the current file)'}`);
    }
  }
  if (opts.signal?.aborted === true) {
    throw new FerryError('NODE_UPDATE_INTERRUPTED', `node ${node}: interrupted before any file was changed`, { subjects: { node, host: host.address }, exitCode: ExitCode.interrupted });
  }

  const written: WrittenFile[] = [];
  const restarted: NodeUnit[] = [];
  try {
    for (const f of planned) {
      written.push(f);
      const after = plan.files.find((p) => p.path === f.path)?.after as string;
      await host.writeFile(f.path, Buffer.from(after, encodings.get(f.path as NodeFilePath) ?? 'utf8'), { backupPath: f.backup });
      log(`wrote ${f.path}`);
    }
    const restartedAt = now();
    for (const unit of plan.units) {
      opts.signal?.throwIfAborted();
      restarted.push(unit);
      log(`restarting ${unit}`);
      // Failed before ferry came (e.g. an earlier attempt hit its start limit): systemd refuses a restart until then.
      if (statesBefore.get(unit) === 'failed') await host.service(unit, 'reset-failed');
      await host.service(unit, 'restart');
      await waitUnitActive(host, unit, unitWait);
      log(`${unit} is active`);
    }
    const readyAfterMs = await waitReady(restartedAt);
    const settleLeft = restartedAt + (opts.serviceSettleMs ?? 5_000) - now();
    if (settleLeft > 0) await sleep(settleLeft, opts.signal);
    for (const unit of restarted) await waitUnitActive(host, unit, { ...unitWait, timeoutMs: 0 });
    log(`node ${node} updated: ${plan.files.map((f) => f.path).join(', ')}`);
    return { node, changed: planned.map((f) => f.path), backups: planned.map((f) => ({ path: f.path, backup: f.backup })), restarted, alreadyUpToDate: false, readyAfterMs };
  } catch (cause) {
    return await restoreNode({ host, node, files: written, units: restarted, statesBefore, cause, log, unitWait });
  }
}
