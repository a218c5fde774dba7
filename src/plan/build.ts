/**
 * The planner: `buildPlan(inventory, observed)` → the ordered steps of the migration, grouped in the runbook's
 * phases. PURE: no await, no I/O, no clock (STYLE.md §1). Everything it needs comes in as arguments.
 *
 * Order (peers.md §5; runbook §2 and §7):
 *   1. a verified snapshot before the first change;
 *   2. growth first: extra new members (target larger than source) are added before anything is removed, so the
 *      cluster gains failure tolerance before it is exercised;
 *   3. old members are replaced one at a time, non-leaders first, the leader last — each replacement is
 *      learner add → start → catch-up → promote → (move leadership away if it leads) → remove → stop → archive;
 *   4. extra old members (target smaller than source) are removed after the replacements, still non-leaders first.
 * The leader's own step goes in phase 7 ("the remaining etcd members"); everything else in phase 2.
 *
 * The planner also works from a half-migrated cluster (a re-plan after a manual step or a rollback): an old member
 * already gone needs no step, a new member already a voter needs no add, and a new member present as a learner is
 * adopted by its step.
 */
import { inputError } from '../errors.ts';
import { DEFAULTS } from '../inventory/schema.ts';
import type { EtcdMember, Inventory, NodeHost, RolloutSection } from '../inventory/types.ts';
import { computeObservedFingerprint } from './fingerprint.ts';
import { PHASES, type PhaseId } from './phases.ts';
import { PLAN_FORMAT_VERSION, type EtcdTimeouts, type Observed, type ObservedMember, type Plan, type PlanPhase, type Step } from './types.ts';
import { describeAdd, describeRemove, describeReplace, describeSnapshot } from './describe.ts';
import { describeRepointNodes, describeRestartMaster, describeStartHeldBack, describeStartNewMaster, describeStopOldMaster } from './describe-master.ts';
import type { ConsoleTarget, DnsTimeouts, MasterTimeouts } from './types.ts';
import { describeDnsUpdate } from './describe-dns.ts';
import { LATENCY_PROBE_PLAN_NOTE } from './notes.ts';
import { describeConsoleStart, describeConsoleStop, describeConsoleUpdate } from './describe-console.ts';

export const DEFAULT_MASTER_TIMEOUTS: MasterTimeouts = { stopTimeoutMs: 30_000, startTimeoutMs: 60_000 };
/** Where DomeOS installs the Kubernetes binaries (domeos.md §2.1). */
export const K8S_BIN_DIR = '/usr/sbin/domeos/k8s/current';

/** Which parts of the runbook a plan covers. */
export type Scope = 'all' | 'etcd' | 'master';

export const DEFAULT_DNS_TIMEOUTS: DnsTimeouts = { podReadyTimeoutMs: 120_000, gateTimeoutMs: 60_000 };
export const DEFAULT_CONSOLE_STOP_TIMEOUT_MS = 30_000;
export const DEFAULT_WATCHER_TIMEOUT_MS = 60_000;

export const DEFAULT_ETCD_TIMEOUTS: EtcdTimeouts = {
  addMemberTimeoutMs: 30_000,
  startTimeoutMs: 30_000,
  catchUpTimeoutMs: 120_000,
  promoteTimeoutMs: 30_000,
  moveLeaderTimeoutMs: 15_000,
  removeTimeoutMs: 30_000,
  gateTimeoutMs: 30_000,
  retryDelayMs: 100,
};

/**
 * What a walk-back (`ferry rollback`) must undo besides etcd, decided from what the forward run did and from the live
 * cluster (src/run/walk-back.ts). Its inventory has both sides swapped: `master.new` is the ORIGINAL master.
 */
