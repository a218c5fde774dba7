/**
 * flannel's network config and subnet leases (pure), as flannel 0.5.5 reads and writes them in etcd:
 * `<prefix>/config` holds `{"Network": "…/13", "SubnetLen": 22, "Backend": {…}}`; each host's lease is
 * `<prefix>/subnets/<a.b.c.d>-<len>` holding its PublicIP and backend data. A new lease is a random free subnet
 * among the first 100 free ones between SubnetMin (the network's second subnet) and SubnetMax (its last), as
 * flannel's allocateSubnet picks it.
 */
import { createHash } from 'node:crypto';
import { blockSize, formatCidr, formatIPv4, networkAddress, parseCidr, parseIPv4 } from '../../setup/ipv4.ts';

export interface FlannelNetworkConfig {
  /** The network's first address. */
  readonly network: number;
  readonly networkPrefixLength: number;
  readonly subnetLen: number;
  /** First and last subnet that may be leased (network addresses, inclusive). */
  readonly subnetMin: number;
  readonly subnetMax: number;
  readonly backendType: string;
}

export type ParsedFlannelConfig = { readonly ok: true; readonly config: FlannelNetworkConfig } | { readonly ok: false; readonly message: string };

/** Subnets flannel considers per allocation (its `len(bag) < 100`). */
const CANDIDATES = 100;

export function parseFlannelConfig(text: string): ParsedFlannelConfig {
  let raw: { Network?: unknown; SubnetLen?: unknown; SubnetMin?: unknown; SubnetMax?: unknown; Backend?: { Type?: unknown } };
  try {
    raw = JSON.parse(text) as typeof raw;
  } catch (err) {
    return { ok: false, message: `failed to parse network config: ${(err as Error).message}` };
  }
  const cidr = typeof raw.Network === 'string' ? parseCidr(raw.Network) : undefined;
  if (cidr === undefined) return { ok: false, message: `failed to parse network config: Network "${String(raw.Network)}" is not a CIDR` };
  const network = networkAddress(cidr);
  const subnetLen = raw.SubnetLen === undefined ? (cidr.prefixLength < 24 ? 24 : cidr.prefixLength + 1) : Number(raw.SubnetLen);
  if (!Number.isInteger(subnetLen) || subnetLen <= cidr.prefixLength || subnetLen > 30) {
    return { ok: false, message: `failed to parse network config: SubnetLen ${String(raw.SubnetLen)} must be more than the network's ${cidr.prefixLength} and at most 30` };
  }
  const size = blockSize(subnetLen);
  const ipOr = (v: unknown, fallback: number): number | undefined => (v === undefined ? fallback : typeof v === 'string' ? parseIPv4(v) : undefined);
  const subnetMin = ipOr(raw.SubnetMin, network + size);
  const subnetMax = ipOr(raw.SubnetMax, network + blockSize(cidr.prefixLength) - size);
  if (subnetMin === undefined || subnetMax === undefined) return { ok: false, message: 'failed to parse network config: SubnetMin / SubnetMax are not addresses' };
  return {
    ok: true,
    config: { network, networkPrefixLength: cidr.prefixLength, subnetLen, subnetMin, subnetMax, backendType: typeof raw.Backend?.Type === 'string' ? raw.Backend.Type : 'udp' },
  };
}

/** `127.24.4.0/22` → `127.24.4.0-22` (the lease's key name under `<prefix>/subnets/`). */
export function buildLeaseName(subnet: number, len: number): string {
  return `${formatIPv4(subnet)}-${len}`;
}

export function parseLeaseName(name: string): { readonly subnet: number; readonly len: number } | undefined {
  const m = /^(\d+\.\d+\.\d+\.\d+)-(\d+)$/.exec(name);
  const subnet = m === null ? undefined : parseIPv4(m[1] as string);
  return subnet === undefined ? undefined : { subnet, len: Number(m?.[2]) };
}

/** The subnets flannel would choose among: the first (up to) 100 free ones from SubnetMin to SubnetMax. */
export function computeFreeSubnets(config: FlannelNetworkConfig, leased: ReadonlySet<number>, limit = CANDIDATES): number[] {
  const size = blockSize(config.subnetLen);
  const free: number[] = [];
  for (let sn = config.subnetMin - (config.subnetMin % size); sn <= config.subnetMax && free.length < limit; sn += size) {
    if (!leased.has(sn)) free.push(sn);
  }
  return free;
}

/** One of `free` at random; undefined when there is none ("out of subnets"). */
export function chooseSubnet(free: readonly number[], random: () => number = Math.random): number | undefined {
  if (free.length === 0) return undefined;
  return free[Math.min(free.length - 1, Math.floor(random() * free.length))];
}

/** True when the subnet is a subnet of the network that may be leased. */
export function isLeasable(config: FlannelNetworkConfig, subnet: number, len: number): boolean {
  return len === config.subnetLen && subnet % blockSize(len) === 0 && subnet >= config.subnetMin && subnet <= config.subnetMax;
}

/** A stable, locally administered MAC for the host's vxlan device. */
export function buildVtepMac(publicIP: string): string {
  const bytes = createHash('sha256').update(publicIP).digest().subarray(0, 6);
  bytes[0] = ((bytes[0] as number) & 0xfe) | 0x02;
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(':');
}

/** The lease's value, as flannel 0.5.5 writes it for the vxlan backend. */
export function buildLeaseValue(publicIP: string, backendType: string): string {
  const backendData = backendType === 'vxlan' ? { VtepMAC: buildVtepMac(publicIP) } : undefined;
  return JSON.stringify({ PublicIP: publicIP, BackendType: backendType, ...(backendData !== undefined ? { BackendData: backendData } : {}) });
}

/** The PublicIP a lease's value names; undefined when it is not a lease value. */
export function parseLeasePublicIP(value: string | undefined): string | undefined {
  try {
    const v = JSON.parse(value ?? '') as { PublicIP?: unknown };
    return typeof v.PublicIP === 'string' ? v.PublicIP : undefined;
  } catch {
    return undefined;
  }
}

/** `FLANNEL_SUBNET` for a lease: its first address with the length (`127.24.4.1/22`). */
export function buildSubnetEnvValue(subnet: number, len: number): string {
  return formatCidr(subnet + 1, len);
}

export function formatNetwork(config: FlannelNetworkConfig): string {
  return formatCidr(config.network, config.networkPrefixLength);
}
