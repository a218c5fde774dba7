/**
 * Driving the watcher to "RUNNING against the wanted apiserver", one journalled move at a time, each chosen from
 * what the console shows now (computeWatcherMove), so a resume after a kill at any instant — even between the
 * delete and the create — finishes the job: the configuration to re-create it with comes from the journal.
 */
import { FerryError } from '../../errors.ts';
import type { ConsoleSession } from '../../ports/console.ts';
import { computeWatcherMove, readWatcherApi, type SavedWatcher } from '../../console/watcher-replace.ts';
import type { StepContext } from '../../run/step-context.ts';

/** stop, delete, create, start (and a wait or two) is the longest honest path; more means the console fights back. */
const MAX_MOVES = 8;

export interface WatcherGoal {
  readonly clusterId: number;
  /** The `api` the watcher must run against (the cluster record's, in the console's format). */
  readonly wantApi: string;
  /** What was read before anything changed: re-created from this when no watcher is left. */
  readonly saved: SavedWatcher;
  /** Deployments to replace when the console does not show a watcher's args. */
  readonly staleIds: readonly number[];
  /** Bound on each wait (STOP, RUNNING), in ms. */
  readonly timeoutMs: number;
  /** Journal action prefix: `watcher` on apply, `restore-watcher` on rollback. */
  readonly label: string;
}

/** Returns the deployment id of the RUNNING watcher. */
export async function settleWatcher(ctx: StepContext, session: ConsoleSession, goal: WatcherGoal): Promise<number> {
  const { clusterId, label, timeoutMs } = goal;
  const moves: string[] = [];
  for (let i = 0; i < MAX_MOVES; i++) {
    ctx.signal.throwIfAborted();
    const current = await session.readWatcher(clusterId);
    const move = computeWatcherMove(current, goal.wantApi, goal.staleIds);
    moves.push(move.kind);
    const state = current?.state ?? 'none';
    switch (move.kind) {
      case 'done':
        if (i === 0) ctx.skip(label, `watcher ${current?.name ?? ''} (deployment ${move.deployId}) already runs against ${goal.wantApi}`);
        return move.deployId;
      case 'stop':
        await ctx.action(`${label}:stop`, { deployment: move.deployId, state, timeoutMs }, () => session.stopWatcher(move.deployId, { timeoutMs }), (d) => ({ state: d.state }));
        break;
      case 'delete':
        await ctx.action(`${label}:delete`, { deployment: move.deployId, apiserver: (current && readWatcherApi(current)) ?? 'unknown' }, () => session.deleteWatcher(move.deployId));
        break;
      case 'create':
        await ctx.action(`${label}:create`, { cluster: clusterId, name: goal.saved.conf.name, apiserver: goal.wantApi }, () => session.createWatcher(clusterId, goal.saved.conf), (d) => ({ deployId: d.id, state: d.state }));
        break;
      case 'start':
        await ctx.action(`${label}:start`, { deployment: move.deployId, version: move.version, timeoutMs }, () => session.startWatcher(move.deployId, { timeoutMs, version: move.version }), (d) => ({ state: d.state }));
        break;
      case 'wait-running':
        await ctx.action(`${label}:wait-running`, { deployment: move.deployId, state, timeoutMs }, () => session.waitForDeploymentState(move.deployId, 'RUNNING', timeoutMs), (d) => ({ state: d.state }));
        break;
    }
  }
  throw new FerryError('CONSOLE_WATCHER_NOT_SETTLED', `the DomeOS watcher of cluster ${clusterId} is not RUNNING against ${goal.wantApi} after ${MAX_MOVES} moves (${moves.join(', ')})`, {
    retryable: true,
    subjects: { cluster: String(clusterId) },
    hint: 'someone else is changing the watcher (another operator, or the console itself): look at 监听器设置 in the console, then `ferry resume`',
  });
}
