/**
 * Which listeners the lab's kube-proxy opens (pure): one per service port (UDP or TCP) whose service has a cluster
 * IP on this machine's loopback and ready endpoints, forwarding to those endpoints (podIP:targetPort). Traffic
 * never leaves the machine: cluster IPs and endpoint addresses outside 127.0.0.0/8 are left out (a seeded service
 * with the runbook's 172.16.x address is not proxied).
 */
import type { ServiceEntry } from './service-table.ts';

export const ListenerProtocol = { udp: 'UDP', tcp: 'TCP' } as const;
export type ListenerProtocol = (typeof ListenerProtocol)[keyof typeof ListenerProtocol];

export interface Endpoint {
  readonly host: string;
  readonly port: number;
}

export interface ListenerSpec {
  /** `UDP 127.16.40.1:53`: the same for every kube-proxy, so listeners are shared by key. */
  readonly key: string;
  readonly protocol: ListenerProtocol;
  readonly address: string;
  readonly port: number;
  /** `namespace/name:portName`, for logs. */
  readonly servicePort: string;
  readonly endpoints: readonly Endpoint[];
}

/** True for an address in 127.0.0.0/8. */
export function isLoopbackIPv4(ip: string): boolean {
  const m = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  return m !== null && m.slice(1).every((o) => Number(o) <= 255);
}

/** `ip:port` → endpoint, when the ip is a loopback address and the port valid. */
export function parseEndpoint(text: string): Endpoint | undefined {
  const colon = text.lastIndexOf(':');
  if (colon < 0) return undefined;
  const host = text.slice(0, colon);
  const port = Number(text.slice(colon + 1));
  if (!isLoopbackIPv4(host) || !Number.isInteger(port) || port < 1 || port > 65535) return undefined;
  return { host, port };
}

export function buildListenerKey(protocol: ListenerProtocol, address: string, port: number): string {
  return `${protocol} ${address}:${port}`;
}

export function buildListenerSpecs(services: readonly ServiceEntry[]): ListenerSpec[] {
  const out = new Map<string, ListenerSpec>();
  for (const svc of services) {
    if (!isLoopbackIPv4(svc.clusterIP)) continue;
    for (const p of svc.ports) {
      const protocol = p.protocol.toUpperCase();
      if (protocol !== ListenerProtocol.udp && protocol !== ListenerProtocol.tcp) continue;
      if (!Number.isInteger(p.port) || p.port < 1 || p.port > 65535) continue;
      const endpoints = (svc.endpoints[p.name] ?? []).map(parseEndpoint).filter((e): e is Endpoint => e !== undefined);
      if (endpoints.length === 0) continue;
      const key = buildListenerKey(protocol, svc.clusterIP, p.port);
      // Two services cannot share a cluster IP; the first port of a service wins a duplicate.
      if (!out.has(key)) out.set(key, { key, protocol, address: svc.clusterIP, port: p.port, servicePort: `${svc.key}:${p.name}`, endpoints });
    }
  }
  return [...out.values()].sort((a, b) => a.key.localeCompare(b.key));
}
