/**
 * `kube-scheduler` in the lab (reached through lab-bin/kube-scheduler, as the master's kube-scheduler unit runs
 * it: `kube-scheduler $KUBE_MASTER $KUBE_SCHEDULER_OPTS`).
 *
 * Flags: --master (required), --version. Others are ignored with a warning. Runs until SIGTERM/SIGINT, then
 * resolves 0; bad flags resolve 2 (common/program.ts).
 */
import { parseMasterFlag, type FlagSpec } from '../common/flags.ts';
import { runControlPlaneProgram } from '../common/program.ts';
import { runScheduler } from './scheduler.ts';

const FLAGS: FlagSpec = { version: 'bool', master: 'string' };

export function main(argv: readonly string[] = process.argv.slice(2), invokedAs: string | undefined = process.argv[1]): Promise<number> {
  return runControlPlaneProgram(
    {
      name: 'kube-scheduler',
      flags: FLAGS,
      settings: (flags) => ({ master: parseMasterFlag(flags) }),
      describe: (s) => `master=${s.master}`,
      run: (_s, ctx) => runScheduler(ctx),
    },
    argv,
    invokedAs,
  );
}
