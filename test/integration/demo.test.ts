/**
 * Issue 4: `ferry demo` — the whole runbook on the lab of examples/lab-seed.yaml (127.17.33.x, the default service
 * and flannel ranges: no other test uses them) — ends done, and its JSON report shows the cluster after the move:
 * the new etcd members only (one of them leading), the new master answering with scheduler and controller running,
 * every node Ready on it, DNS answering correctly, the console pointing at the new apiserver and etcd with its watcher
 * running; every acknowledged write and every seeded key on the new members; nine phases done; every changed node
 * file with a backup. Nothing is left running. The same on etcd 3.3 (Debian bullseye's 3.3.25, voter adds with consent).
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DemoReport } from '../../src/report/demo-report.ts';
import { processesOf, runFerryCli } from '../helpers/migration.ts';

const home = mkdtempSync(join(tmpdir(), 'ferry-demo-'));

after(() => {
  assert.deepEqual(processesOf(home), [], 'no process left behind');
  rmSync(home, { recursive: true, force: true });
});

test('ferry demo runs all nine phases and proves nothing was lost', { timeout: 300_000 }, async (t) => {
  const r = await runFerryCli(['demo', '-o', 'json'], { ...process.env, FERRY_HOME: home }, 280_000);
  assert.equal(r.code, 0, `ferry demo exits 0:\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`);
  const report = JSON.parse(r.stdout) as DemoReport;
  t.diagnostic(`demo took ${(report.durationMs / 1000).toFixed(1)} s; longest write stall ${report.writes?.longestStallMs.toFixed(0)} ms; apiserver outage ${report.apiserverOutage?.ms ?? 0} ms`);
  assert.equal(report.runState, 'done');
  assert.deepEqual(report.phases.map((p) => p.id), [1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.ok(report.phases.every((p) => p.states.every((s) => s === 'done')), JSON.stringify(report.phases));

  const etcd = report.after.etcd;
  assert.ok(etcd !== undefined);
  assert.deepEqual(etcd.members.map((m) => m.name).sort(), ['domeosEtcd3', 'domeosEtcd4', 'domeosEtcd5']);
  assert.ok(etcd.members.some((m) => m.id === etcd.leaderId), 'a new member leads');
  const [oldM, newM] = report.after.masters;
  assert.equal(oldM?.answers, false, 'the old apiserver no longer answers');
  assert.equal(newM?.answers, true);
  for (const u of ['kube-apiserver', 'kube-controller', 'kube-scheduler', 'kube-proxy']) assert.equal(newM?.units[u], 'active', `${u} runs on the new master`);
  assert.equal(report.after.nodes.apiserver, 'http://127.17.33.20:8080');
  assert.deepEqual(report.after.nodes.list.map((n) => `${n.name}:${n.ready}`), ['l-33-39:True', 'l-33-40:True', 'l-33-41:True']);

  const dns = report.after.dns;
  assert.ok(dns !== undefined && dns.error === undefined, JSON.stringify(dns));
  assert.deepEqual(dns.answer, [dns.expected], 'DNS answers with the kubernetes service IP');
  assert.deepEqual(dns.controllers, ['kube2sky-v10 (1/1 ready)', 'skydns-v10 (1/1 ready)']);
  assert.deepEqual(report.after.console, {
    api: '127.17.33.20:8080',
    etcd: 'http://127.17.33.21:4012,http://127.17.33.22:4012,http://127.17.33.23:4012,',
    watcher: 'RUNNING (deployment watcher)',
  });
  assert.equal(report.before.console?.api, '127.17.33.30:8080');

  assert.ok(report.dataCheck.ok, JSON.stringify(report.dataCheck));
  assert.ok(report.writes !== undefined && report.writes.acked > 100, 'the writer ran through the migration');
  assert.equal(report.writes.lost, 0, 'no acknowledged write lost');
  const nodeFiles = report.files.filter((f) => f.host.startsWith('127.17.33.39'));
  assert.deepEqual(nodeFiles.map((f) => f.path).sort(), ['/etc/sysconfig/flanneld', '/etc/sysconfig/kube-proxy', '/etc/sysconfig/kubelet']);
  assert.ok(nodeFiles.every((f) => f.backup !== undefined), 'every changed node file has a backup');
  assert.equal(report.labKept, false);
});

test('ferry demo --etcd 3.3 --allow-voter-add: the whole runbook on etcd 3.3 (no learners), nothing lost', { timeout: 300_000 }, async (t) => {
  const r = await runFerryCli(['demo', '--etcd', '3.3', '--allow-voter-add', '-o', 'json'], { ...process.env, FERRY_HOME: home }, 280_000);
  assert.equal(r.code, 0, `ferry demo exits 0:\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`);
  const report = JSON.parse(r.stdout) as DemoReport;
  t.diagnostic(`demo on etcd 3.3 took ${(report.durationMs / 1000).toFixed(1)} s; longest write stall ${report.writes?.longestStallMs.toFixed(0)} ms`);
  assert.equal(report.runState, 'done');
  assert.ok(report.phases.every((p) => p.states.every((s) => s === 'done')), JSON.stringify(report.phases));
  assert.equal(report.before.etcd?.version, '3.3.25', 'the lab ran Debian bullseye’s etcd 3.3.25');
  assert.deepEqual(report.after.etcd?.members.map((m) => m.name).sort(), ['domeosEtcd3', 'domeosEtcd4', 'domeosEtcd5']);
  assert.ok(report.after.etcd?.members.every((m) => !m.isLearner));
  assert.ok(report.dataCheck.ok, JSON.stringify(report.dataCheck));
  assert.equal(report.writes?.lost, 0, 'no acknowledged write lost');
  assert.deepEqual(report.after.nodes.list.map((n) => `${n.name}:${n.ready}`), ['l-33-39:True', 'l-33-40:True', 'l-33-41:True']);
  assert.equal(report.labKept, false);
});
