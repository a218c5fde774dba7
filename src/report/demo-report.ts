/**
 * The demo's report: the cluster before and after, side by side (etcd members and leader, master, nodes, DNS, the
 * console's record and watcher), the timeline of phases, the longest etcd write stall, the apiserver outage window,
 * and every file changed on every host with its backup. Pure: data in, text out (`-o json` prints the data).
 */
import type { ClusterPicture } from '../observe/types.ts';
import type { FileChange } from './file-changes.ts';
import type { Outage } from './outage.ts';
import type { PhaseTimes } from './timeline.ts';

export interface WriteSummary {
  readonly writes: number;
  readonly acked: number;
  readonly failed: number;
  /** Acknowledged writes missing (or different) on a new member. */
  readonly lost: number;
  readonly longestStallMs: number;
  /** Which step was running when the longest stall began. */
  readonly longestStallDuring?: string;
  readonly p99Ms: number;
}

export interface DemoReport {
  readonly runId: string;
  readonly runState: string;
  readonly exitCode: number;
  readonly durationMs: number;
  readonly before: ClusterPicture;
  readonly after: ClusterPicture;
  readonly dataCheck: { readonly ok: boolean; readonly keys: number; readonly missing: readonly string[]; readonly wrong: readonly string[] };
  readonly writes?: WriteSummary;
  readonly apiserverOutage?: Outage;
  readonly phases: readonly PhaseTimes[];
  readonly steps: readonly { readonly id: string; readonly title: string; readonly state: string; readonly durationMs?: number }[];
  readonly files: readonly FileChange[];
  readonly labKept: boolean;
}

function etcdLines(p: ClusterPicture): string[] {
  if (p.etcd === undefined) return [`(unreadable: ${p.etcdError ?? '?'})`];
  const e = p.etcd;
  return e.members.map((m) => `${m.name || '(unstarted)'} ${new URL(m.clientURLs[0] ?? m.peerURLs[0] ?? 'http://?').host}${m.id === e.leaderId ? ' LEADER' : m.isLearner ? ' learner' : ''}`);
}

function masterLines(p: ClusterPicture): string[] {
  return p.masters.map((m) => {
    const running = Object.entries(m.units).filter(([, s]) => s === 'active').map(([u]) => u.replace(/^kube-/, ''));
    return `${m.role} ${m.host}: ${m.answers ? 'answers' : 'down'}; ${running.length > 0 ? running.join(' ') : 'nothing running'}`;
  });
}

function nodeLines(p: ClusterPicture): string[] {
  if (p.nodes.error !== undefined) return [`(unreadable: ${p.nodes.error})`];
  const ready = p.nodes.list.filter((n) => n.ready === 'True').length;
  return [`${ready}/${p.nodes.list.length} Ready on ${p.nodes.apiserver ?? '?'}`, ...p.nodes.list.map((n) => `  ${n.name} ${n.ready === 'True' ? 'Ready' : `NotReady (${n.ready})`}`)];
}

function dnsLines(p: ClusterPicture): string[] {
  const d = p.dns;
  if (d === undefined) return ['(no DNS add-on)'];
  const answer = d.error !== undefined ? `FAILS: ${d.error}` : `${(d.answer ?? []).join(',')}${d.expected !== undefined ? (d.answer?.includes(d.expected) ? ' (correct)' : ` (WRONG: expected ${d.expected})`) : ''}`;
  return [`${d.name} @${d.server ?? '?'}`, `  → ${answer}`, ...d.controllers.map((c) => `  ${c}`)];
}

function consoleLines(p: ClusterPicture): string[] {
  const c = p.console;
  if (c === undefined) return ['(no console)'];
  if (c.error !== undefined) return [`(unreadable: ${c.error})`];
  return [`api ${c.api ?? '?'}`, `etcd ${c.etcd ?? '?'}`, `watcher ${c.watcher ?? 'none'}`];
}

function sideBySide(title: string, before: string[], after: string[]): string[] {
  const width = Math.max(34, ...before.map((s) => s.length)) + 3;
  const out = [`${`${title} BEFORE`.padEnd(width)}${title} AFTER`];
  for (let i = 0; i < Math.max(before.length, after.length); i++) out.push(`  ${(before[i] ?? '').padEnd(width - 2)}${after[i] ?? ''}`);
  return out;
}

const secs = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

export function renderDemoReport(r: DemoReport): string {
  const lines: string[] = [];
  lines.push(`ferry demo — run ${r.runId}: ${r.runState} in ${secs(r.durationMs)}`);
  lines.push('');
  lines.push(...sideBySide('etcd', etcdLines(r.before), etcdLines(r.after)), '');
  lines.push(...sideBySide('master', masterLines(r.before), masterLines(r.after)), '');
  lines.push(...sideBySide('nodes', nodeLines(r.before), nodeLines(r.after)), '');
  lines.push(...sideBySide('DNS', dnsLines(r.before), dnsLines(r.after)), '');
  lines.push(...sideBySide('console', consoleLines(r.before), consoleLines(r.after)), '');
  lines.push('timeline:');
  for (const p of r.phases) {
    lines.push(`  ${String(p.id)}. ${p.durationMs !== undefined ? secs(p.durationMs).padStart(7) : '      -'}  ${p.title}${p.states.every((s) => s === 'done') ? '' : ` [${p.states.join(', ')}]`}`);
  }
  lines.push('');
  if (r.writes !== undefined) {
    const w = r.writes;
    lines.push(
      `etcd writes: ${w.acked}/${w.writes} acknowledged, ${w.failed} failed, ${w.lost} lost; longest write stall ${w.longestStallMs.toFixed(0)} ms${w.longestStallDuring !== undefined ? ` (during ${w.longestStallDuring})` : ''}; p99 ${w.p99Ms.toFixed(0)} ms`,
    );
  }
  const o = r.apiserverOutage;
  lines.push(
    o === undefined
      ? 'apiserver outage: none seen (one apiserver answered at every probe)'
      : `apiserver outage: ${secs(o.ms)} with no apiserver answering${o.before !== undefined ? ` (from ${o.before}` : ' ('}${o.after !== undefined ? ` to ${o.after})` : o.recovered ? ')' : ', not recovered when the demo ended)'}`,
  );
  lines.push(
    r.dataCheck.ok
      ? `data: all ${r.dataCheck.keys} seeded keys (v3 /registry/... and the v2 flannel config) read back identical from the new members`
      : `data: PROBLEM — missing ${r.dataCheck.missing.join(', ') || 'none'}; wrong ${r.dataCheck.wrong.join(', ') || 'none'}`,
  );
  lines.push('');
  lines.push(`files changed (${r.files.length}):`);
  for (const f of r.files) lines.push(`  ${f.host} ${f.path}${f.backup !== undefined ? ` (backup ${f.backup})` : ' (new file)'}`);
  lines.push('');
  lines.push(r.labKept ? 'the lab is still up: `ferry lab status`, `ferry lab down`' : 'the lab was taken down');
  lines.push('');
  return lines.join('\n');
}

