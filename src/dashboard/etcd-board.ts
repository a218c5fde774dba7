/**
 * The etcd members as a run moves them, folded from its journal: who is a voter, a learner (with its catch-up),
 * planned or removed, whose service runs, who leads. The starting point is what the plan observed; each membership
 * action of an etcd step (member-actions.ts: add-learner, start-service, promote, move-leader, remove-member, …)
 * moves a member on, and a step's final state settles it (a resumed run adopts what it finds and may skip actions).
 * Pure.
 */
import type { EtcdMember, Inventory } from '../inventory/types.ts';
import { sameURL } from '../plan/same-url.ts';
import type { Plan, Step } from '../plan/types.ts';
import type { JournalEvent } from '../run/events.ts';
import type { EtcdBoard, EtcdMemberTile } from './view-types.ts';

type EtcdStep = Extract<Step, { kind: 'etcd.replace' | 'etcd.add' | 'etcd.remove' }>;

/** Actions that act on the step's new member; the others (remove-member, stop-old-service, archive-old-data) on the old one. */
const NEW_MEMBER_ACTIONS = new Set([
  'add-learner', 'move-stale-data-dir', 'write-config', 'reset-failed', 'start-service', 'promote',
  'remove-new-member', 'stop-new-service', 'clear-new-data-dir',
]);

const SIDES = ['old', 'new', 'other'] as const;

function hostOf(url: string | undefined): string {
  if (url === undefined) return '?';
  try {
    return new URL(url).hostname;
  } catch {
    return url;
  }
}

function isEtcdStep(step: Step): step is EtcdStep {
  return step.kind === 'etcd.replace' || step.kind === 'etcd.add' || step.kind === 'etcd.remove';
}

function membersOf(step: EtcdStep): { old?: EtcdMember; new?: EtcdMember } {
  if (step.kind === 'etcd.replace') return { old: step.params.old, new: step.params.new };
  if (step.kind === 'etcd.add') return { new: step.params.new };
  return { old: step.params.old };
}

/** The members the run starts from and may bring in, keyed by name. */
function buildStartingTiles(plan: Plan, inventory: Inventory | undefined, steps: readonly EtcdStep[]): Map<string, EtcdMemberTile> {
  const oldSide = [...(inventory?.etcd.old ?? []), ...steps.flatMap((s) => (membersOf(s).old ? [membersOf(s).old as EtcdMember] : []))];
  const newSide = [...(inventory?.etcd.new ?? []), ...steps.flatMap((s) => (membersOf(s).new ? [membersOf(s).new as EtcdMember] : []))];
  const known = [...oldSide, ...newSide];
  const sideOf = (peerURL: string | undefined): 'old' | 'new' | 'other' =>
    peerURL === undefined ? 'other' : oldSide.some((m) => sameURL(m.peerURL, peerURL)) ? 'old' : newSide.some((m) => sameURL(m.peerURL, peerURL)) ? 'new' : 'other';
  const tiles = new Map<string, EtcdMemberTile>();
  const observed = plan.observed.etcd;
  for (const m of observed.members) {
    const peer = m.peerURLs[0];
    const inv = known.find((k) => m.peerURLs.some((u) => sameURL(u, k.peerURL)));
    const name = m.name || inv?.name || peer || m.id;
    tiles.set(name, {
      name,
      host: inv?.host ?? hostOf(m.clientURLs[0] ?? peer),
      side: sideOf(peer),
      status: m.isLearner ? 'learner' : 'voter',
      ...(m.clientURLs.length > 0 ? { running: true } : {}),
      leader: m.id === observed.leaderId,
    });
  }
  for (const n of newSide) {
    if (!tiles.has(n.name) && ![...tiles.values()].some((t) => t.host === n.host && t.side === 'new')) {
      tiles.set(n.name, { name: n.name, host: n.host, side: 'new', status: 'planned', running: false, leader: false });
    }
  }
  return tiles;
}

function setLeader(board: EtcdBoard, name: string): void {
  if (!board.members.some((m) => m.name === name)) return;
  board.leader = name;
  for (const m of board.members) m.leader = m.name === name;
}

