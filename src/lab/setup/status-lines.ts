import type { LabK8sStatus } from './status.ts';

/** Text lines for `ferry lab status` (pure): one per master, a nodes summary, Ready counts per apiserver. */
export function renderLabK8sStatusLines(k8s: LabK8sStatus): string[] {
  const lines: string[] = [];
  for (const m of k8s.masters) {
    const units = m.unitStates.length === 0 ? 'nothing started' : m.unitStates.map((u) => `${u.unit} ${u.state}`).join(', ');
    lines.push(`${m.role} master ${m.address} (v${m.k8sVersion}, ${m.apiserver} ${m.healthz === 'ok' ? 'healthy' : `not answering: ${m.healthz}`}): ${units}`);
  }
  const counts = Object.entries(k8s.nodes.unitStates).map(([unit, c]) => `${unit} ${Object.entries(c).map(([st, n]) => `${n} ${st}`).join('/')}`);
  lines.push(`nodes: ${k8s.nodes.total} (${k8s.nodes.generated} generated): ${counts.join(', ')}`);
  for (const r of k8s.nodes.ready) lines.push(`  Ready on ${r.apiserver}: ${r.ready !== undefined ? `${r.ready}/${k8s.nodes.total}` : `? (${r.error ?? 'no answer'})`}`);
  if (k8s.dns !== undefined) {
    const d = k8s.dns;
    lines.push(`dns: ${d.service} at ${d.clusterDns}: ${d.query} ${d.answer !== undefined ? `→ ${d.answer.join(', ')}` : `not answering (${d.error ?? '?'})`}`);
  }
  return lines;
}
