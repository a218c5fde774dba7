/**
 * A bound on one discovery read that has none of its own (the Kubernetes client, SFTP reads): after `timeoutMs`
 * the read is abandoned with DISCOVER_TIMEOUT, so `ferry discover` never hangs on a host that stopped answering.
 */
import { FerryError } from '../errors.ts';

export async function withTimeout<T>(what: string, timeoutMs: number, subjects: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(
        new FerryError('DISCOVER_TIMEOUT', `${what}: no answer within ${timeoutMs} ms`, {
          retryable: true,
          subjects,
          hint: 'check that the host or service answers from this machine, then run ferry discover again',
        }),
      );
    }, timeoutMs);
  });
  const pending = fn();
  pending.catch(() => undefined); // it may lose the race; its late failure is not news
  try {
    return await Promise.race([pending, expired]);
  } finally {
    clearTimeout(timer);
  }
}
