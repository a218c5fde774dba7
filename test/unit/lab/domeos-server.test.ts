import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DomeosApiError, ResultStat, buildErrorEnvelope, buildOkEnvelope } from '../../../src/lab/domeos/server/envelope.ts';
import { parseDomeosServerFlags } from '../../../src/lab/domeos/server/flags.ts';
import { buildSeedState, buildWatcherArgs } from '../../../src/lab/domeos/server/model.ts';
import type { ClusterRecord } from '../../../src/lab/domeos/server/model.ts';
import { SessionStore, parseCookie } from '../../../src/lab/domeos/server/sessions.ts';
import { validateCluster, validateWatcherConf } from '../../../src/lab/domeos/server/validate.ts';
import { applyStart, applyStop, buildWatcherDeployment, checkDeletable, computeDeploymentState } from '../../../src/lab/domeos/server/watcher.ts';

const seed = buildSeedState({ serverUrl: 'http://127.0.0.1:8080', clusterName: 'c1', clusterApi: '10.17.33.30:8080', clusterEtcd: 'http://10.17.33.31:4012,', withWatcher: true, now: 1000 });
const cluster = seed.clusters[0] as ClusterRecord;

describe('domeos stand-in: envelope', () => {
  test('OK and errors with a detail', () => {
    assert.deepEqual(buildOkEnvelope(undefined), { result: null, resultCode: 200, resultMsg: 'OK' });
    assert.deepEqual(buildErrorEnvelope('PARAM_ERROR', 'watcher existed!'), { result: null, resultCode: 400, resultMsg: 'PARAM_ERROR:watcher existed!' });
    assert.equal(buildErrorEnvelope('CANNOT_DELETE_DEPLOYMENT').resultCode, ResultStat.CANNOT_DELETE_DEPLOYMENT);
    assert.equal(new DomeosApiError('USER_NOT_AUTHORIZED', 'password wrong').message, 'USER_NOT_AUTHORIZED:password wrong');
  });
});

describe('domeos stand-in: checkLegality', () => {
  test('a seeded cluster is legal', () => assert.equal(validateCluster(cluster), undefined));
  test('blank name, api, owner, etcd are refused', () => {
    assert.match(validateCluster({ ...cluster, name: ' ' }) ?? '', /name/);
    assert.match(validateCluster({ ...cluster, api: '' }) ?? '', /api/);
    assert.match(validateCluster({ ...cluster, ownerName: '' }) ?? '', /owner/);
    assert.match(validateCluster({ ...cluster, etcd: '' }) ?? '', /etcd/);
  });
  test('logConfig rules', () => {
    assert.match(validateCluster({ ...cluster, logConfig: 0, clusterLog: { kafka: 'k' } }) ?? '', /cannot be set/);
    assert.match(validateCluster({ ...cluster, logConfig: 1, clusterLog: null }) ?? '', /not legal/);
    assert.equal(validateCluster({ ...cluster, logConfig: 1, clusterLog: { kafka: 'k', zookeeper: 'z', imageName: 'i', imageTag: 't' } }), undefined);
  });
  test('watcher conf needs a DNS-1123 name and a container', () => {
    assert.match(validateWatcherConf({ name: 'Bad_Name', containerDrafts: [{ registry: 'r', image: 'i' }] }) ?? '', /DNS-1123/);
    assert.match(validateWatcherConf({ name: 'w', containerDrafts: [] }) ?? '', /empty/);
  });
});

