/**
 * `kube-controller-manager` in the lab (reached through lab-bin/kube-controller-manager, as the master's
 * kube-controller unit runs it: `kube-controller-manager $KUBE_MASTER $KUBE_CONTROLLER_OPTS`).
 *
 * Flags: --master (required), --version, --node-monitor-period (5s), --node-monitor-grace-period (40s),
 * --node-startup-grace-period (1m0s), --pod-eviction-timeout (5m0s), --cloud-provider (ignored). Others are
 * ignored with a warning. Runs until SIGTERM/SIGINT, then resolves 0; bad flags resolve 2.
 */
import { isFerryError, messageOf } from '../../../errors.ts';
import { KubeClient } from '../client.ts';
import { flagIsSet, parseDurationFlag, parseLenientFlags, parseMasterFlag, type FlagSpec } from '../common/flags.ts';
import { formatGoDuration } from '../common/go-duration.ts';
import { createLogger } from '../common/log.ts';
import { readProgramVersion } from '../common/version.ts';
import { runControllerManager } from './controller-manager.ts';

const FLAGS: FlagSpec = {
  version: 'bool',
  master: 'string',
  'node-monitor-period': 'string',
  'node-monitor-grace-period': 'string',
  'node-startup-grace-period': 'string',
  'pod-eviction-timeout': 'string',
  'cloud-provider': 'string',
};

export async function main(argv: readonly string[] = process.argv.slice(2), invokedAs: string | undefined = process.argv[1]): Promise<number> {
  const log = createLogger();
  const version = readProgramVersion(invokedAs);
  const flags = parseLenientFlags(argv, FLAGS);
  if (flagIsSet(flags, 'version')) {
    process.stdout.write(`Kubernetes v${version}\n`);
    return 0;
  }
  for (const warning of flags.warnings) log.warn(warning);
  let settings;
  try {
    settings = {
      master: parseMasterFlag(flags),
      monitorPeriodMs: parseDurationFlag(flags, 'node-monitor-period', 5000),
      gracePeriodMs: parseDurationFlag(flags, 'node-monitor-grace-period', 40_000),
      startupGracePeriodMs: parseDurationFlag(flags, 'node-startup-grace-period', 60_000),
      podEvictionTimeoutMs: parseDurationFlag(flags, 'pod-eviction-timeout', 300_000),
    };
  } catch (err) {
    process.stderr.write(`error: ${messageOf(err)}\n${isFerryError(err) && err.hint !== undefined ? `hint: ${err.hint}\n` : ''}`);
    return 2;
  }
  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  log.action(
    `kube-controller-manager v${version} (lab) started: master=${settings.master} node-monitor-period=${formatGoDuration(settings.monitorPeriodMs)} ` +
      `node-monitor-grace-period=${formatGoDuration(settings.gracePeriodMs)} pod-eviction-timeout=${formatGoDuration(settings.podEvictionTimeoutMs)}`,
  );
  const client = new KubeClient({ master: settings.master, userAgent: `kube-controller-manager/v${version} (lab)` });
  await runControllerManager({ ...settings, client, log, signal: stop.signal });
  log.action('kube-controller-manager stopped');
  return 0;
}
