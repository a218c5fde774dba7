/**
 * /healthz: `ok`, or HTTP 500 listing the failed check, as the real apiserver does. The etcd check is a bounded
 * linearizable read; its result is reused for up to a second so a polling gate cannot flood etcd.
 */

export interface HealthCheck {
  readonly name: string;
  /** Resolves true when healthy; never rejects. */
  run(): Promise<boolean>;
}

/** Wraps `check` so that calls within `maxAgeMs` of the last result (or during a run) share it. */
export function cacheHealthCheck(check: HealthCheck, maxAgeMs: number, nowMs: () => number = Date.now): HealthCheck {
  let last: { at: number; result: Promise<boolean> } | undefined;
  return {
    name: check.name,
    run() {
      const now = nowMs();
      if (last === undefined || now - last.at > maxAgeMs) {
        const entry = { at: now, result: check.run() };
        last = entry;
        // The age counts from the answer, not the question.
        void entry.result.then(() => {
          if (last === entry) entry.at = nowMs();
        });
      }
      return last.result;
    },
  };
}

export interface HealthReport {
  readonly code: 200 | 404 | 500;
  readonly body: string;
}

/**
 * The body of /healthz (`ok`), /healthz?verbose (`[+]ping ok` lines then `healthz check passed`) and
 * /healthz/<check>, given each check's result.
 */
export function renderHealth(results: ReadonlyArray<{ name: string; ok: boolean }>, opts: { check?: string; verbose: boolean }): HealthReport {
  if (opts.check !== undefined) {
    const found = results.find((r) => r.name === opts.check);
    if (found === undefined) return { code: 404, body: '404 page not found\n' };
    return found.ok ? { code: 200, body: 'ok' } : { code: 500, body: `internal server error: ${found.name} check failed\n` };
  }
  const failed = results.some((r) => !r.ok);
  if (!failed && !opts.verbose) return { code: 200, body: 'ok' };
  const lines = results.map((r) => (r.ok ? `[+]${r.name} ok` : `[-]${r.name} failed: reason withheld`));
  lines.push(failed ? 'healthz check failed' : 'healthz check passed');
  return { code: failed ? 500 : 200, body: `${lines.join('\n')}\n` };
}
