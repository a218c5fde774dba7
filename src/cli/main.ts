/**
 * ferry's command-line entry: dispatches to a command and maps every error to a documented exit code. The only
 * place that ends the process (docs/design/style.md §6).
 */
import { createInterface } from 'node:readline/promises';
import { ExitCode, FerryError } from '../errors.ts';
import { FERRY_VERSION } from '../version.ts';
import { HELP } from './help.ts';
import { computeColor, renderError, type Io } from './io.ts';
import { cmdValidate } from './commands/validate.ts';
import { cmdPlan } from './commands/plan.ts';
import { cmdApply, cmdResume } from './commands/apply.ts';
import { cmdStatus } from './commands/status.ts';
import { cmdLab } from './commands/lab.ts';
import { cmdDemo } from './commands/demo.ts';
import { cmdRollback } from './commands/rollback.ts';
import { cmdNode } from './commands/node.ts';
import { cmdServe } from './commands/serve.ts';
import { cmdCompletion } from './commands/completion.ts';
import { cmdDiscover } from './commands/discover.ts';
import { cmdReport } from './commands/report.ts';

type Command = (argv: readonly string[], io: Io) => Promise<number>;
const COMMANDS: Record<string, Command> = {
  validate: cmdValidate,
  plan: cmdPlan,
  apply: cmdApply,
  resume: cmdResume,
  rollback: cmdRollback,
  status: cmdStatus,
  lab: cmdLab,
  node: cmdNode,
  demo: cmdDemo,
  serve: cmdServe,
  completion: cmdCompletion,
  discover: cmdDiscover,
  report: cmdReport,
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
  const command = COMMANDS[name];
  if (command === undefined) {
    io.err(renderError(io, new FerryError('CLI_USAGE', `unknown command ${JSON.stringify(name)}`, { hint: 'ferry --help lists the commands', exitCode: ExitCode.badInput })));
    return ExitCode.badInput;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(HELP[name] ?? '');
    return ExitCode.ok;
  }
  try {
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
