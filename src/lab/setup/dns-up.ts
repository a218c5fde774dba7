/**
 * The cluster DNS of `ferry lab up` (runbook phase 6's starting point): once the nodes are Ready, the DNS objects
 * of dns.yaml (dns-objects.ts) are created through the OLD master's apiserver — the lab scheduler places the
 * kube2sky and skydns pods on lab nodes, their kubelets run them, kube-proxy makes the service address answer —
 * then a bounded wait until a real DNS query to the cluster DNS address (as `dig @<clusterDns>
 * kubernetes.default.svc.<domain>`) returns the `kubernetes` service's cluster IP.
 */
import { Resolver } from 'node:dns/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { FerryError, messageOf } from '../../errors.ts';
import { isConflict, KubeClient } from '../k8s/client.ts';
import { buildLabDnsObjects, type LabDnsPlan } from './dns-objects.ts';

const POLL_MS = 500;
const QUERY_TIMEOUT_MS = 1_000;

export interface LabDnsUpOptions {
  /** The apiserver to create the objects through (the old master's). */
  readonly apiserver: string;
  readonly plan: LabDnsPlan;
  /** Bound on the wait for a DNS answer; default 120 000 ms. */
  readonly timeoutMs?: number;
  readonly log: (line: string) => void;
}

export interface LabDnsResult {
  readonly namespace: string;
  readonly service: string;
  readonly controllers: readonly string[];
  /** The name asked and the address it answered. */
  readonly query: string;
  readonly answer: string;
}

async function createIfAbsent(client: KubeClient, path: string, body: Record<string, unknown>): Promise<void> {
  try {
    await client.create(path, body);
  } catch (err) {
    // 409 AlreadyExists: made by an earlier try; the objects are the same.
    if (!isConflict(err)) throw err;
  }
}

/** The A records of `name` from the DNS server at `server` (port 53); undefined when there is no answer. */
export async function queryLabDns(server: string, name: string): Promise<{ addresses?: string[]; error?: string }> {
  const resolver = new Resolver({ timeout: QUERY_TIMEOUT_MS, tries: 1 });
  resolver.setServers([server]);
  try {
    return { addresses: await resolver.resolve4(name) };
  } catch (err) {
    return { error: messageOf(err) };
  }
}

/** One line per DNS pod: name, phase, node and why a container waits — for the failure message. */
async function describeDnsPods(client: KubeClient, namespace: string): Promise<string> {
  try {
    const list = await client.list<{ metadata: { name?: string; labels?: Record<string, string> }; spec?: { nodeName?: string }; status?: { phase?: string; podIP?: string; containerStatuses?: { name: string; state?: { waiting?: { reason?: string } } }[] } }>(
      `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`,
    );
    const pods = list.items.filter((p) => ['kube2sky', 'skydns'].includes(p.metadata.labels?.['app'] ?? ''));
    if (pods.length === 0) return 'no DNS pods yet';
    return pods
      .map((p) => {
        const waiting = (p.status?.containerStatuses ?? []).map((c) => c.state?.waiting?.reason).filter((r) => r !== undefined);
        return `${p.metadata.name ?? '?'} ${p.status?.phase ?? '?'} on ${p.spec?.nodeName ?? '(unscheduled)'}${waiting.length > 0 ? ` (${waiting.join(', ')})` : ''}`;
      })
      .join('; ');
  } catch (err) {
    return `cannot list pods: ${messageOf(err)}`;
  }
}

export async function startLabDns(o: LabDnsUpOptions): Promise<LabDnsResult> {
  const objects = buildLabDnsObjects(o.plan);
  const client = new KubeClient({ master: o.apiserver, requestTimeoutMs: 10_000 });
  const ns = encodeURIComponent(objects.namespace);
  const serviceName = String((objects.service['metadata'] as { name: string }).name);
  await createIfAbsent(client, `/api/v1/namespaces/${ns}/services`, objects.service);
  const controllers: string[] = [];
  for (const rc of objects.controllers) {
    await createIfAbsent(client, `/api/v1/namespaces/${ns}/replicationcontrollers`, rc);
    controllers.push(String((rc['metadata'] as { name: string }).name));
  }
  o.log(`created service ${serviceName} (${o.plan.clusterDns}) and RCs ${controllers.join(', ')} on ${o.apiserver}`);

  const query = `kubernetes.default.svc.${o.plan.domain}`;
  const timeoutMs = o.timeoutMs ?? 120_000;
  const started = Date.now();
  let last = 'no answer yet';
  for (;;) {
    let expected: string | undefined;
    try {
      expected = (await client.get<{ spec?: { clusterIP?: string } }>('/api/v1/namespaces/default/services/kubernetes')).spec?.clusterIP;
    } catch (err) {
      last = `cannot read the kubernetes service: ${messageOf(err)}`;
    }
    if (expected !== undefined) {
      const answer = await queryLabDns(o.plan.clusterDns, query);
      if (answer.addresses?.includes(expected) === true) {
        o.log(`cluster DNS answers: ${query} → ${expected} (through ${o.plan.clusterDns}, ${Date.now() - started} ms)`);
        return { namespace: objects.namespace, service: serviceName, controllers, query, answer: expected };
      }
      last = answer.error ?? `answered ${JSON.stringify(answer.addresses)}, expected ${expected}`;
    }
    if (Date.now() - started >= timeoutMs) {
      throw new FerryError('LAB_DNS_FAILED', `the lab's cluster DNS did not answer ${query} at ${o.plan.clusterDns} within ${timeoutMs} ms (${last}); DNS pods: ${await describeDnsPods(client, objects.namespace)}`, {
        hint: 'See /var/log/kubelet.log and /var/log/containers/*.log on the DNS pods\' nodes, and /var/log/kube-proxy.log; the lab was torn down.',
        subjects: { address: o.plan.clusterDns },
      });
    }
    await sleep(POLL_MS);
  }
}
