/** Facts → the discovered inventory document: valid once the new hosts are filled in, refused (helpfully) before. */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { parseDocument, parse } from 'yaml';
import { computeCrossChecks } from '../../../src/discover/cross-checks.ts';
import { renderDiscovered, suggestMemberNames } from '../../../src/discover/document.ts';
import { buildEtcdLayout, computeMostCommon } from '../../../src/discover/inventory-object.ts';
import { validateInventory } from '../../../src/inventory/validate.ts';
import { discovery, member, memberFiles } from './fixtures.ts';

/** What the operator does: fill etcd.new and master.new in the YAML text (keeping every comment). */
function fillIn(text: string, o: { readonly members?: { name: string; host: string }[]; readonly master?: { host: string; apiserver: string } } = {}): unknown {
  const doc = parseDocument(text);
  doc.setIn(['etcd', 'new'], doc.createNode(o.members ?? [
    { name: 'domeosEtcd3', host: '10.17.33.21' },
    { name: 'domeosEtcd4', host: '10.17.33.22' },
    { name: 'domeosEtcd5', host: '10.17.33.23' },
  ]));
  doc.setIn(['master', 'new'], doc.createNode(o.master ?? { host: '10.17.33.20', apiserver: 'http://10.17.33.20:8080' }));
  return doc.toJS();
}