export interface WalkBackPlanOptions {
  /**
   * 'keep': the forward run never stopped the original master — no master step. 'restart': it did; the original
   * starts again in place (`master.restart`), its nodes come back, then scheduler and controller.
   */
  readonly master: 'keep' | 'restart';
  /** Whether the master the forward run moved to serves now: then its census is recorded and it is stopped first. */
  readonly movedToServing: boolean;
  /** The nodes the forward run repointed (its nodes step's list): repointed back, or none. */
  readonly nodes: readonly NodeHost[];
  /** `kube-apiserver --version` seen by the forward run (for the words of the stop step). */
  readonly kubeVersion: string;
  /**
   * The forward run touched the DNS add-on: put back the objects it backed up in its folder (`runDir`), rolled to
   * `etcd` and `master` by it. Undefined: the DNS add-on still runs as it did.
   */
  readonly dns: { readonly runDir: string; readonly etcd: readonly string[]; readonly master: string } | undefined;
  /** The forward run touched the console's cluster record: put the original apiserver and etcd back. */
  readonly consoleRecord: boolean;
}

export interface BuildPlanInput {
  readonly inventory: Inventory;
  readonly inventoryPath: string;
  readonly inventorySha256: string;
  readonly observed: Observed;
  readonly timeouts?: Partial<EtcdTimeouts>;
  /** Default 'all': whatever the inventory describes. */
  readonly scope?: Scope;
  /** Set for a walk-back: see WalkBackPlanOptions (scope is then 'all'). */
  readonly walkBack?: WalkBackPlanOptions;
}

function samePeer(m: ObservedMember, member: EtcdMember): boolean {
  return m.peerURLs.some((u) => sameURL(u, member.peerURL));
}

/** URLs compare by origin, so `http://1.2.3.4:4010/` equals `http://1.2.3.4:4010`. */
export function sameURL(a: string, b: string): boolean {
  try {
    return new URL(a).origin === new URL(b).origin;
  } catch {
    return a === b;
  }
}

