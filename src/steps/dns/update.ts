/**
 * `dns.update` (runbook phase 6, after the scheduler and the controller run again): kube2sky and skydns move to
 * the etcd members and the master the cluster ends with.
 *   1. back up skydns-svc and the controllers to `<run>/dns-backup/` (once: a resume never overwrites it);
 *   2. drop `version` from the service's selector, or the DNS breaks while old and new pods differ in version;
 *   3. each controller in turn: RCs rolled to their next version as `kubectl rolling-update` did (roll.ts),
 *      Deployments updated in place.
 * Gate: the new pods Ready with the new args, the service's endpoints exactly those pods, and a DNS query for
 * `kubernetes.default.svc.<domain>` through the service answering the kubernetes service's cluster IP.
 * Rollback: back to the backed-up objects (restore.ts).
 */
import { FerryError } from '../../errors.ts';
import { buildServiceSelectorWithoutVersion } from '../../dns/next-version.ts';
import { buildDnsEndpoints } from '../../dns/dns-args.ts';
import { DNS_BACKUP_DIR, readDnsBackup, writeDnsBackup, type DnsBackup } from '../../adapters/dns-backup.ts';
import { buildServicePodFacts, computeEndpointsCheck } from '../../dns/gate.ts';
import { computeDeploymentAction } from '../../dns/deployment-state.ts';
import type { PodTemplate } from '../../kube/objects.ts';
import { computeLivePods, describeNotReady } from '../../dns/pods.ts';
import type { ControllerUpdate } from '../../dns/controllers.ts';
import type { GateCheck } from '../../gate-check.ts';
import type { KubeWorkloads } from '../../ports/kube.ts';
import type { DnsStep } from '../../plan/types.ts';
import type { StepContext, StepHandler } from '../../run/step-context.ts';
import { buildUpdates, readDeploymentState, readDnsObjects, readRcPair, targetsOf } from './live.ts';
import { restoreController, restoreDeployment, restoreService } from './restore.ts';
import { rollController, updateDeployment } from './roll.ts';
import { buildGateQuery, checkDnsAnswers, pollChecks } from './waits.ts';
import { join } from 'node:path';

/** Bound on one DNS query of the gate, in ms (the gate retries until its own bound). */
const QUERY_TIMEOUT_MS = 2000;

function clusterIPOf(backup: DnsBackup): string {
  return String(backup.service.spec?.['clusterIP'] ?? '');
}

async function ensureBackup(ctx: StepContext, step: DnsStep, wl: KubeWorkloads): Promise<DnsBackup> {
  const existing = readDnsBackup(ctx.runDir);
  if (existing !== undefined) {
    ctx.skip('backup', `taken before, in ${join(ctx.runDir, DNS_BACKUP_DIR)}`);
    return existing;
  }
  // No complete backup: nothing was changed yet, so what is live now is what was there before.
  const backup = await readDnsObjects(wl, step);
  buildUpdates(backup, targetsOf(step));
  await ctx.action('backup', { dir: join(ctx.runDir, DNS_BACKUP_DIR) }, async () => writeDnsBackup(ctx.runDir, backup), (files) => ({ files }));
  return backup;
}

async function dropSelectorVersion(ctx: StepContext, wl: KubeWorkloads, step: DnsStep): Promise<void> {
  const { namespace, service } = step.params;
  const live = await wl.readService(namespace, service);
  if (live === undefined) throw new FerryError('DNS_SERVICE_MISSING', `the DNS service ${namespace}/${service} disappeared from ${wl.url}`, { subjects: { apiserver: wl.url, service }, hint: 'the rollback re-creates it from the backup' });
  const { service: fixed, changed } = buildServiceSelectorWithoutVersion(live);
  if (!changed) {
    ctx.skip('service-selector', `${service}'s selector has no version`);
    return;
  }
  await ctx.action('service-selector', { service, from: live.spec?.selector ?? {}, to: fixed.spec?.selector ?? {} }, () => wl.replaceService(namespace, fixed), () => ({}));
}

/** The template the controller's pods must run once the step is done. */
function targetTemplate(u: ControllerUpdate): PodTemplate | undefined {
  if (u.kind === 'Deployment') return u.updated.spec?.template;
  return u.upToDate ? u.old.spec?.template : u.next.spec?.template;
}

async function checkController(wl: KubeWorkloads, namespace: string, u: ControllerUpdate): Promise<GateCheck> {
  if (u.kind === 'Deployment') {
    const s = await readDeploymentState(wl, namespace, u.name, u.updated.spec?.template);
    const ok = s.live !== undefined && computeDeploymentAction(s.live, u.updated.spec?.template, s.pods).kind === 'done';
    return { name: `Deployment ${u.name} pods Ready with the new arguments`, ok, detail: ok ? `${computeLivePods(s.pods).length} Ready` : s.live === undefined ? 'the Deployment is gone' : describeNotReady(s.pods) };
  }
  const s = await readRcPair(wl, namespace, u);
  const name = u.upToDate ? u.oldName : u.nextName;
  const side = u.upToDate ? s.live.old : s.live.next;
  const pods = u.upToDate ? s.oldPods : s.nextPods;
  const oldLeft = !u.upToDate && s.live.old !== undefined;
  const ok = side !== undefined && side.readyPods === u.desired && side.livePods === u.desired && !oldLeft;
  const detail = ok ? `${u.desired}/${u.desired} Ready` : side === undefined ? `${name} does not exist` : oldLeft ? `${u.oldName} still exists` : `${side.readyPods}/${u.desired} Ready: ${describeNotReady(pods)}`;
  return { name: `${name} pods Ready with the new arguments`, ok, detail };
}

