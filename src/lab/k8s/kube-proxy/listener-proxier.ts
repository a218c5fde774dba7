/**
 * The lab's proxier: where the real 1.4 proxier writes iptables rules, this one makes service cluster IPs answer
 * on this machine — a listener on each clusterIP:port (UDP and TCP) with endpoints, forwarding to them
 * (listener-plan.ts). Listeners are shared by the kube-proxies of one process (service-port.ts) and closed when the
 * last kube-proxy that wants them lets go: when the service (or its last endpoint) goes, or the kube-proxy ends.
 */
import type { AgentLogger } from '../../node-runtime/agent-log.ts';
import type { AgentShared, Lease } from '../../node-runtime/shared.ts';
import { buildListenerSpecs, type ListenerSpec } from './listener-plan.ts';
import type { Proxier } from './proxier.ts';
import { ServicePortListener } from './service-port.ts';
import type { ServiceEntry } from './service-table.ts';

let nextUser = 0;

export interface ListenerProxier extends Proxier {
  /** The listeners this kube-proxy holds, by key (`UDP 127.16.40.1:53`). */
  readonly held: ReadonlyMap<string, ServicePortListener>;
}

export function createListenerProxier(log: AgentLogger, shared: AgentShared): ListenerProxier {
  const user = ++nextUser;
  const leases = new Map<string, Lease<ServicePortListener>>();
  const held = new Map<string, ServicePortListener>();
  let lastSummary = '';
  const listenerLog = (level: 'info' | 'warn', message: string): void => (level === 'info' ? log.info(message) : log.warn(message));

  const release = (key: string): void => {
    const lease = leases.get(key);
    if (lease === undefined) return;
    lease.value.removeUser(user);
    lease.release();
    leases.delete(key);
    held.delete(key);
  };

  const apply = (specs: readonly ListenerSpec[]): void => {
    const wanted = new Set(specs.map((s) => s.key));
    for (const key of [...leases.keys()]) if (!wanted.has(key)) release(key);
    for (const spec of specs) {
      let lease = leases.get(spec.key);
      if (lease === undefined) {
        lease = shared.acquire(`kube-proxy listener ${spec.key}`, () => new ServicePortListener(spec, listenerLog));
        leases.set(spec.key, lease);
        held.set(spec.key, lease.value);
      }
      lease.value.setEndpoints(user, spec.endpoints);
    }
  };

  return {
    held,
    sync(services: readonly ServiceEntry[]): void {
      const specs = buildListenerSpecs(services);
      apply(specs);
      const summary = specs.map((s) => `${s.key}->${s.endpoints.map((e) => `${e.host}:${e.port}`).join('|')}`).join(',');
      if (summary === lastSummary) return;
      lastSummary = summary;
      const endpoints = services.reduce((n, s) => n + Object.values(s.endpoints).flat().length, 0);
      log.info(`Syncing proxy rules: ${services.length} service(s), ${endpoints} endpoint address(es), ${specs.length} service port(s) proxied on this machine`);
    },
    close(): void {
      for (const key of [...leases.keys()]) release(key);
    },
  };
}
