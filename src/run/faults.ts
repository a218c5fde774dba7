/**
 * Fault injection for crash tests: the process SIGKILLs itself at a named point, exactly as a power cut would.
 * The runner is handed a {@link FaultHook}; the application builds it from FERRY_FAULT (comma-separated specs), so
 * the engine itself never reads the environment. Inert when the spec is empty.
 *
 * - `kill-after:ACTION[@STEP]` / `kill-before:ACTION[@STEP]`: around a journaled action (e.g. between a member add
 *   and its start: `kill-after:add-learner@etcd.replace.old1`).
 * - `kill-at:step-started@STEP`: right after the step's `running` state is journaled, before its apply.
 * - `kill-at:step-verified@STEP`: after the step's gate (verify) passed, before `done` is journaled.
 */
export type StepBoundary = 'step-started' | 'step-verified';

export interface FaultHook {
  /** Called just before and just after each journaled action. */
  atAction(when: 'before' | 'after', stepId: string, action: string): void;
  /** Called at a step's boundaries. */
  atStep(boundary: StepBoundary, stepId: string): void;
}

/** A hook that never fires (the default, and what every run gets without FERRY_FAULT). */
export const NO_FAULTS: FaultHook = { atAction: () => undefined, atStep: () => undefined };

/** The hook for a FERRY_FAULT spec: it SIGKILLs this process at each named point. */
export function buildFaultHook(spec: string | undefined): FaultHook {
  const specs = spec === undefined || spec === '' ? [] : spec.split(',').map((s) => s.trim());
  if (specs.length === 0) return NO_FAULTS;
  return {
    atAction(when, stepId, action) {
      for (const one of specs) {
        const m = /^kill-(before|after):([^@]+)(?:@(.+))?$/.exec(one);
        if (m === null) continue;
        if (m[1] === when && m[2] === action && (m[3] === undefined || m[3] === stepId)) process.kill(process.pid, 'SIGKILL');
      }
    },
    atStep(boundary, stepId) {
      for (const one of specs) {
        const m = /^kill-at:(step-started|step-verified)@(.+)$/.exec(one);
        if (m !== null && m[1] === boundary && m[2] === stepId) process.kill(process.pid, 'SIGKILL');
      }
    },
  };
}
