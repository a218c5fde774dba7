/** IPv4 addresses and CIDR blocks as 32-bit numbers (pure), for the lab's address plans and flannel's subnets. */

export interface Cidr {
  /** The address as written (may have host bits set, like FLANNEL_SUBNET's `10.1.4.1/22`). */
  readonly ip: number;
  readonly prefixLength: number;
}

export function parseIPv4(text: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text.trim());
  if (m === null) return undefined;
  const octets = m.slice(1).map(Number);
  if (octets.some((o) => o > 255)) return undefined;
  return (((octets[0] as number) << 24) >>> 0) + ((octets[1] as number) << 16) + ((octets[2] as number) << 8) + (octets[3] as number);
}

export function formatIPv4(ip: number): string {
  return [ip >>> 24, (ip >>> 16) & 255, (ip >>> 8) & 255, ip & 255].join('.');
}

export function parseCidr(text: string): Cidr | undefined {
  const [addr, len, extra] = text.trim().split('/');
  if (addr === undefined || len === undefined || extra !== undefined || !/^\d{1,2}$/.test(len)) return undefined;
  const ip = parseIPv4(addr);
  const prefixLength = Number(len);
  if (ip === undefined || prefixLength > 32) return undefined;
  return { ip, prefixLength };
}

/** Number of addresses in a block of this prefix length. */
export function blockSize(prefixLength: number): number {
  return 2 ** (32 - prefixLength);
}

/** The block's first address (host bits cleared). */
export function networkAddress(cidr: Cidr): number {
  return cidr.ip - (cidr.ip % blockSize(cidr.prefixLength));
}

export function formatCidr(ip: number, prefixLength: number): string {
  return `${formatIPv4(ip)}/${prefixLength}`;
}

export function cidrContains(cidr: Cidr, ip: number): boolean {
  const start = networkAddress(cidr);
  return ip >= start && ip < start + blockSize(cidr.prefixLength);
}
