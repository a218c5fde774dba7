/**
 * What the lab's kubelet does to "run" a pod (pure): give it an address — the next free one in the node's flannel
 * subnet (FLANNEL_SUBNET's first address is docker0's, so pods start at the second), or the host's address when
 * flannel has not written its subnet — and the status a 1.4 kubelet reports once its containers run.
 */
import { cidrContains, formatIPv4, networkAddress, parseCidr, blockSize } from '../../setup/ipv4.ts';
import { buildHexId } from './container-state.ts';

export interface PodLike {
  metadata?: { name?: string; namespace?: string; uid?: string; resourceVersion?: string; deletionTimestamp?: string; [key: string]: unknown };
  spec?: { nodeName?: string; containers?: { name?: string; image?: string; [key: string]: unknown }[]; [key: string]: unknown };
  status?: { phase?: string; podIP?: string; [key: string]: unknown };
  [key: string]: unknown;
}

/**
 * The first address of `subnet` (FLANNEL_SUBNET, e.g. `127.24.4.1/22`) after the bridge's that is not in `used`,
 * below the broadcast address; undefined when the subnet is full or not a CIDR.
 */
export function computeNextPodIP(subnet: string, used: ReadonlySet<string>): string | undefined {
  const cidr = parseCidr(subnet);
  if (cidr === undefined) return undefined;
  const start = networkAddress(cidr);
  const bridge = cidr.ip === start ? start + 1 : cidr.ip;
  const last = start + blockSize(cidr.prefixLength) - 2;
  for (let ip = bridge + 1; ip <= last; ip++) {
    const text = formatIPv4(ip);
    if (!used.has(text)) return text;
  }
  return undefined;
}

/** True when `ip` lies in the subnet (a pod address from an earlier lease does not). */
export function isInSubnet(subnet: string, ip: string): boolean {
  const cidr = parseCidr(subnet);
  const addr = parseCidr(`${ip}/32`);
  return cidr !== undefined && addr !== undefined && cidrContains(cidr, addr.ip);
}

/** The status of a pod whose containers all run: phase Running, Ready, its address and start time. */
export function buildRunningPodStatus(pod: PodLike, o: { readonly hostIP: string; readonly podIP: string; readonly now: string }): Record<string, unknown> {
  const uid = pod.metadata?.uid ?? `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`;
  const condition = (type: string): Record<string, unknown> => ({ type, status: 'True', lastProbeTime: null, lastTransitionTime: o.now });
  return {
    phase: 'Running',
    conditions: [condition('Initialized'), condition('Ready'), condition('PodScheduled')],
    hostIP: o.hostIP,
    podIP: o.podIP,
    startTime: o.now,
    containerStatuses: (pod.spec?.containers ?? []).map((c, i) => ({
      name: c.name ?? `container-${i}`,
      state: { running: { startedAt: o.now } },
      lastState: {},
      ready: true,
      restartCount: 0,
      image: c.image ?? '',
      imageID: `docker://sha256:${buildHexId(`image:${c.image ?? ''}`)}`,
      containerID: `docker://${buildHexId(`${uid}:${c.name ?? i}`)}`,
    })),
  };
}

/** The pod needs the kubelet: bound here, not being deleted, and not yet running with an address. */
export function needsStart(pod: PodLike, nodeName: string): boolean {
  return pod.spec?.nodeName === nodeName && pod.metadata?.deletionTimestamp === undefined && !(pod.status?.phase === 'Running' && (pod.status.podIP ?? '') !== '');
}
