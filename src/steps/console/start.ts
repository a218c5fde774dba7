/**
 * `console.start` (runbook phase 8): once etcd is finished, the DomeOS server starts again and must answer
 * `/health` within `healthTimeoutMs`. Rollback: stop it again, as it was before the step.
 */
import type { StepOf } from '../../plan/types.ts';
import type { StepHandler } from '../../run/step-context.ts';
import { checkConsoleAnswers, startConsoleServer, stopConsoleServer } from './server.ts';

export const consoleStartHandler: StepHandler<StepOf<'console.start'>> = {
  async precheck(step, ctx) {
    await ctx.deps.host(step.params.console.host);
  },
  async apply(step, ctx) {
    await startConsoleServer(ctx, step.params.console, 'start', step.params.healthTimeoutMs);
  },
  async verify(step, ctx) {
    await checkConsoleAnswers(ctx, step.params.console);
  },
  async rollback(step, ctx) {
    await stopConsoleServer(ctx, step.params.console, 'stop-again', step.params.healthTimeoutMs);
  },
};
