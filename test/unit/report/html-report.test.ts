import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../../src/cli/main.ts';
import type { Io } from '../../../src/cli/io.ts';
import type { Inventory } from '../../../src/inventory/types.ts';
import type { Plan } from '../../../src/plan/types.ts';
import { renderHtmlReport } from '../../../src/report/html-report.ts';
import { readRunReport, writeRunReport, writeRunReportQuietly } from '../../../src/report/run-report-file.ts';
import type { RunReport } from '../../../src/report/run-report.ts';
import { Journal } from '../../../src/run/journal.ts';

const RUN_ID = '20260101-000000-ab12';
const EVIL = '<img src=x onerror=alert(1)>';
let dir: string;
let runDir: string;
let secrets: { key: string; credentials: string; tlsKey: string };

function step(id: string, phase: number, title: string) {
  return { id, phase, kind: 'etcd.replace', title, does: [`does ${id}`], checks: [`checks ${id}`], undoes: [`undoes ${id} ${EVIL}`], params: {} };
}

/** A run folder as a run leaves it: the second step failed and was rolled back. */
function writeRunFolder(): void {
  mkdirSync(runDir, { recursive: true });
  const plan = {
    kind: 'ferry-plan',
    formatVersion: 1,
    inventory: { name: 'prod', path: '/etc/ferry/prod.yaml', sha256: 'f'.repeat(64) },
    observedFingerprint: 'x',
    observed: { etcd: { members: [], leaderId: '0', version: '3.4.23' } },
    targetVoters: 3,
    notes: [`a plan note ${EVIL}`],
    phases: [
      { id: 2, key: 'etcd-first', title: 'Migrate part of the etcd members', reason: 'r', steps: [step('etcd.snapshot', 2, 'Take a snapshot')] },
      { id: 3, key: 'stop-old-master', title: `Stop the old master ${EVIL}`, reason: 'r', steps: [step('master.stop-old', 3, `Stop ${EVIL}`)] },
    ],
  } as unknown as Plan;
  const inventory = {
    apiVersion: 'ferry/v1',
    name: `prod ${EVIL}`,
    access: { mode: 'ssh', user: 'ops', port: 22, keyFile: secrets.key, knownHosts: '/root/.ssh/known_hosts', sudo: true },
    hosts: {},
    etcd: { old: [], new: [], tls: { ca: secrets.tlsKey, cert: secrets.tlsKey, key: secrets.tlsKey } },
    domeos: { url: 'http://10.0.0.10:8080', cluster: 'c', credentialsFile: secrets.credentials, host: '10.0.0.10', service: 'domeos', healthTimeoutMs: 60_000 },
  } as unknown as Inventory;
  writeFileSync(join(runDir, 'plan.json'), JSON.stringify(plan));
  writeFileSync(join(runDir, 'inventory.json'), JSON.stringify(inventory));
  let t = Date.parse('2026-01-01T00:00:00.000Z');
  const journal = Journal.open(join(runDir, 'journal.jsonl'), { now: () => new Date((t += 1000)) });
  journal.append({ type: 'run-started', runId: RUN_ID, formatVersion: 1, planSha256: 'p', inventoryPath: '/etc/ferry/prod.yaml', inventorySha256: 'f', ferryVersion: '0.1.0', mode: 'apply' });
  journal.append({ type: 'run-state', state: 'running' });
  journal.append({ type: 'step-state', stepId: 'etcd.snapshot', state: 'running' });
  journal.append({ type: 'step-state', stepId: 'etcd.snapshot', state: 'verifying' });
  journal.append({ type: 'step-state', stepId: 'etcd.snapshot', state: 'done' });
  journal.append({ type: 'step-state', stepId: 'master.stop-old', state: 'running' });
  journal.append({ type: 'action-started', stepId: 'master.stop-old', action: 'write-config', detail: { host: '10.0.0.30' } });
  journal.append({ type: 'action-finished', stepId: 'master.stop-old', action: 'write-config', result: { files: [{ path: '/etc/sysconfig/kube-apiserver', backup: '/var/lib/ferry/backups/r/etc_sysconfig_kube-apiserver' }, { path: `/etc/${EVIL}` }] } });
  const error = { code: 'MASTER_STILL_ANSWERS', message: `http://10.0.0.30:8080 still answers ${EVIL}`, hint: 'stop it by hand' };
  journal.append({ type: 'action-started', stepId: 'master.stop-old', action: 'wait-down' });
  journal.append({ type: 'action-failed', stepId: 'master.stop-old', action: 'wait-down', error });
  journal.append({ type: 'step-state', stepId: 'master.stop-old', state: 'failed', error });
  journal.append({ type: 'step-state', stepId: 'master.stop-old', state: 'rolling-back' });
  journal.append({ type: 'step-state', stepId: 'master.stop-old', state: 'rolled-back' });
  journal.append({ type: 'run-state', state: 'rolled-back', error });
  journal.close();
  const t0 = Date.parse('2026-01-01T00:00:01.000Z');
  writeFileSync(join(runDir, 'latency.jsonl'), [0, 1, 2, 3, 4, 5].map((i) => JSON.stringify(i === 4 ? { t: t0 + i * 500, ms: null, error: 'no leader' } : { t: t0 + i * 500, ms: 2 + i })).join('\n') + '\n');
  writeFileSync(
    join(runDir, 'commands.jsonl'),
    [
      { t: t0 + 100, host: '10.0.0.30', kind: 'service', service: 'kube-apiserver', action: 'stop', durationMs: 20 },
      { t: t0 + 50, host: '10.0.0.30', kind: 'run', argv: ['/usr/bin/kube-apiserver', '--version'], exitCode: 0, durationMs: 300 },
      { t: t0 + 200, host: `10.0.0.40${EVIL}`, kind: 'write-file', path: '/etc/sysconfig/kubelet', backup: '/var/lib/ferry/backups/r/etc_sysconfig_kubelet', changed: true, durationMs: 3 },
      { t: t0 + 300, host: '10.0.0.30', kind: 'run', argv: ['false'], error: 'HOST_COMMAND_FAILED', exitCode: 3, durationMs: 4 },
    ]
      .map((c) => JSON.stringify(c))
      .join('\n') + '\n',
  );
  const picture = (leader: string) => ({
    takenAt: '2026-01-01T00:00:00.500Z',
    etcd: { leaderId: leader, version: '3.4.23', members: [{ id: 'a', name: 'old0', peerURLs: ['http://10.0.0.31:2380'], clientURLs: ['http://10.0.0.31:2379'], isLearner: false }] },
    masters: [],
    nodes: { list: [] },
  });
  writeFileSync(join(runDir, 'picture-before.json'), JSON.stringify(picture('a')));
  writeFileSync(join(runDir, 'picture-after.json'), JSON.stringify(picture('0')));
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'ferry-report-'));
  runDir = join(dir, 'home', 'runs', RUN_ID);
  const planted = (name: string, text: string) => {
    const p = join(dir, name);
    writeFileSync(p, text, { mode: 0o600 });
    return p;
  };
  secrets = {
    key: planted('id_ed25519', '-----BEGIN OPENSSH PRIVATE KEY-----\nSECRET-KEY-MATERIAL\n-----END OPENSSH PRIVATE KEY-----\n'),
    credentials: planted('domeos.yaml', 'username: admin\npassword: SECRET-PASSWORD\n'),
    tlsKey: planted('etcd-client.key', 'SECRET-TLS-KEY'),
  };
  writeRunFolder();
});

