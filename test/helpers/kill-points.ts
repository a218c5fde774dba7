/**
 * Where the crash tests kill ferry (FERRY_FAULT specs, src/run/faults.ts), in the order a run passes them, for the
 * lab environment of test/helpers/master-lab.ts with the DomeOS console and DNS: every step's two boundaries
 * (`kill-at:step-started`, `kill-at:step-verified`) and points inside the steps — between a member add and its
 * start, between a promote and a remove, mid node batch, mid DNS rolling update, mid console update, between the
 * services the master steps stop and start. Action names are those the journal writes (src/steps/**).
 * On the crash lab (test/helpers/crash-lab.ts): 62 points, 44 of them in the chain test (`chain: true`).
 */
import type { JournalEvent } from '../../src/run/events.ts';

export interface KillPoint {
  /** The FERRY_FAULT spec. */
  readonly fault: string;
  /** The step ferry must be in when it dies. */
  readonly stepId: string;
  readonly phase: number;
  readonly at: 'step-started' | 'step-verified' | 'before' | 'after';
  /** The action, for `before` / `after`. */
  readonly action?: string;
  /** Part of the chain test (test/integration/crash-chain.test.ts); the isolated bench runs every point. */
  readonly chain: boolean;
}

/** What the kill points need of a plan's step (Step from src/plan/types.ts fits). */
export interface PlannedStep {
  readonly id: string;
  readonly kind: string;
  readonly phase: number;
  readonly params: unknown;
}

export interface KillPointOptions {
  /** The node names in the order the plan repoints them. */
  readonly nodes: readonly string[];
  /** The name the DNS rolling update gives a controller's successor; the lab's v9 controllers become `<name>-v10`. */
  readonly dnsNext?: (controller: string) => string;
}

/** A point inside a step; `solo`: only in the isolated bench, left out of the chain test to keep it short. */
interface Inner {
  readonly when: 'before' | 'after';
  readonly action: string;
  readonly solo?: boolean;
}
const after = (...actions: string[]): Inner[] => actions.map((action) => ({ when: 'after', action }));
const solo = (...actions: string[]): Inner[] => actions.map((action) => ({ when: 'after', action, solo: true }));

/** The points inside one step, in run order. `nth`: how many steps of the same kind came before it. */
function innerPoints(step: PlannedStep, nth: number, o: KillPointOptions): Inner[] {
  const params = (step.params ?? {}) as { oldWasLeader?: boolean; controllers?: readonly string[] };
  const next = o.dnsNext ?? ((c: string) => `${c}-v10`);
  switch (step.kind) {
    case 'console.stop':
      return solo('stop');
    case 'console.start':
      return after('start');
    case 'etcd.snapshot':
      return after('save-snapshot');
    case 'etcd.replace':
      if (params.oldWasLeader === true) return after('add-learner', 'start-service', 'promote', 'move-leader', 'remove-member');
      // The first replacement at every action; the others at the add/start gap and between promote and remove.
      if (nth === 0) return [...after('add-learner'), ...solo('write-config'), ...after('start-service', 'promote', 'remove-member'), ...solo('archive-old-data')];
      return [...after('add-learner', 'start-service'), { when: 'before', action: 'remove-member' }];
    case 'master.stop-old':
      return [...solo('census'), ...after('stop:kube-controller', 'stop:kube-scheduler'), ...solo('stop:kube-proxy')];
    case 'master.start-new':
      return [...solo('write-config'), ...after('start:flanneld', 'start:kube-apiserver')];
    case 'nodes.repoint':
      // Mid batch: after each node but the last.
      return after(...o.nodes.slice(0, -1).map((n) => `node:${n}`));
    case 'master.start-held-back':
      return after('start:kube-controller');
    case 'dns.update': {
      const [first, ...rest] = params.controllers ?? [];
      const points = solo('backup', 'service-selector');
      // The first controller at every move of its rolling update, the others once the successor is scaled up.
      if (first !== undefined) points.push(...solo(`create:${next(first)}`), ...after(`scale:${next(first)}:1`, `scale:${first}:0`, `delete:${first}`));
      for (const c of rest) points.push(...after(`scale:${next(c)}:1`));
      return points;
    }
    case 'console.update':
      return [...solo('read'), ...after('update-cluster', 'watcher:stop', 'watcher:delete', 'watcher:create')];
    default:
      return [];
  }
}

