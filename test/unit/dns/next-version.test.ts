import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { stringify } from 'yaml';
import { FerryError } from '../../../src/errors.ts';
import {
  buildNextController,
  buildServiceSelectorWithoutVersion,
  buildUpdatedDeployment,
  computeBaseName,
  computeNextVersion,
} from '../../../src/dns/next-version.ts';
import type { ReplicationController } from '../../../src/kube/objects.ts';
import { NEW_MACHINES, RUNBOOK_TARGETS, load2016, loadDeploymentVariant, loadRunbookSample } from './fixtures.ts';

function code(c: string): (err: unknown) => boolean {
  return (err) => err instanceof FerryError && err.code === c;
}

/** Sets the fields phase 6 changes back to the old RC's values, so the rest can be deep-compared. */
function revertRcChanges(next: ReplicationController, old: ReplicationController, args: string[]): ReplicationController {
  const r = structuredClone(next);
  const o = old as Required<ReplicationController>;
  r.metadata!.name = o.metadata.name;
  r.metadata!.labels!.version = o.metadata.labels!.version!;
  r.spec!.selector!.version = o.spec.selector!.version!;
  r.spec!.template!.metadata!.labels!.version = o.spec.template!.metadata!.labels!.version!;
  r.spec!.template!.spec!.containers![0]!.args = args;
  return r;
}

describe('computeNextVersion', () => {
  test('increments the trailing number and keeps the prefix', () => {
    assert.equal(computeNextVersion('v9'), 'v10');
    assert.equal(computeNextVersion('v10'), 'v11');
    assert.equal(computeNextVersion('1'), '2');
    assert.equal(computeNextVersion('v1.2'), 'v1.3');
    assert.equal(computeNextVersion('v099'), 'v100');
  });
  test('a missing version counts as the first: next is v2', () => {
    assert.equal(computeNextVersion(undefined), 'v2');
    assert.equal(computeNextVersion(''), 'v2');
  });
  test('refuses a version without a trailing number', () => {
    assert.throws(() => computeNextVersion('beta'), code('DNS_VERSION_UNPARSEABLE'));
  });
  test('computeBaseName drops a trailing -vN only', () => {
    assert.equal(computeBaseName('skydns'), 'skydns');
    assert.equal(computeBaseName('skydns-v10'), 'skydns');
    assert.equal(computeBaseName('kube2sky-v9'), 'kube2sky');
    assert.equal(computeBaseName('my-v2-dns'), 'my-v2-dns');
  });
});

describe('buildServiceSelectorWithoutVersion', () => {
  test('2016 skydns-svc: drops spec.selector.version, keeps everything else', () => {
    const { service } = load2016();
    const out = buildServiceSelectorWithoutVersion(service);
    assert.equal(out.changed, true);
    assert.deepEqual(out.service.spec?.selector, { app: 'skydns' });
    // metadata.labels.version is the service's own label, not its selector: kept.
    assert.equal(out.service.metadata?.labels?.version, 'v9');
    const back = structuredClone(out.service);
    back.spec!.selector!.version = 'v9';
    assert.deepEqual(back, load2016().service);
    assert.deepEqual(service, load2016().service, 'input not mutated');
  });
  test('already without version (second run, or the later dns.yaml): unchanged', () => {
    const once = buildServiceSelectorWithoutVersion(load2016().service).service;
    assert.deepEqual(buildServiceSelectorWithoutVersion(once), { service: once, changed: false });
    const later = loadDeploymentVariant().service;
    assert.deepEqual(buildServiceSelectorWithoutVersion(later), { service: later, changed: false });
  });
});

