/**
 * The machine ferry runs on, as a Host: real paths, local processes, `systemctl` for services. Used by
 * `ferry node update-config` run on a node itself (as the runbook ran update_node_configs.sh with sudo).
 */
import { hostname } from 'node:os';
import { FerryError, inputError } from '../../errors.ts';
import type { ServiceAction, ServiceState } from '../../ports/host.ts';
import { FsHost, type SpawnPlan } from './fs-host.ts';
const SERVICE_STATES: ReadonlySet<string> = new Set<ServiceState>(['active', 'inactive', 'failed', 'activating', 'deactivating', 'unknown']);

export class LocalHost extends FsHost {
  constructor(readonly address: string = hostname()) {
    super();
  }

  protected mapPath(path: string): string {
    return path;
  }

  protected planSpawn(argv: readonly string[]): SpawnPlan {
    const [program, ...args] = argv;
    return { program, args };
  }

  /** The program, not the whole command line: arguments may carry secrets. */
  protected describeCommand(argv: readonly string[]): string {
    return argv[0] ?? '';
  }

  async service(unit: string, action: ServiceAction): Promise<void> {
    checkUnit(unit);
    await this.run(['systemctl', action, unit]);
  }

  /** `systemctl is-active` exits non-zero for every state but active, so only its output decides. */
  async serviceState(unit: string): Promise<ServiceState> {
    checkUnit(unit);
    const r = await this.run(['systemctl', 'is-active', unit], { check: false });
    const word = r.stdout.trim().split('\n')[0] ?? '';
    if (SERVICE_STATES.has(word)) return word as ServiceState;
    if (word === 'reloading' || word === 'refreshing') return 'active';
    if (word !== '') return 'unknown';
    throw new FerryError('HOST_COMMAND_FAILED', `${this.address}: systemctl is-active ${unit} printed no state (exit code ${r.exitCode}): ${r.stderr.trim()}`, {
      hint: 'run ferry as root on a host with systemd',
      subjects: { host: this.address, command: 'systemctl' },
    });
  }

  async reloadUnits(): Promise<void> {
    await this.run(['systemctl', 'daemon-reload']);
  }

  async close(): Promise<void> {
    // Nothing held open.
  }
}

function checkUnit(unit: string): void {
  if (unit === '' || unit.startsWith('-') || /\s/.test(unit)) throw inputError('HOST_SERVICE_UNIT', `${JSON.stringify(unit)} is not a valid systemd unit name`);
}
