/**
 * Fault injection for crash tests: `FERRY_FAULT=kill-after:ACTION[@STEP]` (or `kill-before:`) makes the process
 * SIGKILL itself at that point, exactly as a power cut would. Read from the environment at each call; inert unless
 * set. Used by the resume tests to kill ferry "between a member add and its start".
 */
export function maybeInjectFault(when: 'before' | 'after', stepId: string, action: string): void {
  const spec = process.env['FERRY_FAULT'];
  if (spec === undefined || spec === '') return;
  for (const one of spec.split(',')) {
    const m = /^kill-(before|after):([^@]+)(?:@(.+))?$/.exec(one.trim());
    if (m === null) continue;
    if (m[1] === when && m[2] === action && (m[3] === undefined || m[3] === stepId)) process.kill(process.pid, 'SIGKILL');
  }
}
