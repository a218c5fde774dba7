/**
 * The real `deps` for an inventory: the etcd admin over the inventory's client URLs, and hosts reached over SSH or
 * through the lab, per `access` and per-host overrides. Hosts are opened on first use and cached.
 */
import { Etcd3Admin } from '../adapters/etcd/client.ts';
import type { Host } from '../ports/host.ts';
import { openHost } from '../adapters/hosts/open.ts';
import type { Access, Inventory } from '../inventory/types.ts';
import type { Env } from '../home.ts';
import { realSleep } from '../util/retry.ts';
import { openKube } from '../adapters/kube/client.ts';
import { type KubeApi } from '../ports/kube.ts';
import { openKubeWorkloads } from '../adapters/kube/workloads.ts';
import { type KubeWorkloads } from '../ports/kube.ts';
import { resolveA } from '../adapters/dns-resolve.ts';
import { buildLabCredentialsFile, openLabHost } from '../lab/face.ts';
import { openConsole } from '../adapters/console/open.ts';
import type { ConsoleApi } from '../ports/console.ts';
import type { Deps } from '../ports/deps.ts';
import { statSync } from 'node:fs';
import { isExecutable, readEtcdBinaryVersion } from '../adapters/etcd/local-binary.ts';
import { compareVersions } from '../etcd/versions.ts';
import { runRestoreCheck } from './restore-check.ts';

/** Where the etcd and etcdctl that restore-check a backup on this machine are (Debian's etcd-server and etcd-client). */
const LOCAL_ETCD_DIR = '/usr/bin';

/**
 * Whether this machine's etcd can restore-check a backup: etcd and etcdctl there, etcd 3.3 to 3.5 (older has no v3
 * snapshot restore; 3.6 serves no v2 API to load the v2 dump into).
 */
async function canRestoreHere(): Promise<boolean> {
  if (!(await isExecutable(`${LOCAL_ETCD_DIR}/etcd`)) || !(await isExecutable(`${LOCAL_ETCD_DIR}/etcdctl`))) return false;
  const version = await readEtcdBinaryVersion(`${LOCAL_ETCD_DIR}/etcd`).catch(() => undefined);
  return version !== undefined && compareVersions(version, '3.3.0') >= 0 && compareVersions(version, '3.6.0') < 0;
}

export interface OwnedDeps extends Deps {
  close(): Promise<void>;
}


export function accessFor(inventory: Inventory, address: string): Access {
  const base = inventory.access;
  const override = inventory.hosts[address];
  return (override === undefined ? base : { ...base, ...override }) as Access;
}

export function buildDeps(inventory: Inventory, env: Env = process.env): OwnedDeps {
  // Old and new client URLs: members not (yet, or any more) running refuse connections, and the pool fails over.
  const endpoints = [...inventory.etcd.old, ...inventory.etcd.new].map((m) => m.clientURL);
  const etcd = new Etcd3Admin({ endpoints, ...(inventory.etcd.tls ? { tls: inventory.etcd.tls } : {}) });
  const hosts = new Map<string, Promise<Host>>();
  const kubes = new Map<string, KubeApi>();
  const workloads = new Map<string, KubeWorkloads>();
  const consoles = new Map<string, ConsoleApi>();
  return {
    etcd,
    kube(url) {
      let k = kubes.get(url);
      if (k === undefined) {
        k = openKube(url, inventory.master?.ca !== undefined ? { ca: inventory.master.ca } : {});
        kubes.set(url, k);
      }
      return k;
    },
    workloads(url) {
      let w = workloads.get(url);
      if (w === undefined) {
        w = openKubeWorkloads(url, inventory.master?.ca !== undefined ? { ca: inventory.master.ca } : {});
        workloads.set(url, w);
      }
      return w;
    },
    resolveA,
    console(url) {
      let c = consoles.get(url);
      if (c === undefined) {
        const labCredentialsFile = buildLabCredentialsFile(inventory, env);
        c = openConsole(url, { env, ...(labCredentialsFile !== undefined ? { labCredentialsFile } : {}) });
        consoles.set(url, c);
      }
      return c;
    },
    async checkBackup(snapshot, v2Dump) {
      if (!(await canRestoreHere())) return undefined;
      // 30 s, and a second more for every 10 MB of snapshot (a restore writes the whole database again).
      const timeoutMs = 30_000 + Math.ceil(statSync(snapshot).size / 10_000_000) * 1000;
      return runRestoreCheck({ snapshot, ...(v2Dump !== undefined ? { v2Dump } : {}), live: { admin: etcd, endpoints }, binDir: LOCAL_ETCD_DIR, timeoutMs });
    },
    now: () => Date.now(),
    sleep: realSleep,
    host(address) {
      let h = hosts.get(address);
      if (h === undefined) {
        const access = accessFor(inventory, address);
        h = openHost(access, address, env, { openLabHost });
        hosts.set(address, h);
        h.catch(() => hosts.delete(address));
      }
      return h;
    },
    async releaseHost(address) {
      const h = hosts.get(address);
      if (h === undefined) return;
      hosts.delete(address);
      await h.then((x) => x.close()).catch(() => undefined);
    },
    async close() {
      await etcd.close();
      for (const h of hosts.values()) await h.then((x) => x.close()).catch(() => undefined);
    },
  };
}
