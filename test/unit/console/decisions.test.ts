/** The console steps' pure parts: endpoint changes, watcher moves, the journalled record, credentials, words. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildEndpointTargets, computeEndpointChange, sameApiField, sameEtcdField } from '../../../src/console/cluster-endpoints.ts';
import { buildCredentialSource } from '../../../src/adapters/console/credential-source.ts';
import { buildLabCredentialsFile } from '../../../src/lab/face.ts';
import type { WatcherInfo } from '../../../src/console/types.ts';
import { buildWatcherConfFromInfo, computeWatcherMove, readWatcherApi } from '../../../src/console/watcher-replace.ts';
import { describeConsoleStart, describeConsoleStop, describeConsoleUpdate } from '../../../src/plan/describe-console.ts';
import type { ConsoleTarget } from '../../../src/plan/types.ts';
import { buildReadRecord, parseReadRecord } from '../../../src/steps/console/read-record.ts';
import type { Inventory } from '../../../src/inventory/types.ts';

function watcher(state: string, api: string | undefined, deployId = 2): WatcherInfo {
  return {
    deployId,
    clusterId: 1,
    name: 'watcher',
    state,
    namespace: 'kube-system',
    hostEnv: 'TEST',
    versionSelectorInfos: [
      {
        version: 3,
        labelSelectors: [{ name: 'role', content: 'USER_LABEL_VALUE' }],
        containerDrafts: [{ registry: 'https://pub.domeos.org', image: 'kube_event_watcher', tag: 'v0.1.0', cpu: 0.5, mem: 256, args: api === undefined ? [] : [`--apiserver=${api}`, '--port=8080'] }],
      },
    ],
  };
}

describe('cluster endpoints', () => {
  test('targets are in the console formats; a field that does not move is left out', () => {
    assert.deepEqual(buildEndpointTargets('http://10.0.0.20:8080', ['http://10.0.0.21:4012', '10.0.0.22:4012']), { api: '10.0.0.20:8080', etcd: 'http://10.0.0.21:4012,http://10.0.0.22:4012,' });
    assert.deepEqual(buildEndpointTargets(undefined, ['http://10.0.0.21:4012']), { etcd: 'http://10.0.0.21:4012,' });
    assert.deepEqual(buildEndpointTargets('https://10.0.0.20:6443', undefined), { api: 'https://10.0.0.20:6443' });
  });

  test('fields compare by meaning: scheme, order, trailing comma', () => {
    assert.ok(sameApiField('10.0.0.20:8080', 'http://10.0.0.20:8080/'));
    assert.ok(!sameApiField('10.0.0.20:8080', 'https://10.0.0.20:8080'));
    assert.ok(sameEtcdField('http://b:4012,http://a:4012,', 'http://a:4012,b:4012'));
    assert.ok(!sameEtcdField('http://a:4012,', 'http://a:4012,http://b:4012,'));
  });

  test('only what differs changes; nothing when already so', () => {
    const current = { api: '10.0.0.30:8080', etcd: 'http://10.0.0.31:4012,' };
    assert.deepEqual(computeEndpointChange(current, { api: '10.0.0.20:8080', etcd: 'http://10.0.0.31:4012,' }), { api: '10.0.0.20:8080' });
    assert.equal(computeEndpointChange(current, { api: 'http://10.0.0.30:8080' }), undefined);
    assert.equal(computeEndpointChange(current, {}), undefined);
  });
});

describe('watcher moves', () => {
  const want = '10.0.0.20:8080';
  test('a watcher on the old apiserver is stopped, then deleted; none is created; a new one started', () => {
    assert.deepEqual(computeWatcherMove(watcher('RUNNING', '10.0.0.30:8080'), want, [2]), { kind: 'stop', deployId: 2 });
    assert.deepEqual(computeWatcherMove(watcher('STOPPING', '10.0.0.30:8080'), want, [2]), { kind: 'stop', deployId: 2 });
    assert.deepEqual(computeWatcherMove(watcher('STOP', '10.0.0.30:8080'), want, [2]), { kind: 'delete', deployId: 2 });
    assert.deepEqual(computeWatcherMove(undefined, want, [2]), { kind: 'create' });
    assert.deepEqual(computeWatcherMove(watcher('STOP', want, 11), want, [2]), { kind: 'start', deployId: 11, version: 3 });
    assert.deepEqual(computeWatcherMove(watcher('DEPLOYING', want, 11), want, [2]), { kind: 'wait-running', deployId: 11 });
    assert.deepEqual(computeWatcherMove(watcher('RUNNING', `http://${want}`, 11), want, [2]), { kind: 'done', deployId: 11 });
    assert.deepEqual(computeWatcherMove(watcher('ERROR', want, 11), want, [2]), { kind: 'stop', deployId: 11 });
  });

  test('without args, the deployments to replace are told by id', () => {
    assert.deepEqual(computeWatcherMove(watcher('RUNNING', undefined, 2), want, [2]), { kind: 'stop', deployId: 2 });
    assert.deepEqual(computeWatcherMove(watcher('RUNNING', undefined, 11), want, [2]), { kind: 'done', deployId: 11 });
  });

  test('the configuration is read back without args', () => {
    const w = watcher('RUNNING', '10.0.0.30:8080');
    assert.equal(readWatcherApi(w), '10.0.0.30:8080');
    assert.deepEqual(buildWatcherConfFromInfo(w), {
      name: 'watcher',
      description: '',
      namespace: 'kube-system',
      hostEnv: 'TEST',
      containerDrafts: [{ registry: 'https://pub.domeos.org', image: 'kube_event_watcher', tag: 'v0.1.0', cpu: 0.5, mem: 256 }],
      labelSelectors: [{ name: 'role', content: 'USER_LABEL_VALUE' }],
    });
  });
});

describe('the journalled read record', () => {
  test('holds api, etcd and the watcher configuration, never the cluster password, and parses back', () => {
    const cluster = { id: 1, name: 'prod', api: '10.0.0.30:8080', etcd: 'http://10.0.0.31:4012,', username: 'k8s', password: 'k8s-secret', oauthToken: 'tok' };
    const record = buildReadRecord(cluster, watcher('RUNNING', '10.0.0.30:8080'));
    const json = JSON.parse(JSON.stringify(record)) as Record<string, unknown>;
    assert.ok(!JSON.stringify(json).includes('secret') && !JSON.stringify(json).includes('tok') && !JSON.stringify(json).includes('--apiserver'));
    assert.deepEqual(parseReadRecord(json), record);
    assert.deepEqual(parseReadRecord({ clusterId: 1, cluster: 'prod', api: 'a', etcd: 'e' }), { clusterId: 1, cluster: 'prod', api: 'a', etcd: 'e' });
    assert.equal(parseReadRecord(undefined), undefined);
    assert.throws(() => parseReadRecord({ clusterId: '1' }), /bug in ferry/);
  });
});

describe('console credentials source', () => {
  const lab = '/lab/hosts/127.0.0.10/etc/domeos/credentials.yaml';
  test('file, then environment, then (lab only) the lab file; else the environment reports what is missing', () => {
    assert.deepEqual(buildCredentialSource({ credentialsFile: '/c.yaml', env: { FERRY_DOMEOS_USERNAME: 'u', FERRY_DOMEOS_PASSWORD: 'p' }, labCredentialsFile: lab }, true), { path: '/c.yaml' });
    const env = { FERRY_DOMEOS_USERNAME: 'u', FERRY_DOMEOS_PASSWORD: 'p' };
    assert.deepEqual(buildCredentialSource({ env, labCredentialsFile: lab }, true), { env });
    assert.deepEqual(buildCredentialSource({ env: {}, labCredentialsFile: lab }, true), { path: lab });
    assert.deepEqual(buildCredentialSource({ env: {}, labCredentialsFile: lab }, false), { env: {} });
    assert.deepEqual(buildCredentialSource({ env: { FERRY_DOMEOS_USERNAME: 'u' }, labCredentialsFile: lab }, true), { env: { FERRY_DOMEOS_USERNAME: 'u' } }, 'half an environment is reported, not papered over');
  });

  test('the lab file is on the console host in the lab folder; none for ssh access', () => {
    const domeos = { url: 'http://127.0.0.10:8080', cluster: 'c', host: '127.0.0.10', service: 'domeos', healthTimeoutMs: 60_000 };
    assert.equal(buildLabCredentialsFile({ access: { mode: 'lab', labDir: '/lab' }, domeos }, {}), lab);
    assert.equal(buildLabCredentialsFile({ access: { mode: 'lab' }, domeos }, { FERRY_HOME: '/fh' }), '/fh/lab/hosts/127.0.0.10/etc/domeos/credentials.yaml');
    const ssh: Inventory['access'] = { mode: 'ssh', user: 'root', port: 22, keyFile: '/k', knownHosts: '/kh', sudo: false };
    assert.equal(buildLabCredentialsFile({ access: ssh, domeos }, {}), undefined);
  });
});

describe('describe-console', () => {
  const unit: ConsoleTarget = { url: 'http://10.17.33.10:8080', cluster: 'prod', host: '10.17.33.10', service: 'domeos', credentialsFile: '/home/op/.ferry/domeos.yaml' };
  const docker: ConsoleTarget = { ...unit, stopCommand: ['docker', 'stop', 'domeos'], startCommand: ['docker', 'start', 'domeos'] };

  test('stop and start name the unit or the command, and the health URL', () => {
    const stop = describeConsoleStop(unit);
    assert.equal(stop.title, 'Stop the DomeOS server on 10.17.33.10');
    assert.match(stop.does[0] ?? '', /systemctl stop domeos/);
    assert.match(stop.checks[1] ?? '', /http:\/\/10\.17\.33\.10:8080\/health does not answer and domeos is not active/);
    assert.match(stop.undoes[0] ?? '', /systemctl start domeos/);
    assert.match(describeConsoleStop(docker).does[0] ?? '', /`docker stop domeos` on 10\.17\.33\.10/);
    assert.match(describeConsoleStart(docker).does[0] ?? '', /`docker start domeos`/);
    assert.match(describeConsoleStart(docker).undoes[0] ?? '', /`docker stop domeos`/);
  });

  test('update says which fields change to what, where the login comes from, and the watcher replacement', () => {
    const w = describeConsoleUpdate({ console: unit, apiserver: 'http://10.17.33.20:8080', etcd: ['http://10.17.33.21:4012', 'http://10.17.33.22:4012'], watcherTimeoutMs: 60_000 });
    const text = [...w.does, ...w.checks, ...w.undoes].join('\n');
    assert.match(text, /api → 10\.17\.33\.20:8080 and etcd → http:\/\/10\.17\.33\.21:4012,http:\/\/10\.17\.33\.22:4012,/);
    assert.match(text, /\/home\/op\/\.ferry\/domeos\.yaml/);
    assert.match(text, /STOP \(at most 60 s\)/);
    assert.match(text, /RUNNING against 10\.17\.33\.20:8080/);
    const etcdOnly = describeConsoleUpdate({ console: { ...unit, credentialsFile: undefined } as ConsoleTarget, etcd: ['http://10.17.33.21:4012'], watcherTimeoutMs: 30_000 });
    assert.match(etcdOnly.does.join('\n'), /api is kept/);
    assert.match(etcdOnly.does.join('\n'), /FERRY_DOMEOS_USERNAME/);
  });
});
