/**
 * Applies defaults to a shape-valid inventory file: member fields override `etcd.defaults`, which override
 * {@link DEFAULTS}; `~` in local paths becomes the home folder. Remote paths (dataDir, binary, configFile) are
 * paths on the hosts and are left alone. The result is the {@link Inventory} contract of types.ts.
 */
import { join } from 'node:path';
import { BugError } from '../errors.ts';
import { DEFAULTS } from './schema.ts';
import type {
  AccessFile,
  DomeosFile,
  EtcdDefaultsFile,
  EtcdMemberFile,
  EtcdTlsFile,
  HostOverrideFile,
  InventoryFile,
} from './schema.ts';
import { formatHostPort, parseEndpointURL } from './urls.ts';
import type { Access, DnsSection, DomeosSection, EtcdMember, EtcdTls, Inventory } from './types.ts';

/** `~` → home, `~/x` → home/x; anything else (including `~user/x`) unchanged. */
export function expandHome(path: string, homeDir: string): string {
  if (path === '~') return homeDir;
  if (path.startsWith('~/')) return join(homeDir, path.slice(2));
  return path;
}

/** `http://<host>:<port>` (IPv6 hosts in brackets). */
export function defaultURL(host: string, port: number): string {
  return `http://${formatHostPort(host.replace(/^\[(.*)\]$/, '$1'), port)}`;
}

export function buildEtcdMember(member: EtcdMemberFile, defaults: EtcdDefaultsFile = {}): EtcdMember {
  return {
    name: member.name,
    host: member.host,
    clientURL: member.clientURL ?? defaultURL(member.host, defaults.clientPort ?? DEFAULTS.etcd.clientPort),
    peerURL: member.peerURL ?? defaultURL(member.host, defaults.peerPort ?? DEFAULTS.etcd.peerPort),
    dataDir: member.dataDir ?? defaults.dataDir ?? DEFAULTS.etcd.dataDir,
    service: member.service ?? defaults.service ?? DEFAULTS.etcd.service,
    binary: member.binary ?? defaults.binary ?? DEFAULTS.etcd.binary,
    configFile: member.configFile ?? defaults.configFile ?? DEFAULTS.etcd.configFile,
  };
}

function buildAccess(access: AccessFile, homeDir: string): Access {
  if (access.mode === 'lab') {
    return access.labDir === undefined ? { mode: 'lab' } : { mode: 'lab', labDir: expandHome(access.labDir, homeDir) };
  }
  if (access.keyFile === undefined) throw new BugError('buildInventory called with ssh access and no keyFile');
  return {
    mode: 'ssh',
    user: access.user ?? DEFAULTS.access.user,
    port: access.port ?? DEFAULTS.access.port,
    keyFile: expandHome(access.keyFile, homeDir),
    knownHosts: expandHome(access.knownHosts ?? DEFAULTS.access.knownHosts, homeDir),
    sudo: access.sudo ?? DEFAULTS.access.sudo,
  };
}

/** Only the fields the operator wrote: an override has no defaults of its own. */
function buildOverride(override: HostOverrideFile, homeDir: string): Partial<Access> {
  const out: { -readonly [K in keyof HostOverrideFile]: HostOverrideFile[K] } = {};
  if (override.user !== undefined) out.user = override.user;
  if (override.port !== undefined) out.port = override.port;
  if (override.keyFile !== undefined) out.keyFile = expandHome(override.keyFile, homeDir);
  if (override.knownHosts !== undefined) out.knownHosts = expandHome(override.knownHosts, homeDir);
  if (override.sudo !== undefined) out.sudo = override.sudo;
  return out;
}

function buildTls(tls: EtcdTlsFile, homeDir: string): EtcdTls {
  const out: { ca?: string; cert?: string; key?: string } = {};
  if (tls.ca !== undefined) out.ca = expandHome(tls.ca, homeDir);
  if (tls.cert !== undefined) out.cert = expandHome(tls.cert, homeDir);
  if (tls.key !== undefined) out.key = expandHome(tls.key, homeDir);
  return out;
}