/** Step boundaries left out of the chain test (each step keeps at least one point there). */
const SOLO_BOUNDARIES: Readonly<Record<string, readonly KillPoint['at'][]>> = {
  'console.stop': [],
  'etcd.snapshot': ['step-verified'],
  'master.stop-old': ['step-started'],
  'master.start-held-back': ['step-started'],
  'console.start': ['step-started'],
  'console.update': ['step-started'],
};

export function buildKillPoints(steps: readonly PlannedStep[], o: KillPointOptions): KillPoint[] {
  const points: KillPoint[] = [];
  const seen = new Map<string, number>();
  for (const step of steps) {
    const nth = seen.get(step.kind) ?? 0;
    seen.set(step.kind, nth + 1);
    const soloAt = (at: KillPoint['at']) => (SOLO_BOUNDARIES[step.kind] ?? []).includes(at) || (step.kind === 'etcd.replace' && nth === 1) || (step.kind === 'etcd.replace' && at === 'step-started' && (step.params as { oldWasLeader?: boolean }).oldWasLeader === true);
    const base = { stepId: step.id, phase: step.phase };
    points.push({ ...base, at: 'step-started', fault: `kill-at:step-started@${step.id}`, chain: !soloAt('step-started') });
    for (const p of innerPoints(step, nth, o)) points.push({ ...base, at: p.when, action: p.action, fault: `kill-${p.when}:${p.action}@${step.id}`, chain: p.solo !== true });
    points.push({ ...base, at: 'step-verified', fault: `kill-at:step-verified@${step.id}`, chain: !soloAt('step-verified') });
  }
  return points;
}

/** `--only SUBSTR` / `--limit N` of the torture bench, and the chain test's own selection. */
export function selectKillPoints(points: readonly KillPoint[], o: { only?: string; limit?: number; every?: number } = {}): KillPoint[] {
  const matching = o.only === undefined ? [...points] : points.filter((p) => p.fault.includes(o.only as string));
  // Every n-th point (1st, n+1-th, …): a sample spread over the whole run.
  const chosen = o.every === undefined ? matching : matching.filter((_, i) => i % (o.every as number) === 0);
  return o.limit === undefined ? chosen : chosen.slice(0, o.limit);
}

function lastIndex<T>(xs: readonly T[], pred: (x: T) => boolean): number {
  for (let i = xs.length - 1; i >= 0; i--) if (pred(xs[i] as T)) return i;
  return -1;
}

/**
 * Does the journal of a killed process end where `point` says it died? Undefined when it does, else what it shows.
 * (Whether the run is `interrupted` in `point.stepId` is the caller's check, on the folded journal.)
 */
export function findKillMismatch(events: readonly JournalEvent[], point: KillPoint): string | undefined {
  const last = events[events.length - 1];
  const show = (e: JournalEvent | undefined) => JSON.stringify(e)?.slice(0, 300) ?? 'nothing';
  const stepStates = events.filter((e): e is Extract<JournalEvent, { type: 'step-state' }> => e.type === 'step-state' && e.stepId === point.stepId);
  switch (point.at) {
    case 'step-started':
      return last?.type === 'step-state' && last.stepId === point.stepId && last.state === 'running' ? undefined : `the journal ends with ${show(last)}`;
    case 'step-verified':
      return stepStates[stepStates.length - 1]?.state === 'verifying' && last?.type !== 'action-started' ? undefined : `the journal ends with ${show(last)}`;
    case 'after':
      return last?.type === 'action-finished' && last.stepId === point.stepId && last.action === point.action ? undefined : `the journal ends with ${show(last)}`;
    case 'before': {
      const attached = lastIndex(events, (e) => e.type === 'process-attached');
      const started = events.slice(attached + 1).some((e) => e.type === 'action-started' && e.stepId === point.stepId && e.action === point.action);
      return !started && last?.type !== 'action-started' ? undefined : `${point.action} was started: the journal ends with ${show(last)}`;
    }
  }
}