export function buildPlan(input: BuildPlanInput): Plan {
  const { inventory, observed } = input;
  const scope = input.scope ?? 'all';
  const timeouts: EtcdTimeouts = { ...DEFAULT_ETCD_TIMEOUTS, ...input.timeouts };
  const members = observed.etcd.members;
  const notes: string[] = [];

  // Every member of the live cluster must be one the inventory names: ferry never guesses about a stranger.
  const strangers = members.filter(
    (m) => !inventory.etcd.old.some((o) => samePeer(m, o)) && !inventory.etcd.new.some((n) => samePeer(m, n)),
  );
  if (strangers.length > 0) {
    throw inputError(
      'PLAN_UNKNOWN_MEMBER',
      `the etcd cluster has member(s) the inventory does not name: ${strangers.map((s) => `${s.name || '(unstarted)'} ${s.peerURLs.join(',')}`).join('; ')}`,
      { hint: 'add them to etcd.old (to be moved) or etcd.new (already moved), or remove them with etcdctl first' },
    );
  }
  // A learner is either a new member being brought in (its step adopts it) or an old member that never became a
  // voter (walking back an interrupted run: it is simply removed). A learner the inventory does not name is a
  // stranger, refused above.

  const leaderId = observed.etcd.leaderId;
  const oldPresent = inventory.etcd.old
    .map((o) => ({ spec: o, live: members.find((m) => samePeer(m, o)) }))
    .filter((x): x is { spec: EtcdMember; live: ObservedMember } => {
      if (x.live === undefined) notes.push(`old member ${x.spec.name} (${x.spec.peerURL}) is not in the cluster: nothing to remove`);
      return x.live !== undefined;
    });
  // Non-leaders first, the leader last (runbook §2); otherwise inventory order. An old member that is only a
  // learner goes first of all, alone: etcd allows one learner at a time, so nothing can be added while it is there.
  const oldLearners = oldPresent.filter((o) => o.live.isLearner);
  const oldVoters = oldPresent.filter((o) => !o.live.isLearner);
  oldVoters.sort((a, b) => Number(a.live.id === leaderId) - Number(b.live.id === leaderId));

  const newNeeded = inventory.etcd.new.filter((n) => {
    const live = members.find((m) => samePeer(m, n));
    if (live !== undefined && !live.isLearner) {
      notes.push(`new member ${n.name} (${n.peerURL}) is already a voting member: nothing to add`);
      return false;
    }
    if (live !== undefined) notes.push(`new member ${n.name} is already a learner: its step adopts it`);
    return true;
  });

  const pairs = Math.min(oldVoters.length, newNeeded.length);
  const extraNew = newNeeded.slice(pairs);
  const replacements = oldVoters.slice(0, pairs).map((o, i) => ({ old: o, new: newNeeded[i] as EtcdMember }));
  const extraOld = oldVoters.slice(pairs);

  const steps: Step[] = [];
  const etcdInScope = scope !== 'master';
  if (!etcdInScope) {
    replacements.length = 0;
    extraNew.length = 0;
    extraOld.length = 0;
    oldLearners.length = 0;
  }
  const anyChange = replacements.length + extraNew.length + extraOld.length + oldLearners.length > 0;
  if (anyChange) steps.push({ id: 'etcd.snapshot', kind: 'etcd.snapshot', phase: 2, ...describeSnapshot(), params: { dir: 'run' } });
  for (const o of oldLearners) {
    steps.push({
      id: `etcd.remove.${o.spec.name}`,
      kind: 'etcd.remove',
      phase: 2,
      ...describeRemove(o.spec, false),
      params: { old: o.spec, oldId: o.live.id, oldWasLeader: false, timeouts },
    });
  }
  for (const n of extraNew) {
    steps.push({ id: `etcd.add.${n.name}`, kind: 'etcd.add', phase: 2, ...describeAdd(n), params: { new: n, timeouts } });
  }
  // The new master (phase 4) runs on the new members only, so one of them must be a member by then. When none is
  // (the only old voter leads: a one-member cluster), the leader's replacement cannot wait for phase 7.
  const masterInScope = scope !== 'etcd' && inventory.master !== undefined;
  const newBeforePhase4 = inventory.etcd.new.length - newNeeded.length + extraNew.length + replacements.filter((r) => r.old.live.id !== leaderId).length;
  const leaderPhase = masterInScope && newBeforePhase4 === 0 && replacements.length > 0 ? 2 : 7;
  if (leaderPhase === 2) notes.push('no new etcd member would exist before the new master starts (phase 4): the leader is replaced in phase 2, still after every other etcd change');
  for (const r of replacements) {
    const isLeader = r.old.live.id === leaderId;
    steps.push({
      id: `etcd.replace.${r.old.spec.name}`,
      kind: 'etcd.replace',
      phase: isLeader ? leaderPhase : 2,
      ...describeReplace(r.old.spec, r.new, isLeader),
      params: { old: r.old.spec, oldId: r.old.live.id, new: r.new, oldWasLeader: isLeader, timeouts },
    });
  }
  for (const o of extraOld) {
    const isLeader = o.live.id === leaderId;
    steps.push({
      id: `etcd.remove.${o.spec.name}`,
      kind: 'etcd.remove',
      phase: isLeader ? 7 : 2,
      ...describeRemove(o.spec, isLeader),
      params: { old: o.spec, oldId: o.live.id, oldWasLeader: isLeader, timeouts },
    });
  }
  if (input.walkBack !== undefined) {
    const back = buildWalkBackSteps(input, input.walkBack, [...steps], notes);
    // A master stopped in phase 2 goes before etcd's steps there (the sort below is stable).
    steps.unshift(...back.filter((s) => s.phase === 2));
    steps.push(...back.filter((s) => s.phase !== 2));
  }
  else {
    if (scope !== 'etcd' && inventory.master !== undefined) steps.push(...buildMasterSteps(input, etcdInScope, notes));
    steps.push(...buildDnsSteps(input, notes), ...buildConsoleSteps(input));
  }
  if (scope === 'etcd' && input.walkBack === undefined && inventory.master !== undefined && etcdInScope && anyChangeIn(steps)) {
    notes.push(
      `--scope etcd leaves the master and the nodes as they are: the apiserver on ${inventory.master.old.host} (--etcd-servers) and every node's flanneld (FLANNEL_ETCD) still name the old etcd members and lose etcd when the last of them goes (phase 7); ` +
        'repoint them first (`ferry node update-config --etcd …` on each node, the apiserver’s --etcd-servers), or run the whole plan',
    );
  }
  // A removal-only leader step must still come last, after replacements placed in phase 7 (the sort is stable).
  steps.sort((a, b) => a.phase - b.phase);
  if (!anyChange && etcdInScope) notes.push('etcd already runs on exactly the new members: nothing to do');
  if (steps.length > 0) notes.push(LATENCY_PROBE_PLAN_NOTE);
  const targetVoters = inventory.etcd.new.length;
  if (targetVoters % 2 === 0) notes.push(`the target cluster has ${targetVoters} members: an even size tolerates no more failures than ${targetVoters - 1}`);

  return {
    kind: 'ferry-plan',
    formatVersion: PLAN_FORMAT_VERSION,
    inventory: { name: inventory.name, path: input.inventoryPath, sha256: input.inventorySha256 },
    observedFingerprint: computeObservedFingerprint(observed.etcd),
    observed,
    targetVoters,
    notes,
    phases: groupIntoPhases(steps),
  };
}

