/**
 * Issue 6 §1, crash and resume: ONE lab (3 old + 3 new etcd, old and new master, 2 nodes, cluster DNS, the DomeOS
 * console) with a writer putting unique keys throughout; `ferry apply` is SIGKILLed at the first kill point
 * (test/helpers/kill-points.ts), each `ferry resume` at the next one — every step boundary and points inside the
 * steps — and a last `ferry resume` finishes. After each kill: ferry died by SIGKILL where it was meant to (the
 * journal), etcd keeps quorum (etcdctl endpoint health), and every few kills the keys acknowledged so far are all
 * there (etcdctl get). At the end the independent checker (test/helpers/independent-check.ts) decides, with zero
 * acknowledged keys lost. One RELIABILITY.md row per kill point and a summary row.
 *
 * Addresses: 127.41.0.x (console .10, new master .20, new etcd .21–.23, old master .30, old etcd .31–.33, nodes
 * .39–.40); services 127.120.0.0/13 (cluster DNS 127.120.40.1); flannel 127.128.0.0/13.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { ExitCode } from '../../src/errors.ts';
import { foldJournal } from '../../src/run/fold.ts';
import { buildCrashCheckTarget, findOnlyRunDir, readPlannedKillPoints, readRunKillPoints, startCrashLab, startCrashWriter, type CrashNet } from '../helpers/crash-lab.ts';
import { readEtcdQuorum, readMissingKeys, renderCheckFailures, waitIndependentCheck } from '../helpers/independent-check.ts';
import { findKillMismatch } from '../helpers/kill-points.ts';
import { processesOf, readEvents, runFerryCli } from '../helpers/migration.ts';
import { recordReliability } from '../helpers/reliability.ts';

const NET: CrashNet = { prefix: '127.41.0', services: '127.120.0.0/13', clusterDns: '127.120.40.1', flannel: '127.128.0.0/13' };
/** The acknowledged keys are read back (all of them, with etcdctl) after every this many kills. */
const KEYS_EVERY = 6;
const fixtureDirs: string[] = [];

after(() => {
  for (const d of fixtureDirs) assert.deepEqual(processesOf(d), [], `no process left behind by ${d}`);
});

test('SIGKILLed at every kill point in turn, ferry resume finishes the migration with nothing lost', { timeout: 1_500_000 }, async (t) => {
  const started = performance.now();
  const lab = await startCrashLab(NET);
  fixtureDirs.push(lab.dir);
  const writer = startCrashWriter(lab, 'chain', 50);
  const allURLs = [...lab.inventory.etcd.old, ...lab.inventory.etcd.new].map((m) => m.clientURL);
  try {
    // The chain's share of the kill points (bench/crash-torture.ts runs every one, each on a fresh lab).
    let points = (await readPlannedKillPoints(lab)).filter((p) => p.chain);
    assert.ok(points.length >= 40, `at least 40 kill points (${points.length})`);
    let runDir: string | undefined;
    let resumes = 0;
    for (let i = 0; i < points.length; i++) {
      const p = points[i];
      assert.ok(p !== undefined);
      const killStarted = performance.now();
      const args = i === 0 ? ['apply', '-f', lab.inventoryPath, '--yes'] : ['resume', '--yes'];
      if (i > 0) resumes++;
      const r = await runFerryCli(args, { ...lab.env, FERRY_FAULT: p.fault });
      runDir ??= findOnlyRunDir(lab);
      assert.ok(runDir !== undefined, `ferry ${args[0]} made a run folder:\n${r.stderr}`);
      if (i === 0) {
        // Kill points of the plan ferry actually runs (the etcd order depends on the leader it saw).
        const planned = points;
        points = readRunKillPoints(runDir).filter((p) => p.chain);
        assert.equal(points[0]?.fault, planned[0]?.fault);
      }
      const events = readEvents(runDir);
      const view = foldJournal(events);
      const mismatch = findKillMismatch(events, p);
      const quorum = await readEtcdQuorum(allURLs);
      const acked = writer.acked();
      const checkKeys = i % KEYS_EVERY === KEYS_EVERY - 1;
      const missing = checkKeys ? await readMissingKeys(quorum.healthyEndpoints, { prefix: writer.prefix, keys: acked }) : [];
      const ok = r.signal === 'SIGKILL' && view.runState === 'interrupted' && view.currentStepId === p.stepId && mismatch === undefined && quorum.ok && missing.length === 0;
      recordReliability('crash', {
        case: `${i + 1}. ${p.fault}`,
        outcome: ok ? 'killed, resumed on' : 'FAILED',
        point: p.fault,
        phase: p.phase,
        step: view.currentStepId ?? '',
        acked: acked.length,
        keysChecked: checkKeys,
        quorum: `${quorum.healthyVoters}/${quorum.voters}`,
        ok,
        seconds: Math.round((performance.now() - killStarted) / 100) / 10,
      });
      t.diagnostic(`${i + 1}/${points.length} ${p.fault}: killed in ${view.currentStepId ?? '?'}, ${acked.length} keys acked, quorum ${quorum.healthyVoters}/${quorum.voters}${checkKeys ? `, ${missing.length} missing` : ''}`);
      assert.equal(r.signal, 'SIGKILL', `ferry ${args[0]} with FERRY_FAULT=${p.fault} dies by SIGKILL (code ${r.code}):\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`);
      assert.equal(view.runState, 'interrupted', `${p.fault}: the journal says interrupted`);
      assert.equal(view.currentStepId, p.stepId, `${p.fault}: killed in the intended step`);
      assert.equal(mismatch, undefined, `${p.fault}: killed at the intended place`);
      assert.ok(quorum.ok, `${p.fault}: etcd keeps quorum: ${quorum.detail}`);
      assert.deepEqual(missing.slice(0, 10), [], `${p.fault}: every key acknowledged so far is there (${missing.length} missing)`);
    }
    assert.ok(runDir !== undefined);

    const last = await runFerryCli(['resume', '--yes'], lab.env);
    resumes++;
    assert.equal(last.code, ExitCode.ok, `the last resume finishes:\n${last.stdout.slice(-3000)}\n${last.stderr.slice(-3000)}`);
    assert.equal(foldJournal(readEvents(runDir)).runState, 'done');

    const totals = await writer.stop();
    const check = await waitIndependentCheck(buildCrashCheckTarget(lab, NET), { prefix: writer.prefix, keys: totals.ackedKeys });
    const seconds = Math.round((performance.now() - started) / 1000);
    recordReliability('crash', {
      case: 'chain: all kill points on one lab',
      outcome: check.ok ? 'migration complete' : 'FAILED',
      kills: points.length,
      resumes,
      written: totals.written,
      acked: totals.acked,
      failed: totals.failed,
      lost: check.lostKeys.length,
      checks: `${check.passed.length}/${check.passed.length + check.failures.length}`,
      ok: check.ok,
      seconds,
    });
    t.diagnostic(`${points.length} kills, ${resumes} resumes, ${totals.written} writes (${totals.acked} acked, ${totals.failed} failed, ${check.lostKeys.length} lost), ${seconds} s`);
    assert.ok(check.ok, `the independent check passes:\n${renderCheckFailures(check)}`);
    assert.equal(check.lostKeys.length, 0, 'no acknowledged key lost');
  } finally {
    await writer.stop();
    await lab.cleanup();
  }
});
