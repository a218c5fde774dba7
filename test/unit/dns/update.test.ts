import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FerryError } from '../../../src/errors.ts';
import { buildFreshObject } from '../../../src/adapters/dns-backup.ts';
import type { ReplicationController } from '../../../src/kube/objects.ts';
import type { GateCheck } from '../../../src/gate-check.ts';
import { dnsUpdateHandler as h } from '../../../src/steps/dns/update.ts';
import { DNS_IP, FakeCluster, Killed, dnsStep, makeContext, type Recorded } from './fake-cluster.ts';

const NEW = 'http://10.17.33.21:4012,http://10.17.33.22:4012,http://10.17.33.23:4012';
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function runDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'ferry-dns-'));
  dirs.push(d);
  return d;
}

function code(c: string): (err: unknown) => boolean {
  return (err) => {
    assert.ok(err instanceof FerryError, String(err));
    assert.equal(err.code, c, err.message);
    return true;
  };
}

function argsOf(rc: ReplicationController | undefined): string[] {
  return rc?.spec?.template?.spec?.containers?.[0]?.args ?? [];
}

/** The cluster after a finished update: v10 controllers on the new etcd and master, selector without version. */
function assertUpdated(c: FakeCluster): void {
  assert.deepEqual([...c.rcs.keys()].sort(), ['kube2sky-v10', 'skydns-v10']);
  const k = c.rcs.get('kube2sky-v10');
  const s = c.rcs.get('skydns-v10');
  assert.deepEqual(argsOf(k), ['--etcd-server=http://10.17.33.21:4012', '--domain=domeos.local', '--kube_master_url=http://10.17.33.20:8080']);
  assert.deepEqual(argsOf(s), [`--machines=${NEW}`, '--domain=domeos.local', '--addr=0.0.0.0:53', '--nameservers=8.8.8.8:53']);
  assert.deepEqual(s?.spec?.selector, { app: 'skydns', version: 'v10' });
  assert.equal(s?.spec?.template?.metadata?.labels?.['version'], 'v10');
  assert.equal(s?.spec?.replicas, 1);
  assert.deepEqual(c.services.get('skydns-svc')?.spec?.selector, { app: 'skydns' });
  assert.deepEqual(c.violations, [], 'the DNS kept answering');
}

/** The cluster as the backup had it (v9 controllers, selector with version). */
function assertRestored(c: FakeCluster, before: Map<string, ReplicationController>): void {
  assert.deepEqual([...c.rcs.keys()].sort(), ['kube2sky', 'skydns']);
  for (const [name, rc] of before) {
    const live = c.rcs.get(name) as ReplicationController;
    assert.deepEqual(buildFreshObject(live), buildFreshObject(rc), `${name} as it was`);
  }
  assert.deepEqual(c.services.get('skydns-svc')?.spec?.selector, { app: 'skydns', version: 'v9' });
  assert.deepEqual(c.violations, [], 'the DNS kept answering');
  const live = [...c.pods.values()].map((p) => p.metadata?.labels?.['version']);
  assert.ok(live.every((v) => v === 'v9'), `only v9 pods left: ${JSON.stringify(live)}`);
}

async function runAll(c: FakeCluster, dir: string, journal: Recorded[] = [], gates: { ok: boolean; checks: readonly GateCheck[] }[] = []): Promise<void> {
  const step = dnsStep();
  const ctx = makeContext(c, dir, { journal, gates });
  if (journal.length === 0) await h.precheck(step, ctx);
  await h.apply(step, ctx);
  await h.verify(step, ctx);
}

