/** The apiserver as ferry's steps and readers reach it: the ports that src/adapters/kube implements. */
import type { Census } from '../kube/census.ts';
import type { Deployment, Endpoints, Labels, NodeView, Pod, ReplicationController, Service } from '../kube/objects.ts';

export interface KubeApi {
  readonly url: string;
  /** True when /healthz answers `ok`; false when it answers anything else or not at all. */
  healthz(timeoutMs?: number): Promise<boolean>;
  /** The server's gitVersion, e.g. v1.4.7. */
  version(): Promise<string>;
  listNodes(): Promise<NodeView[]>;
  readCensus(): Promise<Census>;
}

export interface KubeWorkloads {
  readonly url: string;
  readService(namespace: string, name: string): Promise<Service | undefined>;
  /** PUT the whole service (its resourceVersion, when set, must still be the live one). */
  replaceService(namespace: string, service: Service): Promise<Service>;
  createService(namespace: string, service: Service): Promise<Service>;
  readEndpoints(namespace: string, name: string): Promise<Endpoints | undefined>;
  /** Pods whose labels include every entry of `selector`. */
  listPods(namespace: string, selector: Readonly<Labels>): Promise<Pod[]>;
  readController(namespace: string, name: string): Promise<ReplicationController | undefined>;
  listControllers(namespace: string): Promise<ReplicationController[]>;
  createController(namespace: string, rc: ReplicationController): Promise<ReplicationController>;
  /** Sets spec.replicas (a merge patch: nothing else changes). */
  scaleController(namespace: string, name: string, replicas: number): Promise<void>;
  /** False when it was not there. */
  deleteController(namespace: string, name: string): Promise<boolean>;
  /** undefined when there is no such Deployment, or the apiserver serves no Deployments at all. */
  readDeployment(namespace: string, name: string): Promise<Deployment | undefined>;
  /** [] when the apiserver serves no Deployments. */
  listDeployments(namespace: string): Promise<Deployment[]>;
  /** PUT to the group of the object's own apiVersion (extensions/v1beta1, apps/v1beta1, apps/v1 …). */
  replaceDeployment(namespace: string, deployment: Deployment): Promise<Deployment>;
}
