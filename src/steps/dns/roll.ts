/**
 * The forward walk of the DNS step, one controller at a time: a replication controller is rolled to its next
 * version as `kubectl rolling-update` did; a Deployment gets its new template and rolls its own pods. Each loop
 * turn reads the live state, asks the pure walk (src/dns/rolling-state.ts) for the next move, and journals that
 * move around its effect — so a run killed at any instant resumes from whatever it finds.
 */
import { FerryError, isFerryError } from '../../errors.ts';
import { buildDeploymentReplacement, buildSafePace, computeDeploymentAction } from '../../dns/deployment-state.ts';
import { computeLivePods } from '../../dns/pods.ts';
import { computeMaxActions, computeRollingAction } from '../../dns/rolling-state.ts';
import type { KubeWorkloads } from '../../ports/kube.ts';
import type { StepContext } from '../../run/step-context.ts';
import { readDeploymentState, readRcPair, type DeploymentUpdate, type RcUpdate } from './live.ts';
import { waitForPods, waitForPodsGone, waitServing } from './waits.ts';

/** Create, adopting an object that is already there (the create of a killed run may have landed). */
export async function createAdopting(create: () => Promise<unknown>): Promise<{ created: boolean }> {
  try {
    await create();
    return { created: true };
  } catch (err) {
    if (isFerryError(err) && err.code === 'KUBE_ALREADY_EXISTS') return { created: false };
    throw err;
  }
}

function stuck(what: string, apiserver: string): FerryError {
  return new FerryError('DNS_ROLLING_STUCK', `${what} does not converge: the controllers keep changing under ferry`, {
    subjects: { apiserver },
    hint: 'is something else scaling the DNS controllers (an autoscaler, a person with kubectl)? stop it, then `ferry resume`',
  });
}

/** `service`: the DNS service, whose endpoints must list the new pods before an old one goes. */
export async function rollController(ctx: StepContext, wl: KubeWorkloads, namespace: string, service: string, u: RcUpdate, podReadyTimeoutMs: number): Promise<void> {
  if (u.upToDate) {
    ctx.skip(`roll:${u.base}`, `${u.oldName} already runs with the new etcd and master arguments`);
    return;
  }
  const subjects = { apiserver: wl.url, controller: u.oldName };
  let budget = -1;
  for (;;) {
    ctx.signal.throwIfAborted();
    const state = await readRcPair(wl, namespace, u);
    if (budget < 0) budget = computeMaxActions(state.live);
    if (budget-- === 0) throw stuck(`the rolling update ${u.oldName} → ${u.nextName}`, wl.url);
    const a = computeRollingAction(state.live);
    switch (a.kind) {
      case 'done':
        ctx.progress({ kind: 'dns-rolled', data: { from: u.oldName, to: u.nextName, replicas: u.desired } });
        return;
      case 'lost':
        throw new FerryError('DNS_CONTROLLER_LOST', `neither ${u.oldName} nor ${u.nextName} exists on ${wl.url} any more`, {
          subjects,
          hint: 'someone deleted them during the update; the rollback re-creates the old one from the backup',
        });
      case 'create-next': {
        const fresh = { ...u.next, spec: { ...u.next.spec, replicas: 0 } };
        await ctx.action(`create:${u.nextName}`, { controller: u.nextName, from: u.oldName, replicas: 0 }, () => createAdopting(() => wl.createController(namespace, fresh)), (r) => r);
        break;
      }
      case 'scale-next':
        await ctx.action(`scale:${u.nextName}:${a.replicas}`, { controller: u.nextName, replicas: a.replicas }, () => wl.scaleController(namespace, u.nextName, a.replicas));
        break;
      case 'scale-old':
        await waitServing(ctx, wl, {
          namespace,
          service,
          podLabels: u.next.spec?.template?.metadata?.labels,
          what: `${u.nextName}: its Ready pods serving before ${u.oldName} goes down to ${a.replicas}`,
          timeoutMs: podReadyTimeoutMs,
          subjects: { ...subjects, controller: u.nextName },
          readPods: async () => (await readRcPair(wl, namespace, u)).nextPods,
        });
        await ctx.action(`scale:${u.oldName}:${a.replicas}`, { controller: u.oldName, replicas: a.replicas }, () => wl.scaleController(namespace, u.oldName, a.replicas));
        break;
      case 'wait-next-ready':
        await waitForPods(ctx, {
          what: `${u.nextName}: ${a.count} pod(s) Ready with the new arguments`,
          timeoutMs: podReadyTimeoutMs,
          subjects: { ...subjects, controller: u.nextName },
          probe: async () => {
            const s = await readRcPair(wl, namespace, u);
            return { done: (s.live.next?.readyPods ?? 0) >= a.count, pods: s.nextPods };
          },
        });
        break;
      case 'wait-old-gone':
        await waitForPodsGone(ctx, {
          what: `${u.oldName} scaled to 0`,
          timeoutMs: podReadyTimeoutMs,
          subjects,
          count: async () => computeLivePods((await readRcPair(wl, namespace, u)).oldPods).length,
        });
        break;
      case 'delete-old':
        await ctx.action(`delete:${u.oldName}`, { controller: u.oldName }, async () => ({ deleted: await wl.deleteController(namespace, u.oldName) }), (r) => r);
        break;
    }
  }
}

export async function updateDeployment(ctx: StepContext, wl: KubeWorkloads, namespace: string, u: DeploymentUpdate, podReadyTimeoutMs: number): Promise<void> {
  if (u.upToDate) {
    ctx.skip(`update:${u.name}`, `Deployment ${u.name} already runs with the new etcd and master arguments`);
    return;
  }
  const wanted = u.updated.spec?.template;
  const subjects = { apiserver: wl.url, controller: u.name };
  for (let turn = 0; turn < 4; turn++) {
    ctx.signal.throwIfAborted();
    const { live, pods } = await readDeploymentState(wl, namespace, u.name, wanted);
    if (live === undefined) {
      throw new FerryError('DNS_CONTROLLER_LOST', `Deployment ${u.name} is no longer on ${wl.url}`, { subjects, hint: 'someone deleted it during the update; the rollback re-creates it from the backup' });
    }
    const a = computeDeploymentAction(live, wanted, pods);
    if (a.kind === 'done') return;
    if (a.kind === 'replace') {
      const pace = buildSafePace(live);
      await ctx.action(`update:${u.name}`, { deployment: u.name, ...pace }, () => wl.replaceDeployment(namespace, buildDeploymentReplacement(live, wanted, pace)), () => ({}));
      continue;
    }
    await waitForPods(ctx, {
      what: `Deployment ${u.name}: ${a.replicas} pod(s) Ready with the new arguments, none of the old`,
      timeoutMs: podReadyTimeoutMs * Math.max(1, a.replicas),
      subjects,
      probe: async () => {
        const s = await readDeploymentState(wl, namespace, u.name, wanted);
        return { done: s.live !== undefined && computeDeploymentAction(s.live, wanted, s.pods).kind === 'done', pods: s.pods };
      },
    });
  }
  throw stuck(`the update of Deployment ${u.name}`, wl.url);
}
