/**
 * The parts of the DNS manifests (docs/design/domeos.md §4: skydns-svc, the skydns and kube2sky ReplicationControllers, the
 * later extensions/v1beta1 Deployments) that phase 6 of the runbook rewrites. Every other field is carried through
 * untouched, so each shape keeps an index signature of `unknown`.
 */

export type Labels = Record<string, string>;

export interface ObjectMeta {
  name?: string;
  labels?: Labels;
  [key: string]: unknown;
}

export interface Container {
  name?: string;
  image?: string;
  command?: string[];
  args?: string[];
  [key: string]: unknown;
}

export interface PodTemplate {
  metadata?: ObjectMeta;
  spec?: { containers?: Container[]; [key: string]: unknown };
  [key: string]: unknown;
}

export interface Service {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  spec?: { selector?: Labels; [key: string]: unknown };
  [key: string]: unknown;
}

/** v1 ReplicationController: `spec.selector` is a plain label map. */
export interface ReplicationController {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  spec?: { replicas?: number; selector?: Labels; template?: PodTemplate; [key: string]: unknown };
  [key: string]: unknown;
}

/** extensions/v1beta1 or apps/v1beta1 Deployment: `spec.selector.matchLabels`. */
export interface Deployment {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  spec?: {
    replicas?: number;
    selector?: { matchLabels?: Labels; [key: string]: unknown };
    template?: PodTemplate;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

/** Where the DNS pods must point after the migration. */
export interface DnsTargets {
  /** ALL new etcd client endpoints (`10.17.33.21:4012` or `http://10.17.33.21:4012`); `http://` is added when absent. */
  etcd: readonly string[];
  /** The new master (`10.17.33.20:8080` or `http://10.17.33.20:8080`); `http://` is added when absent. */
  master: string;
}

/** The parts of a v1 Pod the DNS step reads: labels, its containers' args, readiness, address, waiting reasons. */
export interface Pod {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta & { deletionTimestamp?: string };
  spec?: { nodeName?: string; containers?: Container[]; [key: string]: unknown };
  status?: {
    phase?: string;
    podIP?: string;
    conditions?: { type?: string; status?: string; [key: string]: unknown }[];
    containerStatuses?: {
      name?: string;
      ready?: boolean;
      restartCount?: number;
      state?: { waiting?: { reason?: string; message?: string }; [key: string]: unknown };
      [key: string]: unknown;
    }[];
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

/** v1 Endpoints: the ready addresses of a service, per subset. */
export interface Endpoints {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  subsets?: {
    addresses?: { ip?: string; [key: string]: unknown }[];
    notReadyAddresses?: { ip?: string; [key: string]: unknown }[];
    [key: string]: unknown;
  }[];
  [key: string]: unknown;
}

/** Where Deployments may be served, oldest first: DomeOS's dns.yaml used extensions/v1beta1. */
export const DEPLOYMENT_GROUP_VERSIONS = ['extensions/v1beta1', 'apps/v1beta1', 'apps/v1'] as const;

/** A node as ferry's gates read it from an apiserver. */
export interface NodeView {
  readonly name: string;
  /** The Ready condition's status: True, False or Unknown (no condition yet counts as Unknown). */
  readonly ready: 'True' | 'False' | 'Unknown';
  readonly lastHeartbeat?: string;
  readonly internalIP?: string;
}
