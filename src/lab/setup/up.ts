/**
 * `ferry lab up`: build the inventory's environment on this machine. Old hosts get the DomeOS etcd files and a
 * running member of a fresh cluster (seeded with data); new hosts get a root with the etcd binaries and an empty
 * data dir parent, nothing running. With a `master:` section, the runbook's whole old environment comes up too
 * (k8s-up.ts): the old master on the old etcd and every node Ready on it; the new master is prepared only.
 * Everything started is torn down again if a later step fails.
 */
import { idToHex } from '../../etcd/ids.ts';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { dirname, resolve } from 'node:path';
import { buildEtcdTlsOpts, renderEtcdSysconfig, renderEtcdUnit } from '../../etcd/sysconfig.ts';
import { FerryError, inputError, messageOf } from '../../errors.ts';
import { LabHost } from '../host.ts';
import type { EtcdMember, Inventory } from '../../inventory/types.ts';
import { waitForLabCluster } from './cluster-health.ts';
import { writeLabSeedData } from './etcd-seed.ts';
import { buildLabFlannelConfig } from './flannel-network.ts';
import { DEFAULT_LAB_BINARIES, writeLabHostRoot, type LabBinaries } from './host-root.ts';
import { resolveLabEtcd } from './etcd-release.ts';
import { compareVersions, MIN_ETCD_VERSION } from '../../etcd/versions.ts';
import type { Env } from '../../home.ts';
import { buildHostRoot, buildLabPaths, mapPathIntoRoot } from '../paths.ts';
import { readLabState, writeLabState, type LabHostState, type LabState } from './state.ts';
import { stopLab } from './down.ts';
import { planLabK8s, startLabK8s, type LabK8sOptions, type LabK8sPlan } from './k8s-up.ts';
import { startLabDomeos } from './domeos-up.ts';
import { isSupervisorAlive, startSupervisor, SupervisorClient } from '../supervisor/supervisor-client.ts';
import { buildLabListenAddresses, listLabMembers, parseHostPort, validateLabInventory } from './validate.ts';
import { buildLabClientTls, LAB_TLS_PATHS, writeLabHostTls, type LabTlsOptions } from './tls.ts';

/** Linux's limit on a unix socket path (sun_path is 108 bytes with the final NUL). */
const MAX_SOCKET_PATH_BYTES = 107;
const LOG_TAIL_LINES = 15;

export interface StartLabOptions extends LabK8sOptions {
  readonly inventory: Inventory;
  /** Recorded in lab.json (shown by `ferry lab status`). */
  readonly inventoryPath: string;
  readonly labDir: string;
  /** Progress lines for the operator. */
  readonly log?: (line: string) => void;
  /** How long the old cluster (and the old master's apiserver) may take to become healthy; default 30 000 ms. */
  readonly healthTimeoutMs?: number;
  /** The etcd binaries; default: as `etcd` says (etcd-release.ts), else /usr/bin/etcd and /usr/bin/etcdctl. */
  readonly binaries?: LabBinaries;
  /** `--etcd`: 3.4 (this machine's), 3.3 (Debian bullseye's, fetched once) or a folder with etcd and etcdctl. */
  readonly etcd?: string;
  /** For the cache of fetched etcd releases (FERRY_CACHE, XDG_CACHE_HOME). */
  readonly env?: Env;
  /**
   * Run the lab over TLS (tls.ts): etcd with client and peer TLS and client-certificate auth (its members' URLs
   * must be https), the apiservers over https. The old hosts, the old master and the nodes get their certificates
   * from `tls.dir`; new hosts get nothing (provision them as an operator would: writeLabHostTls).
   */
  readonly tls?: LabTlsOptions;
}

async function findPortsInUse(addresses: readonly { host: string; port: number }[]): Promise<string[]> {
  const inUse: string[] = [];
  for (const { host, port } of addresses) {
    const busy = await new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(true));
      server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(false)));
    });
    if (busy) inUse.push(`${host}:${port}`);
  }
  return inUse;
}