describe('the discovered inventory', () => {
  test('as written, ferry validate refuses it exactly for the two places left to fill in', () => {
    const text = renderDiscovered(discovery(), [], 'yaml');
    const { inventory, problems } = validateInventory(parse(text), { homeDir: '/home/op' });
    assert.equal(inventory, undefined);
    assert.deepEqual(problems.filter((p) => p.severity === 'error').map((p) => [p.path, p.message]), [
      ['etcd.new', 'etcd.new is empty; there is nothing to migrate to'],
      ['master.new', 'new is required but missing'],
    ]);
  });

  test('filled in, it validates, and every discovered fact is in it', () => {
    const text = renderDiscovered(discovery(), [], 'yaml');
    const { inventory, problems } = validateInventory(fillIn(text), { homeDir: '/home/op' });
    assert.deepEqual(problems, []);
    assert.ok(inventory !== undefined);
    assert.equal(inventory.name, 'domeos-example');
    assert.deepEqual(inventory.access, { mode: 'ssh', user: 'root', port: 22, keyFile: '/home/op/.ssh/id_ed25519', knownHosts: '/home/op/.ssh/known_hosts', sudo: false });
    assert.deepEqual(inventory.etcd.old.map((m) => [m.name, m.host, m.clientURL, m.peerURL, m.dataDir]), [
      ['domeosEtcd0', '10.17.33.31', 'http://10.17.33.31:4012', 'http://10.17.33.31:4010', '/var/lib/etcd'],
      ['domeosEtcd1', '10.17.33.32', 'http://10.17.33.32:4012', 'http://10.17.33.32:4010', '/var/lib/etcd'],
      ['domeosEtcd2', '10.17.33.33', 'http://10.17.33.33:4012', 'http://10.17.33.33:4010', '/var/lib/etcd'],
    ]);
    assert.equal(inventory.etcd.clusterToken, 'domeos-etcd-cluster');
    assert.deepEqual(inventory.master?.old, { host: '10.17.33.30', apiserver: 'http://10.17.33.30:8080' });
    assert.deepEqual(inventory.nodes?.map((n) => n.name), ['l-33-39', 'l-33-40', 'l-33-41']);
    assert.deepEqual(inventory.dns, { namespace: 'default', service: 'skydns-svc', controllers: ['kube2sky', 'skydns'], domain: 'domeos.local' });
    assert.equal(inventory.domeos?.url, 'http://10.17.33.10:8080');
    assert.equal(inventory.domeos?.cluster, 'domeos-example');
  });

  test('comments carry the facts without a field: who leads, units, version, FILL IN examples, the warnings', () => {
    const text = renderDiscovered(discovery(), ['kube-scheduler is inactive on the master 10.17.33.30'], 'yaml');
    assert.match(text, /^# ferry inventory discovered from the live cluster by `ferry discover` at 2026-11-27T05:45:00.000Z\.$/m);
    assert.match(text, /^ {4}- \{ name: domeosEtcd0, host: 10\.17\.33\.31 \} # leader · etcd 3\.4\.23 · etcd active$/m);
    assert.match(text, /^ {4}- \{ name: domeosEtcd1, host: 10\.17\.33\.32 \} # follower/m);
    assert.match(text, /^ {2}# FILL IN: the members to create on the new machines/m);
    assert.match(text, /^ {2}# {3}- \{ name: domeosEtcd3, host: <new etcd host 1> \}$/m);
    assert.match(text, /^ {2}new: \[\]$/m);
    assert.match(text, /^ {2}# new: \{ host: <new master host>, apiserver: http:\/\/<new master host>:8080 \}$/m);
    assert.match(text, /Kubernetes v1\.4\.7 \(\/usr\/sbin\/domeos\/k8s\/current\/kube-apiserver --version\)/);
    assert.match(text, /^# {3}- kube-scheduler is inactive on the master 10\.17\.33\.30$/m);
    assert.match(text, /service skydns-svc at 172\.16\.40\.1/);
    assert.match(text, /record of cluster domeos-example \(id 7\): api 10\.17\.33\.30:8080/);
  });

  test('-o json is the same inventory, without comments', () => {
    const yamlText = renderDiscovered(discovery(), [], 'yaml');
    const jsonText = renderDiscovered(discovery(), [], 'json');
    assert.deepEqual(JSON.parse(jsonText), parse(yamlText));
  });

  test('a member that differs from the others states its own settings; https URLs are written out', () => {
    const d = discovery({
      etcd: {
        endpoints: ['https://10.17.33.31:2379'],
        leader: 'domeosEtcd0',
        members: [
          member(0, { clientURLs: ['https://10.17.33.31:2379'], peerURLs: ['https://10.17.33.31:2380'] }),
          member(1, { clientURLs: ['https://10.17.33.32:2379'], peerURLs: ['https://10.17.33.32:2380'], files: memberFiles({ dataDir: '/data/etcd' }) }),
          member(2, { clientURLs: ['https://10.17.33.33:2379'], peerURLs: ['https://10.17.33.33:2380'] }),
        ],
      },
    });
    const layout = buildEtcdLayout(d);
    assert.equal(layout.defaults.clientPort, 2379);
    assert.equal(layout.defaults.dataDir, '/var/lib/etcd');
    assert.deepEqual(layout.members[1], { name: 'domeosEtcd1', host: '10.17.33.32', clientURL: 'https://10.17.33.32:2379', peerURL: 'https://10.17.33.32:2380', dataDir: '/data/etcd' });
    const { inventory } = validateInventory(fillIn(renderDiscovered(d, [], 'yaml')), { homeDir: '/h' });
    assert.equal(inventory?.etcd.old[1]?.dataDir, '/data/etcd');
    assert.equal(inventory?.etcd.new[0]?.clientURL, 'http://10.17.33.21:2379', 'new members get the old ones\' port');
  });

  test('unstarted members and nodes without an InternalIP are left out; a NotReady node is marked; an unreached host says so', () => {
    const d = discovery({
      etcd: {
        endpoints: ['http://10.17.33.31:4012'],
        leader: 'domeosEtcd0',
        members: [member(0), member(1, { files: { source: 'unreachable', reason: 'connect ETIMEDOUT', notes: [] } }), member(2), { ...member(3), name: '', clientURLs: [], isLeader: false }],
      },
      nodes: [
        { name: 'l-33-39', ready: 'True', internalIP: '10.17.33.39' },
        { name: 'l-33-40', ready: 'False', internalIP: '10.17.33.40' },
        { name: 'l-33-41', ready: 'Unknown' },
      ],
    });
    const text = renderDiscovered(d, computeCrossChecks(d), 'yaml');
    const raw = parse(text) as { etcd: { old: { name: string }[] }; nodes: { name: string }[] };
    assert.deepEqual(raw.etcd.old.map((m) => m.name), ['domeosEtcd0', 'domeosEtcd1', 'domeosEtcd2']);
    assert.deepEqual(raw.nodes.map((n) => n.name), ['l-33-39', 'l-33-40']);
    assert.match(text, /- \{ name: l-33-40, host: 10\.17\.33\.40 \} # NotReady$/m);
    assert.match(text, /domeosEtcd1, host: 10\.17\.33\.32 \} # follower · etcd 3\.4\.23 · host not reached: settings are etcd\.defaults$/m);
    assert.match(text, /node\(s\) without an InternalIP, left out of nodes/);
  });

  test('lab access keeps labDir; no DNS and no console leave their sections out', () => {
    const d = discovery({ access: { mode: 'lab', labDir: '/tmp/lab' }, dns: undefined, console: undefined });
    const raw = parse(renderDiscovered(d, [], 'yaml')) as Record<string, unknown>;
    assert.deepEqual(raw['access'], { mode: 'lab', labDir: '/tmp/lab' });
    assert.equal(raw['dns'], undefined);
    assert.equal(raw['domeos'], undefined);
  });
});

describe('helpers', () => {
  test('suggested names continue the numbering, else add -new<i>', () => {
    assert.deepEqual(suggestMemberNames(['domeosEtcd0', 'domeosEtcd2', 'domeosEtcd1'], 3), ['domeosEtcd3', 'domeosEtcd4', 'domeosEtcd5']);
    assert.deepEqual(suggestMemberNames(['alpha', 'beta'], 2), ['alpha-new1', 'alpha-new2']);
  });

  test('the most common value wins, the first seen on a tie', () => {
    assert.equal(computeMostCommon(['a', 'b', 'b']), 'b');
    assert.equal(computeMostCommon(['a', 'b']), 'a');
    assert.equal(computeMostCommon([]), undefined);
  });
});
