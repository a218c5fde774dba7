/**
 * Benchmark: repoint N lab nodes (kubelet, kube-proxy, flanneld) from one master to another, with ferry's batched
 * rollout and one node at a time (what running update_node_configs.sh node by node gives), and measure wall time,
 * time per node and ferry's peak memory.
 *
 *   node --import tsx bench/nodes-repoint.ts [options]
 *     --sizes LIST         node counts (default 10,100,1000)
 *     --modes LIST         batched,serial (default both)
 *     --concurrency LIST   batched rollout widths to try, each its own mode run (default 50)
 *     --batch-size N       nodes per batch (default 50; raised to the width when smaller)
 *     --serial-max N       run serial fully only up to this N; above it serial is extrapolated (default 100)
 *     --interval-ms N      createNodeReadyWaiter's poll interval (default 250)
 *     --out FILE / --no-write   where the results section goes (default BENCHMARKS.md) / nowhere
 *
 * Per N, one lab (etcd 127.27.0.31, old master 127.27.0.30:8080, new master 127.27.0.20:8080, nodes from
 * 127.28.0.1). The new master's apiserver is started on the SAME etcd (its sysconfig is the old one with the new
 * bind address), so both serve the same objects. Modes then alternate the direction: the first repoints every
 * node old → new, the next new → old, and so on (each with its own backup folder). The lab is torn down at the
 * end, even on failure.
 */
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { messageOf } from '../src/errors.ts';
import { runRollout, type RolloutPolicy } from '../src/fleet/rollout.ts';
import { LabHost } from '../src/lab/host.ts';
import { readInventory } from '../src/inventory/load.ts';
import { stopLab } from '../src/lab/setup/down.ts';
import { findProcessesWithCmdline, readProcessCmdline } from '../src/lab/supervisor/processes.ts';
import { startLab } from '../src/lab/setup/up.ts';
import { applyRepoint } from '../src/repoint/repoint-node.ts';
import { createNodeReadyWaiter } from '../src/repoint/wait-ready.ts';

const OLD = { host: '127.27.0.30', apiserver: 'http://127.27.0.30:8080' };
const NEW = { host: '127.27.0.20', apiserver: 'http://127.27.0.20:8080' };
const NODE_BASE = '127.28.0.0';
const SECTION = 'nodes-repoint';
const log = (line: string) => process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${line}\n`);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

interface ModeRun {
  readonly n: number;
  readonly mode: string;
  readonly concurrency: number;
  readonly wallMs: number;
  readonly ok: number;
  readonly failed: number;
  readonly firstFailure?: string;
  /** Per-node times (ms) as runRollout measured them. */
  readonly p50Ms: number;
  readonly maxMs: number;
  /** applyRepoint's readyAfterMs (restart → Ready on the new master), median. */
  readonly readyP50Ms: number;
  readonly rssBeforeMB: number;
  readonly rssPeakMB: number;
  readonly heapPeakMB: number;
  readonly labRssPeakMB: number;
  readonly labProcs: number;
  readonly extrapolated?: boolean;
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0;
}

function readRssKB(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m === null ? 0 : Number(m[1]);
  } catch {
    return 0;
  }
}

/** The lab's processes (supervisor, apiservers, controllers, node runtimes) and their summed RSS. */
function readLabRss(labDir: string): { mb: number; procs: number; byKind: Record<string, number> } {
  const pids = findProcessesWithCmdline(labDir).filter((p) => p !== process.pid);
  const byKind: Record<string, number> = {};
  let kb = 0;
  for (const pid of pids) {
    const r = readRssKB(pid);
    kb += r;
    const cmd = readProcessCmdline(pid) ?? '';
    const kind = /node-runtime/.test(cmd) ? 'node-runtime' : /supervisor/.test(cmd) ? 'supervisor' : (/\/([a-z-]+)(\s|$)/.exec(cmd.split(' ').find((w) => w.includes('/usr/sbin/domeos')) ?? '')?.[1] ?? 'other');
    byKind[kind] = (byKind[kind] ?? 0) + r / 1024;
  }
  return { mb: kb / 1024, procs: pids.length, byKind };
}

async function waitHealthy(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2_000) });
      if (res.status === 200 && (await res.text()).trim() === 'ok') return;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not become healthy in ${timeoutMs} ms`);
    await sleep(200);
  }
}

