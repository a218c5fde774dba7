/** The demo's before/after report. Pure: data in, text out. */
import { idToHex } from '../etcd/ids.ts';
import type { ObservedEtcd } from '../plan/types.ts';

export interface DemoReport {
  readonly runId: string;
  readonly runState: string;
  readonly exitCode: number;
  readonly durationMs: number;
  readonly before: ObservedEtcd;
  readonly after: ObservedEtcd;
  readonly dataCheck: { readonly ok: boolean; readonly keys: number; readonly missing: readonly string[]; readonly wrong: readonly string[] };
  readonly steps: readonly { readonly id: string; readonly title: string; readonly state: string; readonly durationMs?: number }[];
  readonly labKept: boolean;
}

function members(e: ObservedEtcd): string[] {
  return e.members.map((m) => `${m.name || '(unstarted)'}${m.id === e.leaderId ? ' (leader)' : m.isLearner ? ' (learner)' : ''} ${m.peerURLs[0] ?? ''} ${idToHex(m.id)}`);
}

export function renderDemoReport(r: DemoReport): string {
  const b = members(r.before);
  const a = members(r.after);
  const width = Math.max(30, ...b.map((s) => s.length)) + 2;
  const lines: string[] = [];
  lines.push(`ferry demo — run ${r.runId}: ${r.runState} in ${(r.durationMs / 1000).toFixed(1)} s`);
  lines.push('');
  lines.push(`${'etcd BEFORE'.padEnd(width)}etcd AFTER`);
  for (let i = 0; i < Math.max(a.length, b.length); i++) lines.push(`${(b[i] ?? '').padEnd(width)}${a[i] ?? ''}`);
  lines.push('');
  lines.push('steps:');
  for (const s of r.steps) lines.push(`  ${s.state.padEnd(12)} ${s.durationMs !== undefined ? `${(s.durationMs / 1000).toFixed(1).padStart(5)} s` : '       '}  ${s.title}`);
  lines.push('');
  lines.push(
    r.dataCheck.ok
      ? `data: all ${r.dataCheck.keys} seeded keys (v3 /registry/... and the v2 flannel config) read back identical from the new members`
      : `data: PROBLEM — missing ${r.dataCheck.missing.join(', ') || 'none'}; wrong ${r.dataCheck.wrong.join(', ') || 'none'}`,
  );
  lines.push(r.labKept ? 'the lab is still up (--keep): `ferry lab status`, `ferry lab down`' : 'the lab was taken down');
  lines.push('');
  return lines.join('\n');
}
