/**
 * Issue 5 §3, the report: `ferry apply --yes` on a lab (3 old etcd → 3 new, old master → new, 2 nodes) leaves in
 * its run folder the before/after pictures, latency.jsonl, commands.jsonl and report.html (its path printed), and
 * `ferry report` makes the report again. The report has the phases, a latency chart with samples, both pictures,
 * the node files with their backups and the commands run on each host; the probe's key is gone at the end.
 *
 * Addresses: 127.38.0.x (old etcd .31–.33, new .21–.23, old master .30, new master .20, nodes .39–.40).
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Etcd3 } from 'etcd3';
import { resolveRunsDir } from '../../src/home.ts';
import { buildProbeKey } from '../../src/app/latency-probe.ts';
import { parseCommandRecords, parseLatencySamples } from '../../src/run/recording-files.ts';
import type { RunReport } from '../../src/report/run-report.ts';
import { startMasterLab, type MasterLab } from '../helpers/master-lab.ts';
import { processesOf, runFerryCli } from '../helpers/migration.ts';

const PREFIX = '127.38.0';
let lab: MasterLab | undefined;

after(async () => {
  const dir = lab?.dir;
  await lab?.cleanup();
  if (dir !== undefined) assert.deepEqual(processesOf(dir), [], 'no process left behind');
});

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

test('every run writes its recordings and report.html; `ferry report` makes it again', { timeout: 420_000 }, async () => {
  lab = await startMasterLab(PREFIX, { nodes: 2 });
  const r = await runFerryCli(['apply', '-f', lab.inventoryPath, '--yes'], lab.env);
  assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
  const runsDir = resolveRunsDir(lab.env);
  const [runId] = readdirSync(runsDir);
  assert.ok(runId !== undefined);
  const runDir = join(runsDir, runId);
  const reportPath = join(runDir, 'report.html');
  assert.match(r.stderr, new RegExp(`report: ${escapeRe(reportPath)}\\n`), 'the path is printed, on stderr');
  assert.ok(existsSync(reportPath));

  // The recordings are well-formed.
  const latency = parseLatencySamples(readFileSync(join(runDir, 'latency.jsonl'), 'utf8'));
  assert.equal(latency.skipped, 0);
  assert.ok(latency.records.length >= 4, `samples: ${latency.records.length}`);
  assert.ok(latency.records.some((s) => s.ms !== null && s.ms > 0));
  const commands = parseCommandRecords(readFileSync(join(runDir, 'commands.jsonl'), 'utf8'));
  assert.equal(commands.skipped, 0);
  const hosts = new Set(commands.records.map((c) => c.host));
  for (const h of [lab.oldMasterHost, lab.newMasterHost, ...lab.nodes.map((n) => n.host), ...lab.inventory.etcd.new.map((m) => m.host)]) {
    assert.ok(hosts.has(h), `commands recorded for ${h}: ${[...hosts].join(', ')}`);
  }
  assert.ok(
    commands.records.some((c) => c.host === lab?.oldMasterHost && c.service === 'kube-apiserver' && c.action === 'stop' && c.error === undefined),
    'the old apiserver stopped: `systemctl stop kube-apiserver` on the old master',
  );
  for (const n of lab.nodes) {
    assert.ok(commands.records.some((c) => c.host === n.host && c.kind === 'write-file' && c.path === '/etc/sysconfig/kubelet' && c.backup !== undefined), `kubelet file written with a backup on ${n.host}`);
  }
  for (const side of ['before', 'after']) {
    const p = JSON.parse(readFileSync(join(runDir, `picture-${side}.json`), 'utf8')) as { etcd?: { members: { name: string }[] } };
    assert.ok((p.etcd?.members.length ?? 0) >= 3, `picture-${side}.json has the members`);
  }

  // report.html: phases, latency chart with samples, both pictures, node files with backups, commands per host.
  const html = readFileSync(reportPath, 'utf8');
  const report = JSON.parse((await runFerryCli(['report', runId, '-o', 'json'], lab.env)).stdout) as RunReport;
  assert.equal(report.state, 'done');
  assert.ok(report.phases.length >= 4);
  for (const p of report.phases) assert.ok(html.includes(`Phase ${p.id}.`), `phase ${p.id} in the plan section`);
  assert.match(html, /Timeline of phases/);
  assert.match(html, /etcd write latency/);
  assert.ok((html.match(/<circle /g) ?? []).length >= 4, 'latency samples drawn');
  assert.match(html, /aria-label="Before"/);
  assert.match(html, /aria-label="After"/);
  for (const n of lab.nodes) {
    const f = report.files.find((x) => x.host === n.host && x.path === '/etc/sysconfig/kubelet');
    assert.ok(f?.backup !== undefined, `kubelet file of ${n.host} with its backup`);
    assert.ok(html.includes(f.backup), 'the backup path is in the report');
  }
  for (const h of hosts) assert.ok(html.includes(`<summary>${h} `), `commands of ${h}`);
  assert.match(html, /systemctl stop kube-apiserver/);
  assert.ok(!/undefined|NaN/.test(html), 'no undefined/NaN in the report');
  assert.ok(!html.includes('<script'), 'no script');

  // The probe's key is deleted at the end.
  const etcd = new Etcd3({ hosts: lab.inventory.etcd.new.map((m) => m.clientURL) });
  try {
    assert.equal(await etcd.get(buildProbeKey(runId)).string(), null);
  } finally {
    etcd.close();
  }

  // `ferry report` makes it again (default: the newest run).
  rmSync(reportPath);
  const again = await runFerryCli(['report'], lab.env);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(again.stdout, `${reportPath}\n`);
  assert.ok(existsSync(reportPath));
});
