/**
 * One service unit on one lab host, run the way systemd runs a Type=simple service: the unit file and its
 * EnvironmentFile(s) are read from the host's root at every start, ExecStart= is expanded and mapped into the
 * root, and the process is spawned as a child of the supervisor (so its exit is seen at once) — or, for the node
 * programs, run as an agent in a shared node runtime (unit-launch.ts), which looks the same from here. Restart=
 * and RestartSec= are honoured with systemd's default start limit (5 starts within 10 s, then `failed`); stop
 * sends SIGTERM, then SIGKILL after TimeoutStopSec=; kill delivers a signal like `systemctl kill`. Operations on
 * a unit run one at a time.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { FerryError, messageOf } from '../../errors.ts';
import type { ServiceState } from '../../ports/host.ts';
import { parseEnvironmentFile } from '../../sysconfig/envfile.ts';
import { mapArgvIntoRoot, mapPathIntoRoot } from '../paths.ts';
import { buildServiceArgv, parseUnitFile, type ServiceSettings } from '../../sysconfig/systemd-unit.ts';
import { spawnUnitProcess, type UnitLauncher } from './unit-launch.ts';
import { type UnitProcess } from './unit-handle.ts';

export type UnitState = Exclude<ServiceState, 'unknown'>;

export interface UnitStatus {
  readonly host: string;
  /** Without the `.service` suffix. */
  readonly unit: string;
  readonly state: UnitState;
  readonly pid: number | null;
  /** ISO time of the last state change. */
  readonly since: string;
  readonly lastExit: { readonly code: number | null; readonly signal: string | null } | null;
  /** systemd's result: success, exit-code, signal, timeout, start-limit-hit, resources. */
  readonly result: string;
  /** Automatic restarts so far. */
  readonly restarts: number;
}

/** Where systemd looks for unit files, in order (systemd.unit(5) "Unit File Load Path"). */
const UNIT_DIRS = ['/etc/systemd/system', '/run/systemd/system', '/lib/systemd/system', '/usr/lib/systemd/system'];
/** Exits systemd counts as clean besides status 0 (systemd.service(5), SuccessExitStatus=). */
const CLEAN_SIGNALS = new Set(['SIGHUP', 'SIGINT', 'SIGTERM', 'SIGPIPE']);
const START_LIMIT_INTERVAL_MS = 10_000;
const START_LIMIT_BURST = 5;
/** systemd's EXIT_EXEC: the command could not be executed. */
const EXIT_EXEC = 203;

export interface LabUnitOptions {
  readonly host: string;
  readonly unit: string;
  readonly root: string;
  /** Called after every state change (the supervisor rewrites its pid file). */
  readonly onChange: () => void;
  /** How the main process is started; default a real child process. */
  readonly launch?: UnitLauncher;
}

