/**
 * Ctrl-C and SIGTERM: the first one aborts the run's signal, so the step in flight stops at its next wait and the
 * run is journaled as interrupted (exit 130, `ferry resume` continues it); a second one exits at once.
 */
import { ExitCode } from '../errors.ts';
import type { Io } from './io.ts';

export async function withInterrupt<T>(io: Io, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let count = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    count++;
    if (count === 1) {
      io.err(`\n${sig}: stopping at the next safe point (again to quit at once)…\n`);
      controller.abort(new Error(`interrupted by ${sig}`));
    } else process.exit(ExitCode.interrupted);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await fn(controller.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
