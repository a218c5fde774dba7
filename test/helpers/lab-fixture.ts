/**
 * A lab for one integration test: its own loopback addresses, its own FERRY_HOME and lab folder, and a teardown
 * that leaves no process behind. The inventory is written as a real YAML file and read back through the real
 * loader, so the tests exercise what an operator's file goes through.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { readInventory } from '../../src/inventory/load.ts';
import type { Inventory } from '../../src/inventory/types.ts';
import { startLab } from '../../src/lab/setup/up.ts';
import { stopLab } from '../../src/lab/setup/down.ts';

export interface LabFixture {
  readonly dir: string;
  readonly home: string;
  readonly labDir: string;
  readonly inventoryPath: string;
  readonly inventory: Inventory;
  readonly sha256: string;
  readonly env: Record<string, string | undefined>;
  /** Stop every lab process and remove the folders; safe to call twice. */
  cleanup(): Promise<void>;
}

/**
 * @param prefix three octets, e.g. "127.21.1": old members get .31.., new members .21.. (as in the runbook)
 */
export async function startLabFixture(prefix: string, oldCount: number, newCount: number, extra: Record<string, unknown> = {}, lab: { readonly etcd?: string } = {}): Promise<LabFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-it-'));
  const home = join(dir, 'home');
  const labDir = join(dir, 'lab');
  const raw = {
    apiVersion: 'ferry/v1',
    name: 'it',
    access: { mode: 'lab', labDir },
    etcd: {
      old: Array.from({ length: oldCount }, (_, i) => ({ name: `old${i}`, host: `${prefix}.${31 + i}` })),
      new: Array.from({ length: newCount }, (_, i) => ({ name: `new${i}`, host: `${prefix}.${21 + i}` })),
    },
    ...extra,
  };
  const inventoryPath = join(dir, 'inventory.yaml');
  writeFileSync(inventoryPath, stringify(raw));
  const { inventory, sha256 } = await readInventory(inventoryPath);
  let cleaned = false;
  const cleanup = async () => {
    if (cleaned) return;
    cleaned = true;
    await stopLab(labDir).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    // No cluster DNS: labs of parallel tests share the default service range (LabK8sOptions.dns).
    await startLab({ inventory, inventoryPath, labDir, dns: false, log: () => undefined, ...(lab.etcd !== undefined ? { etcd: lab.etcd } : {}) });
  } catch (err) {
    await cleanup();
    throw err;
  }
  return { dir, home, labDir, inventoryPath, inventory, sha256, env: { ...process.env, FERRY_HOME: home }, cleanup };
}