async function refuseIfUp(labDir: string): Promise<void> {
  const paths = buildLabPaths(labDir);
  const state = await readLabState(labDir).catch(() => undefined);
  if (state !== undefined || (await isSupervisorAlive(labDir)) || (await readFile(paths.supervisorStateFile).catch(() => undefined)) !== undefined) {
    throw inputError('LAB_ALREADY_UP', `a lab is already up in ${labDir}`, { hint: 'ferry lab down', subjects: { labDir } });
  }
}

async function readLogTail(labDir: string, member: EtcdMember): Promise<string> {
  const path = mapPathIntoRoot(buildHostRoot(labDir, member.host), `/var/log/${member.service}.log`);
  const text = await readFile(path, 'utf8').catch(() => '(no log)');
  return text.trimEnd().split('\n').slice(-LOG_TAIL_LINES).map((l) => `    ${l}`).join('\n');
}

/** -enable-v2 (flannel and the seed use the v2 API), plus the TLS flags in a TLS lab. */
function buildOldMemberOpts(tls: LabTlsOptions | undefined): string {
  return tls === undefined ? '-enable-v2' : `-enable-v2 ${buildEtcdTlsOpts({ ca: LAB_TLS_PATHS.ca, cert: LAB_TLS_PATHS.serverCert, key: LAB_TLS_PATHS.serverKey })}`;
}

async function configureOldMember(host: LabHost, member: EtcdMember, old: readonly EtcdMember[], token: string, opts: string): Promise<void> {
  await host.writeFile(
    member.configFile,
    renderEtcdSysconfig({
      name: member.name,
      peerURL: member.peerURL,
      clientURL: member.clientURL,
      initialCluster: old.map((m) => ({ name: m.name, peerURL: m.peerURL })),
      state: 'new',
      token,
      dataDir: member.dataDir,
      opts,
    }),
  );
  await host.writeFile(`/lib/systemd/system/${member.service}.service`, renderEtcdUnit({ binary: member.binary, configFile: member.configFile }));
  await host.mkdir(dirname(member.dataDir));
}

function buildHostStates(labDir: string, inventory: Inventory): LabHostState[] {
  const byAddress = new Map<string, { role: 'old' | 'new'; members: EtcdMember[] }>();
  for (const { role, member } of listLabMembers(inventory)) {
    const entry = byAddress.get(member.host) ?? { role, members: [] };
    if (role === 'old') entry.role = 'old';
    entry.members.push(member);
    byAddress.set(member.host, entry);
  }
  return [...byAddress].map(([address, { role, members }]) => ({
    address,
    root: buildHostRoot(labDir, address),
    role,
    members: members.map((m) => ({ name: m.name, service: m.service, clientURL: m.clientURL, peerURL: m.peerURL })),
  }));
}

