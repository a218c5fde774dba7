/**
 * The backup before the first change holds the v2 store too: a v3 snapshot holds none of its keys (flannel's
 * network, skydns' records), so the snapshot step dumps the whole v2 tree beside it. Checked against the live cluster
 * with plain HTTP reads of the v2 API after the migration: every key and value is in the dump. Real etcd 3.4 started
 * with --enable-v2 and seeded by the lab (v2 keys included). Addresses: 127.50.4.x.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { flattenV2, parseV2Answer, type V2Node } from '../../src/etcd/v2-store.ts';
import { foldJournal } from '../../src/run/fold.ts';
import { startLabFixture, type LabFixture } from '../helpers/lab-fixture.ts';
import { applyInProcess, planFor, processesOf, readEvents, withDeps } from '../helpers/migration.ts';

describe('the v2 store in the backup', { timeout: 300_000 }, () => {
  let fixture: LabFixture;
  before(async () => {
    fixture = await startLabFixture('127.50.4', 1, 1);
  });
  after(async () => {
    await fixture.cleanup();
    assert.deepEqual(processesOf(fixture.dir), []);
  });

  test('the snapshot step dumps every v2 key with its value, and its gate names the dump', async () => {
    const r = await withDeps(fixture, async (deps) => applyInProcess(fixture, deps, await planFor(fixture, deps)));
    assert.equal(r.outcome.runState, 'done', JSON.stringify(r.outcome));
    const events = readEvents(r.runDir);
    const dump = foldJournal(events).steps.get('etcd.snapshot')?.actions.find((a) => a.action === 'dump-v2-store');
    assert.equal(dump?.status, 'finished', JSON.stringify(dump));
    const result = dump?.result ?? {};
    assert.equal(typeof result['path'], 'string', JSON.stringify(result));
    const file = JSON.parse(readFileSync(String(result['path']), 'utf8')) as { kind: string; index: string; root: V2Node };
    assert.equal(file.kind, 'ferry-etcd-v2-dump');
    const dumped = flattenV2(file.root);
    assert.ok(dumped.has('/flannel/network/config'), `flannel's network config is in the dump: ${[...dumped.keys()].join(', ')}`);
    assert.equal(Number(result['keys']), dumped.size);

    const newURL = fixture.inventory.etcd.new[0]?.clientURL ?? '';
    const live = await fetch(`${newURL}/v2/keys/?recursive=true&quorum=true`).then(async (res) => parseV2Answer(await res.json()));
    assert.ok(live !== undefined);
    assert.deepEqual([...flattenV2(live).entries()].sort(), [...dumped.entries()].sort(), 'the dump holds exactly the v2 keys and values the cluster holds');
    const gate = events.find((e) => e.type === 'gate' && e.stepId === 'etcd.snapshot');
    assert.ok(gate?.type === 'gate' && gate.ok && gate.checks.some((c) => c.name === 'v2 store dumped' && c.ok && /keys in \d+ dirs at index/.test(c.detail)), JSON.stringify(gate));
  });
});
