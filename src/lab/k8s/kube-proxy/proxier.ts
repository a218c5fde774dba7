/**
 * Where kube-proxy's service table goes. The real proxier writes iptables rules; the lab's only records the table
 * (and logs when it changes). A later proxier can open listeners on service cluster IPs on this machine's loopback
 * (the DNS service, for one) by implementing this interface; the agent does not change.
 */
import type { AgentLogger } from '../../node-runtime/agent-log.ts';
import type { ServiceEntry } from './service-table.ts';

export interface Proxier {
  /** Called with the whole table after every change (debounced). */
  sync(services: readonly ServiceEntry[]): void;
  close(): void;
}

/** A proxier that only logs what it would program. */
export function createRecordingProxier(log: AgentLogger): Proxier & { readonly current: readonly ServiceEntry[] } {
  let current: readonly ServiceEntry[] = [];
  let lastSummary = '';
  return {
    get current() {
      return current;
    },
    sync(services) {
      current = services;
      const summary = services.map((s) => `${s.key}=${s.clusterIP}:${Object.values(s.endpoints).flat().length}`).join(',');
      if (summary === lastSummary) return;
      lastSummary = summary;
      const endpoints = services.reduce((n, s) => n + Object.values(s.endpoints).flat().length, 0);
      log.info(`Syncing proxy rules: ${services.length} service(s), ${endpoints} endpoint address(es)`);
    },
    close() {
      current = [];
    },
  };
}