after(() => rmSync(dir, { recursive: true, force: true }));

describe('the run report', () => {
  let report: RunReport;
  let html: string;
  before(() => {
    report = readRunReport(runDir, new Date('2026-01-02T00:00:00.000Z'));
    html = renderHtmlReport(report);
  });

  test('the data: state, phases, steps with does/checks/undoes, files, commands, latency, errors and rollbacks', () => {
    assert.equal(report.runId, RUN_ID);
    assert.equal(report.state, 'rolled-back');
    assert.deepEqual(report.phases.map((p) => p.id), [2, 3]);
    assert.deepEqual(report.steps.map((s) => [s.id, s.state]), [['etcd.snapshot', 'done'], ['master.stop-old', 'rolled-back']]);
    assert.equal(report.files[0]?.backup, '/var/lib/ferry/backups/r/etc_sysconfig_kube-apiserver');
    assert.equal(report.commands?.length, 4);
    assert.equal(report.commands?.[0]?.argv?.[1], '--version', 'commands in time order');
    assert.deepEqual(report.latency?.summary, { samples: 6, failed: 1, p50Ms: 4, p99Ms: 7, maxMs: 7 });
    assert.deepEqual(report.problems.map((p) => [p.code, p.stepId, p.action]), [['MASTER_STILL_ANSWERS', 'master.stop-old', 'wait-down']], 'one error, shown once');
    assert.deepEqual(report.rollbacks.map((r) => [r.stepId, r.state]), [['master.stop-old', 'rolled-back']]);
    assert.deepEqual(report.missing, []);
  });

  test('every section is there', () => {
    for (const h of ['Errors and rollbacks', 'Timeline of phases', 'etcd write latency', 'The cluster before and after', 'Files changed (2)', 'Commands run on hosts (4 on 2 hosts)', 'The plan, step by step', 'Notes']) {
      assert.ok(html.includes(`<h2>${h}</h2>`), h);
    }
    assert.match(html, /^<!DOCTYPE html>/);
    assert.match(html, /<title>ferry run 20260101-000000-ab12/);
    assert.match(html, /<strong class="err">MASTER_STILL_ANSWERS<\/strong>/);
    assert.match(html, /hint: stop it by hand/);
    assert.match(html, /systemctl stop kube-apiserver/);
    assert.match(html, /\/usr\/bin\/kube-apiserver --version/);
    assert.match(html, /HOST_COMMAND_FAILED \(exit 3\)/);
    assert.match(html, /write \/etc\/sysconfig\/kubelet \(backup \/var\/lib\/ferry\/backups\/r\/etc_sysconfig_kubelet\)/);
    assert.match(html, /aria-label="Before"/);
    assert.match(html, /aria-label="After"/);
    assert.equal((html.match(/<circle /g) ?? []).length, 5, 'one dot per answered sample');
    assert.match(html, /failed: no leader/);
    assert.match(html, /does etcd\.snapshot/);
    assert.match(html, /checks master\.stop-old/);
    assert.match(html, /Phase 3\. Stop the old master/);
  });

  test('self-contained and printable: no script, no external resource, print styles', () => {
    assert.ok(!/<script|<link|<iframe|src=|href=|@import|url\(/i.test(html.replaceAll('&lt;img src=x', '')));
    assert.match(html, /@media print/);
  });

  test('everything from the run is escaped', () => {
    assert.ok(!html.includes('<img'), 'no injected element');
    assert.ok(html.includes('&lt;img src=x onerror=alert(1)&gt;'));
  });

  test('secrets never appear: key and credentials file paths may, their contents never', () => {
    const json = JSON.stringify(report);
    for (const text of [html, json]) {
      assert.ok(!text.includes('SECRET'), 'no planted secret');
      assert.ok(!text.includes('PRIVATE KEY'));
    }
    assert.ok(html.includes(secrets.key), 'the key file path is shown');
    assert.ok(html.includes(secrets.credentials), 'the credentials file path is shown');
  });

  test('missing recordings are named, not fatal', () => {
    const bare = join(dir, 'bare');
    mkdirSync(bare);
    writeFileSync(join(bare, 'plan.json'), readFileSync(join(runDir, 'plan.json')));
    writeFileSync(join(bare, 'inventory.json'), readFileSync(join(runDir, 'inventory.json')));
    const r = readRunReport(bare);
    assert.deepEqual(r.missing, ['journal.jsonl', 'picture-before.json', 'picture-after.json', 'latency.jsonl', 'commands.jsonl']);
    const page = renderHtmlReport(r);
    assert.match(page, /No latency recording/);
    assert.match(page, /Before: no picture in this run folder/);
    assert.ok(!/undefined|NaN/.test(page));
    rmSync(join(bare, 'inventory.json'));
    assert.throws(() => readRunReport(bare), { code: 'REPORT_RUN_UNREADABLE' });
    assert.match(writeRunReportQuietly(bare).reportError ?? '', /inventory\.json/);
  });

  test('writeRunReport writes report.html in the run folder', () => {
    const { path } = writeRunReport(runDir);
    assert.equal(path, join(runDir, 'report.html'));
    assert.ok(readFileSync(path, 'utf8').includes('<h2>Timeline of phases</h2>'));
    assert.throws(() => writeRunReport(runDir, join(dir, 'no-such-dir', 'r.html')), { code: 'REPORT_WRITE_FAILED' });
  });
});

describe('ferry report', () => {
  function io(): Io & { stdout: string[]; stderr: string[] } {
    const stdout: string[] = [];
    const stderr: string[] = [];
    return { stdout, stderr, out: (t) => void stdout.push(t), err: (t) => void stderr.push(t), color: false, isTty: false, env: { ...process.env, FERRY_HOME: join(dir, 'home') } };
  }

  test('writes report.html of the newest run (or the one named) and prints its path', async () => {
    rmSync(join(runDir, 'report.html'), { force: true });
    const o = io();
    assert.equal(await runCli(['report'], o), 0, o.stderr.join(''));
    assert.equal(o.stdout.join(''), `${join(runDir, 'report.html')}\n`);
    assert.ok(existsSync(join(runDir, 'report.html')));
    const out = join(dir, 'ticket.html');
    const named = io();
    assert.equal(await runCli(['report', RUN_ID, '--out', out], named), 0);
    assert.equal(named.stdout.join(''), `${out}\n`);
  });

  test('-o json prints the report data; other formats and two runs are refused', async () => {
    const o = io();
    assert.equal(await runCli(['report', '--run', RUN_ID, '-o', 'json'], o), 0);
    const data = JSON.parse(o.stdout.join('')) as RunReport;
    assert.equal(data.kind, 'ferry-run-report');
    assert.equal(data.state, 'rolled-back');
    const bad = io();
    assert.equal(await runCli(['report', '-o', 'pdf'], bad), 2);
    assert.match(bad.stderr.join(''), /CLI_USAGE/);
    assert.equal(await runCli(['report', 'a', 'b'], io()), 2);
    const none = io();
    assert.equal(await runCli(['report', '20990101-000000-0000'], none), 2);
    assert.match(none.stderr.join(''), /RUN_NOT_FOUND/);
  });
});
