/**
 * Figures for RELIABILITY.md, recorded by the reliability tests themselves: when FERRY_RELIABILITY_OUT names a
 * folder (set by `npm run reliability`), each call appends one JSON line to `<folder>/<suite>.jsonl`; otherwise it
 * does nothing. The tests assert; these rows only say what happened, so the document shows what the tests saw.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

export const RELIABILITY_SUITES = ['crash', 'faults', 'rollback', 'bad-input', 'security'] as const;
export type ReliabilitySuite = (typeof RELIABILITY_SUITES)[number];

/** One case: what was done, how it ended, and whatever figures the suite keeps (keys written, lost, seconds…). */
export interface ReliabilityRow {
  readonly case: string;
  readonly outcome: string;
  readonly [figure: string]: string | number | boolean;
}

export function recordReliability(suite: ReliabilitySuite, row: ReliabilityRow): void {
  const dir = process.env['FERRY_RELIABILITY_OUT'];
  if (dir === undefined || dir === '') return;
  mkdirSync(dir, { recursive: true });
  appendFileSync(join(dir, `${suite}.jsonl`), `${JSON.stringify({ ...row, at: new Date().toISOString() })}\n`);
}
