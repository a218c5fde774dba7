/**
 * `kube-scheduler` in the lab (reached through lab-bin/kube-scheduler, as the master's kube-scheduler unit runs
 * it: `kube-scheduler $KUBE_MASTER $KUBE_SCHEDULER_OPTS`).
 *
 * Flags: --master (required), --version. Others are ignored with a warning. Runs until SIGTERM/SIGINT, then
 * resolves 0; bad flags resolve 2.
 */
import { isFerryError, messageOf } from '../../../errors.ts';
import { KubeClient } from '../client.ts';
import { flagIsSet, parseLenientFlags, parseMasterFlag, type FlagSpec } from '../common/flags.ts';
import { createLogger } from '../common/log.ts';
import { readProgramVersion } from '../common/version.ts';
import { runScheduler } from './scheduler.ts';

const FLAGS: FlagSpec = { version: 'bool', master: 'string' };

export async function main(argv: readonly string[] = process.argv.slice(2), invokedAs: string | undefined = process.argv[1]): Promise<number> {
  const log = createLogger();
  const version = readProgramVersion(invokedAs);
  const flags = parseLenientFlags(argv, FLAGS);
  if (flagIsSet(flags, 'version')) {
    process.stdout.write(`Kubernetes v${version}\n`);
    return 0;
  }
  for (const warning of flags.warnings) log.warn(warning);
  let master: string;
  try {
    master = parseMasterFlag(flags);
  } catch (err) {
    process.stderr.write(`error: ${messageOf(err)}\n${isFerryError(err) && err.hint !== undefined ? `hint: ${err.hint}\n` : ''}`);
    return 2;
  }
  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  log.action(`kube-scheduler v${version} (lab) started: master=${master}`);
  const client = new KubeClient({ master, userAgent: `kube-scheduler/v${version} (lab)` });
  await runScheduler({ client, log, signal: stop.signal });
  log.action('kube-scheduler stopped');
  return 0;
}
