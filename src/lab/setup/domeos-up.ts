/**
 * The lab's DomeOS server (runbook phases 1, 8, 9): when the inventory has `domeos:`, `ferry lab up` runs the
 * DomeOS server stand-in (lab-bin/domeos-server) as the `domeos` service of the console's lab host, listening on the
 * console URL's address, with the DomeOS default account (admin / admin), one cluster named `domeos.cluster` whose
 * record holds the OLD apiserver (`api`) and the OLD etcd members (`etcd`), and a running watcher. Its state file is
 * `/var/lib/domeos/state.json` in the host's root; its program `/usr/sbin/domeos/server/domeos-server` a symlink to
 * the shim, like the lab's Kubernetes binaries. The same login is written for ferry to the console host's
 * `/etc/domeos/credentials.yaml` (mode 0600, inside the lab folder, so `ferry lab down` removes it with the host):
 * with access mode lab, ferry uses it when neither a credentialsFile nor the environment gives a login.
 */
import { chmod, lstat, mkdir, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { LAB_CONSOLE_CREDENTIALS_PATH } from '../paths.ts';
import { buildApiField, buildEtcdField } from '../../console/domeos-fields.ts';
import { FerryError, inputError, messageOf } from '../../errors.ts';
import type { Inventory } from '../../inventory/types.ts';
import { UNIT_DIR } from '../domeos/node-files.ts';
import { writeLabHostRoot } from './host-root.ts';
import { LAB_BIN_DIR } from '../node-runtime/lab-bin.ts';
import { buildHostRoot, mapPathIntoRoot } from '../paths.ts';
import type { SupervisorClient } from '../supervisor/supervisor-client.ts';
import { parseHostPort } from './validate.ts';

/** Where the lab installs the stand-in on the console host (a symlink to lab-bin/domeos-server). */
export const LAB_DOMEOS_PROGRAM = '/usr/sbin/domeos/server/domeos-server';
/** The stand-in's database: users, clusters, the watcher deployment. */
export const LAB_DOMEOS_STATE_FILE = '/var/lib/domeos/state.json';
/** The DomeOS default account (install docs, insert-data.sql). */
const DEFAULT_ACCOUNT = { username: 'admin', password: 'admin' } as const;

export interface LabDomeosPlan {
  readonly host: string;
  readonly service: string;
  readonly listen: { readonly host: string; readonly port: number };
  readonly url: string;
  readonly clusterName: string;
  /** The old apiserver as the console stores it (`ip:port`). */
  readonly clusterApi: string;
  /** The old etcd as the console stores it (`http://a:4012,http://b:4012,`). */
  readonly clusterEtcd: string;
}

/** What the lab's console runs with (pure); undefined without `domeos:`. validateLabInventory checks the rest. */
export function planLabDomeos(inventory: Inventory): LabDomeosPlan | undefined {
  const d = inventory.domeos;
  if (d === undefined) return undefined;
  const listen = parseHostPort(d.url);
  if (listen === undefined) throw inputError('LAB_BAD_URL', `domeos.url "${d.url}" is not an http URL with a port`, { hint: 'e.g. http://127.17.33.10:8080 (see examples/lab-seed.yaml)' });
  if (inventory.master === undefined) {
    throw inputError('LAB_DOMEOS_NEEDS_MASTER', 'the lab’s DomeOS console needs a `master:` section: its cluster record holds the old apiserver', { hint: 'add master.old and master.new (see examples/lab-seed.yaml), or remove domeos:' });
  }
  return {
    host: d.host,
    service: d.service,
    listen,
    url: `http://${listen.host}:${listen.port}`,
    clusterName: d.cluster,
    clusterApi: buildApiField(inventory.master.old.apiserver),
    clusterEtcd: buildEtcdField(inventory.etcd.old.map((m) => m.clientURL)),
  };
}

/** One ExecStart= word, quoted for systemd's splitter when it must be (`$` doubled: no variable expansion). */
function quoteWord(word: string): string {
  const escaped = word.replaceAll('$', '$$$$');
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(escaped) ? escaped : `"${escaped.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}

export function renderDomeosUnit(plan: LabDomeosPlan): string {
  const argv = [
    LAB_DOMEOS_PROGRAM,
    `--state-file=${LAB_DOMEOS_STATE_FILE}`,
    `--listen=${plan.listen.host}:${plan.listen.port}`,
    `--server-url=${plan.url}`,
    `--cluster-name=${plan.clusterName}`,
    `--cluster-api=${plan.clusterApi}`,
    `--cluster-etcd=${plan.clusterEtcd}`,
  ];
  return `[Unit]
Description=DomeOS server (ferry lab stand-in)
After=network.target

[Service]
ExecStart=${argv.map(quoteWord).join(' \\\n          ')}
Restart=on-failure

[Install]
WantedBy=multi-user.target
`;
}

/** The login file ferry reads in the lab (YAML, like any credentialsFile). */
export function renderLabCredentials(): string {
  return `# The lab's DomeOS console login (the DomeOS default account), for ferry. Written by \`ferry lab up\`.\nusername: ${DEFAULT_ACCOUNT.username}\npassword: ${DEFAULT_ACCOUNT.password}\n`;
}

async function requireFree(listen: { host: string; port: number }): Promise<void> {
  const busy = await new Promise<boolean>((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(true));
    server.listen({ ...listen, exclusive: true }, () => server.close(() => resolve(false)));
  });
  if (busy) throw inputError('LAB_PORT_IN_USE', `already in use: ${listen.host}:${listen.port}`, { hint: 'Stop whatever listens there (another lab? `ferry lab down`), or change domeos.url.', subjects: { address: `${listen.host}:${listen.port}` } });
}