describe('dns.update on ReplicationControllers (dns.yaml 2016)', () => {
  test('a full update: backup, selector without version, kube2sky then skydns rolled one pod at a time, gate passed', async () => {
    const c = FakeCluster.dns2016();
    const dir = runDir();
    const gates: { ok: boolean; checks: readonly GateCheck[] }[] = [];
    const journal: Recorded[] = [];
    await runAll(c, dir, journal, gates);
    assertUpdated(c);
    assert.deepEqual(c.log, [
      'replace service skydns-svc selector={"app":"skydns"}',
      'create rc kube2sky-v10 replicas=0',
      'scale kube2sky-v10 1',
      'scale kube2sky 0',
      'delete rc kube2sky',
      'create rc skydns-v10 replicas=0',
      'scale skydns-v10 1',
      'scale skydns 0',
      'delete rc skydns',
    ]);
    assert.equal(gates.length, 1);
    assert.equal(gates[0]?.ok, true, JSON.stringify(gates));
    assert.ok(gates[0]?.checks.some((g) => g.name === `kubernetes.default.svc.domeos.local answers through ${DNS_IP}` && g.ok));
    // The backup: the objects as they were, plus the index; never written twice.
    for (const f of ['index.json', 'service.skydns-svc.json', 'rc.kube2sky.json', 'rc.skydns.json']) assert.ok(existsSync(join(dir, 'dns-backup', f)), f);
    const saved = JSON.parse(readFileSync(join(dir, 'dns-backup', 'rc.skydns.json'), 'utf8')) as ReplicationController;
    assert.equal(saved.spec?.selector?.['version'], 'v9');
    assert.ok(journal.some((j) => j.type === 'finished' && j.name === 'dns-before' && j.result?.['answered'] === true));
  });

  test('apply again after it finished changes nothing; a new run finds the v10 controllers up to date', async () => {
    const c = FakeCluster.dns2016();
    const dir = runDir();
    const journal: Recorded[] = [];
    await runAll(c, dir, journal);
    c.log.length = 0;
    await runAll(c, dir, journal);
    assert.deepEqual(c.log, []);
    await runAll(c, runDir());
    assert.deepEqual(c.log, [], 'a second migration to the same targets rolls nothing');
    assertUpdated(c);
  });

  test('no `version` in the service selector: the service is left alone', async () => {
    const c = FakeCluster.dns2016();
    const svc = c.services.get('skydns-svc');
    svc!.spec!.selector = { app: 'skydns' };
    const journal: Recorded[] = [];
    await runAll(c, runDir(), journal);
    assert.ok(!c.log.some((l) => l.startsWith('replace service')), c.log.join('\n'));
    assert.ok(journal.some((j) => j.type === 'skipped' && j.name === 'service-selector'));
    assertUpdated(c);
  });

  test('a controller with 3 replicas: at no time fewer than 3 pods Ready, new pod Ready before each old one goes', async () => {
    const c = FakeCluster.dns2016();
    c.rcs.get('skydns')!.spec!.replicas = 3;
    for (let i = 0; i < 10; i++) c.advance();
    c.log.length = 0;
    await runAll(c, runDir());
    assert.deepEqual(
      c.log.filter((l) => l.includes('skydns') && !l.includes('service')),
      ['create rc skydns-v10 replicas=0', 'scale skydns-v10 1', 'scale skydns 2', 'scale skydns-v10 2', 'scale skydns 1', 'scale skydns-v10 3', 'scale skydns 0', 'delete rc skydns'],
    );
    assert.equal(c.rcs.get('skydns-v10')?.spec?.replicas, 3);
    assert.deepEqual(c.violations, []);
  });

  test('endpoints that lag: an old pod goes only once the new one is listed in the endpoints', async () => {
    const c = FakeCluster.dns2016({ endpointsLagTicks: 4 });
    await runAll(c, runDir());
    assertUpdated(c);
  });

  test('resumes after a kill at any action (before or after its effect), and the backup stays the first one', async () => {
    const full: Recorded[] = [];
    await runAll(FakeCluster.dns2016(), runDir(), full);
    const total = full.filter((j) => j.type === 'started').length;
    assert.ok(total >= 10, `${total} actions`);
    for (let n = 1; n <= total; n++) {
      for (const when of ['before', 'after'] as const) {
        // Endpoints that lag: a resumed run, too, lets the new pods serve before the old ones go.
        const c = FakeCluster.dns2016({ endpointsLagTicks: 3 });
        const dir = runDir();
        const journal: Recorded[] = [];
        const step = dnsStep();
        const first = makeContext(c, dir, { journal, killAt: { n, when } });
        await h.precheck(step, first);
        await assert.rejects(async () => {
          await h.apply(step, first);
          await h.verify(step, first);
        }, Killed, `kill ${when} action ${n}`);
        await runAll(c, dir, journal);
        assertUpdated(c);
        const saved = JSON.parse(readFileSync(join(dir, 'dns-backup', 'rc.kube2sky.json'), 'utf8')) as ReplicationController;
        assert.equal(saved.metadata?.name, 'kube2sky', `kill ${when} ${n}: the backup is of the first state`);
      }
    }
  });

  test('new pods never Ready (the image cannot be pulled): apply fails with the reason; rollback restores the old objects', async () => {
    // The old RC's template names an image the registry no longer has; its running pods were pulled long ago.
    const c = FakeCluster.dns2016({ badImages: { 'pub.domeos.org/domeos/skydns:gone': 'ErrImagePull' } });
    c.rcs.get('skydns')!.spec!.template!.spec!.containers![0]!.image = 'pub.domeos.org/domeos/skydns:gone';
    const before = new Map([...c.rcs].map(([k, v]) => [k, structuredClone(v)]));
    const dir = runDir();
    const step = dnsStep();
    const notes: string[] = [];
    const ctx = makeContext(c, dir, { notes });
    await h.precheck(step, ctx);
    await assert.rejects(h.apply(step, ctx), code('DNS_POD_IMAGE_PULL'));
    assert.ok(c.rcs.has('kube2sky-v10') && c.rcs.has('skydns-v10') && c.rcs.has('skydns'), 'kube2sky rolled, skydns stuck');
    await h.rollback(step, ctx);
    assertRestored(c, before);
    assert.ok(notes.some((n) => n.startsWith('DNS answers again')), notes.join('\n'));
    // Idempotent: a second rollback finds everything in place.
    c.log.length = 0;
    await h.rollback(step, ctx);
    assert.deepEqual(c.log, []);
  });

  test('rollback restores the backed-up objects from the state a kill left at any action', async () => {
    const full: Recorded[] = [];
    await runAll(FakeCluster.dns2016(), runDir(), full);
    const total = full.filter((j) => j.type === 'started').length;
    for (let n = 1; n <= total; n++) {
      const c = FakeCluster.dns2016({ endpointsLagTicks: 3 });
      const before = new Map([...c.rcs].map(([k, v]) => [k, structuredClone(v)]));
      const dir = runDir();
      const journal: Recorded[] = [];
      const step = dnsStep();
      await assert.rejects(h.apply(step, makeContext(c, dir, { journal, killAt: { n, when: 'after' } })), Killed);
      await h.rollback(step, makeContext(c, dir, { journal }));
      assertRestored(c, before);
    }
  });

  test('rollback of a finished update brings v9 back', async () => {
    const c = FakeCluster.dns2016();
    const before = new Map([...c.rcs].map(([k, v]) => [k, structuredClone(v)]));
    const dir = runDir();
    const journal: Recorded[] = [];
    await runAll(c, dir, journal);
    await h.rollback(dnsStep(), makeContext(c, dir, { journal }));
    assertRestored(c, before);
  });

  test('rollback without a backup changes nothing', async () => {
    const c = FakeCluster.dns2016();
    const notes: string[] = [];
    await h.rollback(dnsStep(), makeContext(c, runDir(), { notes }));
    assert.deepEqual(c.log, []);
    assert.match(notes.join('\n'), /nothing was changed/);
  });
});

