/**
 * The DNS step's gate checks, from what was read (pure): the new pods Ready with the new args, the service's
 * endpoints exactly the new pods' addresses, and the DNS answer.
 */
import type { GateCheck } from '../gate-check.ts';
import type { Endpoints, Labels, Pod, PodTemplate } from '../kube/objects.ts';
import { buildPodFacts, describeNotReady, isSelectedBy, type PodFacts } from './pods.ts';

/** A pod behind the service is "new" when it runs the target template of the controller whose labels it carries. */
export function buildServicePodFacts(pods: readonly Pod[], templates: readonly PodTemplate[]): PodFacts[] {
  return pods.map((p) => {
    const labels: Labels = p.metadata?.labels ?? {};
    const owner = templates.find((t) => {
      const want = Object.entries(t.metadata?.labels ?? {});
      return want.length > 0 && want.every(([k, v]) => labels[k] === v);
    });
    return buildPodFacts(p, owner);
  });
}

export function readEndpointIPs(endpoints: Endpoints | undefined): string[] {
  return [...new Set((endpoints?.subsets ?? []).flatMap((s) => (s.addresses ?? []).map((a) => a.ip ?? '')).filter((ip) => ip !== ''))].sort();
}

export function computeEndpointsCheck(service: string, endpoints: Endpoints | undefined, pods: readonly PodFacts[]): GateCheck {
  const name = `${service} endpoints are the new pods`;
  const live = pods.filter((p) => !p.terminating);
  const old = live.filter((p) => !p.current);
  const wanted = [...new Set(live.filter((p) => p.current && p.ready && p.ip !== undefined).map((p) => p.ip as string))].sort();
  const actual = readEndpointIPs(endpoints);
  if (old.length > 0) return { name, ok: false, detail: `pods of the old version still behind the service: ${old.map((p) => p.name).join(', ')}` };
  if (wanted.length === 0) return { name, ok: false, detail: `no new pod is Ready behind the service (${describeNotReady(live)})` };
  const ok = wanted.length === actual.length && wanted.every((ip, i) => actual[i] === ip);
  return { name, ok, detail: ok ? `${actual.join(', ')}` : `endpoints [${actual.join(', ')}], new pods [${wanted.join(', ')}]` };
}

/** The answer must be exactly the `kubernetes` service's cluster IP. */
export function computeDnsAnswerCheck(query: string, server: string, answer: readonly string[] | string, want: string): GateCheck {
  const name = `${query} answers through ${server}`;
  if (typeof answer === 'string') return { name, ok: false, detail: answer };
  const ok = answer.includes(want);
  return { name, ok, detail: ok ? `${answer.join(', ')} (the kubernetes service)` : `answered ${answer.join(', ') || 'nothing'}, expected ${want}` };
}

/**
 * Ready pods of a controller that the service selects but its endpoints do not list yet. The old pods go only once
 * this is empty: the endpoints controller adds a pod a moment after it is Ready, and until then the service has
 * nothing else to send queries to. Undefined when the controller's pods are not behind the service (kube2sky).
 */
export function computeNotYetServing(endpoints: Endpoints | undefined, serviceSelector: Readonly<Labels> | undefined, podLabels: Readonly<Labels> | undefined, ready: readonly PodFacts[]): string[] | undefined {
  if (serviceSelector === undefined || !isSelectedBy(podLabels, serviceSelector)) return undefined;
  const listed = new Set(readEndpointIPs(endpoints));
  return ready.filter((p) => !p.terminating && p.ready && p.current && p.ip !== undefined && !listed.has(p.ip)).map((p) => p.name);
}
