/**
 * Entry point of the lab supervisor daemon: `node --import tsx supervisor-main.ts <labDir>`, started detached by
 * startSupervisor() (supervisor-client.ts). Its stdout and stderr go to `<labDir>/supervisor.log`.
 * SIGTERM / SIGINT / POST /v1/shutdown stop every unit before the process exits.
 */
import { messageOf } from '../../errors.ts';
import { runSupervisor } from './supervisor.ts';

async function main(): Promise<void> {
  const labDir = process.argv[2];
  if (labDir === undefined || labDir === '') {
    process.stderr.write('usage: supervisor-main.ts <labDir>\n');
    process.exit(2);
  }
  // Tuning knob for measurements: node agents per node runtime process (default 500).
  const perRuntime = Number(process.env['FERRY_LAB_AGENTS_PER_RUNTIME'] ?? '');
  const supervisor = await runSupervisor(labDir, Number.isInteger(perRuntime) && perRuntime > 0 ? { agentsPerRuntime: perRuntime } : {});
  const onSignal = (signal: NodeJS.Signals): void => {
    process.stdout.write(`${new Date().toISOString()} received ${signal}\n`);
    void supervisor.shutdown();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  process.on('SIGHUP', () => undefined); // detached: a closing terminal must not take the lab down
  process.on('uncaughtException', (err) => {
    // Do not leave etcd members behind without a supervisor: stop them, then exit.
    process.stderr.write(`${new Date().toISOString()} uncaught: ${messageOf(err)}\n`);
    void supervisor.shutdown().finally(() => process.exit(1));
  });
  // `closed` resolves once the socket is closed, i.e. after the shutdown request (if any) got its answer.
  await supervisor.closed;
  process.exit(0);
}

main().catch((err: unknown) => {
  process.stderr.write(`${new Date().toISOString()} lab supervisor failed: ${messageOf(err)}\n`);
  process.exit(1);
});
