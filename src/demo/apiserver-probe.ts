/**
 * Watches the apiservers during a demo: every `intervalMs`, GET /healthz on each URL (bounded), and records which
 * one answered. The samples give the apiserver outage window (report/outage.ts).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ProbeSample } from '../report/outage.ts';

export interface ApiserverProbe {
  stop(): Promise<readonly ProbeSample[]>;
}

async function answers(url: string, timeoutMs: number): Promise<boolean> {
  try {
    const res = await fetch(`${url.replace(/\/+$/, '')}/healthz`, { signal: AbortSignal.timeout(timeoutMs) });
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
}

export function startApiserverProbe(urls: readonly string[], o: { readonly intervalMs?: number; readonly timeoutMs?: number } = {}): ApiserverProbe {
  const intervalMs = o.intervalMs ?? 100;
  const timeoutMs = o.timeoutMs ?? 500;
  const samples: ProbeSample[] = [];
  const stopper = new AbortController();
  const loop = (async () => {
    while (!stopper.signal.aborted) {
      const t = Date.now();
      const results = await Promise.all(urls.map((u) => answers(u, timeoutMs)));
      const up = urls.find((_, i) => results[i] === true);
      samples.push({ t, ...(up !== undefined ? { up } : {}) });
      await sleep(Math.max(0, intervalMs - (Date.now() - t)), undefined, { signal: stopper.signal }).catch(() => undefined);
    }
  })();
  return {
    async stop() {
      stopper.abort();
      await loop;
      return samples;
    },
  };
}
