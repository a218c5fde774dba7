/**
 * `ferry restore-check`: restore a backup (a run's snapshot and v2 dump, or files given) into a scratch member on
 * this machine and compare it with the live cluster (src/app/restore-check.ts). Exit 0: verified; 1: not verified
 * (each check says why); 2: bad input.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { inputError } from '../../errors.ts';
import { readInventory } from '../../inventory/load.ts';
import type { Inventory } from '../../inventory/types.ts';
import { buildDeps } from '../../app/deps.ts';
import { runRestoreCheck, type RestoreCheckInput, type RestoreCheckReport } from '../../app/restore-check.ts';
import { loadRun } from '../../app/session.ts';
import { readJournal } from '../../run/journal.ts';
import { JOURNAL_FILE } from '../../run/run-dir.ts';
import { outputFormat, parseCommand } from '../args.ts';
import { bold, dim, green, red, renderData, type Io } from '../io.ts';

/** What the run's snapshot step recorded: the last finished save-snapshot and dump-v2-store. */
function findRunBackup(runDir: string): { snapshot?: string; snapshotSha256?: string; v2Dump?: string; v2DumpSha256?: string } {
  const found: { snapshot?: string; snapshotSha256?: string; v2Dump?: string; v2DumpSha256?: string } = {};
  for (const e of readJournal(join(runDir, JOURNAL_FILE)).events) {
    if (e.type !== 'action-finished' || e.stepId !== 'etcd.snapshot' || e.result === undefined) continue;
    const { path, sha256 } = e.result;
    if (typeof path !== 'string' || typeof sha256 !== 'string') continue;
    if (e.action === 'save-snapshot') Object.assign(found, { snapshot: path, snapshotSha256: sha256 });
    if (e.action === 'dump-v2-store') Object.assign(found, { v2Dump: path, v2DumpSha256: sha256 });
  }
  return found;
}

function renderReport(r: RestoreCheckReport, io: Io): string {
  const lines = [bold(io, `Backup ${r.snapshot}${r.v2Dump !== undefined ? ` + ${r.v2Dump}` : ''}`)];
  for (const c of r.checks) lines.push(`  ${c.ok ? green(io, '✓') : red(io, '✗')} ${c.name}: ${c.detail}`);
  lines.push(r.verified ? green(io, 'verified: the backup restores, and holds what the cluster held') : red(io, 'NOT verified: see the checks marked ✗'));
  return `${lines.join('\n')}\n`;
}

export async function cmdRestoreCheck(argv: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = parseCommand('restore-check', argv);
  const fmt = outputFormat('restore-check', values.output);
  let snapshot = positionals[0];
  let v2Dump = values['v2-dump'];
  let expected: RestoreCheckInput['expected'];
  let inventory: Inventory | undefined;
  if (snapshot === undefined || values.run !== undefined) {
    if (snapshot !== undefined) throw inputError('CLI_USAGE', 'ferry restore-check: give a SNAPSHOT file or --run RUN, not both', { hint: 'ferry restore-check --run RUN' });
    const run = loadRun(values.run, io.env);
    const backup = findRunBackup(run.runDir);
    if (backup.snapshot === undefined) {
      throw inputError('RESTORE_CHECK_INPUT', `run ${run.runId} took no snapshot`, { hint: 'a run takes its snapshot before its first etcd change; give a snapshot file instead', subjects: { run: run.runId } });
    }
    snapshot = backup.snapshot;
    v2Dump ??= backup.v2Dump;
    expected = { snapshotSha256: backup.snapshotSha256, ...(backup.v2DumpSha256 !== undefined && v2Dump === backup.v2Dump ? { v2DumpSha256: backup.v2DumpSha256 } : {}) };
    inventory = run.inventory;
  }
  if (values.file !== undefined) inventory = (await readInventory(values.file)).inventory;
  for (const f of [snapshot, ...(v2Dump !== undefined ? [v2Dump] : [])]) {
    if (!existsSync(f)) throw inputError('RESTORE_CHECK_INPUT', `no file at ${f}`, { subjects: { file: f }, hint: 'give the etcd-before-*.db (and etcd-v2-before-*.json) of a run folder’s snapshots/, or --run RUN' });
  }
  const binDir = values['bin-dir'] ?? '/usr/bin';
  for (const b of ['etcd', 'etcdctl']) {
    if (!existsSync(join(binDir, b))) throw inputError('RESTORE_CHECK_INPUT', `no ${b} in ${binDir}: the scratch member needs etcd and etcdctl on this machine`, { hint: 'install Debian’s etcd-server and etcd-client, or give --bin-dir DIR' });
  }
  const deps = inventory !== undefined ? buildDeps(inventory, io.env) : undefined;
  try {
    const live = inventory !== undefined && deps !== undefined ? { admin: deps.etcd, endpoints: [...inventory.etcd.new, ...inventory.etcd.old].map((m) => m.clientURL) } : undefined;
    const report = await runRestoreCheck({
      snapshot,
      ...(v2Dump !== undefined ? { v2Dump } : {}),
      ...(live !== undefined ? { live } : {}),
      ...(expected !== undefined ? { expected } : {}),
      binDir,
      timeoutMs: 30_000,
      log: (l) => io.err(dim(io, l) + '\n'),
    });
    if (fmt !== 'text') io.out(renderData(fmt, report));
    else io.out(renderReport(report, io));
    return report.verified ? 0 : 1;
  } finally {
    await deps?.close();
  }
}