describe('buildNextController on the 2016 dns.yaml (v9 → v10)', () => {
  test('skydns → skydns-v10 with --machines = all new etcd members', () => {
    const { skydns } = load2016();
    const next = buildNextController(skydns, RUNBOOK_TARGETS);
    assert.equal(next.metadata?.name, 'skydns-v10');
    assert.deepEqual(next.metadata?.labels, { app: 'skydns', version: 'v10' });
    assert.deepEqual(next.spec?.selector, { app: 'skydns', version: 'v10' });
    assert.deepEqual(next.spec?.template?.metadata?.labels, { app: 'skydns', version: 'v10' });
    const args = next.spec?.template?.spec?.containers?.[0]?.args;
    assert.deepEqual(args, [`--machines=${NEW_MACHINES}`, '--domain=domeos.local', '--addr=0.0.0.0:53', '--nameservers=8.8.8.8:53']);
    const old = load2016().skydns;
    assert.deepEqual(revertRcChanges(next, old, old.spec!.template!.spec!.containers![0]!.args!), old);
    assert.deepEqual(skydns, load2016().skydns, 'input not mutated');
  });

  test('kube2sky → kube2sky-v10: one --etcd-server (one of --machines) and the new master', () => {
    const { kube2sky, skydns } = load2016();
    const next = buildNextController(kube2sky, RUNBOOK_TARGETS);
    assert.equal(next.metadata?.name, 'kube2sky-v10');
    assert.deepEqual(next.spec?.selector, { app: 'kube2sky', version: 'v10' });
    assert.deepEqual(next.spec?.template?.metadata?.labels, { app: 'kube2sky', version: 'v10' });
    const args = next.spec?.template?.spec?.containers?.[0]?.args ?? [];
    assert.deepEqual(args, ['--etcd-server=http://10.17.33.21:4012', '--domain=domeos.local', '--kube_master_url=http://10.17.33.20:8080']);
    const machines = buildNextController(skydns, RUNBOOK_TARGETS).spec?.template?.spec?.containers?.[0]?.args?.[0] ?? '';
    const server = (args[0] ?? '').slice('--etcd-server='.length);
    assert.ok(machines.slice('--machines='.length).split(',').includes(server));
    const old = load2016().kube2sky;
    assert.deepEqual(revertRcChanges(next, old, old.spec!.template!.spec!.containers![0]!.args!), old);
  });

  test('with the runbook sample endpoints it yields exactly the runbook skydns-v10.yaml (but its nameservers)', () => {
    const next = buildNextController(load2016().skydns, {
      etcd: ['http://192.168.56.104:4012', 'http://192.168.56.105:4012', '192.168.56.106:4012'],
      master: 'http://192.168.56.100:8080',
    });
    const sample = loadRunbookSample();
    sample.spec!.template!.spec!.containers![0]!.args![3] = '--nameservers=8.8.8.8:53';
    assert.deepEqual(next, sample);
    // Same key order too: rendered back to YAML, the two are byte-for-byte equal.
    assert.equal(stringify(next), stringify(sample));
  });

  test('the runbook sample skydns-v10 → skydns-v11', () => {
    const next = buildNextController(loadRunbookSample(), RUNBOOK_TARGETS);
    assert.equal(next.metadata?.name, 'skydns-v11');
    assert.equal(next.metadata?.labels?.version, 'v11');
    assert.equal(next.spec?.selector?.version, 'v11');
    assert.equal(next.spec?.template?.metadata?.labels?.version, 'v11');
    const args = next.spec?.template?.spec?.containers?.[0]?.args ?? [];
    assert.deepEqual(args, [`--machines=${NEW_MACHINES}`, '--domain=domeos.local', '--addr=0.0.0.0:53', '--nameservers=10.2.166.105:53,10.1.34.101:53']);
    const old = loadRunbookSample();
    assert.deepEqual(revertRcChanges(next, old, old.spec!.template!.spec!.containers![0]!.args!), old);
  });

  test('metadata.labels.version is not added when absent; server-set fields and status are dropped', () => {
    const rc = load2016().skydns;
    delete rc.metadata!.labels!.version;
    Object.assign(rc.metadata!, { resourceVersion: '123', uid: 'u-1', creationTimestamp: '2016-06-20T00:00:00Z', selfLink: '/x' });
    rc.status = { replicas: 1 };
    const next = buildNextController(rc, RUNBOOK_TARGETS);
    assert.deepEqual(next.metadata, { name: 'skydns-v10', labels: { app: 'skydns' } });
    assert.equal('status' in next, false);
  });
});

