/**
 * `console.update` (runbook phase 9, "Console steps"): tell the DomeOS console where the cluster now is. Log in,
 * read the cluster whole and PUT it back with the new `api` and `etcd` (PUT overwrites every field), then replace
 * the watcher — it bakes the apiserver in at creation and "cannot be upgraded, only deleted and re-created": stop,
 * wait for STOP, delete, create with the same configuration, start, and confirm it runs against the new apiserver.
 * A console without a watcher (an older DomeOS) skips that part.
 *
 * Everything is read and journalled before anything changes (read-record.ts, without secrets), so apply is
 * idempotent at any instant and rollback can PUT the old `api`/`etcd` back and re-create the watcher against them.
 * The login is read when the step runs and never journalled.
 */
import { BugError, FerryError } from '../../errors.ts';
import { buildEndpointTargets, computeEndpointChange, sameApiField, sameEtcdField } from '../../console/cluster-endpoints.ts';
import type { ConsoleSession } from '../../ports/console.ts';
import type { ClusterEndpoints } from '../../console/types.ts';
import { readWatcherApi, runsAgainst } from '../../console/watcher-replace.ts';
import type { GateCheck } from '../../gate-check.ts';
import type { StepOf } from '../../plan/types.ts';
import type { StepContext, StepHandler } from '../../run/step-context.ts';
import { buildReadRecord, parseReadRecord, type ConsoleReadRecord } from './read-record.ts';
import { settleWatcher } from './watcher.ts';

function login(ctx: StepContext, step: StepOf<'console.update'>): Promise<ConsoleSession> {
  const c = step.params.console;
  return ctx.deps.console(c.url).login({ ...(c.credentialsFile !== undefined ? { credentialsFile: c.credentialsFile } : {}), signal: ctx.signal });
}

function targets(step: StepOf<'console.update'>): ClusterEndpoints {
  return buildEndpointTargets(step.params.apiserver, step.params.etcd);
}

/** The record read before any change: from the journal on a resume, else read now (and journalled). */
async function readOrRecall(ctx: StepContext, step: StepOf<'console.update'>, session: ConsoleSession): Promise<ConsoleReadRecord> {
  const recorded = ctx.resumed ? parseReadRecord(ctx.actionResult('read')) : undefined;
  if (recorded !== undefined) {
    ctx.skip('read', `cluster "${recorded.cluster}" was recorded before it changed`);
    return recorded;
  }
  const c = step.params.console;
  return ctx.action(
    'read',
    { console: c.url, cluster: c.cluster },
    async () => {
      const cluster = await session.readCluster(c.cluster);
      return buildReadRecord(cluster, await session.readWatcher(cluster.id));
    },
    (r) => ({ ...r }),
  );
}

/** PUT the record back whole with `want`'s fields, unless it has them already. */
async function putEndpoints(ctx: StepContext, session: ConsoleSession, read: ConsoleReadRecord, want: ClusterEndpoints, label: string): Promise<void> {
  const current = await session.readClusterById(read.clusterId);
  const change = computeEndpointChange(current, want);
  if (change === undefined) {
    ctx.skip(label, `cluster "${read.cluster}" already has ${[want.api !== undefined ? `api ${current.api}` : '', want.etcd !== undefined ? `etcd ${current.etcd}` : ''].filter((x) => x !== '').join(' and ') || 'what it should'}`);
    return;
  }
  const from = { ...(change.api !== undefined ? { api: current.api } : {}), ...(change.etcd !== undefined ? { etcd: current.etcd } : {}) };
  await ctx.action(label, { cluster: read.cluster, from, to: change }, () => session.updateClusterEndpoints(current, change), (c) => ({ api: c.api, etcd: c.etcd }));
}

function requireRead(ctx: StepContext): ConsoleReadRecord {
  const read = parseReadRecord(ctx.actionResult('read'));
  if (read === undefined) throw new BugError('console.update verifies a cluster it never read');
  return read;
}

export const consoleUpdateHandler: StepHandler<StepOf<'console.update'>> = {
  async precheck(step, ctx) {
    targets(step);
    const session = await login(ctx, step);
    await session.readCluster(step.params.console.cluster);
  },

  async apply(step, ctx) {
    const want = targets(step);
    const session = await login(ctx, step);
    const read = await readOrRecall(ctx, step, session);
    await putEndpoints(ctx, session, read, want, 'update-cluster');
    if (read.watcher === undefined) {
      ctx.skip('watcher', `cluster "${read.cluster}" has no watcher (an older DomeOS, or none was added): nothing to re-create`);
      return;
    }
    await settleWatcher(ctx, session, {
      clusterId: read.clusterId,
      wantApi: want.api ?? read.api,
      saved: read.watcher,
      staleIds: [read.watcher.deployId],
      timeoutMs: step.params.watcherTimeoutMs,
      label: 'watcher',
    });
  },

  async verify(step, ctx) {
    const want = targets(step);
    const read = requireRead(ctx);
    const session = await login(ctx, step);
    const cluster = await session.readClusterById(read.clusterId);
    const checks: GateCheck[] = [];
    if (want.api !== undefined) checks.push({ name: 'cluster api', ok: sameApiField(cluster.api, want.api), detail: `"${read.cluster}" api is ${cluster.api} (want ${want.api})` });
    if (want.etcd !== undefined) checks.push({ name: 'cluster etcd', ok: sameEtcdField(cluster.etcd, want.etcd), detail: `"${read.cluster}" etcd is ${cluster.etcd} (want ${want.etcd})` });
    if (read.watcher === undefined) checks.push({ name: 'watcher', ok: true, detail: 'the cluster has no watcher' });
    else {
      const wantApi = want.api ?? read.api;
      const w = await session.readWatcher(read.clusterId);
      const ok = w !== undefined && w.state === 'RUNNING' && runsAgainst(w, wantApi, [read.watcher.deployId]);
      checks.push({ name: 'watcher running against the apiserver', ok, detail: w === undefined ? 'no watcher' : `${w.name} (deployment ${w.deployId}) is ${w.state} against ${readWatcherApi(w) ?? 'an apiserver the console does not show'} (want ${wantApi})` });
    }
    const ok = checks.every((c) => c.ok);
    ctx.gate(ok, checks);
    if (!ok) {
      throw new FerryError('CONSOLE_GATE_FAILED', `the DomeOS console at ${step.params.console.url} does not show the moved cluster: ${checks.filter((c) => !c.ok).map((c) => c.detail).join('; ')}`, {
        subjects: { console: step.params.console.url, cluster: read.cluster },
        hint: 'someone changed the cluster or its watcher meanwhile? look at 运维管理→集群 in the console; `ferry resume` applies the change again',
      });
    }
  },

  async rollback(step, ctx) {
    const read = parseReadRecord(ctx.actionResult('read'));
    if (read === undefined) {
      ctx.skip('restore', 'the cluster was never read, so nothing was changed');
      return;
    }
    const session = await login(ctx, step);
    await putEndpoints(ctx, session, read, { api: read.api, etcd: read.etcd }, 'restore-cluster');
    if (read.watcher === undefined) return;
    const created = ctx.actionResult('watcher:create')?.['deployId'];
    await settleWatcher(ctx, session, {
      clusterId: read.clusterId,
      wantApi: read.api,
      saved: read.watcher,
      staleIds: typeof created === 'number' ? [created] : [],
      timeoutMs: step.params.watcherTimeoutMs,
      label: 'restore-watcher',
    });
  },
};
