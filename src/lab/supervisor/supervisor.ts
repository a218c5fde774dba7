/**
 * The lab supervisor: the lab's stand-in for systemd. One long-lived Node process per lab (supervisor-main.ts),
 * serving HTTP/JSON on `<labDir>/supervisor.sock`. Units are keyed by (host address, unit name):
 *   POST /v1/hosts/:host/units/:unit/start|stop|restart|reset-failed   → UnitStatus (stop returns once the process exited)
 *   POST /v1/hosts/:host/units/:unit/kill?signal=SIGKILL  → UnitStatus (`systemctl kill`; returns at once)
 *   GET  /v1/hosts/:host/units/:unit                      → UnitStatus
 *   GET  /v1/units                                        → { units: UnitStatus[] }
 *   GET  /v1/health                                       → { pid }
 *   POST /v1/shutdown                                     → stops every unit, answers, then the process exits
 * Errors answer `{ error: { code, message, hint, subjects } }` (FerryError.toJSON) with 404 for an unknown host or
 * unit file, 400 for a bad unit file, 500 otherwise; supervisor-client.ts turns them back into FerryErrors.
 *
 * Units whose program is a node-program shim (kubelet, kube-proxy, flanneld) run as agents in shared node runtime
 * processes (node-runtime/pool.ts), so a thousand lab nodes fit on a small machine; their status shows the
 * runtime's pid.
 */
import { renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { FerryError, isFerryError, messageOf } from '../../errors.ts';
import { NodeRuntimePool } from '../node-runtime/pool.ts';
import { buildHostRoot, buildLabPaths, isValidLabAddress } from '../paths.ts';
import type { SupervisorPids } from '../setup/state.ts';
import { createUnitLauncher } from './unit-launch.ts';
import { LabUnit, type UnitStatus } from './unit-process.ts';

const STATUS_BY_CODE: Readonly<Record<string, number>> = {
  LAB_HOST_UNKNOWN: 404,
  LAB_UNIT_NOT_FOUND: 404,
  LAB_UNIT_INVALID: 400,
  LAB_BAD_REQUEST: 400,
  LAB_SHUTTING_DOWN: 503,
};

/** How long a unit gets after SIGTERM when the whole lab shuts down. */
const SHUTDOWN_KILL_AFTER_MS = 2_000;
/** Node-agent units stopped at once during a shutdown (they only need a message to their runtime). */
const SHUTDOWN_AGENT_CONCURRENCY = 64;
/** The pid file is rewritten at most this often (thousands of node units change state during `lab up`). */
const PID_FILE_DELAY_MS = 200;

const UNIT_PATH = /^\/v1\/hosts\/([^/]+)\/units\/([^/]+?)(?:\/(start|stop|restart|reset-failed|kill))?$/;
const SIGNAL_NAME = /^SIG[A-Z0-9]+$/;

function log(line: string): void {
  process.stdout.write(`${new Date().toISOString()} ${line}\n`);
}

export interface RunningSupervisor {
  /** Resolves when the supervisor has shut down (every unit stopped, socket closed). */
  readonly closed: Promise<void>;
  /** Stop every unit (resolves then) and close the socket (then `closed` resolves). */
  shutdown(): Promise<void>;
}

export interface SupervisorOptions {
  /** Node agents per node runtime process; default 500. */
  readonly agentsPerRuntime?: number;
}

export async function runSupervisor(labDir: string, options: SupervisorOptions = {}): Promise<RunningSupervisor> {
  const paths = buildLabPaths(labDir);
  const units = new Map<string, LabUnit>();
  const pool = new NodeRuntimePool({ labDir, ...(options.agentsPerRuntime !== undefined ? { capacity: options.agentsPerRuntime } : {}), log });
  const launch = createUnitLauncher(pool);
  let pidTimer: NodeJS.Timeout | undefined;
  let shuttingDown: Promise<void> | undefined;
  let resolveClosed: () => void = () => undefined;
  const closed = new Promise<void>((resolve) => {
    resolveClosed = resolve;
  });

  const writePids = (): void => {
    if (pidTimer !== undefined) clearTimeout(pidTimer);
    pidTimer = undefined;
    const pids: Record<string, number> = {};
    for (const [key, unit] of units) {
      const pid = unit.status().pid;
      if (pid !== null) pids[key] = pid;
    }
    const state: SupervisorPids = { supervisorPid: process.pid, units: pids, runtimes: pool.pids() };
    const tmp = `${paths.supervisorStateFile}.tmp`;
    try {
      writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`);
      renameSync(tmp, paths.supervisorStateFile);
    } catch (err) {
      // Called from process exit handlers: log, never throw (the pid file only serves emergency cleanup).
      log(`cannot write ${paths.supervisorStateFile}: ${messageOf(err)}`);
    }
  };
  const schedulePidWrite = (): void => {
    pidTimer ??= setTimeout(writePids, PID_FILE_DELAY_MS);
  };

  const unitFor = (host: string, unitName: string): LabUnit => {
    const name = unitName.endsWith('.service') ? unitName.slice(0, -'.service'.length) : unitName;
    if (!/^[A-Za-z0-9:_.@-]+$/.test(name) || name.includes('..')) {
      throw new FerryError('LAB_BAD_REQUEST', `invalid unit name "${unitName}"`);
    }
    const root = buildHostRoot(labDir, host);
    if (!isValidLabAddress(host) || !statSync(root, { throwIfNoEntry: false })?.isDirectory()) {
      throw new FerryError('LAB_HOST_UNKNOWN', `${host} is not a host of this lab (${labDir})`, {
        hint: 'Use an address from the lab inventory; `ferry lab status` lists the hosts.',
        subjects: { host },
      });
    }
    const key = `${host}/${name}`;
    let unit = units.get(key);
    if (unit === undefined) {
      unit = new LabUnit({ host, unit: name, root, onChange: schedulePidWrite, launch });
      units.set(key, unit);
    }
    return unit;
  };

  const shutdown = (): Promise<void> => {
    shuttingDown ??= (async () => {
      log(`shutting down: stopping ${units.size} unit(s)`);
      // In reverse start order, as systemd stops what depends on a service before the service: node agents first
      // (many at a time: each stop is a message to its runtime), then the rest one at a time, so a stopping etcd
      // leader can hand over to a live peer (quick). Once quorum is lost, a leader spends ~7 s trying to hand
      // over before it exits; the lab is going away, so SIGKILL it sooner.
      const reversed = [...units.values()].reverse();
      const pids = new Set(pool.pids());
      const agents = reversed.filter((u) => pids.has(u.status().pid ?? -1));
      for (let i = 0; i < agents.length; i += SHUTDOWN_AGENT_CONCURRENCY) {
        await Promise.all(agents.slice(i, i + SHUTDOWN_AGENT_CONCURRENCY).map((u) => u.stop(SHUTDOWN_KILL_AFTER_MS).catch(() => undefined)));
      }
      for (const unit of reversed) await unit.stop(SHUTDOWN_KILL_AFTER_MS).catch(() => undefined);
      await pool.shutdown();
      writePids();
      // Not awaited: the connection asking for the shutdown is still waiting for its answer.
      server.close(() => {
        rmSync(paths.socketPath, { force: true });
        log('stopped');
        resolveClosed();
      });
    })();
    return shuttingDown;
  };

  const handle = async (req: IncomingMessage): Promise<unknown> => {
    const url = new URL(req.url ?? '/', 'http://supervisor');
    const method = req.method ?? 'GET';
    if (url.pathname === '/v1/health' && method === 'GET') return { pid: process.pid, labDir };
    if (url.pathname === '/v1/units' && method === 'GET') return { units: [...units.values()].map((u) => u.status()) };
    if (url.pathname === '/v1/shutdown' && method === 'POST') {
      await shutdown();
      return { stopped: [...units.values()].map((u) => u.status()) };
    }
    const m = UNIT_PATH.exec(url.pathname);
    if (m === null) throw new FerryError('LAB_BAD_REQUEST', `no such endpoint: ${method} ${url.pathname}`);
    const [, host, unitName, action] = m;
    const unit = unitFor(decodeURIComponent(host as string), decodeURIComponent(unitName as string));
    if (action === undefined && method === 'GET') return unit.status();
    if (action === undefined || method !== 'POST') throw new FerryError('LAB_BAD_REQUEST', `no such endpoint: ${method} ${url.pathname}`);
    if (shuttingDown !== undefined) throw new FerryError('LAB_SHUTTING_DOWN', 'the lab supervisor is shutting down');
    if (action === 'kill') {
      const signal = url.searchParams.get('signal') ?? 'SIGTERM';
      if (!SIGNAL_NAME.test(signal)) throw new FerryError('LAB_BAD_REQUEST', `invalid signal "${signal}"`);
      log(`kill ${unit.status().host} ${unit.fileName} ${signal}`);
      return unit.kill(signal as NodeJS.Signals);
    }
    log(`${action} ${unit.status().host} ${unit.fileName}`);
    const status: UnitStatus =
      action === 'start' ? await unit.start() : action === 'stop' ? await unit.stop() : action === 'reset-failed' ? await unit.resetFailed() : await unit.restart();
    return status;
  };

  const respond = (res: ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json', connection: 'close' });
    res.end(JSON.stringify(body));
  };

  const server = createServer((req, res) => {
    req.resume();
    handle(req).then(
      (body) => respond(res, 200, body),
      (err: unknown) => {
        const error = isFerryError(err) ? err : new FerryError('LAB_SUPERVISOR_ERROR', messageOf(err), { cause: err });
        if (!isFerryError(err)) log(`error: ${messageOf(err)}`);
        respond(res, STATUS_BY_CODE[error.code] ?? 500, { error: error.toJSON() });
      },
    );
  });

  rmSync(paths.socketPath, { force: true });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(paths.socketPath, () => {
      server.off('error', reject);
      resolve();
    });
  });
  writePids();
  log(`listening on ${paths.socketPath} (pid ${process.pid})`);
  return { closed, shutdown };
}