/** The new master's apiserver on the same etcd: the old sysconfig with the new bind address, started by the lab. */
async function startSecondApiserver(labDir: string): Promise<void> {
  const oldHost = new LabHost(labDir, OLD.host);
  const newHost = new LabHost(labDir, NEW.host);
  try {
    const sysconfig = (await oldHost.readFile('/etc/sysconfig/kube-apiserver'))?.toString('utf8');
    const unitPath = '/etc/systemd/system/kube-apiserver.service';
    const unit = (await oldHost.readFile(unitPath)) ?? (await oldHost.readFile('/lib/systemd/system/kube-apiserver.service'));
    if (sysconfig === undefined || unit === undefined) throw new Error('the old master has no kube-apiserver sysconfig or unit');
    await newHost.writeFile('/etc/sysconfig/kube-apiserver', Buffer.from(sysconfig.replace(`--insecure-bind-address=${OLD.host}`, `--insecure-bind-address=${NEW.host}`)));
    await newHost.writeFile(unitPath, unit);
    await newHost.service('kube-apiserver', 'start');
    await waitHealthy(NEW.apiserver, 30_000);
  } finally {
    await oldHost.close();
    await newHost.close();
  }
}

async function startBenchLab(dir: string, n: number): Promise<{ labDir: string; nodes: { name: string; address: string }[] }> {
  const labDir = join(dir, 'lab');
  const raw = {
    apiVersion: 'ferry/v1',
    name: 'bench-nodes',
    access: { mode: 'lab', labDir },
    etcd: { old: [{ name: 'old0', host: '127.27.0.31' }], new: [{ name: 'new0', host: '127.27.0.21' }] },
    master: { old: OLD, new: NEW },
  };
  const inventoryPath = join(dir, 'inventory.yaml');
  writeFileSync(inventoryPath, stringify(raw));
  const { inventory } = await readInventory(inventoryPath);
  const state = await startLab({ inventory, inventoryPath, labDir, nodes: n, generatedNodeBase: NODE_BASE, log: (l) => log(`  lab: ${l}`) });
  const nodes = (state.k8s?.nodes ?? []).map((x) => ({ name: x.name, address: x.address }));
  if (nodes.length !== n) throw new Error(`the lab has ${nodes.length} nodes, wanted ${n}`);
  return { labDir, nodes };
}

async function runMode(labDir: string, nodes: { name: string; address: string }[], mode: string, policy: RolloutPolicy, master: string, intervalMs: number, tag: string): Promise<ModeRun> {
  const byName = new Map(nodes.map((x) => [x.name, x.address]));
  const waitReady = createNodeReadyWaiter({ intervalMs });
  let rssPeak = 0;
  let heapPeak = 0;
  let labPeak = 0;
  let labProcs = 0;
  const rssBefore = process.memoryUsage().rss;
  const sample = () => {
    const m = process.memoryUsage();
    rssPeak = Math.max(rssPeak, m.rss);
    heapPeak = Math.max(heapPeak, m.heapUsed);
  };
  sample();
  const memTimer = setInterval(sample, 100);
  const labTimer = setInterval(() => {
    const r = readLabRss(labDir);
    labPeak = Math.max(labPeak, r.mb);
    labProcs = Math.max(labProcs, r.procs);
  }, 2_000);
  let lastLog = 0;
  const readyAfter: number[] = [];
  const t0 = performance.now();
  try {
    const result = await runRollout(
      nodes.map((x) => x.name),
      policy,
      async (name) => {
        const host = new LabHost(labDir, byName.get(name) as string);
        try {
          const r = await applyRepoint(host, { master, backupDir: `/var/lib/ferry/bench-${tag}`, waitReady, readyTimeoutMs: 60_000, log: () => undefined });
          readyAfter.push(r.readyAfterMs);
          return { ok: true, detail: r.alreadyUpToDate ? 'already up to date' : `Ready after ${r.readyAfterMs} ms` };
        } catch (err) {
          return { ok: false, detail: messageOf(err) };
        } finally {
          await host.close();
        }
      },
      {
        onProgress: (p) => {
          const now = performance.now();
          if (now - lastLog < 5_000) return;
          lastLog = now;
          log(`  ${mode} c=${policy.concurrency}: ${p.done}/${p.total} done, ${p.failed} failed, ${p.running} running (${((now - t0) / 1000).toFixed(0)} s)`);
        },
      },
    );
    const wallMs = performance.now() - t0;
    sample();
    const times = result.outcomes.map((o) => o.ms);
    const failed = result.outcomes.filter((o) => !o.ok);
    const first = failed[0];
    return {
      n: nodes.length,
      mode,
      concurrency: policy.concurrency,
      wallMs,
      ok: result.outcomes.length - failed.length,
      failed: failed.length + result.notStarted.length,
      ...(first !== undefined ? { firstFailure: `${first.node}: ${first.detail}` } : {}),
      p50Ms: pct(times, 50),
      maxMs: Math.max(0, ...times),
      readyP50Ms: pct(readyAfter, 50),
      rssBeforeMB: rssBefore / 2 ** 20,
      rssPeakMB: rssPeak / 2 ** 20,
      heapPeakMB: heapPeak / 2 ** 20,
      labRssPeakMB: labPeak,
      labProcs,
    };
  } finally {
    clearInterval(memTimer);
    clearInterval(labTimer);
  }
}

