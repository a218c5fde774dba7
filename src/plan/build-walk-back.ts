/**
 * The steps of a walk-back (`ferry rollback`) beyond etcd: the original master back in place, the nodes the run
 * repointed, the DNS add-on and the console's record. Pure.
 */
import type { EtcdMember } from '../inventory/types.ts';
import type { Step } from './types.ts';
import type { ObservedMember } from '../observe/types.ts';
import { describeRepointNodes, describeRestartMaster, describeStartHeldBack, describeStopOldMaster } from './describe-master.ts';
import { buildConsoleSteps, buildDnsSteps } from './build-addons.ts';
import type { BuildPlanInput, WalkBackPlanOptions } from './build-input.ts';
import { DEFAULT_MASTER_TIMEOUTS, rolloutOf } from './defaults.ts';
import { K8S_BIN_DIR } from '../master/files.ts';
import { samePeer } from './same-url.ts';

/** Whether one of `members` that is live now is still a member after phase 2's steps (not removed there). */
function etcdSurvivesPhase2(members: readonly EtcdMember[], etcdSteps: readonly Step[], live: readonly ObservedMember[]): boolean {
  const goneInPhase2 = new Set(etcdSteps.filter((s) => s.phase === 2 && (s.kind === 'etcd.replace' || s.kind === 'etcd.remove')).map((s) => (s.kind === 'etcd.replace' || s.kind === 'etcd.remove' ? s.params.old.name : '')));
  return members.some((m) => live.some((l) => samePeer(l, m)) && !goneInPhase2.has(m.name));
}

/**
 * A walk-back's master, nodes, DNS and console steps (etcd is planned above, as for any run). The original master
 * (`master.new` of the swapped inventory) starts again in place; the master the run moved to is stopped first (with
 * its census recorded when it serves); the nodes it repointed come back; then scheduler and controller; the DNS
 * add-on and the console's record go back only when the forward run touched them. The console is stopped in phase
 * 1 and started in phase 8 in every case, so a run stopped with the console down ends with it running.
 */
export function buildWalkBackSteps(input: BuildPlanInput, wb: WalkBackPlanOptions, etcdSteps: readonly Step[], notes: string[]): Step[] {
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
