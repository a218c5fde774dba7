/** The plan as an operator reads it: phases in the runbook's order, each step with what it does, checks and undoes. Pure. */
import { idToHex } from '../etcd/ids.ts';
import type { Plan } from './types.ts';

export interface RenderOptions {
  /** Wrap text in ANSI colour (only on a terminal, never with NO_COLOR). */
  readonly color?: boolean;
}

export function renderPlanText(plan: Plan, o: RenderOptions = {}): string {
  const bold = (s: string) => (o.color ? `\x1b[1m${s}\x1b[0m` : s);
  const dim = (s: string) => (o.color ? `\x1b[2m${s}\x1b[0m` : s);
  const lines: string[] = [];
  const etcd = plan.observed.etcd;
  const leader = etcd.members.find((m) => m.id === etcd.leaderId);
  lines.push(bold(`Plan for ${plan.inventory.name}`) + dim(`  (${plan.inventory.path}, plan format v${plan.formatVersion})`));
  lines.push('');
  lines.push(`etcd now (${etcd.version}): ${etcd.members.length} member(s), leader ${leader ? leader.name : 'unknown'}`);
  for (const m of etcd.members) {
    const role = m.id === etcd.leaderId ? 'leader' : m.isLearner ? 'learner' : 'voter';
    lines.push(`  ${(m.name || '(unstarted)').padEnd(16)} ${idToHex(m.id).padEnd(17)} ${role.padEnd(8)} ${m.peerURLs.join(',')}`);
  }
  lines.push(`target: ${plan.targetVoters} member(s)`);
  for (const n of plan.notes) lines.push(dim(`note: ${n}`));
  let k = 0;
  for (const phase of plan.phases) {
    lines.push('');
    lines.push(bold(`Phase ${phase.id}. ${phase.title}`));
    lines.push(dim(`  why here: ${phase.reason}`));
    for (const step of phase.steps) {
      k++;
      lines.push('');
      lines.push(`  ${k}. ${bold(step.title)}  ${dim(`[${step.id}]`)}`);
      lines.push('     does:');
      step.does.forEach((d, i) => lines.push(`       ${String.fromCharCode(97 + i)}) ${d}`));
      lines.push('     checks:');
      for (const c of step.checks) lines.push(`       - ${c}`);
      lines.push('     undoes:');
      for (const u of step.undoes) lines.push(`       - ${u}`);
    }
  }
  if (k === 0) {
    lines.push('');
    lines.push('Nothing to do.');
  }
  lines.push('');
  return lines.join('\n');
}
