/**
 * The DNS step's undo, from the backup and whatever half-state the forward walk left: each old controller back
 * under its old name at its old size (re-created from the backup if it was already deleted) and Ready, and only
 * then the new one scaled to 0 and deleted — the DNS keeps answering throughout; a Deployment gets its old template
 * and strategy back; last, the service's selector as it was. Idempotent: every turn reads the live state first.
 */
import { FerryError } from '../../errors.ts';
import { buildFreshObject } from '../../adapters/dns-backup.ts';
import { buildDeploymentReplacement, buildSafePace, computeDeploymentAction, readDeploymentPace } from '../../dns/deployment-state.ts';
import type { Service } from '../../kube/objects.ts';
import { computeLivePods } from '../../dns/pods.ts';
import { computeMaxActions, computeRestoreAction } from '../../dns/rolling-state.ts';
import type { KubeWorkloads } from '../../ports/kube.ts';
import type { StepContext } from '../../run/step-context.ts';
import { readDeploymentState, readRcPair, type DeploymentUpdate, type RcUpdate } from './live.ts';
import { createAdopting } from './roll.ts';
import { waitForPods, waitForPodsGone, waitServing } from './waits.ts';
import { isDeepStrictEqual } from 'node:util';

export async function restoreController(ctx: StepContext, wl: KubeWorkloads, namespace: string, service: string, u: RcUpdate, podReadyTimeoutMs: number): Promise<void> {
  if (u.upToDate) return;
  const subjects = { apiserver: wl.url, controller: u.oldName };
  let budget = -1;
  for (;;) {
    ctx.signal.throwIfAborted();
    const state = await readRcPair(wl, namespace, u);
    if (budget < 0) budget = computeMaxActions(state.live);
    if (budget-- === 0) {
      throw new FerryError('DNS_ROLLING_STUCK', `restoring ${u.oldName} does not converge: the controllers keep changing under ferry`, {
        subjects,
        hint: 'is something else scaling the DNS controllers? stop it, then `ferry resume` finishes the rollback',
      });
    }
    const a = computeRestoreAction(state.live);
    switch (a.kind) {
      case 'done':
        return;
      case 'create-old':
        await ctx.action(`restore:create:${u.oldName}`, { controller: u.oldName, replicas: u.desired, from: 'backup' }, () => createAdopting(() => wl.createController(namespace, buildFreshObject(u.old))), (r) => r);
        break;
      case 'scale-old':
        await ctx.action(`restore:scale:${u.oldName}:${a.replicas}`, { controller: u.oldName, replicas: a.replicas }, () => wl.scaleController(namespace, u.oldName, a.replicas));
        break;
      case 'wait-old-ready':
        await waitForPods(ctx, {
          what: `${u.oldName}: ${a.count} pod(s) Ready with the old arguments`,
          timeoutMs: podReadyTimeoutMs * Math.max(1, a.count),
          subjects,
          probe: async () => {
            const s = await readRcPair(wl, namespace, u);
            return { done: (s.live.old?.readyPods ?? 0) >= a.count, pods: s.oldPods };
          },
        });
        break;
      case 'scale-next':
        await waitServing(ctx, wl, {
          namespace,
          service,
          podLabels: u.old.spec?.template?.metadata?.labels,
          what: `${u.oldName}: its Ready pods serving before ${u.nextName} goes down to 0`,
          timeoutMs: podReadyTimeoutMs,
          subjects,
          readPods: async () => (await readRcPair(wl, namespace, u)).oldPods,
        });
        await ctx.action(`restore:scale:${u.nextName}:0`, { controller: u.nextName, replicas: 0 }, () => wl.scaleController(namespace, u.nextName, 0));
        break;
      case 'wait-next-gone':
        await waitForPodsGone(ctx, {
          what: `${u.nextName} scaled to 0`,
          timeoutMs: podReadyTimeoutMs,
          subjects: { ...subjects, controller: u.nextName },
          count: async () => computeLivePods((await readRcPair(wl, namespace, u)).nextPods).length,
        });
        break;
      case 'delete-next':
        await ctx.action(`restore:delete:${u.nextName}`, { controller: u.nextName }, async () => ({ deleted: await wl.deleteController(namespace, u.nextName) }), (r) => r);
        break;
    }
  }
}

export async function restoreDeployment(ctx: StepContext, wl: KubeWorkloads, namespace: string, u: DeploymentUpdate, podReadyTimeoutMs: number): Promise<void> {
  if (u.upToDate) return;
  const wanted = u.old.spec?.template;
  const subjects = { apiserver: wl.url, controller: u.name };
  const { live } = await readDeploymentState(wl, namespace, u.name, wanted);
  if (live === undefined) {
    throw new FerryError('DNS_CONTROLLER_LOST', `Deployment ${u.name} is gone from ${wl.url}; ferry does not re-create Deployments`, {
      subjects,
      hint: `create it from the backup: kubectl create -f <run folder>/dns-backup/deployment.${u.name}.json`,
    });
  }
  // The old template first, at the safe pace (the backed-up pace may be maxUnavailable 1); then the old pace, which
  // changes no pod.
  if (computeDeploymentAction(live, wanted, []).kind === 'replace') {
    const pace = buildSafePace(live);
    await ctx.action(`restore:update:${u.name}`, { deployment: u.name, from: 'backup', ...pace }, () => wl.replaceDeployment(namespace, buildDeploymentReplacement(live, wanted, pace)), () => ({}));
  }
  await waitForPods(ctx, {
    what: `Deployment ${u.name}: its pods Ready with the old arguments`,
    timeoutMs: podReadyTimeoutMs * Math.max(1, live.spec?.replicas ?? 1),
    subjects,
    probe: async () => {
      const s = await readDeploymentState(wl, namespace, u.name, wanted);
      return { done: s.live !== undefined && computeDeploymentAction(s.live, wanted, s.pods).kind === 'done', pods: s.pods };
    },
  });
  const paceThen = readDeploymentPace(u.old);
  const now = await wl.readDeployment(namespace, u.name);
  if (now !== undefined && !isDeepStrictEqual(readDeploymentPace(now), paceThen)) {
    await ctx.action(`restore:pace:${u.name}`, { deployment: u.name, from: 'backup' }, () => wl.replaceDeployment(namespace, buildDeploymentReplacement(now, wanted, paceThen)), () => ({}));
  }
}

/** The service's selector as backed up (re-created from the backup if it is gone). */
export async function restoreService(ctx: StepContext, wl: KubeWorkloads, namespace: string, backup: Service): Promise<void> {
  const name = backup.metadata?.name ?? '';
  const live = await wl.readService(namespace, name);
  if (live === undefined) {
    await ctx.action(`restore:create-service:${name}`, { service: name, from: 'backup' }, () => createAdopting(() => wl.createService(namespace, buildFreshObject(backup))), (r) => r);
    return;
  }
  const then = backup.spec?.selector;
  if (isDeepStrictEqual(live.spec?.selector, then)) {
    ctx.skip(`restore:service-selector`, `${name}'s selector is as it was`);
    return;
  }
  const restored: Service = { ...live, spec: { ...live.spec, ...(then !== undefined ? { selector: { ...then } } : {}) } };
  if (then === undefined && restored.spec !== undefined) delete restored.spec.selector;
  await ctx.action('restore:service-selector', { service: name, from: live.spec?.selector ?? {}, to: then ?? {} }, () => wl.replaceService(namespace, restored), () => ({}));
}