function buildDns(dns: InventoryFile['dns']): DnsSection {
  return {
    namespace: dns?.namespace ?? DEFAULTS.dns.namespace,
    service: dns?.service ?? DEFAULTS.dns.service,
    controllers: dns?.controllers ?? [...DEFAULTS.dns.controllers],
    domain: dns?.domain ?? DEFAULTS.dns.domain,
  };
}

/** `domeos:` with its defaults: the host is the URL's, the service `domeos`, the health timeout 60 s. */
export function buildDomeos(domeos: DomeosFile, homeDir: string): DomeosSection {
  const parsed = parseEndpointURL(domeos.url, 'any');
  if (!parsed.ok) throw new BugError(`buildInventory called with an invalid domeos.url (${parsed.reason})`);
  return {
    url: domeos.url,
    cluster: domeos.cluster,
    ...(domeos.credentialsFile === undefined ? {} : { credentialsFile: expandHome(domeos.credentialsFile, homeDir) }),
    host: domeos.host ?? parsed.url.host,
    service: domeos.service ?? DEFAULTS.domeos.service,
    ...(domeos.stopCommand === undefined ? {} : { stopCommand: [...domeos.stopCommand] }),
    ...(domeos.startCommand === undefined ? {} : { startCommand: [...domeos.startCommand] }),
    healthTimeoutMs: (domeos.healthTimeoutSeconds ?? DEFAULTS.domeos.healthTimeoutSeconds) * 1000,
  };
}

/**
 * The normalized inventory. Call only on a file that passed validation with no errors (it relies on checks such as
 * "ssh access has a keyFile"). `dns` is always filled (every field has a default); `master`, `nodes` and `domeos`
 * only when the file has them.
 */
export function buildInventory(file: InventoryFile, homeDir: string): Inventory {
  const defaults = file.etcd.defaults ?? {};
  const hosts: Record<string, Partial<Access>> = {};
  for (const [address, override] of Object.entries(file.hosts ?? {})) hosts[address] = buildOverride(override, homeDir);
  const etcd = {
    old: file.etcd.old.map((m) => buildEtcdMember(m, defaults)),
    new: file.etcd.new.map((m) => buildEtcdMember(m, defaults)),
    clusterToken: file.etcd.clusterToken ?? DEFAULTS.etcd.clusterToken,
    ...(file.etcd.allowVoterAdd === true ? { allowVoterAdd: true } : {}),
    ...(file.etcd.tls === undefined ? {} : { tls: buildTls(file.etcd.tls, homeDir) }),
  };
  const domeos = file.domeos === undefined ? undefined : buildDomeos(file.domeos, homeDir);
  return {
    apiVersion: file.apiVersion,
    name: file.name,
    access: buildAccess(file.access, homeDir),
    hosts,
    etcd,
    ...(file.master === undefined
      ? {}
      : { master: { old: { ...file.master.old }, new: { ...file.master.new }, ...(file.master.ca !== undefined ? { ca: expandHome(file.master.ca, homeDir) } : {}) } }),
    ...(file.nodes === undefined ? {} : { nodes: file.nodes.map((n) => ({ name: n.name, host: n.host })) }),
    rollout: {
      canary: file.rollout?.canary ?? DEFAULTS.rollout.canary,
      batchSize: file.rollout?.batchSize ?? DEFAULTS.rollout.batchSize,
      concurrency: file.rollout?.concurrency ?? DEFAULTS.rollout.concurrency,
      maxFailures: file.rollout?.maxFailures ?? DEFAULTS.rollout.maxFailures,
      readyTimeoutMs: (file.rollout?.readyTimeoutSeconds ?? DEFAULTS.rollout.readyTimeoutSeconds) * 1000,
    },
    dns: buildDns(file.dns),
    ...(domeos === undefined ? {} : { domeos }),
  };
}
