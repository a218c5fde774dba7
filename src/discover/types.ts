/**
 * What `ferry discover` learns about a live cluster, as plain data: read by the read-*.ts adapters, turned into
 * warnings by cross-checks.ts and into an inventory document by document.ts (both pure).
 */
import type { ServiceState } from '../ports/host.ts';
import type { NodeView } from '../kube/objects.ts';

/** What was read on a member's host: its etcd unit and the sysconfig file the unit reads. */
export interface MemberFiles {
  /** `read`: a unit or sysconfig file was found; `missing`: the host answered but has neither; `unreachable`: not reached. */
  readonly source: 'read' | 'missing' | 'unreachable';
  /** Why the host could not be reached (source `unreachable`). */
  readonly reason?: string;
  /** The unit file found, e.g. `/lib/systemd/system/etcd.service`. */
  readonly unitPath?: string;
  readonly service?: string;
  readonly binary?: string;
  readonly configFile?: string;
  readonly dataDir?: string;
  readonly clusterToken?: string;
  /** The `-name` in the sysconfig file (checked against the live member's name). */
  readonly sysconfigName?: string;
  readonly serviceState?: ServiceState;
  /** What was found odd while reading, in words (a binary that is not etcd, a relative data dir, ...). */
  readonly notes: readonly string[];
}

export interface MemberFacts {
  /** Decimal member ID. */
  readonly id: string;
  /** Empty for a member added but never started. */
  readonly name: string;
  readonly peerURLs: readonly string[];
  readonly clientURLs: readonly string[];
  readonly isLearner: boolean;
  /** The host of its peer URL (the inventory's `host`); undefined when it has no usable peer URL. */
  readonly host?: string;
  readonly isLeader: boolean;
  /** The etcd version its status reported. */
  readonly version?: string;
  /** Why `endpoint status` failed on its client URL. */
  readonly statusError?: string;
  readonly files: MemberFiles;
}

export interface EtcdFacts {
  /** The endpoints discovery read the member list through (`--etcd`). */
  readonly endpoints: readonly string[];
  readonly members: readonly MemberFacts[];
  /** The agreed leader's name, undefined when the members agree on none. */
  readonly leader?: string;
}

export interface UnitFacts {
  readonly name: string;
  /** The unit file found, undefined when there is none. */
  readonly unitPath?: string;
  readonly state: ServiceState;
}

/** The flags of kube-apiserver that discovery reads (from its ExecStart expanded with its sysconfig file). */
export interface ApiserverFlags {
  readonly etcdServers?: readonly string[];
  readonly etcdPrefix?: string;
  readonly serviceClusterIpRange?: string;
  readonly insecureBindAddress?: string;
  readonly insecurePort?: number;
  readonly securePort?: number;
  readonly bindAddress?: string;
}

export interface MasterFacts {
  readonly host: string;
  readonly units: readonly UnitFacts[];
  /** The master's /etc/sysconfig files and whether each was there. */
  readonly files: readonly { readonly path: string; readonly present: boolean }[];
  /** Undefined when /etc/sysconfig/kube-apiserver is missing. */
  readonly apiserverFlags?: ApiserverFlags;
  /** FLANNEL_ETCD of /etc/sysconfig/flanneld. */
  readonly flannelEtcd?: readonly string[];
  /** `--master` of kube-controller, kube-scheduler and kube-proxy, by unit. */
  readonly masterFlags: Readonly<Record<string, string>>;
  /** `kube-apiserver --version` of the installed binaries, e.g. `v1.4.7`. */
  readonly kubeVersion?: string;
  readonly kubeVersionError?: string;
}

export interface ApiserverFacts {
  readonly url: string;
  /** How the URL was found: `option` (--apiserver), `sysconfig` (bind address and port), `default` (<master>:8080). */
  readonly source: 'option' | 'sysconfig' | 'default';
  /** The gitVersion /version reports. */
  readonly version?: string;
}

export interface DnsControllerFacts {
  readonly name: string;
  readonly kind: 'ReplicationController' | 'Deployment';
  /** `kube2sky`, `skydns` or the base name (`skydns-v10` → `skydns`). */
  readonly base: string;
  readonly role: 'kube2sky' | 'skydns';
  readonly replicas: number;
  readonly args: readonly string[];
}

export interface DnsFacts {
  readonly namespace: string;
  /** Undefined when no DNS service was found. */
  readonly service?: string;
  readonly clusterIP?: string;
  readonly controllers: readonly DnsControllerFacts[];
  /** skydns `--domain` (or kube2sky's). */
  readonly domain?: string;
}

export interface ConsoleFacts {
  readonly url: string;
  readonly cluster: string;
  /** The record's id, `api` and `etcd` fields as the console stores them. */
  readonly id: number;
  readonly api: string;
  readonly etcd: string;
  readonly credentialsFile?: string;
}

/** How the hosts were reached: recorded as the inventory's `access`. */
export type DiscoverAccess =
  | { readonly mode: 'lab'; readonly labDir?: string }
  | { readonly mode: 'ssh'; readonly user: string; readonly port: number; readonly keyFile: string; readonly knownHosts: string; readonly sudo: boolean };

export interface Discovery {
  readonly name: string;
  readonly access: DiscoverAccess;
  readonly etcd: EtcdFacts;
  readonly master: MasterFacts;
  readonly apiserver: ApiserverFacts;
  readonly nodes: readonly NodeView[];
  /** Undefined when no DNS add-on was found. */
  readonly dns?: DnsFacts;
  readonly console?: ConsoleFacts;
  /** When discovery ran (ISO 8601). */
  readonly at: string;
}
