/**
 * A host emulated on this machine by the lab: its files live under `<labDir>/hosts/<address>/` (every absolute
 * path is mapped into that root), its commands run locally with their path arguments mapped the same way, and
 * its services are run by the lab supervisor. Steps cannot tell it from an SSH host.
 */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { FsHost, type SpawnPlan } from '../adapters/hosts/fs-host.ts';
import { FerryError } from '../errors.ts';
import { buildHostRoot, isValidLabAddress, mapArgvIntoRoot, mapPathIntoRoot } from './paths.ts';
import { SupervisorClient } from './supervisor/supervisor-client.ts';
import type { ServiceAction, ServiceState } from '../ports/host.ts';

export class LabHost extends FsHost {
  readonly root: string;
  private readonly supervisor: SupervisorClient;
  private rootChecked = false;

  readonly labDir: string;

  constructor(
    labDir: string,
    readonly address: string,
  ) {
    super();
    this.labDir = resolve(labDir);
    this.root = buildHostRoot(this.labDir, address);
    this.supervisor = new SupervisorClient(this.labDir);
  }

  /** `/etc/x` on this host → the file on this machine. */
  override mapPath(path: string): string {
    if (!path.startsWith('/')) throw new FerryError('HOST_PATH_NOT_ABSOLUTE', `${this.address}: path "${path}" is not absolute`, { subjects: { host: this.address } });
    return mapPathIntoRoot(this.root, path);
  }

  private async ensureRoot(): Promise<void> {
    if (this.rootChecked) return;
    const st = isValidLabAddress(this.address) ? await stat(this.root).catch(() => undefined) : undefined;
    if (st?.isDirectory() !== true) {
      throw new FerryError('LAB_HOST_UNKNOWN', `${this.address} is not a host of the lab in ${this.labDir}`, {
        hint: 'Run `ferry lab up` with an inventory that names this host, or check access.labDir.',
        subjects: { host: this.address },
      });
    }
    this.rootChecked = true;
  }

  protected override async ready(): Promise<void> {
    await this.ensureRoot();
  }

  protected planSpawn(argv: readonly string[]): SpawnPlan {
    const [program, ...args] = mapArgvIntoRoot(this.root, argv);
    return { program, args, cwd: this.root, env: { PATH: process.env['PATH'] ?? '/usr/sbin:/usr/bin:/sbin:/bin', HOME: this.root, LANG: 'C' } };
  }

  protected describeCommand(argv: readonly string[]): string {
    return `\`${argv.join(' ')}\``;
  }

  async service(unit: string, action: ServiceAction): Promise<void> {
    await this.ensureRoot();
    await this.supervisor.action(this.address, unit, action);
  }

  async serviceState(unit: string): Promise<ServiceState> {
    await this.ensureRoot();
    return (await this.supervisor.state(this.address, unit)).state;
  }

  /** A no-op: the supervisor reads the unit file again at every start (so a forgotten daemon-reload goes unnoticed here). */
  async reloadUnits(): Promise<void> {
    await this.ensureRoot();
  }

  async close(): Promise<void> {
    // Nothing held open: every supervisor request uses its own connection.
  }
}
