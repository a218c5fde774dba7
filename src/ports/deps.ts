import type { ConsoleApi } from './console.ts';
import type { EtcdAdmin } from './etcd.ts';
import type { Host } from './host.ts';
import type { KubeApi, KubeWorkloads } from './kube.ts';
import type { Sleep } from '../util/retry.ts';
import type { BackupVerdict } from '../etcd/backup-compare.ts';

/** The side-effecting world, reached through one object with real defaults (docs/design/style.md §5). */
export interface Deps {
  readonly etcd: EtcdAdmin;
  /** The Host for an address (SSH or lab, per the inventory). Cached by the implementation. */
  host(address: string): Promise<Host>;
  /** Close the connection to a host once no step needs it (a fleet of nodes must not keep 1000 SSH sessions). */
  releaseHost?(address: string): Promise<void>;
  /** The apiserver at a URL (e.g. http://10.17.33.20:8080). */
  kube(url: string): KubeApi;
  /** Services, endpoints, pods, controllers and Deployments of the apiserver at a URL (the DNS step). Cached per URL. */
  workloads(url: string): KubeWorkloads;
  /** The A records of `name` as the DNS server `server` (an IP) answers, within `timeoutMs`. */
  resolveA(server: string, name: string, timeoutMs: number): Promise<string[]>;
  /** The DomeOS console at a URL; its `login()` reads the credentials when the step runs (never journalled). */
  console(url: string): ConsoleApi;
  /**
   * Restore a backup (the v3 snapshot, the v2 dump) into a scratch member on this machine and compare it with the
   * live cluster (`ferry restore-check`); undefined when this machine has no etcd to restore it with.
   */
  checkBackup?(snapshot: string, v2Dump: string | undefined): Promise<BackupVerdict | undefined>;
  readonly now: () => number;
  readonly sleep: Sleep;
}
