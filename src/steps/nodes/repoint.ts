/**
 * `nodes.repoint` (runbook phase 5): what update_node_configs.sh did, on every node — a canary first, then batches
 * with bounded concurrency, halting once failures exceed the budget. Each node is one journaled action, so a resumed
 * run skips the nodes already done and redoes none of them. A node that fails restores its own files from its
 * backups and restarts its services ("Rollback finished"), inside applyRepoint.
 *
 * The step fails when any node failed, once the rollout has gone as far as the budget allows: `ferry resume` then
 * retries the failed and the remaining nodes. Nodes already repointed stay on the new master, which is running:
 * there is nothing more to undo.
 */
import { FerryError, messageOf } from '../../errors.ts';
import { buildKubeFetch } from '../../adapters/kube/client.ts';
import { renderRolloutTable, runRollout, type RolloutProgress } from '../../fleet/rollout.ts';
import type { NodeHost } from '../../inventory/types.ts';
import { applyRepoint } from '../../repoint/repoint-node.ts';
import { createNodeReadyWaiter } from '../../repoint/wait-ready.ts';
import type { StepOf } from '../../plan/types.ts';
import type { StepContext, StepHandler } from '../../run/step-context.ts';

const PREFIX = 'node:';

function doneNodes(ctx: StepContext): Set<string> {
  return new Set([...ctx.finishedActions()].filter((a) => a.startsWith(PREFIX)).map((a) => a.slice(PREFIX.length)));
}

async function repointOne(ctx: StepContext, step: StepOf<'nodes.repoint'>, node: NodeHost): Promise<{ ok: boolean; detail: string }> {
  const { master, etcd, rollout } = step.params;
  try {
    const host = await ctx.deps.host(node.host);
    const r = await ctx.action(
      `${PREFIX}${node.name}`,
      { host: node.host },
      () =>
        applyRepoint(host, {
          ...(master !== undefined ? { master } : {}),
          ...(etcd !== undefined ? { etcd } : {}),
          backupDir: `/var/lib/ferry/backups/${ctx.runId}`,
          waitReady: createNodeReadyWaiter({ fetchImpl: buildKubeFetch(ctx.inventory.master?.ca) }),
          readyTimeoutMs: rollout.readyTimeoutMs,
          log: () => undefined,
          signal: ctx.signal,
          sleep: ctx.deps.sleep,
          now: ctx.deps.now,
        }),
      (x) => ({
        node: x.node,
        changed: [...x.changed],
        backups: x.backups.map((b) => ({ ...b })),
        files: x.changed.map((path) => {
          const backup = x.backups.find((b) => b.path === path)?.backup;
          return { path, ...(backup !== undefined ? { backup } : {}) };
        }),
        restarted: [...x.restarted],
        alreadyUpToDate: x.alreadyUpToDate,
        readyAfterMs: x.readyAfterMs,
      }),
    );
    return { ok: true, detail: r.alreadyUpToDate ? 'already up to date; Ready' : `Ready after ${(r.readyAfterMs / 1000).toFixed(1)} s` };
  } catch (err) {
    return { ok: false, detail: messageOf(err) };
  } finally {
    await ctx.deps.releaseHost?.(node.host);
  }
}

export const repointNodesHandler: StepHandler<StepOf<'nodes.repoint'>> = {
  async precheck(step, ctx) {
    if (step.params.master !== undefined && !(await ctx.deps.kube(step.params.master).healthz())) {
      throw new FerryError('NODES_MASTER_DOWN', `the new apiserver ${step.params.master} does not answer`, { hint: 'the nodes can only be Ready on a running master', exitCode: 2 });
    }
  },
  async apply(step, ctx) {
    const { nodes, rollout } = step.params;
    const byName = new Map(nodes.map((n) => [n.name, n]));
    let lastProgress = 0;
    const result = await runRollout(
      nodes.map((n) => n.name),
      rollout,
      (name) => repointOne(ctx, step, byName.get(name) as NodeHost),
      {
        alreadyDone: doneNodes(ctx),
        signal: ctx.signal,
        now: ctx.deps.now,
        onProgress: (p: RolloutProgress) => {
          const now = ctx.deps.now();
          if (now - lastProgress < 500 && p.running > 0) return;
          lastProgress = now;
          ctx.progress({ kind: 'rollout', data: p });
        },
      },
    );
    ctx.signal.throwIfAborted();
    const failed = result.outcomes.filter((o) => !o.ok);
    ctx.note(`rollout results:\n${renderRolloutTable(result)}`);
    if (failed.length > 0 || result.notStarted.length > 0) {
      throw new FerryError(
        result.halted ? 'NODES_ROLLOUT_HALTED' : 'NODES_FAILED',
        `${failed.length} node(s) failed${result.halted ? `, more than the budget of ${rollout.maxFailures}: the rollout halted with ${result.notStarted.length} not started` : ''}: ${failed.slice(0, 5).map((f) => `${f.node} (${f.detail})`).join('; ')}`,
        { hint: 'each failed node was restored from its backups ("Rollback finished"); fix the cause, then `ferry resume` retries the failed and remaining nodes only' },
      );
    }
  },
  async verify(step, ctx) {
    if (step.params.master === undefined) return;
    const live = await ctx.deps.kube(step.params.master).listNodes();
    const notReady = step.params.nodes.filter((n) => live.find((l) => l.name === n.name)?.ready !== 'True');
    const ok = notReady.length === 0;
    ctx.gate(ok, [{ name: 'every node Ready on the new master', ok, detail: ok ? `${step.params.nodes.length} Ready` : `not Ready: ${notReady.slice(0, 10).map((n) => n.name).join(', ')}` }]);
    if (!ok) throw new FerryError('NODES_NOT_READY', `${notReady.length} node(s) are not Ready on ${step.params.master}`, { retryable: true, hint: '`ferry resume` checks again' });
  },
  async rollback(_step, ctx) {
    ctx.note('nodes already repointed stay on the new master (it is running); each failed node was restored from its backups');
  },
};
