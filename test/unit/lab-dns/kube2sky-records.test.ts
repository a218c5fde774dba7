import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  buildDnsNameString,
  buildKube2skyPathPrefix,
  buildServiceRecords,
  computeRecordHash,
  normalizeKube2skyDomain,
} from '../../../src/lab/k8s/kube2sky/records.ts';

const kubernetes = {
  metadata: { name: 'kubernetes', namespace: 'default' },
  spec: { clusterIP: '127.16.0.1', ports: [{ name: 'https', port: 443, protocol: 'TCP' }] },
};

describe('kube2sky records', () => {
  test('helpers as kube2sky.go has them', () => {
    assert.equal(buildDnsNameString('domeos.local.', 'svc', 'default', 'kubernetes'), 'kubernetes.default.svc.domeos.local.');
    assert.equal(computeRecordHash(''), '811c9dc5');
    assert.equal(computeRecordHash('a'), 'e40c292c');
    assert.equal(normalizeKube2skyDomain('domeos.local'), 'domeos.local.');
    assert.equal(buildKube2skyPathPrefix(''), 'skydns');
    assert.equal(buildKube2skyPathPrefix('/prefix/skydns/'), 'prefix/skydns/skydns');
  });

  test('a service with a cluster IP: the A record under its hash, an SRV record per named port', () => {
    const r = buildServiceRecords(kubernetes, 'domeos.local.', 'skydns');
    assert.equal(r.kind, 'records');
    assert.equal(r.subdomainKey, '/skydns/local/domeos/svc/default/kubernetes');
    assert.deepEqual(r.kind === 'records' ? r.records : [], [
      { key: '/skydns/local/domeos/svc/default/kubernetes/8f71eca8', value: '{"host":"127.16.0.1","priority":10,"weight":10,"ttl":30}' },
      { key: '/skydns/local/domeos/svc/default/kubernetes/_tcp/_https/8f71eca8', value: '{"host":"kubernetes.default.svc.domeos.local.","port":443,"priority":10,"weight":10,"ttl":30}' },
    ]);
  });

  test('--etcd_prefix goes in front of /skydns; unnamed ports add no SRV record', () => {
    const r = buildServiceRecords({ metadata: { name: 'web', namespace: 'team' }, spec: { clusterIP: '10.0.0.7', ports: [{ port: 80 }] } }, 'x.local.', buildKube2skyPathPrefix('prefix/skydns'));
    assert.deepEqual(r.kind === 'records' ? r.records.map((x) => x.key) : [], [`/prefix/skydns/skydns/local/x/svc/team/web/${computeRecordHash('{"host":"10.0.0.7","priority":10,"weight":10,"ttl":30}')}`]);
  });

  test('headless services and services without ports get no records', () => {
    for (const clusterIP of ['None', '', undefined]) {
      const r = buildServiceRecords({ metadata: { name: 'h', namespace: 'default' }, spec: { ...(clusterIP !== undefined ? { clusterIP } : {}), ports: [{ port: 1 }] } }, 'd.', 'skydns');
      assert.equal(r.kind, 'skip');
      assert.equal(r.subdomainKey, '/skydns/d/svc/default/h');
    }
    assert.equal(buildServiceRecords({ metadata: { name: 'n', namespace: 'default' }, spec: { clusterIP: '10.0.0.1', ports: [] } }, 'd.', 'skydns').kind, 'skip');
  });
});