describe('domeos stand-in: watcher life cycle', () => {
  const watcher = seed.deployments[0];
  test('the seed holds a running watcher with the old apiserver', () => {
    assert.equal(watcher?.state, 'RUNNING');
    assert.equal(seed.watchers['1'], watcher?.id);
    assert.ok(watcher?.version.containerDrafts[0]?.args?.includes('--apiserver=10.17.33.30:8080'));
  });
  test('stop is asynchronous: STOPPING until the delay has passed', () => {
    assert.ok(watcher !== undefined);
    const stopping = applyStop(watcher, 5000, 1500);
    assert.equal(stopping.state, 'STOPPING');
    assert.equal(computeDeploymentState(stopping, 6499).state, 'STOPPING');
    const stopped = computeDeploymentState(stopping, 6500);
    assert.equal(stopped.state, 'STOP');
    assert.equal(stopped.stopDoneAt, undefined);
    assert.equal(applyStop(stopping, 6000, 1500), stopping, 'stopping again changes nothing');
    assert.throws(() => applyStop(stopped, 7000, 1500), (e: DomeosApiError) => e.stat === 'DEPLOYMENT_STOP_FAILED');
  });
  test('delete is refused unless STOP', () => {
    assert.ok(watcher !== undefined);
    assert.throws(() => checkDeletable(watcher), (e: DomeosApiError) => e.stat === 'CANNOT_DELETE_DEPLOYMENT' && /RUNNING/.test(e.message));
    assert.doesNotThrow(() => checkDeletable({ ...watcher, state: 'STOP' }));
  });
  test('create overwrites args with the cluster api and starts as STOP; start → RUNNING', () => {
    const updated = { ...cluster, api: '10.17.33.20:8080' };
    const dep = buildWatcherDeployment({
      id: 9, cluster: updated, serverUrl: 'http://s:8080', now: 1,
      conf: { name: 'w2', containerDrafts: [{ registry: 'https://pub.domeos.org', image: 'kube_event_watcher', tag: 'v0.1.0', cpu: 0, mem: 0, args: ['--x'] }] },
    });
    assert.equal(dep.state, 'STOP');
    assert.equal(dep.namespace, 'default');
    assert.equal(dep.hostEnv, 'PROD');
    assert.deepEqual(dep.version.containerDrafts[0]?.args, buildWatcherArgs(updated, 'http://s:8080'));
    assert.deepEqual(buildWatcherArgs(updated, 'http://s:8080'), ['--apiserver=10.17.33.20:8080', '--in-cluster=false', '--port=8080', '--clusterId=1', '--domeosServer=http://s:8080/api/k8sevent/report']);
    assert.equal(applyStart(dep, 1).state, 'RUNNING');
    assert.throws(() => applyStart(dep, 2), (e: DomeosApiError) => e.stat === 'PARAM_ERROR');
    assert.throws(() => buildWatcherDeployment({ id: 9, cluster, serverUrl: '', now: 1, conf: { name: 'w', containerDrafts: [{ registry: 'r', image: 'i' }] } }), /global configuration/);
  });
});

describe('domeos stand-in: flags and sessions', () => {
  test('flags', () => {
    const { options } = parseDomeosServerFlags(['--state-file', '/tmp/s.json', '--listen=127.29.0.10:8080', '--watcher-stop-ms', '3000', '--no-watcher']);
    assert.equal(options?.host, '127.29.0.10');
    assert.equal(options?.port, 8080);
    assert.equal(options?.watcherStopMs, 3000);
    assert.equal(options?.sessionTtlMs, 1_800_000);
    assert.equal(options?.withWatcher, false);
    assert.equal(options?.serverUrl, 'http://127.29.0.10:8080');
    assert.deepEqual(parseDomeosServerFlags(['--listen', 'x']).errors, ['--state-file is required', '--listen "x" is not ADDR:PORT']);
  });
  test('sessions expire after the ttl without use', () => {
    let now = 0;
    const store = new SessionStore(100, () => now);
    const id = store.create('admin');
    now = 99;
    assert.equal(store.touch(id), 'admin');
    now = 198;
    assert.equal(store.touch(id), 'admin', 'use extends the session');
    now = 298;
    assert.equal(store.touch(id), undefined);
    assert.equal(parseCookie('a=1; JSESSIONID=ABC', 'JSESSIONID'), 'ABC');
  });
});