async function readGateChecks(ctx: StepContext, step: DnsStep, wl: KubeWorkloads, backup: DnsBackup, updates: readonly ControllerUpdate[]): Promise<GateCheck[]> {
  const { namespace, service, domain } = step.params;
  const checks: GateCheck[] = [];
  for (const u of updates) checks.push(await checkController(wl, namespace, u));
  const live = await wl.readService(namespace, service);
  const selector = live?.spec?.selector ?? {};
  const hadVersion = Object.hasOwn(backup.service.spec?.selector ?? {}, 'version');
  if (hadVersion) checks.push({ name: `${service} selector has no version`, ok: live !== undefined && !Object.hasOwn(selector, 'version'), detail: JSON.stringify(selector) });
  const pods = Object.keys(selector).length === 0 ? [] : await wl.listPods(namespace, selector);
  const facts = buildServicePodFacts(pods, updates.map(targetTemplate).filter((t): t is PodTemplate => t !== undefined));
  checks.push(computeEndpointsCheck(service, await wl.readEndpoints(namespace, service), facts));
  checks.push(await checkDnsAnswers(ctx, wl, clusterIPOf(backup), domain, QUERY_TIMEOUT_MS));
  return checks;
}

/** The backup and what each controller becomes; read fresh by each phase (a resumed process has no memory). */
function loadPlan(ctx: StepContext, step: DnsStep): { backup: DnsBackup; updates: ControllerUpdate[] } | undefined {
  const backup = readDnsBackup(ctx.runDir);
  return backup === undefined ? undefined : { backup, updates: buildUpdates(backup, targetsOf(step)) };
}

/** A walk-back's DNS step: the forward run's backup and what that run rolled each controller to. */
function loadForwardPlan(step: DnsStep): { backup: DnsBackup; updates: ControllerUpdate[] } | undefined {
  const from = step.params.restoreFrom;
  const backup = from === undefined ? undefined : readDnsBackup(from.runDir);
  return from === undefined || backup === undefined ? undefined : { backup, updates: buildUpdates(backup, { etcd: from.etcd, master: from.master }) };
}

/** Each controller, then the service, back to the backup; then the DNS must answer (if it did before). */
async function restoreFromBackup(ctx: StepContext, step: DnsStep, loaded: { backup: DnsBackup; updates: readonly ControllerUpdate[] }, answeredBefore: boolean | undefined, after: string): Promise<void> {
  const { apiserver, namespace, domain, timeouts } = step.params;
  const wl = ctx.deps.workloads(apiserver);
  for (const u of [...loaded.updates].reverse()) {
    if (u.kind === 'Deployment') await restoreDeployment(ctx, wl, namespace, u, timeouts.podReadyTimeoutMs);
    else await restoreController(ctx, wl, namespace, step.params.service, u, timeouts.podReadyTimeoutMs);
  }
  await restoreService(ctx, wl, namespace, loaded.backup.service);
  const server = clusterIPOf(loaded.backup);
  const [check] = await pollChecks(ctx, timeouts.gateTimeoutMs, async () => [await checkDnsAnswers(ctx, wl, server, domain, QUERY_TIMEOUT_MS)]);
  if (check?.ok === true) ctx.note(`DNS answers again after ${after}: ${check.detail}`);
  else if (answeredBefore === false) ctx.note(`DNS does not answer after ${after}, nor did it before the step: ${check?.detail ?? ''}`);
  else {
    throw new FerryError('DNS_ROLLBACK_DNS_SILENT', `the old DNS controllers and service are back, but ${buildGateQuery(domain)} does not answer through ${server}: ${check?.detail ?? ''}`, {
      subjects: { apiserver },
      hint: `look at the DNS pods (kubectl get pods -l app=skydns; kubectl logs) and at the backup in ${join(step.params.restoreFrom?.runDir ?? ctx.runDir, DNS_BACKUP_DIR)}`,
    });
  }
}

/**
 * Walking a run back (params.restoreFrom): the objects the forward run backed up are put back as they were — from
 * whatever half-state it left (restore.ts is idempotent). Rolling forward again onto the old members would refuse a
 * half-done rolling update and would not give back the very objects the cluster had.
 */