describe('buildNextController refusals', () => {
  test('an RC without containers', () => {
    const rc = load2016().skydns;
    rc.spec!.template!.spec!.containers = [];
    assert.throws(() => buildNextController(rc, RUNBOOK_TARGETS), code('DNS_NO_CONTAINERS'));
    delete rc.spec!.template!.spec;
    assert.throws(() => buildNextController(rc, RUNBOOK_TARGETS), code('DNS_NO_CONTAINERS'));
  });
  test('an empty etcd list (--machines would be empty)', () => {
    assert.throws(() => buildNextController(load2016().skydns, { etcd: [], master: '10.17.33.20:8080' }), code('DNS_ETCD_EMPTY'));
  });
  test('an RC with none of the address flags', () => {
    const rc = load2016().skydns;
    rc.spec!.template!.spec!.containers![0]!.args = ['--domain=domeos.local'];
    assert.throws(() => buildNextController(rc, RUNBOOK_TARGETS), code('DNS_NO_ADDRESS_FLAGS'));
  });
  test('a selector without version (kubectl rolling-update would refuse the new RC)', () => {
    const rc = load2016().skydns;
    delete rc.spec!.selector!.version;
    assert.throws(() => buildNextController(rc, RUNBOOK_TARGETS), code('DNS_SELECTOR_NO_VERSION'));
  });
  test('a Deployment', () => {
    const dep = loadDeploymentVariant().skydns as ReplicationController;
    assert.throws(() => buildNextController(dep, RUNBOOK_TARGETS), code('DNS_NOT_RC'));
  });
});

describe('buildUpdatedDeployment on the later dns.yaml', () => {
  test('skydns Deployment: in place, --machines rewritten, --path-prefix kept', () => {
    const { skydns } = loadDeploymentVariant();
    const { deployment, changes } = buildUpdatedDeployment(skydns, RUNBOOK_TARGETS);
    const args = deployment.spec?.template?.spec?.containers?.[0]?.args;
    assert.deepEqual(args, [`--machines=${NEW_MACHINES}`, '--domain=domeos.local', '--addr=0.0.0.0:53', '--nameservers=8.8.8.8:53', '--path-prefix=prefix/skydns']);
    assert.deepEqual(changes, [{ flag: 'machines', index: 0, from: 'http://0.0.0.1:4012,http://0.0.0.2:4012,http://0.0.0.3:4012', to: NEW_MACHINES }]);
    const back = structuredClone(deployment);
    back.spec!.template!.spec!.containers![0]!.args = loadDeploymentVariant().skydns.spec!.template!.spec!.containers![0]!.args!;
    assert.deepEqual(back, loadDeploymentVariant().skydns, 'name, labels, selector and the rest unchanged');
    assert.deepEqual(skydns, loadDeploymentVariant().skydns, 'input not mutated');
  });
  test('kube2sky 0.8 Deployment: --etcd_servers = all, --kube_master_url = new master, --etcd_prefix kept', () => {
    const { kube2sky } = loadDeploymentVariant();
    const { deployment } = buildUpdatedDeployment(kube2sky, { etcd: RUNBOOK_TARGETS.etcd, master: 'http://10.17.33.20:8080/' });
    const args = deployment.spec?.template?.spec?.containers?.[0]?.args;
    assert.deepEqual(args, [`--etcd_servers=${NEW_MACHINES}`, '--domain=domeos.local', '--kube_master_url=http://10.17.33.20:8080', '--etcd_prefix=prefix/skydns']);
    const back = structuredClone(deployment);
    back.spec!.template!.spec!.containers![0]!.args = loadDeploymentVariant().kube2sky.spec!.template!.spec!.containers![0]!.args!;
    assert.deepEqual(back, loadDeploymentVariant().kube2sky);
  });
  test('a second run changes nothing; an RC is refused', () => {
    const once = buildUpdatedDeployment(loadDeploymentVariant().kube2sky, RUNBOOK_TARGETS).deployment;
    const twice = buildUpdatedDeployment(once, RUNBOOK_TARGETS);
    assert.deepEqual(twice, { deployment: once, changes: [] });
    assert.throws(() => buildUpdatedDeployment(load2016().skydns as never, RUNBOOK_TARGETS), code('DNS_NOT_DEPLOYMENT'));
  });
});
