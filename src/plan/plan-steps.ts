import type { Plan, Step } from './types.ts';

/** All steps of a plan in execution order. */
export function planSteps(plan: Plan): Step[] {
  return plan.phases.flatMap((p) => p.steps);
}
