import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { formatAge, formatHumanDuration } from '../../../src/lab/k8s/apiserver/age.ts';
import type { KubeObject } from '../../../src/lab/k8s/apiserver/json.ts';
import { parseTableAccept, renderReply } from '../../../src/lab/k8s/apiserver/render.ts';
import { findResource } from '../../../src/lab/k8s/apiserver/resources.ts';
import type { ResourceSpec } from '../../../src/lab/k8s/apiserver/resources.ts';
import { buildTable, formatEndpoints, parseIncludeObject } from '../../../src/lab/k8s/apiserver/tables.ts';

const now = new Date('2017-03-01T12:00:00Z');
const created = '2017-03-01T11:55:00Z'; // 5m before now
const spec = (name: string): ResourceSpec => findResource(name) as ResourceSpec;
type Row = { cells: unknown[]; object?: Record<string, unknown>; conditions?: unknown[] };
const rowsOf = (kind: string, objects: KubeObject[], includeObject: 'None' | 'Metadata' | 'Object' = 'None'): Row[] =>
  buildTable(objects, { kind, includeObject, now, resourceVersion: '7', apiVersion: 'v1' })['rows'] as Row[];
const headers = (kind: string): string[] =>
  (buildTable([], { kind, includeObject: 'None', now, resourceVersion: '7', apiVersion: 'v1' })['columnDefinitions'] as Array<{ name: string; priority: number }>)
    .map((c) => (c.priority > 0 ? `(${c.name})` : c.name));

describe('age (HumanDuration)', () => {
  test('the printer thresholds', () => {
    const s = 1000;
    assert.equal(formatHumanDuration(-3 * s), '<invalid>');
    assert.equal(formatHumanDuration(-1500), '0s');
    assert.equal(formatHumanDuration(59 * s), '59s');
    assert.equal(formatHumanDuration(119 * s), '119s');
    assert.equal(formatHumanDuration(125 * s), '2m5s');
    assert.equal(formatHumanDuration(600 * s), '10m');
    assert.equal(formatHumanDuration(3 * 3600 * s + 60 * s), '3h1m');
    assert.equal(formatHumanDuration(10 * 3600 * s), '10h');
    assert.equal(formatHumanDuration(3 * 86400 * s + 3600 * s), '3d1h');
    assert.equal(formatHumanDuration(30 * 86400 * s), '30d');
    assert.equal(formatHumanDuration(3 * 365 * 86400 * s), '3y');
    assert.equal(formatAge(created, now), '5m');
    assert.equal(formatAge(undefined, now), '<unknown>');
  });
});

