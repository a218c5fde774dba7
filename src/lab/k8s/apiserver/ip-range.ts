/**
 * IPv4 ranges for service cluster IPs. Pure. The real allocator picks at random from a bitmap kept in etcd; the
 * stand-in allocates sequentially from the lowest free address, which is deterministic for tests. The range's
 * network address is never handed out and its first address belongs to the `kubernetes` service.
 */
import { isIPv4 } from 'node:net';

export interface Ipv4Range {
  /** Network address as an unsigned 32-bit number. */
  readonly base: number;
  readonly prefixLength: number;
  /** Number of addresses in the range, network and broadcast included. */
  readonly size: number;
  readonly cidr: string;
}

export function parseIpv4(text: string): number | undefined {
  if (!isIPv4(text)) return undefined;
  return text.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
}

export function formatIpv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

/** `10.0.0.0/24` -> range; host bits are cleared as Go's net.ParseCIDR does. Undefined when malformed. */
export function parseCidr(cidr: string): Ipv4Range | undefined {
  const [ip, bits, extra] = cidr.split('/');
  if (ip === undefined || bits === undefined || extra !== undefined || !/^\d{1,2}$/.test(bits)) return undefined;
  const prefixLength = Number(bits);
  const address = parseIpv4(ip);
  if (address === undefined || prefixLength > 32) return undefined;
  const size = 2 ** (32 - prefixLength);
  const base = address - (address % size);
  return { base, prefixLength, size, cidr: `${formatIpv4(base)}/${prefixLength}` };
}

export function isInRange(range: Ipv4Range, ip: string): boolean {
  const value = parseIpv4(ip);
  return value !== undefined && value >= range.base && value < range.base + range.size;
}

/** The address of the `kubernetes` service: the first one after the network address. */
export function computeFirstServiceIp(range: Ipv4Range): string {
  return formatIpv4(range.base + 1);
}

/** Whether `ip` may be given to a service: inside the range, not its network or broadcast address. */
export function isAllocatable(range: Ipv4Range, ip: string): boolean {
  const value = parseIpv4(ip);
  return value !== undefined && value > range.base && value < range.base + range.size - 1;
}

/**
 * The lowest free address for a new service: skips the network address, the first address (the `kubernetes`
 * service's) and the broadcast address. Undefined when the range is full.
 */
export function computeNextServiceIp(range: Ipv4Range, used: ReadonlySet<string>): string | undefined {
  for (let value = range.base + 2; value < range.base + range.size - 1; value++) {
    const ip = formatIpv4(value);
    if (!used.has(ip)) return ip;
  }
  return undefined;
}
