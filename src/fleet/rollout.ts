/**
 * Rolling a change across a fleet of nodes: a canary first (alone), then batches, each batch with bounded
 * concurrency, halting — no new node is started — once more nodes have failed than the budget allows. Nodes already
 * done (a resumed run) are skipped. The work per node is injected, so this is tested without any node.
 */
export interface RolloutPolicy {
  readonly canary: number;
  readonly batchSize: number;
  readonly concurrency: number;
  /** Halt when failures exceed this. */
  readonly maxFailures: number;
}

export interface NodeOutcome {
  readonly node: string;
  readonly ok: boolean;
  readonly ms: number;
  readonly detail: string;
  /** Set when the node was skipped because it was done before (resume). */
  readonly skipped?: boolean;
}

export interface RolloutProgress {
  readonly total: number;
  readonly done: number;
  readonly failed: number;
  readonly running: number;
  readonly phase: 'canary' | 'batch';
  readonly batch: number;
}

export interface RolloutResult {
  readonly outcomes: readonly NodeOutcome[];
  readonly halted: boolean;
  /** Nodes never started because the rollout halted (or was aborted). */
  readonly notStarted: readonly string[];
}

/** Split nodes into the canary group and the batches. Pure. */
export function buildWaves(nodes: readonly string[], policy: RolloutPolicy): { phase: 'canary' | 'batch'; nodes: string[] }[] {
  const waves: { phase: 'canary' | 'batch'; nodes: string[] }[] = [];
  const canary = nodes.slice(0, Math.min(policy.canary, nodes.length));
  if (canary.length > 0) waves.push({ phase: 'canary', nodes: canary });
  for (let i = canary.length; i < nodes.length; i += policy.batchSize) waves.push({ phase: 'batch', nodes: nodes.slice(i, i + policy.batchSize) });
  return waves;
}

export async function runRollout(
  nodes: readonly string[],
  policy: RolloutPolicy,
  work: (node: string) => Promise<{ ok: boolean; detail: string }>,
  o: { alreadyDone?: ReadonlySet<string>; onProgress?: (p: RolloutProgress) => void; onOutcome?: (x: NodeOutcome) => void; now?: () => number; signal?: AbortSignal } = {},
): Promise<RolloutResult> {
  const now = o.now ?? (() => Date.now());
  const outcomes: NodeOutcome[] = [];
  const done = o.alreadyDone ?? new Set<string>();
  const todo = nodes.filter((n) => !done.has(n));
  for (const n of nodes) if (done.has(n)) outcomes.push({ node: n, ok: true, ms: 0, detail: 'done before', skipped: true });
  let failed = 0;
  let finished = outcomes.length;
  let running = 0;
  let halted = false;
  const started = new Set<string>();
  const waves = buildWaves(todo, policy);
  let batch = 0;
  const report = (phase: 'canary' | 'batch') => o.onProgress?.({ total: nodes.length, done: finished, failed, running, phase, batch });
  for (const wave of waves) {
    if (halted || o.signal?.aborted) break;
    if (wave.phase === 'batch') batch++;
    const queue = [...wave.nodes];
    const width = wave.phase === 'canary' ? 1 : Math.max(1, policy.concurrency);
    const worker = async () => {
      for (;;) {
        if (halted || o.signal?.aborted) return;
        const node = queue.shift();
        if (node === undefined) return;
        started.add(node);
        running++;
        report(wave.phase);
        const t0 = now();
        let result: { ok: boolean; detail: string };
        try {
          result = await work(node);
        } catch (err) {
          result = { ok: false, detail: err instanceof Error ? err.message : String(err) };
        }
        running--;
        finished++;
        const outcome: NodeOutcome = { node, ok: result.ok, ms: now() - t0, detail: result.detail };
        outcomes.push(outcome);
        o.onOutcome?.(outcome);
        if (!result.ok) {
          failed++;
          if (failed > policy.maxFailures) halted = true;
        }
        report(wave.phase);
      }
    };
    await Promise.all(Array.from({ length: Math.min(width, wave.nodes.length) }, worker));
    // A failed canary always halts: it exists to stop the fleet before the fleet is touched.
    if (wave.phase === 'canary' && outcomes.some((x) => !x.ok && wave.nodes.includes(x.node))) halted = true;
  }
  return { outcomes, halted, notStarted: todo.filter((n) => !started.has(n)) };
}

/** The per-node results table printed at the end. Pure. */
export function renderRolloutTable(result: RolloutResult): string {
  const rows = [...result.outcomes].sort((a, b) => Number(a.ok) - Number(b.ok) || a.node.localeCompare(b.node));
  const width = Math.max(4, ...rows.map((r) => r.node.length));
  const lines = [`${'NODE'.padEnd(width)}  RESULT       TIME     DETAIL`];
  for (const r of rows) lines.push(`${r.node.padEnd(width)}  ${(r.skipped ? 'done before' : r.ok ? 'ok' : 'FAILED').padEnd(11)}  ${`${(r.ms / 1000).toFixed(1)} s`.padStart(7)}  ${r.detail}`);
  for (const n of result.notStarted) lines.push(`${n.padEnd(width)}  ${'not started'.padEnd(11)}  ${''.padStart(7)}  ${result.halted ? 'the rollout halted' : 'interrupted'}`);
  return lines.join('\n');
}
