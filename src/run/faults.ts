/**
 * Fault injection for crash tests: the process SIGKILLs itself at a named point, exactly as a power cut would.
 * Read from FERRY_FAULT (comma-separated specs) at each call; inert unless set.
 *
 * - `kill-after:ACTION[@STEP]` / `kill-before:ACTION[@STEP]`: around a journaled action (e.g. between a member add
 *   and its start: `kill-after:add-learner@etcd.replace.old1`).
 * - `kill-at:step-started@STEP`: right after the step's `running` state is journaled, before its apply.
 * - `kill-at:step-verified@STEP`: after the step's gate (verify) passed, before `done` is journaled.
 */
export type StepBoundary = 'step-started' | 'step-verified';

function specs(): string[] {
  const spec = process.env['FERRY_FAULT'];
  if (spec === undefined || spec === '') return [];
  return spec.split(',').map((s) => s.trim());
}

export function maybeInjectFault(when: 'before' | 'after', stepId: string, action: string): void {
  for (const one of specs()) {
    const m = /^kill-(before|after):([^@]+)(?:@(.+))?$/.exec(one);
    if (m === null) continue;
    if (m[1] === when && m[2] === action && (m[3] === undefined || m[3] === stepId)) process.kill(process.pid, 'SIGKILL');
  }
}

export function maybeInjectStepFault(boundary: StepBoundary, stepId: string): void {
  for (const one of specs()) {
    const m = /^kill-at:(step-started|step-verified)@(.+)$/.exec(one);
    if (m !== null && m[1] === boundary && m[2] === stepId) process.kill(process.pid, 'SIGKILL');
  }
}
