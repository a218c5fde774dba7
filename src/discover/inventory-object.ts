/**
 * The discovered facts as a ferry/v1 inventory file (the shape of src/inventory/schema.ts), pure. `etcd.new` is
 * empty and `master.new` absent: the operator fills them in (document.ts marks the places). The members' shared
 * settings go to `etcd.defaults` (the most common value of each, so new members follow the old ones' layout); a
 * member states only what differs from them.
 */
import { defaultURL } from '../inventory/normalize.ts';
import { DEFAULTS, type InventoryFile } from '../inventory/schema.ts';
import { parseEndpointURL } from '../inventory/urls.ts';
import { listControllerBases } from './dns-facts.ts';
import { pickURL } from './etcd-facts.ts';
import type { Discovery, MemberFacts } from './types.ts';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type MemberEntry = Mutable<InventoryFile['etcd']['old'][number]>;

/** The most common value (the first seen on a tie), or undefined for an empty list. */
export function computeMostCommon<T>(values: readonly T[]): T | undefined {
  const counts = new Map<T, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best: T | undefined;
  let bestCount = 0;
  for (const [v, n] of counts) if (n > bestCount) [best, bestCount] = [v, n];
  return best;
}

/** Members that can be listed in `etcd.old`: started (a name) and on a known host; by name. */
export function listInventoryMembers(d: Pick<Discovery, 'etcd'>): (MemberFacts & { host: string })[] {
  return d.etcd.members
    .filter((m): m is MemberFacts & { host: string } => m.name !== '' && m.host !== undefined)
    .sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
}

function portOf(url: string | undefined): number | undefined {
  if (url === undefined) return undefined;
  const r = parseEndpointURL(url, 'slash');
  return r.ok ? r.url.port : undefined;
}

export interface EtcdLayout {
  readonly defaults: Required<NonNullable<InventoryFile['etcd']['defaults']>>;
  readonly members: readonly MemberEntry[];
  readonly clusterToken?: string;
}

export function buildEtcdLayout(d: Pick<Discovery, 'etcd'>): EtcdLayout {
  const members = listInventoryMembers(d);
  const urls = members.map((m) => ({ m, client: pickURL(m.clientURLs, m.host), peer: pickURL(m.peerURLs, m.host) }));
  const read = members.filter((m) => m.files.source === 'read').map((m) => m.files);
  const common = <K extends 'dataDir' | 'service' | 'binary' | 'configFile'>(key: K): string =>
    computeMostCommon(read.flatMap((f) => (f[key] === undefined ? [] : [f[key]]))) ?? DEFAULTS.etcd[key];
  const defaults = {
    clientPort: computeMostCommon(urls.flatMap((u) => portOf(u.client) ?? [])) ?? DEFAULTS.etcd.clientPort,
    peerPort: computeMostCommon(urls.flatMap((u) => portOf(u.peer) ?? [])) ?? DEFAULTS.etcd.peerPort,
    dataDir: common('dataDir'),
    service: common('service'),
    binary: common('binary'),
    configFile: common('configFile'),
  };
  const entries = urls.map(({ m, client, peer }) => {
    const entry: MemberEntry = { name: m.name, host: m.host };
    if (client !== undefined && client !== defaultURL(m.host, defaults.clientPort)) entry.clientURL = client;
    if (peer !== undefined && peer !== defaultURL(m.host, defaults.peerPort)) entry.peerURL = peer;
    for (const key of ['dataDir', 'service', 'binary', 'configFile'] as const) {
      const value = m.files[key];
      if (value !== undefined && value !== defaults[key]) entry[key] = value;
    }
    return entry;
  });
  const clusterToken = members.find((m) => m.files.clusterToken !== undefined)?.files.clusterToken;
  return { defaults, members: entries, ...(clusterToken !== undefined ? { clusterToken } : {}) };
}

/** The inventory as a plain object, in the order of examples/seed.yaml. */
export function buildInventoryObject(d: Discovery): Record<string, unknown> {
  const layout = buildEtcdLayout(d);
  const access =
    d.access.mode === 'lab'
      ? { mode: 'lab', ...(d.access.labDir !== undefined ? { labDir: d.access.labDir } : {}) }
      : { mode: 'ssh', user: d.access.user, port: d.access.port, keyFile: d.access.keyFile, knownHosts: d.access.knownHosts, sudo: d.access.sudo };
  const nodes = d.nodes
    .flatMap((n) => (n.internalIP === undefined ? [] : [{ name: n.name, host: n.internalIP }]))
    .sort((a, b) => a.name.localeCompare(b.name));
  const dns = d.dns;
  const bases = dns === undefined ? [] : listControllerBases(dns.controllers);
  return {
    apiVersion: 'ferry/v1',
    name: d.name,
    access,
    etcd: {
      ...(layout.clusterToken !== undefined ? { clusterToken: layout.clusterToken } : {}),
      defaults: layout.defaults,
      old: layout.members,
      new: [],
    },
    master: { old: { host: d.master.host, apiserver: d.apiserver.url } },
    ...(nodes.length > 0 ? { nodes } : {}),
    ...(dns !== undefined
      ? {
          dns: {
            namespace: dns.namespace,
            service: dns.service ?? DEFAULTS.dns.service,
            controllers: bases.length > 0 ? bases : [...DEFAULTS.dns.controllers],
            domain: dns.domain ?? DEFAULTS.dns.domain,
          },
        }
      : {}),
    ...(d.console !== undefined
      ? { domeos: { url: d.console.url, cluster: d.console.cluster, ...(d.console.credentialsFile !== undefined ? { credentialsFile: d.console.credentialsFile } : {}) } }
      : {}),
  };
}