describe('tables', () => {
  test('nodes: status from the Ready condition, roles, wide columns', () => {
    assert.deepEqual(headers('Node'), ['Name', 'Status', 'Roles', 'Age', 'Version', '(Internal-IP)', '(External-IP)', '(OS-Image)', '(Kernel-Version)', '(Container-Runtime)']);
    const node = (name: string, extra: Partial<KubeObject>): KubeObject => ({ metadata: { name, creationTimestamp: created }, ...extra });
    const rows = rowsOf('Node', [
      node('a', { status: { conditions: [{ type: 'Ready', status: 'True' }], addresses: [{ type: 'InternalIP', address: '127.17.33.39' }], nodeInfo: { kubeletVersion: 'v1.4.7', osImage: 'CentOS 7', kernelVersion: '3.10', containerRuntimeVersion: 'docker://1.12' } } }),
      node('b', { metadata: { name: 'b', creationTimestamp: created, labels: { 'node-role.kubernetes.io/master': '' } }, spec: { unschedulable: true }, status: { conditions: [{ type: 'Ready', status: 'Unknown' }] } }),
      node('c', { status: {} }),
    ]);
    assert.deepEqual(rows[0]?.cells, ['a', 'Ready', '<none>', '5m', 'v1.4.7', '127.17.33.39', '<none>', 'CentOS 7', '3.10', 'docker://1.12']);
    assert.deepEqual(rows[1]?.cells.slice(0, 3), ['b', 'NotReady,SchedulingDisabled', 'master']);
    assert.deepEqual(rows[2]?.cells.slice(0, 2), ['c', 'Unknown']);
    assert.deepEqual(rows[2]?.cells.slice(7), ['<unknown>', '<unknown>', '<unknown>']);
  });

  test('pods: ready count, status reasons, restarts, wide columns', () => {
    assert.deepEqual(headers('Pod'), ['Name', 'Ready', 'Status', 'Restarts', 'Age', '(IP)', '(Node)', '(Nominated Node)', '(Readiness Gates)']);
    const containers = [{ name: 'a', image: 'x' }, { name: 'b', image: 'y' }];
    const rows = rowsOf('Pod', [
      { metadata: { name: 'p1', creationTimestamp: created }, spec: { containers, nodeName: 'n1' }, status: { phase: 'Running', podIP: '127.24.0.5', containerStatuses: [
        { name: 'a', ready: true, restartCount: 0, state: { running: {} } },
        { name: 'b', ready: true, restartCount: 2, state: { running: {} }, lastState: { terminated: { finishedAt: '2017-03-01T11:59:00Z' } } },
      ] } },
      { metadata: { name: 'p2', creationTimestamp: created }, spec: { containers }, status: { phase: 'Pending', containerStatuses: [{ name: 'a', state: { waiting: { reason: 'ContainerCreating' } } }] } },
      { metadata: { name: 'p3', creationTimestamp: created, deletionTimestamp: created }, spec: { containers }, status: { phase: 'Running' } },
      { metadata: { name: 'p4', creationTimestamp: created }, spec: { containers }, status: { phase: 'Succeeded' } },
    ]);
    assert.deepEqual(rows[0]?.cells, ['p1', '2/2', 'Running', '2 (60s ago)', '5m', '127.24.0.5', 'n1', '<none>', '<none>']);
    assert.deepEqual(rows[1]?.cells.slice(0, 4), ['p2', '0/2', 'ContainerCreating', '0']);
    assert.deepEqual(rows[1]?.cells.slice(5, 7), ['<none>', '<none>']);
    assert.equal(rows[2]?.cells[2], 'Terminating');
    assert.deepEqual(rows[3]?.conditions, [{ type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' }]);
  });

  test('replication controllers and services', () => {
    assert.deepEqual(headers('ReplicationController'), ['Name', 'Desired', 'Current', 'Ready', 'Age', '(Containers)', '(Images)', '(Selector)']);
    const [rc] = rowsOf('ReplicationController', [{ metadata: { name: 'web', creationTimestamp: created }, spec: { replicas: 3, selector: { b: '2', a: '1' }, template: { spec: { containers: [{ name: 'web', image: 'nginx' }, { name: 'log', image: 'busybox' }] } } }, status: { replicas: 2, readyReplicas: 1 } }]);
    assert.deepEqual(rc?.cells, ['web', 3, 2, 1, '5m', 'web,log', 'nginx,busybox', 'a=1,b=2']);
    assert.deepEqual(headers('Service'), ['Name', 'Type', 'Cluster-IP', 'External-IP', 'Port(s)', 'Age', '(Selector)']);
    const rows = rowsOf('Service', [
      { metadata: { name: 'skydns-svc', creationTimestamp: created }, spec: { type: 'ClusterIP', clusterIP: '127.16.40.1', selector: { app: 'skydns' }, ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }] } },
      { metadata: { name: 'np', creationTimestamp: created }, spec: { type: 'NodePort', clusterIP: '127.16.0.9', ports: [{ port: 80, nodePort: 30080, protocol: 'TCP' }] } },
      { metadata: { name: 'lb', creationTimestamp: created }, spec: { type: 'LoadBalancer', clusterIP: 'None', ports: [] } },
    ]);
    assert.deepEqual(rows[0]?.cells, ['skydns-svc', 'ClusterIP', '127.16.40.1', '<none>', '53/UDP,53/TCP', '5m', 'app=skydns']);
    assert.deepEqual(rows[1]?.cells.slice(1, 5), ['NodePort', '127.16.0.9', '<none>', '80:30080/TCP']);
    assert.deepEqual(rows[2]?.cells.slice(2, 5), ['None', '<pending>', '<none>']);
  });

  test('endpoints, namespaces, events', () => {
    const ep = (subsets: unknown[]): KubeObject => ({ metadata: { name: 'e' }, subsets });
    assert.equal(formatEndpoints(ep([])), '<none>');
    assert.equal(formatEndpoints(ep([{ addresses: [{ ip: '1.1.1.1' }, { ip: '1.1.1.2' }], ports: [{ port: 53 }, { port: 54 }] }])), '1.1.1.1:53,1.1.1.2:53,1.1.1.1:54 + 1 more...');
    assert.equal(formatEndpoints(ep([{ addresses: [{ ip: '1.1.1.1' }] }])), '1.1.1.1');
    assert.deepEqual(rowsOf('Namespace', [{ metadata: { name: 'default', creationTimestamp: created }, status: { phase: 'Active' } }])[0]?.cells, ['default', 'Active', '5m']);
    assert.deepEqual(headers('Event'), ['Last Seen', 'Type', 'Reason', 'Object', '(Subobject)', '(Source)', 'Message', '(First Seen)', '(Count)', '(Name)']);
    const [event] = rowsOf('Event', [{ metadata: { name: 'web.1' }, involvedObject: { kind: 'Pod', name: 'web' }, type: 'Normal', reason: 'Scheduled', message: ' hi ', count: 2, firstTimestamp: '2017-03-01T11:00:00Z', lastTimestamp: created, source: { component: 'scheduler', host: 'm1' } }]);
    assert.deepEqual(event?.cells, ['5m', 'Normal', 'Scheduled', 'pod/web', '', 'scheduler, m1', 'hi', '60m', 2, 'web.1']);
  });

  test('includeObject: None, Metadata (default), Object', () => {
    const pod: KubeObject = { kind: 'Pod', apiVersion: 'v1', metadata: { name: 'p', namespace: 'default', resourceVersion: '5' }, spec: { containers: [] } };
    assert.equal(parseIncludeObject(null), 'Metadata');
    assert.equal(rowsOf('Pod', [pod], 'None')[0]?.object, undefined);
    assert.deepEqual(rowsOf('Pod', [pod], 'Metadata')[0]?.object, { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: pod.metadata });
    assert.deepEqual(rowsOf('Pod', [pod], 'Object')[0]?.object, pod);
  });
});

describe('rendering', () => {
  test('Accept: kubectl asks for a v1 Table first; plain JSON otherwise', () => {
    assert.equal(parseTableAccept('application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json'), 'v1');
    assert.equal(parseTableAccept('application/json;as=Table;v=v1beta1;g=meta.k8s.io, application/json'), 'v1beta1');
    assert.equal(parseTableAccept('application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io,application/json'), undefined);
    assert.equal(parseTableAccept('application/json, */*'), undefined);
    assert.equal(parseTableAccept(undefined), undefined);
  });

  test('lists: <Kind>List with the header revision, items without kind; objects with selfLink', () => {
    const pod: KubeObject = { kind: 'Pod', apiVersion: 'v1', metadata: { name: 'p', namespace: 'default', resourceVersion: '5' } };
    const list = renderReply({ code: 200, items: [pod], revision: '9', spec: spec('pods'), selfLink: '/api/v1/namespaces/default/pods' }, { table: undefined, includeObject: 'Metadata', now });
    assert.deepEqual(list, { kind: 'PodList', apiVersion: 'v1', metadata: { selfLink: '/api/v1/namespaces/default/pods', resourceVersion: '9' }, items: [{ metadata: { ...pod.metadata, selfLink: '/api/v1/namespaces/default/pods/p' } }] });
    const table = renderReply({ code: 200, object: pod, spec: spec('pods') }, { table: 'v1', includeObject: 'None', now });
    assert.equal(table['kind'], 'Table');
    assert.equal(table['apiVersion'], 'meta.k8s.io/v1');
    assert.deepEqual(table['metadata'], { resourceVersion: '5' });
  });
});
