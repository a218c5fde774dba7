/**
 * `ferry restore-check` against a real cluster (the lab's etcd 3.4, seeded with v3 and v2 keys) and real scratch
 * members (Debian's etcd restoring the snapshot on 127.0.0.1):
 *   - a run's backup (snapshot + v2 dump) is verified, from the CLI, by the run's id alone;
 *   - a key written after the snapshot does not fail it (the live cluster is read at the snapshot's revision);
 *   - a backup without its v2 dump, of a cluster whose v2 store holds keys, is NOT verified, and says why;
 *   - a snapshot with one byte changed is NOT verified (etcd's own sha256 trailer);
 *   - a snapshot compared with a cluster compacted past its revision is NOT verified, and says so;
 *   - no scratch member is left behind.
 * Addresses: 127.50.7.x.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Etcd3 } from 'etcd3';
import { runRestoreCheck } from '../../src/app/restore-check.ts';
import { Journal } from '../../src/run/journal.ts';
import { startLabFixture, type LabFixture } from '../helpers/lab-fixture.ts';
import { clientURLs, openAdmin, processesOf, runFerryCli } from '../helpers/migration.ts';

describe('ferry restore-check', { timeout: 300_000 }, () => {
  let fixture: LabFixture | undefined;
  let snapshot = '';
  let v2Dump = '';
  const scratchLeft = () => readdirSync(tmpdir()).filter((d) => d.startsWith('ferry-restore-check-'));
  const before0 = new Set<string>();

  before(async () => {
    for (const d of scratchLeft()) before0.add(d);
    fixture = await startLabFixture('127.50.7', 3, 1);
    const admin = openAdmin(clientURLs(fixture, 'old'));
    try {
      const endpoint = clientURLs(fixture, 'old')[0] as string;
      snapshot = join(fixture.dir, 'backup.db');
      v2Dump = join(fixture.dir, 'backup-v2.json');
      await admin.saveSnapshot(endpoint, snapshot);
      assert.ok((await admin.saveV2Dump(endpoint, v2Dump)) !== undefined, 'the lab serves the v2 API');
    } finally {
      await admin.close();
    }
  });
  after(async () => {
    const dir = fixture?.dir;
    await fixture?.cleanup();
    if (dir !== undefined) assert.deepEqual(processesOf(dir), []);
  });

  const fx = (): LabFixture => {
    assert.ok(fixture !== undefined);
    return fixture;
  };
  const live = (f: LabFixture) => ({ admin: openAdmin(clientURLs(f, 'old')), endpoints: clientURLs(f, 'old') });
  const check = async (o: { snapshot: string; v2Dump?: string }) => {
    const l = live(fx());
    try {
      return await runRestoreCheck({ ...o, live: l, binDir: '/usr/bin', timeoutMs: 20_000 });
    } finally {
      await l.admin.close();
    }
  };

  test('a backup of both stores is verified, even after later writes (v3 is read at the snapshot’s revision)', async () => {
    const f = fx();
    const client = new Etcd3({ hosts: clientURLs(f, 'old') });
    try {
      await client.put('/registry/after-the-backup').value('x');
    } finally {
      client.close();
    }
    const r = await check({ snapshot, v2Dump });
    assert.equal(r.verified, true, JSON.stringify(r.checks, null, 1));
    assert.ok((r.restored?.v3Keys ?? 0) >= 49, JSON.stringify(r.restored));
    assert.equal(r.restored?.v2Keys, 1, 'the flannel network config');
    assert.match(r.checks.find((c) => c.name.startsWith('v3 keys match'))?.detail ?? '', /identical/);
  });

  test('without its v2 dump the backup is not verified: the live v2 store holds keys it would lose', async () => {
    const r = await check({ snapshot });
    assert.equal(r.verified, false);
    const v2 = r.checks.find((c) => c.name === 'v2 store backed up');
    assert.equal(v2?.ok, false);
    assert.match(v2?.detail ?? '', /holds 1 keys .* no v2 dump/);
  });

  test('a snapshot with one byte changed is not verified', async () => {
    const bad = join(fx().dir, 'bad.db');
    copyFileSync(snapshot, bad);
    const bytes = readFileSync(bad);
    const at = Math.floor(bytes.length / 2);
    bytes[at] = (bytes[at] ?? 0) ^ 0xff;
    writeFileSync(bad, bytes);
    const r = await check({ snapshot: bad, v2Dump });
    assert.equal(r.verified, false);
    assert.equal(r.checks[0]?.name, 'snapshot file intact');
    assert.equal(r.checks[0]?.ok, false);
    assert.match(r.checks[0]?.detail ?? '', /corrupt/);
  });

  test('the CLI checks a run’s backup by its id alone, and exits 1 when the live cluster has compacted past it', async () => {
    const f = fx();
    // A run folder holding this backup, as `ferry apply` leaves it (journal + inventory), without moving anything.
    const runs = join(f.home, 'runs', '20261207-000000-test');
    const snaps = join(runs, 'snapshots');
    await import('node:fs').then((fs) => fs.mkdirSync(snaps, { recursive: true }));
    copyFileSync(snapshot, join(snaps, 'etcd-before-1.db'));
    copyFileSync(v2Dump, join(snaps, 'etcd-v2-before-1.json'));
    const sha = async (p: string) => (await import('node:crypto')).createHash('sha256').update(readFileSync(p)).digest('hex');
    const journal = Journal.open(join(runs, 'journal.jsonl'));
    journal.append({ type: 'action-finished', stepId: 'etcd.snapshot', action: 'save-snapshot', result: { path: join(snaps, 'etcd-before-1.db'), sha256: await sha(snapshot) } });
    journal.append({ type: 'action-finished', stepId: 'etcd.snapshot', action: 'dump-v2-store', result: { path: join(snaps, 'etcd-v2-before-1.json'), sha256: await sha(v2Dump) } });
    journal.close();
    writeFileSync(join(runs, 'plan.json'), JSON.stringify({ kind: 'ferry-plan', formatVersion: 1, phases: [] }));
    writeFileSync(join(runs, 'inventory.json'), JSON.stringify(f.inventory));
    const ok = await runFerryCli(['restore-check', '--run', '20261207-000000-test'], f.env);
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    assert.match(ok.stdout, /snapshot is the one the run took/);
    assert.match(ok.stdout, /^verified/m);

    const client = new Etcd3({ hosts: clientURLs(f, 'old') });
    try {
      for (let i = 0; i < 5; i++) await client.put(`/registry/churn/${i}`).value(String(i));
      const rev = (await client.get('/registry/churn/4').exec()).header.revision;
      await client.kv.compact({ revision: rev, physical: true });
    } finally {
      client.close();
    }
    const compacted = await runFerryCli(['restore-check', '--run', '20261207-000000-test', '-o', 'json'], f.env);
    assert.equal(compacted.code, 1, compacted.stderr);
    const report = JSON.parse(compacted.stdout) as { verified: boolean; checks: { name: string; ok: boolean; detail: string }[] };
    assert.equal(report.verified, false);
    assert.match(report.checks.find((c) => !c.ok)?.detail ?? '', /compacted past revision/);
    assert.deepEqual(scratchLeft().filter((d) => !before0.has(d)), [], 'every scratch member folder is removed');
  });
});
