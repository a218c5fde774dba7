/**
 * The lab's cluster DNS objects (pure): DomeOS's dns.yaml (docs/design/domeos.md §4) — service `skydns-svc` on the cluster DNS
 * address, RCs `kube2sky` (image 0.4) and `skydns` (image 1.5), labels and selectors `app: <name>, version: v9` —
 * with the lab's addresses: the OLD etcd (its first client URL for kube2sky's `--etcd-server`, all of them for
 * skydns's `--machines`) and the OLD master. skydns forwards other names only to loopback nameservers, so
 * `--nameservers` is left out unless a loopback one is given.
 */
import { inputError } from '../../errors.ts';

export const DNS_VERSION_LABEL = 'v9';
export const KUBE2SKY_IMAGE = 'pub.domeos.org/domeos/kube2sky:0.4';
export const SKYDNS_IMAGE = 'pub.domeos.org/domeos/skydns:1.5';

export interface LabDnsPlan {
  /** Default `default`. */
  readonly namespace?: string;
  /** Default `skydns-svc`. */
  readonly serviceName?: string;
  /** The service's cluster IP (the kubelets' --cluster-dns). */
  readonly clusterDns: string;
  /** The cluster domain, e.g. `domeos.local`. */
  readonly domain: string;
  /** The etcd client URLs the DNS pods use (with http://). */
  readonly etcdServers: readonly string[];
  /** The apiserver URL for kube2sky's --kube_master_url. */
  readonly masterURL: string;
  /** `127.0.0.1:53,…`: upstreams for other names; loopback only. Default: none. */
  readonly nameservers?: string;
}

export interface LabDnsObjects {
  readonly namespace: string;
  readonly service: Record<string, unknown>;
  /** kube2sky, then skydns. */
  readonly controllers: readonly Record<string, unknown>[];
}

function labels(app: string): Record<string, string> {
  return { app, version: DNS_VERSION_LABEL };
}

function buildController(name: string, image: string, args: readonly string[], ports?: readonly Record<string, unknown>[]): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'ReplicationController',
    metadata: { name, labels: labels(name) },
    spec: {
      replicas: 1,
      selector: labels(name),
      template: {
        metadata: { labels: labels(name) },
        spec: { containers: [{ name, image, command: [`/${name}`], args: [...args], ...(ports !== undefined ? { ports: [...ports] } : {}) }] },
      },
    },
  };
}

/** True when every `host:port` of the comma list is on 127.0.0.0/8. */
function isLoopbackList(list: string): boolean {
  return list.split(',').every((hp) => /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}(:\d{1,5})?$/.test(hp.trim()));
}

export function buildLabDnsObjects(plan: LabDnsPlan): LabDnsObjects {
  const first = plan.etcdServers[0];
  if (first === undefined) throw inputError('LAB_DNS_NO_ETCD', 'the lab DNS needs at least one etcd client URL', { hint: 'The inventory’s etcd.old must list members.' });
  if (plan.nameservers !== undefined && !isLoopbackList(plan.nameservers)) {
    throw inputError('LAB_DNS_NAMESERVERS', `lab DNS nameservers must be loopback addresses: ${plan.nameservers}`, { hint: 'Give 127.x.y.z:port addresses, or none.' });
  }
  const serviceName = plan.serviceName ?? 'skydns-svc';
  const service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: serviceName, labels: labels(serviceName) },
    spec: {
      selector: labels('skydns'),
      type: 'ClusterIP',
      clusterIP: plan.clusterDns,
      ports: [
        { name: 'dns', port: 53, protocol: 'UDP' },
        { name: 'dns-tcp', port: 53, protocol: 'TCP' },
      ],
    },
  };
  const skydnsArgs = [
    `--machines=${plan.etcdServers.join(',')}`,
    `--domain=${plan.domain}`,
    '--addr=0.0.0.0:53',
    ...(plan.nameservers !== undefined ? [`--nameservers=${plan.nameservers}`] : []),
  ];
  const kube2skyArgs = [`--etcd-server=${first}`, `--domain=${plan.domain}`, `--kube_master_url=${plan.masterURL.replace(/\/+$/, '')}`];
  return {
    namespace: plan.namespace ?? 'default',
    service,
    controllers: [
      buildController('kube2sky', KUBE2SKY_IMAGE, kube2skyArgs),
      buildController('skydns', SKYDNS_IMAGE, skydnsArgs, [
        { containerPort: 53, name: 'dns-udp', protocol: 'UDP' },
        { containerPort: 53, name: 'dns-tcp', protocol: 'TCP' },
      ]),
    ],
  };
}
