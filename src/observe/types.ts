/**
 * What ferry reads of the live cluster, as plain data: the planner's input (`Observed`) and the before/after
 * picture every run records (`ClusterPicture`). The readers that fill them are the other files of this folder.
 */
import type { MemberInfo } from '../etcd/types.ts';
import type { EtcdVersionReading } from '../etcd/versions.ts';
import type { EtcdStores } from '../etcd/stores.ts';
import type { StorageBackendReading } from '../kube/storage-backend.ts';
import type { NodeHost } from '../inventory/types.ts';

/** What the planner saw of the live etcd cluster: each member as etcd lists it. */
export type ObservedMember = MemberInfo;
export interface ObservedEtcd {
  readonly members: readonly ObservedMember[];
  /** Member id of the leader ("0" when none was found). */
  readonly leaderId: string;
  /** etcd server version reported by status, e.g. 3.4.23. */
  readonly version: string;
  /** Every inventory member's answer to `GET /version` (or why it gave none), when they were asked. */
  readonly versions?: readonly EtcdVersionReading[];
  /** What the v3 and v2 stores hold (absent in plans made before ferry read it). */
  readonly stores?: EtcdStores;
}
/** What the planner saw of the Kubernetes side (only when the inventory has a master). */
export interface ObservedKube {
  /** `kube-apiserver --version` on the old and the new master host, e.g. v1.4.7. */
  readonly oldVersion: string;
  readonly newVersion: string;
  /** Whether the old apiserver answered /healthz. */
  readonly oldApiserverUp: boolean;
  /** The nodes to repoint, from the inventory or, when it lists none, from the old apiserver. */
  readonly nodes: readonly NodeHost[];
  readonly nodesSource: 'inventory' | 'apiserver';
  /** Where the old apiserver keeps the cluster (absent when its sysconfig could not be read). */
  readonly storageBackend?: StorageBackendReading;
}

export interface Observed {
  readonly etcd: ObservedEtcd;
  readonly kube?: ObservedKube;
  /** The DNS add-on (only when the inventory has a master). */
  readonly dns?: ObservedDns;
}

/** What the planner saw of the DNS add-on on the apiserver it will use (runbook phase 6). */
export interface ObservedDns {
  /** The service's selector now, e.g. { app: 'skydns', version: 'v9' }; undefined when the service is missing. */
  readonly serviceSelector?: Readonly<Record<string, string>>;
  readonly clusterIP?: string;
  /** The controllers found (by base name: `skydns` finds `skydns` or `skydns-v10`). */
  readonly controllers: readonly { readonly name: string; readonly kind: 'ReplicationController' | 'Deployment'; readonly version?: string; readonly replicas: number }[];
  /** Controllers named in the inventory and not found. */
  readonly missing: readonly string[];
}

export interface MasterPicture {
  readonly role: 'old' | 'new';
  readonly host: string;
  readonly apiserver: string;
  readonly answers: boolean;
  /** Unit → state on the master host (kube-apiserver, kube-controller, kube-scheduler, kube-proxy). */
  readonly units: Readonly<Record<string, string>>;
}

/** An etcd member as the inventory places it on a host (so that a picture can show hosts where no member runs). */
export interface PictureEtcdHost {
  readonly name: string;
  readonly host: string;
  readonly clientURL: string;
  readonly peerURL: string;
}

export interface ClusterPicture {
  /** ISO time the picture was taken. */
  readonly takenAt?: string;
  /** Why the picture as a whole could not be read (each part below says why it could not, on its own). */
  readonly error?: string;
  /** The inventory's old and new etcd hosts. */
  readonly etcdHosts?: { readonly old: readonly PictureEtcdHost[]; readonly new: readonly PictureEtcdHost[] };
  readonly etcd?: ObservedEtcd;
  readonly etcdError?: string;
  readonly masters: readonly MasterPicture[];
  /** Nodes as the answering apiserver lists them. */
  readonly nodes: { readonly apiserver?: string; readonly list: readonly { readonly name: string; readonly ready: string }[]; readonly error?: string };
  readonly dns?: {
    readonly server?: string;
    readonly name: string;
    readonly answer?: readonly string[];
    readonly expected?: string;
    readonly error?: string;
    /** e.g. `skydns-v10 (1/1 ready)`. */
    readonly controllers: readonly string[];
  };
  readonly console?: { readonly api?: string; readonly etcd?: string; readonly watcher?: string; readonly error?: string };
}