describe('dns.update prechecks refuse, touching nothing', () => {
  const cases: [string, (c: FakeCluster) => void, Partial<ReturnType<typeof dnsStep>['params']>, string][] = [
    ['service missing', (c) => c.services.delete('skydns-svc'), {}, 'DNS_SERVICE_MISSING'],
    ['controller missing', (c) => c.rcs.delete('kube2sky'), {}, 'DNS_CONTROLLER_MISSING'],
    ['half-done earlier rolling update', (c) => c.rcs.set('skydns-v10', structuredClone(c.rcs.get('skydns') as ReplicationController)), {}, 'DNS_CONTROLLER_AMBIGUOUS'],
    ['no etcd given', () => undefined, { etcd: [] }, 'DNS_ETCD_EMPTY'],
    ['RC without version in its selector', (c) => delete c.rcs.get('skydns')!.spec!.selector!['version'], {}, 'DNS_SELECTOR_NO_VERSION'],
    ['headless service', (c) => (c.services.get('skydns-svc')!.spec!['clusterIP'] = 'None'), {}, 'DNS_SERVICE_NO_CLUSTER_IP'],
  ];
  for (const [name, mutate, params, want] of cases) {
    test(name, async () => {
      const c = FakeCluster.dns2016();
      mutate(c);
      const dir = runDir();
      await assert.rejects(h.precheck(dnsStep(params), makeContext(c, dir)), code(want));
      assert.deepEqual(c.log, []);
      assert.equal(existsSync(join(dir, 'dns-backup')), false);
    });
  }
});

describe('dns.update on Deployments (the later DomeOS variant)', () => {
  test('each Deployment gets the new args in place, rolled one new pod before one old; rollback brings the old template back', async () => {
    const c = FakeCluster.dnsDeployments();
    const beforeSkydns = structuredClone(c.deployments.get('skydns'));
    const dir = runDir();
    const journal: Recorded[] = [];
    const gates: { ok: boolean; checks: readonly GateCheck[] }[] = [];
    await runAll(c, dir, journal, gates);
    assert.equal(gates[0]?.ok, true, JSON.stringify(gates));
    const s = c.deployments.get('skydns');
    const k = c.deployments.get('kube2sky');
    assert.deepEqual(s?.spec?.template?.spec?.containers?.[0]?.args, [`--machines=${NEW}`, '--domain=domeos.local', '--addr=0.0.0.0:53', '--nameservers=8.8.8.8:53', '--path-prefix=prefix/skydns']);
    assert.deepEqual(k?.spec?.template?.spec?.containers?.[0]?.args, [`--etcd_servers=${NEW}`, '--domain=domeos.local', '--kube_master_url=http://10.17.33.20:8080', '--etcd_prefix=prefix/skydns']);
    assert.deepEqual(s?.spec?.['strategy'], { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } });
    assert.equal(s?.spec?.['minReadySeconds'], 5);
    assert.equal(s?.metadata?.name, 'skydns', 'a Deployment keeps its name');
    assert.deepEqual(c.log, ['replace deployment kube2sky', 'replace deployment skydns'], 'the service (no version) is left alone');
    assert.deepEqual(c.violations, []);
    await h.rollback(dnsStep(), makeContext(c, dir, { journal }));
    assert.deepEqual(c.deployments.get('skydns')?.spec?.template, beforeSkydns?.spec?.template);
    assert.equal(c.deployments.get('skydns')?.spec?.['strategy'], undefined, 'the strategy as it was (unset)');
    assert.equal(c.deployments.get('skydns')?.spec?.['minReadySeconds'], undefined, 'minReadySeconds as it was (unset)');
    assert.deepEqual(c.violations, []);
  });
});
