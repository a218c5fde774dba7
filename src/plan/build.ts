/**
 * The planner: `buildPlan(inventory, observed)` → the ordered steps of the migration, grouped in the runbook's
 * phases. PURE: no await, no I/O, no clock (docs/design/style.md §1). Everything it needs comes in as arguments.
 *
 * Order (docs/design/safety-rules.md §5; runbook §2 and §7):
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
import type { EtcdMember } from '../inventory/types.ts';
import { computeObservedFingerprint } from './fingerprint.ts';
import { PHASES, type PhaseId } from './phases.ts';
import { PLAN_FORMAT_VERSION, type EtcdTimeouts, type Plan, type PlanPhase, type Step } from './types.ts';
import { type ObservedMember } from '../observe/types.ts';
import { describeAdd, describeRemove, describeReplace, describeSnapshot } from './describe.ts';
import { describeRepointNodes, describeStartHeldBack, describeStartNewMaster, describeStopOldMaster } from './describe-master.ts';
import { LATENCY_PROBE_PLAN_NOTE } from './notes.ts';
import { buildConsoleSteps, buildDnsSteps } from './build-addons.ts';
import type { BuildPlanInput } from './build-input.ts';
import { buildWalkBackSteps } from './build-walk-back.ts';
import { DEFAULT_ETCD_TIMEOUTS, DEFAULT_MASTER_TIMEOUTS, rolloutOf } from './defaults.ts';
import { K8S_BIN_DIR } from '../master/files.ts';
import { samePeer } from './same-url.ts';
import { renderVersionsNote } from '../etcd/versions.ts';
import { chooseEtcdMethod, type EtcdJoin } from '../etcd/method.ts';
import { renderStoresNote } from '../etcd/stores.ts';
import { renderStorageBackendNote } from '../kube/storage-backend.ts';

/** How new members join, from the versions read (none read: as learners); a cluster ferry cannot move is refused. */
function chooseJoin(input: BuildPlanInput, notes: string[]): EtcdJoin {
  const versions = input.observed.etcd.versions;
  if (versions === undefined) return 'learner';
  const choice = chooseEtcdMethod(versions, input.inventory.etcd.allowVoterAdd === true);
  if (!choice.ok) throw inputError(choice.code, choice.message, { hint: choice.hint, subjects: { member: choice.member } });
  notes.push(...choice.notes);
  return choice.join;
}

export function buildPlan(input: BuildPlanInput): Plan {
  const { inventory, observed } = input;
  const scope = input.scope ?? 'all';
  const timeouts: EtcdTimeouts = { ...DEFAULT_ETCD_TIMEOUTS, ...input.timeouts };
  const members = observed.etcd.members;
  const notes: string[] = observed.etcd.versions !== undefined ? [renderVersionsNote(observed.etcd.versions)] : [];
  const join = chooseJoin(input, notes);
  if (observed.etcd.stores !== undefined) notes.push(renderStoresNote(observed.etcd.stores));
  if (observed.kube?.storageBackend !== undefined) notes.push(renderStorageBackendNote(observed.kube.storageBackend));
  const joinParam = join === 'voter' ? { join } : {};

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
  const voters = members.filter((m) => !m.isLearner).length;
  if (join === 'voter' && voters === 1 && etcdInScope && replacements.length + extraNew.length > 0) {
    throw inputError('ETCD_VOTER_ADD_UNSAFE', 'the etcd cluster has one member and no learners (before 3.4): a second voter would make a quorum of 2 with one member down until it starts, and etcd would stop taking writes', {
      hint: 'upgrade the cluster to etcd 3.4 first (members then join as learners), or move this one member by hand in a maintenance window',
    });
  }
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
    steps.push({ id: `etcd.add.${n.name}`, kind: 'etcd.add', phase: 2, ...describeAdd(n, join), params: { new: n, timeouts, ...joinParam } });
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
      ...describeReplace(r.old.spec, r.new, isLeader, join),
      params: { old: r.old.spec, oldId: r.old.live.id, new: r.new, oldWasLeader: isLeader, timeouts, ...joinParam },
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
