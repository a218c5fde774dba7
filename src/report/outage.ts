/**
 * The apiserver outage window from probe samples (pure): the longest run of samples in which no apiserver answered
 * /healthz, from the first failed sample to the first good one after it (or the last sample, when it never came back).
 */
export interface ProbeSample {
  /** ms since the epoch. */
  readonly t: number;
  /** The apiserver URL that answered, or undefined when none did. */
  readonly up?: string;
}

export interface Outage {
  readonly from: number;
  readonly to: number;
  readonly ms: number;
  /** Who answered before and after it. */
  readonly before?: string;
  readonly after?: string;
  /** False when the probe ended inside the outage. */
  readonly recovered: boolean;
}

export function computeLongestOutage(samples: readonly ProbeSample[]): Outage | undefined {
  let best: Outage | undefined;
  let start: number | undefined;
  let before: string | undefined;
  let lastUp: string | undefined;
  for (const s of samples) {
    if (s.up === undefined) {
      if (start === undefined) {
        start = s.t;
        before = lastUp;
      }
      continue;
    }
    if (start !== undefined) {
      const o: Outage = { from: start, to: s.t, ms: s.t - start, ...(before !== undefined ? { before } : {}), after: s.up, recovered: true };
      if (best === undefined || o.ms > best.ms) best = o;
      start = undefined;
    }
    lastUp = s.up;
  }
  const last = samples[samples.length - 1];
  if (start !== undefined && last !== undefined) {
    const o: Outage = { from: start, to: last.t, ms: last.t - start, ...(before !== undefined ? { before } : {}), recovered: false };
    if (best === undefined || o.ms > best.ms) best = o;
  }
  return best;
}
