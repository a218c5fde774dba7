import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FerryError } from '../../../src/errors.ts';
import { buildFreshObject, readDnsBackup, writeDnsBackup } from '../../../src/adapters/dns-backup.ts';
import { observeDns } from '../../../src/observe/dns.ts';
import { describeDnsUpdate } from '../../../src/plan/describe-dns.ts';
import { FakeCluster, dnsStep } from './fake-cluster.ts';
import { load2016 } from './fixtures.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('DNS backup files', () => {
  test('one file per object, the index last; read back equal; never overwritten', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ferry-dnsb-'));
    dirs.push(dir);
    const { service, skydns, kube2sky } = load2016();
    const backup = { apiserver: 'http://a:8080', namespace: 'default', service, controllers: [{ base: 'kube2sky', kind: 'ReplicationController' as const, object: kube2sky }, { base: 'skydns', kind: 'ReplicationController' as const, object: skydns }] };
    const files = writeDnsBackup(dir, backup);
    assert.deepEqual(files.map((f) => f.slice(dir.length + 1)), ['dns-backup/service.skydns-svc.json', 'dns-backup/rc.kube2sky.json', 'dns-backup/rc.skydns.json', 'dns-backup/index.json']);
    assert.deepEqual(readDnsBackup(dir), backup);
    assert.deepEqual(JSON.parse(readFileSync(join(dir, 'dns-backup', 'rc.skydns.json'), 'utf8')), skydns, 'each file is the object itself (kubectl create -f)');
    assert.throws(() => writeDnsBackup(dir, backup), (e) => e instanceof FerryError && e.code === 'DNS_BACKUP_EXISTS');
    // Without its index a backup does not count (it was being written when the process died).
    unlinkSync(join(dir, 'dns-backup', 'index.json'));
    assert.equal(readDnsBackup(dir), undefined);
    assert.equal(existsSync(join(dir, 'dns-backup', 'rc.skydns.json')), true);
  });

  test('a fresh object drops what the apiserver set', () => {
    const rc = { metadata: { name: 'x', resourceVersion: '5', uid: 'u', creationTimestamp: 't', labels: { a: 'b' } }, spec: { replicas: 1 }, status: { replicas: 1 } };
    assert.deepEqual(buildFreshObject(rc), { metadata: { name: 'x', labels: { a: 'b' } }, spec: { replicas: 1 } });
  });
});

describe('observeDns', () => {
  const dns = { namespace: 'default', service: 'skydns-svc', controllers: ['kube2sky', 'skydns'] };
  test('the 2016 add-on: selector with version, cluster IP, both RCs at v9', async () => {
    const o = await observeDns(FakeCluster.dns2016(), dns);
    assert.deepEqual(o, {
      serviceSelector: { app: 'skydns', version: 'v9' },
      clusterIP: '172.16.40.1',
      controllers: [
        { name: 'kube2sky', kind: 'ReplicationController', version: 'v9', replicas: 1 },
        { name: 'skydns', kind: 'ReplicationController', version: 'v9', replicas: 1 },
      ],
      missing: [],
    });
  });
  test('a rolled controller is found by base name; a missing service and controller are reported', async () => {
    const c = FakeCluster.dns2016();
    const rc = c.rcs.get('skydns')!;
    c.rcs.delete('skydns');
    c.rcs.set('skydns-v10', { ...rc, metadata: { ...rc.metadata, name: 'skydns-v10' }, spec: { ...rc.spec, selector: { app: 'skydns', version: 'v10' } } });
    c.rcs.delete('kube2sky');
    c.services.delete('skydns-svc');
    const o = await observeDns(c, dns);
    assert.equal(o.serviceSelector, undefined);
    assert.deepEqual(o.controllers, [{ name: 'skydns-v10', kind: 'ReplicationController', version: 'v10', replicas: 1 }]);
    assert.deepEqual(o.missing, ['kube2sky']);
  });
  test('the Deployment variant', async () => {
    const o = await observeDns(FakeCluster.dnsDeployments(), dns);
    assert.deepEqual(o.controllers.map((c) => `${c.kind} ${c.name}`), ['Deployment kube2sky', 'Deployment skydns']);
    assert.deepEqual(o.serviceSelector, { app: 'skydns' });
  });
});

describe('describeDnsUpdate', () => {
  const params = dnsStep().params;
  test('names the selector change, each controller old → new, the args, the checks and the undo', async () => {
    const w = describeDnsUpdate(params, await observeDns(FakeCluster.dns2016(), params));
    const text = [w.title, ...w.does, ...w.checks, ...w.undoes].join('\n');
    assert.match(text, /remove `version` from skydns-svc's selector \(app=skydns,version=v9 → app=skydns\)/);
    assert.match(text, /kube2sky → kube2sky-v10/);
    assert.match(text, /skydns → skydns-v10 \(1 replica\)/);
    assert.match(text, /--etcd-server=http:\/\/10\.17\.33\.21:4012 \(exactly one of them\)/);
    assert.match(text, /--kube_master_url=http:\/\/10\.17\.33\.20:8080/);
    assert.match(text, /dig @172\.16\.40\.1 kubernetes\.default\.svc\.domeos\.local/);
    assert.match(w.undoes.join('\n'), /selector restored/);
  });
  test('no version in the selector, Deployments, not observed, missing controllers', async () => {
    const dep = describeDnsUpdate(params, await observeDns(FakeCluster.dnsDeployments(), params));
    assert.match(dep.does.join('\n'), /has no `version`: left as it is/);
    assert.match(dep.does.join('\n'), /Deployment skydns: new args in its pod template/);
    assert.match(describeDnsUpdate(params, undefined).does.join('\n'), /not observed/);
    assert.match(describeDnsUpdate(params, { controllers: [], missing: ['kube2sky', 'skydns'] }).does.join('\n'), /kube2sky: not found on http:\/\/fake:8080: the step refuses/);
    // Bad targets do not make the planner throw: the step refuses them when it runs.
    assert.doesNotThrow(() => describeDnsUpdate({ ...params, etcd: [] }, undefined));
  });
});