/** Phases 3–6: stop the old master, start the new one, repoint the nodes, then start scheduler and controller. */
function buildMasterSteps(input: BuildPlanInput, etcdInScope: boolean, notes: string[]): Step[] {
  const { inventory, observed } = input;
  const master = inventory.master;
  const kube = observed.kube;
  if (master === undefined) return [];
  if (kube === undefined) throw inputError('PLAN_NO_KUBE_OBSERVATION', 'the inventory has a master but the apiserver side was not observed', { hint: 'this is a bug in the caller of buildPlan' });
  if (kube.oldVersion !== kube.newVersion) {
    throw inputError('MASTER_VERSION_MISMATCH', `the new master ${master.new.host} has Kubernetes ${kube.newVersion}, the old master ${master.old.host} ${kube.oldVersion}`, {
      subjects: { host: master.new.host },
      hint: `install ${kube.oldVersion} on ${master.new.host} (the runbook insists on the same version), then plan again`,
    });
  }
  if (!kube.oldApiserverUp) notes.push(`the old apiserver ${master.old.apiserver} does not answer now: stopping it will find it stopped`);
  const etcd = etcdInScope ? inventory.etcd.new.map((m) => m.clientURL) : undefined;
  const timeouts = DEFAULT_MASTER_TIMEOUTS;
  const rollout = rolloutOf(inventory);
  const steps: Step[] = [
    { id: 'master.stop-old', kind: 'master.stop-old', phase: 3, ...describeStopOldMaster(master.old, master.new, kube.oldVersion), params: { old: master.old, new: master.new, binDir: K8S_BIN_DIR, timeouts } },
    { id: 'master.start-new', kind: 'master.start-new', phase: 4, ...describeStartNewMaster(master.old, master.new, etcd), params: { old: master.old, new: master.new, ...(etcd ? { etcd } : {}), timeouts } },
  ];
  if (kube.nodes.length > 0) {
    steps.push({
      id: 'nodes.repoint',
      kind: 'nodes.repoint',
      phase: 5,
      ...describeRepointNodes(kube.nodes, master.new.apiserver, etcd, rollout, kube.nodesSource === 'inventory' ? 'listed in the inventory' : 'found on the old apiserver'),
      params: { nodes: kube.nodes, master: master.new.apiserver, ...(etcd ? { etcd } : {}), rollout },
    });
  } else notes.push('no nodes to repoint');
  steps.push({ id: 'master.start-held-back', kind: 'master.start-held-back', phase: 6, ...describeStartHeldBack(master.new), params: { new: master.new, nodes: kube.nodes, timeouts } });
  return steps;
}

function rolloutOf(inventory: Inventory): RolloutSection {
  const d = DEFAULTS.rollout;
  return inventory.rollout ?? { canary: d.canary, batchSize: d.batchSize, concurrency: d.concurrency, maxFailures: d.maxFailures, readyTimeoutMs: d.readyTimeoutSeconds * 1000 };
}

/**
 * A walk-back's master, nodes, DNS and console steps (etcd is planned above, as for any run). The original master
 * (`master.new` of the swapped inventory) starts again in place; the master the run moved to is stopped first (with
 * its census recorded when it serves); the nodes it repointed come back; then scheduler and controller; the DNS
 * add-on and the console's record go back only when the forward run touched them. The console is stopped in phase
 * 1 and started in phase 8 in every case, so a run stopped with the console down ends with it running.
 */
