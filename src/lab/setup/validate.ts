/**
 * What `ferry lab up` needs from an inventory (pure): lab access, every host a 127.x.y.z address (the lab runs
 * everything on this machine's loopback), and no address:port or (host, service) used twice.
 */
import type { EtcdMember, Inventory } from '../../inventory/types.ts';

export interface LabProblem {
  /** `LAB_NOT_LOOPBACK`, `LAB_ACCESS_NOT_LAB`, `LAB_PORT_CONFLICT`, `LAB_SERVICE_CONFLICT`, `LAB_BAD_URL`, `LAB_DOMEOS_NEEDS_MASTER`. */
  readonly code: string;
  /** Where in the inventory, e.g. `etcd.new[2].peerURL`. */
  readonly path: string;
  readonly message: string;
}

export function isLoopbackIPv4(host: string): boolean {
  const m = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  return m !== null && m.slice(1).every((octet) => Number(octet) <= 255);
}

/** `host:port` of a URL, or undefined when it is not an http(s) URL with a port. */
export function parseHostPort(url: string): { host: string; port: number } | undefined {
  try {
    const u = new URL(url);
    const port = u.port === '' ? undefined : Number(u.port);
    if ((u.protocol !== 'http:' && u.protocol !== 'https:') || port === undefined) return undefined;
    return { host: u.hostname, port };
  } catch {
    return undefined;
  }
}

export interface LabMemberRef {
  readonly role: 'old' | 'new';
  readonly path: string;
  readonly member: EtcdMember;
}

export function listLabMembers(inventory: Inventory): LabMemberRef[] {
  return [
    ...inventory.etcd.old.map((member, i) => ({ role: 'old' as const, path: `etcd.old[${i}]`, member })),
    ...inventory.etcd.new.map((member, i) => ({ role: 'new' as const, path: `etcd.new[${i}]`, member })),
  ];
}

export function validateLabInventory(inventory: Inventory): LabProblem[] {
  const problems: LabProblem[] = [];
  if (inventory.access.mode !== 'lab') {
    problems.push({ code: 'LAB_ACCESS_NOT_LAB', path: 'access.mode', message: `access.mode is "${inventory.access.mode}"; the lab needs "lab"` });
  }
  const hosts: [string, string][] = [];
  for (const { path, member } of listLabMembers(inventory)) hosts.push([`${path}.host`, member.host]);
  if (inventory.master !== undefined) {
    hosts.push(['master.old.host', inventory.master.old.host], ['master.new.host', inventory.master.new.host]);
  }
  inventory.nodes?.forEach((n, i) => hosts.push([`nodes[${i}].host`, n.host]));
  if (inventory.domeos !== undefined) hosts.push(['domeos.host', inventory.domeos.host]);
  for (const address of Object.keys(inventory.hosts)) hosts.push([`hosts.${address}`, address]);
  for (const [path, host] of hosts) {
    if (!isLoopbackIPv4(host)) problems.push({ code: 'LAB_NOT_LOOPBACK', path, message: `${path} is "${host}", not a 127.x.y.z address` });
  }

  const ports = new Map<string, string>();
  const services = new Map<string, string>();
  for (const { path, member } of listLabMembers(inventory)) {
    for (const field of ['peerURL', 'clientURL'] as const) {
      const hp = parseHostPort(member[field]);
      if (hp === undefined) {
        problems.push({ code: 'LAB_BAD_URL', path: `${path}.${field}`, message: `${path}.${field} "${member[field]}" is not an http(s) URL with a port` });
        continue;
      }
      if (!isLoopbackIPv4(hp.host)) {
        problems.push({ code: 'LAB_NOT_LOOPBACK', path: `${path}.${field}`, message: `${path}.${field} "${member[field]}" is not on a 127.x.y.z address` });
      }
      const key = `${hp.host}:${hp.port}`;
      const other = ports.get(key);
      if (other !== undefined) problems.push({ code: 'LAB_PORT_CONFLICT', path: `${path}.${field}`, message: `${key} is used by ${other} and ${path}.${field}` });
      else ports.set(key, `${path}.${field}`);
    }
    const serviceKey = `${member.host} ${member.service}`;
    const other = services.get(serviceKey);
    if (other !== undefined) {
      problems.push({ code: 'LAB_SERVICE_CONFLICT', path: `${path}.service`, message: `${member.host} runs service "${member.service}" for both ${other} and ${path}` });
    } else services.set(serviceKey, path);
  }
  problems.push(...validateLabDomeos(inventory, ports));
  return problems;
}

/** The console the lab runs (domeos-up.ts): at the root of an http://127.x.y.z:<port> URL, with a master to point at. */
function validateLabDomeos(inventory: Inventory, ports: ReadonlyMap<string, string>): LabProblem[] {
  const d = inventory.domeos;
  if (d === undefined) return [];
  const problems: LabProblem[] = [];
  if (inventory.master === undefined) {
    problems.push({ code: 'LAB_DOMEOS_NEEDS_MASTER', path: 'domeos', message: 'domeos needs a master: section in the lab (the console’s cluster record holds the old apiserver)' });
  }
  const hp = parseHostPort(d.url);
  const path = /^[a-z]+:\/\/[^/?#]*(.*)$/i.exec(d.url)?.[1] ?? '';
  if (hp === undefined || !d.url.startsWith('http://') || (path !== '' && path !== '/')) {
    problems.push({ code: 'LAB_BAD_URL', path: 'domeos.url', message: `domeos.url "${d.url}" must be http://127.x.y.z:<port> in the lab (the stand-in serves plain http at the root)` });
    return problems;
  }
  if (!isLoopbackIPv4(hp.host)) problems.push({ code: 'LAB_NOT_LOOPBACK', path: 'domeos.url', message: `domeos.url "${d.url}" is not on a 127.x.y.z address` });
  const key = `${hp.host}:${hp.port}`;
  const apiservers = inventory.master === undefined ? [] : [inventory.master.old, inventory.master.new].map((m) => parseHostPort(m.apiserver));
  const other = ports.get(key) ?? (apiservers.some((x) => x !== undefined && `${x.host}:${x.port}` === key) ? 'an apiserver' : undefined);
  if (other !== undefined) problems.push({ code: 'LAB_PORT_CONFLICT', path: 'domeos.url', message: `${key} is used by ${other} and domeos.url` });
  return problems;
}

/** Every address:port the lab's members will listen on. */
export function buildLabListenAddresses(inventory: Inventory): { host: string; port: number }[] {
  const seen = new Map<string, { host: string; port: number }>();
  for (const { member } of listLabMembers(inventory)) {
    for (const url of [member.peerURL, member.clientURL]) {
      const hp = parseHostPort(url);
      if (hp !== undefined) seen.set(`${hp.host}:${hp.port}`, hp);
    }
  }
  // The DomeOS console stand-in (domeos-up.ts) listens on its URL's address.
  const consoleAddress = inventory.domeos === undefined ? undefined : parseHostPort(inventory.domeos.url);
  if (consoleAddress !== undefined) seen.set(`${consoleAddress.host}:${consoleAddress.port}`, consoleAddress);
  return [...seen.values()];
}
