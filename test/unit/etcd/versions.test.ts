import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareVersions, explainUnsupportedVersion, findUnsupportedVersions, parseEtcdVersionAnswer, renderVersionReading } from '../../../src/etcd/versions.ts';

test('GET /version answers of etcd 2.x and 3.x are read; anything else is not a version', () => {
  assert.deepEqual(parseEtcdVersionAnswer({ etcdserver: '2.3.1', etcdcluster: '2.3.0' }), { server: '2.3.1', cluster: '2.3.0' });
  assert.deepEqual(parseEtcdVersionAnswer({ etcdserver: '3.4.23', etcdcluster: '3.4.0' }), { server: '3.4.23', cluster: '3.4.0' });
  assert.deepEqual(parseEtcdVersionAnswer({ etcdserver: '3.5.0' }), { server: '3.5.0', cluster: 'not_decided' });
  for (const bad of [undefined, null, 'x', {}, { etcdserver: 'latest' }, { etcdserver: 3 }]) assert.equal(parseEtcdVersionAnswer(bad), undefined, JSON.stringify(bad));
});

test('versions compare by major, minor, patch', () => {
  assert.ok(compareVersions('3.3.25', '3.4.0') < 0);
  assert.ok(compareVersions('3.4.0', '3.4.0') === 0);
  assert.ok(compareVersions('3.10.0', '3.4.0') > 0);
  assert.ok(compareVersions('2.3.1', '3.4.0') < 0);
  assert.ok(compareVersions('junk', '0.0.0') < 0);
});

test('members older than 3.3 (by their own or their cluster version) are found; unreachable ones are not judged', () => {
  const readings = [
    { member: 'a', clientURL: 'http://a:4012', version: { server: '3.4.23', cluster: '3.4.0' } },
    { member: 'b', clientURL: 'http://b:4012', version: { server: '3.4.23', cluster: '3.2.0' } },
    { member: 'c', clientURL: 'http://c:4012', version: { server: '2.3.1', cluster: '2.3.0' } },
    { member: 'd', clientURL: 'http://d:4012', error: 'connect ECONNREFUSED' },
    { member: 'e', clientURL: 'http://e:4012', version: { server: '3.5.9', cluster: 'not_decided' } },
    { member: 'f', clientURL: 'http://f:4012', version: { server: '3.3.25', cluster: '3.3.0' } },
  ];
  assert.deepEqual(findUnsupportedVersions(readings).map((r) => r.member), ['b', 'c']);
  assert.deepEqual(findUnsupportedVersions(readings, '3.4.0').map((r) => r.member), ['b', 'c', 'f']);
  assert.equal(renderVersionReading(readings[2] as (typeof readings)[number]), 'c 2.3.1 (cluster 2.3.0)');
  assert.match(explainUnsupportedVersion('2.3.1'), /no v3 API/);
  assert.match(explainUnsupportedVersion('3.2.0'), /neither learners nor leadership transfer/);
});

test('the plan names every member’s version, and those that did not answer', async () => {
  const { renderVersionsNote } = await import('../../../src/etcd/versions.ts');
  assert.equal(
    renderVersionsNote([
      { member: 'domeosEtcd1', clientURL: 'http://a:4012', version: { server: '3.4.23', cluster: '3.4.0' } },
      { member: 'domeosEtcd4', clientURL: 'http://b:4012', error: 'connect ECONNREFUSED' },
    ]),
    'etcd versions (GET /version): domeosEtcd1 3.4.23 (cluster 3.4.0); not answering: domeosEtcd4',
  );
});
