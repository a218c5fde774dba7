import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { computeEndpointSubsets, isSameSubsets, resolveTargetPort, TOLERATE_UNREADY_ANNOTATION } from '../../../src/lab/k8s/controller-manager/endpoints-plan.ts';
import type { Pod, Service } from '../../../src/lab/k8s/common/objects.ts';

const dnsService: Service = {
  metadata: { name: 'skydns-svc', namespace: 'kube-system' },
  spec: {
    selector: { app: 'skydns' },
    clusterIP: '127.16.40.1',
    ports: [
      { name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 },
      { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 'dns-tcp' },
    ],
  },
};

function pod(name: string, ip: string | undefined, o: { ready?: boolean; labels?: Record<string, string>; ns?: string; tcpPortName?: string; deleting?: boolean; phase?: string } = {}): Pod {
  return {
    metadata: { name, namespace: o.ns ?? 'kube-system', uid: `uid-${name}`, resourceVersion: '9', labels: o.labels ?? { app: 'skydns' }, ...(o.deleting === true ? { deletionTimestamp: '2024-01-01T00:00:00Z' } : {}) },
    spec: { nodeName: 'n1', containers: [{ name: 'skydns', ports: [{ name: 'dns', containerPort: 53, protocol: 'UDP' }, { name: o.tcpPortName ?? 'dns-tcp', containerPort: 5353, protocol: 'TCP' }] }] },
    status: { phase: o.phase ?? 'Running', ...(ip === undefined ? {} : { podIP: ip }), conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }] },
  };
}

describe('computeEndpointSubsets', () => {
  test('ready pods in addresses, not-ready in notReadyAddresses, ports resolved by number and by name', () => {
    const subsets = computeEndpointSubsets(dnsService, [pod('b', '127.24.1.3'), pod('a', '127.24.1.2'), pod('c', '127.24.1.4', { ready: false })]);
    assert.deepEqual(subsets, [
      {
        addresses: [
          { ip: '127.24.1.2', nodeName: 'n1', targetRef: { kind: 'Pod', namespace: 'kube-system', name: 'a', uid: 'uid-a' } },
          { ip: '127.24.1.3', nodeName: 'n1', targetRef: { kind: 'Pod', namespace: 'kube-system', name: 'b', uid: 'uid-b' } },
        ],
        notReadyAddresses: [{ ip: '127.24.1.4', nodeName: 'n1', targetRef: { kind: 'Pod', namespace: 'kube-system', name: 'c', uid: 'uid-c' } }],
        ports: [
          { name: 'dns', port: 53, protocol: 'UDP' },
          { name: 'dns-tcp', port: 5353, protocol: 'TCP' },
        ],
      },
    ]);
  });
  test('skips pods without IP, terminating, finished, in another namespace or not selected', () => {
    const pods = [
      pod('no-ip', undefined),
      pod('deleting', '127.24.1.5', { deleting: true }),
      pod('failed', '127.24.1.6', { phase: 'Failed' }),
      pod('other-ns', '127.24.1.7', { ns: 'default' }),
      pod('other-app', '127.24.1.8', { labels: { app: 'web' } }),
    ];
    assert.deepEqual(computeEndpointSubsets(dnsService, pods), []);
  });
  test('a pod without the named port gets only the ports it has, in its own subset', () => {
    const subsets = computeEndpointSubsets(dnsService, [pod('a', '127.24.1.2'), pod('odd', '127.24.1.9', { tcpPortName: 'other' })]);
    assert.equal(subsets.length, 2);
    const odd = subsets.find((s) => s.addresses?.[0]?.ip === '127.24.1.9');
    assert.deepEqual(odd?.ports, [{ name: 'dns', port: 53, protocol: 'UDP' }]);
  });
  test('tolerate-unready puts every pod in addresses', () => {
    const svc: Service = { ...dnsService, metadata: { ...dnsService.metadata, annotations: { [TOLERATE_UNREADY_ANNOTATION]: 'true' } } };
    const [subset] = computeEndpointSubsets(svc, [pod('c', '127.24.1.4', { ready: false })]);
    assert.equal(subset?.addresses?.length, 1);
    assert.equal(subset?.notReadyAddresses, undefined);
  });
  test('resolveTargetPort: default is the service port, numeric strings are numbers, names need the same protocol', () => {
    const p = pod('a', '1.1.1.1');
    assert.equal(resolveTargetPort({ port: 80 }, p), 80);
    assert.equal(resolveTargetPort({ port: 80, targetPort: '8080' }, p), 8080);
    assert.equal(resolveTargetPort({ port: 53, targetPort: 'dns-tcp' }, p), 5353);
    assert.equal(resolveTargetPort({ port: 53, targetPort: 'dns-tcp', protocol: 'UDP' }, p), undefined);
  });
});

describe('isSameSubsets', () => {
  test('order and resourceVersion do not matter; readiness, IPs and ports do', () => {
    const a = computeEndpointSubsets(dnsService, [pod('a', '127.24.1.2'), pod('b', '127.24.1.3')]);
    const b = computeEndpointSubsets(dnsService, [pod('b', '127.24.1.3'), pod('a', '127.24.1.2')]);
    const withRv = structuredClone(a);
    for (const addr of withRv[0]?.addresses ?? []) addr.targetRef = { ...addr.targetRef!, resourceVersion: '123' };
    withRv[0]?.addresses?.reverse();
    assert.equal(isSameSubsets(b, a), true);
    assert.equal(isSameSubsets(withRv, a), true);
    assert.equal(isSameSubsets(a, computeEndpointSubsets(dnsService, [pod('a', '127.24.1.2'), pod('b', '127.24.1.3', { ready: false })])), false);
    assert.equal(isSameSubsets(a, computeEndpointSubsets(dnsService, [pod('a', '127.24.1.2')])), false);
    assert.equal(isSameSubsets(undefined, []), true);
    assert.equal(isSameSubsets([{ ports: [{ port: 1 }] }], []), true, 'a subset without addresses says nothing');
  });
});