function renderSection(runs: ModeRun[], meta: { command: string; date: string; machine: string }, notes: string[]): string {
  const f = (ms: number) => (ms >= 10_000 ? `${(ms / 1000).toFixed(0)} s` : `${(ms / 1000).toFixed(1)} s`);
  const lines = [
    `<!-- bench:${SECTION}:start (written by bench/nodes-repoint.ts) -->`,
    '## Repointing N lab nodes to a new master: batched rollout vs one node at a time',
    '',
    `Command: \`${meta.command}\` · date: ${meta.date} · machine: ${meta.machine}`,
    '',
    'Each node: applyRepoint (read the 3 sysconfig files, back up, rewrite API_SERVERS/KUBE_MASTER, restart kubelet and kube-proxy, wait Ready with a fresh heartbeat on the new master, then the 5 s unit settle check) through a LabHost. Wall = the whole rollout; per node = wall / N (fleet throughput) and the median time of one node; memory = this process (ferry) sampled every 100 ms; lab = summed RSS of the supervisor, apiservers, controllers and node runtimes (context only).',
    '',
    '| N | mode | width | wall | wall / node | one node p50 | one node max | restart → Ready p50 | ok | failed | ferry RSS before → peak | ferry heapUsed peak | lab RSS peak (procs) |',
    '|--:|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|',
  ];
  for (const r of runs) {
    const ex = r.extrapolated === true ? ' *(extrapolated)*' : '';
    lines.push(
      `| ${r.n} | ${r.mode}${ex} | ${r.concurrency} | ${f(r.wallMs)} | ${(r.wallMs / r.n / 1000).toFixed(2)} s | ${r.extrapolated === true ? '–' : f(r.p50Ms)} | ${r.extrapolated === true ? '–' : f(r.maxMs)} | ${r.extrapolated === true ? '–' : f(r.readyP50Ms)} | ${r.extrapolated === true ? '–' : r.ok} | ${r.extrapolated === true ? '–' : r.failed} | ${r.extrapolated === true ? '–' : `${r.rssBeforeMB.toFixed(0)} → ${r.rssPeakMB.toFixed(0)} MB`} | ${r.extrapolated === true ? '–' : `${r.heapPeakMB.toFixed(0)} MB`} | ${r.extrapolated === true ? '–' : `${r.labRssPeakMB.toFixed(0)} MB (${r.labProcs})`} |`,
    );
  }
  lines.push('', ...notes.map((n) => `- ${n}`), '', `<!-- bench:${SECTION}:end -->`);
  return lines.join('\n');
}

