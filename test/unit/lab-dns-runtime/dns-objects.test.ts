import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildLabDnsObjects } from '../../../src/lab/setup/dns-objects.ts';
import { isFerryError } from '../../../src/errors.ts';

const plan = {
  clusterDns: '127.40.40.1',
  domain: 'domeos.local',
  etcdServers: ['http://127.32.0.31:4012', 'http://127.32.0.32:4012', 'http://127.32.0.33:4012'],
  masterURL: 'http://127.32.0.30:8080/',
};

test('dns.yaml with the lab`s addresses: the service on the cluster DNS address, selector app+version v9', () => {
  const o = buildLabDnsObjects(plan);
  assert.equal(o.namespace, 'default');
  assert.deepEqual(o.service, {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'skydns-svc', labels: { app: 'skydns-svc', version: 'v9' } },
    spec: {
      selector: { app: 'skydns', version: 'v9' },
      type: 'ClusterIP',
      clusterIP: '127.40.40.1',
      ports: [
        { name: 'dns', port: 53, protocol: 'UDP' },
        { name: 'dns-tcp', port: 53, protocol: 'TCP' },
      ],
    },
  });
});

test('the RCs: kube2sky 0.4 on the first etcd and the master; skydns 1.5 on every etcd, no off-machine nameservers', () => {
  const [kube2sky, skydns] = buildLabDnsObjects(plan).controllers;
  assert.deepEqual(kube2sky, {
    apiVersion: 'v1',
    kind: 'ReplicationController',
    metadata: { name: 'kube2sky', labels: { app: 'kube2sky', version: 'v9' } },
    spec: {
      replicas: 1,
      selector: { app: 'kube2sky', version: 'v9' },
      template: {
        metadata: { labels: { app: 'kube2sky', version: 'v9' } },
        spec: {
          containers: [
            {
              name: 'kube2sky',
              image: 'pub.domeos.org/domeos/kube2sky:0.4',
              command: ['/kube2sky'],
              args: ['--etcd-server=http://127.32.0.31:4012', '--domain=domeos.local', '--kube_master_url=http://127.32.0.30:8080'],
            },
          ],
        },
      },
    },
  });
  const spec = (skydns as { spec: { selector: unknown; replicas: number; template: { metadata: unknown; spec: { containers: unknown[] } } } }).spec;
  assert.deepEqual(spec.selector, { app: 'skydns', version: 'v9' });
  assert.equal(spec.replicas, 1);
  assert.deepEqual(spec.template.spec.containers, [
    {
      name: 'skydns',
      image: 'pub.domeos.org/domeos/skydns:1.5',
      command: ['/skydns'],
      args: ['--machines=http://127.32.0.31:4012,http://127.32.0.32:4012,http://127.32.0.33:4012', '--domain=domeos.local', '--addr=0.0.0.0:53'],
      ports: [
        { containerPort: 53, name: 'dns-udp', protocol: 'UDP' },
        { containerPort: 53, name: 'dns-tcp', protocol: 'TCP' },
      ],
    },
  ]);
});

test('names from the inventory; loopback nameservers only', () => {
  const o = buildLabDnsObjects({ ...plan, namespace: 'kube-system', serviceName: 'dns', nameservers: '127.0.0.1:53' });
  assert.equal(o.namespace, 'kube-system');
  assert.equal((o.service['metadata'] as { name: string }).name, 'dns');
  const args = (o.controllers[1] as { spec: { template: { spec: { containers: { args: string[] }[] } } } }).spec.template.spec.containers[0]?.args;
  assert.equal(args?.at(-1), '--nameservers=127.0.0.1:53');
  assert.throws(() => buildLabDnsObjects({ ...plan, nameservers: '8.8.8.8:53' }), (e: unknown) => isFerryError(e) && e.code === 'LAB_DNS_NAMESERVERS');
  assert.throws(() => buildLabDnsObjects({ ...plan, etcdServers: [] }), (e: unknown) => isFerryError(e) && e.code === 'LAB_DNS_NO_ETCD');
});
