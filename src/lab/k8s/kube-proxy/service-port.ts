/**
 * One service port's listener on this machine, shared by the kube-proxies of one process (a node runtime hosts
 * hundreds): one socket per clusterIP:port and protocol instead of one per kube-proxy. Each kube-proxy using it
 * tells it the endpoints it sees; new connections and sessions go round-robin over the endpoints most recently
 * told (kube-proxies of one lab see the same ones; during a master switch the latest view wins).
 */
import type { Closeable } from '../../node-runtime/shared.ts';
import { ListenerProtocol, type Endpoint, type ListenerSpec } from './listener-plan.ts';
import { TcpForwarder } from './tcp-forwarder.ts';
import { UdpRelay } from './udp-relay.ts';

export type ListenerLog = (level: 'info' | 'warn', message: string) => void;

export class ServicePortListener implements Closeable {
  /** Endpoints per kube-proxy, in the order they were last told (latest last). */
  private readonly views = new Map<number, readonly Endpoint[]>();
  private next = 0;
  private readonly socket: UdpRelay | TcpForwarder;

  constructor(spec: Pick<ListenerSpec, 'protocol' | 'address' | 'port'>, log: ListenerLog) {
    const o = { address: spec.address, port: spec.port, pick: () => this.pick(), log };
    this.socket = spec.protocol === ListenerProtocol.udp ? new UdpRelay(o) : new TcpForwarder(o);
  }

  /** True once this process serves the address (a TCP port may be served by another process's kube-proxy). */
  get listening(): boolean {
    return this.socket.listening;
  }

  setEndpoints(user: number, endpoints: readonly Endpoint[]): void {
    const old = this.views.get(user);
    if (old !== undefined && JSON.stringify(old) === JSON.stringify(endpoints)) return;
    this.views.delete(user);
    this.views.set(user, endpoints);
  }

  removeUser(user: number): void {
    this.views.delete(user);
  }

  /** Round-robin over the latest non-empty view. */
  pick(): Endpoint | undefined {
    const views = [...this.views.values()];
    for (let i = views.length - 1; i >= 0; i--) {
      const list = views[i] as readonly Endpoint[];
      if (list.length === 0) continue;
      const endpoint = list[this.next % list.length];
      this.next = (this.next + 1) % 1_000_000;
      return endpoint;
    }
    return undefined;
  }

  close(): void {
    this.views.clear();
    this.socket.close();
  }
}
