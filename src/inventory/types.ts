/**
 * The inventory after validation and defaulting: what every other module reads. The YAML shape (with optional
 * fields and defaults) lives in schema.ts; this is its normalized form, so consumers never re-apply defaults.
 */

/** How ferry reaches a host: over SSH, or through the lab supervisor on this machine. */
export type Access =
  | { readonly mode: 'lab'; /** Lab state folder; default `$FERRY_HOME/lab`. */ readonly labDir?: string }
  | {
      readonly mode: 'ssh';
      readonly user: string;
      /** Default 22. */
      readonly port: number;
      /** Path of the private key file. The key itself is never logged or journaled. */
      readonly keyFile: string;
      /** Path of the known_hosts file used to check host keys; default `~/.ssh/known_hosts`. */
      readonly knownHosts: string;
      /** Run commands through `sudo -n` when the user is not root. Default false. */
      readonly sudo: boolean;
    };

export interface EtcdMember {
  /** etcd member name (`--name`), unique across old and new. */
  readonly name: string;
  /** The host the member runs on: an IP address or host name; ferry's Host adapters reach it by this. */
  readonly host: string;
  /** Client URL, e.g. `http://10.17.33.31:4012`. */
  readonly clientURL: string;
  /** Peer URL, e.g. `http://10.17.33.31:4010`. */
  readonly peerURL: string;
  /** Data directory on the host. Default `/var/lib/etcd`. */
  readonly dataDir: string;
  /** Service unit that runs the member. Default `etcd`. */
  readonly service: string;
  /** etcd binary on the host. Default `/usr/sbin/domeos/etcd/current/etcd` (the DomeOS layout). */
  readonly binary: string;
  /** The sysconfig file the unit reads. Default `/etc/sysconfig/etcd`. */
  readonly configFile: string;
}

export interface EtcdTls {
  /** CA bundle path for verifying etcd's server certificates. */
  readonly ca?: string;
  /** Client certificate path. */
  readonly cert?: string;
  /** Client key path. Never logged. */
  readonly key?: string;
}

export interface EtcdSection {
  readonly old: readonly EtcdMember[];
  readonly new: readonly EtcdMember[];
  readonly tls?: EtcdTls;
  /** `--initial-cluster-token` of the cluster; only used by the lab when it creates the old cluster. */
  readonly clusterToken?: string;
  /**
   * The operator allows new members to join as voters where etcd has no learners (before 3.4): from the inventory's
   * `etcd.allowVoterAdd` or `--allow-voter-add` (src/etcd/method.ts).
   */
  readonly allowVoterAdd?: boolean;
}

/** For the master switch (a later issue). */
export interface MasterHost {
  readonly host: string;
  /** The apiserver URL, e.g. `http://10.17.33.30:8080`. */
  readonly apiserver: string;
}
export interface MasterSection {
  readonly old: MasterHost;
  readonly new: MasterHost;
  /** Path (on the machine running ferry) of the CA that signed the https apiservers' certificates. */
  readonly ca?: string;
}

export interface NodeHost {
  readonly name: string;
  readonly host: string;
}

export interface DnsSection {
  readonly namespace: string;
  readonly service: string;
  readonly controllers: readonly string[];
  readonly domain: string;
}

/** How the nodes are repointed (runbook phase 5): a canary first, then batches, halting past a failure budget. */
export interface RolloutSection {
  /** Nodes repointed alone, first. Default 1. */
  readonly canary: number;
  /** Nodes per batch after the canary. Default 100. */
  readonly batchSize: number;
  /** Nodes repointed at once within a batch. Default 50. */
  readonly concurrency: number;
  /** The rollout halts when more nodes than this have failed. Default 0. */
  readonly maxFailures: number;
  /** How long a node may take to be Ready on the new master, in ms. Default 120 000. */
  readonly readyTimeoutMs: number;
}

export interface DomeosSection {
  /** Console URL, e.g. `http://10.17.33.10:8080`. */
  readonly url: string;
  /** Cluster name as the console knows it. */
  readonly cluster: string;
  /** Path of a file holding `username` and `password` (YAML). Credentials never enter the inventory itself. */
  readonly credentialsFile?: string;
  /** The host the DomeOS server runs on. Default: the URL's host. */
  readonly host: string;
  /** The service unit that runs it (phases 1 and 8). Default `domeos`. */
  readonly service: string;
  /** argv run on `host` to stop the server instead of stopping `service` (DomeOS often runs as a container). */
  readonly stopCommand?: readonly string[];
  /** argv run on `host` to start it instead of starting `service`. */
  readonly startCommand?: readonly string[];
  /** How long the server may take to answer /health after it starts, in ms. Default 60 000. */
  readonly healthTimeoutMs: number;
}

export interface Inventory {
  readonly apiVersion: 'ferry/v1';
  /** A name for this migration; used in run folders and reports. */
  readonly name: string;
  readonly access: Access;
  /** Per-host access overrides, keyed by host. */
  readonly hosts: Readonly<Record<string, Partial<Access>>>;
  readonly etcd: EtcdSection;
  readonly master?: MasterSection;
  readonly nodes?: readonly NodeHost[];
  /** Always filled by the loader; optional so that inventories built in code (tests) may leave it out. */
  readonly rollout?: RolloutSection;
  readonly dns?: DnsSection;
  readonly domeos?: DomeosSection;
}

/** One problem found in an inventory, with its path in the YAML (`etcd.new[1].peerURL`). */
export interface InventoryProblem {
  readonly path: string;
  readonly message: string;
  readonly hint?: string;
  readonly severity: 'error' | 'warning';
}
