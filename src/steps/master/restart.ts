/**
 * `master.restart` (a walk-back's phase 4): the original master starts again IN PLACE, with its own files — the
 * forward run never changed them (master.start-new writes only to the new master) — so the walk-back needs no
 * copy back. Every service of the other master (the one the forward run moved to, fully or half started) is
 * stopped first, so that only one apiserver writes. Scheduler and controller stay held back until the nodes are
 * back (master.start-held-back, phase 6), as in the forward run.
 * Gate: the apiserver answers and, when the walk-back recorded the other master's census (master.stop-old), shows
 * the same nodes and objects.
 */
import { FerryError } from '../../errors.ts';
import { compareCensus } from '../../kube/census.ts';
import { HELD_BACK_UNITS, MASTER_STOP_ORDER, MASTER_UNITS } from '../../master/files.ts';
import type { StepOf } from '../../plan/types.ts';
import type { StepHandler } from '../../run/step-context.ts';
import { pollUntil } from '../../util/retry.ts';
import { requireActive, startUnits, stopUnits, waitHealthz } from './services.ts';
import { readRecordedCensus } from './start-new.ts';

/** The other master's units, stopped in the runbook's order, flanneld last. */
const OTHER_STOP_ORDER = [...MASTER_STOP_ORDER, ...MASTER_UNITS.filter((u) => !(MASTER_STOP_ORDER as readonly string[]).includes(u))];
/** What starts here; HELD_BACK_UNITS wait for the nodes. */
const FIRST_UNITS = [...MASTER_STOP_ORDER].reverse().filter((u) => !(HELD_BACK_UNITS as readonly string[]).includes(u));

export const restartMasterHandler: StepHandler<StepOf<'master.restart'>> = {
  async precheck(step, ctx) {
    await ctx.deps.host(step.params.master.host);
    await ctx.deps.host(step.params.other.host);
  },
  async apply(step, ctx) {
    const { master, other, timeouts } = step.params;
    await stopUnits(ctx, await ctx.deps.host(other.host), OTHER_STOP_ORDER, 'stop-other');
    await waitHealthz(ctx, other.apiserver, false, timeouts.stopTimeoutMs);
    await startUnits(ctx, await ctx.deps.host(master.host), FIRST_UNITS, 'start');
    await waitHealthz(ctx, master.apiserver, true, timeouts.startTimeoutMs);
  },
  async verify(step, ctx) {
    const { master, other, timeouts } = step.params;
    await requireActive(await ctx.deps.host(master.host), FIRST_UNITS);
    const before = await readRecordedCensus(ctx);
    let differences: string[] = ['not read yet'];
    try {
      await pollUntil(
        async () => {
          if (!(await ctx.deps.kube(master.apiserver).healthz())) {
            differences = ['/healthz does not answer ok'];
            return undefined;
          }
          differences = before === undefined ? [] : compareCensus(before, await ctx.deps.kube(master.apiserver).readCensus());
          return differences.length === 0 ? true : undefined;
        },
        { timeoutMs: timeouts.startTimeoutMs, intervalMs: 500, sleep: ctx.deps.sleep, now: ctx.deps.now, signal: ctx.signal, onTimeout: () => new Error('timeout') },
      );
    } catch (err) {
      if (ctx.signal.aborted) throw err;
    }
    const otherUp = await ctx.deps.kube(other.apiserver).healthz();
    const checks = [
      { name: 'apiserver healthy', ok: !differences.includes('/healthz does not answer ok'), detail: master.apiserver },
      { name: 'same nodes and objects as the other master held', ok: differences.length === 0, detail: differences.length === 0 ? (before ? `${before.nodes.length} nodes, ${before.pods.length} pods` : 'no census recorded (the other master was not serving)') : differences.join('; ') },
      { name: 'the other apiserver silent', ok: !otherUp, detail: otherUp ? `${other.apiserver} still answers` : `${other.apiserver} does not answer` },
    ];
    const ok = checks.every((c) => c.ok);
    ctx.gate(ok, checks);
    if (!ok) {
      throw new FerryError('MASTER_RESTART_GATE_FAILED', `the master ${master.apiserver} failed its gate: ${checks.filter((c) => !c.ok).map((c) => c.detail).join('; ')}`, {
        subjects: { host: master.host },
        hint: `read the apiserver log on ${master.host}; is etcd reachable from it? \`ferry resume\` checks again`,
      });
    }
  },
  async rollback(_step, ctx) {
    // The state before this step is a half-moved control plane with no apiserver serving: recreating it would help
    // nobody. The master stays as the step left it; `ferry resume` runs the step again.
    ctx.note('the original master is left as it is (stopping it again would leave no apiserver); `ferry resume` runs this step again');
  },
};
