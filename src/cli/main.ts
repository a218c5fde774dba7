/**
 * ferry's command-line entry: dispatches to a command and maps every error to a documented exit code. The only
 * place that ends the process (docs/design/style.md §6).
 */
import { createInterface } from 'node:readline/promises';
import { ExitCode, FerryError } from '../errors.ts';
import { FERRY_VERSION } from '../version.ts';
import { HELP } from './help.ts';
import { computeColor, renderError, type Io } from './io.ts';
type Command = (argv: readonly string[], io: Io) => Promise<number>;

/** Each command's module, loaded when that command runs: `ferry --help` or `ferry status` load nothing else. */
const COMMANDS: Record<string, () => Promise<Command>> = {
  validate: async () => (await import('./commands/validate.ts')).cmdValidate,
  plan: async () => (await import('./commands/plan.ts')).cmdPlan,
  apply: async () => (await import('./commands/apply.ts')).cmdApply,
  resume: async () => (await import('./commands/apply.ts')).cmdResume,
  rollback: async () => (await import('./commands/rollback.ts')).cmdRollback,
  status: async () => (await import('./commands/status.ts')).cmdStatus,
  lab: async () => (await import('./commands/lab.ts')).cmdLab,
  node: async () => (await import('./commands/node.ts')).cmdNode,
  demo: async () => (await import('./commands/demo.ts')).cmdDemo,
  serve: async () => (await import('./commands/serve.ts')).cmdServe,
  completion: async () => (await import('./commands/completion.ts')).cmdCompletion,
  discover: async () => (await import('./commands/discover.ts')).cmdDiscover,
  report: async () => (await import('./commands/report.ts')).cmdReport,
  'restore-check': async () => (await import('./commands/restore-check.ts')).cmdRestoreCheck,
};

export function makeIo(argv: readonly string[]): Io {
  const isTty = process.stdout.isTTY === true;
  return {
    out: (t) => void process.stdout.write(t),
    err: (t) => void process.stderr.write(t),
    color: computeColor({ stdoutIsTty: isTty, stderrIsTty: process.stderr.isTTY === true, env: process.env, argv }),
    isTty,
    env: process.env,
    ...(process.stdin.isTTY === true
      ? {
          confirm: async (q: string) => {
            const rl = createInterface({ input: process.stdin, output: process.stdout });
            try {
              return /^y(es)?$/i.test((await rl.question(`${q} [y/N] `)).trim());
            } finally {
              rl.close();
            }
          },
        }
      : {}),
  };
}

export async function runCli(argv: readonly string[], io: Io): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' ? rest[0] : undefined;
    io.out(HELP[topic ?? 'ferry'] ?? HELP['ferry'] ?? '');
    return ExitCode.ok;
  }
  if (name === '--version' || name === 'version') {
    io.out(`ferry ${FERRY_VERSION}\n`);
    return ExitCode.ok;
  }
  const load = COMMANDS[name];
  if (load === undefined) {
    io.err(renderError(io, new FerryError('CLI_USAGE', `unknown command ${JSON.stringify(name)}`, { hint: 'ferry --help lists the commands', exitCode: ExitCode.badInput })));
    return ExitCode.badInput;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(HELP[name] ?? '');
    return ExitCode.ok;
  }
  try {
    const command = await load();
    return await command(rest, io);
  } catch (err) {
    io.err(renderError(io, err));
    if (err instanceof FerryError) return err.exitCode;
    return ExitCode.failedRolledBack;
  }
}

export async function main(argv: readonly string[]): Promise<void> {
  const code = await runCli(argv, makeIo(argv));
  // gRPC channels and timers may keep the event loop alive; ferry is done, so it ends here.
  process.exit(code);
}