export async function startLab(optionsIn: StartLabOptions): Promise<LabState> {
  const options = { ...optionsIn, labDir: resolve(optionsIn.labDir) };
  const { inventory, labDir } = options;
  const log = options.log ?? (() => undefined);
  const paths = buildLabPaths(labDir);

  const problems = [...validateLabInventory(inventory), ...validateLabTls(inventory, options.tls)];
  if (problems.length > 0) {
    const first = problems[0] as (typeof problems)[number];
    throw inputError(first.code, `the inventory cannot be run as a lab:\n${problems.map((p) => `  ${p.message}`).join('\n')}`, {
      hint: 'A lab inventory uses access.mode: lab and 127.x.y.z addresses (every 127/8 address works without setup).',
      subjects: { path: first.path },
    });
  }
  if (inventory.etcd.old.length === 0) throw inputError('LAB_NO_MEMBERS', 'the inventory has no old etcd members to start');
  if (Buffer.byteLength(paths.socketPath) > MAX_SOCKET_PATH_BYTES) {
    throw inputError('LAB_DIR_TOO_LONG', `the lab folder path is too long for a unix socket: ${paths.socketPath}`, { hint: 'Use a shorter access.labDir or FERRY_HOME.' });
  }
  const k8sPlan = planLabK8s(inventory, options);
  await refuseIfUp(labDir);
  const listen = buildLabListenAddresses(inventory);
  if (inventory.master !== undefined) {
    for (const m of [inventory.master.old, inventory.master.new]) {
      const hp = parseHostPort(m.apiserver);
      if (hp !== undefined) listen.push(hp);
    }
  }
  // The cluster DNS address answers on port 53 once lab up creates it: another lab's there would answer instead.
  if (k8sPlan !== undefined && options.dns !== false) listen.push({ host: k8sPlan.network.clusterDns, port: 53 });
  const inUse = await findPortsInUse(listen);
  if (inUse.length > 0) {
    throw inputError('LAB_PORT_IN_USE', `already in use: ${inUse.join(', ')}`, {
      hint: 'Stop whatever listens there (another lab? `ferry lab down`), or change the inventory’s URLs.',
      subjects: { address: inUse.join(',') },
    });
  }

  await mkdir(labDir, { recursive: true });
  try {
    // Claims the folder: a second `lab up` racing this one fails here.
    await mkdir(paths.hostsDir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw inputError('LAB_ALREADY_UP', `a lab is already up in ${labDir}`, { hint: 'ferry lab down' });
    throw err;
  }

  try {
    return await buildLab(options, k8sPlan, log);
  } catch (err) {
    log(`lab up failed: ${messageOf(err)}; tearing down`);
    await stopLab(labDir).catch((e: unknown) => log(`teardown failed: ${messageOf(e)}`));
    throw err;
  }
}

/** A TLS lab's members serve https (etcd would serve plain http on an https URL without its TLS flags). */
function validateLabTls(inventory: Inventory, tls: LabTlsOptions | undefined): { code: string; path: string; message: string }[] {
  const problems: { code: string; path: string; message: string }[] = [];
  if (tls === undefined) return problems;
  for (const { path, member } of listLabMembers(inventory)) {
    for (const field of ['clientURL', 'peerURL'] as const) {
      if (!member[field].startsWith('https://')) problems.push({ code: 'LAB_BAD_URL', path: `${path}.${field}`, message: `${path}.${field} "${member[field]}" must be an https URL in a TLS lab` });
    }
  }
  if (inventory.domeos !== undefined) {
    problems.push({ code: 'LAB_TLS_UNSUPPORTED', path: 'domeos', message: 'the DomeOS console stand-in does not run in a TLS lab (its cluster record probes plain http)' });
  }
  return problems;
}

async function buildLab(options: StartLabOptions, k8sPlan: LabK8sPlan | undefined, log: (line: string) => void): Promise<LabState> {
  const { inventory, labDir } = options;
  const release = options.binaries === undefined ? await resolveLabEtcd(options.etcd, options.env, log) : undefined;
  const binaries = options.binaries ?? release ?? DEFAULT_LAB_BINARIES;
  if (release !== undefined) {
    if (compareVersions(release.version, MIN_ETCD_VERSION) < 0) {
      throw inputError('LAB_ETCD_VERSION', `--etcd ${options.etcd ?? ''}: etcd ${release.version} cannot run the lab yet: its seeding, the apiserver stand-in and ferry itself speak etcd's v3 API, which ${release.version} does not have (or ferry does not move it)`, {
        hint: `the lab runs etcd ${MIN_ETCD_VERSION} and later: --etcd 3.3 or --etcd 3.4`,
      });
    }
    log(`etcd ${release.version} (${release.etcd})`);
  }
  const members = listLabMembers(inventory);
  const hostStates = buildHostStates(labDir, inventory);
  for (const h of hostStates) {
    const binaryPaths = members.filter((m) => m.member.host === h.address).map((m) => m.member.binary);
    await writeLabHostRoot(labDir, h.address, binaryPaths, binaries);
    if (options.tls !== undefined && h.role === 'old') await writeLabHostTls(h.root, options.tls, h.address);
  }
  log(`created ${hostStates.length} host root(s) under ${buildLabPaths(labDir).hostsDir}`);

  const { pid: supervisorPid } = await startSupervisor(labDir);
  log(`lab supervisor running (pid ${supervisorPid})`);

  // Always a fresh token, even when the inventory names the real cluster's: etcd derives member IDs from names,
  // peer URLs and the token, so reusing one would give every lab run the same IDs, and a member of an old run
  // still shutting down could be mistaken for a member of the new one (docs/design/lab-environment.md §1.3).
  const token = `ferry-lab-${randomBytes(8).toString('hex')}`;
  const old = inventory.etcd.old;
  const opts = buildOldMemberOpts(options.tls);
  const clientTls = options.tls === undefined ? undefined : buildLabClientTls(options.tls);
  for (const member of old) await configureOldMember(new LabHost(labDir, member.host), member, old, token, opts);
  for (const member of old) {
    await new LabHost(labDir, member.host).service(member.service, 'start');
    log(`started ${member.service} on ${member.host} (${member.name})`);
  }

  const clientURLs = old.map((m) => m.clientURL);
  const probe = await waitForLabCluster(clientURLs, {
    timeoutMs: options.healthTimeoutMs ?? 30_000,
    ...(clientTls !== undefined ? { tls: clientTls } : {}),
    failFast: async () => {
      for (const m of old) {
        if ((await new LabHost(labDir, m.host).serviceState(m.service)) === 'failed') return `${m.service} on ${m.host} (${m.name}) failed`;
      }
      return undefined;
    },
  });
  if (!probe.healthy) {
    const tails = await Promise.all(old.map(async (m) => `  ${m.name} on ${m.host} (/var/log/${m.service}.log):\n${await readLogTail(labDir, m)}`));
    throw new FerryError('LAB_START_FAILED', `the lab's old cluster did not become healthy${probe.failed !== undefined ? `: ${probe.failed}` : ''}\n  ${probe.problems.join('\n  ')}\n${tails.join('\n')}`, {
      hint: 'Look at the member logs above; the lab was torn down.',
    });
  }
  log(`old cluster healthy (${old.length} member(s), leader ${probe.leader === undefined ? '?' : idToHex(probe.leader)})`);

  // With a master, a control plane will run on this data: seed what it leaves alone (etcd-seed.ts).
  // The flannel config the control plane will run with is seeded (and recorded) now, so the check expects it.
  const flannelConfig = k8sPlan !== undefined ? buildLabFlannelConfig(k8sPlan.nodes.length + 2, k8sPlan.network.flannelNetwork) : undefined;
  const seed = await writeLabSeedData(clientURLs, { liveControlPlane: inventory.master !== undefined, ...(flannelConfig !== undefined ? { flannelConfig } : {}), ...(clientTls !== undefined ? { tls: clientTls } : {}) });
  log(`seeded ${seed.v3.length} v3 keys and ${seed.v2.length} v2 key(s)`);

  for (const { member } of members.filter((m) => m.role === 'new')) {
    await new LabHost(labDir, member.host).mkdir(dirname(member.dataDir));
  }
  log(`prepared ${hostStates.filter((h) => h.role === 'new').length} new host(s) (nothing running)`);

  const master = inventory.master;
  const k8s =
    master !== undefined && k8sPlan !== undefined
      ? await startLabK8s(labDir, { ...inventory, master }, k8sPlan, new SupervisorClient(labDir), { ...options, log, healthTimeoutMs: options.healthTimeoutMs ?? 30_000, binaries })
      : undefined;
  // The DomeOS console stand-in (phases 1, 8, 9), with the old apiserver and etcd in its cluster record.
  await startLabDomeos(labDir, inventory, new SupervisorClient(labDir), { log, healthTimeoutMs: options.healthTimeoutMs ?? 30_000 });

  const state: LabState = {
    version: 1,
    inventoryPath: options.inventoryPath,
    name: inventory.name,
    token,
    createdAt: new Date().toISOString(),
    hosts: hostStates,
    supervisorPid,
    ...(release !== undefined ? { etcd: { version: release.version, binary: release.etcd } } : {}),
    ...(k8s !== undefined ? { k8s } : {}),
  };
  await writeLabState(labDir, state);
  return state;
}
