/**
 * `ferry serve`: the dashboard for every run under $FERRY_HOME/runs, opening the given (or newest) run, until
 * SIGINT or SIGTERM. Also the `--ui` of `ferry apply` and `ferry resume`: the same server, in-process, for the run.
 * The URL printed carries the access token: it is printed once, to the operator, and nowhere else.
 */
import { isIP } from 'node:net';
import { inputError } from '../../errors.ts';
import { resolveRunsDir } from '../../home.ts';
import { DEFAULT_DASHBOARD_ADDRESS, startDashboard, type DashboardServer } from '../../dashboard/server.ts';
import { readDashboardRun } from '../../dashboard/runs.ts';
import { parseCommand } from '../args.ts';
import { bold, dim, yellow, type Io } from '../io.ts';

interface DashboardFlags {
  readonly port?: string | boolean | undefined;
  readonly address?: string | boolean | undefined;
}

function checkPort(command: string, value: string | boolean | undefined): number {
  if (value === undefined) return 0;
  const n = Number(value);
  if (typeof value !== 'string' || !/^\d+$/.test(value) || n > 65535) {
    throw inputError('CLI_USAGE', `ferry ${command}: --port must be a TCP port (0–65535; 0 picks a free one), not ${JSON.stringify(value)}`, { hint: 'leave --port out for a free port' });
  }
  return n;
}

function checkAddress(command: string, value: string | boolean | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || isIP(value) === 0) {
    throw inputError('CLI_USAGE', `ferry ${command}: --address must be an IP address of this machine, not ${JSON.stringify(value)}`, {
      hint: 'leave --address out: the dashboard then listens on 127.0.0.1 only',
    });
  }
  return value;
}

/** Start the dashboard and print its URL (the only line with the token), and a warning when it is not on loopback. */
export async function startDashboardFromFlags(io: Io, command: string, flags: DashboardFlags, defaultRunId?: () => string | undefined): Promise<DashboardServer> {
  const port = checkPort(command, flags.port);
  const address = checkAddress(command, flags.address);
  const server = await startDashboard({
    runsDir: resolveRunsDir(io.env),
    port,
    ...(address !== undefined ? { address } : {}),
    ...(defaultRunId !== undefined ? { defaultRunId } : {}),
  });
  if (server.address !== DEFAULT_DASHBOARD_ADDRESS) {
    io.err(yellow(io, `warning: the dashboard listens on ${server.address}, not only on this machine's loopback: anyone who can reach that address and has the URL can watch the runs`) + '\n');
  }
  io.out(`${bold(io, 'dashboard:')} ${server.url}\n`);
  return server;
}

/** Resolves at the first SIGINT or SIGTERM. */
export function waitForStopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (sig: NodeJS.Signals) => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve(sig);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}

export async function cmdServe(argv: readonly string[], io: Io): Promise<number> {
  const { values } = parseCommand('serve', argv);
  const runsDir = resolveRunsDir(io.env);
  const runId = values.run;
  if (runId !== undefined && readDashboardRun(runsDir, runId) === undefined) {
    throw inputError('RUN_NOT_FOUND', `no run ${runId} in ${runsDir}`, { hint: 'list runs with `ferry status --all`, or leave --run out to open the newest' });
  }
  const server = await startDashboardFromFlags(io, 'serve', values, runId !== undefined ? () => runId : undefined);
  io.out(dim(io, `serving the runs in ${runsDir}; Ctrl-C stops\n`));
  const sig = await waitForStopSignal();
  await server.stop();
  io.out(dim(io, `${sig}: dashboard stopped\n`));
  return 0;
}

/** The dashboard of `ferry apply --ui` / `ferry resume --ui`: started before the run, stopped (or kept) after it. */
export interface RunUi {
  /**
   * After the run: on a terminal, keep serving until Ctrl-C (saying so) so the finished run can still be read;
   * otherwise stop now. Returns `exitCode` unchanged.
   */
  finish(exitCode: number): Promise<number>;
  /** Stop serving (idempotent): for the paths that leave without finish(). */
  stop(): Promise<void>;
}

type UiFlags = DashboardFlags & { readonly ui?: boolean | string | undefined };

/** Refuse --port/--address without --ui, or with a bad value, before anything else happens. */
export function checkUiFlags(command: string, flags: UiFlags): void {
  if (flags.ui !== true && (flags.port !== undefined || flags.address !== undefined)) {
    throw inputError('CLI_USAGE', `ferry ${command}: --port and --address are options of --ui`, { hint: `ferry ${command} … --ui --port 8080` });
  }
  checkPort(command, flags.port);
  checkAddress(command, flags.address);
}

export async function startRunUi(io: Io, command: string, flags: UiFlags, runId: string): Promise<RunUi | undefined> {
  checkUiFlags(command, flags);
  if (flags.ui !== true) return undefined;
  const server = await startDashboardFromFlags(io, command, flags, () => runId);
  return {
    finish: async (exitCode) => {
      if (io.isTty) {
        io.out(dim(io, `the dashboard keeps serving run ${runId} at the URL above; Ctrl-C stops it\n`));
        await waitForStopSignal();
      }
      await server.stop();
      return exitCode;
    },
    stop: () => server.stop(),
  };
}
