/**
 * Reading the DNS add-on's live state for the step: the objects to back up (and the refusals of a precheck when
 * they are not there), and each controller pair's state for the rolling walk (src/dns/rolling-state.ts).
 */
import { FerryError } from '../../errors.ts';
import type { DnsBackup } from '../../adapters/dns-backup.ts';
import { buildControllerUpdate, findControllers, type ControllerUpdate } from '../../dns/controllers.ts';
import type { DnsTargets, PodTemplate } from '../../kube/objects.ts';
import { buildPodFacts, computeLivePods, computeReadyCurrent, type PodFacts } from '../../dns/pods.ts';
import type { RollingLive } from '../../dns/rolling-state.ts';
import { computeNotYetServing } from '../../dns/gate.ts';
import type { KubeWorkloads } from '../../ports/kube.ts';
import type { DnsStep } from '../../plan/types.ts';

export type RcUpdate = Extract<ControllerUpdate, { kind: 'ReplicationController' }>;
export type DeploymentUpdate = Extract<ControllerUpdate, { kind: 'Deployment' }>;

export function targetsOf(step: DnsStep): DnsTargets {
  return { etcd: step.params.etcd, master: step.params.master };
}

/**
 * The service and each named controller as they are now. Refuses (exit 2, nothing touched) when the service or a
 * controller is missing, when a base name finds two controllers (an earlier rolling update left half done), or
 * when the service has no cluster IP to ask.
 */
export async function readDnsObjects(wl: KubeWorkloads, step: DnsStep): Promise<DnsBackup> {
  const { namespace, service: serviceName, controllers: bases, apiserver } = step.params;
  const [service, rcs, deployments] = await Promise.all([wl.readService(namespace, serviceName), wl.listControllers(namespace), wl.listDeployments(namespace)]);
  if (service === undefined) {
    throw new FerryError('DNS_SERVICE_MISSING', `the DNS service ${namespace}/${serviceName} is not on ${apiserver}`, {
      exitCode: 2,
      subjects: { apiserver, service: serviceName },
      hint: "check dns.namespace and dns.service in the inventory (DomeOS's dns.yaml names it skydns-svc in default)",
    });
  }
  const clusterIP = service.spec?.['clusterIP'];
  if (typeof clusterIP !== 'string' || clusterIP === '' || clusterIP === 'None') {
    throw new FerryError('DNS_SERVICE_NO_CLUSTER_IP', `the DNS service ${namespace}/${serviceName} has no cluster IP (${JSON.stringify(clusterIP)}): the gate could not ask it`, {
      exitCode: 2,
      subjects: { apiserver, service: serviceName },
      hint: 'the DNS service is the cluster DNS address the kubelets use (--cluster-dns): it must have a cluster IP',
    });
  }
  const controllers: DnsBackup['controllers'][number][] = [];
  for (const base of bases) {
    const found = findControllers(base, rcs, deployments);
    if (found.length === 0) {
      throw new FerryError('DNS_CONTROLLER_MISSING', `no replication controller or Deployment named ${base} (or ${base}-vN) in ${namespace} on ${apiserver}`, {
        exitCode: 2,
        subjects: { apiserver, controller: base },
        hint: 'check dns.controllers in the inventory against `kubectl get rc,deployments`',
      });
    }
    if (found.length > 1) {
      throw new FerryError('DNS_CONTROLLER_AMBIGUOUS', `${found.map((f) => `${f.kind} ${f.name}`).join(' and ')} are all ${base}: an earlier rolling update was left half done`, {
        exitCode: 2,
        subjects: { apiserver, controller: base },
        hint: `finish it or undo it by hand (kubectl rolling-update ${found[0]?.name ?? base} --rollback, or delete the one not serving), so that one ${base} is left`,
      });
    }
    const f = found[0] as (typeof found)[number];
    controllers.push(f.kind === 'Deployment' ? { base, kind: 'Deployment', object: f.object } : { base, kind: 'ReplicationController', object: f.object });
  }
  return { apiserver, namespace, service, controllers };
}

/** What each backed-up controller must become. Throws the builders' input errors. */
export function buildUpdates(backup: DnsBackup, targets: DnsTargets): ControllerUpdate[] {
  return backup.controllers.map((c) =>
    buildControllerUpdate(c.base, c.kind === 'Deployment' ? { kind: 'Deployment', name: c.object.metadata?.name ?? c.base, object: c.object } : { kind: 'ReplicationController', name: c.object.metadata?.name ?? c.base, object: c.object }, targets),
  );
}

async function readPodFacts(wl: KubeWorkloads, namespace: string, selector: Record<string, string> | undefined, template: PodTemplate | undefined): Promise<PodFacts[]> {
  if (selector === undefined || Object.keys(selector).length === 0) return [];
  return (await wl.listPods(namespace, selector)).map((p) => buildPodFacts(p, template));
}

export interface RcPairState {
  readonly live: RollingLive;
  readonly oldPods: readonly PodFacts[];
  readonly nextPods: readonly PodFacts[];
}

/** Both controllers of a rolling update and their pods; old pods judged against the backed-up template. */
export async function readRcPair(wl: KubeWorkloads, namespace: string, u: RcUpdate): Promise<RcPairState> {
  const [old, next, oldPods, nextPods] = await Promise.all([
    wl.readController(namespace, u.oldName),
    wl.readController(namespace, u.nextName),
    readPodFacts(wl, namespace, u.old.spec?.selector, u.old.spec?.template),
    readPodFacts(wl, namespace, u.next.spec?.selector, u.next.spec?.template),
  ]);
  const side = (rc: typeof old, pods: readonly PodFacts[]) =>
    rc === undefined ? undefined : { replicas: rc.spec?.replicas ?? 1, livePods: computeLivePods(pods).length, readyPods: computeReadyCurrent(pods) };
  const o = side(old, oldPods);
  const n = side(next, nextPods);
  return { live: { desired: u.desired, ...(o !== undefined ? { old: o } : {}), ...(n !== undefined ? { next: n } : {}) }, oldPods, nextPods };
}

/** A Deployment and its pods, judged against `template`. */
export async function readDeploymentState(wl: KubeWorkloads, namespace: string, name: string, template: PodTemplate | undefined) {
  const live = await wl.readDeployment(namespace, name);
  const pods = live === undefined ? [] : await readPodFacts(wl, namespace, live.spec?.selector?.matchLabels, template);
  return { live, pods };
}

/**
 * Ready pods (of `pods`, carrying `podLabels`) that the DNS service selects but does not list in its endpoints yet;
 * undefined when such pods are not behind the service at all.
 */
export async function readNotYetServing(wl: KubeWorkloads, namespace: string, service: string, podLabels: Record<string, string> | undefined, pods: readonly PodFacts[]): Promise<string[] | undefined> {
  const svc = await wl.readService(namespace, service);
  if (computeNotYetServing(undefined, svc?.spec?.selector, podLabels, []) === undefined) return undefined;
  return computeNotYetServing(await wl.readEndpoints(namespace, service), svc?.spec?.selector, podLabels, pods);
}
