/**
 * The nodes of a run's `nodes.repoint` step and where each stands, folded from its per-node actions
 * (steps/nodes/repoint.ts journals one action `node:<name>` per node): running once started, done when finished,
 * rolled back when it failed and restored its own files (NODE_UPDATE_ROLLED_BACK), failed otherwise. Pure.
 */
import type { Plan } from '../plan/types.ts';
import type { JournalEvent } from '../run/events.ts';
import type { NodeBoard, NodeState, NodeTile } from './view-types.ts';
import type { RolloutProgress } from '../fleet/rollout.ts';

const PREFIX = 'node:';

export function buildNodeBoard(plan: Plan, events: readonly JournalEvent[]): NodeBoard | undefined {
  const step = plan.phases.flatMap((p) => p.steps).find((s) => s.kind === 'nodes.repoint');
  if (step === undefined || step.kind !== 'nodes.repoint') return undefined;
  const tiles = new Map<string, NodeTile>(step.params.nodes.map((n) => [n.name, { name: n.name, host: n.host, state: 'pending' }]));
  let rollout: RolloutProgress | undefined;
  for (const e of events) {
    if (!('stepId' in e) || e.stepId !== step.id) continue;
    if (e.type === 'progress' && e.kind === 'rollout') {
      rollout = e.data;
      continue;
    }
    if (e.type !== 'action-started' && e.type !== 'action-finished' && e.type !== 'action-skipped' && e.type !== 'action-failed') continue;
    if (!e.action.startsWith(PREFIX)) continue;
    const tile = tiles.get(e.action.slice(PREFIX.length));
    if (tile === undefined) continue;
    if (e.type === 'action-started') {
      tile.state = 'running';
      delete tile.detail;
    } else if (e.type === 'action-failed') {
      tile.state = e.error.code === 'NODE_UPDATE_ROLLED_BACK' ? 'rolled-back' : 'failed';
      tile.detail = `${e.error.code}: ${e.error.message}`;
    } else if (e.type === 'action-skipped') {
      tile.state = 'done';
      tile.detail = e.reason;
    } else {
      tile.state = 'done';
      const r = e.result ?? {};
      if (r['alreadyUpToDate'] === true) tile.detail = 'already up to date; Ready';
      else if (typeof r['readyAfterMs'] === 'number') tile.detail = `Ready after ${(r['readyAfterMs'] / 1000).toFixed(1)} s`;
    }
  }
  const counts: Record<NodeState, number> = { pending: 0, running: 0, done: 0, failed: 0, 'rolled-back': 0 };
  for (const t of tiles.values()) counts[t.state] += 1;
  return { nodes: [...tiles.values()], counts, ...(rollout !== undefined ? { rollout } : {}) };
}
