/**
 * A finished run (`ferry apply`, `resume`, `rollback`) as data, for `-o json|yaml`: which run, how it ended, its
 * exit code, the failed step and its error (code, message, hint, subjects), and where its folder and report are.
 * The live view and the words go to stderr meanwhile (io.ts humanIo).
 */
import type { ErrorRecord } from '../run/events.ts';
import type { RunOutcome } from '../run/runner.ts';

export interface OutcomeData {
  readonly runId: string;
  readonly runDir: string;
  readonly state: RunOutcome['runState'];
  readonly exitCode: number;
  readonly failedStep?: string;
  readonly error?: ErrorRecord;
  readonly reportPath?: string;
}

export function buildOutcomeData(r: { readonly runId: string; readonly runDir: string; readonly outcome: RunOutcome; readonly reportPath?: string }): OutcomeData {
  const o = r.outcome;
  return {
    runId: r.runId,
    runDir: r.runDir,
    state: o.runState,
    exitCode: o.exitCode,
    ...(o.failedStep !== undefined ? { failedStep: o.failedStep } : {}),
    ...(o.error !== undefined ? { error: o.error } : {}),
    ...(r.reportPath !== undefined ? { reportPath: r.reportPath } : {}),
  };
}