/** Folds the journal's etcd membership events over the plan's starting point. */
export function buildEtcdBoard(plan: Plan, events: readonly JournalEvent[], inventory?: Inventory): EtcdBoard {
  const steps = new Map<string, EtcdStep>();
  for (const phase of plan.phases) for (const s of phase.steps) if (isEtcdStep(s)) steps.set(s.id, s);
  const tiles = buildStartingTiles(plan, inventory, [...steps.values()]);
  // Old hosts, then new, then others; each in the inventory's order (etcd lists members by id).
  const order = [...(inventory?.etcd.old ?? []), ...(inventory?.etcd.new ?? [])].map((m) => m.name);
  const rank = (t: EtcdMemberTile) => [SIDES.indexOf(t.side), order.includes(t.name) ? order.indexOf(t.name) : order.length] as const;
  const members = [...tiles.values()].sort((a, b) => rank(a)[0] - rank(b)[0] || rank(a)[1] - rank(b)[1] || a.name.localeCompare(b.name));
  const board: EtcdBoard = { members };
  const initialLeader = board.members.find((m) => m.leader);
  if (initialLeader !== undefined) board.leader = initialLeader.name;
  const tile = (name: string | undefined) => (name === undefined ? undefined : tiles.get(name));
  const started = new Map<string, Record<string, unknown>>(); // `${stepId} ${action}` → detail of its start

  for (const e of events) {
    if (e.type === 'gate' && e.ok) {
      const check = e.checks.find((c) => c.name === 'one leader agreed by all' && c.ok);
      const m = check === undefined ? null : /^(.+) leads$/.exec(check.detail);
      if (m?.[1] !== undefined) setLeader(board, m[1]);
      continue;
    }
    if (!('stepId' in e) || e.stepId === undefined) continue;
    const step = steps.get(e.stepId);
    if (step === undefined) continue;
    const { old: o, new: n } = membersOf(step);
    const oldTile = tile(o?.name);
    const newTile = tile(n?.name);
    switch (e.type) {
      case 'progress': {
        if (e.kind !== 'catch-up') break;
        const t = tile(typeof e.data.member === 'string' ? e.data.member : undefined);
        if (t !== undefined) {
          t.catchUp = { percent: Number(e.data.percent ?? 0), applied: String(e.data.applied ?? ''), leaderIndex: String(e.data.leaderIndex ?? ''), at: e.ts };
        }
        break;
      }
      case 'step-state':
        if (e.state === 'done') {
          if (newTile !== undefined) Object.assign(newTile, { status: 'voter', running: true });
          if (oldTile !== undefined) Object.assign(oldTile, { status: 'removed', running: false, leader: false });
          if (newTile?.catchUp !== undefined) newTile.catchUp.percent = 100;
        } else if (e.state === 'rolled-back' && step.kind !== 'etcd.remove' && newTile !== undefined) {
          Object.assign(newTile, { status: 'planned', running: false, leader: false });
          delete newTile.catchUp;
        }
        for (const t of [oldTile, newTile]) if (t !== undefined) delete t.busy;
        break;
      case 'action-started': {
        started.set(`${e.stepId} ${e.action}`, e.detail ?? {});
        const t = e.action === 'move-leader' ? tile(String(e.detail?.['from'] ?? '')) : NEW_MEMBER_ACTIONS.has(e.action.split(':')[0] ?? '') ? newTile : oldTile;
        if (t !== undefined) t.busy = e.action;
        break;
      }
      case 'action-finished':
      case 'action-skipped':
      case 'action-failed': {
        const base = e.action.split(':')[0] ?? '';
        const target = base === 'move-leader' ? undefined : NEW_MEMBER_ACTIONS.has(base) ? newTile : oldTile;
        if (target !== undefined) delete target.busy;
        if (e.type === 'action-failed') break;
        const done = e.type === 'action-finished';
        if (base === 'add-learner' && newTile !== undefined && newTile.status === 'planned') {
          newTile.status = e.type === 'action-skipped' && e.reason.includes('(voter') ? 'voter' : 'learner';
        } else if (base === 'start-service' && newTile !== undefined && done) newTile.running = true;
        else if (base === 'promote' && newTile !== undefined) {
          newTile.status = 'voter';
          if (newTile.catchUp !== undefined) newTile.catchUp.percent = 100;
        } else if (base === 'move-leader') {
          const detail = started.get(`${e.stepId} ${e.action}`);
          if (done && typeof detail?.['to'] === 'string') setLeader(board, detail['to']);
          const from = tile(typeof detail?.['from'] === 'string' ? detail['from'] : undefined);
          if (from !== undefined) delete from.busy;
        } else if (base === 'remove-member' && oldTile !== undefined) Object.assign(oldTile, { status: 'removed', leader: false });
        else if (base === 'stop-old-service' && oldTile !== undefined) oldTile.running = false;
        else if (base === 'archive-old-data' && oldTile !== undefined && done) oldTile.note = 'data dir archived';
        else if (base === 'remove-new-member' && newTile !== undefined) {
          Object.assign(newTile, { status: 'planned', leader: false });
          delete newTile.catchUp;
        } else if (base === 'stop-new-service' && newTile !== undefined) newTile.running = false;
        else if (base === 'clear-new-data-dir' && newTile !== undefined && done) newTile.note = 'data dir moved aside';
        break;
      }
      default:
        break;
    }
  }
  if (board.leader !== undefined && board.members.find((m) => m.name === board.leader)?.status === 'removed') delete board.leader;
  return board;
}
