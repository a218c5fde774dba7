import type { ConsoleApi } from './console.ts';
import type { EtcdAdmin } from './etcd.ts';
import type { Host } from './host.ts';
import type { KubeApi, KubeWorkloads } from './kube.ts';

/** What `ferry discover` reads the world through (read-only): opened by src/app/discover-deps.ts, or by a test. */
export interface DiscoverDeps {
  readonly etcd: EtcdAdmin;
  host(address: string): Promise<Host>;
  kube(url: string): KubeApi;
  workloads(url: string): KubeWorkloads;
  console(url: string): ConsoleApi;
}
