/**
 * The lab's one door. The product reaches the lab through this file only (the CLI's `lab`, `demo` and
 * `node update-config --lab-host`, and the composition roots in src/app), which the lint rules in eslint.config.js
 * enforce. Importing it is cheap: it loads the lab's layout rules and nothing else; each function below loads the
 * lab's machinery (supervisor, stand-ins, seeding) only when it is called.
 */
import { resolveLabDir, type Env } from '../home.ts';
import type { Inventory } from '../inventory/types.ts';
import type { Host } from '../ports/host.ts';
import type { StopLabOptions, StopLabResult } from './setup/down.ts';
import type { LabDownPreview } from './setup/down-preview.ts';
import type { LabSeedData, LabSeedOptions, SeedCheck } from './setup/etcd-seed.ts';
import type { LabClientTls } from './setup/tls.ts';
import { buildHostRoot, isValidLabAddress, LAB_CONSOLE_CREDENTIALS_PATH, mapPathIntoRoot } from './paths.ts';
import type { LabState } from './setup/state.ts';
import type { LabStatus } from './setup/status.ts';
import type { StartLabOptions } from './setup/up.ts';

export { isValidLabAddress };
export { renderLabK8sStatusLines } from './setup/status-lines.ts';
export type { LabDownPreview, LabState, LabStatus, StartLabOptions, StopLabOptions, StopLabResult };

/** Brings up the old side of a lab inventory (see src/lab/setup/up.ts). */
export async function startLab(options: StartLabOptions): Promise<LabState> {
  return (await import('./setup/up.ts')).startLab(options);
}

/** The etcd `ferry lab up --etcd SPEC` would run: its version and binaries (fetching etcd 3.3 once; etcd-release.ts). */
export async function resolveLabEtcd(spec: string | undefined, env: Env, log: (line: string) => void): Promise<{ version: string; etcd: string; etcdctl: string }> {
  return (await import('./setup/etcd-release.ts')).resolveLabEtcd(spec, env, log);
}

/** Stops every lab process and removes the lab's state. */
export async function stopLab(labDir: string, options: StopLabOptions = {}): Promise<StopLabResult> {
  return (await import('./setup/down.ts')).stopLab(labDir, options);
}

/** What `ferry lab down` would stop and remove (touches nothing). */
export async function readLabDownPreview(labDir: string): Promise<LabDownPreview> {
  return (await import('./setup/down-preview.ts')).readLabDownPreview(labDir);
}

export async function readLabStatus(labDir: string): Promise<LabStatus> {
  return (await import('./setup/status.ts')).readLabStatus(labDir);
}

/** The keys `ferry lab up` seeds (v3 and v2), for the demo's count. */
export async function buildLabSeedData(options: LabSeedOptions = {}): Promise<LabSeedData> {
  return (await import('./setup/etcd-seed.ts')).buildLabSeedData(options);
}

/** Whether every seeded key reads back, with the same value, from these client URLs. */
export async function readLabSeedCheck(clientURLs: readonly string[], tls?: LabClientTls): Promise<SeedCheck> {
  return (await import('./setup/etcd-seed.ts')).readLabSeedCheck(clientURLs, tls);
}

/** The lab's Host for an address: its root folder stands in for the file system, the lab supervisor for systemd. */
export async function openLabHost(labDir: string, address: string): Promise<Host> {
  const { LabHost } = await import('./host.ts');
  return new LabHost(labDir, address);
}

/** The console's login file that `ferry lab up` writes on the console's lab host (the path, on this machine). */
export function buildLabConsoleCredentialsFile(labDir: string, consoleHost: string): string {
  return mapPathIntoRoot(buildHostRoot(labDir, consoleHost), LAB_CONSOLE_CREDENTIALS_PATH);
}

/** The lab's login file for this inventory's console, or undefined unless access mode is lab and it has `domeos`. */
export function buildLabCredentialsFile(inventory: Pick<Inventory, 'access' | 'domeos'>, env: Env): string | undefined {
  if (inventory.access.mode !== 'lab' || inventory.domeos === undefined) return undefined;
  return buildLabConsoleCredentialsFile(resolveLabDir(inventory.access.labDir, env), inventory.domeos.host);
}
