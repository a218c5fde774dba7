/**
 * Talking to the lab supervisor (supervisor.ts) over its unix socket, and starting it. Connection failures and
 * the supervisor's error answers become FerryErrors with LAB_* codes here, once.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { dirname, extname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { FerryError, messageOf } from '../../errors.ts';
import type { ServiceAction } from '../../ports/host.ts';
import { buildLabPaths } from '../paths.ts';
import type { UnitStatus } from './unit-process.ts';

export type { UnitStatus } from './unit-process.ts';

/** Default bound on one request; a stop may wait TimeoutStopSec= (10 s in the lab) before SIGKILL. */
const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;
const START_TIMEOUT_MS = 10_000;

const CONNECT_ERRORS = new Set(['ENOENT', 'ECONNREFUSED', 'ENOTSOCK', 'ECONNRESET']);

function notRunning(labDir: string, cause?: unknown): FerryError {
  return new FerryError('LAB_NOT_RUNNING', `the lab supervisor is not running (${labDir})`, {
    hint: 'run: ferry lab up',
    subjects: { labDir },
    cause,
  });
}

export class SupervisorClient {
  private readonly socketPath: string;

  constructor(private readonly labDir: string) {
    this.socketPath = buildLabPaths(labDir).socketPath;
  }

  start(host: string, unit: string): Promise<UnitStatus> {
    return this.action(host, unit, 'start');
  }

  stop(host: string, unit: string): Promise<UnitStatus> {
    return this.action(host, unit, 'stop');
  }

  restart(host: string, unit: string): Promise<UnitStatus> {
    return this.action(host, unit, 'restart');
  }

  /** `systemctl kill --signal=<signal> <unit>`: returns at once; the unit's Restart= policy applies to the exit. */
  kill(host: string, unit: string, signal: NodeJS.Signals = 'SIGTERM'): Promise<UnitStatus> {
    return this.call('POST', `${this.unitPath(host, unit)}/kill?signal=${encodeURIComponent(signal)}`) as Promise<UnitStatus>;
  }

  action(host: string, unit: string, action: ServiceAction): Promise<UnitStatus> {
    return this.call('POST', `${this.unitPath(host, unit)}/${action}`) as Promise<UnitStatus>;
  }

  state(host: string, unit: string): Promise<UnitStatus> {
    return this.call('GET', this.unitPath(host, unit)) as Promise<UnitStatus>;
  }

  async list(): Promise<UnitStatus[]> {
    return ((await this.call('GET', '/v1/units')) as { units: UnitStatus[] }).units;
  }

  async health(timeoutMs = 2_000): Promise<{ pid: number }> {
    return (await this.call('GET', '/v1/health', timeoutMs)) as { pid: number };
  }

  /** Stop every unit and end the supervisor process. Returns the units' final states. */
  async shutdown(timeoutMs = DEFAULT_REQUEST_TIMEOUT_MS): Promise<UnitStatus[]> {
    return ((await this.call('POST', '/v1/shutdown', timeoutMs)) as { stopped: UnitStatus[] }).stopped;
  }

  private unitPath(host: string, unit: string): string {
    return `/v1/hosts/${encodeURIComponent(host)}/units/${encodeURIComponent(unit)}`;
  }

  private call(method: 'GET' | 'POST', path: string, timeoutMs = DEFAULT_REQUEST_TIMEOUT_MS): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const req = request({ socketPath: this.socketPath, method, path, timeout: timeoutMs, agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (err) => reject(notRunning(this.labDir, err)));
        res.on('end', () => {
          let body: unknown;
          try {
            body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          } catch (err) {
            reject(new FerryError('LAB_SUPERVISOR_ERROR', `the lab supervisor sent an invalid answer to ${method} ${path}`, { cause: err }));
            return;
          }
          if (res.statusCode === 200) resolve(body);
          else reject(errorFromAnswer(body, res.statusCode ?? 0, `${method} ${path}`));
        });
      });
      req.on('timeout', () => {
        req.destroy();
        reject(new FerryError('LAB_SUPERVISOR_TIMEOUT', `the lab supervisor did not answer ${method} ${path} within ${timeoutMs} ms`, {
          hint: `See ${buildLabPaths(this.labDir).supervisorLog}.`,
          retryable: true,
        }));
      });
      req.on('error', (err: NodeJS.ErrnoException) => {
        if (err.code !== undefined && CONNECT_ERRORS.has(err.code)) reject(notRunning(this.labDir, err));
        else reject(new FerryError('LAB_SUPERVISOR_ERROR', `cannot reach the lab supervisor: ${messageOf(err)}`, { cause: err }));
      });
      req.end();
    });
  }
}

function errorFromAnswer(body: unknown, status: number, what: string): FerryError {
  const e = (body as { error?: { code?: unknown; message?: unknown; hint?: unknown; subjects?: unknown } } | null)?.error;
  if (e !== undefined && typeof e.code === 'string' && typeof e.message === 'string') {
    return new FerryError(e.code, e.message, {
      hint: typeof e.hint === 'string' ? e.hint : undefined,
      subjects: typeof e.subjects === 'object' && e.subjects !== null ? (e.subjects as Record<string, string>) : undefined,
    });
  }
  return new FerryError('LAB_SUPERVISOR_ERROR', `the lab supervisor answered ${what} with HTTP ${status}`);
}

/** True when a supervisor answers on the lab's socket. */
export async function isSupervisorAlive(labDir: string): Promise<boolean> {
  try {
    await new SupervisorClient(labDir).health();
    return true;
  } catch {
    return false;
  }
}

/** The supervisor's entry point next to this file (`.ts` under tsx, `.js` once built). */
function supervisorCommand(labDir: string): string[] {
  const here = fileURLToPath(import.meta.url);
  const ext = extname(here);
  const main = join(dirname(here), `supervisor-main${ext}`);
  // tsx is resolved from ferry's own node_modules, not from the caller's working directory.
  return ext === '.ts' ? ['--import', import.meta.resolve('tsx'), main, labDir] : [main, labDir];
}

/**
 * Start the supervisor for `labDir` as a detached daemon (its own session; output to supervisor.log) and wait
 * until it answers (up to 10 s). The folder must exist.
 */
export async function startSupervisor(labDir: string): Promise<{ pid: number }> {
  const paths = buildLabPaths(labDir);
  const fd = openSync(paths.supervisorLog, 'a');
  let exited: string | undefined;
  let pid: number | undefined;
  try {
    const child = spawn(process.execPath, supervisorCommand(labDir), { detached: true, stdio: ['ignore', fd, fd], cwd: labDir });
    child.on('exit', (code, signal) => {
      exited = signal ?? `exit code ${code ?? '?'}`;
    });
    child.on('error', (err) => {
      exited = messageOf(err);
    });
    child.unref();
    pid = child.pid;
  } finally {
    closeSync(fd);
  }
  const client = new SupervisorClient(labDir);
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (exited === undefined && Date.now() < deadline) {
    try {
      const health = await client.health(1_000);
      return { pid: health.pid };
    } catch {
      await sleep(100);
    }
  }
  let tail = '';
  try {
    tail = readFileSync(paths.supervisorLog, 'utf8').split('\n').slice(-15).join('\n');
  } catch {
    // no log: the message says what we know
  }
  if (exited === undefined && pid !== undefined) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  throw new FerryError('LAB_SUPERVISOR_START_FAILED', `the lab supervisor did not come up (${exited ?? `no answer within ${START_TIMEOUT_MS} ms`}):\n${tail}`, {
    hint: `See ${paths.supervisorLog}.`,
    subjects: { labDir },
  });
}
