/**
 * `console.stop` (runbook phase 1): the DomeOS server is stopped first, so that it does not act on the cluster
 * (its watcher, deployments) while the cluster moves. Rollback: start it again.
 */
import type { StepOf } from '../../plan/types.ts';
import type { StepHandler } from '../../run/step-context.ts';
import { checkConsoleStopped, startConsoleServer, stopConsoleServer } from './server.ts';

/** How long the restarted server may take to answer when the inventory does not say (its default, 60 s). */
const DEFAULT_HEALTH_TIMEOUT_MS = 60_000;

export const consoleStopHandler: StepHandler<StepOf<'console.stop'>> = {
  async precheck(step, ctx) {
    const c = step.params.console;
    await ctx.deps.host(c.host);
    // Phase 9 logs in and edits this cluster, long after everything moved: while the console still answers, make
    // sure now that the login works and the cluster exists. One that does not answer already is fine to stop.
    const api = ctx.deps.console(c.url);
    if (await api.health()) {
      const session = await api.login({ ...(c.credentialsFile !== undefined ? { credentialsFile: c.credentialsFile } : {}), signal: ctx.signal });
      await session.readCluster(c.cluster);
    } else ctx.note(`${c.url}/health does not answer: the DomeOS server is stopped already (its login is checked in phase 9)`);
  },
  async apply(step, ctx) {
    await stopConsoleServer(ctx, step.params.console, 'stop', step.params.stopTimeoutMs);
  },
  async verify(step, ctx) {
    await checkConsoleStopped(ctx, step.params.console);
  },
  async rollback(step, ctx) {
    await startConsoleServer(ctx, step.params.console, 'restart', ctx.inventory.domeos?.healthTimeoutMs ?? DEFAULT_HEALTH_TIMEOUT_MS);
  },
};
