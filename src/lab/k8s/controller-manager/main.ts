/**
 * `kube-controller-manager` in the lab (reached through lab-bin/kube-controller-manager, as the master's
 * kube-controller unit runs it: `kube-controller-manager $KUBE_MASTER $KUBE_CONTROLLER_OPTS`).
 *
 * Flags: --master (required), --version, --node-monitor-period (5s), --node-monitor-grace-period (40s),
 * --node-startup-grace-period (1m0s), --pod-eviction-timeout (5m0s), --cloud-provider (ignored). Others are
 * ignored with a warning. Runs until SIGTERM/SIGINT, then resolves 0; bad flags resolve 2 (common/program.ts).
 */
import { parseDurationFlag, parseMasterFlag, type FlagSpec } from '../common/flags.ts';
import { formatGoDuration } from '../common/go-duration.ts';
import { runControlPlaneProgram } from '../common/program.ts';
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

export function main(argv: readonly string[] = process.argv.slice(2), invokedAs: string | undefined = process.argv[1]): Promise<number> {
  return runControlPlaneProgram(
    {
      name: 'kube-controller-manager',
      flags: FLAGS,
      settings: (flags) => ({
        master: parseMasterFlag(flags),
        monitorPeriodMs: parseDurationFlag(flags, 'node-monitor-period', 5000),
        gracePeriodMs: parseDurationFlag(flags, 'node-monitor-grace-period', 40_000),
        startupGracePeriodMs: parseDurationFlag(flags, 'node-startup-grace-period', 60_000),
        podEvictionTimeoutMs: parseDurationFlag(flags, 'pod-eviction-timeout', 300_000),
      }),
      describe: (s) =>
        `master=${s.master} node-monitor-period=${formatGoDuration(s.monitorPeriodMs)} ` +
        `node-monitor-grace-period=${formatGoDuration(s.gracePeriodMs)} pod-eviction-timeout=${formatGoDuration(s.podEvictionTimeoutMs)}`,
      run: (s, ctx) => runControllerManager({ ...s, ...ctx }),
    },
    argv,
    invokedAs,
  );
}