function writeSection(path: string, section: string): void {
  const text = readFileSync(path, 'utf8');
  const start = text.indexOf(`<!-- bench:${SECTION}:start`);
  const endMarker = `<!-- bench:${SECTION}:end -->`;
  const end = text.indexOf(endMarker);
  const next = start >= 0 && end > start ? text.slice(0, start) + section + text.slice(end + endMarker.length) : `${text.trimEnd()}\n\n${section}\n`;
  writeFileSync(path, next);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      sizes: { type: 'string', default: '10,100,1000' },
      modes: { type: 'string', default: 'batched,serial' },
      concurrency: { type: 'string', default: '50' },
      'batch-size': { type: 'string', default: '50' },
      'serial-max': { type: 'string', default: '100' },
      'interval-ms': { type: 'string', default: '250' },
      out: { type: 'string' },
      'no-write': { type: 'boolean', default: false },
    },
  });
  const sizes = values.sizes.split(',').map(Number);
  const modes = values.modes.split(',');
  const widths = values.concurrency.split(',').map(Number);
  const batchSize = Number(values['batch-size']);
  const serialMax = Number(values['serial-max']);
  const intervalMs = Number(values['interval-ms']);
  const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const runs: ModeRun[] = [];
  const notes: string[] = [];

  for (const n of sizes) {
    const dir = mkdtempSync(join(tmpdir(), 'ferry-bench-nodes-'));
    let labDir = join(dir, 'lab');
    try {
      const t = performance.now();
      log(`N=${n}: lab up`);
      const lab = await startBenchLab(dir, n);
      labDir = lab.labDir;
      await startSecondApiserver(labDir);
      log(`N=${n}: lab up with both masters in ${((performance.now() - t) / 1000).toFixed(0)} s; lab RSS ${readLabRss(labDir).mb.toFixed(0)} MB`);
      let toNew = true;
      let k = 0;
      const plan: { mode: string; policy: RolloutPolicy }[] = [];
      for (const mode of modes) {
        if (mode === 'batched') for (const w of widths) plan.push({ mode, policy: { canary: 1, batchSize: Math.max(batchSize, w), concurrency: w, maxFailures: 0 } });
        else if (mode === 'serial' && n <= serialMax) plan.push({ mode, policy: { canary: 1, batchSize: 1, concurrency: 1, maxFailures: 0 } });
      }
      for (const { mode, policy } of plan) {
        const master = toNew ? NEW.apiserver : OLD.apiserver;
        log(`N=${n}: ${mode} (width ${policy.concurrency}) → ${master}`);
        const r = await runMode(labDir, lab.nodes, mode, policy, master, intervalMs, `${k++}`);
        runs.push(r);
        toNew = !toNew;
        const byKind = readLabRss(labDir).byKind;
        log(`N=${n}: ${mode} c=${policy.concurrency}: wall ${(r.wallMs / 1000).toFixed(1)} s, ${(r.wallMs / n).toFixed(0)} ms/node, node p50 ${r.p50Ms} ms (ready ${r.readyP50Ms} ms) max ${r.maxMs} ms, ok ${r.ok} failed ${r.failed}${r.firstFailure !== undefined ? ` (${r.firstFailure})` : ''}; ferry RSS ${r.rssBeforeMB.toFixed(0)}→${r.rssPeakMB.toFixed(0)} MB, heap peak ${r.heapPeakMB.toFixed(0)} MB; lab ${r.labRssPeakMB.toFixed(0)} MB ${JSON.stringify(Object.fromEntries(Object.entries(byKind).map(([a, b]) => [a, Math.round(b)])))}`);
      }
    } finally {
      log(`N=${n}: lab down`);
      await stopLab(labDir).catch((err: unknown) => log(`lab down failed: ${messageOf(err)}`));
      rmSync(dir, { recursive: true, force: true });
    }
  }

  // Serial beyond --serial-max: extrapolated from the largest measured serial run's per-node time.
  const serialRuns = runs.filter((r) => r.mode === 'serial');
  const base = serialRuns.at(-1);
  if (modes.includes('serial') && base !== undefined) {
    for (const n of sizes.filter((x) => x > serialMax)) {
      runs.push({ ...base, n, wallMs: (base.wallMs / base.n) * n, extrapolated: true });
      notes.push(`serial N=${n} is extrapolated (not run): ${(base.wallMs / base.n / 1000).toFixed(2)} s per node measured at N=${base.n} × ${n}.`);
    }
  }
  runs.sort((a, b) => a.n - b.n || a.mode.localeCompare(b.mode) || a.concurrency - b.concurrency);
  const fmt = (r: ModeRun) => `${(r.wallMs / 1000).toFixed(1)} s`;
  for (const mode of ['batched', 'serial']) {
    for (const w of mode === 'batched' ? widths : [1]) {
      const rs = runs.filter((r) => r.mode === mode && r.concurrency === w);
      for (let i = 1; i < rs.length; i++) {
        const a = rs[i - 1] as ModeRun;
        const b = rs[i] as ModeRun;
        notes.push(`${mode} width ${w}: N ${a.n} → ${b.n} (×${b.n / a.n}): wall ${fmt(a)} → ${fmt(b)} (×${(b.wallMs / a.wallMs).toFixed(1)})${b.extrapolated === true ? ' (extrapolated)' : ''}`);
      }
    }
  }
  const meta = {
    command: `node --import tsx bench/nodes-repoint.ts ${process.argv.slice(2).join(' ')}`.trim(),
    date: `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    machine: `${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, 1-min load at the end ${loadavg()[0]?.toFixed(1)}`,
  };
  const section = renderSection(runs, meta, notes);
  process.stdout.write(`${section}\n`);
  if (!values['no-write']) writeSection(values.out ?? join(repo, 'BENCHMARKS.md'), section);
}

main().catch((err: unknown) => {
  log(`bench failed: ${messageOf(err)}`);
  process.exitCode = 1;
});