const walkBackDnsHandler: StepHandler<DnsStep> = {
  async precheck(step, ctx) {
    ctx.deps.workloads(step.params.apiserver);
  },
  async apply(step, ctx) {
    const loaded = loadForwardPlan(step);
    if (loaded === undefined) {
      ctx.skip('restore', `the forward run finished no DNS backup in ${join(step.params.restoreFrom?.runDir ?? '', DNS_BACKUP_DIR)}, so it changed nothing`);
      return;
    }
    await restoreFromBackup(ctx, step, loaded, undefined, 'the walk-back');
  },
  async verify(step, ctx) {
    const loaded = loadForwardPlan(step);
    if (loaded === undefined) return;
    const wl = ctx.deps.workloads(step.params.apiserver);
    const checks = await pollChecks(ctx, step.params.timeouts.gateTimeoutMs, async () => [await checkDnsAnswers(ctx, wl, clusterIPOf(loaded.backup), step.params.domain, QUERY_TIMEOUT_MS)]);
    const ok = checks.every((c) => c.ok);
    ctx.gate(ok, checks);
    if (!ok) {
      throw new FerryError('DNS_GATE_FAILED', `the DNS add-on does not answer after its objects were put back: ${checks.map((c) => c.detail).join('; ')}`, {
        subjects: { apiserver: step.params.apiserver },
        hint: '`ferry resume` checks again; look at the DNS pods (kubectl get pods -l app=skydns)',
      });
    }
  },
  async rollback(_step, ctx) {
    ctx.note('the walk-back leaves the DNS objects it put back; `ferry resume` runs this step again');
  },
};

const forwardDnsHandler: StepHandler<DnsStep> = {
  async precheck(step, ctx) {
    buildDnsEndpoints(targetsOf(step));
    const wl = ctx.deps.workloads(step.params.apiserver);
    // Everything apply will build, built now from the live objects: a refusal here has touched nothing.
    buildUpdates(await readDnsObjects(wl, step), targetsOf(step));
  },

  async apply(step, ctx) {
    const { apiserver, namespace, domain, timeouts } = step.params;
    const wl = ctx.deps.workloads(apiserver);
    const backup = await ensureBackup(ctx, step, wl);
    const updates = buildUpdates(backup, targetsOf(step));
    if (ctx.actionResult('dns-before') === undefined) {
      // Whether the DNS answered before anything changed: the rollback must leave it answering if it did.
      await ctx.action('dns-before', { server: clusterIPOf(backup), query: buildGateQuery(domain) }, async () => {
        const c = await checkDnsAnswers(ctx, wl, clusterIPOf(backup), domain, QUERY_TIMEOUT_MS);
        return { answered: c.ok, detail: c.detail };
      }, (r) => r);
    }
    await dropSelectorVersion(ctx, wl, step);
    for (const u of updates) {
      if (u.kind === 'Deployment') await updateDeployment(ctx, wl, namespace, u, timeouts.podReadyTimeoutMs);
      else await rollController(ctx, wl, namespace, step.params.service, u, timeouts.podReadyTimeoutMs);
    }
  },

  async verify(step, ctx) {
    const wl = ctx.deps.workloads(step.params.apiserver);
    const loaded = loadPlan(ctx, step);
    if (loaded === undefined) throw new FerryError('DNS_BACKUP_FAILED', `no DNS backup in ${join(ctx.runDir, DNS_BACKUP_DIR)}: apply did not run`, { hint: 'this is a bug in the runner: verify ran before apply' });
    const checks = await pollChecks(ctx, step.params.timeouts.gateTimeoutMs, () => readGateChecks(ctx, step, wl, loaded.backup, loaded.updates));
    const ok = checks.every((c) => c.ok);
    ctx.gate(ok, checks);
    if (!ok) {
      const failed = checks.filter((c) => !c.ok);
      throw new FerryError('DNS_GATE_FAILED', `the DNS add-on failed its gate after ${step.params.timeouts.gateTimeoutMs} ms: ${failed.map((c) => `${c.name}: ${c.detail}`).join('; ')}`, {
        subjects: { apiserver: step.params.apiserver },
        hint: 'the rollback restores the backed-up controllers and service; then look at the new pods (kubectl logs) before trying again',
      });
    }
  },

  async rollback(step, ctx) {
    const loaded = loadPlan(ctx, step);
    if (loaded === undefined) {
      ctx.note('no DNS backup was completed: nothing was changed');
      return;
    }
    const before = ctx.actionResult('dns-before');
    await restoreFromBackup(ctx, step, loaded, typeof before?.['answered'] === 'boolean' ? before['answered'] : undefined, 'the rollback');
  },
};

function pick(step: DnsStep): StepHandler<DnsStep> {
  return step.params.restoreFrom !== undefined ? walkBackDnsHandler : forwardDnsHandler;
}

export const dnsUpdateHandler: StepHandler<DnsStep> = {
  precheck: (step, ctx) => pick(step).precheck(step, ctx),
  apply: (step, ctx) => pick(step).apply(step, ctx),
  verify: (step, ctx) => pick(step).verify(step, ctx),
  rollback: (step, ctx) => pick(step).rollback(step, ctx),
};
