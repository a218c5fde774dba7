/**
 * Where kube-proxy's service table goes. The real proxier writes iptables rules; the lab's opens listeners on the
 * service cluster IPs on this machine's loopback and forwards to the endpoints (listener-proxier.ts). The agent
 * only knows this interface.
 */
import type { ServiceEntry } from './service-table.ts';

export interface Proxier {
  /** Called with the whole table after every change (debounced). */
  sync(services: readonly ServiceEntry[]): void;
  /** Let go of everything (the kube-proxy ends). */
  close(): void;
}
