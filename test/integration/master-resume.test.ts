/**
 * Issue 3: ferry killed in the middle of the node rollout (SIGKILL by FERRY_FAULT right after the third node's
 * action), then `ferry resume` in a new process finishes the remaining nodes without redoing the finished ones,
 * and every node ends Ready on the new master.
 *
 * Addresses: 127.26.3.x (old etcd .31–.33, new .21–.23, old master .30, new master .20, 8 nodes .39–.46).
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { resolveRunsDir } from '../../src/home.ts';
import { ExitCode } from '../../src/errors.ts';
import type { JournalEvent } from '../../src/run/events.ts';
import { foldJournal } from '../../src/run/fold.ts';
import { assertNodesReady, startMasterLab } from '../helpers/master-lab.ts';
import { describeCliRun, processesOf, readEvents, runFerryCli } from '../helpers/migration.ts';

const PREFIX = '127.26.3';
const STEP = 'nodes.repoint';
const fixtureDirs: string[] = [];

after(() => {
  for (const d of fixtureDirs) assert.deepEqual(processesOf(d), [], `no process left behind by ${d}`);
});

function nodeActions(events: readonly JournalEvent[], type: string): string[] {
  return events.filter((e) => e.type === type && 'stepId' in e && e.stepId === STEP && 'action' in e && typeof e.action === 'string' && e.action.startsWith('node:')).map((e) => (e as { action: string }).action);
}

test('killed mid-rollout, ferry resume finishes the remaining nodes and redoes none', { timeout: 420_000 }, async (t) => {
  const lab = await startMasterLab(PREFIX, { nodes: 8, extra: { rollout: { canary: 1, batchSize: 3, concurrency: 1 } } });
  fixtureDirs.push(lab.dir);
  try {
    const third = lab.nodes[2] as (typeof lab.nodes)[number];
    const fault = `kill-after:node:${third.name}@${STEP}`;
    const killed = await runFerryCli(['apply', '-f', lab.inventoryPath, '--yes'], { ...lab.env, FERRY_FAULT: fault });
    assert.equal(killed.timedOut, false, 'the killed apply did not run into the time limit');
    assert.equal(killed.signal, 'SIGKILL', `ferry apply with FERRY_FAULT=${fault} dies by SIGKILL (code ${killed.code}): ${describeCliRun(killed)}`);

    const runIds = readdirSync(resolveRunsDir(lab.env));
    assert.equal(runIds.length, 1);
    const runDir = join(resolveRunsDir(lab.env), runIds[0] as string);
    const before = readEvents(runDir);
    const doneBefore = nodeActions(before, 'action-finished');
    // canary 1, then batches of 3 at concurrency 1: the kill comes after the third node, in inventory order.
    assert.deepEqual(doneBefore, lab.nodes.slice(0, 3).map((n) => `node:${n.name}`), 'the first three nodes were done before the kill');
    assert.equal(foldJournal(before).runState, 'interrupted');

    const started = performance.now();
    const resumed = await runFerryCli(['resume', '--yes'], lab.env);
    t.diagnostic(`resume took ${Math.round(performance.now() - started)} ms`);
    assert.equal(resumed.code, ExitCode.ok, `ferry resume exits 0: ${describeCliRun(resumed)}`);

    const events = readEvents(runDir);
    assert.equal(foldJournal(events).runState, 'done');
    let i = events.length - 1;
    while (i >= 0 && events[i]?.type !== 'process-attached') i--;
    assert.ok(i > 0, 'the resume attached to the run');
    const afterResume = events.slice(i + 1);
    const startedAgain = nodeActions(afterResume, 'action-started');
    for (const d of doneBefore) assert.ok(!startedAgain.includes(d), `${d} was not done again (resumed: ${startedAgain.join(', ')})`);
    assert.deepEqual(nodeActions(afterResume, 'action-finished').sort(), lab.nodes.slice(3).map((n) => `node:${n.name}`).sort(), 'the resume did the remaining nodes');
    await assertNodesReady(lab.newMaster, lab.nodes.map((n) => n.name));
  } finally {
    await lab.cleanup();
  }
});