export class LabUnit {
  private state: UnitState = 'inactive';
  private since = new Date().toISOString();
  private child: UnitProcess | undefined;
  private settings: ServiceSettings | undefined;
  private lastExit: UnitStatus['lastExit'] = null;
  private result = 'success';
  private restarts = 0;
  private startTimes: number[] = [];
  private restartTimer: NodeJS.Timeout | undefined;
  private stopping: { killedByTimeout: boolean; done: () => void } | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly o: LabUnitOptions) {}

  get fileName(): string {
    return `${this.o.unit}.service`;
  }

  status(): UnitStatus {
    return {
      host: this.o.host,
      unit: this.o.unit,
      state: this.state,
      pid: this.child?.pid ?? null,
      since: this.since,
      lastExit: this.lastExit,
      result: this.result,
      restarts: this.restarts,
    };
  }

  /** A no-op when active; starts at once when an automatic restart is pending. */
  start(): Promise<UnitStatus> {
    return this.enqueue(async () => {
      if (this.state !== 'active') await this.startNow();
      return this.status();
    });
  }

  /**
   * Returns once the process has exited. A no-op when nothing runs; an error when the unit does not exist.
   * `killAfterMs` shortens TimeoutStopSec= (the supervisor's shutdown uses it).
   */
  stop(killAfterMs?: number): Promise<UnitStatus> {
    return this.enqueue(async () => {
      if (this.state === 'inactive' || this.state === 'failed') await this.readUnitFile('not loaded');
      await this.stopNow(killAfterMs);
      return this.status();
    });
  }

  /**
   * `systemctl kill --signal=…`: deliver a signal to the main process, if one runs. The unit then goes wherever
   * the exit takes it (Restart= applies: a killed process is not a stop). Returns at once.
   */
  kill(signal: NodeJS.Signals): UnitStatus {
    if (this.state === 'active' || this.state === 'deactivating') this.child?.kill(signal);
    return this.status();
  }

  /**
   * `systemctl reset-failed`: forget the start-limit count and a failed result, so the next start is allowed.
   * A failed unit becomes inactive; a running one is untouched.
   */
  resetFailed(): Promise<UnitStatus> {
    return this.enqueue(async () => {
      this.startTimes = [];
      if (this.state === 'failed') {
        this.result = 'success';
        this.setState('inactive');
      }
      return this.status();
    });
  }

  restart(): Promise<UnitStatus> {
    return this.enqueue(async () => {
      await this.stopNow();
      await this.startNow();
      return this.status();
    });
  }

  private enqueue<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private setState(state: UnitState): void {
    this.state = state;
    this.since = new Date().toISOString();
    this.o.onChange();
  }

  private log(line: string): void {
    try {
      const path = mapPathIntoRoot(this.o.root, `/var/log/${this.o.unit}.log`);
      mkdirSync(dirname(path), { recursive: true });
      appendFileSync(path, `[lab supervisor ${new Date().toISOString()}] ${this.fileName}: ${line}\n`);
    } catch {
      // The unit's log is a convenience; never fail an operation because of it.
    }
  }

  /** The unit file's text. A missing file is LAB_UNIT_NOT_FOUND with systemctl's wording (`not found` for start). */
  private async readUnitFile(missing: 'not found' | 'not loaded' = 'not found'): Promise<string> {
    for (const dir of UNIT_DIRS) {
      try {
        return await readFile(mapPathIntoRoot(this.o.root, `${dir}/${this.fileName}`), 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
    throw new FerryError('LAB_UNIT_NOT_FOUND', `Unit ${this.fileName} ${missing}.`, {
      hint: `Write /lib/systemd/system/${this.fileName} (or /etc/systemd/system/${this.fileName}) on the host first.`,
      subjects: { host: this.o.host, unit: this.fileName },
    });
  }

  private fail(result: string, message: string, hint?: string): FerryError {
    this.result = result;
    this.setState('failed');
    this.log(message);
    return new FerryError('LAB_UNIT_START_FAILED', `${this.fileName} on ${this.o.host}: ${message}`, {
      hint: hint ?? `See /var/log/${this.o.unit}.log on the host.`,
      subjects: { host: this.o.host, unit: this.fileName },
    });
  }

  private async readEnvironment(settings: ServiceSettings): Promise<Map<string, string>> {
    const env = new Map(settings.environment);
    for (const file of settings.environmentFiles) {
      let text: string;
      try {
        text = await readFile(mapPathIntoRoot(this.o.root, file.path), 'utf8');
      } catch (err) {
        if (file.optional && (err as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw this.fail('resources', `Failed to load environment files: ${file.path}: ${messageOf(err)}`);
      }
      for (const [k, v] of parseEnvironmentFile(text)) env.set(k, v);
    }
    return env;
  }

  private async startNow(): Promise<void> {
    if (this.restartTimer !== undefined) clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    const settings = parseUnitFile(await this.readUnitFile(), this.fileName).service;
    const now = Date.now();
    this.startTimes = this.startTimes.filter((t) => now - t < START_LIMIT_INTERVAL_MS);
    if (this.startTimes.length >= START_LIMIT_BURST) {
      throw this.fail('start-limit-hit', 'Start request repeated too quickly.', 'Wait 10 s before starting it again.');
    }
    this.startTimes.push(now);
    const env = await this.readEnvironment(settings);
    const argv = mapArgvIntoRoot(this.o.root, buildServiceArgv(settings, env));
    const [exe, ...args] = argv;
    if (exe === undefined) throw this.fail('resources', 'ExecStart= expands to an empty command line.');
    this.settings = settings;
    const logPath = mapPathIntoRoot(this.o.root, `/var/log/${this.o.unit}.log`);
    mkdirSync(dirname(logPath), { recursive: true });
    // systemd passes the EnvironmentFile= variables to the process; that is part of what the lab emulates.
    const childEnv: Record<string, string> = { PATH: process.env['PATH'] ?? '/usr/sbin:/usr/bin:/sbin:/bin', HOME: this.o.root };
    for (const [k, v] of env) childEnv[k] = v;
    let child: UnitProcess;
    try {
      child = await (this.o.launch ?? spawnUnitProcess)({ exe, args, env: childEnv, cwd: this.o.root, logPath });
    } catch (err) {
      this.lastExit = { code: EXIT_EXEC, signal: null };
      throw this.fail('exit-code', `Failed at step EXEC spawning ${exe}: ${messageOf(err)}`);
    }
    this.child = child;
    child.onExit((code, signal) => this.onExit(child, code, signal));
    this.result = 'success';
    this.log(`Started (pid ${child.pid ?? '?'}): ${argv.join(' ')}`);
    this.setState('active');
  }

  private async stopNow(killAfterMs?: number): Promise<void> {
    if (this.state === 'activating') {
      // An automatic restart is pending (its timer, or its start already queued behind us): cancel it.
      if (this.restartTimer !== undefined) clearTimeout(this.restartTimer);
      this.restartTimer = undefined;
      this.setState(this.result === 'success' ? 'inactive' : 'failed');
      return;
    }
    const child = this.child;
    if (child === undefined || this.state !== 'active') return;
    const timeoutMs = Math.min(this.settings?.timeoutStopSecMs ?? 10_000, killAfterMs ?? Number.POSITIVE_INFINITY);
    const exited = new Promise<void>((resolve) => {
      this.stopping = { killedByTimeout: false, done: resolve };
    });
    this.setState('deactivating');
    child.kill('SIGTERM');
    const killTimer = Number.isFinite(timeoutMs)
      ? setTimeout(() => {
          if (this.stopping !== undefined) this.stopping.killedByTimeout = true;
          this.log(`State 'stop-sigterm' timed out. Killing.`);
          child.kill('SIGKILL');
        }, timeoutMs)
      : undefined;
    await exited;
    if (killTimer !== undefined) clearTimeout(killTimer);
  }

  private onExit(child: UnitProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (child !== this.child) return;
    this.child = undefined;
    this.lastExit = { code, signal };
    this.log(signal !== null ? `Main process exited, code=killed, status=${signal}` : `Main process exited, code=exited, status=${code ?? '?'}`);
    const stopping = this.stopping;
    if (stopping !== undefined) {
      this.stopping = undefined;
      this.result = stopping.killedByTimeout ? 'timeout' : 'success';
      this.setState(stopping.killedByTimeout ? 'failed' : 'inactive');
      stopping.done();
      return;
    }
    const clean = code === 0 || (signal !== null && CLEAN_SIGNALS.has(signal));
    this.result = clean ? 'success' : signal !== null ? 'signal' : 'exit-code';
    const policy = this.settings?.restart ?? 'no';
    if (policy === 'always' || (policy === 'on-failure' && !clean)) {
      const delayMs = this.settings?.restartSecMs ?? 100;
      this.setState('activating');
      this.restartTimer = setTimeout(() => {
        this.restartTimer = undefined;
        void this.enqueue(async () => {
          // A stop or start that ran meanwhile decided the unit's fate.
          if (this.state !== 'activating') return;
          this.log('Scheduled restart job.');
          await this.startNow();
          this.restarts++;
        }).catch((err: unknown) => {
          // startNow marks the unit failed for most failures; a vanished or broken unit file does not.
          if (this.state === 'activating') {
            this.result = 'resources';
            this.log(messageOf(err));
            this.setState('failed');
          }
        });
      }, delayMs);
      return;
    }
    this.setState(clean ? 'inactive' : 'failed');
  }
}