/** Whether one of `members` that is live now is still a member after phase 2's steps (not removed there). */
function etcdSurvivesPhase2(members: readonly EtcdMember[], etcdSteps: readonly Step[], live: readonly ObservedMember[]): boolean {
  const goneInPhase2 = new Set(etcdSteps.filter((s) => s.phase === 2 && (s.kind === 'etcd.replace' || s.kind === 'etcd.remove')).map((s) => (s.kind === 'etcd.replace' || s.kind === 'etcd.remove' ? s.params.old.name : '')));
  return members.some((m) => live.some((l) => samePeer(l, m)) && !goneInPhase2.has(m.name));
}

function buildWalkBackSteps(input: BuildPlanInput, wb: WalkBackPlanOptions, etcdSteps: readonly Step[], notes: string[]): Step[] {
  const { inventory } = input;
  const master = inventory.master;
  const steps: Step[] = [];
  if (master !== undefined && wb.master === 'restart') {
    const timeouts = DEFAULT_MASTER_TIMEOUTS;
    const etcd = inventory.etcd.new.map((m) => m.clientURL);
    if (wb.movedToServing) {
      // That master is on the forward run's new members only. When none of them outlives phase 2 here (the forward
      // run stopped before its phase 7 added the last one), it is stopped — its census taken — before etcd moves.
      const early = !etcdSurvivesPhase2(inventory.etcd.old, etcdSteps, input.observed.etcd.members);
      if (early) notes.push(`the master the run moved to (${master.old.apiserver}) uses only etcd members that go in phase 2: it is stopped before them`);
      const stop: Step = { id: 'master.stop-old', kind: 'master.stop-old', phase: early ? 2 : 3, ...describeStopOldMaster(master.old, master.new, wb.kubeVersion), params: { old: master.old, new: master.new, binDir: K8S_BIN_DIR, timeouts } };
      steps.push(stop);
    } else notes.push(`the master the run moved to (${master.old.apiserver}) does not serve: nothing to record or stop there first`);
    steps.push({ id: 'master.restart', kind: 'master.restart', phase: 4, ...describeRestartMaster(master.new, master.old), params: { master: master.new, other: master.old, timeouts } });
    if (wb.nodes.length > 0) {
      const rollout = rolloutOf(inventory);
      steps.push({
        id: 'nodes.repoint',
        kind: 'nodes.repoint',
        phase: 5,
        ...describeRepointNodes(wb.nodes, master.new.apiserver, etcd, rollout, 'the ones the run repointed'),
        params: { nodes: wb.nodes, master: master.new.apiserver, etcd, rollout },
      });
    } else notes.push('the run repointed no node: the nodes still use the original master');
    steps.push({ id: 'master.start-held-back', kind: 'master.start-held-back', phase: 6, ...describeStartHeldBack(master.new), params: { new: master.new, nodes: wb.nodes, timeouts } });
  } else if (master !== undefined) notes.push(`the run never stopped the original master ${master.new.apiserver}: nothing to do for the master and the nodes`);
  if (wb.dns !== undefined) {
    const from = wb.dns;
    steps.push(
      ...buildDnsSteps(input, notes).map((s): Step =>
        s.kind !== 'dns.update'
          ? s
          : {
              ...s,
              title: `Put back the DNS add-on the run changed (${s.params.controllers.join(', ')})`,
              does: [
                `from the backup in ${from.runDir}/dns-backup: each controller back under its old name, size and args (re-created if deleted) and Ready before the one the run made goes — whatever half-state the run left`,
                `then the service's selector as it was; through the apiserver ${s.params.apiserver}`,
              ],
              checks: [`after: \`dig @<the DNS service's cluster IP> kubernetes.default.svc.${s.params.domain}\` answers`],
              undoes: ['nothing: the objects put back stay; `ferry resume` runs the step again'],
              params: { ...s.params, restoreFrom: from },
            },
      ),
    );
  }
  else if (inventory.dns !== undefined && master !== undefined) notes.push('the run never touched the DNS add-on: it still uses the original etcd members and master');
  const consoleSteps = buildConsoleSteps(input);
  if (!wb.consoleRecord && consoleSteps.length > 0) notes.push("the run never changed the console's cluster record: it still names the original apiserver and etcd members");
  steps.push(...consoleSteps.filter((s) => wb.consoleRecord || s.kind !== 'console.update'));
  return steps;
}

