import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { buildWaves, renderRolloutTable, runRollout } from '../../../src/fleet/rollout.ts';

const nodes = Array.from({ length: 25 }, (_, i) => `n${String(i).padStart(2, '0')}`);
const policy = { canary: 1, batchSize: 10, concurrency: 4, maxFailures: 0 };

describe('rollout', () => {
  test('waves: the canary alone, then batches', () => {
    const w = buildWaves(nodes, policy);
    assert.deepEqual(w.map((x) => [x.phase, x.nodes.length]), [['canary', 1], ['batch', 10], ['batch', 10], ['batch', 4]]);
    assert.deepEqual(w.flatMap((x) => x.nodes), nodes);
  });

  test('every node once; concurrency never exceeds the bound; the canary runs alone', async () => {
    let running = 0;
    let peak = 0;
    const order: string[] = [];
    const r = await runRollout(nodes, policy, async (n) => {
      running++;
      peak = Math.max(peak, running);
      order.push(n);
      if (n === 'n00') assert.equal(running, 1);
      await new Promise((res) => setImmediate(res));
      running--;
      return { ok: true, detail: 'Ready' };
    });
    assert.equal(r.halted, false);
    assert.deepEqual([...order].sort(), nodes);
    assert.equal(order[0], 'n00');
    assert.ok(peak <= 4);
    assert.equal(r.outcomes.length, 25);
  });

  test('a failed canary halts before the fleet is touched', async () => {
    const touched: string[] = [];
    const r = await runRollout(nodes, { ...policy, maxFailures: 5 }, async (n) => {
      touched.push(n);
      return { ok: n !== 'n00', detail: n === 'n00' ? 'not Ready' : 'Ready' };
    });
    assert.equal(r.halted, true);
    assert.deepEqual(touched, ['n00']);
    assert.equal(r.notStarted.length, 24);
  });

  test('halts when failures exceed the budget: no new node starts', async () => {
    const touched: string[] = [];
    const r = await runRollout(nodes, { canary: 1, batchSize: 10, concurrency: 1, maxFailures: 1 }, async (n) => {
      touched.push(n);
      return { ok: !['n03', 'n05'].includes(n), detail: '' };
    });
    assert.equal(r.halted, true);
    assert.deepEqual(touched, ['n00', 'n01', 'n02', 'n03', 'n04', 'n05']);
    assert.equal(r.outcomes.filter((x) => !x.ok).length, 2);
  });

  test('a resumed rollout skips nodes already done', async () => {
    const touched: string[] = [];
    const r = await runRollout(nodes, policy, async (n) => {
      touched.push(n);
      return { ok: true, detail: '' };
    }, { alreadyDone: new Set(nodes.slice(0, 20)) });
    assert.deepEqual(touched.sort(), nodes.slice(20));
    assert.equal(r.outcomes.filter((x) => x.skipped).length, 20);
  });

  test('a throwing worker counts as a failed node', async () => {
    const r = await runRollout(['a', 'b'], { canary: 0, batchSize: 5, concurrency: 2, maxFailures: 5 }, async (n) => {
      if (n === 'a') throw new Error('ssh broke');
      return { ok: true, detail: '' };
    });
    assert.equal(r.outcomes.find((x) => x.node === 'a')?.ok, false);
    assert.match(renderRolloutTable(r), /a\s+FAILED.*ssh broke/);
  });

  test('progress reports done, failed and running', async () => {
    const seen: number[] = [];
    await runRollout(['a', 'b', 'c'], { canary: 1, batchSize: 5, concurrency: 2, maxFailures: 5 }, async () => ({ ok: true, detail: '' }), {
      onProgress: (p) => seen.push(p.done),
    });
    assert.equal(seen.at(-1), 3);
  });
});
