/**
 * Undoing a failed node update, as the runbook describes update_node_configs.sh doing it: put back every changed
 * file byte for byte (and read it back to prove it), restart the same services, print `Rollback finished` — the
 * line operators look for. Runs to the end even when the update was interrupted: the cancel that caused a rollback
 * must not cancel the rollback (nothing here takes the caller's signal).
 */
import { ExitCode, FerryError, isFerryError, messageOf } from '../errors.ts';
import type { Host, ServiceState } from '../ports/host.ts';
import type { NodeUnit } from './changes.ts';
import { waitUnitActive, type UnitWaitOptions } from './unit-active.ts';

export interface WrittenFile {
  readonly path: string;
  /** The bytes read at the start of this run: what the file must hold again. */
  readonly original: Buffer;
  readonly backup: string;
}

export interface NodeRestoreInput {
  readonly host: Host;
  readonly node: string;
  /** Files whose write was attempted, in write order. */
  readonly files: readonly WrittenFile[];
  /** Units whose restart was attempted, in restart order. */
  readonly units: readonly NodeUnit[];
  /** States before ferry touched anything: a unit that was already down is not expected to come back. */
  readonly statesBefore: ReadonlyMap<string, ServiceState>;
  readonly cause: unknown;
  readonly log: (line: string) => void;
  readonly unitWait: UnitWaitOptions;
}

async function restoreFile(host: Host, f: WrittenFile, log: (line: string) => void): Promise<string | undefined> {
  try {
    // A write that failed left the file as it was (writes are atomic): nothing to put back.
    if ((await host.readFile(f.path))?.equals(f.original) === true) return undefined;
    // The backup holds the same bytes unless an earlier run's backup was kept (the first backup is never
    // overwritten); then it is older than this run, and this run's starting bytes are what must come back.
    const fromBackup = await host.readFile(f.backup).catch(() => undefined);
    const source = fromBackup?.equals(f.original) === true ? `backup ${f.backup}` : 'the copy read at the start of this run';
    await host.writeFile(f.path, f.original);
    const back = await host.readFile(f.path);
    if (back === undefined || !back.equals(f.original)) return `${f.path}: read back after the restore, it differs from the original`;
    log(`restored ${f.path} from ${source}`);
    return undefined;
  } catch (err) {
    return `${f.path}: ${messageOf(err)}`;
  }
}

/** Always throws: NODE_UPDATE_ROLLED_BACK (exit 1) when everything is back, NODE_ROLLBACK_FAILED (exit 3) otherwise. */
export async function restoreNode(r: NodeRestoreInput): Promise<never> {
  const { host, log } = r;
  log(`update of node ${r.node} failed: ${messageOf(r.cause)}`);
  log('rolling back');
  const problems: string[] = [];
  for (const f of [...r.files].reverse()) {
    const problem = await restoreFile(host, f, log);
    if (problem !== undefined) problems.push(problem);
  }
  for (const unit of r.units) {
    const before = r.statesBefore.get(unit) ?? 'unknown';
    try {
      log(`restarting ${unit}`);
      // A unit that crashed after the update may have hit its start limit (Restart=on-failure, several crashes in a
      // few seconds): systemd then refuses `restart` ("Start request repeated too quickly") until reset-failed.
      await host.service(unit, 'reset-failed').catch(() => undefined);
      await host.service(unit, 'restart');
      await waitUnitActive(host, unit, r.unitWait);
    } catch (err) {
      if (before === 'active') problems.push(`${unit}: ${messageOf(err)}`);
      else log(`${unit} is not active after the rollback either; it was ${before} before ferry started: ${messageOf(err)}`);
    }
  }
  const subjects = { node: r.node, host: host.address };
  if (problems.length > 0) {
    log(`ROLLBACK FAILED: ${problems.join('; ')}`);
    throw new FerryError('NODE_ROLLBACK_FAILED', `node ${r.node}: the update failed (${messageOf(r.cause)}) and so did the rollback: ${problems.join('; ')}`, {
      hint:
        `restore by hand on ${host.address}: ${r.files.map((f) => `cp -p ${f.backup} ${f.path}`).join(' && ') || '(no file was changed)'}` +
        `, then systemctl restart ${r.units.join(' ') || 'flanneld kubelet kube-proxy'}`,
      subjects: { ...subjects, files: r.files.map((f) => f.path).join(','), backups: r.files.map((f) => f.backup).join(',') },
      exitCode: ExitCode.rollbackFailed,
      cause: r.cause,
    });
  }
  log('Rollback finished');
  throw new FerryError('NODE_UPDATE_ROLLED_BACK', `node ${r.node}: the update failed and was rolled back: ${messageOf(r.cause)}`, {
    hint: `${isFerryError(r.cause) && r.cause.hint !== undefined ? `${r.cause.hint.replace(/\.$/, '')}. ` : ''}The node is back on its old configuration; fix the cause and run again.`,
    subjects,
    exitCode: ExitCode.failedRolledBack,
    cause: r.cause,
  });
}