/**
 * Phase 6, after scheduler and controller run again: kube2sky and skydns move to the etcd members and the master
 * the cluster ends with (in a one-sided migration, the side that does not move keeps its endpoints).
 */
function buildDnsSteps(input: BuildPlanInput, notes: string[]): Step[] {
  const { inventory, observed } = input;
  const scope = input.scope ?? 'all';
  const master = inventory.master;
  const dns = inventory.dns;
  if (master === undefined || dns === undefined) return [];
  const seen = observed.dns;
  if (seen !== undefined && seen.serviceSelector === undefined && seen.controllers.length === 0) {
    notes.push(`no DNS add-on found (service ${dns.namespace}/${dns.service}, controllers ${dns.controllers.join(', ')}): nothing to roll`);
    return [];
  }
  if (seen === undefined) notes.push('the DNS add-on could not be observed (no apiserver answered): its step checks it when it runs');
  else if (seen.missing.length > 0) notes.push(`DNS controller(s) not found: ${seen.missing.join(', ')} — the DNS step will refuse until they exist or the inventory's dns.controllers is corrected`);
  const apiserver = scope === 'etcd' ? master.old.apiserver : master.new.apiserver;
  const etcd = (scope === 'master' ? inventory.etcd.old : inventory.etcd.new).map((m) => m.clientURL);
  const params = { apiserver, namespace: dns.namespace, service: dns.service, controllers: dns.controllers, domain: dns.domain, etcd, master: apiserver, timeouts: DEFAULT_DNS_TIMEOUTS };
  return [{ id: 'dns.update', kind: 'dns.update', phase: 6, ...describeDnsUpdate(params, seen), params }];
}

/** Phases 1, 8 and 9: the DomeOS server is stopped first, started at the end, then told where the cluster is. */
function buildConsoleSteps(input: BuildPlanInput): Step[] {
  const { inventory } = input;
  const scope = input.scope ?? 'all';
  const d = inventory.domeos;
  if (d === undefined) return [];
  const target: ConsoleTarget = {
    url: d.url,
    cluster: d.cluster,
    host: d.host,
    service: d.service,
    ...(d.stopCommand !== undefined ? { stopCommand: d.stopCommand } : {}),
    ...(d.startCommand !== undefined ? { startCommand: d.startCommand } : {}),
    ...(d.credentialsFile !== undefined ? { credentialsFile: d.credentialsFile } : {}),
  };
  const apiserver = scope !== 'etcd' && inventory.master !== undefined ? inventory.master.new.apiserver : undefined;
  const etcd = scope !== 'master' ? inventory.etcd.new.map((m) => m.clientURL) : undefined;
  const update = { console: target, ...(apiserver !== undefined ? { apiserver } : {}), ...(etcd !== undefined ? { etcd } : {}), watcherTimeoutMs: DEFAULT_WATCHER_TIMEOUT_MS };
  return [
    { id: 'console.stop', kind: 'console.stop', phase: 1, ...describeConsoleStop(target), params: { console: target, stopTimeoutMs: DEFAULT_CONSOLE_STOP_TIMEOUT_MS } },
    { id: 'console.start', kind: 'console.start', phase: 8, ...describeConsoleStart(target), params: { console: target, healthTimeoutMs: d.healthTimeoutMs } },
    { id: 'console.update', kind: 'console.update', phase: 9, ...describeConsoleUpdate(update), params: update },
  ];
}

function anyChangeIn(steps: readonly Step[]): boolean {
  return steps.some((s) => s.kind.startsWith('etcd.') && s.kind !== 'etcd.snapshot');
}

function groupIntoPhases(steps: readonly Step[]): PlanPhase[] {
  const out: PlanPhase[] = [];
  for (const p of PHASES) {
    const inPhase = steps.filter((s) => s.phase === (p.id as PhaseId));
    if (inPhase.length > 0) out.push({ id: p.id, key: p.key, title: p.title, reason: p.reason, steps: inPhase });
  }
  return out;
}

/** All steps of a plan in execution order. */
export function planSteps(plan: Plan): Step[] {
  return plan.phases.flatMap((p) => p.steps);
}
