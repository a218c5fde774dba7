/**
 * `ferry node update-config --dry-run`: what the update would change on this node, read without changing anything.
 * The same reading and the same pure computation (changes.ts) as the update itself, stopped before the first
 * backup: the files it would rewrite (each key, old → new), the backups it would write, the services it would
 * restart and the master the node must then be Ready on.
 */
import type { Host } from '../ports/host.ts';
import { buildBackupPath } from './repoint-node.ts';
import { buildNodeChanges, NODE_FILES, validateNodeTarget, type NodeChange, type NodeFileTexts, type NodeUnit, type RepointTarget } from './changes.ts';

export interface RepointPreview {
  readonly dryRun: true;
  readonly host: string;
  /** From --hostname-override, else `hostname` (as the kubelet names its node). */
  readonly node: string;
  readonly alreadyUpToDate: boolean;
  readonly changes: readonly NodeChange[];
  readonly backups: readonly { readonly path: string; readonly backup: string }[];
  readonly restart: readonly NodeUnit[];
  /** Where the node must then be Ready. */
  readonly readyMaster: string;
  readonly warnings: readonly string[];
}

/** Bytes that are not UTF-8 are read through latin1, as the update does, so the comparison is the update's. */
function decode(buf: Buffer): string {
  const text = buf.toString('utf8');
  return Buffer.from(text, 'utf8').equals(buf) ? text : buf.toString('latin1');
}

export async function readRepointPreview(host: Host, target: RepointTarget, backupDir: string): Promise<RepointPreview> {
  validateNodeTarget(target);
  const texts: Partial<Record<string, string>> = {};
  for (const path of Object.values(NODE_FILES)) {
    const buf = await host.readFile(path);
    if (buf !== undefined) texts[path] = decode(buf);
  }
  const plan = buildNodeChanges(texts as NodeFileTexts, target);
  const node = plan.nodeName ?? (await host.run(['hostname'])).stdout.trim().toLowerCase();
  return {
    dryRun: true,
    host: host.address,
    node,
    alreadyUpToDate: plan.files.length === 0,
    changes: plan.changes,
    backups: plan.files.map((f) => ({ path: f.path, backup: buildBackupPath(backupDir, f.path) })),
    restart: plan.units,
    readyMaster: plan.readyMasterURL,
    warnings: plan.warnings,
  };
}

export function renderRepointPreview(p: RepointPreview): string {
  const show = (v: string | undefined) => (v === undefined ? '(missing: appended)' : JSON.stringify(v));
  const lines = [`dry run on ${p.host}: node ${p.node}${p.alreadyUpToDate ? ' is already up to date: nothing would change, nothing would restart' : ''}`];
  for (const w of p.warnings) lines.push(`warning: ${w}`);
  for (const c of p.changes) lines.push(`  would change ${c.path}: ${c.key} ${show(c.before)} → ${JSON.stringify(c.after)}`);
  for (const b of p.backups) lines.push(`  would back up ${b.path} to ${b.backup} (an existing backup is kept)`);
  if (!p.alreadyUpToDate) lines.push(`  would restart ${p.restart.join(', ') || '(nothing)'}, each then checked active`);
  lines.push(`  would wait until node ${p.node} is Ready on ${p.readyMaster}`);
  lines.push('nothing was changed.');
  return `${lines.join('\n')}\n`;
}
