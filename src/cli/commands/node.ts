/**
 * `ferry node update-config`: repoint the node ferry runs on (or a lab node, --lab-host) at a new master and/or
 * etcd cluster — runbook step 5, the job of update_node_configs.sh. Exit codes: 0 ok (or already up to date),
 * 1 failed and rolled back (`Rollback finished` printed), 2 bad input, 3 rollback failed, 130 interrupted before
 * any change.
 */
import { inputError } from '../../errors.ts';
import { checkDataDir } from '../../inventory/path-rules.ts';
import { isValidLabAddress, openLabHost } from '../../lab/face.ts';
import { resolveLabDir } from '../../home.ts';
import type { Host } from '../../ports/host.ts';
import { LocalHost } from '../../adapters/hosts/local.ts';
import { applyRepoint, DEFAULT_NODE_BACKUP_DIR } from '../../repoint/repoint-node.ts';
import { readRepointPreview, renderRepointPreview } from '../../repoint/preview.ts';
import { createNodeReadyWaiter } from '../../repoint/wait-ready.ts';
import { outputFormat, parseCommand } from '../args.ts';
import { withInterrupt } from '../interrupt.ts';
import { bold, dim, green, renderData, type Io } from '../io.ts';

function timeoutMsOf(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const seconds = Number(raw);
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw inputError('CLI_USAGE', `ferry node update-config: --timeout must be a number of seconds above 0, not ${JSON.stringify(raw)}`, { hint: 'e.g. --timeout 120' });
  }
  return Math.round(seconds * 1000);
}

export async function cmdNode(argv: readonly string[], io: Io): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub !== 'update-config') {
    throw inputError('CLI_USAGE', `ferry node: unknown subcommand ${JSON.stringify(sub ?? '')}`, { hint: 'ferry node update-config --master URL --etcd LIST' });
  }
  const { values } = parseCommand('node', rest, 'update-config');
  const fmt = outputFormat('node update-config', values.output);
  const readyTimeoutMs = timeoutMsOf(values.timeout);
  const labHost = values['lab-host'];
  if (values['lab-dir'] !== undefined && labHost === undefined) {
    throw inputError('CLI_USAGE', 'ferry node update-config: --lab-dir needs --lab-host', { hint: 'without --lab-host ferry changes THIS machine' });
  }
  const backupDir = values['backup-dir'] ?? DEFAULT_NODE_BACKUP_DIR;
  if (!backupDir.startsWith('/')) throw inputError('CLI_USAGE', `ferry node update-config: --backup-dir must be an absolute path on the node, not ${JSON.stringify(backupDir)}`, { hint: `e.g. --backup-dir ${DEFAULT_NODE_BACKUP_DIR}` });
  const backupProblem = checkDataDir(backupDir);
  if (backupProblem !== undefined) {
    throw inputError('CLI_USAGE', `ferry node update-config: --backup-dir ${JSON.stringify(backupDir)} ${backupProblem.replace(/ferry archives.*?, so it/, 'backups go into it, so it')}`, { hint: `e.g. --backup-dir ${DEFAULT_NODE_BACKUP_DIR}` });
  }
  if (labHost !== undefined && !isValidLabAddress(labHost)) {
    throw inputError('CLI_USAGE', `ferry node update-config: --lab-host ${JSON.stringify(labHost)} is not a lab host address`, { hint: 'give the address of a lab node, e.g. --lab-host 127.17.33.39' });
  }

  const host: Host = labHost !== undefined ? await openLabHost(resolveLabDir(values['lab-dir'], io.env), labHost) : new LocalHost();
  // Progress goes to stdout (operators grep it for `Rollback finished`), or to stderr when stdout carries data.
  const print = fmt === 'text' ? io.out : io.err;
  const log = (line: string): void => print(`${line === 'Rollback finished' ? bold(io, line) : line}\n`);
  try {
    if (values['dry-run'] === true) {
      const target = { ...(values.master !== undefined ? { master: values.master } : {}), ...(values.etcd !== undefined ? { etcd: values.etcd } : {}) };
      const preview = await readRepointPreview(host, target, backupDir);
      io.out(fmt === 'text' ? renderRepointPreview(preview) : renderData(fmt, preview));
      return 0;
    }
    const result = await withInterrupt(io, (signal) =>
      applyRepoint(host, {
        ...(values.master !== undefined ? { master: values.master } : {}),
        ...(values.etcd !== undefined ? { etcd: values.etcd } : {}),
        backupDir,
        waitReady: createNodeReadyWaiter(),
        ...(readyTimeoutMs !== undefined ? { readyTimeoutMs } : {}),
        log,
        signal,
      }),
    );
    if (fmt !== 'text') {
      io.out(renderData(fmt, result));
      return 0;
    }
    if (result.alreadyUpToDate) io.out(green(io, `node ${result.node}: already up to date and Ready`) + '\n');
    else {
      io.out(green(io, `node ${result.node}: updated and Ready after ${(result.readyAfterMs / 1000).toFixed(1)} s`) + '\n');
      io.out(`  changed:   ${result.changed.join(', ')}\n  restarted: ${result.restarted.join(', ') || '(nothing)'}\n`);
      io.out(dim(io, `  backups:   ${result.backups.map((b) => b.backup).join(', ')}`) + '\n');
    }
    return 0;
  } finally {
    await host.close();
  }
}