async function linkProgram(root: string, labBinDir: string): Promise<void> {
  const link = mapPathIntoRoot(root, LAB_DOMEOS_PROGRAM);
  const target = join(labBinDir, 'domeos-server');
  const st = await lstat(link).catch(() => undefined);
  if (st?.isSymbolicLink() === true && (await readlink(link)) === target) return;
  if (st !== undefined) await rm(link);
  await mkdir(dirname(link), { recursive: true });
  await symlink(target, link);
}

async function waitForHealth(client: SupervisorClient, plan: LabDomeosPlan, root: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  for (;;) {
    try {
      const res = await fetch(`${plan.url}/health`, { signal: AbortSignal.timeout(2_000) });
      await res.arrayBuffer();
      if (res.status === 200) return;
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = messageOf(err);
    }
    const state = (await client.state(plan.host, plan.service)).state;
    if (state === 'failed' || Date.now() >= deadline) {
      const log = await readFile(mapPathIntoRoot(root, `/var/log/${plan.service}.log`), 'utf8').catch(() => '(no log)');
      const tail = log.trimEnd().split('\n').slice(-15).map((l) => `    ${l}`).join('\n');
      throw new FerryError('LAB_START_FAILED', `the lab's DomeOS server ${plan.url} did not answer /health (${state === 'failed' ? `${plan.service} failed` : last})\n  /var/log/${plan.service}.log on ${plan.host}:\n${tail}`, {
        hint: 'Look at the log above; the lab was torn down.',
        subjects: { host: plan.host },
      });
    }
    await sleep(200);
  }
}

export interface LabDomeosOptions {
  readonly log: (line: string) => void;
  /** Bound on the wait for /health, in ms. */
  readonly healthTimeoutMs: number;
  /** Default the repo's lab-bin. */
  readonly labBinDir?: string;
}

/** Installs, configures and starts the console of an inventory with `domeos:` (a no-op without). */
export async function startLabDomeos(labDir: string, inventory: Inventory, client: SupervisorClient, o: LabDomeosOptions): Promise<LabDomeosPlan | undefined> {
  const plan = planLabDomeos(inventory);
  if (plan === undefined) return undefined;
  await requireFree(plan.listen);
  const root = await writeLabHostRoot(labDir, plan.host, []);
  await linkProgram(root, o.labBinDir ?? LAB_BIN_DIR);
  await mkdir(mapPathIntoRoot(root, dirname(LAB_DOMEOS_STATE_FILE)), { recursive: true, mode: 0o700 });
  await mkdir(mapPathIntoRoot(root, UNIT_DIR), { recursive: true });
  await writeFile(mapPathIntoRoot(root, `${UNIT_DIR}/${plan.service}.service`), renderDomeosUnit(plan));
  const credentials = mapPathIntoRoot(root, LAB_CONSOLE_CREDENTIALS_PATH);
  await mkdir(dirname(credentials), { recursive: true, mode: 0o700 });
  await writeFile(credentials, renderLabCredentials(), { mode: 0o600 });
  await chmod(credentials, 0o600);
  await client.start(plan.host, plan.service);
  await waitForHealth(client, plan, root, o.healthTimeoutMs);
  o.log(`DomeOS server ${plan.url} answers (${plan.service} on ${plan.host}; cluster "${plan.clusterName}" on ${plan.clusterApi}, a running watcher; login for ferry in ${buildHostRoot(labDir, plan.host)}${LAB_CONSOLE_CREDENTIALS_PATH})`);
  return plan;
}
